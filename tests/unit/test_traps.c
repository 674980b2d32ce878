/* Virtual-instruction emulation, guest page faults, interrupts, decoding,
 * the virtual CSR file and plugin options. */
#include "mock_hart.h"
#include "rvnest/csr.h"
#include "rvnest/decode.h"
#include "plugin/options.h"

#define CSRRW(csr, rd, rs1) (((uint32_t)(csr) << 20) | ((rs1) << 15) | (1u << 12) | ((rd) << 7) | 0x73)
#define CSRRS(csr, rd, rs1) (((uint32_t)(csr) << 20) | ((rs1) << 15) | (2u << 12) | ((rd) << 7) | 0x73)

static void test_csr_emulation(void)
{
    struct mock_vm t;
    mock_vm_boot(&t);
    struct mock_hart *m = &t.m;
    m->csr[CSR_VSTVEC] = 0x80200800;
    uint64_t real_hgatp = m->csr[CSR_HGATP];
    /* csrrw x5, hgatp, x6 with an Sv48x4 value: probed through the real CSR */
    m->gpr[6] = (9ull << 60) | 0x1234;
    mock_trap_from_l1(&t, EXC_VIRTUAL_INST, 0x80201000, CSRRW(CSR_HGATP, 5, 6), 0, 0);
    g_assert_cmphex(m->pc, ==, 0x80201004);
    g_assert_cmphex(t.vc->vcsr.val[VCSR_HGATP], ==, (9ull << 60) | 0x1234);
    g_assert_cmphex(m->csr[CSR_HGATP], ==, real_hgatp);      /* L0's value restored */
    /* an unsupported mode keeps the old virtual value */
    m->gpr[6] = (1ull << 60) | 0x99;
    mock_trap_from_l1(&t, EXC_VIRTUAL_INST, 0x80201004, CSRRW(CSR_HGATP, 7, 6), 0, 0);
    g_assert_cmphex(m->gpr[7], ==, (9ull << 60) | 0x1234);
    g_assert_cmphex(t.vc->vcsr.val[VCSR_HGATP], ==, (9ull << 60) | 0x1234);
    /* csrrs x8, hvip, x0 reads only; csrrs with a mask sets */
    m->gpr[9] = ~0ull;
    mock_trap_from_l1(&t, EXC_VIRTUAL_INST, 0x80201008, CSRRS(CSR_HVIP, 0, 9), 0, 0);
    mock_trap_from_l1(&t, EXC_VIRTUAL_INST, 0x8020100c, CSRRS(CSR_HVIP, 8, 0), 0, 0);
    g_assert_cmphex(m->gpr[8], ==, VS_MODE_INTERRUPTS | (1u << 13));   /* QEMU: LCOFIP too */
    g_assert_cmphex(m->csr[CSR_HVIP] & MIP_VSEIP, ==, 0);   /* the real hvip is L0's */
    /* vsip is hip's view under hideleg */
    m->gpr[9] = VS_MODE_INTERRUPTS;
    mock_trap_from_l1(&t, EXC_VIRTUAL_INST, 0x80201010, CSRRW(CSR_HIDELEG, 0, 9), 0, 0);
    mock_trap_from_l1(&t, EXC_VIRTUAL_INST, 0x80201014, CSRRS(CSR_VSIP, 8, 0), 0, 0);
    g_assert_cmphex(m->gpr[8], ==, VS_MODE_INTERRUPTS >> 1);
    /* htinst ignores writes */
    mock_trap_from_l1(&t, EXC_VIRTUAL_INST, 0x80201018, CSRRW(CSR_HTINST, 0, 9), 0, 0);
    g_assert_cmphex(t.vc->vcsr.val[VCSR_HTINST], ==, 0);
    /* a write to read-only hgeip is an illegal instruction for L1 */
    uint32_t bad = CSRRW(CSR_HGEIP, 0, 9);
    mock_trap_from_l1(&t, EXC_VIRTUAL_INST, 0x8020101c, bad, 0, 0);
    g_assert_cmphex(m->pc, ==, 0x80200800);
    g_assert_cmpuint(m->csr[CSR_VSCAUSE], ==, EXC_ILLEGAL_INST);
    g_assert_cmphex(m->csr[CSR_VSTVAL], ==, bad);
    g_assert_cmphex(m->csr[CSR_VSEPC], ==, 0x8020101c);
    g_assert_true(m->csr[CSR_VSSTATUS] & MSTATUS_SPP);
    /* from L1's U-mode an H CSR is illegal too */
    m->csr[CSR_SSTATUS] &= ~MSTATUS_SPP;
    m->csr[CSR_HSTATUS] |= HSTATUS_SPV;
    m->csr[CSR_SCAUSE] = EXC_VIRTUAL_INST;
    m->csr[CSR_SEPC] = 0x1000;
    m->csr[CSR_STVAL] = CSRRS(CSR_HSTATUS, 8, 0);
    m->priv = PRV_S;
    rvnest_on_hs_trap(t.vc);
    g_assert_cmpuint(m->csr[CSR_VSCAUSE], ==, EXC_ILLEGAL_INST);
    g_assert_false(m->csr[CSR_VSSTATUS] & MSTATUS_SPP);
    /* a CSR the model lacks is illegal (hstateen0 without Smstateen) */
    mock_trap_from_l1(&t, EXC_VIRTUAL_INST, 0x80201020, CSRRS(0x60c /* hstateen0 */, 8, 0), 0, 0);
    g_assert_cmpuint(m->csr[CSR_VSCAUSE], ==, EXC_ILLEGAL_INST);
    g_assert_cmpuint(t.vm.vcpu[0].stats.exits[EXIT_CSR], ==, 10);
    mock_vm_free(&t);
}

static void test_other_virtual_insns(void)
{
    struct mock_vm t;
    mock_vm_boot(&t);
    struct mock_hart *m = &t.m;
    mock_trap_from_l1(&t, EXC_VIRTUAL_INST, 0x80201000, 0x22000073 /* hfence.gvma x0,x0 */, 0, 0);
    g_assert_cmphex(t.m.pc, ==, 0x80201004);
    /* an sret within L1 (SPV=0): back to L1's U-mode at vsepc, SIE from SPIE */
    m->csr[CSR_VSEPC] = 0x1000;
    m->csr[CSR_VSSTATUS] = MSTATUS_SPIE;
    mock_trap_from_l1(&t, EXC_VIRTUAL_INST, 0x80201004, INSN_SRET, 0, 0);
    g_assert_cmphex(m->pc, ==, 0x1000);
    g_assert_cmpuint(m->priv, ==, PRV_U | PRIV_V);
    g_assert_cmphex(m->csr[CSR_VSSTATUS] & (MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP), ==,
                    MSTATUS_SIE | MSTATUS_SPIE);
    /* VTSR follows L1's hstatus.SPV, so that L1's guest entry traps */
    m->gpr[6] = HSTATUS_VSXL_64 | HSTATUS_SPV;
    mock_trap_from_l1(&t, EXC_VIRTUAL_INST, 0x80201000, CSRRW(CSR_HSTATUS, 0, 6), 0, 0);
    g_assert_true(m->csr[CSR_HSTATUS] & HSTATUS_VTSR);
    m->gpr[6] = HSTATUS_VSXL_64;
    mock_trap_from_l1(&t, EXC_VIRTUAL_INST, 0x80201004, CSRRW(CSR_HSTATUS, 0, 6), 0, 0);
    g_assert_false(m->csr[CSR_HSTATUS] & HSTATUS_VTSR);
    m->gpr[6] = HSTATUS_VSXL_64 | HSTATUS_SPV;
    mock_trap_from_l1(&t, EXC_VIRTUAL_INST, 0x80201008, CSRRW(CSR_HSTATUS, 0, 6), 0, 0);
    mock_trap_from_l1(&t, EXC_BREAKPOINT, 0x8020100c, 0, 0, 0);    /* a trap into L1 clears SPV */
    g_assert_false(t.vc->vcsr.val[VCSR_HSTATUS] & HSTATUS_SPV);
    g_assert_false(m->csr[CSR_HSTATUS] & HSTATUS_VTSR);
    mock_vm_free(&t);
}

static void test_plic_and_faults(void)
{
    struct mock_vm t;
    mock_vm_boot(&t);
    struct mock_hart *m = &t.m;
    m->csr[CSR_VSTVEC] = 0x80200800;
    /* the PLIC raises SEIP: L0 shows VSEIP and masks SEIE */
    m->csr[CSR_MIP] |= MIP_SEIP;
    m->plic_pending_irq = 10;
    mock_trap_from_l1(&t, CAUSE_INTERRUPT | IRQ_S_EXT, 0x80201000, 0, 0, 0);
    g_assert_cmphex(m->pc, ==, 0x80201000);
    g_assert_true(m->csr[CSR_HVIP] & MIP_VSEIP);
    g_assert_false(m->csr[CSR_SIE] & MIP_SEIP);
    /* L1 claims with c.lw a5, 4(a4): L0's PMP entry denies the page, the
     * access fault reaches L0 through OpenSBI's redirect */
    uint64_t claim = t.vm.plic_claim_page + 4;
    m->gpr[14] = t.vm.plic_claim_page;
    uint16_t c_lw = 0x435c;                               /* c.lw a5, 4(a4) */
    mock_l1_access(&t, EXC_LOAD_ACCESS, 0x80201100, c_lw, claim);
    g_assert_cmpuint(m->gpr[15], ==, 10);
    g_assert_cmphex(m->pc, ==, 0x80201102);
    g_assert_false(m->csr[CSR_HVIP] & MIP_VSEIP);       /* level followed */
    g_assert_true(m->csr[CSR_SIE] & MIP_SEIP);
    /* complete: sw a5, 4(a4) */
    uint32_t sw_a5 = (15u << 20) | (14u << 15) | (2u << 12) | (4u << 7) | 0x23;
    mock_l1_access(&t, EXC_STORE_ACCESS, 0x80201200, sw_a5, claim);
    g_assert_cmpuint(m->plic_completed, ==, 10);
    g_assert_cmphex(m->pc, ==, 0x80201204);
    g_assert_cmpuint(t.vm.vcpu[0].stats.exits[EXIT_MMIO_PLIC], ==, 2);
    /* a load from L0 memory is an access fault for L1 with the address in stval */
    uint32_t lw_a5 = (2u << 12) | (15u << 7) | 0x03;
    mock_l1_access(&t, EXC_LOAD_ACCESS, 0x80201300, lw_a5, t.vm.l0_base + 8);
    g_assert_cmphex(m->pc, ==, 0x80200800);
    g_assert_cmpuint(m->csr[CSR_VSCAUSE], ==, EXC_LOAD_ACCESS);
    g_assert_cmphex(m->csr[CSR_VSTVAL], ==, t.vm.l0_base + 8);
    mock_trap_from_l1(&t, EXC_INST_ACCESS, t.vm.l0_base, t.vm.l0_base, 0, 0);
    g_assert_cmpuint(m->csr[CSR_VSCAUSE], ==, EXC_INST_ACCESS);
    g_assert_cmpuint(t.vm.vcpu[0].stats.exits[EXIT_ACCESS_FAULT], ==, 2);
    mock_vm_free(&t);
}

static void test_decode(void)
{
    struct insn_mem d;
    g_assert_true(rvnest_decode_mem(0x0007b783 /* ld a5,0(a5) */, false, &d));
    g_assert_false(d.store);
    g_assert_cmpuint(d.width, ==, 8);
    g_assert_cmpuint(d.reg, ==, 15);
    g_assert_cmpuint(d.len, ==, 4);
    g_assert_true(rvnest_decode_mem(0x0007c783 /* lbu */, false, &d));
    g_assert_false(d.is_signed);
    g_assert_cmpuint(d.width, ==, 1);
    g_assert_true(rvnest_decode_mem(0x00f72023 /* sw a5,0(a4) */, false, &d));
    g_assert_true(d.store);
    g_assert_cmpuint(d.reg, ==, 15);
    g_assert_true(rvnest_decode_mem(0xc398 /* c.sw a4,0(a5) */, false, &d));
    g_assert_true(d.store);
    g_assert_cmpuint(d.len, ==, 2);
    g_assert_cmpuint(d.width, ==, 4);
    g_assert_false(rvnest_decode_mem(0x00000013 /* addi */, false, &d));
    g_assert_false(rvnest_decode_mem(0x00003000 /* pseudoinstruction */, true, &d));
    g_assert_false(rvnest_decode_mem(0x0007f783 /* funct3 7 */, false, &d));
    struct insn_csr c;
    g_assert_true(rvnest_decode_csr(0x60002573 /* csrr a0, hstatus */, &c));
    g_assert_cmphex(c.csr, ==, 0x600);
    g_assert_cmpuint(c.rd, ==, 10);
    g_assert_cmpuint(c.op, ==, 2);
    g_assert_true(rvnest_decode_csr(0x6062d073 /* csrwi hcounteren, 5 */, &c));
    g_assert_true(c.imm);
    g_assert_cmpuint(c.rs1, ==, 5);
    g_assert_false(rvnest_decode_csr(INSN_SRET, &c));
}

static void test_options(void)
{
    struct plugin_options o;
    char err[300];
    char *good[] = { "l0-mem=8", "stats=/tmp/x.json", "audit=on", "quiet=no", "trace=false", "l1-mem=1024" };
    g_assert_cmpint(rvnest_parse_options(6, good, &o, err, sizeof(err)), ==, 0);
    g_assert_cmpuint(o.engine.l1_mem, ==, 1ull << 30);
    g_assert_cmpuint(o.engine.l0_mem, ==, 8ull << 20);
    g_assert_true(o.audit);
    g_assert_false(o.engine.quiet);
    g_assert_cmpstr(o.engine.stats_path, ==, "/tmp/x.json");
    g_assert_false(o.engine.nacl_off);
    g_assert_cmpuint(o.engine.nacl_features_off, ==, 0);
    char *nacl[] = { "nacl=off", "nacl-hfence=off", "nacl-autoswap=no", "nacl-autoswap=on" };
    g_assert_cmpint(rvnest_parse_options(4, nacl, &o, err, sizeof(err)), ==, 0);
    g_assert_true(o.engine.nacl_off);
    g_assert_cmpuint(o.engine.nacl_features_off, ==, 1u << 1);
    char *bad[][1] = { { "bogus=1" }, { "l0-mem=3" }, { "l0-mem=abc" }, { "l0-mem=0" },
                       { "audit=maybe" }, { "stats=" }, { "quiet" }, { "l1-mem=32" },
                       { "nacl=1" }, { "nacl-sret=maybe" }, { "nacl-bogus=on" } };
    const char *msg[] = { "unknown option 'bogus'", "l0-mem='3'", "l0-mem='abc'", "l0-mem='0'",
                          "not 'maybe'", "stats= needs", "needs a value", "l1-mem='32'",
                          "'nacl' takes on or off", "'nacl-sret' takes on or off", "unknown option 'nacl-bogus'" };
    for (unsigned i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_assert_cmpint(rvnest_parse_options(1, bad[i], &o, err, sizeof(err)), ==, -1);
        g_assert_nonnull(strstr(err, msg[i]));
    }
}

/* seed traps at V=1 only because of V (Zkr, mseccfg.SSEED): the access is
 * replayed in real HS as an instruction L0 builds, and a fault there is L1's */
static void test_csr_replay(void)
{
    struct mock_vm t;
    mock_vm_boot(&t);
    struct mock_hart *m = &t.m;
    m->csr[CSR_VSTVEC] = 0x80200800;
    uint32_t insn = CSRRW(CSR_SEED, 10, 0);
    mock_trap_from_l1(&t, EXC_VIRTUAL_INST, 0x80201000, insn, 0, 0);
    g_assert_cmphex(m->pc, ==, t.vm.l0_base + L0_OFF_UC_REPLAY);
    g_assert_cmpuint(m->priv, ==, PRV_S);
    uint32_t w[2];
    m->h.ops->read_phys(&m->h, t.vm.l0_base + L0_OFF_UC_REPLAY, w, 8);
    g_assert_cmphex(w[0], ==, insn);
    g_assert_cmphex(w[1], ==, 0);
    m->gpr[10] = 0x80001234;                                 /* what the CSR gave */
    g_assert_true(mock_m_trap_from_hs(&t, t.vm.l0_base + L0_OFF_UC_REPLAY + 4));
    g_assert_cmphex(m->pc, ==, 0x80201004);
    g_assert_cmpuint(m->priv, ==, PRV_S | PRIV_V);
    g_assert_cmphex(m->gpr[10], ==, 0x80001234);
    /* csrrs a0, seed, x0 is illegal in HS too: OpenSBI redirects the
     * exception to HS, L0 delivers it to L1 at L1's instruction */
    insn = CSRRS(CSR_SEED, 10, 0);
    mock_trap_from_l1(&t, EXC_VIRTUAL_INST, 0x80202000, insn, 0, 0);
    m->csr[CSR_SCAUSE] = EXC_ILLEGAL_INST;
    m->csr[CSR_SEPC] = t.vm.l0_base + L0_OFF_UC_REPLAY;
    m->csr[CSR_STVAL] = insn;
    m->csr[CSR_MSTATUS] = (uint64_t)PRV_S << MSTATUS_MPP_SHIFT;
    m->csr[CSR_MEPC] = t.vm.l0_base + L0_OFF_VECTOR;
    m->priv = PRV_M;
    rvnest_on_mret(t.vc);
    g_assert_cmpstr(t.vm.fatal, ==, "");
    g_assert_cmphex(m->csr[CSR_MEPC], ==, 0x80200800);
    g_assert_true(m->csr[CSR_MSTATUS] & MSTATUS_MPV);
    g_assert_cmpuint(m->csr[CSR_VSCAUSE], ==, EXC_ILLEGAL_INST);
    g_assert_cmphex(m->csr[CSR_VSEPC], ==, 0x80202000);
    g_assert_cmphex(m->csr[CSR_VSTVAL], ==, insn);
    g_assert_true(m->csr[CSR_VSSTATUS] & MSTATUS_SPP);
    g_assert_cmpuint(t.vc->uc.kind, ==, UCODE_NONE);
    /* from L1's U-mode without mseccfg.USEED: illegal, no replay */
    m->csr[CSR_MSECCFG] = MSECCFG_SSEED;
    m->csr[CSR_SSTATUS] &= ~MSTATUS_SPP;
    m->csr[CSR_SCAUSE] = EXC_VIRTUAL_INST;
    m->csr[CSR_SEPC] = 0x1000;
    m->csr[CSR_STVAL] = CSRRW(CSR_SEED, 10, 0);
    m->csr[CSR_HSTATUS] |= HSTATUS_SPV;
    m->priv = PRV_S;
    rvnest_on_hs_trap(t.vc);
    g_assert_cmpuint(m->csr[CSR_VSCAUSE], ==, EXC_ILLEGAL_INST);
    g_assert_cmphex(m->csr[CSR_VSEPC], ==, 0x1000);
    mock_vm_free(&t);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/traps/csr-emulation", test_csr_emulation);
    g_test_add_func("/traps/other-virtual-insns", test_other_virtual_insns);
    g_test_add_func("/traps/plic-and-faults", test_plic_and_faults);
    g_test_add_func("/traps/csr-replay", test_csr_replay);
    g_test_add_func("/decode", test_decode);
    g_test_add_func("/options", test_options);
    return g_test_run();
}
