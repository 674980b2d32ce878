/* World switches (nested/world.c, nested/l2_trap.c) and the shadow G-stage
 * (shadow-pt/shadow.c) on the mock hart. */
#include <string.h>
#include "mock_hart.h"
#include "pt_build.h"
#include "rvnest/csr.h"
#include "rvnest/decode.h"

#define L2_PC 0x80600000ull
#define L1_SRET_PC 0xffffffff01e7fc36ull
#define L1_TVEC 0xffffffff01e7fc80ull
#define L2_TVEC 0x80601000ull
#define VMID 3ull

struct wt {
    struct mock_vm t;
    struct pt_builder b;
    uint64_t groot;                   /* L1's Sv39x4 G-stage root */
};

/* L1 (KVM-like) has set up its guest: virtual VS registers, H CSRs, an
 * Sv39x4 G-stage in its RAM, hstatus.SPV=1 and sepc = the guest's pc. */
static void setup(struct wt *w)
{
    mock_vm_boot(&w->t);
    struct mock_hart *m = &w->t.m;
    struct rvnest_vcsr *v = &w->t.vc->vcsr;
    w->b = (struct pt_builder){ .m = m, .next = 0x81000000 };
    w->groot = pt_alloc(&w->b, 4);
    v->val[VCSR_HGATP] = (8ull << 60) | (VMID << HGATP_VMID_SHIFT) | (w->groot >> 12);
    /* L2's own sstatus, with bits of mstatus only QEMU lets L1 write */
    v->val[VCSR_VSSTATUS] = MSTATUS_SPP | MSTATUS_SUM | MSTATUS_UXL_64 | MSTATUS_MIE | MSTATUS_MPRV |
                            MSTATUS_TVM | MSTATUS_MPP | MSTATUS_MPV | (1ull << 36) | (1ull << 22);
    v->val[VCSR_VSTVEC] = L2_TVEC;
    v->val[VCSR_VSATP] = 0;
    v->val[VCSR_VSSCRATCH] = 0x1234;
    v->val[VCSR_HEDELEG] = 0xb109;
    v->val[VCSR_HIDELEG] = VS_MODE_INTERRUPTS;
    v->val[VCSR_HVIP] = MIP_VSSIP;
    v->val[VCSR_HIE] = MIP_VSTIP;
    v->val[VCSR_HCOUNTEREN] = 7;
    v->val[VCSR_HTIMEDELTA] = 1000;
    v->val[VCSR_HENVCFG] = ENVCFG_STCE;
    v->val[VCSR_VSTIMECMP] = 5555;
    v->val[VCSR_HSTATUS] = HSTATUS_VSXL_64 | HSTATUS_SPV | HSTATUS_SPVP | HSTATUS_VTW;
    rvnest_sync_l1_traps(w->t.vc);
    /* L1's own S state, in the real VS registers */
    m->csr[CSR_VSSTATUS] = MSTATUS_SPP | MSTATUS_SPIE | MSTATUS_FS;
    m->csr[CSR_VSEPC] = L2_PC;
    m->csr[CSR_VSTVEC] = L1_TVEC;
    m->csr[CSR_VSATP] = (8ull << 60) | 0x80abc;
    m->csr[CSR_VSSCRATCH] = 0x5678;
    m->csr[CSR_VSIE] = MIP_SSIP | MIP_STIP | MIP_SEIP;
    m->csr[CSR_SSTATUS] = MSTATUS_FS;                 /* L0's HS sstatus */
}

/* L1's sret, then the entry microcode, which ends in L2 with its mret. */
static void enter(struct wt *w)
{
    struct mock_hart *m = &w->t.m;
    m->gpr[5] = 0xaaaa;                               /* a guest t0 */
    mock_trap_from_l1(&w->t, EXC_VIRTUAL_INST, L1_SRET_PC, INSN_SRET, 0, 0);
    g_assert_cmpstr(w->t.vm.fatal, ==, "");
    g_assert_cmpuint(w->t.vc->uc.kind, ==, UCODE_ENTER_L2);
    g_assert_cmphex(m->pc, ==, w->t.vm.l0_base + L0_OFF_UC_ENTER_L2);
    /* the timers' microcode runs in M, with M interrupts masked, and PMP
     * is left as it is (no entry opened for it) */
    g_assert_cmpuint(m->priv, ==, PRV_M);
    g_assert_false(m->csr[CSR_MSTATUS] & MSTATUS_MIE);
    g_assert_cmphex(m->csr[CSR_PMPCFG0] & 0xff, ==, 0);
    g_assert_cmphex(m->gpr[5], ==, 5555);             /* L2's vstimecmp goes in */
    /* the run ends with an mret into L2, the guest's t0 in mtval */
    g_assert_true(w->t.vc->uc.direct);
    g_assert_cmphex(m->csr[CSR_MTVAL], ==, 0xaaaa);
    g_assert_cmphex(m->csr[CSR_MEPC], ==, L2_PC);
    uint64_t ms = w->t.vc->uc.saved_mstatus;
    g_assert_cmphex(m->csr[CSR_MSTATUS] & (MSTATUS_MPP | MSTATUS_MPV), ==,
                    ((uint64_t)PRV_S << MSTATUS_MPP_SHIFT) | MSTATUS_MPV);
    g_assert_cmphex(!!(m->csr[CSR_MSTATUS] & MSTATUS_MPIE), ==, !!(ms & MSTATUS_MIE));
    m->gpr[5] = 7777;                                 /* L1's stimecmp comes out */
    g_assert_true(mock_m_trap_from_hs(&w->t, w->t.vc->uc.end_pc));
    g_assert_cmpuint(w->t.vc->uc.kind, ==, UCODE_NONE);
    g_assert_cmphex(m->csr[CSR_MSTATUS] & MSTATUS_MIE, ==, ms & MSTATUS_MIE);
    g_assert_cmphex(m->gpr[5], ==, 0xaaaa);
    g_assert_cmphex(m->pc, ==, L2_PC);
    g_assert_cmpuint(m->priv, ==, PRV_S | PRIV_V);
}

static void test_enter(void)
{
    struct wt w;
    setup(&w);
    struct mock_hart *m = &w.t.m;
    struct rvnest_vcpu *vc = w.t.vc;
    enter(&w);
    g_assert_cmpuint(vc->world.level, ==, RVNEST_L2);
    /* L1's sret happened to L1's registers: SIE = SPIE, SPIE = 1, SPP = U */
    g_assert_cmphex(vc->world.l1.sstatus & (MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP), ==,
                    MSTATUS_SIE | MSTATUS_SPIE);
    g_assert_false(vc->vcsr.val[VCSR_HSTATUS] & HSTATUS_SPV);
    g_assert_cmphex(vc->world.l1.stvec, ==, L1_TVEC);
    g_assert_cmphex(vc->world.l1.satp, ==, (8ull << 60) | 0x80abc);
    /* L2's VS registers are the real ones */
    g_assert_cmphex(m->csr[CSR_VSTVEC], ==, L2_TVEC);
    g_assert_cmphex(m->csr[CSR_VSATP], ==, 0);
    g_assert_cmphex(m->csr[CSR_VSSCRATCH], ==, 0x1234);
    /* of L1's vsstatus only the sstatus fields become real: QEMU would OR
     * the rest into the real mstatus at the switch to V=1 */
    g_assert_cmphex(m->csr[CSR_VSSTATUS], ==, MSTATUS_SPP | MSTATUS_SUM | MSTATUS_UXL_64);
    /* the real H CSRs, composed from L1's virtual ones */
    g_assert_cmphex(m->csr[CSR_HEDELEG], ==, 0xb109);
    g_assert_cmphex(m->csr[CSR_HIDELEG], ==, VS_MODE_INTERRUPTS);
    g_assert_cmphex(m->csr[CSR_HVIP], ==, MIP_VSSIP);
    g_assert_cmphex(m->csr[CSR_HCOUNTEREN], ==, 7);
    g_assert_cmphex(m->csr[CSR_HTIMEDELTA], ==, 1000);
    g_assert_cmphex(m->csr[CSR_HENVCFG], ==, ENVCFG_STCE);
    g_assert_cmphex(m->csr[CSR_HSTATUS], ==, HSTATUS_VSXL_64 | HSTATUS_VTW);
    /* the shadow G-stage: Sv39x4, L0's root in the pool, never L1's table */
    uint64_t hgatp = m->csr[CSR_HGATP];
    g_assert_cmphex(hgatp >> 60, ==, 8);
    uint64_t root = (hgatp & ATP_PPN_MASK) << 12;
    g_assert_true(root >= w.t.vm.shadow.base && root < w.t.vm.shadow.base + w.t.vm.shadow.size);
    g_assert_cmphex(root & 0x3fff, ==, 0);
    g_assert_cmphex(root, !=, w.groot);
    /* L1's FS acts on L2 at HS level; L1's enables preempt L2 */
    g_assert_cmphex(m->csr[CSR_SSTATUS] & MSTATUS_FS, ==, MSTATUS_FS);
    g_assert_cmphex(m->csr[CSR_SIE], ==, MIP_SSIP | MIP_STIP | MIP_SEIP);
    /* PMP: the shadow pool is readable by S while L2 runs */
    g_assert_cmphex((m->csr[CSR_PMPCFG0] >> 8) & 0xff, ==, PMP_A_NAPOT | PMP_R);
    mock_vm_free(&w.t);
}

/* A trap from L2 into real HS (the hart wrote SPV=1, SPVP, GVA). */
static void trap_from_l2(struct wt *w, uint64_t cause, uint64_t pc, uint64_t stval, uint64_t htval,
                         uint64_t htinst)
{
    struct mock_hart *m = &w->t.m;
    m->csr[CSR_HSTATUS] |= HSTATUS_SPVP;
    mock_trap_from_l1(&w->t, cause, pc, stval, htval, htinst);
}

static void test_exit(void)
{
    struct wt w;
    setup(&w);
    struct mock_hart *m = &w.t.m;
    struct rvnest_vcpu *vc = w.t.vc;
    enter(&w);
    m->csr[CSR_VSSCRATCH] = 0x9999;                   /* L2 changed its sscratch */
    m->csr[CSR_HVIP] = 0;                             /* and cleared its SSIP */
    m->csr[CSR_SSTATUS] |= MSTATUS_FS;                /* dirtied FP state */
    m->gpr[5] = 0xbbbb;
    m->gpr[6] = 0xcccc;
    trap_from_l2(&w, EXC_VS_ECALL, L2_PC + 0x40, 0, 0, 0);
    g_assert_cmpuint(vc->world.level, ==, RVNEST_L1);
    g_assert_cmpuint(w.t.vm.vcpu[0].stats.l2_exits[L2X_ECALL], ==, 1);
    /* L2's registers into L1's virtual ones */
    g_assert_cmphex(vc->vcsr.val[VCSR_VSSCRATCH], ==, 0x9999);
    g_assert_cmphex(vc->vcsr.val[VCSR_HVIP] & MIP_VSSIP, ==, 0);
    /* L1's back in the real VS registers, with its trap entry */
    g_assert_cmphex(m->csr[CSR_VSSCRATCH], ==, 0x5678);
    g_assert_cmphex(m->csr[CSR_VSATP], ==, (8ull << 60) | 0x80abc);
    g_assert_cmphex(m->csr[CSR_VSCAUSE], ==, EXC_VS_ECALL);
    g_assert_cmphex(m->csr[CSR_VSEPC], ==, L2_PC + 0x40);
    g_assert_true(m->csr[CSR_VSSTATUS] & MSTATUS_SPP);            /* from VS */
    g_assert_true(m->csr[CSR_VSSTATUS] & MSTATUS_SPIE);           /* SIE was 1 */
    g_assert_false(m->csr[CSR_VSSTATUS] & MSTATUS_SIE);
    uint64_t hs = vc->vcsr.val[VCSR_HSTATUS];
    g_assert_true(hs & HSTATUS_SPV);
    g_assert_true(hs & HSTATUS_SPVP);
    g_assert_false(hs & HSTATUS_GVA);
    /* L0's real H CSRs for L1 */
    g_assert_cmphex(m->csr[CSR_HGATP], ==, 0);
    g_assert_cmphex(m->csr[CSR_HIDELEG], ==, VS_MODE_INTERRUPTS);
    g_assert_cmphex(m->csr[CSR_HTIMEDELTA], ==, 0);
    g_assert_cmphex(m->csr[CSR_HEDELEG], ==, 0);                  /* trap state dirty */
    g_assert_true(m->csr[CSR_HSTATUS] & HSTATUS_VTSR);
    g_assert_cmphex((m->csr[CSR_PMPCFG0] >> 8) & 0xff, ==, PMP_A_OFF);
    /* the timers: L1's stimecmp (the real stimecmp) back into vstimecmp,
     * L2's out in t0; t1 L0's stimecmp */
    g_assert_cmpuint(vc->uc.kind, ==, UCODE_EXIT_L2);
    g_assert_cmphex(m->gpr[6], ==, ~0ull);
    m->gpr[5] = 6000;                                 /* L2 had moved its timer */
    g_assert_true(mock_m_trap_from_hs(&w.t, vc->uc.end_pc));
    g_assert_cmphex(vc->vcsr.val[VCSR_VSTIMECMP], ==, 6000);
    g_assert_cmphex(m->gpr[5], ==, 0xbbbb);
    g_assert_cmphex(m->gpr[6], ==, 0xcccc);
    g_assert_cmphex(m->pc, ==, L1_TVEC);
    g_assert_cmpuint(m->priv, ==, PRV_S | PRIV_V);
    mock_vm_free(&w.t);
}

/* A trap of L2's the firmware redirected to HS (L0 handles it at the
 * firmware's mret, with the hart in M): L1's hvip.VSTIP for L2 leaves the
 * real mip although QEMU does not let M-mode change VSTIP under Sstc; L1's
 * mie bits 13-63 were the real ones while L2 ran, L2's change to them is
 * kept; the firmware's GVA is the one L2's M-mode trap left. */
static void test_exit_redirected(void)
{
    struct wt w;
    setup(&w);
    struct mock_hart *m = &w.t.m;
    struct rvnest_vcpu *vc = w.t.vc;
    struct rvnest_vcsr *v = &vc->vcsr;
    v->val[VCSR_HVIP] = MIP_VSTIP;                    /* L1 injects VSTIP into L2 */
    v->val[VCSR_HIE] |= 1ull << 20;                   /* a local interrupt of L1's */
    m->csr[CSR_MIE] = 1ull << 40;                     /* L0's */
    enter(&w);
    g_assert_cmphex(m->csr[CSR_HVIP], ==, MIP_VSTIP);
    g_assert_cmphex(m->csr[CSR_MIE] & LOCAL_INTERRUPTS, ==, 1ull << 20);
    m->csr[CSR_MIE] |= 1ull << 21;                    /* L2 enables one through its sie */
    g_assert_false(vc->fw_gva);
    /* L2's access fault traps to M with a nonzero mtval: natively
     * mstatus.GVA becomes 1 and stays */
    m->priv = PRV_M;
    m->csr[CSR_MTVAL] = 0x1234;
    rvnest_on_guest_exception(vc);
    g_assert_true(vc->fw_gva);
    /* OpenSBI redirects it to HS (hedeleg is L1's: 0 for cause 5 here) */
    m->csr[CSR_SCAUSE] = EXC_LOAD_ACCESS;
    m->csr[CSR_SEPC] = L2_PC + 0x80;
    m->csr[CSR_STVAL] = 0x1234;
    m->csr[CSR_HSTATUS] |= HSTATUS_SPV;
    m->csr[CSR_MEPC] = w.t.vm.l0_base + L0_OFF_VECTOR;
    m->csr[CSR_MSTATUS] = (uint64_t)PRV_S << MSTATUS_MPP_SHIFT;
    rvnest_on_mret(vc);
    g_assert_cmpuint(vc->world.level, ==, RVNEST_L1);
    g_assert_cmphex(m->csr[CSR_VSCAUSE], ==, EXC_LOAD_ACCESS);
    g_assert_true(v->val[VCSR_HSTATUS] & HSTATUS_SPV);
    g_assert_true(v->val[VCSR_HSTATUS] & HSTATUS_GVA);
    g_assert_cmphex(v->val[VCSR_HVIP] & VS_MODE_INTERRUPTS, ==, MIP_VSTIP);
    g_assert_cmphex(m->csr[CSR_HVIP] & MIP_VSTIP, ==, 0);         /* not L1's STIP */
    g_assert_cmphex(m->csr[CSR_HENVCFG] & ENVCFG_STCE, ==, ENVCFG_STCE);
    g_assert_cmphex(v->val[VCSR_HIE] & LOCAL_INTERRUPTS, ==, (1ull << 20) | (1ull << 21));
    g_assert_cmphex(m->csr[CSR_MIE] & LOCAL_INTERRUPTS, ==, 1ull << 40);
    /* an illegal instruction the firmware redirects carries GVA 0 */
    g_assert_false(rvnest_fw_redirect_gva(vc, EXC_ILLEGAL_INST));
    g_assert_true(rvnest_fw_redirect_gva(vc, EXC_STORE_ACCESS));
    mock_vm_free(&w.t);
}

/* An interrupt of L1's pending and enabled at its sret: taken at L2's first
 * instruction with SPV=1, no switch. */
static void test_enter_with_l1_irq(void)
{
    struct wt w;
    setup(&w);
    struct mock_hart *m = &w.t.m;
    m->csr[CSR_HVIP] = MIP_VSSIP;                     /* L1's SSIP (an IPI) */
    m->csr[CSR_MIP] = MIP_VSSIP;
    mock_trap_from_l1(&w.t, EXC_VIRTUAL_INST, L1_SRET_PC, INSN_SRET, 0, 0);
    g_assert_cmpuint(w.t.vc->world.level, ==, RVNEST_L1);
    g_assert_cmphex(m->csr[CSR_VSCAUSE], ==, CAUSE_INTERRUPT | IRQ_S_SOFT);
    g_assert_cmphex(m->csr[CSR_VSEPC], ==, L2_PC);
    g_assert_true(w.t.vc->vcsr.val[VCSR_HSTATUS] & HSTATUS_SPV);
    g_assert_cmphex(m->pc, ==, L1_TVEC);
    g_assert_cmpuint(w.t.vm.vcpu[0].stats.l2_entry_irqs, ==, 1);
    mock_vm_free(&w.t);
}

/* gpa's leaf in the Sv39x4 shadow with that root, 0 when absent. */
static uint64_t shadow_leaf_in(struct wt *w, uint64_t root, uint64_t gpa)
{
    struct mock_hart *m = &w->t.m;
    uint64_t t = root, pte = 0;
    for (int lvl = 2; lvl >= 0; lvl--) {
        unsigned bits = lvl == 2 ? 11 : 9;
        pte = mock_read64(m, t + 8 * ((gpa >> (12 + 9 * lvl)) & ((1ull << bits) - 1)));
        if (!(pte & PTE_V))
            return 0;
        if (lvl)
            t = ((pte >> 10) & ((1ull << 44) - 1)) << 12;
    }
    return pte;
}

/* ... in the shadow the (mock) hart runs L2 on */
static uint64_t shadow_leaf_of(struct wt *w, uint64_t gpa)
{
    return shadow_leaf_in(w, (w->t.m.csr[CSR_HGATP] & ATP_PPN_MASK) << 12, gpa);
}

/* A second hart sharing the mock's memory (the shadow code only reads and
 * writes physical memory through it). */
static struct rvnest_vcpu *second_hart(struct wt *w)
{
    struct rvnest_vm *vm = &w->t.vm;
    struct rvnest_vcpu *o = &vm->vcpu[1];
    vm->nharts = 2;
    o->hart = w->t.vc->hart;
    o->vm = vm;
    return o;
}

static void test_shadow_fill(void)
{
    struct wt w;
    setup(&w);
    struct mock_hart *m = &w.t.m;
    struct rvnest_vcpu *vc = w.t.vc;
    enter(&w);
    /* L1 maps GPA 0x80600000 -> 0x80400000, clean page (D=0) */
    uint64_t slot = pt_slot(&w.b, w.groot, 3, true, 0, L2_PC, 0);
    mock_write64(m, slot, pt_leaf(0x80400000, PTE_V | PTE_R | PTE_W | PTE_X | PTE_U | PTE_A));
    trap_from_l2(&w, EXC_LOAD_GUEST_PAGE_FAULT, L2_PC, L2_PC, L2_PC >> 2, 0x3003);
    g_assert_cmpuint(vc->world.level, ==, RVNEST_L2);
    g_assert_cmpuint(w.t.vm.vcpu[0].stats.l2_exits[L2X_SHADOW_FILL], ==, 1);
    uint64_t pte = shadow_leaf_of(&w, L2_PC);
    /* no W until L1's page is dirty */
    g_assert_cmphex(pte & 0x3ff, ==, PTE_V | PTE_R | PTE_X | PTE_U | PTE_A);
    g_assert_cmphex(pte >> 10 << 12, ==, 0x80400000);
    g_assert_cmphex(m->pc, ==, L2_PC);
    g_assert_cmpuint(m->priv, ==, PRV_S | PRIV_V);
    /* a store: L1's PTE gets D (hardware updating), the shadow W and D */
    trap_from_l2(&w, EXC_STORE_GUEST_PAGE_FAULT, L2_PC, L2_PC, L2_PC >> 2, 0x3023);
    g_assert_true(mock_read64(m, slot) & PTE_D);
    g_assert_cmphex(shadow_leaf_of(&w, L2_PC) & 0x3ff, ==,
                    PTE_V | PTE_R | PTE_W | PTE_X | PTE_U | PTE_A | PTE_D);
    /* the same fault again, nothing new to add: L1 sees it */
    trap_from_l2(&w, EXC_STORE_GUEST_PAGE_FAULT, L2_PC, L2_PC, L2_PC >> 2, 0x3023);
    g_assert_cmpuint(vc->world.level, ==, RVNEST_L1);
    g_assert_cmpuint(w.t.vm.vcpu[0].stats.l2_exits[L2X_GUEST_PAGE_FAULT], ==, 1);
    mock_vm_free(&w.t);
}

/* An AMO's store guest-page fault while the shadow lacks even the read:
 * QEMU's load part came first, so L0 fills the read (A only in L1's leaf,
 * no D) and lets the hart retry; the store part's fault then finds the
 * read there and is walked as a store (here L1's leaf is read-only: L1
 * sees the fault the hart raised). */
static void test_shadow_amo(void)
{
    struct wt w;
    setup(&w);
    struct mock_hart *m = &w.t.m;
    struct rvnest_vcpu *vc = w.t.vc;
    enter(&w);
    uint64_t slot = pt_slot(&w.b, w.groot, 3, true, 0, L2_PC, 0);
    mock_write64(m, slot, pt_leaf(0x80400000, PTE_V | PTE_R | PTE_U));
    const uint64_t amoswap_d = 0x08b5352fu;           /* amoswap.d a0, a1, (a0) transformed */
    trap_from_l2(&w, EXC_STORE_GUEST_PAGE_FAULT, L2_PC, L2_PC, L2_PC >> 2, amoswap_d);
    g_assert_cmpuint(vc->world.level, ==, RVNEST_L2);
    g_assert_cmpuint(w.t.vm.vcpu[0].stats.l2_exits[L2X_SHADOW_FILL], ==, 1);
    g_assert_cmphex(shadow_leaf_of(&w, L2_PC) & (PTE_R | PTE_W), ==, PTE_R);
    g_assert_cmphex(mock_read64(m, slot) & (PTE_A | PTE_D), ==, PTE_A);
    trap_from_l2(&w, EXC_STORE_GUEST_PAGE_FAULT, L2_PC, L2_PC, L2_PC >> 2, amoswap_d);
    g_assert_cmpuint(vc->world.level, ==, RVNEST_L1);
    g_assert_cmpuint(w.t.vm.vcpu[0].stats.l2_exits[L2X_GUEST_PAGE_FAULT], ==, 1);
    g_assert_cmphex(m->csr[CSR_VSCAUSE], ==, EXC_STORE_GUEST_PAGE_FAULT);
    g_assert_cmphex(vc->vcsr.val[VCSR_HTVAL], ==, L2_PC >> 2);
    mock_vm_free(&w.t);
}

/* Issue 21: L1 maps a PLIC page L0 performs into L2's G-stage. The
 * shadow gives it no leaf; L2's guest page faults there are performed by
 * L0 on the device as L1's own accesses (nested/l2_device.c). */
static void test_l2_device(void)
{
    struct wt w;
    setup(&w);
    struct mock_hart *m = &w.t.m;
    struct rvnest_vcpu *vc = w.t.vc;
    enter(&w);
    const uint64_t gpa = 0x80700000, plic = w.t.vm.plic_range[0].base, va = 0x1000;
    uint64_t slot = pt_slot(&w.b, w.groot, 3, true, 0, gpa, 0);
    mock_write64(m, slot, pt_leaf(plic, PTE_V | PTE_R | PTE_W | PTE_X | PTE_U | PTE_A | PTE_D));
    /* sw a1, 0x28(a0), transformed: sw a1, 0(x0) */
    m->gpr[11] = 0x5;
    trap_from_l2(&w, EXC_STORE_GUEST_PAGE_FAULT, L2_PC, va + 0x28, (gpa + 0x28) >> 2, 0x00b02023);
    g_assert_cmpuint(vc->world.level, ==, RVNEST_L2);
    g_assert_cmphex(mock_read64(m, plic + 0x28) & 0xffffffff, ==, 0x5);
    g_assert_cmphex(m->pc, ==, L2_PC + 4);
    g_assert_cmpuint(m->priv, ==, PRV_S | PRIV_V);
    g_assert_cmpuint(vc->stats.l2_exits[L2X_EMULATED], ==, 1);
    g_assert_cmphex(shadow_leaf_of(&w, gpa), ==, 0);           /* still no leaf */
    /* lw a2, 0x28(a0), compressed form (bit 1 clear in htinst): 2 bytes */
    trap_from_l2(&w, EXC_LOAD_GUEST_PAGE_FAULT, L2_PC, va + 0x28, (gpa + 0x28) >> 2, 0x00002601);
    g_assert_cmphex(m->gpr[12], ==, 0x5);
    g_assert_cmphex(m->pc, ==, L2_PC + 2);
    g_assert_cmpuint(vc->stats.l2_exits[L2X_EMULATED], ==, 2);
    /* sb a1, 0x29(a0): the PLIC takes words only: a store access fault at
     * that address, which L1 does not delegate: L1 takes it from L2 */
    trap_from_l2(&w, EXC_STORE_GUEST_PAGE_FAULT, L2_PC, va + 0x29, (gpa + 0x29) >> 2, 0x00b00023);
    g_assert_cmpuint(vc->world.level, ==, RVNEST_L1);
    g_assert_cmphex(m->csr[CSR_VSCAUSE], ==, EXC_STORE_ACCESS);
    g_assert_cmphex(m->csr[CSR_VSTVAL], ==, va + 0x29);
    mock_vm_free(&w.t);

    /* a fetch there: an instruction access fault, here delegated to L2 */
    setup(&w);
    m = &w.t.m;
    vc = w.t.vc;
    vc->vcsr.val[VCSR_HEDELEG] = 1ull << EXC_INST_ACCESS;
    enter(&w);
    slot = pt_slot(&w.b, w.groot, 3, true, 0, gpa, 0);
    mock_write64(m, slot, pt_leaf(plic, PTE_V | PTE_R | PTE_W | PTE_X | PTE_U | PTE_A | PTE_D));
    trap_from_l2(&w, EXC_INST_GUEST_PAGE_FAULT, va, va, gpa >> 2, 0);
    g_assert_cmpuint(vc->world.level, ==, RVNEST_L2);
    g_assert_cmphex(m->csr[CSR_VSCAUSE], ==, EXC_INST_ACCESS);
    g_assert_cmphex(m->csr[CSR_VSTVAL], ==, va);
    g_assert_cmphex(m->csr[CSR_VSEPC], ==, va);
    g_assert_cmphex(m->pc, ==, m->csr[CSR_VSTVEC] & ~3ull);
    /* L2's VS-stage table in that page: the hart's PTE read fails, a load
     * page fault of L2's access (page faults: the hart's own delivery) */
    vc->vcsr.val[VCSR_HEDELEG] = 0;
    trap_from_l2(&w, EXC_LOAD_GUEST_PAGE_FAULT, L2_PC, 0x5000, gpa >> 2, HTINST_PSEUDO_READ64);
    g_assert_cmpuint(vc->world.level, ==, RVNEST_L1);
    g_assert_cmphex(m->csr[CSR_VSCAUSE], ==, EXC_LOAD_PAGE_FAULT);
    g_assert_cmphex(m->csr[CSR_VSTVAL], ==, 0x5000);
    mock_vm_free(&w.t);
}

/* SMP: the context a hart's L2 runs on is never evicted nor given to
 * another VMID, and emptying it keeps it assigned. */
static void test_shadow_users(void)
{
    struct wt w;
    setup(&w);
    struct rvnest_vcpu *vc = w.t.vc;
    enter(&w);
    unsigned mine = vc->world.l2_shadow;
    struct rvnest_shadow_ctx *c = &w.t.vm.shadow.ctx[mine];
    g_assert_cmpuint(c->users, ==, 1);
    rvnest_shadow_drop_all(vc);
    g_assert_true(c->valid);
    /* another hart brings 2 * RVNEST_SHADOW_CTXS VMIDs through, this
     * hart's among them */
    struct rvnest_vcpu *o = second_hart(&w);
    for (uint64_t vmid = VMID; vmid < VMID + 2 * RVNEST_SHADOW_CTXS; vmid++) {
        unsigned idx;
        uint64_t hg = (8ull << 60) | (vmid << HGATP_VMID_SHIFT) | (w.groot >> 12);
        rvnest_shadow_hgatp(o, hg, &idx);
        g_assert_cmpuint(idx, !=, mine);
        rvnest_shadow_release(o, idx);
    }
    g_assert_cmpuint(o->stats.shadow_evictions, >, 0);
    g_assert_true(c->valid);
    g_assert_cmphex(c->hgatp, ==, vc->vcsr.val[VCSR_HGATP]);
    trap_from_l2(&w, EXC_VS_ECALL, L2_PC + 0x40, 0, 0, 0);
    g_assert_cmpuint(c->users, ==, 0);
    mock_vm_free(&w.t);
}

/* Contexts are per hart, as TLBs are: two harts running one VMID fill
 * their own shadows; a local HFENCE.GVMA empties only its hart's, an SBI
 * remote one every hart's; a hart that runs the VMID with another root
 * does not disturb the first hart's. */
static void test_shadow_per_hart(void)
{
    struct wt w;
    setup(&w);
    struct mock_hart *m = &w.t.m;
    struct rvnest_vcpu *vc = w.t.vc;
    struct rvnest_shadow *s = &w.t.vm.shadow;
    enter(&w);
    mock_write64(m, pt_slot(&w.b, w.groot, 3, true, 0, L2_PC, 0),
                 pt_leaf(0x80400000, PTE_V | PTE_R | PTE_X | PTE_U | PTE_A));
    trap_from_l2(&w, EXC_LOAD_GUEST_PAGE_FAULT, L2_PC, L2_PC, L2_PC >> 2, 0x3003);
    unsigned mine = vc->world.l2_shadow;
    uint64_t my_root = s->base + mine * RVNEST_SHADOW_ROOT_SIZE;
    g_assert_cmphex(shadow_leaf_in(&w, my_root, L2_PC) & PTE_V, ==, PTE_V);
    /* hart 1 runs the same VMID: a context of its own, filled by itself */
    struct rvnest_vcpu *o = second_hart(&w);
    unsigned theirs;
    uint64_t hg = rvnest_shadow_hgatp(o, vc->vcsr.val[VCSR_HGATP], &theirs);
    g_assert_cmpuint(theirs, !=, mine);
    uint64_t their_root = (hg & ATP_PPN_MASK) << 12;
    g_assert_cmphex(their_root, ==, s->base + theirs * RVNEST_SHADOW_ROOT_SIZE);
    g_assert_cmphex(shadow_leaf_in(&w, their_root, L2_PC), ==, 0);
    o->world.level = RVNEST_L2;
    o->world.l2_shadow = theirs;
    struct walk_result res;
    g_assert_cmpint(rvnest_shadow_fill(o, L2_PC, WALK_LOAD, &res), ==, SHADOW_FILLED);
    g_assert_cmphex(shadow_leaf_in(&w, their_root, L2_PC) >> 10 << 12, ==, 0x80400000);
    /* L1 maps the page elsewhere; hart 1's local fence of the VMID makes
     * its shadow follow (the replay), hart 0's keeps the old page, as its
     * TLB would until hart 0 fences */
    mock_write64(m, pt_slot(&w.b, w.groot, 3, true, 0, L2_PC, 0),
                 pt_leaf(0x80500000, PTE_V | PTE_R | PTE_X | PTE_U | PTE_A));
    rvnest_shadow_inval(o, &(struct rvnest_inval){ .all_addr = true, .id = VMID });
    g_assert_cmphex(shadow_leaf_in(&w, their_root, L2_PC) >> 10 << 12, ==, 0x80500000);
    g_assert_cmphex(shadow_leaf_in(&w, my_root, L2_PC) >> 10 << 12, ==, 0x80400000);
    /* by address, from hart 0: hart 0's only */
    rvnest_shadow_inval(vc, &(struct rvnest_inval){ .addr = L2_PC, .id = VMID });
    g_assert_cmphex(shadow_leaf_in(&w, my_root, L2_PC), ==, 0);
    g_assert_cmphex(shadow_leaf_in(&w, their_root, L2_PC) & PTE_V, ==, PTE_V);
    /* a remote fence (SBI): every hart's */
    trap_from_l2(&w, EXC_LOAD_GUEST_PAGE_FAULT, L2_PC, L2_PC, L2_PC >> 2, 0x3003);
    g_assert_cmphex(shadow_leaf_in(&w, my_root, L2_PC) & PTE_V, ==, PTE_V);
    rvnest_shadow_inval(o, &(struct rvnest_inval){ .all_addr = true, .id = VMID, .remote = true });
    g_assert_cmphex(shadow_leaf_in(&w, my_root, L2_PC), ==, 0);
    g_assert_cmphex(shadow_leaf_in(&w, their_root, L2_PC), ==, 0);
    g_assert_true(s->ctx[mine].valid && s->ctx[theirs].valid);
    /* hart 1 runs the VMID with another root: hart 0's context stays */
    rvnest_shadow_release(o, theirs);
    uint64_t other = (vc->vcsr.val[VCSR_HGATP] & ~ATP_PPN_MASK) | (pt_alloc(&w.b, 4) >> 12);
    unsigned again;
    rvnest_shadow_hgatp(o, other, &again);
    g_assert_cmpuint(again, ==, theirs);
    g_assert_cmphex(s->ctx[theirs].hgatp, ==, other);
    g_assert_cmphex(s->ctx[mine].hgatp, ==, vc->vcsr.val[VCSR_HGATP]);
    g_assert_cmpuint(s->ctx[mine].users, ==, 1);
    rvnest_shadow_release(o, again);
    mock_vm_free(&w.t);
}

/* Table pages of a dropped context are recycled, but only once no other
 * hart can be walking them: here hart 1 runs an L2 (not in L0, not in L1)
 * until it enters L0. When the pool is exhausted and nothing can be
 * recycled yet, L2 retries (its fault comes back) instead of L0 reusing a
 * page another hart may read. */
static void test_shadow_recycle(void)
{
    struct wt w;
    setup(&w);
    struct mock_hart *m = &w.t.m;
    struct rvnest_vcpu *vc = w.t.vc;
    struct rvnest_vm *vm = &w.t.vm;
    struct rvnest_shadow *s = &vm->shadow;
    vm->nharts = 2;
    vm->vcpu[1].world.level = RVNEST_L2;              /* another hart in its L2 */
    vm->vcpu[1].l0_seq = 5;
    enter(&w);
    uint64_t slot = pt_slot(&w.b, w.groot, 3, true, 0, L2_PC, 0);
    mock_write64(m, slot, pt_leaf(0x80400000, PTE_V | PTE_R | PTE_X | PTE_U | PTE_A));
    trap_from_l2(&w, EXC_LOAD_GUEST_PAGE_FAULT, L2_PC, L2_PC, L2_PC >> 2, 0x3003);
    uint64_t used = s->next;                          /* the tables of one leaf */
    g_assert_cmpuint(used, >, s->base);
    /* L1 fences everything on every hart: the lower tables go to the limbo */
    rvnest_shadow_inval(vc, &(struct rvnest_inval){ .all_addr = true, .all_id = true, .remote = true });
    g_assert_cmpuint(s->limbo[0].n, >, 0);
    unsigned limbo = s->limbo[0].n;
    /* refill: hart 1 may still walk them, so fresh pages are used */
    trap_from_l2(&w, EXC_LOAD_GUEST_PAGE_FAULT, L2_PC, L2_PC, L2_PC >> 2, 0x3003);
    g_assert_cmpuint(s->next, >, used);
    g_assert_cmpuint(s->limbo[1].n, ==, limbo);       /* waiting for its grace */
    /* the pool runs out: everything is dropped, nothing is reusable yet,
     * L2 resumes at the faulting instruction without a new leaf */
    uint64_t end = s->next;
    s->next = s->base + s->size;
    rvnest_shadow_inval(vc, &(struct rvnest_inval){ .all_addr = true, .all_id = true, .remote = true });
    trap_from_l2(&w, EXC_LOAD_GUEST_PAGE_FAULT, L2_PC, L2_PC, L2_PC >> 2, 0x3003);
    g_assert_cmpuint(vc->world.level, ==, RVNEST_L2);
    g_assert_cmphex(m->pc, ==, L2_PC);
    g_assert_cmpuint(vc->stats.shadow_reclaims, ==, 1);
    g_assert_cmpuint(s->nfree, ==, 0);
    /* hart 1 enters L0: the grace is over, the pages come back */
    rvnest_l0_enter(&vm->vcpu[1]);
    rvnest_l0_leave(&vm->vcpu[1]);
    trap_from_l2(&w, EXC_LOAD_GUEST_PAGE_FAULT, L2_PC, L2_PC, L2_PC >> 2, 0x3003);
    g_assert_cmphex(shadow_leaf_of(&w, L2_PC) >> 10 << 12, ==, 0x80400000);
    g_assert_cmpuint(s->next, ==, s->base + s->size);  /* no fresh page was needed */
    (void)end;
    mock_vm_free(&w.t);
}

static void test_shadow_fault_and_holes(void)
{
    struct wt w;
    setup(&w);
    struct mock_hart *m = &w.t.m;
    struct rvnest_vcpu *vc = w.t.vc;
    enter(&w);
    /* L1 maps a GPA onto L0's memory: the shadow sends it where nothing is */
    uint64_t gpa = 0x90000000;
    mock_write64(m, pt_slot(&w.b, w.groot, 3, true, 0, gpa, 0),
                 pt_leaf(w.t.vm.l0_base, PTE_V | PTE_R | PTE_W | PTE_U | PTE_A | PTE_D));
    trap_from_l2(&w, EXC_LOAD_GUEST_PAGE_FAULT, L2_PC, gpa, gpa >> 2, 0x3003);
    g_assert_cmphex(shadow_leaf_of(&w, gpa) >> 10 << 12, ==, RVNEST_SHADOW_DEAD_PA);
    /* and onto the shadow pool itself: the same */
    mock_write64(m, pt_slot(&w.b, w.groot, 3, true, 0, gpa + 0x1000, 0),
                 pt_leaf(w.t.vm.shadow.base, PTE_V | PTE_R | PTE_U | PTE_A));
    trap_from_l2(&w, EXC_LOAD_GUEST_PAGE_FAULT, L2_PC, gpa + 0x1000, (gpa + 0x1000) >> 2, 0x3003);
    g_assert_cmphex(shadow_leaf_of(&w, gpa + 0x1000) >> 10 << 12, ==, RVNEST_SHADOW_DEAD_PA);
    /* a GPA L1 does not map: L1 gets the guest page fault as the hart gave it */
    trap_from_l2(&w, EXC_STORE_GUEST_PAGE_FAULT, L2_PC + 8, 0x1234, 0xa0000000 >> 2, 0x3023);
    g_assert_cmpuint(vc->world.level, ==, RVNEST_L1);
    g_assert_cmphex(m->csr[CSR_VSCAUSE], ==, EXC_STORE_GUEST_PAGE_FAULT);
    g_assert_cmphex(m->csr[CSR_VSTVAL], ==, 0x1234);
    g_assert_cmphex(vc->vcsr.val[VCSR_HTVAL], ==, 0xa0000000 >> 2);
    g_assert_cmphex(vc->vcsr.val[VCSR_HTINST], ==, 0x3023);
    mock_vm_free(&w.t);
}

static void test_shadow_inval(void)
{
    struct wt w;
    setup(&w);
    struct mock_hart *m = &w.t.m;
    struct rvnest_vcpu *vc = w.t.vc;
    enter(&w);
    for (uint64_t gpa = L2_PC; gpa < L2_PC + 0x3000; gpa += 0x1000) {
        mock_write64(m, pt_slot(&w.b, w.groot, 3, true, 0, gpa, 0),
                     pt_leaf(gpa, PTE_V | PTE_R | PTE_W | PTE_U | PTE_A | PTE_D));
        trap_from_l2(&w, EXC_LOAD_GUEST_PAGE_FAULT, L2_PC, gpa, gpa >> 2, 0x3003);
        g_assert_cmphex(shadow_leaf_of(&w, gpa) & PTE_V, ==, PTE_V);
    }
    /* by address: that page only (all were 4 KiB leaves of L1's) */
    struct rvnest_inval r = { .addr = L2_PC + 0x1000, .id = VMID };
    rvnest_shadow_inval(vc, &r);
    g_assert_cmphex(shadow_leaf_of(&w, L2_PC + 0x1000), ==, 0);
    g_assert_cmphex(shadow_leaf_of(&w, L2_PC) & PTE_V, ==, PTE_V);
    /* another VMID: nothing */
    r = (struct rvnest_inval){ .all_addr = true, .id = VMID + 1 };
    rvnest_shadow_inval(vc, &r);
    g_assert_cmphex(shadow_leaf_of(&w, L2_PC) & PTE_V, ==, PTE_V);
    /* the whole VMID, after L1 cleared A in one leaf and moved another:
     * the recent fills are made again from L1's tables as they are now
     * (the replay), without setting A; the running L2 keeps its root */
    uint64_t s0 = pt_slot(&w.b, w.groot, 3, true, 0, L2_PC, 0);
    uint64_t s2 = pt_slot(&w.b, w.groot, 3, true, 0, L2_PC + 0x2000, 0);
    mock_write64(m, s0, pt_leaf(L2_PC, PTE_V | PTE_R | PTE_W | PTE_U | PTE_D));
    mock_write64(m, s2, pt_leaf(0x80700000, PTE_V | PTE_R | PTE_W | PTE_U | PTE_A));
    r = (struct rvnest_inval){ .all_addr = true, .id = VMID };
    rvnest_shadow_inval(vc, &r);
    g_assert_cmphex(shadow_leaf_of(&w, L2_PC), ==, 0);
    g_assert_cmphex(mock_read64(m, s0) & PTE_A, ==, 0);
    g_assert_cmphex(shadow_leaf_of(&w, L2_PC + 0x2000) & 0x3ff, ==, PTE_V | PTE_R | PTE_U | PTE_A);
    g_assert_cmphex(shadow_leaf_of(&w, L2_PC + 0x2000) >> 10 << 12, ==, 0x80700000);
    g_assert_cmphex(mock_read64(m, s2) & PTE_D, ==, 0);
    /* (the page fenced by address is in L1's table as before: made again) */
    g_assert_cmphex(shadow_leaf_of(&w, L2_PC + 0x1000) & PTE_V, ==, PTE_V);
    g_assert_cmpuint(vc->stats.shadow_replays, ==, 2);
    g_assert_true(w.t.vm.shadow.ctx[vc->world.l2_shadow].valid);
    /* L1 points that 2 MiB's table at L0's memory, where a leaf sits: a
     * replay reads no table L1 could not read itself, nothing is made */
    uint64_t l0tab = w.t.vm.l0_base + 0x8000;
    mock_write64(m, l0tab + 8 * ((L2_PC >> 12) & 511) + 16, pt_leaf(0x80700000, PTE_V | PTE_R | PTE_U | PTE_A));
    uint64_t dir = pt_slot(&w.b, w.groot, 3, true, 0, L2_PC, 1), was = mock_read64(m, dir);
    mock_write64(m, dir, pt_leaf(l0tab, PTE_V));
    rvnest_shadow_inval(vc, &r);
    g_assert_cmphex(shadow_leaf_of(&w, L2_PC + 0x2000), ==, 0);
    g_assert_cmpuint(vc->stats.shadow_replays, ==, 2);
    mock_write64(m, dir, was);
    trap_from_l2(&w, EXC_LOAD_GUEST_PAGE_FAULT, L2_PC, L2_PC + 0x2000, (L2_PC + 0x2000) >> 2, 0x3003);
    rvnest_shadow_inval(vc, &r);
    /* the pages not made left the ring: only the one filled since is */
    g_assert_cmpuint(vc->stats.shadow_replays, ==, 3);
    g_assert_cmphex(shadow_leaf_of(&w, L2_PC + 0x1000), ==, 0);
    g_assert_cmphex(shadow_leaf_of(&w, L2_PC + 0x2000) & PTE_V, ==, PTE_V);
    /* a remote fence (SBI) of the VMID empties it, nothing is replayed */
    r.remote = true;
    rvnest_shadow_inval(vc, &r);
    g_assert_cmphex(shadow_leaf_of(&w, L2_PC + 0x2000), ==, 0);
    g_assert_cmpuint(vc->stats.shadow_replays, ==, 3);
    g_assert_true(w.t.vm.shadow.ctx[vc->world.l2_shadow].valid);
    mock_vm_free(&w.t);
}

static void test_rules(void)
{
    /* a shadow leaf: never W without D, A and U always, RSW = L1's leaf size */
    uint64_t l = rvnest_shadow_leaf(0x80400000, PTE_V | PTE_R | PTE_W | PTE_U | PTE_A, 4096);
    g_assert_cmphex(l & 0x3ff, ==, PTE_V | PTE_R | PTE_U | PTE_A);
    l = rvnest_shadow_leaf(0x80400000, PTE_V | PTE_X | PTE_U | PTE_A | PTE_D, 1ull << 21);
    g_assert_cmphex(l & 0x3ff, ==, PTE_V | PTE_X | PTE_U | PTE_A | (1ull << 8));
    l = rvnest_shadow_leaf(0x80400000, PTE_V | PTE_R | PTE_W | PTE_U | PTE_A | PTE_D | (1ull << 62), 1ull << 30);
    g_assert_cmphex(l & ~(((1ull << 44) - 1) << 10), ==,
                    PTE_V | PTE_R | PTE_W | PTE_U | PTE_A | PTE_D | (2ull << 8) | (1ull << 62));
    /* hstatus for L2: L1's VTW/VTSR/VTVM only, L0's VSXL */
    g_assert_cmphex(rvnest_l2_real_hstatus(HSTATUS_SPV | HSTATUS_VTW | HSTATUS_VTVM | HSTATUS_HU | HSTATUS_VGEIN),
                    ==, HSTATUS_VSXL_64 | HSTATUS_VTW | HSTATUS_VTVM);
}

/* The world switch's timer microcode runs in M: mstatus.MIE masked for
 * the run and mstatus restored whole at its end word; a trap from M at
 * any other of its words is an L0 bug (a clear stop, never the firmware's
 * business); a trap to M from those addresses with no run in flight, or
 * from a guest, is not L0's. */
static void test_ucode_in_m(void)
{
    struct wt w;
    setup(&w);
    struct mock_hart *m = &w.t.m;
    struct rvnest_vcpu *vc = w.t.vc;
    m->csr[CSR_MSTATUS] |= MSTATUS_MIE | MSTATUS_MPIE;
    uint64_t ms = m->csr[CSR_MSTATUS];
    m->gpr[5] = 0xaaaa;
    mock_trap_from_l1(&w.t, EXC_VIRTUAL_INST, L1_SRET_PC, INSN_SRET, 0, 0);
    g_assert_cmpuint(vc->uc.kind, ==, UCODE_ENTER_L2);
    g_assert_true(vc->uc.in_m && vc->uc.direct);
    g_assert_cmpuint(m->priv, ==, PRV_M);
    /* MIE clear for the run, MPIE = MIE for its mret */
    g_assert_false(m->csr[CSR_MSTATUS] & MSTATUS_MIE);
    g_assert_true(m->csr[CSR_MSTATUS] & MSTATUS_MPIE);
    g_assert_cmphex(vc->uc.saved_mstatus, ==, ms);
    g_assert_true(mock_m_trap_from_hs(&w.t, vc->uc.end_pc));   /* its mret */
    g_assert_true(m->csr[CSR_MSTATUS] & MSTATUS_MIE);
    g_assert_cmpuint(vc->uc.kind, ==, UCODE_NONE);
    g_assert_false(vc->uc.in_m);
    g_assert_cmpuint(m->priv, ==, PRV_S | PRIV_V);
    g_assert_cmphex(m->gpr[5], ==, 0xaaaa);
    g_assert_cmpstr(w.t.vm.fatal, ==, "");
    /* no run in flight: a trap to M from the microcode's first word (a
     * guest at that virtual address, or OpenSBI's own) is not L0's */
    m->priv = PRV_M;
    m->csr[CSR_MSTATUS] = ((uint64_t)PRV_M << MSTATUS_MPP_SHIFT);
    g_assert_false(rvnest_on_m_trap(vc, w.t.vm.l0_base + L0_OFF_UC_EXIT_L2));
    g_assert_cmpstr(w.t.vm.fatal, ==, "");
    /* L2 exits: the exit's run in M ends with the zero word's trap,
     * after which mstatus is what it was before the run */
    m->priv = PRV_S;
    m->csr[CSR_MSTATUS] = ms;
    trap_from_l2(&w, EXC_VS_ECALL, L2_PC, 0, 0, 0);
    g_assert_cmpuint(vc->uc.kind, ==, UCODE_EXIT_L2);
    g_assert_true(vc->uc.in_m && !vc->uc.direct);
    g_assert_cmpuint(m->priv, ==, PRV_M);
    g_assert_cmphex(m->csr[CSR_MSTATUS], ==, ms & ~MSTATUS_MIE);
    g_assert_true(mock_m_trap_from_hs(&w.t, vc->uc.end_pc));
    g_assert_cmphex(m->csr[CSR_MSTATUS], ==, ms);
    g_assert_cmpuint(m->priv, ==, PRV_S | PRIV_V);
    g_assert_cmpstr(w.t.vm.fatal, ==, "");
    /* L1 enters L2 again; an mret elsewhere (the firmware's) is not the
     * run's end; a reset cuts the run short */
    mock_trap_from_l1(&w.t, EXC_VIRTUAL_INST, L1_SRET_PC, INSN_SRET, 0, 0);
    g_assert_true(vc->uc.direct);
    m->pc = 0x80001234;
    rvnest_on_mret(vc);
    g_assert_cmpuint(vc->uc.kind, ==, UCODE_ENTER_L2);
    g_assert_true(vc->uc.direct);
    /* a trap from the run's first word stops L0 */
    g_assert_true(mock_m_trap_from_hs(&w.t, vc->uc.start_pc));
    g_assert_nonnull(strstr(w.t.vm.fatal, "microcode"));
    /* a reset cuts a run short: nothing of it is left */
    m->priv = PRV_M;
    rvnest_on_hart_reset(vc);
    g_assert_cmpuint(vc->uc.kind, ==, UCODE_NONE);
    g_assert_false(vc->uc.direct || vc->uc.in_m);
    mock_vm_free(&w.t);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/world/enter", test_enter);
    g_test_add_func("/world/ucode-in-m", test_ucode_in_m);
    g_test_add_func("/world/exit", test_exit);
    g_test_add_func("/world/exit-redirected", test_exit_redirected);
    g_test_add_func("/world/enter-with-l1-interrupt", test_enter_with_l1_irq);
    g_test_add_func("/shadow/fill", test_shadow_fill);
    g_test_add_func("/shadow/amo-load-first", test_shadow_amo);
    g_test_add_func("/world/l2-device", test_l2_device);
    g_test_add_func("/shadow/in-use-contexts", test_shadow_users);
    g_test_add_func("/shadow/per-hart-contexts", test_shadow_per_hart);
    g_test_add_func("/shadow/recycle-after-grace", test_shadow_recycle);
    g_test_add_func("/shadow/fault-and-holes", test_shadow_fault_and_holes);
    g_test_add_func("/shadow/invalidate", test_shadow_inval);
    g_test_add_func("/shadow/rules", test_rules);
    return g_test_run();
}
