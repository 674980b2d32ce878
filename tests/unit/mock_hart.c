#include <string.h>
#include <libfdt.h>
#include "mock_hart.h"
#include "rvnest/csr.h"

#define M(h) ((struct mock_hart *)(h))

static uint64_t get_gpr(struct rvnest_hart *h, unsigned r) { return M(h)->gpr[r]; }
static void set_gpr(struct rvnest_hart *h, unsigned r, uint64_t v) { if (r) M(h)->gpr[r] = v; }

static bool get_csr(struct rvnest_hart *h, unsigned c, uint64_t *v)
{
    if (c == CSR_VSTIMECMP || c == CSR_STIMECMP)
        return false;                 /* as in QEMU's register list */
    if (((c >= CSR_HSTATEEN0 && c < CSR_HSTATEEN0 + 4) ||
         (c >= CSR_MSTATEEN0 && c < CSR_MSTATEEN0 + 4)) && !M(h)->smstateen)
        return false;                 /* only models with Smstateen */
    *v = M(h)->csr[c];
    return true;
}

/* Mock WARL rules standing in for QEMU's (the real ones are probed). */
static bool set_csr(struct rvnest_hart *h, unsigned c, uint64_t v)
{
    uint64_t *r = &M(h)->csr[c];
    unsigned mode;
    uint64_t tmp;
    if (!get_csr(h, c, &tmp))
        return false;
    switch (c) {
    case CSR_VSTIMECMP:
    case CSR_STIMECMP:
        return false;
    case CSR_HGATP:
    case CSR_VSATP:
        mode = (unsigned)(v >> 60);
        if (mode == 0 || mode == 8 || mode == 9 || mode == 10)
            *r = v & (c == CSR_HGATP ? ~(3ull << 58) : ~0ull);
        break;                        /* other modes: keep the old value */
    case CSR_HEDELEG:
        *r = v & 0xb1ff;
        break;
    case CSR_HIDELEG:
        *r = v & 0x444;
        break;
    case CSR_HVIP:
        /* QEMU rmw_mip64: VSTIP cannot change in M-mode while
         * menvcfg.STCE and henvcfg.STCE are set */
        if (M(h)->priv == PRV_M && (M(h)->csr[CSR_MENVCFG] & M(h)->csr[CSR_HENVCFG] & ENVCFG_STCE))
            v = (v & ~MIP_VSTIP) | (*r & MIP_VSTIP);
        *r = v & 0x444;
        break;
    default:
        *r = v;
    }
    return true;
}

static uint64_t get_pc(struct rvnest_hart *h) { return M(h)->pc; }
static void set_pc(struct rvnest_hart *h, uint64_t pc) { M(h)->pc = pc; }
static unsigned get_priv(struct rvnest_hart *h) { return M(h)->priv; }
static void set_priv(struct rvnest_hart *h, unsigned p) { M(h)->priv = p; }

static uint8_t *page(struct mock_hart *m, uint64_t pa)
{
    uint64_t pn = pa >> 12;
    uint8_t *p = g_hash_table_lookup(m->pages, &pn);
    if (!p) {
        uint64_t *key = g_new(uint64_t, 1);
        *key = pn;
        p = g_malloc0(4096);
        g_hash_table_insert(m->pages, key, p);
    }
    return p;
}

static bool read_phys(struct rvnest_hart *h, uint64_t pa, void *buf, size_t len)
{
    struct mock_hart *m = M(h);
    if (m->plic_claim_reg && pa == m->plic_claim_reg) {
        uint32_t v = m->plic_pending_irq;
        memcpy(buf, &v, len < 4 ? len : 4);
        m->plic_pending_irq = 0;
        m->csr[CSR_MIP] &= ~MIP_SEIP;  /* claimed: the line drops */
        return true;
    }
    if (m->no_mem_base && pa + len > m->no_mem_base)
        return false;
    for (size_t i = 0; i < len; i++)
        ((uint8_t *)buf)[i] = page(m, pa + i)[(pa + i) & 4095];
    return true;
}

static bool write_phys(struct rvnest_hart *h, uint64_t pa, const void *buf, size_t len)
{
    struct mock_hart *m = M(h);
    if (m->plic_claim_reg && pa == m->plic_claim_reg) {
        memcpy(&m->plic_completed, buf, 4);
        return true;
    }
    if (m->no_mem_base && pa + len > m->no_mem_base)
        return false;
    for (size_t i = 0; i < len; i++)
        page(m, pa + i)[(pa + i) & 4095] = ((const uint8_t *)buf)[i];
    return true;
}

static const struct rvnest_hart_ops mock_ops = {
    get_gpr, set_gpr, get_csr, set_csr, get_pc, set_pc, get_priv, set_priv, read_phys, write_phys,
};

void mock_hart_init(struct mock_hart *m)
{
    memset(m, 0, sizeof(*m));
    m->h.ops = &mock_ops;
    m->pages = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
}

void mock_hart_free(struct mock_hart *m) { g_hash_table_destroy(m->pages); }
void mock_write64(struct mock_hart *m, uint64_t pa, uint64_t v) { write_phys(&m->h, pa, &v, 8); }
uint64_t mock_read64(struct mock_hart *m, uint64_t pa) { uint64_t v; read_phys(&m->h, pa, &v, 8); return v; }

void *mock_fdt_build(uint64_t ram_base, uint64_t ram_size, bool with_h, size_t *size)
{
    return mock_fdt_build_harts(ram_base, ram_size, with_h, 1, size);
}

void *mock_fdt_build_harts(uint64_t ram_base, uint64_t ram_size, bool with_h, unsigned nharts, size_t *size)
{
    size_t cap = 8192;
    void *fdt = g_malloc0(cap);
    g_assert_cmpint(fdt_create_empty_tree(fdt, (int)cap), ==, 0);
    fdt_setprop_u32(fdt, 0, "#address-cells", 2);
    fdt_setprop_u32(fdt, 0, "#size-cells", 2);
    int mem = fdt_add_subnode(fdt, 0, "memory@80000000");
    fdt_setprop_string(fdt, mem, "device_type", "memory");
    fdt64_t reg[2] = { cpu_to_fdt64(ram_base), cpu_to_fdt64(ram_size) };
    fdt_setprop(fdt, mem, "reg", reg, sizeof(reg));
    int cpus = fdt_add_subnode(fdt, 0, "cpus");
    g_assert_cmpuint(nharts, >=, 1);
    g_assert_cmpuint(nharts, <=, 8);
    fdt32_t ie[32];
    for (unsigned i = nharts; i-- > 0;) {
        char name[16];
        g_snprintf(name, sizeof(name), "cpu@%u", i);
        int cpu = fdt_add_subnode(fdt, cpus, name);
        fdt_setprop_string(fdt, cpu, "device_type", "cpu");
        fdt_setprop_u32(fdt, cpu, "reg", i);
        int intc = fdt_add_subnode(fdt, cpu, "interrupt-controller");
        fdt_setprop_u32(fdt, intc, "phandle", i + 1);
        fdt_setprop_string(fdt, cpu, "riscv,isa", with_h ? "rv64imafdch_zicsr_sstc" : "rv64imafdc_zicsr_sstc");
        /* PLIC contexts 2i (M) and 2i+1 (S) */
        ie[4 * i] = cpu_to_fdt32(i + 1);
        ie[4 * i + 1] = cpu_to_fdt32(11);
        ie[4 * i + 2] = cpu_to_fdt32(i + 1);
        ie[4 * i + 3] = cpu_to_fdt32(9);
    }
    int soc = fdt_add_subnode(fdt, 0, "soc");
    int plic = fdt_add_subnode(fdt, soc, "plic@c000000");
    fdt_setprop_string(fdt, plic, "compatible", "sifive,plic-1.0.0");
    fdt64_t preg[2] = { cpu_to_fdt64(0x0c000000), cpu_to_fdt64(0x600000) };
    fdt_setprop(fdt, plic, "reg", preg, sizeof(preg));
    fdt_setprop(fdt, plic, "interrupts-extended", ie, 16 * nharts);
    int chosen = fdt_add_subnode(fdt, 0, "chosen");
    fdt_setprop_u64(fdt, chosen, "linux,initrd-start", 0x88000000);
    fdt_setprop_u64(fdt, chosen, "linux,initrd-end", 0x88100000);
    fdt_pack(fdt);
    *size = fdt_totalsize(fdt);
    return fdt;
}

void mock_vm_boot(struct mock_vm *t)
{
    struct mock_machine mm = { .ram_size = 1ull << 30, .fdt_pa = 0xbfe00000 };
    g_assert_true(mock_vm_boot_with(t, &mm));
    g_assert_cmpstr(t->vm.fatal, ==, "");
}

bool mock_vm_boot_with(struct mock_vm *t, const struct mock_machine *mm)
{
    mock_hart_init(&t->m);
    return mock_vm_boot_with_hart(t, mm);
}

bool mock_vm_boot_with_hart(struct mock_vm *t, const struct mock_machine *mm)
{
    if (!t->m.csr[CSR_MEDELEG])
        t->m.csr[CSR_MEDELEG] = 0xf0b509;     /* what OpenSBI 1.5.1 delegates on QEMU */
    if (!t->m.csr[CSR_PMPCFG0]) {
        /* OpenSBI's layout, shortened: its own 256 KiB with no S/U access,
         * then everything RWX for S/U */
        t->m.csr[CSR_PMPADDR0] = (0x80000000ull | (0x40000 / 2 - 1)) >> 2;
        t->m.csr[CSR_PMPADDR0 + 1] = (1ull << 54) - 1;
        t->m.csr[CSR_PMPCFG0] = 0x18 | ((0x18ull | 7) << 8);
    }
    struct rvnest_options o = { .l0_mem = mm->l0_mem ? mm->l0_mem : RVNEST_DEFAULT_L0_MEM,
                                .l1_mem = mm->l1_mem, .quiet = true };
    rvnest_vm_init(&t->vm, &o);
    t->vc = rvnest_vcpu_init(&t->vm, &t->m.h);
    size_t size;
    void *fdt = mock_fdt_build(0x80000000, mm->ram_size, !mm->no_h, &size);
    if (mm->fdt_free) {
        g_assert_cmpuint(size + mm->fdt_free, <=, 8192);
        g_assert_cmpint(fdt_open_into(fdt, fdt, (int)(size + mm->fdt_free)), ==, 0);
        for (uint32_t i = 0; i < mm->fdt_free; i++)
            ((uint8_t *)fdt)[size + i] = (uint8_t)(0xa5 ^ i);
        size += mm->fdt_free;
    }
    t->m.h.ops->write_phys(&t->m.h, mm->fdt_pa, fdt, size);
    g_free(fdt);
    t->m.gpr[10] = 0;
    t->m.gpr[11] = mm->fdt_pa;
    t->m.csr[CSR_MENVCFG] = ENVCFG_STCE | ENVCFG_PBMTE | ENVCFG_CBZE;
    t->m.csr[CSR_MSTATUS] = (uint64_t)PRV_S << MSTATUS_MPP_SHIFT;
    t->m.csr[CSR_MEPC] = 0x80200000;
    t->m.csr[CSR_STVEC] = 0x80200100;
    t->m.priv = PRV_M;
    rvnest_on_hart_reset(t->vc);              /* the cold boot's reset vector */
    rvnest_on_mret(t->vc);
    t->m.plic_claim_reg = t->vm.plic_claim_page + 4;
    return t->vm.booted && !t->vm.fatal[0];
}

void mock_vm_free(struct mock_vm *t) { mock_hart_free(&t->m); }

void mock_l1_access(struct mock_vm *t, uint64_t cause, uint64_t pc, uint32_t insn, uint64_t addr)
{
    struct mock_hart *m = &t->m;
    if ((insn & 3) == 3)
        m->h.ops->write_phys(&m->h, pc, &insn, 4);
    else
        m->h.ops->write_phys(&m->h, pc, &insn, 2);
    mock_trap_from_l1(t, cause, pc, addr, 0, 0);
}

void mock_trap_from_l1(struct mock_vm *t, uint64_t cause, uint64_t pc, uint64_t stval,
                       uint64_t htval, uint64_t htinst)
{
    struct mock_hart *m = &t->m;
    m->csr[CSR_SCAUSE] = cause;
    m->csr[CSR_SEPC] = pc;
    m->csr[CSR_STVAL] = stval;
    m->csr[CSR_HTVAL] = htval;
    m->csr[CSR_HTINST] = htinst;
    m->csr[CSR_HSTATUS] |= HSTATUS_SPV;
    m->csr[CSR_SSTATUS] |= MSTATUS_SPP;
    m->pc = t->vm.l0_base + L0_OFF_VECTOR;
    m->priv = PRV_S;
    rvnest_on_hs_trap(t->vc);
}

bool mock_m_trap_from_hs(struct mock_vm *t, uint64_t from_pc)
{
    struct mock_hart *m = &t->m;
    if (m->priv == PRV_M && t->vc->uc.kind != UCODE_NONE && t->vc->uc.direct &&
        from_pc == t->vc->uc.end_pc) {
        /* a run that ends with its own mret (nested/ucode.c): its last
         * two words, csrr t0, mtval and the mret (instrumented: the plugin
         * calls rvnest_on_mret before it executes) */
        m->gpr[5] = m->csr[CSR_MTVAL];
        m->pc = from_pc;                   /* the mret's own word */
        rvnest_on_mret(t->vc);
        uint64_t ms = m->csr[CSR_MSTATUS];
        unsigned priv = (unsigned)((ms & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT);
        if (priv != PRV_M && (ms & MSTATUS_MPV))
            priv |= PRIV_V;
        ms = (ms & ~(MSTATUS_MIE | MSTATUS_MPP | MSTATUS_MPV | MSTATUS_MPRV)) | MSTATUS_MPIE |
             ((ms & MSTATUS_MPIE) ? MSTATUS_MIE : 0);
        m->csr[CSR_MSTATUS] = ms;
        m->pc = m->csr[CSR_MEPC];
        m->priv = priv;
        return true;
    }
    if (m->priv == PRV_M && t->vc->uc.kind != UCODE_NONE && t->vc->uc.in_m) {
        /* a microcode run in M (nested/ucode.c): the hart's trap from M */
        uint64_t ms = m->csr[CSR_MSTATUS];
        ms = (ms & ~(MSTATUS_MPP | MSTATUS_MPIE | MSTATUS_MIE | MSTATUS_MPV)) |
             ((ms & MSTATUS_MIE) ? MSTATUS_MPIE : 0) | ((uint64_t)PRV_M << MSTATUS_MPP_SHIFT);
        m->csr[CSR_MSTATUS] = ms;
        return rvnest_on_m_trap(t->vc, from_pc);
    }
    m->csr[CSR_MSTATUS] = (m->csr[CSR_MSTATUS] & MSTATUS_MPIE) | ((uint64_t)PRV_S << MSTATUS_MPP_SHIFT);
    m->priv = PRV_M;
    return rvnest_on_m_trap(t->vc, from_pc);
}
