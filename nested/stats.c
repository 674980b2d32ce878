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
    [EXIT_SBI_NACL] = "sbi_nacl",
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

static const char *const nacl_names[NACL_EV__COUNT] = {
    [NACL_EV_SET_SHMEM] = "set_shmem",
    [NACL_EV_SYNC_CSR] = "sync_csr",
    [NACL_EV_SYNC_HFENCE] = "sync_hfence",
    [NACL_EV_SYNC_SRET] = "sync_sret",
    [NACL_EV_CSRS_SYNCED] = "csrs_synced",
    [NACL_EV_HFENCE_ENTRIES] = "hfence_entries",
    [NACL_EV_HFENCE_IGNORED] = "hfence_ignored",
    [NACL_EV_AUTOSWAPS] = "autoswaps",
    [NACL_EV_CSR_WORDS] = "csr_words_written",
};

static const char *const l2_names[L2X__COUNT] = {
    [L2X_SHADOW_FILL] = "shadow_fill",
    [L2X_GUEST_PAGE_FAULT] = "guest_page_fault",
    [L2X_VIRTUAL_INST] = "virtual_insn",
    [L2X_ECALL] = "ecall",
    [L2X_EXCEPTION] = "exception",
    [L2X_IRQ] = "irq",
    [L2X_IRQ_RECORDED] = "irq_recorded",
    [L2X_EMULATED] = "emulated_device",
};

const char *rvnest_l2_exit_name(enum rvnest_l2_exit e)
{
    return e < L2X__COUNT ? l2_names[e] : "?";
}

int rvnest_l2_exit_forwarded(enum rvnest_l2_exit e)
{
    return e != L2X_SHADOW_FILL && e != L2X_IRQ_RECORDED && e != L2X_EMULATED;
}

uint64_t rvnest_stats_l2_total(const struct rvnest_stats *s)
{
    uint64_t t = 0;
    for (int i = 0; i < L2X__COUNT; i++)
        t += s->l2_exits[i];
    return t;
}

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
    fprintf(f, "rvnest: L1 exits to L0: %llu total, %.3f ms host time in L0, %llu microcode runs, %llu interrupts raised from L1's virtual H state, %llu taken while its trap state was dirty\n",
            (unsigned long long)rvnest_stats_total(s), s->l0_ns / 1e6,
            (unsigned long long)s->ucode_runs, (unsigned long long)s->l1_virqs,
            (unsigned long long)s->l1_irq_catchups);
    for (int i = 0; i < EXIT__COUNT; i++)
        if (s->exits[i])
            fprintf(f, "rvnest:   %-20s %llu\n", names[i], (unsigned long long)s->exits[i]);
    uint64_t l2 = rvnest_stats_l2_total(s), fwd = 0;
    for (int i = 0; i < L2X__COUNT; i++)
        if (rvnest_l2_exit_forwarded(i))
            fwd += s->l2_exits[i];
    if (l2 || s->l2_entries) {
        fprintf(f, "rvnest: L2: %llu entries, %llu exits (%llu handled in L0, %llu forwarded to L1), %llu interrupts of L1's met at entry\n",
                (unsigned long long)s->l2_entries, (unsigned long long)l2,
                (unsigned long long)(l2 - fwd), (unsigned long long)fwd,
                (unsigned long long)s->l2_entry_irqs);
        for (int i = 0; i < L2X__COUNT; i++)
            if (s->l2_exits[i])
                fprintf(f, "rvnest:   L2 %-17s %llu (%s)\n", l2_names[i], (unsigned long long)s->l2_exits[i],
                        rvnest_l2_exit_forwarded(i) ? "forwarded" : "L0");
        fprintf(f, "rvnest: shadow G-stage: %llu fills, %llu prefetched at entry (%llu 2 MiB leaves among both), %llu invalidations (%llu contexts emptied, %llu leaves replayed), %llu pool reclaims, %llu evictions\n",
                (unsigned long long)s->shadow_fills, (unsigned long long)s->shadow_prefetches,
                (unsigned long long)s->shadow_large, (unsigned long long)s->shadow_invalidations,
                (unsigned long long)s->shadow_drops, (unsigned long long)s->shadow_replays,
                (unsigned long long)s->shadow_reclaims, (unsigned long long)s->shadow_evictions);
    }
    if (s->nacl[NACL_EV_SET_SHMEM])
        fprintf(f, "rvnest: NACL: %llu set_shmem, %llu sync_csr, %llu sync_hfence, %llu sync_sret, %llu CSRs synced, %llu HFENCE entries (%llu ignored), %llu autoswaps, %llu CSR-space words written\n",
                (unsigned long long)s->nacl[NACL_EV_SET_SHMEM], (unsigned long long)s->nacl[NACL_EV_SYNC_CSR],
                (unsigned long long)s->nacl[NACL_EV_SYNC_HFENCE], (unsigned long long)s->nacl[NACL_EV_SYNC_SRET],
                (unsigned long long)s->nacl[NACL_EV_CSRS_SYNCED], (unsigned long long)s->nacl[NACL_EV_HFENCE_ENTRIES],
                (unsigned long long)s->nacl[NACL_EV_HFENCE_IGNORED], (unsigned long long)s->nacl[NACL_EV_AUTOSWAPS],
                (unsigned long long)s->nacl[NACL_EV_CSR_WORDS]);
    if (s->audit)
        fprintf(f, "rvnest: audit: guest blocks executed in real HS: %llu\n",
                (unsigned long long)s->hs_guest_tbs);
}

void rvnest_stats_add(struct rvnest_stats *sum, const struct rvnest_stats *s)
{
    for (int i = 0; i < EXIT__COUNT; i++)
        sum->exits[i] += s->exits[i];
    for (int i = 0; i < L2X__COUNT; i++)
        sum->l2_exits[i] += s->l2_exits[i];
    for (int i = 0; i < NACL_EV__COUNT; i++)
        sum->nacl[i] += s->nacl[i];
    sum->l2_entries += s->l2_entries;
    sum->l2_entry_irqs += s->l2_entry_irqs;
    sum->shadow_fills += s->shadow_fills;
    sum->shadow_invalidations += s->shadow_invalidations;
    sum->shadow_reclaims += s->shadow_reclaims;
    sum->shadow_evictions += s->shadow_evictions;
    sum->shadow_drops += s->shadow_drops;
    sum->shadow_replays += s->shadow_replays;
    sum->shadow_prefetches += s->shadow_prefetches;
    sum->shadow_large += s->shadow_large;
    sum->ucode_runs += s->ucode_runs;
    sum->l1_virqs += s->l1_virqs;
    sum->l1_irq_catchups += s->l1_irq_catchups;
    sum->l0_ns += s->l0_ns;
    if (s->hs_guest_tbs && !sum->hs_guest_tbs)
        sum->hs_guest_first_pc = s->hs_guest_first_pc;
    sum->hs_guest_tbs += s->hs_guest_tbs;
    sum->audit |= s->audit;
}

int rvnest_stats_write_json(const struct rvnest_stats *s, const struct rvnest_stats *harts,
                            unsigned nharts, const char *path)
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
    fprintf(f, "\n  },\n  \"l2_entries\": %llu,\n  \"l2_entry_irqs\": %llu,\n  \"l2_exits_total\": %llu,\n",
            (unsigned long long)s->l2_entries, (unsigned long long)s->l2_entry_irqs,
            (unsigned long long)rvnest_stats_l2_total(s));
    fprintf(f, "  \"shadow_fills\": %llu,\n  \"shadow_prefetches\": %llu,\n  \"shadow_large\": %llu,\n  \"shadow_invalidations\": %llu,\n  \"shadow_drops\": %llu,\n  \"shadow_replays\": %llu,\n  \"shadow_reclaims\": %llu,\n  \"shadow_evictions\": %llu,\n",
            (unsigned long long)s->shadow_fills, (unsigned long long)s->shadow_prefetches,
            (unsigned long long)s->shadow_large, (unsigned long long)s->shadow_invalidations,
            (unsigned long long)s->shadow_drops, (unsigned long long)s->shadow_replays,
            (unsigned long long)s->shadow_reclaims, (unsigned long long)s->shadow_evictions);
    fprintf(f, "  \"l2_exits\": {");
    for (int i = 0; i < L2X__COUNT; i++)
        fprintf(f, "%s\n    \"%s\": %llu", i ? "," : "", l2_names[i], (unsigned long long)s->l2_exits[i]);
    fprintf(f, "\n  },\n  \"nacl\": {");
    for (int i = 0; i < NACL_EV__COUNT; i++)
        fprintf(f, "%s\n    \"%s\": %llu", i ? "," : "", nacl_names[i], (unsigned long long)s->nacl[i]);
    fprintf(f, "\n  },\n  \"harts\": [");
    for (unsigned i = 0; i < nharts; i++)
        fprintf(f, "%s\n    { \"hart\": %u, \"exits_total\": %llu, \"l2_exits_total\": %llu, \"l2_entries\": %llu, \"l0_ns\": %llu }",
                i ? "," : "", i, (unsigned long long)rvnest_stats_total(&harts[i]),
                (unsigned long long)rvnest_stats_l2_total(&harts[i]),
                (unsigned long long)harts[i].l2_entries, (unsigned long long)harts[i].l0_ns);
    fprintf(f, "\n  ]\n}\n");
    return fclose(f);
}
