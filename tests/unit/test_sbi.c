/* SBI calls from L1: handled in L0 or forwarded through microcode. */
#include "mock_hart.h"
#include "rvnest/csr.h"
#include "rvnest/sbi.h"

static void ecall(struct mock_vm *t, long ext, long fid, uint64_t a0, uint64_t a1, uint64_t a2)
{
    t->m.gpr[17] = (uint64_t)ext;
    t->m.gpr[16] = (uint64_t)fid;
    t->m.gpr[10] = a0;
    t->m.gpr[11] = a1;
    t->m.gpr[12] = a2;
    mock_trap_from_l1(t, EXC_VS_ECALL, 0x80201000, 0, 0, 0);
}

static void assert_done(struct mock_vm *t, long err)
{
    g_assert_cmpint((long)t->m.gpr[10], ==, err);
    g_assert_cmphex(t->m.pc, ==, 0x80201004);
    g_assert_cmpuint(t->m.priv, ==, PRV_S | PRIV_V);
}

static void test_local(void)
{
    struct mock_vm t;
    mock_vm_boot(&t);
    ecall(&t, SBI_EXT_BASE, SBI_BASE_PROBE_EXT, SBI_EXT_TIME, 0, 0);
    assert_done(&t, 0);
    g_assert_cmpuint(t.m.gpr[11], ==, 1);
    ecall(&t, SBI_EXT_BASE, SBI_BASE_PROBE_EXT, 0x504D55 /* PMU: hidden */, 0, 0);
    assert_done(&t, 0);
    g_assert_cmpuint(t.m.gpr[11], ==, 0);
    ecall(&t, 0x0a000001, 0, 0, 0, 0);
    assert_done(&t, SBI_ERR_NOT_SUPPORTED);
    /* HSM, IPI and RFENCE are OpenSBI's answers: forwarded (probe too) */
    static const long fwd[][2] = { { SBI_EXT_HSM, SBI_HSM_HART_GET_STATUS }, { SBI_EXT_HSM, SBI_HSM_HART_START },
                                   { SBI_EXT_RFENCE, 1 }, { SBI_EXT_IPI, 0 }, { SBI_EXT_BASE, SBI_BASE_PROBE_EXT } };
    for (unsigned i = 0; i < G_N_ELEMENTS(fwd); i++) {
        ecall(&t, fwd[i][0], fwd[i][1], i == 4 ? SBI_EXT_HSM : 0, 0x80200000, 0);
        g_assert_cmphex(t.m.pc, ==, t.vm.l0_base + L0_OFF_UC_ECALL);
        g_assert_true(mock_m_trap_from_hs(&t, t.vm.l0_base + L0_OFF_UC_ECALL + 4));
        g_assert_cmphex(t.m.pc, ==, 0x80201004);
    }
    /* the IPI OpenSBI raises for L1 arrives as L0's SSIP: L1's VSSIP */
    t.m.csr[CSR_SIP] |= MIP_SSIP;
    mock_trap_from_l1(&t, CAUSE_INTERRUPT | IRQ_S_SOFT, 0x80201000, 0, 0, 0);
    g_assert_true(t.m.csr[CSR_HVIP] & MIP_VSSIP);
    g_assert_false(t.m.csr[CSR_SIP] & MIP_SSIP);
    ecall(&t, SBI_EXT_LEGACY_CLEAR_IPI, 0, 0, 0x77, 0);
    assert_done(&t, 0);
    g_assert_false(t.m.csr[CSR_HVIP] & MIP_VSSIP);
    g_assert_cmphex(t.m.gpr[11], ==, 0x77);            /* legacy: a1 untouched */
    g_assert_cmpuint(t.vm.vcpu[0].stats.exits[EXIT_SBI_IPI], ==, 1);
    g_assert_cmpuint(t.vm.vcpu[0].stats.exits[EXIT_IRQ_SOFTWARE], ==, 1);
    mock_vm_free(&t);
}

static void test_forward(void)
{
    struct mock_vm t;
    mock_vm_boot(&t);
    /* DBCN write of L1 memory: L1's own ecall runs from real HS */
    ecall(&t, SBI_EXT_DBCN, SBI_DBCN_WRITE, 5, 0x80300000, 0);
    g_assert_cmphex(t.m.pc, ==, t.vm.l0_base + L0_OFF_UC_ECALL);
    g_assert_cmpuint(t.m.priv, ==, PRV_S);
    g_assert_cmpuint(t.m.gpr[10], ==, 5);              /* arguments untouched */
    /* OpenSBI's own trap from the ecall is not L0's */
    g_assert_false(mock_m_trap_from_hs(&t, t.vm.l0_base + L0_OFF_UC_ECALL));
    /* OpenSBI returns into the microcode run: left alone */
    t.m.csr[CSR_MEPC] = t.vm.l0_base + L0_OFF_UC_ECALL + 4;
    rvnest_on_mret(t.vc);
    g_assert_cmphex(t.m.csr[CSR_MEPC], ==, t.vm.l0_base + L0_OFF_UC_ECALL + 4);
    g_assert_cmpstr(t.vm.fatal, ==, "");
    /* a guest at V=1 trapping to M from the same address is not L0's */
    t.m.csr[CSR_MSTATUS] = ((uint64_t)PRV_S << MSTATUS_MPP_SHIFT) | MSTATUS_MPV;
    g_assert_false(rvnest_on_m_trap(t.vc, t.vm.l0_base + L0_OFF_UC_ECALL + 4));
    g_assert_cmpuint(t.vc->uc.kind, ==, UCODE_SBI_FORWARD);
    t.m.gpr[10] = 0;
    t.m.gpr[11] = 5;                                   /* OpenSBI's answer */
    t.m.csr[CSR_MSTATUS] = MSTATUS_MPIE;
    g_assert_true(mock_m_trap_from_hs(&t, t.vm.l0_base + L0_OFF_UC_ECALL + 4));
    assert_done(&t, 0);
    g_assert_cmpuint(t.m.gpr[11], ==, 5);
    g_assert_true(t.m.csr[CSR_MSTATUS] & MSTATUS_MIE);
    g_assert_cmpuint(t.vm.vcpu[0].stats.ucode_runs, ==, 1);
    /* a buffer reaching L0 memory is refused without asking OpenSBI */
    ecall(&t, SBI_EXT_DBCN, SBI_DBCN_WRITE, 64, t.vm.l0_base - 32, 0);
    assert_done(&t, SBI_ERR_INVALID_PARAM);
    /* a non-zero high address word: OpenSBI's SBI_ERR_FAILED, checked first */
    ecall(&t, SBI_EXT_DBCN, SBI_DBCN_READ, 16, 0x80300000, 1);
    assert_done(&t, SBI_ERR_FAILED);
    ecall(&t, SBI_EXT_DBCN, SBI_DBCN_WRITE, 64, t.vm.l0_base, 1);
    assert_done(&t, SBI_ERR_FAILED);
    /* the microcode is written afresh before each run (a device may have
     * written L0 memory) */
    uint32_t junk[2] = { 0x12345678, 0x9abcdef0 }, w[2];
    t.m.h.ops->write_phys(&t.m.h, t.vm.l0_base + L0_OFF_UC_ECALL, junk, 8);
    ecall(&t, SBI_EXT_DBCN, SBI_DBCN_WRITE, 5, 0x80300000, 0);
    t.m.h.ops->read_phys(&t.m.h, t.vm.l0_base + L0_OFF_UC_ECALL, w, 8);
    g_assert_cmphex(w[0], ==, 0x00000073);
    g_assert_cmphex(w[1], ==, 0);
    mock_vm_free(&t);
}

/* SMP: a legacy IPI or remote fence names its harts through a pointer into
 * L1's memory; L0 reads the mask through L1's translation and passes the
 * call on as its v0.2 form, then gives L1 back every register but a0. A
 * null pointer means every hart; a pointer L1 cannot read faults for L1. */
static void test_legacy_smp(void)
{
    struct mock_vm t;
    mock_vm_boot(&t);
    t.vm.nharts = 4;
    uint64_t mask = 0x5;
    t.m.h.ops->write_phys(&t.m.h, 0x80300000, &mask, 8);
    t.m.gpr[13] = 0x33;
    ecall(&t, SBI_EXT_LEGACY_SEND_IPI, 0, 0x80300000, 0x11, 0x22);
    g_assert_cmphex(t.m.pc, ==, t.vm.l0_base + L0_OFF_UC_ECALL);
    g_assert_cmpuint(t.vc->uc.kind, ==, UCODE_SBI_LEGACY_MASK);
    g_assert_cmphex(t.m.gpr[17], ==, SBI_EXT_IPI);
    g_assert_cmphex(t.m.gpr[16], ==, 0);
    g_assert_cmphex(t.m.gpr[10], ==, 0x5);
    g_assert_cmphex(t.m.gpr[11], ==, 0);
    t.m.gpr[10] = 0;
    t.m.gpr[11] = 0x99;                                /* OpenSBI's a1 */
    t.m.csr[CSR_MSTATUS] = MSTATUS_MPIE;
    g_assert_true(mock_m_trap_from_hs(&t, t.vm.l0_base + L0_OFF_UC_ECALL + 4));
    assert_done(&t, 0);
    g_assert_cmphex(t.m.gpr[11], ==, 0x11);            /* L1's */
    g_assert_cmphex(t.m.gpr[12], ==, 0x22);
    g_assert_cmphex(t.m.gpr[13], ==, 0x33);
    g_assert_cmphex(t.m.gpr[17], ==, SBI_EXT_LEGACY_SEND_IPI);
    /* remote sfence.vma with a null mask: every hart, start and size moved */
    ecall(&t, SBI_EXT_LEGACY_REMOTE_SFENCE, 0, 0, 0x40000000, 0x2000);
    g_assert_cmphex(t.m.gpr[17], ==, SBI_EXT_RFENCE);
    g_assert_cmphex(t.m.gpr[16], ==, 1);
    g_assert_cmphex(t.m.gpr[10], ==, 0xf);
    g_assert_cmphex(t.m.gpr[11], ==, 0);
    g_assert_cmphex(t.m.gpr[12], ==, 0x40000000);
    g_assert_cmphex(t.m.gpr[13], ==, 0x2000);
    t.m.csr[CSR_MSTATUS] = MSTATUS_MPIE;
    g_assert_true(mock_m_trap_from_hs(&t, t.vm.l0_base + L0_OFF_UC_ECALL + 4));
    /* a mask in L0's memory: L1 takes an access fault at its ecall */
    ecall(&t, SBI_EXT_LEGACY_SEND_IPI, 0, t.vm.l0_base, 0, 0);
    g_assert_cmphex(t.m.csr[CSR_VSCAUSE], ==, EXC_LOAD_ACCESS);
    g_assert_cmphex(t.m.csr[CSR_VSTVAL], ==, t.vm.l0_base);
    g_assert_cmphex(t.m.csr[CSR_VSEPC], ==, 0x80201000);
    g_assert_cmpstr(t.vm.fatal, ==, "");
    mock_vm_free(&t);
}

/* FWFT is OpenSBI's; afterwards L0 follows the menvcfg it may have changed,
 * on the calling hart only (FWFT features are per hart) */
static void test_fwft(void)
{
    struct mock_vm t;
    mock_vm_boot(&t);
    uint64_t boot = t.vm.menvcfg;
    t.vm.nharts = 2;
    t.vm.vcpu[1].vm = &t.vm;
    t.vm.vcpu[1].vcsr.menvcfg = boot | ENVCFG_ADUE;
    t.vm.isa.svadu = true;
    ecall(&t, SBI_EXT_FWFT, 0 /* SET */, 4 /* PTE_AD_HW_UPDATING */, 0, 0);
    g_assert_cmphex(t.m.pc, ==, t.vm.l0_base + L0_OFF_UC_ECALL);
    t.m.csr[CSR_MENVCFG] = ENVCFG_STCE | ENVCFG_CBZE;      /* what OpenSBI did */
    t.m.gpr[10] = 0;
    g_assert_true(mock_m_trap_from_hs(&t, t.vm.l0_base + L0_OFF_UC_ECALL + 4));
    assert_done(&t, 0);
    g_assert_cmphex(t.m.csr[CSR_HENVCFG], ==, ENVCFG_STCE | ENVCFG_CBZE);
    g_assert_cmphex(t.vc->vcsr.menvcfg, ==, ENVCFG_STCE | ENVCFG_CBZE);
    g_assert_false(rvnest_l1_hw_adue(t.vc));
    /* the other hart keeps its own: its G-stage walks still set A/D */
    g_assert_cmphex(t.vm.vcpu[1].vcsr.menvcfg, ==, boot | ENVCFG_ADUE);
    g_assert_true(rvnest_l1_hw_adue(&t.vm.vcpu[1]));
    g_assert_cmphex(t.vm.menvcfg, ==, boot);
    g_assert_cmpuint(t.vm.vcpu[0].stats.exits[EXIT_SBI_FWFT], ==, 1);
    mock_vm_free(&t);
}

static void test_set_timer(void)
{
    struct mock_vm t;
    mock_vm_boot(&t);
    ecall(&t, SBI_EXT_TIME, 0, 123456, 99, 0);
    g_assert_cmphex(t.m.pc, ==, t.vm.l0_base + L0_OFF_UC_VSTIMECMP);
    g_assert_cmpuint(t.m.gpr[10], ==, 123456);        /* csrw vstimecmp, a0 */
    /* the microcode word really is csrw vstimecmp, a0 */
    uint32_t w;
    t.m.h.ops->read_phys(&t.m.h, t.vm.l0_base + L0_OFF_UC_VSTIMECMP, &w, 4);
    g_assert_cmphex(w, ==, 0x24d51073);
    g_assert_true(mock_m_trap_from_hs(&t, t.vm.l0_base + L0_OFF_UC_VSTIMECMP + 4));
    assert_done(&t, 0);
    g_assert_cmpuint(t.m.gpr[11], ==, 0);
    ecall(&t, SBI_EXT_LEGACY_SET_TIMER, 0, 5, 77, 0);
    g_assert_true(mock_m_trap_from_hs(&t, t.vm.l0_base + L0_OFF_UC_VSTIMECMP + 4));
    assert_done(&t, 0);
    g_assert_cmpuint(t.m.gpr[11], ==, 77);
    mock_vm_free(&t);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/sbi/local", test_local);
    g_test_add_func("/sbi/forward", test_forward);
    g_test_add_func("/sbi/set-timer", test_set_timer);
    g_test_add_func("/sbi/fwft", test_fwft);
    g_test_add_func("/sbi/legacy-smp", test_legacy_smp);
    return g_test_run();
}
