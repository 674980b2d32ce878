/* L0 exit statistics: counts by reason and host time spent in L0. */
#ifndef RVNEST_STATS_H
#define RVNEST_STATS_H

#include <stdint.h>
#include <stdio.h>

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

struct rvnest_stats {
    uint64_t exits[EXIT__COUNT];
    uint64_t ucode_runs;    /* L0 microcode sequences run in real HS */
    uint64_t l1_virqs;      /* interrupts L0 raised for L1 from its virtual H state */
    uint64_t l1_irq_catchups; /* interrupts L1 took in hardware while its trap state was dirty */
    uint64_t l0_ns;         /* host time spent in L0 handlers */
    uint64_t hs_guest_tbs;  /* audit: guest blocks seen in real HS (must be 0) */
    uint64_t hs_guest_first_pc;
    int audit;              /* 1 when the audit counter is live */
};

const char *rvnest_exit_name(enum rvnest_exit e);
uint64_t rvnest_stats_total(const struct rvnest_stats *s);
void rvnest_stats_print(const struct rvnest_stats *s, FILE *f);
int rvnest_stats_write_json(const struct rvnest_stats *s, const char *path);

#endif
