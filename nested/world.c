/* World switches between L1 and L2 (include/rvnest/world.h has the map of
 * where each level's state lives).
 *
 * Entry: L1's sret with virtual hstatus.SPV=1 traps to L0 (real VTSR is
 * armed while it is set). Natively that sret (priv spec "Trap-Return
 * Instructions", H chapter "Hypervisor Status Register"; QEMU helper_sret)
 * sets sstatus.SIE = SPIE, SPIE = 1, SPP = U, hstatus.SPV = 0 and enters
 * V=1 at sepc with privilege SPP. L0 does that to L1's registers, saves
 * L1's supervisor state, loads L2's VS registers, composes the real H CSRs
 * from L1's virtual ones (section 5 of ARCHITECTURE.md) and points the
 * real hgatp at the shadow G-stage.
 *
 * Exit: a trap L1 must see. L0 saves L2's VS registers into L1's virtual
 * ones, restores L1's and L0's real H CSRs, and enters L1's trap handler
 * as a trap from V=1 would (SPV=1, SPVP, GVA, htval, htinst; the H
 * chapter's "Trap Entry").
 *
 * The timers need microcode, QEMU's register list lacking vstimecmp and
 * stimecmp: L1's stimecmp (the real vstimecmp while L1 runs) becomes the
 * real HS stimecmp while L2 runs, so that L1's timer preempts L2 as its HS
 * interrupt would, and L2's (L1's virtual vstimecmp) the real vstimecmp. */
#include "rvnest/engine.h"
#include <stdio.h>
#include "rvnest/csr.h"

static const struct { unsigned csr; enum vcsr_index v; } vs_regs[] = {
    { CSR_VSSTATUS, VCSR_VSSTATUS }, { CSR_VSTVEC, VCSR_VSTVEC }, { CSR_VSSCRATCH, VCSR_VSSCRATCH },
    { CSR_VSEPC, VCSR_VSEPC }, { CSR_VSCAUSE, VCSR_VSCAUSE }, { CSR_VSTVAL, VCSR_VSTVAL },
    { CSR_VSATP, VCSR_VSATP },
};
#define N_VS_REGS (sizeof(vs_regs) / sizeof(vs_regs[0]))

/* L1's sstatus fields that act at HS level on L2 (QEMU keeps them in
 * mstatus_hs while V=1): FS and VS gate L2's FP and vector state
 * (riscv_cpu_fp_enabled), MXR applies to both stages. */
#define SSTATUS_HS_FOR_L2 (MSTATUS_FS | MSTATUS_VS | MSTATUS_MXR)

void rvnest_world_reset(struct rvnest_vcpu *vc)
{
    if (vc->world.level == RVNEST_L2)
        rvnest_shadow_release(vc, vc->world.l2_shadow);
    vc->world.level = RVNEST_L1;
    vc->world.prefetch.valid = false;
}

/* The real hstatus while L2 runs: L1's traps of VS instructions (VTW,
 * VTSR, VTVM) with L0's VSXL. SPV/SPVP/GVA are written by the hart's traps
 * into real HS; VGEIN selects nothing (no guest external interrupts). */
uint64_t rvnest_l2_real_hstatus(uint64_t l1_hstatus)
{
    return HSTATUS_VSXL_64 | (l1_hstatus & (HSTATUS_VTW | HSTATUS_VTSR | HSTATUS_VTVM));
}

/* The real sie (HS) while L2 runs: L1's own interrupts that preempt L2.
 * Natively an HS interrupt is always taken at V=1 when it is enabled in
 * sie and not delegated (H chapter, "Interrupts"): L1's software interrupt
 * (firmware IPIs always come to L0, which records them for L1 and lets L2
 * go on unless L1 enables SSIE), its external interrupt while L0 does not
 * already present the level, and its timer (the real stimecmp holds L1's
 * while L2 runs). */
uint64_t rvnest_l2_real_sie(const struct rvnest_vcpu *vc)
{
    uint64_t l1_sie = vc->world.l1.sie, s = MIP_SSIP;
    if ((l1_sie & MIP_SEIP) && !vc->seip_presented)
        s |= MIP_SEIP;
    if (l1_sie & MIP_STIP)
        s |= MIP_STIP;
    return s;
}

/* L1's interrupt that is pending and enabled at HS level with L1 in its
 * guest (virtual V=1), as the hart picks it (QEMU riscv_cpu_local_irq_pending
 * without Ssaia: L1's S-level ones before the VS-level ones L1 does not
 * delegate, and within each the lowest-numbered first), or 0. s_pend: L1's
 * S-level pending bits (S positions). */
static unsigned l1_irq_preempting_l2(struct rvnest_vcpu *vc, uint64_t s_pend, uint64_t s_en)
{
    uint64_t p = s_pend & s_en & (MIP_SSIP | MIP_STIP | MIP_SEIP);
    if (p)
        return (unsigned)__builtin_ctzll(p);
    uint64_t v = rvnest_virq_pending(vc);
    return v ? (unsigned)__builtin_ctzll(v) : 0;
}

void rvnest_enter_l2(struct rvnest_vcpu *vc)
{
    struct rvnest_hart *h = vc->hart;
    struct rvnest_vm *vm = vc->vm;
    struct rvnest_vcsr *v = &vc->vcsr;
    struct rvnest_world *w = &vc->world;

    /* L1's sret */
    unsigned l2_priv;
    uint64_t ss = rvnest_sstatus_sret(hart_csr(h, CSR_VSSTATUS), &l2_priv);
    hart_set_csr(h, CSR_VSSTATUS, ss);
    v->val[VCSR_HSTATUS] &= ~HSTATUS_SPV;
    uint64_t l2_pc = hart_csr(h, CSR_VSEPC);

    /* An interrupt of L1's pending and enabled is taken at L2's first
     * instruction, before any of it runs: no switch at all. L1's S-level
     * pending bits are the real VS ones (the real mip shows its Sstc timer). */
    uint64_t s_pend = (hart_csr(h, CSR_MIP) & VS_MODE_INTERRUPTS) >> 1;
    unsigned irq = l1_irq_preempting_l2(vc, s_pend, hart_csr(h, CSR_VSIE));
    if (irq) {
        struct rvnest_l1_trap t = { .cause = CAUSE_INTERRUPT | irq, .spv = true, .spvp = l2_priv };
        vc->stats.l2_entry_irqs++;
        if (vm->opt.trace)
            fprintf(stderr, "rvnest: enter L2 at %#llx: L1's interrupt %u first (s_pend %#llx sie %#llx virq %#llx)\n",
                    (unsigned long long)l2_pc, irq, (unsigned long long)s_pend,
                    (unsigned long long)hart_csr(h, CSR_VSIE), (unsigned long long)rvnest_virq_pending(vc));
        uint64_t pc = rvnest_l1_trap_entry(vc, &t, l2_pc, l2_priv);
        rvnest_resume(vc, pc, PRV_S | PRIV_V);
        return;
    }

    /* L1's supervisor state */
    struct rvnest_l1_state *l1 = &w->l1;
    l1->sstatus = ss;
    l1->stvec = hart_csr(h, CSR_VSTVEC);
    l1->sscratch = hart_csr(h, CSR_VSSCRATCH);
    l1->sepc = l2_pc;
    l1->scause = hart_csr(h, CSR_VSCAUSE);
    l1->stval = hart_csr(h, CSR_VSTVAL);
    l1->satp = hart_csr(h, CSR_VSATP);
    l1->sie = hart_csr(h, CSR_VSIE);
    l1->hvip = hart_csr(h, CSR_HVIP);

    /* L1's FS/VS/MXR act at HS level on L2 */
    uint64_t hs = hart_csr(h, CSR_SSTATUS);
    w->l0_sstatus = hs & SSTATUS_HS_FOR_L2;
    hart_set_csr(h, CSR_SSTATUS, (hs & ~SSTATUS_HS_FOR_L2) | (ss & SSTATUS_HS_FOR_L2));

    /* L2's VS registers. vsstatus: only its sstatus fields. QEMU keeps
     * every bit L1 writes to vsstatus (write_vsstatus) and ORs all of them
     * into mstatus when V becomes 1 (riscv_cpu_swap_hypervisor_regs), so
     * L1's vsstatus would otherwise set M-level bits (MIE, MPRV, TVM, TSR,
     * SBE, MBE...) of the real mstatus under L0 and the firmware. The
     * other bits are lost at L2's exit as natively (the swap back keeps
     * only these fields). UXL is 64, its only legal value on RV64 (QEMU
     * keeps L1's reserved 1 or 3 too, and translates VU code for them). */
    for (unsigned i = 0; i < N_VS_REGS; i++) {
        uint64_t val = v->val[vs_regs[i].v];
        if (vs_regs[i].csr == CSR_VSSTATUS)
            val = (val & SSTATUS_V_SWAPPED & ~MSTATUS_UXL) | MSTATUS_UXL_64;
        hart_set_csr(h, vs_regs[i].csr, val);
    }

    /* The real H CSRs, composed */
    hart_set_csr(h, CSR_HSTATUS, rvnest_l2_real_hstatus(v->val[VCSR_HSTATUS]));
    hart_set_csr(h, CSR_HEDELEG, v->val[VCSR_HEDELEG]);
    vc->hedeleg = v->val[VCSR_HEDELEG];
    hart_set_csr(h, CSR_HIDELEG, v->val[VCSR_HIDELEG]);
    rvnest_set_real_hvip(h, v->val[VCSR_HVIP] & VS_MODE_INTERRUPTS);
    hart_set_csr(h, CSR_HIE, v->val[VCSR_HIE]);
    /* L1's mie bits 13-63, which L2's sie shows and sets under hideleg
     * (QEMU rmw_vsie64), in the real mie; L0's come back at the exit */
    uint64_t mie;
    if (h->ops->get_csr(h, CSR_MIE, &mie)) {
        w->l0_mie_local = mie & LOCAL_INTERRUPTS;
        hart_set_csr(h, CSR_MIE, (mie & ~LOCAL_INTERRUPTS) | (v->val[VCSR_HIE] & LOCAL_INTERRUPTS));
    }
    hart_set_csr(h, CSR_HCOUNTEREN, v->val[VCSR_HCOUNTEREN]);
    hart_set_csr(h, CSR_HTIMEDELTA, v->val[VCSR_HTIMEDELTA]);
    hart_set_csr(h, CSR_HENVCFG, v->val[VCSR_HENVCFG]);
    unsigned hstateen = rvnest_hstateen_present(vc);
    for (unsigned i = 0; i < 4; i++)
        if (hstateen & (1u << i))
            h->ops->set_csr(h, CSR_HSTATEEN0 + i, v->val[VCSR_HSTATEEN0 + i]);
    w->l2_hgatp = v->val[VCSR_HGATP];
    hart_set_csr(h, CSR_HGATP, rvnest_shadow_hgatp(vc, w->l2_hgatp, &w->l2_shadow));
    rvnest_shadow_prefetch(vc);
    w->level = RVNEST_L2;
    w->l2_priv = l2_priv;
    vc->virq_trap = false;
    vc->virq_deadline = ~0ull;
    hart_set_csr(h, CSR_SIE, rvnest_l2_real_sie(vc));
    rvnest_pmp_shadow(vc, true);
    vc->stats.l2_entries++;
    if (vm->opt.trace)
        fprintf(stderr, "rvnest: enter L2 pc=%#llx priv=%u hgatp=%#llx vsatp=%#llx vstvec=%#llx hedeleg=%#llx\n",
                (unsigned long long)l2_pc, l2_priv, (unsigned long long)w->l2_hgatp,
                (unsigned long long)v->val[VCSR_VSATP], (unsigned long long)v->val[VCSR_VSTVEC],
                (unsigned long long)v->val[VCSR_HEDELEG]);

    /* Timers: real vstimecmp <- L2's, real stimecmp <- L1's (t0 carries);
     * the run enters L2 itself (nested/ucode.c). */
    vc->uc.saved_t0 = hart_gpr(h, 5);
    hart_set_gpr(h, 5, v->val[VCSR_VSTIMECMP]);
    rvnest_ucode_run(vc, UCODE_ENTER_L2, l2_pc, l2_priv | PRIV_V);
}

void rvnest_exit_l2(struct rvnest_vcpu *vc, const struct rvnest_l1_trap *t)
{
    struct rvnest_hart *h = vc->hart;
    struct rvnest_vm *vm = vc->vm;
    struct rvnest_vcsr *v = &vc->vcsr;
    struct rvnest_world *w = &vc->world;
    struct rvnest_l1_state *l1 = &w->l1;
    uint64_t epc = hart_csr(h, CSR_SEPC);
    if (vm->opt.trace)
        fprintf(stderr, "rvnest: exit L2 cause=%#llx epc=%#llx spvp=%u\n", (unsigned long long)t->cause,
                (unsigned long long)epc, t->spvp);

    /* L2's VS registers and what L2 changed of L1's virtual H state: the
     * hvip bits L2 clears through its sip, the enables it sets in its sie
     * (the VS bits of the real mie). */
    for (unsigned i = 0; i < N_VS_REGS; i++)
        v->val[vs_regs[i].v] = hart_csr(h, vs_regs[i].csr);
    v->val[VCSR_HVIP] = (v->val[VCSR_HVIP] & ~VS_MODE_INTERRUPTS) |
                        (hart_csr(h, CSR_HVIP) & VS_MODE_INTERRUPTS);
    uint64_t mie;
    if (h->ops->get_csr(h, CSR_MIE, &mie)) {
        v->val[VCSR_HIE] = (hart_csr(h, CSR_HIE) & ~LOCAL_INTERRUPTS) | (mie & LOCAL_INTERRUPTS);
        hart_set_csr(h, CSR_MIE, (mie & ~LOCAL_INTERRUPTS) | w->l0_mie_local);
    } else {
        v->val[VCSR_HIE] = (hart_csr(h, CSR_HIE) & ~LOCAL_INTERRUPTS) | (v->val[VCSR_HIE] & LOCAL_INTERRUPTS);
    }

    /* L1's FS/VS follow what L2 did (QEMU dirties mstatus_hs too) */
    uint64_t hs = hart_csr(h, CSR_SSTATUS);
    l1->sstatus = (l1->sstatus & ~(MSTATUS_FS | MSTATUS_VS)) | (hs & (MSTATUS_FS | MSTATUS_VS));
    hart_set_csr(h, CSR_SSTATUS, (hs & ~SSTATUS_HS_FOR_L2) | w->l0_sstatus);

    /* L1's registers back */
    hart_set_csr(h, CSR_VSSTATUS, l1->sstatus);
    hart_set_csr(h, CSR_VSTVEC, l1->stvec);
    hart_set_csr(h, CSR_VSSCRATCH, l1->sscratch);
    hart_set_csr(h, CSR_VSEPC, l1->sepc);
    hart_set_csr(h, CSR_VSCAUSE, l1->scause);
    hart_set_csr(h, CSR_VSTVAL, l1->stval);
    hart_set_csr(h, CSR_VSATP, l1->satp);

    /* L0's real H CSRs for L1 (nested/boot.c setup_l0) */
    hart_set_csr(h, CSR_HIDELEG, VS_MODE_INTERRUPTS);
    hart_set_csr(h, CSR_VSIE, l1->sie);
    rvnest_set_real_hvip(h, l1->hvip);
    hart_set_csr(h, CSR_HSTATUS, HSTATUS_VSXL_64);
    vc->hedeleg = ~0ull;              /* rvnest_sync_l1_traps writes it */
    hart_set_csr(h, CSR_HCOUNTEREN, 0xffffffffu);
    hart_set_csr(h, CSR_HTIMEDELTA, 0);
    hart_set_csr(h, CSR_HENVCFG, rvnest_l1_real_henvcfg(vc));
    rvnest_l1_hstateen_setup(vc);
    hart_set_csr(h, CSR_HGATP, 0);
    rvnest_pmp_shadow(vc, false);
    rvnest_shadow_release(vc, w->l2_shadow);
    w->level = RVNEST_L1;
    vc->virq_deadline = ~0ull;
    hart_set_csr(h, CSR_SIE, rvnest_l0_sie(vc));
    rvnest_irq_resample(vc);

    /* L1's trap handler, as a trap from V=1 enters it */
    uint64_t pc = rvnest_l1_trap_entry(vc, t, epc, t->spvp);

    /* Timers: real vstimecmp <- L1's stimecmp (the real stimecmp while
     * L2 ran; returns L2's), real stimecmp off (virq.c arms it again if
     * L1 needs it). */
    vc->uc.saved_t0 = hart_gpr(h, 5);
    vc->uc.saved_t1 = hart_gpr(h, 6);
    hart_set_gpr(h, 6, ~0ull);
    rvnest_ucode_run(vc, UCODE_EXIT_L2, pc, PRV_S | PRIV_V);
}

/* The end of a world switch's microcode run (rvnest_on_m_trap). */
void rvnest_world_ucode_done(struct rvnest_vcpu *vc, enum rvnest_ucode kind)
{
    struct rvnest_hart *h = vc->hart;
    if (kind == UCODE_ENTER_L2) {
        hart_set_gpr(h, 5, vc->uc.saved_t0);  /* a run in S (rvnest_ucode_run) */
    } else {
        rvnest_vcsr_set_vstimecmp(&vc->vcsr, h, hart_gpr(h, 5));
        rvnest_nacl_show(vc);         /* L2's stimecmp is L1's vstimecmp now */
        hart_set_gpr(h, 5, vc->uc.saved_t0);
        hart_set_gpr(h, 6, vc->uc.saved_t1);
    }
}
