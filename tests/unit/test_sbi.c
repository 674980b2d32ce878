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

/* The same with a3-a5 too. */
static void ecall6(struct mock_vm *t, long ext, long fid, const uint64_t a[6])
{
    for (unsigned i = 3; i < 6; i++)
        t->m.gpr[10 + i] = a[i];
    ecall(t, ext, fid, a[0], a[1], a[2]);
}

/* The ecall went to OpenSBI as it was (a microcode run of that kind from
 * real HS); OpenSBI answers err, value and L1 resumes after its ecall. */
static void assert_forwarded(struct mock_vm *t, enum rvnest_ucode kind, long err, uint64_t value)
{
    g_assert_cmphex(t->m.pc, ==, t->vm.l0_base + L0_OFF_UC_ECALL);
    g_assert_cmpuint(t->m.priv, ==, PRV_S);
    g_assert_cmpuint(t->vc->uc.kind, ==, kind);
    t->m.gpr[10] = (uint64_t)err;
    t->m.gpr[11] = value;
    g_assert_true(mock_m_trap_from_hs(t, t->vm.l0_base + L0_OFF_UC_ECALL + 4));
    assert_done(t, err);
    g_assert_cmphex(t->m.gpr[11], ==, value);
    g_assert_cmpstr(t->vm.fatal, ==, "");
}

/* A call OpenSBI answers whole: a0-a2 reach it as L1 gave them, its answer
 * reaches L1. */
static void forwarded_call(struct mock_vm *t, long ext, long fid, const uint64_t a[3], long err,
                           uint64_t value)
{
    ecall(t, ext, fid, a[0], a[1], a[2]);
    for (unsigned r = 0; r < 3; r++)
        g_assert_cmphex(t->m.gpr[10 + r], ==, a[r]);
    assert_forwarded(t, UCODE_SBI_FORWARD, err, value);
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

/* An extension id in no table row: not supported, from L0 (a1 = 0). */
static void test_unsupported(void)
{
    struct mock_vm t;
    mock_vm_boot(&t);
    ecall(&t, 0x0a000001, 3, 1, 2, 3);
    assert_done(&t, SBI_ERR_NOT_SUPPORTED);
    g_assert_cmpuint(t.m.gpr[11], ==, 0);
    g_assert_cmpuint(t.vc->stats.exits[EXIT_SBI_UNSUPPORTED], ==, 1);
    g_assert_cmpuint(t.vc->stats.ucode_runs, ==, 0);
    mock_vm_free(&t);
}

/* BASE probe_extension for each row of the table and around it: L0 answers
 * 1 for what it implements, asks OpenSBI for what it forwards (L1's a0 as
 * it was, OpenSBI's answer L1's) and hides everything else. */
static void test_base_probe(void)
{
    enum { HIDDEN, L0_ONE, FORWARD };
    static const struct { unsigned long ext; int answer; } rows[] = {
        { SBI_EXT_LEGACY_SET_TIMER, FORWARD }, { SBI_EXT_LEGACY_PUTCHAR, FORWARD },
        { SBI_EXT_LEGACY_GETCHAR, FORWARD }, { SBI_EXT_LEGACY_CLEAR_IPI, FORWARD },
        { SBI_EXT_LEGACY_SEND_IPI, FORWARD }, { SBI_EXT_LEGACY_REMOTE_FENCE_I, FORWARD },
        { SBI_EXT_LEGACY_REMOTE_SFENCE, FORWARD }, { SBI_EXT_LEGACY_REMOTE_SFENCE_ASID, FORWARD },
        { SBI_EXT_LEGACY_SHUTDOWN, FORWARD },
        { SBI_EXT_BASE, L0_ONE }, { SBI_EXT_TIME, L0_ONE },
        { SBI_EXT_IPI, FORWARD }, { SBI_EXT_RFENCE, FORWARD }, { SBI_EXT_HSM, FORWARD },
        { SBI_EXT_SRST, FORWARD }, { SBI_EXT_DBCN, FORWARD }, { SBI_EXT_FWFT, FORWARD },
        { SBI_EXT_LEGACY_SHUTDOWN + 1, HIDDEN }, { 0x504D55 /* PMU */, HIDDEN },
        { 0x535345 /* SSE */, HIDDEN }, { 0x44425452 /* DBTR */, HIDDEN },
        { 0x53555350 /* SUSP */, HIDDEN }, { 0x43505043 /* CPPC */, HIDDEN },
        { 0x4E41434C /* NACL */, L0_ONE }, { 0x535441 /* STA */, HIDDEN },
    };
    struct mock_vm t;
    mock_vm_boot(&t);
    for (unsigned i = 0; i < G_N_ELEMENTS(rows); i++) {
        ecall(&t, SBI_EXT_BASE, SBI_BASE_PROBE_EXT, rows[i].ext, 0x55, 0);
        if (rows[i].answer == FORWARD) {
            g_assert_cmphex(t.m.gpr[10], ==, rows[i].ext);
            g_assert_cmphex(t.m.gpr[11], ==, 0x55);
            assert_forwarded(&t, UCODE_SBI_FORWARD, SBI_SUCCESS, 1);
        } else {
            assert_done(&t, SBI_SUCCESS);
            g_assert_cmpuint(t.m.gpr[11], ==, rows[i].answer == L0_ONE);
        }
    }
    g_assert_cmpuint(t.vc->stats.exits[EXIT_SBI_BASE], ==, G_N_ELEMENTS(rows));
    mock_vm_free(&t);
}

/* BASE's version and identity queries are OpenSBI's: L1 sees its real
 * firmware. */
static void test_base_forward(void)
{
    struct mock_vm t;
    mock_vm_boot(&t);
    static const long fids[] = { SBI_BASE_GET_SPEC_VERSION, 1, 2, 4, 5, 6 };
    for (unsigned i = 0; i < G_N_ELEMENTS(fids); i++)
        forwarded_call(&t, SBI_EXT_BASE, fids[i], (const uint64_t[3]){ 0 }, SBI_SUCCESS, 0x2000000 + i);
    g_assert_cmpuint(t.vc->stats.exits[EXIT_SBI_BASE], ==, G_N_ELEMENTS(fids));
    mock_vm_free(&t);
}

/* TIME has set_timer only: any other function is not supported, from L0. */
static void test_time_other_fid(void)
{
    struct mock_vm t;
    mock_vm_boot(&t);
    ecall(&t, SBI_EXT_TIME, 1, 123456, 99, 0);
    assert_done(&t, SBI_ERR_NOT_SUPPORTED);
    g_assert_cmpuint(t.m.gpr[11], ==, 0);
    g_assert_cmpuint(t.vc->stats.ucode_runs, ==, 0);
    g_assert_cmpuint(t.vc->stats.exits[EXIT_SBI_TIME], ==, 1);
    mock_vm_free(&t);
}

/* IPI is OpenSBI's: the hart mask as L1 gave it, OpenSBI's answer (a bad
 * mask too) L1's. */
static void test_ipi_forward(void)
{
    struct mock_vm t;
    mock_vm_boot(&t);
    forwarded_call(&t, SBI_EXT_IPI, 0, (const uint64_t[3]){ 0x1, 0 }, SBI_SUCCESS, 0);
    forwarded_call(&t, SBI_EXT_IPI, 0, (const uint64_t[3]){ 0x1, 5 }, SBI_ERR_INVALID_PARAM, 0);
    g_assert_cmpuint(t.vc->stats.exits[EXIT_SBI_IPI], ==, 2);
    mock_vm_free(&t);
}

/* RFENCE is OpenSBI's. A remote HFENCE.GVMA(.VMID) runs in M-mode, unseen
 * by L0, so L0 drops the shadow G-stage entries it names first: the range
 * (a2, a3) of the VMID in a4, or of all; the whole address space (and the
 * contexts) when a2 = a3 = 0 or a3 is all ones; nothing for an empty
 * range; the other fences leave the shadows alone. */
static void test_rfence_hfence_gvma(void)
{
    struct mock_vm t;
    mock_vm_boot(&t);
    struct rvnest_stats *st = &t.vc->stats;
    unsigned c3, c5;
    rvnest_shadow_hgatp(t.vc, (8ull << 60) | (3ull << HGATP_VMID_SHIFT) | (0x81000000 >> 12), &c3);
    rvnest_shadow_hgatp(t.vc, (8ull << 60) | (5ull << HGATP_VMID_SHIFT) | (0x81004000 >> 12), &c5);
    g_assert_cmpuint(c3, !=, c5);
    uint64_t invals = st->shadow_invalidations, drops = st->shadow_drops;
    /* sfence.vma: nothing for L0 */
    ecall6(&t, SBI_EXT_RFENCE, 1, (const uint64_t[6]){ 1, 0, 0x1000, 0x1000, 3, 0 });
    assert_forwarded(&t, UCODE_SBI_FORWARD, SBI_SUCCESS, 0);
    g_assert_cmpuint(st->shadow_invalidations, ==, invals);
    /* hfence.gvma_vmid, VMID 3, one page: that range only (no context
     * emptied), the arguments untouched */
    ecall6(&t, SBI_EXT_RFENCE, SBI_RFENCE_HFENCE_GVMA_VMID, (const uint64_t[6]){ 1, 0, 0x1000, 0x1000, 3, 0 });
    g_assert_cmphex(t.m.gpr[14], ==, 3);
    g_assert_cmphex(t.m.gpr[12], ==, 0x1000);
    assert_forwarded(&t, UCODE_SBI_FORWARD, SBI_SUCCESS, 0);
    g_assert_cmpuint(st->shadow_invalidations, ==, invals + 1);
    g_assert_cmpuint(st->shadow_drops, ==, drops);
    g_assert_cmphex(t.vc->inval.last.addr, ==, 0x1000);
    g_assert_cmphex(t.vc->inval.last.size, ==, 0x1000);
    g_assert_false(t.vc->inval.last.all_addr);
    /* an empty range names nothing */
    ecall6(&t, SBI_EXT_RFENCE, SBI_RFENCE_HFENCE_GVMA_VMID, (const uint64_t[6]){ 1, 0, 0x1000, 0, 3, 0 });
    assert_forwarded(&t, UCODE_SBI_FORWARD, SBI_SUCCESS, 0);
    g_assert_cmpuint(st->shadow_invalidations, ==, invals + 1);
    /* the whole space of VMID 3: start and size 0, or size all ones */
    ecall6(&t, SBI_EXT_RFENCE, SBI_RFENCE_HFENCE_GVMA_VMID, (const uint64_t[6]){ 1, 0, 0, 0, 3, 0 });
    assert_forwarded(&t, UCODE_SBI_FORWARD, SBI_SUCCESS, 0);
    g_assert_cmpuint(st->shadow_drops, ==, drops + 1);
    ecall6(&t, SBI_EXT_RFENCE, SBI_RFENCE_HFENCE_GVMA_VMID, (const uint64_t[6]){ 1, 0, 0x5000, ~0ull, 3, 0 });
    assert_forwarded(&t, UCODE_SBI_FORWARD, SBI_SUCCESS, 0);
    g_assert_true(t.vc->inval.last.all_addr);
    /* hfence.gvma: every VMID */
    ecall6(&t, SBI_EXT_RFENCE, SBI_RFENCE_HFENCE_GVMA, (const uint64_t[6]){ 1, 0, 0, 0, 0, 0 });
    assert_forwarded(&t, UCODE_SBI_FORWARD, SBI_SUCCESS, 0);
    g_assert_cmpuint(st->shadow_invalidations, ==, invals + 4);
    g_assert_true(t.vc->inval.last.all_id);
    g_assert_cmpuint(st->exits[EXIT_SBI_RFENCE], ==, 6);
    mock_vm_free(&t);
}

/* HSM: every call is OpenSBI's (its hart-id, address and state checks are
 * the native ones), the arguments as L1 gave them, its answers L1's. */
static void test_hsm_forward(void)
{
    static const struct { long fid; uint64_t a[3]; long err; uint64_t value; } calls[] = {
        { SBI_HSM_HART_GET_STATUS, { 0, 0, 0 }, SBI_SUCCESS, SBI_HSM_STATE_STARTED },
        { SBI_HSM_HART_GET_STATUS, { 7, 0, 0 }, SBI_ERR_INVALID_PARAM, 0 },
        { SBI_HSM_HART_START, { 0, 0x80200000, 0x1234 }, SBI_ERR_ALREADY_AVAILABLE, 0 },
        { SBI_HSM_HART_SUSPEND, { 0, 0x80200000, 0x1234 }, SBI_SUCCESS, 0 },
        { SBI_HSM_HART_STOP, { 0, 0, 0 }, SBI_ERR_FAILED, 0 },
    };
    struct mock_vm t;
    mock_vm_boot(&t);
    for (unsigned i = 0; i < G_N_ELEMENTS(calls); i++)
        forwarded_call(&t, SBI_EXT_HSM, calls[i].fid, calls[i].a, calls[i].err, calls[i].value);
    g_assert_cmpuint(t.vc->stats.exits[EXIT_SBI_HSM], ==, G_N_ELEMENTS(calls));
    mock_vm_free(&t);
}

/* The firmware entry into HS that ends an HSM call on the mock hart:
 * OpenSBI's warm boot rewrote mstatus (real sstatus = sstatus), its mode
 * switch wrote stvec = entry, sscratch = sie = satp = 0 and mrets there
 * with a0 = hart id, a1 = opaque. */
static void hsm_firmware_entry(struct mock_vm *t, uint64_t entry, uint64_t sstatus, uint64_t opaque)
{
    struct mock_hart *m = &t->m;
    m->priv = PRV_M;
    m->csr[CSR_SSTATUS] = sstatus;
    m->csr[CSR_STVEC] = entry;
    m->csr[CSR_SSCRATCH] = 0;
    m->csr[CSR_SIE] = 0;
    m->csr[CSR_SATP] = 0;
    m->csr[CSR_MSTATUS] = (uint64_t)PRV_S << MSTATUS_MPP_SHIFT;
    m->csr[CSR_MEPC] = entry;
    m->gpr[10] = 0;
    m->gpr[11] = opaque;
    rvnest_on_mret(t->vc);
    g_assert_cmpstr(t->vm.fatal, ==, "");
    g_assert_true(m->csr[CSR_MSTATUS] & MSTATUS_MPV);
    g_assert_cmphex(m->csr[CSR_MEPC], ==, entry);
    g_assert_cmphex(m->gpr[11], ==, opaque);
    g_assert_cmphex(m->csr[CSR_VSTVEC], ==, entry);
    g_assert_cmphex(m->csr[CSR_VSSCRATCH], ==, 0);
    g_assert_cmphex(m->csr[CSR_VSATP], ==, 0);
    g_assert_cmpuint(t->vc->uc.kind, ==, UCODE_NONE);
}

/* L1 left its sstatus, hie and hvip dirty. */
#define DIRTY_SSTATUS (MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_SUM | MSTATUS_MXR | MSTATUS_FS)
#define DIRTY_HIE (MIP_VSTIP | MIP_SGEIP)
#define DIRTY_HVIP (MIP_VSSIP | MIP_VSEIP)
static void l1_dirty(struct mock_vm *t)
{
    t->m.csr[CSR_VSSTATUS] = DIRTY_SSTATUS;
    t->vc->vcsr.val[VCSR_HIE] = DIRTY_HIE;
    t->vc->vcsr.val[VCSR_HVIP] = DIRTY_HVIP;
}

/* What L1 finds at a hart start and at a non-retentive resume: natively
 * the firmware's warm boot rewrote mstatus (L1's sstatus is the firmware's,
 * SIE, SPIE, SPP, SUM, MXR clear) for both; a start (after hart_stop) comes
 * with mie and mip zero (L1's hie and hvip), a resume with them as L1 left
 * them. The entry is told apart by the HSM call the hart was in. */
static void test_hsm_entry_registers(void)
{
    struct mock_vm t;
    mock_vm_boot(&t);
    const uint64_t fw_sstatus = MSTATUS_FS | (2ull << 32);     /* OpenSBI's: FS, UXL=64 */
    for (unsigned round = 0; round < 3; round++) {
        /* non-retentive suspend (the type does not matter to L0: the
         * entry that ends a suspend is a resume) */
        l1_dirty(&t);
        ecall(&t, SBI_EXT_HSM, SBI_HSM_HART_SUSPEND, 0x80000000ull | round, 0x80300000, 0x1234);
        g_assert_cmpuint(t.vc->uc.kind, ==, UCODE_SBI_FORWARD);
        hsm_firmware_entry(&t, 0x80300000, fw_sstatus, 0x1234);
        g_assert_cmphex(t.m.csr[CSR_VSSTATUS], ==, fw_sstatus);
        g_assert_cmphex(t.vc->vcsr.val[VCSR_HIE], ==, DIRTY_HIE);
        g_assert_cmphex(t.vc->vcsr.val[VCSR_HVIP], ==, DIRTY_HVIP);
        /* a retentive suspend returns through its microcode run: no entry */
        ecall(&t, SBI_EXT_HSM, SBI_HSM_HART_SUSPEND, 0, 0x80300000, 0);
        assert_forwarded(&t, UCODE_SBI_FORWARD, SBI_SUCCESS, 0);
        g_assert_cmphex(t.m.csr[CSR_VSSTATUS], ==, fw_sstatus);
        /* hart_stop, then another hart starts this one */
        l1_dirty(&t);
        ecall(&t, SBI_EXT_HSM, SBI_HSM_HART_STOP, 0, 0, 0);
        g_assert_cmpuint(t.vc->uc.kind, ==, UCODE_SBI_FORWARD);
        hsm_firmware_entry(&t, 0x80400000, fw_sstatus, 0x5678);
        g_assert_cmphex(t.m.csr[CSR_VSSTATUS], ==, fw_sstatus);
        g_assert_cmphex(t.vc->vcsr.val[VCSR_HIE], ==, 0);
        g_assert_cmphex(t.vc->vcsr.val[VCSR_HVIP] & VS_MODE_INTERRUPTS, ==, 0);
    }
    g_assert_cmpuint(t.vc->l1_entries, ==, 7);
    mock_vm_free(&t);
}

/* SRST is OpenSBI's: a reset it refuses comes back to L1 as it answered. */
static void test_srst_forward(void)
{
    struct mock_vm t;
    mock_vm_boot(&t);
    /* the time of the call is noted for the reset rule (rvnest_reset_is_new) */
    t.m.csr[CSR_TIME] = 123456789;
    forwarded_call(&t, SBI_EXT_SRST, 0, (const uint64_t[3]){ 0xf0000000 /* reserved type */ },
                   SBI_ERR_INVALID_PARAM, 0);
    g_assert_cmpuint(t.vc->stats.exits[EXIT_SBI_SRST], ==, 1);
    g_assert_cmpuint(t.vm.reset_time, ==, 123456789);
    mock_vm_free(&t);
}

/* DBCN's address checks: only write and read name a buffer. One ending
 * right below L0's memory, or empty, is OpenSBI's; one reaching into it or
 * wrapping around is refused by L0. */
static void test_dbcn_ranges(void)
{
    struct mock_vm t;
    mock_vm_boot(&t);
    uint64_t l0 = t.vm.l0_base;
    forwarded_call(&t, SBI_EXT_DBCN, SBI_DBCN_WRITE_BYTE, (const uint64_t[3]){ 'x', l0, 1 }, SBI_SUCCESS, 0);
    forwarded_call(&t, SBI_EXT_DBCN, SBI_DBCN_WRITE, (const uint64_t[3]){ 32, l0 - 32 }, SBI_SUCCESS, 32);
    forwarded_call(&t, SBI_EXT_DBCN, SBI_DBCN_READ, (const uint64_t[3]){ 0, l0 }, SBI_SUCCESS, 0);
    const struct { long fid; uint64_t len, base; } refused[] = {
        { SBI_DBCN_WRITE, 33, l0 - 32 },               /* one byte of L0's */
        { SBI_DBCN_READ, 16, l0 + 0x1000 },
        { SBI_DBCN_WRITE, 16, ~0ull - 7 },             /* wraps around */
    };
    for (unsigned i = 0; i < G_N_ELEMENTS(refused); i++) {
        ecall(&t, SBI_EXT_DBCN, refused[i].fid, refused[i].len, refused[i].base, 0);
        assert_done(&t, SBI_ERR_INVALID_PARAM);
        g_assert_cmpuint(t.m.gpr[11], ==, 0);
    }
    g_assert_cmpuint(t.vc->stats.exits[EXIT_SBI_DBCN], ==, 3 + G_N_ELEMENTS(refused));
    g_assert_cmpuint(t.vc->stats.ucode_runs, ==, 3);
    mock_vm_free(&t);
}

/* Legacy calls on one hart: send_ipi and the remote fences need no mask
 * (this hart is the only target); L0 answers in a0 only, a1 untouched. */
static void test_legacy_one_hart(void)
{
    struct mock_vm t;
    mock_vm_boot(&t);
    ecall(&t, SBI_EXT_LEGACY_SEND_IPI, 0, 0x80300000, 0x77, 0);
    assert_done(&t, SBI_SUCCESS);
    g_assert_true(t.m.csr[CSR_HVIP] & MIP_VSSIP);
    g_assert_cmphex(t.m.gpr[11], ==, 0x77);
    static const long fences[] = { SBI_EXT_LEGACY_REMOTE_FENCE_I, SBI_EXT_LEGACY_REMOTE_SFENCE,
                                   SBI_EXT_LEGACY_REMOTE_SFENCE_ASID };
    for (unsigned i = 0; i < G_N_ELEMENTS(fences); i++) {
        ecall(&t, fences[i], 0, 0x80300000, 0x40000000, 0x2000);
        assert_done(&t, SBI_SUCCESS);
        g_assert_cmphex(t.m.gpr[11], ==, 0x40000000);
    }
    g_assert_cmpuint(t.vc->stats.ucode_runs, ==, 0);
    g_assert_cmpuint(t.vc->stats.exits[EXIT_SBI_LEGACY], ==, 1 + G_N_ELEMENTS(fences));
    mock_vm_free(&t);
}

/* Legacy console and shutdown are OpenSBI's, as L1 made them. */
static void test_legacy_forward(void)
{
    struct mock_vm t;
    mock_vm_boot(&t);
    forwarded_call(&t, SBI_EXT_LEGACY_PUTCHAR, 0, (const uint64_t[3]){ 'a', 0x77 }, SBI_SUCCESS, 0x77);
    forwarded_call(&t, SBI_EXT_LEGACY_GETCHAR, 0, (const uint64_t[3]){ 0, 0x77 }, 'b', 0x77);
    ecall(&t, SBI_EXT_LEGACY_SHUTDOWN, 0, 0, 0, 0);
    g_assert_cmphex(t.m.pc, ==, t.vm.l0_base + L0_OFF_UC_ECALL);
    g_assert_cmpuint(t.vc->uc.kind, ==, UCODE_SBI_FORWARD);
    g_assert_cmpuint(t.vc->stats.exits[EXIT_SBI_LEGACY], ==, 3);
    mock_vm_free(&t);
}

/* SMP: remote_fence_i goes on as RFENCE fence_i (fid 0) with the mask
 * only; remote_sfence_vma_asid as fid 2 with start, size and ASID moved
 * up; afterwards L1 has its registers back but a0. */
static void test_legacy_smp_fences(void)
{
    struct mock_vm t;
    mock_vm_boot(&t);
    t.vm.nharts = 4;
    mock_write64(&t.m, 0x80300000, 0x6);
    ecall6(&t, SBI_EXT_LEGACY_REMOTE_FENCE_I, 0, (const uint64_t[6]){ 0x80300000, 0x11, 0x22, 0x33, 0x44, 0x55 });
    static const uint64_t fence_i[8] = { 0x6, 0, 0, 0, 0, 0, 0, SBI_EXT_RFENCE };
    for (unsigned r = 0; r < 8; r++)
        g_assert_cmphex(t.m.gpr[10 + r], ==, fence_i[r]);
    g_assert_cmpuint(t.vc->uc.kind, ==, UCODE_SBI_LEGACY_MASK);
    t.m.gpr[10] = 0;
    g_assert_true(mock_m_trap_from_hs(&t, t.vm.l0_base + L0_OFF_UC_ECALL + 4));
    assert_done(&t, SBI_SUCCESS);
    static const uint64_t back[7] = { 0x11, 0x22, 0x33, 0x44, 0x55, 0, SBI_EXT_LEGACY_REMOTE_FENCE_I };
    for (unsigned r = 0; r < 7; r++)
        g_assert_cmphex(t.m.gpr[11 + r], ==, back[r]);
    ecall6(&t, SBI_EXT_LEGACY_REMOTE_SFENCE_ASID, 0,
           (const uint64_t[6]){ 0x80300000, 0x40000000, 0x3000, 9, 0x44, 0x55 });
    static const uint64_t asid[8] = { 0x6, 0, 0x40000000, 0x3000, 9, 0, 2, SBI_EXT_RFENCE };
    for (unsigned r = 0; r < 8; r++)
        g_assert_cmphex(t.m.gpr[10 + r], ==, asid[r]);
    t.m.gpr[10] = 0;
    g_assert_true(mock_m_trap_from_hs(&t, t.vm.l0_base + L0_OFF_UC_ECALL + 4));
    assert_done(&t, SBI_SUCCESS);
    g_assert_cmphex(t.m.gpr[13], ==, 9);
    g_assert_cmphex(t.m.gpr[14], ==, 0x44);
    g_assert_cmphex(t.m.gpr[17], ==, SBI_EXT_LEGACY_REMOTE_SFENCE_ASID);
    g_assert_cmpstr(t.vm.fatal, ==, "");
    mock_vm_free(&t);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/sbi/local", test_local);
    g_test_add_func("/sbi/unsupported", test_unsupported);
    g_test_add_func("/sbi/base/probe", test_base_probe);
    g_test_add_func("/sbi/base/forward", test_base_forward);
    g_test_add_func("/sbi/time/set-timer", test_set_timer);
    g_test_add_func("/sbi/time/other-fid", test_time_other_fid);
    g_test_add_func("/sbi/ipi/forward", test_ipi_forward);
    g_test_add_func("/sbi/rfence/hfence-gvma", test_rfence_hfence_gvma);
    g_test_add_func("/sbi/hsm/forward", test_hsm_forward);
    g_test_add_func("/sbi/hsm/entry-registers", test_hsm_entry_registers);
    g_test_add_func("/sbi/srst/forward", test_srst_forward);
    g_test_add_func("/sbi/dbcn/forward", test_forward);
    g_test_add_func("/sbi/dbcn/ranges", test_dbcn_ranges);
    g_test_add_func("/sbi/fwft/envcfg", test_fwft);
    g_test_add_func("/sbi/legacy/smp-mask", test_legacy_smp);
    g_test_add_func("/sbi/legacy/smp-fences", test_legacy_smp_fences);
    g_test_add_func("/sbi/legacy/one-hart", test_legacy_one_hart);
    g_test_add_func("/sbi/legacy/forward", test_legacy_forward);
    return g_test_run();
}
