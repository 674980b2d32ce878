/* Every fixed limit of rvnest, one constant each. Exceeding one is a clear
 * setup error (rvnest_fatal), never a silent drop. */
#ifndef RVNEST_LIMITS_H
#define RVNEST_LIMITS_H

#define RVNEST_MAX_HARTS 1            /* SMP comes with a later issue */
/* PLIC pages L0 performs for L1: priorities, L1's enables, L1's context. */
#define RVNEST_PLIC_PAGES 3
/* Guest-physical ranges L0's G-stage leaves unmapped for L1: L0 memory and
 * RAM above L1's (at most 3 ranges around the device tree) and the PLIC
 * pages. */
#define RVNEST_MAX_HOLES (3 + RVNEST_PLIC_PAGES)
/* PMP entries evaluated for L1's accesses (QEMU's default pmp-regions). */
#define RVNEST_PMP_ENTRIES 16

#endif
