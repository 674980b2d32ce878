/* SBI BASE for L1. */
#include "nested/sbi_ext.h"

/* Version and identity queries go to OpenSBI so that L1 sees its real
 * firmware; probe_extension answers for what L0 implements, asks OpenSBI
 * for forwarded extensions, and hides everything else (PMU, SSE, DBTR,
 * which OpenSBI offers natively, and what it does not offer: not
 * virtualized yet, so L1 must not use them; docs/detectability.md). */
static enum sbi_action sbi_base(struct rvnest_vcpu *vc, struct sbi_call *c)
{
    if (c->fid != SBI_BASE_PROBE_EXT)
        return SBI_FORWARD;
    const struct sbi_ext *e = rvnest_sbi_find_ext(c->arg[0]);
    if (e && e->available && !e->available(vc))
        e = NULL;
    if (e && !e->l0_handled)
        return SBI_FORWARD;
    c->err = SBI_SUCCESS;
    c->value = e ? 1 : 0;
    return SBI_DONE;
}

const struct sbi_ext rvnest_sbi_ext_base = {
    .ext_lo = SBI_EXT_BASE, .ext_hi = SBI_EXT_BASE, .reason = EXIT_SBI_BASE,
    .l0_handled = true, .handle = sbi_base,
};
