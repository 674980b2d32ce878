/* The SBI interface L1 expects from its firmware (ARCHITECTURE.md section
 * 6): the common path of L1's ecalls and the table of extensions. Each
 * extension is one file nested/sbi_<name>.c (its descriptor, shared types
 * in nested/sbi_ext.h) and one row of SBI_EXTENSIONS below. It is handled
 * in L0 or forwarded to OpenSBI by running L1's own ecall from real HS (L0
 * microcode): the arguments are already in a0-a7 and L1's guest-physical
 * addresses are host-physical (identity G-stage), once L0 has checked they
 * do not touch L0 memory. */
#include "rvnest/csr.h"
#include "nested/sbi_ext.h"

/* The dispatch table, one row per extension: X(name) stands for
 * rvnest_sbi_ext_<name> of nested/sbi_<name>.c. Searched in this order;
 * the ranges do not overlap. BASE probe_extension answers from it. */
#define SBI_EXTENSIONS(X) \
    X(legacy)             \
    X(base)               \
    X(time)               \
    X(ipi)                \
    X(rfence)             \
    X(hsm)                \
    X(srst)               \
    X(dbcn)               \
    X(fwft)               \
    X(nacl)

#define SBI_EXT_DECLARE(name) extern const struct sbi_ext rvnest_sbi_ext_##name;
#define SBI_EXT_ROW(name) &rvnest_sbi_ext_##name,
SBI_EXTENSIONS(SBI_EXT_DECLARE)
static const struct sbi_ext *const sbi_exts[] = { SBI_EXTENSIONS(SBI_EXT_ROW) };
#define N_EXTS (sizeof(sbi_exts) / sizeof(sbi_exts[0]))

const struct sbi_ext *rvnest_sbi_find_ext(unsigned long ext)
{
    for (unsigned i = 0; i < N_EXTS; i++)
        if (ext >= sbi_exts[i]->ext_lo && ext <= sbi_exts[i]->ext_hi)
            return sbi_exts[i];
    return NULL;
}

enum sbi_action rvnest_sbi_forward(struct rvnest_vcpu *vc, struct sbi_call *c)
{
    (void)vc;
    (void)c;
    return SBI_FORWARD;
}

/* L1's ecall: its arguments, the extension's row, what it asked for. */
void rvnest_sbi_ecall(struct rvnest_vcpu *vc)
{
    struct rvnest_hart *h = vc->hart;
    struct sbi_call c = { .ext = hart_gpr(h, 17), .fid = hart_gpr(h, 16) };
    for (int i = 0; i < 6; i++)
        c.arg[i] = hart_gpr(h, 10 + i);
    const struct sbi_ext *e = rvnest_sbi_find_ext(c.ext);
    if (e && e->available && !e->available(vc))
        e = NULL;
    uint64_t next_pc = hart_csr(h, CSR_SEPC) + 4;
    unsigned priv = rvnest_trap_priv(vc) | PRIV_V;
    enum sbi_action act;
    if (!e) {
        vc->stats.exits[EXIT_SBI_UNSUPPORTED]++;
        c.err = SBI_ERR_NOT_SUPPORTED;
        act = SBI_DONE;
    } else {
        vc->stats.exits[e->reason]++;
        act = e->handle(vc, &c);
    }
    switch (act) {
    case SBI_DONE:
        hart_set_gpr(h, 10, (uint64_t)c.err);
        if (!c.legacy)
            hart_set_gpr(h, 11, c.value);
        rvnest_resume(vc, next_pc, priv);
        break;
    case SBI_FORWARD:
        rvnest_ucode_run(vc, UCODE_SBI_FORWARD, next_pc, priv);
        break;
    case SBI_LEGACY_MASK:
        rvnest_ucode_run(vc, UCODE_SBI_LEGACY_MASK, next_pc, priv);
        break;
    case SBI_TRAPPED:
    case SBI_RESUMED:
        break;
    case SBI_FORWARD_ENVCFG:
        rvnest_ucode_run(vc, UCODE_SBI_FORWARD_ENVCFG, next_pc, priv);
        break;
    case SBI_SET_TIMER:
        rvnest_ucode_run(vc, c.legacy ? UCODE_SET_VSTIMECMP_LEGACY : UCODE_SET_VSTIMECMP,
                         next_pc, priv);
        break;
    }
}
