/* L0 exit statistics: counts by reason and host time spent in L0. */
#ifndef RVNEST_STATS_H
#define RVNEST_STATS_H

#include <stdint.h>
#include <stdio.h>
#include "rvnest/nacl.h"

enum rvnest_exit {
    EXIT_FW_ENTRY,          /* OpenSBI entered HS: turned into an L1 entry */
    EXIT_FW_REDIRECT,       /* OpenSBI redirected a trap to HS */
    EXIT_SBI_BASE,
    EXIT_SBI_TIME,
    EXIT_SBI_IPI,
    EXIT_SBI_RFENCE,
    EXIT_SBI_HSM,
    EXIT_SBI_SRST,
    EXIT_SBI_DBCN,
    EXIT_SBI_FWFT,
    EXIT_SBI_LEGACY,
    EXIT_SBI_NACL,          /* SBI nested acceleration (nested/sbi_nacl.c) */
    EXIT_SBI_UNSUPPORTED,
    EXIT_CSR,               /* virtual instruction: H/VS CSR access */
    EXIT_VIRT_INSN_OTHER,   /* virtual instruction: other */
    EXIT_HYP_LOAD_STORE,    /* virtual instruction: HLV/HLVX/HSV */
    EXIT_HFENCE,            /* virtual instruction: HFENCE/HINVAL */
    EXIT_MMIO_PLIC,         /* trapped PLIC claim/complete access */
    EXIT_ACCESS_FAULT,      /* L1 access to a hole: the access/page fault native gives */
    EXIT_IRQ_EXTERNAL,
    EXIT_IRQ_SOFTWARE,
    EXIT_IRQ_TIMER,
    EXIT_IRQ_OTHER,
    EXIT_EXCEPTION_OTHER,   /* reflected to L1 */
    EXIT__COUNT
};

/* Exits while L2 runs, by reason; each counted once, under its outcome
 * (handled in L0, or forwarded to L1 through a world switch). */
enum rvnest_l2_exit {
    L2X_SHADOW_FILL,        /* guest page fault L0 answered by a shadow fill (L0) */
    L2X_GUEST_PAGE_FAULT,   /* guest page fault of L1's G-stage (forwarded) */
    L2X_VIRTUAL_INST,       /* virtual-instruction exception (forwarded) */
    L2X_ECALL,              /* ecall from VS: L2's SBI call to L1 (forwarded) */
    L2X_EXCEPTION,          /* another exception L1 does not delegate (forwarded) */
    L2X_IRQ,                /* an interrupt of L1's preempts L2 (forwarded) */
    L2X_IRQ_RECORDED,       /* an interrupt for L1 that does not preempt L2 (L0) */
    L2X_EMULATED,           /* an access to a device page L0 performs for L1 (L0) */
    L2X__COUNT
};

struct rvnest_stats {
    uint64_t exits[EXIT__COUNT];      /* while L1 runs */
    uint64_t l2_exits[L2X__COUNT];    /* while L2 runs */
    uint64_t l2_entries;              /* world switches into L2 */
    uint64_t l2_entry_irqs;           /* L1's sret into L2 met a pending interrupt of L1's */
    uint64_t shadow_fills, shadow_invalidations, shadow_reclaims, shadow_evictions;
    uint64_t shadow_drops;            /* contexts emptied (whole-VMID fences, evictions,
                                         changed roots, reclaims) */
    uint64_t shadow_replays;          /* leaves made again after a local fence, no exit */
    uint64_t shadow_prefetches;       /* leaves made at L2's entry for the fault L1 handled */
    uint64_t shadow_large;            /* of the fills and prefetches, 2 MiB leaves */
    uint64_t nacl[NACL_EV__COUNT];    /* SBI nested acceleration (rvnest/nacl.h) */
    uint64_t ucode_runs;    /* L0 microcode sequences run (real HS, or M) */
    uint64_t l1_virqs;      /* interrupts L0 raised for L1 from its virtual H state */
    uint64_t l1_irq_catchups; /* interrupts L1 took in hardware while its trap state was dirty */
    uint64_t l0_ns;         /* host time spent in L0 handlers */
    uint64_t hs_guest_tbs;  /* audit: guest blocks seen in real HS (must be 0) */
    uint64_t hs_guest_first_pc;
    int audit;              /* 1 when the audit counter is live */
};

const char *rvnest_exit_name(enum rvnest_exit e);
const char *rvnest_l2_exit_name(enum rvnest_l2_exit e);
/* whether an L2 exit of this reason is forwarded to L1 */
int rvnest_l2_exit_forwarded(enum rvnest_l2_exit e);
uint64_t rvnest_stats_l2_total(const struct rvnest_stats *s);
uint64_t rvnest_stats_total(const struct rvnest_stats *s);
void rvnest_stats_print(const struct rvnest_stats *s, FILE *f);
/* The JSON file: the sums, and a few totals per hart. */
int rvnest_stats_write_json(const struct rvnest_stats *s, const struct rvnest_stats *harts,
                            unsigned nharts, const char *path);
void rvnest_stats_add(struct rvnest_stats *sum, const struct rvnest_stats *s);

#endif
