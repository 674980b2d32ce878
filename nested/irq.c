/* L1's interrupts (ARCHITECTURE.md section 8).
 *
 * External: the PLIC drives the real SEIP, an HS interrupt that traps to L0
 * while V=1. L0 shows it to L1 as VSEIP through hvip (delegated by hideleg,
 * L1 sees it as its SEI) and masks the real SEIE while it does, so the
 * level cannot storm. Claim and complete go through L0 (nested/plic.c),
 * which re-samples the real level after each: VSEIP follows SEIP exactly.
 *
 * Software: L1's SBI IPIs go to OpenSBI, which raises the real SSIP on the
 * target hart; that HS interrupt traps to L0 at V=1 and becomes hvip.VSSIP
 * (the legacy IPI call sets it directly). L1 clears it by writing
 * sip.SSIP, which at V=1 is the same bit. Timer: L1's stimecmp is the real
 * vstimecmp (Sstc), nothing reaches L0. */
#include "rvnest/engine.h"
#include "rvnest/csr.h"

/* Every write of the real hvip. While the hart is in M (L0 handles a trap
 * the firmware redirected, before its mret) with menvcfg.STCE and
 * henvcfg.STCE set, QEMU's rmw_mip64 does not let VSTIP change: L1's
 * hvip.VSTIP for L2 would stay in the real mip after L2's exit and show as
 * L1's own STIP. henvcfg.STCE is cleared around such a write (QEMU
 * re-evaluates the vstimecmp comparison when it comes back:
 * riscv_timer_stce_changed). */
static void write_hvip(struct rvnest_hart *h, uint64_t old, uint64_t val)
{
    uint64_t henvcfg = hart_csr(h, CSR_HENVCFG);
    bool guard = ((old ^ val) & MIP_VSTIP) && (henvcfg & ENVCFG_STCE) && h->ops->get_priv(h) == PRV_M;
    if (guard)
        hart_set_csr(h, CSR_HENVCFG, henvcfg & ~ENVCFG_STCE);
    hart_set_csr(h, CSR_HVIP, val);
    if (guard)
        hart_set_csr(h, CSR_HENVCFG, henvcfg);
}

void rvnest_set_real_hvip(struct rvnest_hart *h, uint64_t val)
{
    write_hvip(h, hart_csr(h, CSR_HVIP), val);
}

static void set_hvip(struct rvnest_hart *h, uint64_t set, uint64_t clear)
{
    uint64_t v = hart_csr(h, CSR_HVIP);
    write_hvip(h, v, (v & ~clear) | set);
}

uint64_t rvnest_l0_sie(const struct rvnest_vcpu *vc)
{
    return MIP_SSIP | (vc->seip_presented ? 0 : MIP_SEIP) |
           (vc->virq_deadline != ~0ull ? MIP_STIP : 0);
}

static void present_seip(struct rvnest_vcpu *vc, bool level)
{
    struct rvnest_hart *h = vc->hart;
    vc->seip_presented = level;
    if (level)
        set_hvip(h, MIP_VSEIP, 0);
    else
        set_hvip(h, 0, MIP_VSEIP);
    hart_set_csr(h, CSR_SIE, rvnest_l0_sie(vc));
}

void rvnest_irq_resample(struct rvnest_vcpu *vc)
{
    bool level = hart_csr(vc->hart, CSR_MIP) & MIP_SEIP;
    if (level == vc->seip_presented)
        return;
    if (vc->world.level == RVNEST_L2) {
        /* L2 claimed through a PLIC page its hypervisor mapped for it
         * (nested/l2_device.c). While L2 runs, L1's VSEIP lives in its saved
         * hvip and the real sie holds L1's enables for L2's time
         * (rvnest_l2_real_sie): a level that rose is taken as an HS
         * interrupt once L2 resumes; one that fell is no longer L1's. */
        if (!level) {
            vc->seip_presented = false;
            vc->world.l1.hvip &= ~MIP_VSEIP;
            hart_set_csr(vc->hart, CSR_SIE, rvnest_l2_real_sie(vc));
        }
        return;
    }
    present_seip(vc, level);
}

void rvnest_irq_send_ipi(struct rvnest_vcpu *vc)
{
    set_hvip(vc->hart, MIP_VSSIP, 0);
}

void rvnest_irq_clear_ipi(struct rvnest_vcpu *vc)
{
    set_hvip(vc->hart, 0, MIP_VSSIP);
}

void rvnest_hs_interrupt(struct rvnest_vcpu *vc, unsigned irq)
{
    struct rvnest_hart *h = vc->hart;
    struct rvnest_stats *st = &vc->stats;
    switch (irq) {
    case IRQ_S_EXT:
        st->exits[EXIT_IRQ_EXTERNAL]++;
        present_seip(vc, true);
        break;
    case IRQ_S_SOFT:
        /* An HS IPI raised by firmware: it is meant for L1. */
        st->exits[EXIT_IRQ_SOFTWARE]++;
        hart_set_csr(h, CSR_SIP, hart_csr(h, CSR_SIP) & ~MIP_SSIP);
        set_hvip(h, MIP_VSSIP, 0);
        break;
    case IRQ_S_TIMER:
        /* L0 arms the HS timer only for L1's own Sstc deadline (virq.c) */
        st->exits[EXIT_IRQ_TIMER]++;
        if (vc->virq_deadline == ~0ull) {
            rvnest_fatal(vc->vm, "HS timer interrupt with STIE clear: an L0 bug");
            return;
        }
        rvnest_virq_timer(vc);
        break;
    default:
        st->exits[EXIT_IRQ_OTHER]++;
        rvnest_fatal(vc->vm, "HS interrupt %u L0 never enables: an L0 bug", irq);
        return;
    }
    rvnest_irq_resample(vc);
    rvnest_resume_l1_at_sepc(vc);
}

/* Smstateen: the real hstateen0-3 gate what L1 may touch at V=1; natively
 * L1 in HS is gated only by the firmware's mstateen. Setting them to all
 * ones (QEMU keeps what mstateen allows) gives L1 the same. Models without
 * Smstateen have no such registers. */
unsigned rvnest_hstateen_present(struct rvnest_vcpu *vc)
{
    if (vc->hstateen_mask < 0) {
        struct rvnest_hart *h = vc->hart;
        unsigned m = 0;
        for (unsigned i = 0; i < 4; i++) {
            uint64_t v;
            if (h->ops->get_csr(h, CSR_HSTATEEN0 + i, &v))
                m |= 1u << i;
        }
        vc->hstateen_mask = (int)m;
    }
    return (unsigned)vc->hstateen_mask;
}

void rvnest_l1_hstateen_setup(struct rvnest_vcpu *vc)
{
    struct rvnest_hart *h = vc->hart;
    unsigned m = rvnest_hstateen_present(vc);
    for (unsigned i = 0; i < 4; i++)
        if (m & (1u << i))
            h->ops->set_csr(h, CSR_HSTATEEN0 + i, ~0ull);
}
