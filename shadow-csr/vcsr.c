/* L1's virtual H and VS CSRs with their WARL behaviour.
 *
 * The reference for every WARL rule is QEMU's native H on the same -cpu
 * model (ARCHITECTURE.md section 5). For most registers rvnest does not
 * re-implement the rule: it *probes* the real register, which has exactly the
 * rule L1 would see natively. L0 runs at V=0 where the real H/VS CSRs are
 * reachable; a probe writes the virtual old value, then the new value, reads
 * the legal result back and restores the real register (the old value first,
 * because some rules keep the old value for illegal writes, e.g. an
 * unsupported hgatp/vsatp MODE: priv spec "Supervisor Address Translation
 * and Protection (satp) Register").
 *
 * Registers whose real counterpart has side effects or aliases (the
 * interrupt registers, htimedelta, htinst, vstimecmp) use an explicit rule
 * instead; see the table. */
#include "rvnest/vcsr.h"
#include "rvnest/csr.h"

enum rule {
    R_PROBE,     /* legalize through the real CSR */
    R_STORE,     /* any value, kept as written */
    R_IGNORE,    /* writes ignored (QEMU: htinst is not writable) */
    R_MASK,      /* only the bits in mask are writable */
    R_RO,        /* read-only CSR number (bits 11:10 == 3) */
    R_VSIE,      /* view of hie under hideleg (H chapter, "vsip and vsie") */
    R_VSIP,      /* view of hip under hideleg */
    R_HIP,       /* hip: VSSIP writable (alias of hvip.VSSIP) */
};

struct vcsr_desc {
    unsigned csr;
    enum rule rule;
    uint64_t mask;
};

static const struct vcsr_desc table[VCSR__COUNT] = {
    [VCSR_HSTATUS]    = { CSR_HSTATUS,    R_PROBE, 0 },
    [VCSR_HEDELEG]    = { CSR_HEDELEG,    R_PROBE, 0 },
    [VCSR_HIDELEG]    = { CSR_HIDELEG,    R_PROBE, 0 },
    /* H chapter, "hip and hie": only VS-level and SGEI bits exist. */
    [VCSR_HIE]        = { CSR_HIE,        R_MASK, VS_MODE_INTERRUPTS | MIP_SGEIP },
    [VCSR_HTIMEDELTA] = { CSR_HTIMEDELTA, R_STORE, 0 },
    [VCSR_HCOUNTEREN] = { CSR_HCOUNTEREN, R_PROBE, 0 },
    [VCSR_HGEIE]      = { CSR_HGEIE,      R_PROBE, 0 },
    [VCSR_HENVCFG]    = { CSR_HENVCFG,    R_PROBE, 0 },
    [VCSR_HTVAL]      = { CSR_HTVAL,      R_STORE, 0 },
    [VCSR_HIP]        = { CSR_HIP,        R_HIP, MIP_VSSIP },
    [VCSR_HVIP]       = { CSR_HVIP,       R_MASK, VS_MODE_INTERRUPTS },
    [VCSR_HTINST]     = { CSR_HTINST,     R_IGNORE, 0 },
    [VCSR_HGATP]      = { CSR_HGATP,      R_PROBE, 0 },
    [VCSR_HGEIP]      = { CSR_HGEIP,      R_RO, 0 },
    [VCSR_VSSTATUS]   = { CSR_VSSTATUS,   R_PROBE, 0 },
    [VCSR_VSIE]       = { CSR_VSIE,       R_VSIE, 0 },
    [VCSR_VSTVEC]     = { CSR_VSTVEC,     R_PROBE, 0 },
    [VCSR_VSSCRATCH]  = { CSR_VSSCRATCH,  R_STORE, 0 },
    [VCSR_VSEPC]      = { CSR_VSEPC,      R_PROBE, 0 },
    [VCSR_VSCAUSE]    = { CSR_VSCAUSE,    R_PROBE, 0 },
    [VCSR_VSTVAL]     = { CSR_VSTVAL,     R_PROBE, 0 },
    [VCSR_VSIP]       = { CSR_VSIP,       R_VSIP, 0 },
    [VCSR_VSATP]      = { CSR_VSATP,      R_PROBE, 0 },
    [VCSR_VSTIMECMP]  = { CSR_VSTIMECMP,  R_STORE, 0 },
};

static int index_of(unsigned csr)
{
    for (int i = 0; i < VCSR__COUNT; i++)
        if (table[i].csr == csr)
            return i;
    return -1;
}

static uint64_t probe(struct rvnest_hart *h, unsigned csr, uint64_t old, uint64_t val)
{
    uint64_t saved, legal = old;
    if (!h->ops->get_csr(h, csr, &saved))
        return val;
    h->ops->set_csr(h, csr, old);
    h->ops->set_csr(h, csr, val);
    h->ops->get_csr(h, csr, &legal);
    h->ops->set_csr(h, csr, saved);
    return legal;
}

/* Reset values: what L1 would read on a freshly booted native hart, i.e. the
 * real registers as OpenSBI left them, legalized. Fields L0 itself sets on
 * the real registers for running L1 are not L1's and start at reset. */
void rvnest_vcsr_reset(struct rvnest_vcsr *v, struct rvnest_hart *h)
{
    for (int i = 0; i < VCSR__COUNT; i++)
        v->val[i] = 0;
    v->val[VCSR_HSTATUS] = probe(h, CSR_HSTATUS, 0, HSTATUS_VSXL_64);
    v->val[VCSR_VSSTATUS] = probe(h, CSR_VSSTATUS, 0, 0);
    v->val[VCSR_HENVCFG] = probe(h, CSR_HENVCFG, 0, 0);
    v->val[VCSR_HCOUNTEREN] = probe(h, CSR_HCOUNTEREN, 0, 0);
}

enum vcsr_result rvnest_vcsr_read(struct rvnest_vcsr *v, struct rvnest_hart *h,
                                  unsigned csr, uint64_t *val)
{
    (void)h;
    int i = index_of(csr);
    if (i < 0)
        return VCSR_ILLEGAL;
    const uint64_t hideleg = v->val[VCSR_HIDELEG];
    switch (table[i].rule) {
    case R_VSIE:
        *val = (v->val[VCSR_HIE] & hideleg & VS_MODE_INTERRUPTS) >> 1;
        break;
    case R_VSIP:
        *val = (v->val[VCSR_HVIP] & hideleg & VS_MODE_INTERRUPTS) >> 1;
        break;
    case R_HIP:
        *val = v->val[VCSR_HVIP] & VS_MODE_INTERRUPTS;
        break;
    default:
        *val = v->val[i];
    }
    return VCSR_OK;
}

enum vcsr_result rvnest_vcsr_write(struct rvnest_vcsr *v, struct rvnest_hart *h,
                                   unsigned csr, uint64_t val)
{
    int i = index_of(csr);
    if (i < 0)
        return VCSR_ILLEGAL;
    const struct vcsr_desc *d = &table[i];
    uint64_t *cur = &v->val[i];
    const uint64_t hideleg = v->val[VCSR_HIDELEG];
    uint64_t m;
    switch (d->rule) {
    case R_PROBE:
        *cur = probe(h, csr, *cur, val);
        break;
    case R_STORE:
        *cur = val;
        break;
    case R_IGNORE:
        break;
    case R_MASK:
        *cur = (*cur & ~d->mask) | (val & d->mask);
        break;
    case R_RO:
        return VCSR_ILLEGAL;
    case R_HIP:
        v->val[VCSR_HVIP] = (v->val[VCSR_HVIP] & ~d->mask) | (val & d->mask);
        break;
    case R_VSIE:
        m = hideleg & VS_MODE_INTERRUPTS;
        v->val[VCSR_HIE] = (v->val[VCSR_HIE] & ~m) | ((val << 1) & m);
        break;
    case R_VSIP:
        /* Only VSSIP is writable through vsip (as sip.SSIP). */
        m = hideleg & MIP_VSSIP;
        v->val[VCSR_HVIP] = (v->val[VCSR_HVIP] & ~m) | ((val << 1) & m);
        break;
    }
    return VCSR_OK;
}
