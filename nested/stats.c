/* L0 exit statistics: the report at exit (stderr) and the JSON file. */
#include <stdio.h>
#include "rvnest/stats.h"

static const char *const names[EXIT__COUNT] = {
    [EXIT_FW_ENTRY] = "firmware_entry",
    [EXIT_FW_REDIRECT] = "firmware_redirect",
    [EXIT_SBI_BASE] = "sbi_base",
    [EXIT_SBI_TIME] = "sbi_time",
    [EXIT_SBI_IPI] = "sbi_ipi",
    [EXIT_SBI_RFENCE] = "sbi_rfence",
    [EXIT_SBI_HSM] = "sbi_hsm",
    [EXIT_SBI_SRST] = "sbi_srst",
    [EXIT_SBI_DBCN] = "sbi_dbcn",
    [EXIT_SBI_FWFT] = "sbi_fwft",
    [EXIT_SBI_LEGACY] = "sbi_legacy",
    [EXIT_SBI_UNSUPPORTED] = "sbi_unsupported",
    [EXIT_CSR] = "csr",
    [EXIT_VIRT_INSN_OTHER] = "virtual_insn_other",
    [EXIT_HYP_LOAD_STORE] = "hyp_load_store",
    [EXIT_HFENCE] = "hfence",
    [EXIT_MMIO_PLIC] = "mmio_plic",
    [EXIT_ACCESS_FAULT] = "access_fault",
    [EXIT_IRQ_EXTERNAL] = "irq_external",
    [EXIT_IRQ_SOFTWARE] = "irq_software",
    [EXIT_IRQ_TIMER] = "irq_timer",
    [EXIT_IRQ_OTHER] = "irq_other",
    [EXIT_EXCEPTION_OTHER] = "exception_other",
};

const char *rvnest_exit_name(enum rvnest_exit e)
{
    return e < EXIT__COUNT ? names[e] : "?";
}

uint64_t rvnest_stats_total(const struct rvnest_stats *s)
{
    uint64_t t = 0;
    for (int i = 0; i < EXIT__COUNT; i++)
        t += s->exits[i];
    return t;
}

void rvnest_stats_print(const struct rvnest_stats *s, FILE *f)
{
    fprintf(f, "rvnest: L0 exits: %llu total, %.3f ms host time in L0, %llu microcode runs, %llu interrupts raised from L1's virtual H state, %llu taken while its trap state was dirty\n",
            (unsigned long long)rvnest_stats_total(s), s->l0_ns / 1e6,
            (unsigned long long)s->ucode_runs, (unsigned long long)s->l1_virqs,
            (unsigned long long)s->l1_irq_catchups);
    for (int i = 0; i < EXIT__COUNT; i++)
        if (s->exits[i])
            fprintf(f, "rvnest:   %-20s %llu\n", names[i], (unsigned long long)s->exits[i]);
    if (s->audit)
        fprintf(f, "rvnest: audit: guest blocks executed in real HS: %llu\n",
                (unsigned long long)s->hs_guest_tbs);
}

int rvnest_stats_write_json(const struct rvnest_stats *s, const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fprintf(f, "{\n  \"exits_total\": %llu,\n  \"l0_ns\": %llu,\n  \"ucode_runs\": %llu,\n  \"l1_virqs\": %llu,\n  \"l1_irq_catchups\": %llu,\n",
            (unsigned long long)rvnest_stats_total(s), (unsigned long long)s->l0_ns,
            (unsigned long long)s->ucode_runs, (unsigned long long)s->l1_virqs,
            (unsigned long long)s->l1_irq_catchups);
    if (s->audit)
        fprintf(f, "  \"audit_hs_guest_blocks\": %llu,\n", (unsigned long long)s->hs_guest_tbs);
    fprintf(f, "  \"exits\": {");
    for (int i = 0; i < EXIT__COUNT; i++)
        fprintf(f, "%s\n    \"%s\": %llu", i ? "," : "", names[i], (unsigned long long)s->exits[i]);
    fprintf(f, "\n  }\n}\n");
    return fclose(f);
}
