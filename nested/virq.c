/* L1's own interrupts from its virtual H state. A VS-level interrupt that
 * L1 makes pending (its hvip, the Sstc timer of its vstimecmp) and enables
 * in its hie but does not delegate in its hideleg is an HS-level interrupt
 * for L1 itself (H chapter, "Hypervisor Interrupt Registers"; QEMU
 * riscv_cpu_local_irq_pending: pending & mideleg & ~hideleg, taken in U
 * always and in S when sstatus.SIE; without Ssaia the lowest-numbered one
 * first). Hardware cannot raise these for L1 (they are L1's virtual state),
 * so L0 does, whenever it resumes L1:
 *  - if L1 can take one now, L0 delivers it at the resume point, as the
 *    hart would have before executing that instruction;
 *  - while one is pending and enabled, real hstatus.VTW and VTSR are set:
 *    L1's wfi traps instead of sleeping (natively it would not wait), and
 *    its sret (to U, or re-enabling SIE) traps, so the interrupt is taken
 *    right after it, as natively;
 *  - a future Sstc deadline arms the real HS timer (stimecmp, through
 *    microcode), whose interrupt brings L1 back to L0 on time. */
#include "rvnest/engine.h"
#include "rvnest/csr.h"

#define HS_VIRQS (VS_MODE_INTERRUPTS | MIP_SGEIP)

static uint64_t enabled_undelegated(const struct rvnest_vcpu *vc)
{
    const uint64_t *v = vc->vcsr.val;
    return v[VCSR_HIE] & ~v[VCSR_HIDELEG] & HS_VIRQS;
}

uint64_t rvnest_virq_pending(struct rvnest_vcpu *vc)
{
    uint64_t en = enabled_undelegated(vc);
    if (!en)
        return 0;
    return rvnest_vcsr_vs_pending(&vc->vcsr, vc->hart) & en;
}

/* The real time at which L1's VS timer fires, if L1 waits for it as an HS
 * interrupt; ~0 if not (shadow-csr/vcsr.c keeps the timer as QEMU does). */
static uint64_t vstip_deadline(struct rvnest_vcpu *vc)
{
    if (!(enabled_undelegated(vc) & MIP_VSTIP) || vc->vcsr.vstime_irq)
        return ~0ull;
    return vc->vcsr.vstime_deadline;
}

/* Natively a trap into HS from V=0: SPV, GVA, htval, htinst all 0. */
static void deliver(struct rvnest_vcpu *vc, unsigned irq, uint64_t *pc, unsigned *priv)
{
    struct rvnest_l1_trap t = { .cause = CAUSE_INTERRUPT | irq };
    *pc = rvnest_l1_trap_entry(vc, &t, *pc, *priv & 3);
    *priv = PRV_S | PRIV_V;
    vc->stats.l1_virqs++;
}

bool rvnest_virq_resume(struct rvnest_vcpu *vc, uint64_t *pc, unsigned *priv)
{
    struct rvnest_hart *h = vc->hart;
    uint64_t p = rvnest_virq_pending(vc);
    if (p && ((*priv & 3) == PRV_U || (hart_csr(h, CSR_VSSTATUS) & MSTATUS_SIE))) {
        deliver(vc, (unsigned)__builtin_ctzll(p), pc, priv);
        p = rvnest_virq_pending(vc);
    }
    bool trap = p != 0;
    if (trap != vc->virq_trap) {
        vc->virq_trap = trap;
        rvnest_sync_l1_traps(vc);     /* VTW and VTSR */
    }
    uint64_t deadline = p ? ~0ull : vstip_deadline(vc);
    if (deadline != vc->virq_deadline) {
        vc->virq_deadline = deadline;
        hart_set_csr(h, CSR_SIE, rvnest_l0_sie(vc));
        if (deadline != ~0ull) {
            /* arm the real HS timer, then resume L1 where it was going */
            hart_set_csr(h, CSR_SEPC, deadline);
            rvnest_ucode_run(vc, UCODE_SET_STIMECMP, *pc, *priv);
            return true;
        }
    }
    return false;
}

/* The real HS timer fired: L1's Sstc deadline has come. */
void rvnest_virq_timer(struct rvnest_vcpu *vc)
{
    vc->virq_deadline = ~0ull;
    hart_set_csr(vc->hart, CSR_SIE, rvnest_l0_sie(vc));
}
