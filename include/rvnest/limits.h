/* Every fixed limit of rvnest, one constant each. Exceeding one is a clear
 * setup error (rvnest_fatal), never a silent drop. */
#ifndef RVNEST_LIMITS_H
#define RVNEST_LIMITS_H

#define RVNEST_MAX_HARTS 8            /* harts of one machine (QEMU -smp) */
/* QEMU virt's reset vector (its boot ROM): every hart starts there after a
 * cold boot or a system reset. */
#define RVNEST_RESET_VECTOR 0x1000ull
/* How far `time` must go back before L0 takes it for a system reset
 * (rvnest_reset_is_new): 10 ms of virt's 10 MHz timebase, far above the
 * skew between several sockets' mtimers, far below any epoch's length. */
#define RVNEST_RESET_TIME_SLACK 100000ull
/* PLIC ranges L0 performs for L1: the source priorities' page, the pages
 * of the harts' S-context enables, the pages from the lowest to the highest
 * hart's S context (M contexts between them included: L0 performs those
 * accesses on the real PLIC as they are, so that a few PMP entries cover
 * any number of harts). */
#define RVNEST_PLIC_PAGES 3
/* Guest-physical ranges L0's G-stage leaves unmapped for L1: L0 memory and
 * RAM above L1's (at most 3 ranges around the device tree) and the PLIC
 * pages. */
#define RVNEST_MAX_HOLES (3 + RVNEST_PLIC_PAGES)
/* PMP entries evaluated for L1's accesses (QEMU's default pmp-regions). */
#define RVNEST_PMP_ENTRIES 16

#endif
