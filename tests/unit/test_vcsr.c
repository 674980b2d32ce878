/* L1's virtual H CSRs: the interrupt views as QEMU computes them, Sstc
 * VSTIP, hstateen and the mstateen gate, and the trap state that decides
 * hedeleg (shadow-csr/vcsr.c, nested/engine.c). */
#include "mock_hart.h"
#include "rvnest/csr.h"
#include "rvnest/decode.h"

#define CSRRW(csr, rd, rs1) (((uint32_t)(csr) << 20) | ((rs1) << 15) | (1u << 12) | ((rd) << 7) | 0x73)
#define CSRRS(csr, rd, rs1) (((uint32_t)(csr) << 20) | ((rs1) << 15) | (2u << 12) | ((rd) << 7) | 0x73)

static uint64_t pc = 0x80201000;

static uint64_t rd(struct mock_vm *t, unsigned csr)
{
    mock_trap_from_l1(t, EXC_VIRTUAL_INST, pc, CSRRS(csr, 8, 0), 0, 0);
    pc += 4;
    return t->m.gpr[8];
}

static void wr(struct mock_vm *t, unsigned csr, uint64_t v)
{
    t->m.gpr[9] = v;
    mock_trap_from_l1(t, EXC_VIRTUAL_INST, pc, CSRRW(csr, 0, 9), 0, 0);
    pc += 4;
}

static void test_interrupt_views(void)
{
    struct mock_vm t;
    mock_vm_boot(&t);
    struct mock_hart *m = &t.m;
    /* L1's own pending bits come from the real hart: its SSIP is the real
     * VSSIP, its STIP the real VSTIP, SEIP the PLIC line, M bits as they are */
    m->csr[CSR_MIP] = MIP_VSSIP | MIP_VSTIP | MIP_SEIP | (1u << 7);
    g_assert_cmphex(rd(&t, CSR_HVIP), ==, MIP_SSIP | MIP_STIP | MIP_SEIP | (1u << 7));
    /* hip shows only VS|SGEI bits; L1's own bits are not there */
    g_assert_cmphex(rd(&t, CSR_HIP), ==, 0);
    m->csr[CSR_MIP] = 0;
    /* hvip: VS bits and LCOFIP writable, nothing else */
    wr(&t, CSR_HVIP, ~0ull);
    g_assert_cmphex(rd(&t, CSR_HVIP), ==, VS_MODE_INTERRUPTS | (1u << 13));
    g_assert_cmphex(rd(&t, CSR_HIP), ==, VS_MODE_INTERRUPTS);
    g_assert_cmphex(rd(&t, CSR_VSIP), ==, 0);              /* nothing delegated */
    wr(&t, CSR_HIDELEG, MIP_VSSIP | MIP_VSEIP);
    g_assert_cmphex(rd(&t, CSR_VSIP), ==, (MIP_VSSIP | MIP_VSEIP) >> 1);
    /* hip writes only VSSIP; vsip only VSSIP under hideleg */
    wr(&t, CSR_HIP, 0);
    g_assert_cmphex(rd(&t, CSR_HVIP), ==, MIP_VSTIP | MIP_VSEIP | (1u << 13));
    wr(&t, CSR_VSIP, 2);
    g_assert_true(rd(&t, CSR_HVIP) & MIP_VSSIP);
    /* hie: VS and SGEI bits; vsie: hie under hideleg, shifted */
    wr(&t, CSR_HIE, ~0ull);
    g_assert_cmphex(rd(&t, CSR_HIE), ==, VS_MODE_INTERRUPTS | MIP_SGEIP);
    g_assert_cmphex(rd(&t, CSR_VSIE), ==, (MIP_VSSIP | MIP_VSEIP) >> 1);
    wr(&t, CSR_VSIE, 0);
    g_assert_cmphex(rd(&t, CSR_HIE), ==, MIP_VSTIP | MIP_SGEIP);
    /* real hvip and hie are L0's: untouched by L1's virtual ones */
    g_assert_false(m->csr[CSR_HVIP] & MIP_VSTIP);
    g_assert_cmpstr(t.vm.fatal, ==, "");
    mock_vm_free(&t);
}

static void test_sstc_vstip(void)
{
    struct mock_vm t;
    mock_vm_boot(&t);
    struct mock_hart *m = &t.m;
    m->csr[CSR_TIME] = 1000;
    wr(&t, CSR_VSTIMECMP, 1500);
    wr(&t, CSR_HENVCFG, ENVCFG_STCE);
    g_assert_cmphex(rd(&t, CSR_HIP), ==, 0);
    wr(&t, CSR_HTIMEDELTA, 500);                            /* time + delta reaches it */
    g_assert_cmphex(rd(&t, CSR_HIP), ==, MIP_VSTIP);
    g_assert_cmphex(rd(&t, CSR_HVIP) & MIP_VSTIP, ==, 0);   /* hvip does not show it */
    wr(&t, CSR_HIDELEG, MIP_VSTIP);
    g_assert_cmphex(rd(&t, CSR_VSIP), ==, MIP_STIP);
    /* QEMU drops a write of hvip.VSTIP alone while the Sstc timer is
     * pending, not one that also touches other bits */
    t.m.gpr[9] = MIP_VSTIP;
    mock_trap_from_l1(&t, EXC_VIRTUAL_INST, pc, CSRRS(CSR_HVIP, 0, 9), 0, 0);
    pc += 4;
    g_assert_cmphex(rd(&t, CSR_HVIP) & MIP_VSTIP, ==, 0);
    wr(&t, CSR_HVIP, MIP_VSTIP | MIP_VSSIP);
    g_assert_cmphex(rd(&t, CSR_HVIP) & VS_MODE_INTERRUPTS, ==, MIP_VSTIP | MIP_VSSIP);
    wr(&t, CSR_HVIP, 0);
    wr(&t, CSR_HENVCFG, 0);                                 /* STCE off: no Sstc timer */
    g_assert_cmphex(rd(&t, CSR_HIP), ==, 0);
    /* QEMU's timer: armed when STCE goes on (990 + 500 < 1500: fires 10
     * ticks later), latched when it fires */
    m->csr[CSR_TIME] = 990;
    wr(&t, CSR_HENVCFG, ENVCFG_STCE);
    g_assert_cmphex(rd(&t, CSR_HIP), ==, 0);
    m->csr[CSR_TIME] = 1000;
    g_assert_cmphex(rd(&t, CSR_HIP), ==, MIP_VSTIP);
    wr(&t, CSR_HTIMEDELTA, 0);                              /* re-evaluated: 1000 < 1500 */
    g_assert_cmphex(rd(&t, CSR_HIP), ==, 0);
    /* time + htimedelta = 500, vstimecmp = 2^64 - 100: not pending, and the
     * timer is ~2^64 ticks away, beyond QEMU's nanosecond timer: it never
     * fires (a deadline computed modulo 2^64 would lie in the past and
     * fire at once, forever) */
    wr(&t, CSR_HTIMEDELTA, -500ull);
    wr(&t, CSR_VSTIMECMP, -100ull);
    wr(&t, CSR_HIE, MIP_VSTIP);                             /* L1 waits for it itself */
    g_assert_cmphex(m->pc, ==, pc);                         /* no HS timer armed */
    g_assert_false(m->csr[CSR_SIE] & MIP_STIP);
    m->csr[CSR_TIME] = 1ull << 40;
    g_assert_cmphex(rd(&t, CSR_HIP), ==, 0);
    mock_vm_free(&t);
}

static void test_hstateen(void)
{
    struct mock_vm t;
    /* without Smstateen: hstateen0 is not there */
    mock_vm_boot(&t);
    rd(&t, CSR_HSTATEEN0);
    g_assert_cmpuint(t.m.csr[CSR_VSCAUSE], ==, EXC_ILLEGAL_INST);
    mock_vm_free(&t);
    /* with it: probed, and gated by the firmware's mstateen (STATEEN bit;
     * henvcfg by HSENVCFG) */
    mock_hart_init(&t.m);
    struct mock_machine mm = { .ram_size = 1ull << 30, .fdt_pa = 0xbfe00000 };
    t.m.smstateen = true;
    t.m.csr[CSR_MSTATEEN0] = (1ull << 63) | (1ull << 62);
    g_assert_true(mock_vm_boot_with_hart(&t, &mm));
    g_assert_cmphex(t.m.csr[CSR_HSTATEEN0], ==, ~0ull);     /* L1's own accesses pass */
    wr(&t, CSR_HSTATEEN0, 0x8000000000000001ull);
    g_assert_cmphex(rd(&t, CSR_HSTATEEN0), ==, 0x8000000000000001ull);
    g_assert_cmphex(t.m.csr[CSR_HSTATEEN0], ==, ~0ull);     /* the real one is L0's */
    rd(&t, CSR_HSTATEEN0 + 1);                                  /* mstateen1.STATEEN = 0 */
    g_assert_cmpuint(t.m.csr[CSR_VSCAUSE], ==, EXC_ILLEGAL_INST);
    t.m.csr[CSR_MSTATEEN0] = 1ull << 63;                    /* HSENVCFG off */
    uint64_t before = t.m.csr[CSR_VSEPC];
    rd(&t, CSR_HENVCFG);
    g_assert_cmpuint(t.m.csr[CSR_VSCAUSE], ==, EXC_ILLEGAL_INST);
    g_assert_cmphex(t.m.csr[CSR_VSEPC], !=, before);
    mock_vm_free(&t);
}

static void test_trap_state(void)
{
    struct mock_vm t;
    mock_vm_boot(&t);
    struct mock_hart *m = &t.m;
    uint64_t clean = m->csr[CSR_HEDELEG];
    g_assert_true(clean & (1u << EXC_ILLEGAL_INST));
    /* L1 writes htval: a native trap would clear it, hardware delegation
     * would not, so L0 takes every exception */
    wr(&t, CSR_HTVAL, 0x1234);
    g_assert_cmphex(m->csr[CSR_HEDELEG], ==, 0);
    m->csr[CSR_HTINST] = 0;
    mock_trap_from_l1(&t, EXC_ILLEGAL_INST, 0x80205000, 0x13, 0, 0);
    g_assert_cmpuint(m->csr[CSR_VSCAUSE], ==, EXC_ILLEGAL_INST);
    g_assert_cmphex(rd(&t, CSR_HTVAL), ==, 0);
    g_assert_cmphex(m->csr[CSR_HEDELEG], ==, clean);
    /* a load page fault L0 reflects carries the transformed instruction */
    mock_trap_from_l1(&t, EXC_LOAD_PAGE_FAULT, 0x80205000, 0x1000, 0, 0x0005b503);
    g_assert_cmphex(rd(&t, CSR_HTINST), ==, 0x0005b503);
    g_assert_cmphex(m->csr[CSR_HEDELEG], ==, 0);            /* htinst != 0: dirty */
    /* SPV set by L1, then an interrupt hardware delivers to L1 (through
     * hideleg): L0 recognises it by L1's trap registers */
    wr(&t, CSR_HSTATUS, rd(&t, CSR_HSTATUS) | HSTATUS_SPV);
    g_assert_true(m->csr[CSR_HSTATUS] & HSTATUS_VTSR);
    m->csr[CSR_VSCAUSE] = CAUSE_INTERRUPT | IRQ_S_TIMER;
    m->csr[CSR_VSEPC] = 0x80206000;
    g_assert_false(rd(&t, CSR_HSTATUS) & HSTATUS_SPV);
    g_assert_cmphex(rd(&t, CSR_HTINST), ==, 0);
    g_assert_false(m->csr[CSR_HSTATUS] & HSTATUS_VTSR);
    g_assert_cmphex(m->csr[CSR_HEDELEG], ==, clean);
    g_assert_cmpuint(t.vm.vcpu[0].stats.l1_irq_catchups, ==, 1);
    mock_vm_free(&t);
}

/* A VS-level interrupt L1 makes pending and enables but does not delegate
 * is an HS interrupt for L1 (nested/virq.c) */
/* A batch of views (the NACL CSR space's refresh) gives each CSR what a
 * read of it alone gives, the interrupt state sampled once. */
static void test_views_batch(void)
{
    struct mock_vm t;
    mock_vm_boot(&t);
    struct mock_hart *m = &t.m;
    m->csr[CSR_MIP] = MIP_VSSIP | MIP_SEIP;
    wr(&t, CSR_HVIP, MIP_VSEIP | MIP_VSTIP);
    wr(&t, CSR_HIDELEG, MIP_VSSIP | MIP_VSEIP);
    wr(&t, CSR_HIE, MIP_VSTIP | MIP_VSEIP);
    uint64_t out[VCSR__COUNT];
    memset(out, 0xa5, sizeof(out));
    rvnest_vcsr_views(&t.vc->vcsr, &m->h, ~0u >> (32 - VCSR__COUNT), out);
    for (unsigned i = 0; i < VCSR__COUNT; i++)
        g_assert_cmphex(out[i], ==, rvnest_vcsr_view(&t.vc->vcsr, &m->h, (enum vcsr_index)i));
    /* only the masked ones are written */
    memset(out, 0xa5, sizeof(out));
    rvnest_vcsr_views(&t.vc->vcsr, &m->h, 1u << VCSR_HIP, out);
    g_assert_cmphex(out[VCSR_HIP], ==, rvnest_vcsr_view(&t.vc->vcsr, &m->h, VCSR_HIP));
    g_assert_cmphex(out[VCSR_HSTATUS], ==, 0xa5a5a5a5a5a5a5a5ull);
    mock_vm_free(&t);
}

static void test_l1_virtual_interrupts(void)
{
    struct mock_vm t;
    mock_vm_boot(&t);
    struct mock_hart *m = &t.m;
    m->csr[CSR_VSTVEC] = 0x80200801;                      /* vectored */
    m->csr[CSR_VSSTATUS] = 0;                             /* L1's SIE off */
    wr(&t, CSR_HIE, MIP_VSSIP);
    wr(&t, CSR_HVIP, MIP_VSSIP);                          /* pending, not delegated */
    /* SIE off: not taken, but wfi must not sleep: VTW set */
    g_assert_cmphex(m->pc, ==, pc);
    g_assert_true(m->csr[CSR_HSTATUS] & HSTATUS_VTW);
    /* wfi traps (VTW) and completes at once */
    mock_trap_from_l1(&t, EXC_VIRTUAL_INST, pc, INSN_WFI, 0, 0);
    g_assert_cmphex(m->pc, ==, pc + 4);
    pc += 4;
    /* L1 enables SIE; at its next exit (here an hstatus read) the interrupt
     * is taken before that instruction: vectored, cause 2, sepc = it */
    m->csr[CSR_VSSTATUS] = MSTATUS_SIE;
    uint64_t at = pc;
    rd(&t, CSR_HSTATUS);
    g_assert_cmphex(m->pc, ==, 0x80200800 + 4 * 2);
    g_assert_cmphex(m->csr[CSR_VSCAUSE], ==, CAUSE_INTERRUPT | 2);
    g_assert_cmphex(m->csr[CSR_VSEPC], ==, at);
    g_assert_true(m->csr[CSR_VSSTATUS] & MSTATUS_SPIE);
    g_assert_false(m->csr[CSR_VSSTATUS] & MSTATUS_SIE);
    g_assert_cmpuint(t.vm.vcpu[0].stats.l1_virqs, ==, 1);
    /* while SIE is on and it is pending, L1's next exit takes it again
     * first (the handler has not cleared it): the hideleg write below
     * happens only with SIE off; delegated, it is no longer L1's */
    m->csr[CSR_VSSTATUS] = 0;
    wr(&t, CSR_HIDELEG, MIP_VSSIP);
    m->csr[CSR_VSSTATUS] = MSTATUS_SIE;
    rd(&t, CSR_HSTATUS);
    g_assert_false(m->csr[CSR_HSTATUS] & HSTATUS_VTW);
    g_assert_cmpuint(t.vm.vcpu[0].stats.l1_virqs, ==, 1);
    /* from U: taken whatever SIE */
    wr(&t, CSR_HIDELEG, 0);
    m->csr[CSR_VSSTATUS] = 0;
    m->csr[CSR_SSTATUS] &= ~MSTATUS_SPP;
    m->csr[CSR_SCAUSE] = EXC_VIRTUAL_INST;
    m->csr[CSR_SEPC] = 0x1000;
    m->csr[CSR_STVAL] = CSRRS(CSR_HSTATUS, 8, 0);
    m->priv = PRV_S;
    rvnest_on_hs_trap(t.vc);
    g_assert_cmphex(m->csr[CSR_VSCAUSE], ==, CAUSE_INTERRUPT | 2);
    g_assert_cmphex(m->csr[CSR_VSEPC], ==, 0x1000);
    g_assert_false(m->csr[CSR_VSSTATUS] & MSTATUS_SPP);
    /* a future Sstc deadline of L1's own arms the real HS timer */
    mock_vm_free(&t);
    mock_vm_boot(&t);
    m->csr[CSR_TIME] = 1000;
    wr(&t, CSR_HENVCFG, ENVCFG_STCE);
    wr(&t, CSR_VSTIMECMP, 5000);
    wr(&t, CSR_HIE, MIP_VSTIP);
    g_assert_cmphex(m->pc, ==, t.vm.l0_base + L0_OFF_UC_STIMECMP);
    g_assert_cmphex(m->csr[CSR_SEPC], ==, 5000);          /* the value the microcode writes */
    g_assert_true(m->csr[CSR_SIE] & MIP_STIP);
    g_assert_true(mock_m_trap_from_hs(&t, t.vm.l0_base + L0_OFF_UC_STIMECMP + 12));
    g_assert_cmphex(m->pc, ==, pc);
    /* the timer fires: L1 (S, SIE on) takes VSTI */
    m->csr[CSR_VSSTATUS] = MSTATUS_SIE;
    m->csr[CSR_TIME] = 5001;
    mock_trap_from_l1(&t, CAUSE_INTERRUPT | IRQ_S_TIMER, 0x80203000, 0, 0, 0);
    g_assert_cmphex(m->csr[CSR_VSCAUSE], ==, CAUSE_INTERRUPT | 6);
    g_assert_cmphex(m->csr[CSR_VSEPC], ==, 0x80203000);
    g_assert_false(m->csr[CSR_SIE] & MIP_STIP);
    g_assert_cmpstr(t.vm.fatal, ==, "");
    mock_vm_free(&t);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vcsr/interrupt-views", test_interrupt_views);
    g_test_add_func("/vcsr/views-batch", test_views_batch);
    g_test_add_func("/vcsr/sstc-vstip", test_sstc_vstip);
    g_test_add_func("/vcsr/hstateen", test_hstateen);
    g_test_add_func("/vcsr/trap-state", test_trap_state);
    g_test_add_func("/vcsr/l1-virtual-interrupts", test_l1_virtual_interrupts);
    return g_test_run();
}
