/* Engine rules not covered elsewhere: firmware redirects, reflected
 * exceptions, L0 self-checks, HS interrupts, the VS-stage walker and the
 * device-tree reader. */
#include <libfdt.h>
#include "mock_hart.h"
#include "rvnest/csr.h"
#include "rvnest/fdt.h"

static void test_firmware_redirect(void)
{
    struct mock_vm t;
    mock_vm_boot(&t);
    struct mock_hart *m = &t.m;
    /* OpenSBI redirects an illegal instruction from L1 to HS (sbi_trap_redirect):
     * HS trap CSRs set, then mret to stvec with MPP=S, MPV=0. */
    m->csr[CSR_VSTVEC] = 0x80200900;
    m->csr[CSR_SCAUSE] = EXC_ILLEGAL_INST;
    m->csr[CSR_SEPC] = 0x80201234;
    m->csr[CSR_STVAL] = 0xdeadbeef;
    m->csr[CSR_HSTATUS] |= HSTATUS_SPV;
    m->csr[CSR_SSTATUS] |= MSTATUS_SPP;
    m->csr[CSR_MSTATUS] = (uint64_t)PRV_S << MSTATUS_MPP_SHIFT;
    m->csr[CSR_MEPC] = t.vm.l0_base + L0_OFF_VECTOR;
    m->priv = PRV_M;
    rvnest_on_mret(t.vc);
    /* the mret itself now goes to L1's trap vector at V=1 */
    g_assert_cmphex(m->csr[CSR_MEPC], ==, 0x80200900);
    g_assert_true(m->csr[CSR_MSTATUS] & MSTATUS_MPV);
    g_assert_cmpuint(m->priv, ==, PRV_M);                   /* pc/priv not written */
    g_assert_cmpuint(m->csr[CSR_VSCAUSE], ==, EXC_ILLEGAL_INST);
    g_assert_cmphex(m->csr[CSR_VSEPC], ==, 0x80201234);
    g_assert_cmphex(m->csr[CSR_VSTVAL], ==, 0xdeadbeef);
    g_assert_cmpuint(t.vm.vcpu[0].stats.exits[EXIT_FW_REDIRECT], ==, 1);
    g_assert_cmpuint(t.vm.vcpu[0].stats.exits[EXIT_EXCEPTION_OTHER], ==, 1);
    mock_vm_free(&t);
}

static void test_reflect_and_self_checks(void)
{
    struct mock_vm t;
    mock_vm_boot(&t);
    struct mock_hart *m = &t.m;
    m->csr[CSR_VSTVEC] = 0x80200901;                        /* vectored: exceptions use the base */
    m->csr[CSR_VSSTATUS] = MSTATUS_SIE;
    mock_trap_from_l1(&t, EXC_BREAKPOINT, 0x80201000, 0x80201000, 0, 0);
    g_assert_cmphex(m->pc, ==, 0x80200900);
    g_assert_cmpuint(m->priv, ==, PRV_S | PRIV_V);
    g_assert_true(m->csr[CSR_VSSTATUS] & MSTATUS_SPIE);
    g_assert_false(m->csr[CSR_VSSTATUS] & MSTATUS_SIE);
    g_assert_cmpstr(t.vm.fatal, ==, "");
    /* a trap to HS from HS itself (SPV=0) is an L0 bug: stop */
    m->csr[CSR_HSTATUS] &= ~HSTATUS_SPV;
    m->csr[CSR_SCAUSE] = EXC_LOAD_PAGE_FAULT;
    m->priv = PRV_S;
    rvnest_on_hs_trap(t.vc);
    g_assert_nonnull(strstr(t.vm.fatal, "from HS itself"));
    mock_vm_free(&t);
    /* a guest (V=1) executing at a virtual address equal to the L0 vector
     * and trapping to M: none of L0's business */
    mock_vm_boot(&t);
    m->csr[CSR_MSTATUS] = ((uint64_t)PRV_S << MSTATUS_MPP_SHIFT) | MSTATUS_MPV;
    m->priv = PRV_M;
    g_assert_false(rvnest_on_m_trap(t.vc, t.vm.l0_base + L0_OFF_VECTOR));
    m->csr[CSR_MSTATUS] = (uint64_t)PRV_U << MSTATUS_MPP_SHIFT;
    g_assert_false(rvnest_on_m_trap(t.vc, t.vm.l0_base + L0_OFF_VECTOR));
    g_assert_cmpstr(t.vm.fatal, ==, "");
    /* the same from real HS is an L0 bug */
    g_assert_false(mock_m_trap_from_hs(&t, t.vm.l0_base + L0_OFF_VECTOR));
    g_assert_nonnull(strstr(t.vm.fatal, "L0 vector executed"));
    mock_vm_free(&t);
    mock_vm_boot(&t);
    g_assert_false(mock_m_trap_from_hs(&t, 0x80200000));       /* not L0's */
    g_assert_cmpstr(t.vm.fatal, ==, "");
    /* a guest trap whose target is a virtual address equal to the L0
     * vector arrives at V=1: not an HS trap */
    m->priv = PRV_S | PRIV_V;
    m->csr[CSR_SCAUSE] = EXC_LOAD_PAGE_FAULT;
    g_assert_false(rvnest_on_hs_trap(t.vc));
    m->priv = PRV_U;
    g_assert_false(rvnest_on_hs_trap(t.vc));
    g_assert_cmpstr(t.vm.fatal, ==, "");
    g_assert_cmpuint(rvnest_stats_total(&t.vm.vcpu[0].stats), ==, 1);  /* the boot entry only */
    mock_vm_free(&t);
}

static void test_hs_interrupts(void)
{
    struct mock_vm t;
    mock_vm_boot(&t);
    struct mock_hart *m = &t.m;
    m->csr[CSR_SIP] = MIP_SSIP;
    mock_trap_from_l1(&t, CAUSE_INTERRUPT | IRQ_S_SOFT, 0x80201000, 0, 0, 0);
    g_assert_false(m->csr[CSR_SIP] & MIP_SSIP);
    g_assert_true(m->csr[CSR_HVIP] & MIP_VSSIP);
    g_assert_cmphex(m->pc, ==, 0x80201000);
    g_assert_cmphex(m->csr[CSR_SIE], ==, MIP_SSIP | MIP_SEIP);  /* all L0 ever enables */
    /* interrupts L0 never enables cannot arrive: an L0 bug if they do */
    mock_trap_from_l1(&t, CAUSE_INTERRUPT | IRQ_S_TIMER, 0x80201000, 0, 0, 0);
    g_assert_nonnull(strstr(t.vm.fatal, "HS timer interrupt"));
    mock_vm_free(&t);
    mock_vm_boot(&t);
    mock_trap_from_l1(&t, CAUSE_INTERRUPT | IRQ_S_GEXT, 0x80201000, 0, 0, 0);
    g_assert_nonnull(strstr(t.vm.fatal, "never enables"));
    g_assert_cmpuint(t.vm.vcpu[0].stats.exits[EXIT_IRQ_OTHER], ==, 1);
    mock_vm_free(&t);
}

static void test_fdt_reader(void)
{
    /* riscv,isa-extensions form, two harts, a PLIC whose contexts name
     * the harts' interrupt controllers by phandle */
    char buf[4096];
    g_assert_cmpint(fdt_create_empty_tree(buf, sizeof(buf)), ==, 0);
    fdt_setprop_u32(buf, 0, "#address-cells", 2);
    fdt_setprop_u32(buf, 0, "#size-cells", 2);
    int mem = fdt_add_subnode(buf, 0, "memory@80000000");
    fdt_setprop_string(buf, mem, "device_type", "memory");
    fdt64_t reg[2] = { cpu_to_fdt64(0x80000000), cpu_to_fdt64(256ull << 20) };
    fdt_setprop(buf, mem, "reg", reg, sizeof(reg));
    int cpus = fdt_add_subnode(buf, 0, "cpus");
    int cpu = fdt_add_subnode(buf, cpus, "cpu@0");
    fdt_setprop_string(buf, cpu, "device_type", "cpu");
    fdt_setprop_u32(buf, cpu, "reg", 0);
    const char exts[] = "i\0m\0a\0h\0zicsr\0sstc";
    fdt_setprop(buf, cpu, "riscv,isa-extensions", exts, sizeof(exts));
    fdt_setprop_u32(buf, fdt_add_subnode(buf, cpu, "interrupt-controller"), "phandle", 1);
    int cpu1 = fdt_add_subnode(buf, cpus, "cpu@1");
    fdt_setprop_string(buf, cpu1, "device_type", "cpu");
    fdt_setprop_u32(buf, cpu1, "reg", 1);
    fdt_setprop_u32(buf, fdt_add_subnode(buf, cpu1, "interrupt-controller"), "phandle", 2);
    int plic = fdt_add_subnode(buf, 0, "plic@c000000");
    fdt_setprop_string(buf, plic, "compatible", "riscv,plic0");
    fdt64_t preg[2] = { cpu_to_fdt64(0x0c000000), cpu_to_fdt64(0x4000000) };
    fdt_setprop(buf, plic, "reg", preg, sizeof(preg));
    /* hart 1's contexts first: context 1 is hart 1's S, 4 hart 0's */
    fdt32_t ie[10] = { cpu_to_fdt32(2), cpu_to_fdt32(11), cpu_to_fdt32(2), cpu_to_fdt32(9),
                       cpu_to_fdt32(1), cpu_to_fdt32(0xffffffff), cpu_to_fdt32(1), cpu_to_fdt32(11),
                       cpu_to_fdt32(1), cpu_to_fdt32(9) };
    fdt_setprop(buf, plic, "interrupts-extended", ie, sizeof(ie));
    struct rvnest_fdt_facts f;
    char err[100];
    g_assert_cmpint(rvnest_fdt_inspect(buf, 0x8fe00000, &f, err, sizeof(err)), ==, 0);
    g_assert_true(f.isa_h);
    g_assert_true(f.isa_sstc);
    g_assert_cmpint(f.plic_s_context, ==, 4);
    g_assert_cmpint(f.plic_s_ctx[0], ==, 4);
    g_assert_cmpint(f.plic_s_ctx[1], ==, 1);
    g_assert_cmpint(f.plic_s_ctx[2], ==, -1);
    g_assert_cmphex(f.plic_base, ==, 0x0c000000);
    g_assert_cmphex(f.ram_size, ==, 256ull << 20);
    g_assert_false(f.has_rvnest_node);
    g_assert_cmpint(rvnest_fdt_set_memory_size(buf, 0x80000000, 128ull << 20), ==, 0);
    g_assert_cmpint(rvnest_fdt_set_memory_size(buf, 0x90000000, 1), ==, -FDT_ERR_NOTFOUND);
    g_assert_cmpint(rvnest_fdt_reserve(buf, 0x88000000, 0x400000), ==, 0);
    g_assert_cmpint(rvnest_fdt_inspect(buf, 0x87e00000, &f, err, sizeof(err)), ==, 0);
    g_assert_cmphex(f.ram_size, ==, 128ull << 20);
    g_assert_true(f.has_rvnest_node);
    /* riscv,isa string form: h among the single letters, sstc after '_' */
    cpu = fdt_path_offset(buf, "/cpus/cpu@0");          /* offsets moved */
    g_assert_cmpint(fdt_delprop(buf, cpu, "riscv,isa-extensions"), ==, 0);
    g_assert_cmpint(fdt_setprop_string(buf, cpu, "riscv,isa", "rv64imafdc_zicsr_zsstc"), ==, 0);
    g_assert_cmpint(rvnest_fdt_inspect(buf, 0x87e00000, &f, err, sizeof(err)), ==, 0);
    g_assert_false(f.isa_h);
    g_assert_false(f.isa_sstc);
    g_assert_cmpint(fdt_setprop_string(buf, cpu, "riscv,isa", "rv64imafdch_zicsr_sstc"), ==, 0);
    g_assert_cmpint(rvnest_fdt_inspect(buf, 0x87e00000, &f, err, sizeof(err)), ==, 0);
    g_assert_true(f.isa_h);
    g_assert_true(f.isa_sstc);
    /* garbage */
    memset(buf, 0x5a, 64);
    g_assert_cmpint(rvnest_fdt_inspect(buf, 0x87e00000, &f, err, sizeof(err)), !=, 0);
    g_assert_nonnull(strstr(err, "not valid"));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/engine/firmware-redirect", test_firmware_redirect);
    g_test_add_func("/engine/reflect-and-self-checks", test_reflect_and_self_checks);
    g_test_add_func("/engine/hs-interrupts", test_hs_interrupts);
    g_test_add_func("/engine/fdt-reader", test_fdt_reader);
    return g_test_run();
}
