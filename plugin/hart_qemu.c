/* The hart interface implemented with QEMU's plugin API: registers through
 * the gdb register list (GPRs by ABI name, CSRs by name, pc, and the
 * virtual "priv" register whose bit 2 is V), memory through the
 * hardware-address accessors. */
#include <string.h>
#include <glib.h>
#include <qemu-plugin.h>
#include "plugin/hart_qemu.h"
#include "rvnest/csr.h"

static const char *const gpr_names[32] = {
    "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "fp", "s1", "a0", "a1",
    "a2", "a3", "a4", "a5", "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7",
    "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
};

static const struct { unsigned num; const char *name; bool required; } csr_names[] = {
    { CSR_SSTATUS, "sstatus", true }, { CSR_SIE, "sie", true }, { CSR_STVEC, "stvec", true },
    { CSR_SCOUNTEREN, "scounteren", false }, { CSR_SENVCFG, "senvcfg", false },
    { CSR_SSCRATCH, "sscratch", true }, { CSR_SEPC, "sepc", true }, { CSR_SCAUSE, "scause", true },
    { CSR_STVAL, "stval", true }, { CSR_SIP, "sip", true }, { CSR_STIMECMP, "stimecmp", false },
    { CSR_SATP, "satp", true },
    { CSR_VSSTATUS, "vsstatus", true }, { CSR_VSIE, "vsie", true }, { CSR_VSTVEC, "vstvec", true },
    { CSR_VSSCRATCH, "vsscratch", true }, { CSR_VSEPC, "vsepc", true }, { CSR_VSCAUSE, "vscause", true },
    { CSR_VSTVAL, "vstval", true }, { CSR_VSIP, "vsip", true }, { CSR_VSTIMECMP, "vstimecmp", false },
    { CSR_VSATP, "vsatp", true },
    { CSR_HSTATUS, "hstatus", true }, { CSR_HEDELEG, "hedeleg", true }, { CSR_HIDELEG, "hideleg", true },
    { CSR_HIE, "hie", true }, { CSR_HTIMEDELTA, "htimedelta", true }, { CSR_HCOUNTEREN, "hcounteren", true },
    { CSR_HGEIE, "hgeie", true }, { CSR_HENVCFG, "henvcfg", true }, { CSR_HTVAL, "htval", true },
    { CSR_HIP, "hip", true }, { CSR_HVIP, "hvip", true }, { CSR_HTINST, "htinst", true },
    { CSR_HGATP, "hgatp", true }, { CSR_HGEIP, "hgeip", true },
    { CSR_HSTATEEN0, "hstateen0", false }, { CSR_HSTATEEN0 + 1, "hstateen1", false },
    { CSR_HSTATEEN0 + 2, "hstateen2", false }, { CSR_HSTATEEN0 + 3, "hstateen3", false },
    { CSR_MSTATUS, "mstatus", true }, { CSR_MISA, "misa", false }, { CSR_MEDELEG, "medeleg", false },
    { CSR_MIDELEG, "mideleg", false }, { CSR_MIE, "mie", false }, { CSR_MTVEC, "mtvec", false },
    { CSR_MCOUNTEREN, "mcounteren", false }, { CSR_MENVCFG, "menvcfg", true },
    { CSR_MSTATEEN0, "mstateen0", false }, { CSR_MSTATEEN0 + 1, "mstateen1", false },
    { CSR_MSTATEEN0 + 2, "mstateen2", false }, { CSR_MSTATEEN0 + 3, "mstateen3", false },
    { CSR_MEPC, "mepc", true }, { CSR_MCAUSE, "mcause", true }, { CSR_MTVAL, "mtval", false },
    { CSR_MTINST, "mtinst", false },
    { CSR_MIP, "mip", true }, { CSR_MHARTID, "mhartid", false },
    { CSR_MSECCFG, "mseccfg", false },
    { CSR_PMPCFG0, "pmpcfg0", true }, { CSR_PMPCFG0 + 2, "pmpcfg2", true },
    { CSR_PMPADDR0, "pmpaddr0", true }, { CSR_PMPADDR0 + 1, "pmpaddr1", true },
    { CSR_PMPADDR0 + 2, "pmpaddr2", true }, { CSR_PMPADDR0 + 3, "pmpaddr3", true },
    { CSR_PMPADDR0 + 4, "pmpaddr4", true }, { CSR_PMPADDR0 + 5, "pmpaddr5", true },
    { CSR_PMPADDR0 + 6, "pmpaddr6", true }, { CSR_PMPADDR0 + 7, "pmpaddr7", true },
    { CSR_PMPADDR0 + 8, "pmpaddr8", true }, { CSR_PMPADDR0 + 9, "pmpaddr9", true },
    { CSR_PMPADDR0 + 10, "pmpaddr10", true }, { CSR_PMPADDR0 + 11, "pmpaddr11", true },
    { CSR_PMPADDR0 + 12, "pmpaddr12", true }, { CSR_PMPADDR0 + 13, "pmpaddr13", true },
    { CSR_PMPADDR0 + 14, "pmpaddr14", true }, { CSR_PMPADDR0 + 15, "pmpaddr15", true },
    { CSR_CYCLE, "cycle", false }, { CSR_TIME, "time", false }, { CSR_INSTRET, "instret", false },
};

const char *rvnest_csr_name(unsigned csr)
{
    for (size_t i = 0; i < G_N_ELEMENTS(csr_names); i++)
        if (csr_names[i].num == csr)
            return csr_names[i].name;
    return NULL;
}

static struct qemu_plugin_register *csr_handle(struct qemu_hart *q, unsigned csr)
{
    return csr < 4096 ? q->csr[csr] : NULL;
}

static uint64_t rd(struct qemu_hart *q, struct qemu_plugin_register *r)
{
    g_byte_array_set_size(q->buf, 0);
    if (qemu_plugin_read_register(r, q->buf) < 8)
        return 0;
    uint64_t v;
    memcpy(&v, q->buf->data, 8);      /* little-endian target and host */
    return v;
}

static void wr(struct qemu_hart *q, struct qemu_plugin_register *r, uint64_t v)
{
    g_byte_array_set_size(q->buf, 8);
    memcpy(q->buf->data, &v, 8);
    qemu_plugin_write_register(r, q->buf);
}

static uint64_t get_gpr(struct rvnest_hart *h, unsigned reg)
{
    struct qemu_hart *q = (struct qemu_hart *)h;
    return reg && reg < 32 ? rd(q, q->gpr[reg]) : 0;
}

static void set_gpr(struct rvnest_hart *h, unsigned reg, uint64_t val)
{
    struct qemu_hart *q = (struct qemu_hart *)h;
    if (reg && reg < 32)
        wr(q, q->gpr[reg], val);
}

static bool get_csr(struct rvnest_hart *h, unsigned csr, uint64_t *val)
{
    struct qemu_hart *q = (struct qemu_hart *)h;
    struct qemu_plugin_register *r = csr_handle(q, csr);
    if (!r)
        return false;
    *val = rd(q, r);
    return true;
}

static bool set_csr(struct rvnest_hart *h, unsigned csr, uint64_t val)
{
    struct qemu_hart *q = (struct qemu_hart *)h;
    struct qemu_plugin_register *r = csr_handle(q, csr);
    if (!r)
        return false;
    wr(q, r, val);
    return true;
}

static uint64_t get_pc(struct rvnest_hart *h)
{
    struct qemu_hart *q = (struct qemu_hart *)h;
    return rd(q, q->pc);
}

static void set_pc(struct rvnest_hart *h, uint64_t pc)
{
    struct qemu_hart *q = (struct qemu_hart *)h;
    wr(q, q->pc, pc);
}

static unsigned get_priv(struct rvnest_hart *h)
{
    struct qemu_hart *q = (struct qemu_hart *)h;
    return (unsigned)rd(q, q->priv);
}

static void set_priv(struct rvnest_hart *h, unsigned priv)
{
    struct qemu_hart *q = (struct qemu_hart *)h;
    wr(q, q->priv, priv);
}

static bool read_phys(struct rvnest_hart *h, uint64_t pa, void *buf, size_t len)
{
    struct qemu_hart *q = (struct qemu_hart *)h;
    if (qemu_plugin_read_memory_hwaddr(pa, q->mem, len) != QEMU_PLUGIN_HWADDR_OPERATION_OK)
        return false;
    memcpy(buf, q->mem->data, len);
    return true;
}

static bool write_phys(struct rvnest_hart *h, uint64_t pa, const void *buf, size_t len)
{
    struct qemu_hart *q = (struct qemu_hart *)h;
    g_byte_array_set_size(q->mem, 0);
    g_byte_array_append(q->mem, buf, (guint)len);
    return qemu_plugin_write_memory_hwaddr(pa, q->mem) == QEMU_PLUGIN_HWADDR_OPERATION_OK;
}

static const struct rvnest_hart_ops qemu_hart_ops = {
    .get_gpr = get_gpr, .set_gpr = set_gpr, .get_csr = get_csr, .set_csr = set_csr,
    .get_pc = get_pc, .set_pc = set_pc, .get_priv = get_priv, .set_priv = set_priv,
    .read_phys = read_phys, .write_phys = write_phys,
};

/* Runs in the vcpu_init callback: the only place the register list exists. */
bool qemu_hart_init(struct qemu_hart *q, unsigned index, char *err, size_t errlen)
{
    memset(q, 0, sizeof(*q));
    q->h.ops = &qemu_hart_ops;
    q->h.index = index;
    q->buf = g_byte_array_sized_new(16);
    q->mem = g_byte_array_sized_new(4096);
    GArray *regs = qemu_plugin_get_registers();
    for (guint i = 0; i < regs->len; i++) {
        qemu_plugin_reg_descriptor *d = &g_array_index(regs, qemu_plugin_reg_descriptor, i);
        if (!strcmp(d->name, "pc"))
            q->pc = d->handle;
        else if (!strcmp(d->name, "priv"))
            q->priv = d->handle;
        for (unsigned g = 1; g < 32; g++)
            if (!strcmp(d->name, gpr_names[g]))
                q->gpr[g] = d->handle;
        for (size_t c = 0; c < G_N_ELEMENTS(csr_names); c++)
            if (!strcmp(d->name, csr_names[c].name))
                q->csr[csr_names[c].num] = d->handle;
    }
    g_array_free(regs, TRUE);
    const char *missing = !q->pc ? "pc" : !q->priv ? "priv" : NULL;
    for (unsigned g = 1; g < 32 && !missing; g++)
        if (!q->gpr[g])
            missing = gpr_names[g];
    for (size_t c = 0; c < G_N_ELEMENTS(csr_names) && !missing; c++)
        if (csr_names[c].required && !q->csr[csr_names[c].num])
            missing = csr_names[c].name;
    if (missing) {
        g_snprintf(err, errlen,
                   "QEMU's register list lacks '%s'; run a RISC-V hart with the H extension (-cpu rv64,h=true)",
                   missing);
        return false;
    }
    return true;
}
