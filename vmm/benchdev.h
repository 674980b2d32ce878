/* rvnest-vmm's bench device: its register map and the dirty-log test's
 * write pattern. Shared by the VMM (vmm/bench.c, vmm/vm.c) and the L2 program
 * that drives it (tests/kvm/l2-memwork.c), so that both compute the same
 * pages; header-only, portable C11.
 *
 * Two 4 KiB pages of MMIO at BENCH_BASE (device tree: /soc/bench@10010000,
 * compatible "rvnest,bench"):
 *   page 0: plain MMIO, every access is a KVM_EXIT_MMIO the VMM handles;
 *   page 1: a KVM coalesced MMIO zone (KVM_REGISTER_COALESCED_MMIO): KVM
 *           queues writes in the ring the VMM drains; reads still exit.
 * Registers are 32 bits wide (an access of another size reads/writes the
 * low bits; an access that is not 4-byte aligned, or beyond the last
 * register of page 0, is a device error). */
#ifndef RVNEST_BENCHDEV_H
#define RVNEST_BENCHDEV_H

#include <stdbool.h>
#include <stdint.h>

#define BENCH_BASE        0x10010000ULL
#define BENCH_SIZE        0x2000ULL
#define BENCH_PAGE        0x1000ULL
#define BENCH_COALESCED   BENCH_PAGE        /* offset of page 1 */
#define BENCH_ID_VALUE    0x524e4231u       /* "RNB1" */

/* Page 0 registers (offsets). R: what a read returns; W: what a write does. */
#define BENCH_REG_ID        0x00  /* R: BENCH_ID_VALUE. W: doorbell (counted) */
#define BENCH_REG_COUNT     0x04  /* R: doorbell writes so far (low 32 bits). W: ignored */
#define BENCH_REG_COAL      0x08  /* R: writes to page 1 so far (drained from the
                                     ring or exited), after draining. W: ignored */
#define BENCH_REG_FLAGS     0x0c  /* R: BENCH_F_* */
#define BENCH_REG_DL_ROUNDS 0x10  /* R: --dirty-log collector rounds so far */
#define BENCH_REG_DL_PAGES  0x14  /* R: dirty pages the collector found so far (low 32 bits) */
#define BENCH_REG_DL_CTRL   0x18  /* W: MS > 0: run the collector from now on (a look at once, then every MS ms)
                                     (dirty logging on if it is not yet); 0: stop it
                                     (and logging, unless --dirty-log turned it on).
                                     R: the collector's period, 0: not running */
/* dirty-log test (BENCH_DT_*: the protocol below) */
#define BENCH_REG_DT_PAGES  0x20  /* W: N, pages of the buffer. R: as written */
#define BENCH_REG_DT_ROUNDS 0x24  /* W: R, rounds. R: as written */
#define BENCH_REG_DT_PFN    0x28  /* W: the next page's PFN (L2-physical), page 0 first.
                                     R: PFNs received so far */
#define BENCH_REG_DT_CMD    0x2c  /* W: BENCH_DT_CMD_* */
#define BENCH_REG_DT_ROUND  0x30  /* W: round r (1..R) has ended: check it. R: last round checked */
#define BENCH_REG_DT_STATUS 0x34  /* R: BENCH_DT_ST_* (0: fine so far) */
#define BENCH_REG_DT_WRITTEN 0x38 /* R: pages written so far (sum over checked rounds) */
#define BENCH_REG_DT_LOST   0x3c  /* R: written pages the log did not report */
#define BENCH_REG_DT_EXTRA  0x40  /* R: reported pages that were not written */
#define BENCH_REG_LAST      0x40

#define BENCH_F_COALESCED   0x1u  /* page 1 is a coalesced zone */
#define BENCH_F_CLEAR_LOG   0x2u  /* dirty logging uses KVM_CLEAR_DIRTY_LOG */
#define BENCH_F_COLLECTOR   0x4u  /* the dirty-log collector runs */
#define BENCH_DL_MAX_MS     600000u

#define BENCH_DT_CMD_LOAD   1     /* forget any test; PFNs follow */
#define BENCH_DT_CMD_START  2     /* PFNs complete: log on, one GET(+CLEAR) */
#define BENCH_DT_CMD_FINISH 3     /* print the summary line */

#define BENCH_DT_ST_PROTOCOL 0x1u /* a command out of order, bad N/R/PFN */
#define BENCH_DT_ST_KVM      0x2u /* a dirty-log ioctl failed */
#define BENCH_DT_ST_LOST     0x4u
#define BENCH_DT_ST_EXTRA    0x8u

#define BENCH_DT_MAX_PAGES  (1u << 20)
#define BENCH_DT_MAX_ROUNDS 100000u

/* The dirty-log test (docs/vmm.md): the guest declares N pages (their PFNs,
 * page i first), then for each round r = 1..R does what bench_dt_action(r, i)
 * says with every page i, and writes r to BENCH_REG_DT_ROUND once every
 * write of the round is done; the VMM then gets (and clears) the dirty log
 * and compares: a page written in round r that the log does not report is
 * LOST, a reported page that was not written is EXTRA. */
enum bench_dt_action {
    BENCH_DT_NONE = 0,          /* no access */
    BENCH_DT_READ,              /* loads only */
    BENCH_DT_STORE64,           /* one aligned 8-byte store */
    BENCH_DT_STORE8,            /* one byte store */
    BENCH_DT_AMO,               /* an atomic add (AMO) */
    BENCH_DT_LOAD_STORE,        /* a load, then a store to the same word */
};

static inline uint64_t bench_dt_hash(uint32_t round, uint32_t page)
{
    /* splitmix64's finaliser over (round, page) */
    uint64_t x = ((uint64_t)round << 32 | page) + 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

/* Out of 256: the share of pages written in round r. Every 8th round writes
 * nothing (its check: nothing reported); the others vary so that a page
 * is written in some rounds and not in others, and is read, or left alone,
 * for one or several rounds before its next write. */
static inline unsigned bench_dt_write_share(uint32_t round)
{
    static const unsigned share[8] = { 128, 32, 224, 96, 160, 64, 192, 0 };
    return share[(round - 1) % 8];
}

static inline enum bench_dt_action bench_dt_action(uint32_t round, uint32_t page)
{
    uint64_t h = bench_dt_hash(round, page);
    unsigned v = (unsigned)(h & 0xff), w = bench_dt_write_share(round);
    if (v < w)
        return (enum bench_dt_action)(BENCH_DT_STORE64 + (unsigned)((h >> 8) % 4));
    /* of the rest, half read, half untouched */
    return (h >> 16) & 1 ? BENCH_DT_READ : BENCH_DT_NONE;
}

static inline bool bench_dt_written(uint32_t round, uint32_t page)
{
    return bench_dt_action(round, page) >= BENCH_DT_STORE64;
}

/* Which of nthreads threads accesses page i in round r (each page one
 * thread, varying from round to round). */
static inline unsigned bench_dt_thread(uint32_t round, uint32_t page, unsigned nthreads)
{
    return (unsigned)((bench_dt_hash(round, page) >> 24) % nthreads);
}

/* The byte offset in the page the access of round r uses (8-byte aligned). */
static inline unsigned bench_dt_offset(uint32_t round, uint32_t page)
{
    return (unsigned)((bench_dt_hash(round, page) >> 40) % 512) * 8;
}

#endif
