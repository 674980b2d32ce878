/* L1's virtual H and VS CSRs with their WARL behaviour.
 *
 * The reference for every rule is QEMU's native H on the same -cpu model
 * (ARCHITECTURE.md section 5; QEMU target/riscv/csr.c). For most registers
 * rvnest does not re-implement the rule: it *probes* the real register,
 * which has exactly the rule L1 would see natively. L0 runs at V=0 where the
 * real H/VS CSRs are reachable; a probe writes the virtual old value, then
 * the new value, reads the legal result back and restores the real register
 * (the old value first, because some rules keep the old value for illegal
 * writes, e.g. an unsupported hgatp/vsatp MODE: priv spec "Supervisor
 * Address Translation and Protection (satp) Register").
 *
 * The interrupt registers are views of one state, as in QEMU, where hvip's
 * VS bits live in mip, hie in mie, and vsip/vsie/hip are masked views:
 *  - L1's mip: its own S-level bits come from the real hart (SSIP = real
 *    VSSIP, STIP = real VSTIP from L1's stimecmp = real vstimecmp, SEIP =
 *    the PLIC line, M bits as they are), its VS bits and LCOFIP from what
 *    it wrote to hvip (QEMU rmw_mip64 lets hvip write VS bits and LCOFIP).
 *  - hvip reads all of L1's mip (QEMU rmw_hvip64 with hvien = 0);
 *  - hip reads it plus the Sstc VSTIP of L1's vstimecmp, masked to VS|SGEI;
 *  - vsip reads that under hideleg, shifted; vsie is mie under hideleg
 *    (VS bits shifted, bits 14-63 as they are); hie is mie's VS|SGEI bits.
 * Sstc (QEMU riscv_timer_write_timecmp): L1's VSTIP is pending while
 * menvcfg.STCE and L1's henvcfg.STCE are set and time + htimedelta >=
 * vstimecmp. */
#include "rvnest/vcsr.h"
#include "rvnest/csr.h"

enum rule {
    R_PROBE,     /* legalize through the real CSR */
    R_STORE,     /* any value, kept as written */
    R_IGNORE,    /* writes ignored (QEMU: htinst is not writable) */
    R_RO,        /* read-only CSR number (bits 11:10 == 3) */
    R_HIE,       /* VS|SGEI bits of L1's mie */
    R_VSIE,      /* L1's mie under hideleg (H chapter, "vsip and vsie") */
    R_HVIP,      /* L1's mip; VS bits and LCOFIP writable */
    R_HIP,       /* L1's mip + VSTIP, VS|SGEI bits; VSSIP writable */
    R_VSIP,      /* hip's view under hideleg; VSSIP writable */
};

struct vcsr_desc {
    unsigned csr;
    enum rule rule;
    int stateen;                /* -1, or the mstateen index that gates HS access */
    uint64_t stateen_bit;
};

#define MIP_LCOFIP (1ull << 13)
#define M_MODE_BITS ((1ull << 3) | (1ull << 7) | (1ull << 11))
#define HS_MODE_INTERRUPTS (VS_MODE_INTERRUPTS | MIP_SGEIP)
#define SMSTATEEN_STATEEN (1ull << 63)
#define SMSTATEEN0_HSENVCFG (1ull << 62)

static const struct vcsr_desc table[VCSR__COUNT] = {
    [VCSR_HSTATUS]    = { CSR_HSTATUS,    R_PROBE, -1, 0 },
    [VCSR_HEDELEG]    = { CSR_HEDELEG,    R_PROBE, -1, 0 },
    [VCSR_HIDELEG]    = { CSR_HIDELEG,    R_PROBE, -1, 0 },
    [VCSR_HIE]        = { CSR_HIE,        R_HIE, -1, 0 },
    [VCSR_HTIMEDELTA] = { CSR_HTIMEDELTA, R_STORE, -1, 0 },
    [VCSR_HCOUNTEREN] = { CSR_HCOUNTEREN, R_PROBE, -1, 0 },
    [VCSR_HGEIE]      = { CSR_HGEIE,      R_PROBE, -1, 0 },
    [VCSR_HENVCFG]    = { CSR_HENVCFG,    R_PROBE, 0, SMSTATEEN0_HSENVCFG },
    [VCSR_HTVAL]      = { CSR_HTVAL,      R_STORE, -1, 0 },
    [VCSR_HIP]        = { CSR_HIP,        R_HIP, -1, 0 },
    [VCSR_HVIP]       = { CSR_HVIP,       R_HVIP, -1, 0 },
    [VCSR_HTINST]     = { CSR_HTINST,     R_IGNORE, -1, 0 },
    [VCSR_HGATP]      = { CSR_HGATP,      R_PROBE, -1, 0 },
    [VCSR_HGEIP]      = { CSR_HGEIP,      R_RO, -1, 0 },
    [VCSR_HSTATEEN0]  = { CSR_HSTATEEN0,  R_PROBE, 0, SMSTATEEN_STATEEN },
    [VCSR_HSTATEEN1]  = { CSR_HSTATEEN0 + 1, R_PROBE, 1, SMSTATEEN_STATEEN },
    [VCSR_HSTATEEN2]  = { CSR_HSTATEEN0 + 2, R_PROBE, 2, SMSTATEEN_STATEEN },
    [VCSR_HSTATEEN3]  = { CSR_HSTATEEN0 + 3, R_PROBE, 3, SMSTATEEN_STATEEN },
    [VCSR_VSSTATUS]   = { CSR_VSSTATUS,   R_PROBE, -1, 0 },
    [VCSR_VSIE]       = { CSR_VSIE,       R_VSIE, -1, 0 },
    [VCSR_VSTVEC]     = { CSR_VSTVEC,     R_PROBE, -1, 0 },
    [VCSR_VSSCRATCH]  = { CSR_VSSCRATCH,  R_STORE, -1, 0 },
    [VCSR_VSEPC]      = { CSR_VSEPC,      R_PROBE, -1, 0 },
    [VCSR_VSCAUSE]    = { CSR_VSCAUSE,    R_PROBE, -1, 0 },
    [VCSR_VSTVAL]     = { CSR_VSTVAL,     R_PROBE, -1, 0 },
    [VCSR_VSIP]       = { CSR_VSIP,       R_VSIP, -1, 0 },
    [VCSR_VSATP]      = { CSR_VSATP,      R_PROBE, -1, 0 },
    [VCSR_VSTIMECMP]  = { CSR_VSTIMECMP,  R_STORE, -1, 0 },
};

static int index_of(unsigned csr)
{
    for (int i = 0; i < VCSR__COUNT; i++)
        if (table[i].csr == csr)
            return i;
    return -1;
}

int rvnest_vcsr_index(unsigned csr)
{
    return index_of(csr);
}

unsigned rvnest_vcsr_number(enum vcsr_index i)
{
    return table[i].csr;
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

/* Whether L1 in HS may access the CSR at all on this model: the register
 * exists (hstateen0-3 only with Smstateen) and, with Smstateen, the
 * firmware's mstateen lets HS reach it (QEMU smstateen_acc_ok). */
static bool accessible(struct rvnest_hart *h, const struct vcsr_desc *d)
{
    uint64_t v;
    if (d->rule == R_PROBE && !h->ops->get_csr(h, d->csr, &v))
        return false;
    if (d->stateen >= 0 && h->ops->get_csr(h, CSR_MSTATEEN0 + (unsigned)d->stateen, &v))
        return (v & d->stateen_bit) != 0;
    return true;
}

/* L1's mip as QEMU's env->mip would hold it for L1 in HS. */
static uint64_t l1_mip(const struct rvnest_vcsr *v, struct rvnest_hart *h)
{
    uint64_t real = hart_csr(h, CSR_MIP);
    uint64_t mip = real & (M_MODE_BITS | MIP_SEIP);
    mip |= (real & MIP_VSSIP) ? MIP_SSIP : 0;
    mip |= (real & MIP_VSTIP) ? MIP_STIP : 0;
    return mip | (v->val[VCSR_HVIP] & (VS_MODE_INTERRUPTS | MIP_LCOFIP));
}

/* L1's Sstc VS timer, as QEMU keeps it (time_helper.c
 * riscv_timer_write_timecmp): on every write of vstimecmp or htimedelta
 * (and when henvcfg.STCE goes on) the interrupt is pending at once if
 * vstimecmp <= time + htimedelta (64-bit, wrapping), else a timer fires
 * (vstimecmp - (time + htimedelta)) ticks later, unless that is too far for
 * QEMU's nanosecond timer or vstimecmp is all ones, and latches it. STCE
 * going off clears it; a write while STCE is off changes nothing. */
#define TICK_NS 100ull                /* QEMU virt: 10 MHz timebase */

static void vstimer_write(struct rvnest_vcsr *v, struct rvnest_hart *h)
{
    if (!(v->menvcfg & ENVCFG_STCE) || !(v->val[VCSR_HENVCFG] & ENVCFG_STCE))
        return;
    uint64_t now = hart_csr(h, CSR_TIME), cmp = v->val[VCSR_VSTIMECMP];
    uint64_t rtc = now + v->val[VCSR_HTIMEDELTA];
    v->vstime_deadline = ~0ull;
    if (cmp <= rtc) {
        v->vstime_irq = true;
        return;
    }
    v->vstime_irq = false;
    uint64_t diff = cmp - rtc;
    if (cmp != ~0ull && diff <= (uint64_t)INT64_MAX / TICK_NS)
        v->vstime_deadline = now + diff;
}

static void vstimer_stce(struct rvnest_vcsr *v, struct rvnest_hart *h, bool on)
{
    if (on) {
        vstimer_write(v, h);
    } else {
        v->vstime_irq = false;
        v->vstime_deadline = ~0ull;
    }
}

static uint64_t l1_vstip(struct rvnest_vcsr *v, struct rvnest_hart *h)
{
    if (!v->vstime_irq && v->vstime_deadline != ~0ull && hart_csr(h, CSR_TIME) >= v->vstime_deadline) {
        v->vstime_irq = true;         /* the timer fired */
        v->vstime_deadline = ~0ull;
    }
    return v->vstime_irq ? MIP_VSTIP : 0;
}

/* L2 wrote its stimecmp (the real vstimecmp) while it ran: L1's vstimecmp
 * takes the value, and its timer is evaluated as at a write. */
void rvnest_vcsr_set_vstimecmp(struct rvnest_vcsr *v, struct rvnest_hart *h, uint64_t val)
{
    if (val == v->val[VCSR_VSTIMECMP]) {
        (void)l1_vstip(v, h);   /* the timer may have fired */
        return;
    }
    v->val[VCSR_VSTIMECMP] = val;
    vstimer_write(v, h);
}


uint64_t rvnest_vcsr_vs_pending(struct rvnest_vcsr *v, struct rvnest_hart *h)
{
    uint64_t p = v->val[VCSR_HVIP] & VS_MODE_INTERRUPTS;
    /* the Sstc timer only matters where it is enabled */
    if ((v->val[VCSR_HIE] & MIP_VSTIP) && !(p & MIP_VSTIP))
        p |= l1_vstip(v, h);
    return p;
}

/* Initial values: what L1 would read on a native hart. At a cold boot the
 * real registers still hold QEMU's initial values (OpenSBI writes none of
 * them, and L0 has not yet), so they are taken as they are; vstimecmp,
 * which QEMU's register list lacks, starts at 0 as in QEMU. After a system
 * reset QEMU changes only henvcfg (0) and vsstatus.SXL/UXL (MXL) of these
 * (target/riscv/cpu.c riscv_cpu_reset_hold): the previous virtual values
 * stay otherwise. */
void rvnest_vcsr_reset(struct rvnest_vcsr *v, struct rvnest_hart *h, uint64_t menvcfg, bool reboot)
{
    v->menvcfg = menvcfg;
    v->vstime_irq = false;            /* QEMU: reset has no VS timer pending */
    v->vstime_deadline = ~0ull;
    if (reboot) {
        v->val[VCSR_HENVCFG] = 0;
        v->val[VCSR_VSSTATUS] = (v->val[VCSR_VSSTATUS] & ~(MSTATUS_SXL | MSTATUS_UXL)) |
                                MSTATUS_SXL_64 | MSTATUS_UXL_64;
        return;
    }
    for (int i = 0; i < VCSR__COUNT; i++) {
        uint64_t x = 0;
        switch (table[i].rule) {
        case R_PROBE: case R_STORE: case R_IGNORE: case R_RO:
            h->ops->get_csr(h, table[i].csr, &x);
            break;
        case R_HIE:
            x = hart_csr(h, CSR_HIE) & HS_MODE_INTERRUPTS;
            break;
        case R_HVIP:
            x = hart_csr(h, CSR_HVIP) & (VS_MODE_INTERRUPTS | MIP_LCOFIP);
            break;
        default:                      /* views of the above */
            break;
        }
        v->val[i] = x;
    }
}

enum vcsr_result rvnest_vcsr_read(struct rvnest_vcsr *v, struct rvnest_hart *h,
                                  unsigned csr, uint64_t *val)
{
    int i = index_of(csr);
    if (i < 0 || !accessible(h, &table[i]))
        return VCSR_ILLEGAL;
    *val = rvnest_vcsr_view(v, h, (enum vcsr_index)i);
    return VCSR_OK;
}

/* The interrupt state the views share, sampled once per batch of views
 * (rvnest_vcsr_views): the real mip and L1's VS timer. */
struct view_sample {
    bool have_mip, have_vstip;
    uint64_t mip, vstip;
};

static uint64_t sample_mip(struct view_sample *s, const struct rvnest_vcsr *v, struct rvnest_hart *h)
{
    if (!s->have_mip) {
        s->mip = l1_mip(v, h);
        s->have_mip = true;
    }
    return s->mip;
}

static uint64_t sample_vstip(struct view_sample *s, struct rvnest_vcsr *v, struct rvnest_hart *h)
{
    if (!s->have_vstip) {
        s->vstip = l1_vstip(v, h);
        s->have_vstip = true;
    }
    return s->vstip;
}

static uint64_t view(struct rvnest_vcsr *v, struct rvnest_hart *h, enum vcsr_index i,
                     struct view_sample *s)
{
    const uint64_t hideleg = v->val[VCSR_HIDELEG];
    uint64_t x;
    switch (table[i].rule) {
    case R_HIE:
        return v->val[VCSR_HIE] & HS_MODE_INTERRUPTS;
    case R_VSIE:
        x = v->val[VCSR_HIE] & hideleg & (VS_MODE_INTERRUPTS | LOCAL_INTERRUPTS);
        return (x & LOCAL_INTERRUPTS) | ((x & VS_MODE_INTERRUPTS) >> 1);
    case R_HVIP:
        return sample_mip(s, v, h);
    case R_HIP:
        return (sample_mip(s, v, h) | sample_vstip(s, v, h)) & HS_MODE_INTERRUPTS;
    case R_VSIP:
        return ((sample_mip(s, v, h) | sample_vstip(s, v, h)) & hideleg & VS_MODE_INTERRUPTS) >> 1;
    case R_PROBE:
        /* QEMU read_henvcfg: PBMTE, STCE, ADUE and DTE read 0 while the
         * firmware's menvcfg has them clear (FWFT can clear them later) */
        x = v->val[i];
        if (i == VCSR_HENVCFG)
            x &= ~(ENVCFG_PBMTE | ENVCFG_STCE | ENVCFG_ADUE | ENVCFG_DTE) | v->menvcfg;
        return x;
    default:
        return v->val[i];
    }
}

uint64_t rvnest_vcsr_view(struct rvnest_vcsr *v, struct rvnest_hart *h, enum vcsr_index i)
{
    struct view_sample s = { 0 };
    return view(v, h, i, &s);
}

void rvnest_vcsr_views(struct rvnest_vcsr *v, struct rvnest_hart *h, uint32_t mask, uint64_t *out)
{
    struct view_sample s = { 0 };
    for (unsigned i = 0; i < VCSR__COUNT; i++)
        if ((mask >> i) & 1)
            out[i] = view(v, h, (enum vcsr_index)i, &s);
}

/* QEMU's rmw_vsie64/rmw_vsip64 move the VS-level bits 1, 5, 9 of the new
 * value and of the write mask up to 2, 6, 10 by OR-ing them in, leaving the
 * bits already at 2, 6, 10 where they are. */
static uint64_t vs_shift_in(uint64_t x)
{
    uint64_t vsbits = x & (VS_MODE_INTERRUPTS >> 1);
    return (x & ~(VS_MODE_INTERRUPTS >> 1)) | (vsbits << 1);
}

/* A CSR instruction's write as QEMU performs it (csr.c riscv_csrrw_do64):
 * csrrw writes new_val under an all-ones mask, csrrs all ones under the
 * operand, csrrc zeros under the operand. Registers with an rmw function
 * in QEMU (the interrupt views) take new_val and wr_mask as they are; the
 * others get (old & ~mask) | (new & mask). */
enum vcsr_result rvnest_vcsr_rmw(struct rvnest_vcsr *v, struct rvnest_hart *h, unsigned csr,
                                 uint64_t new_val, uint64_t wr_mask, uint64_t *old)
{
    int i = index_of(csr);
    uint64_t cur;
    if (rvnest_vcsr_read(v, h, csr, &cur) != VCSR_OK)
        return VCSR_ILLEGAL;
    if (old)
        *old = cur;
    if (!wr_mask)
        return VCSR_OK;               /* a read (rs1 = x0 forms) */
    const uint64_t hideleg = v->val[VCSR_HIDELEG];
    uint64_t m, *reg;
    switch (table[i].rule) {
    case R_HIE:
        reg = &v->val[VCSR_HIE];
        m = wr_mask & HS_MODE_INTERRUPTS;
        break;
    case R_VSIE:
        reg = &v->val[VCSR_HIE];
        new_val = vs_shift_in(new_val);
        m = vs_shift_in(wr_mask) & hideleg & (VS_MODE_INTERRUPTS | LOCAL_INTERRUPTS);
        break;
    case R_HVIP:
        reg = &v->val[VCSR_HVIP];
        m = wr_mask & (VS_MODE_INTERRUPTS | MIP_LCOFIP);
        /* QEMU riscv_cpu_update_mip: a write of VSTIP alone is dropped while
         * the Sstc VS timer is pending */
        if (m == MIP_VSTIP && l1_vstip(v, h))
            m = 0;
        break;
    case R_HIP:
        reg = &v->val[VCSR_HVIP];
        m = wr_mask & MIP_VSSIP;
        break;
    case R_VSIP:
        reg = &v->val[VCSR_HVIP];
        new_val = vs_shift_in(new_val);
        m = vs_shift_in(wr_mask) & hideleg & MIP_VSSIP;
        break;
    default:
        return rvnest_vcsr_write(v, h, csr, (cur & ~wr_mask) | (new_val & wr_mask));
    }
    *reg = (*reg & ~m) | (new_val & m);
    return VCSR_OK;
}

enum vcsr_result rvnest_vcsr_write(struct rvnest_vcsr *v, struct rvnest_hart *h,
                                   unsigned csr, uint64_t val)
{
    int i = index_of(csr);
    if (i < 0 || !accessible(h, &table[i]))
        return VCSR_ILLEGAL;
    const struct vcsr_desc *d = &table[i];
    uint64_t *cur = &v->val[i];
    uint64_t stce_before = v->val[VCSR_HENVCFG] & ENVCFG_STCE;
    switch (d->rule) {
    case R_PROBE:
        *cur = probe(h, csr, *cur, val);
        if (i == VCSR_HENVCFG && (*cur & ENVCFG_STCE) != stce_before)
            vstimer_stce(v, h, (*cur & ENVCFG_STCE) != 0);
        break;
    case R_STORE:
        *cur = val;
        if (i == VCSR_VSTIMECMP || i == VCSR_HTIMEDELTA)
            vstimer_write(v, h);
        break;
    case R_IGNORE:
        break;
    case R_RO:
        return VCSR_ILLEGAL;
    case R_HIE: case R_VSIE: case R_HVIP: case R_HIP: case R_VSIP:
        return rvnest_vcsr_rmw(v, h, csr, val, ~0ull, NULL);
    }
    return VCSR_OK;
}
