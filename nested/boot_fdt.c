/* Device-tree reading and patching for L1's boot (libfdt). */
#include <stdio.h>
#include <string.h>
#include <libfdt.h>
#include "rvnest/fdt.h"

static uint64_t read_cells(const fdt32_t *p, int cells)
{
    uint64_t v = 0;
    for (int i = 0; i < cells; i++)
        v = (v << 32) | fdt32_to_cpu(p[i]);
    return v;
}

static bool has_word(const char *list, int len, const char *word)
{
    for (int off = 0; off < len; off += (int)strlen(list + off) + 1)
        if (!strcmp(list + off, word))
            return true;
    return false;
}

/* riscv,isa is "rv64imafdch_zicsr_..._sstc_...": single letters before the
 * first '_', multi-letter extensions after. */
static bool isa_string_has(const char *isa, const char *ext)
{
    if (strncmp(isa, "rv64", 4) && strncmp(isa, "rv32", 4))
        return false;
    const char *p = isa + 4;
    if (strlen(ext) == 1) {
        for (; *p && *p != '_'; p++)
            if (*p == ext[0])
                return true;
        return false;
    }
    size_t n = strlen(ext);
    for (p = strchr(p, '_'); p; p = strchr(p + 1, '_'))
        if (!strncmp(p + 1, ext, n) && (p[1 + n] == '_' || p[1 + n] == 0))
            return true;
    return false;
}

static void inspect_cpu0(const void *fdt, struct rvnest_fdt_facts *f)
{
    int cpus = fdt_path_offset(fdt, "/cpus");
    if (cpus < 0)
        return;
    int cpu;
    fdt_for_each_subnode(cpu, fdt, cpus) {
        const char *dt = fdt_getprop(fdt, cpu, "device_type", NULL);
        if (!dt || strcmp(dt, "cpu"))
            continue;
        int len;
        /* hart 0's node (QEMU gives every hart the same ISA) */
        const fdt32_t *reg = fdt_getprop(fdt, cpu, "reg", &len);
        if (reg && len >= 4 && fdt32_to_cpu(reg[len / 4 - 1]) != 0)
            continue;
        const char *exts = fdt_getprop(fdt, cpu, "riscv,isa-extensions", &len);
        if (exts) {
            f->isa_h = has_word(exts, len, "h");
            f->isa_sstc = has_word(exts, len, "sstc");
            f->isa_svnapot = has_word(exts, len, "svnapot");
            f->isa_svinval = has_word(exts, len, "svinval");
            f->isa_svadu = has_word(exts, len, "svadu");
            f->isa_svade = has_word(exts, len, "svade");
        } else {
            const char *isa = fdt_getprop(fdt, cpu, "riscv,isa", NULL);
            if (isa) {
                f->isa_h = isa_string_has(isa, "h");
                f->isa_sstc = isa_string_has(isa, "sstc");
                f->isa_svnapot = isa_string_has(isa, "svnapot");
                f->isa_svinval = isa_string_has(isa, "svinval");
                f->isa_svadu = isa_string_has(isa, "svadu");
                f->isa_svade = isa_string_has(isa, "svade");
            }
        }
        return;
    }
}

static void inspect_plic(const void *fdt, int ac, int sc, struct rvnest_fdt_facts *f)
{
    static const char *const compat[] = { "riscv,plic0", "sifive,plic-1.0.0" };
    int node = -1;
    for (unsigned i = 0; i < 2 && node < 0; i++)
        node = fdt_node_offset_by_compatible(fdt, -1, compat[i]);
    f->plic_s_context = -1;
    for (unsigned h = 0; h < RVNEST_MAX_HARTS; h++)
        f->plic_s_ctx[h] = -1;
    if (node < 0)
        return;
    int len;
    const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);
    if (reg && len >= (ac + sc) * 4) {
        f->plic_base = read_cells(reg, ac);
        f->plic_size = read_cells(reg + ac, sc);
    }
    /* interrupts-extended: <phandle irq> per context, context i in order.
     * An S-mode external (irq 9) entry names a hart's interrupt controller,
     * whose parent /cpus/cpu@N has the hart id in reg. */
    const fdt32_t *ie = fdt_getprop(fdt, node, "interrupts-extended", &len);
    for (int i = 0; ie && i < len / 8; i++) {
        if (fdt32_to_cpu(ie[2 * i + 1]) != 9)
            continue;
        int intc = fdt_node_offset_by_phandle(fdt, fdt32_to_cpu(ie[2 * i]));
        int cpu = intc < 0 ? -1 : fdt_parent_offset(fdt, intc);
        int rl;
        const fdt32_t *r = cpu < 0 ? NULL : fdt_getprop(fdt, cpu, "reg", &rl);
        if (!r || rl < 4)
            continue;
        uint32_t hart = fdt32_to_cpu(r[rl / 4 - 1]);
        if (hart < RVNEST_MAX_HARTS && f->plic_s_ctx[hart] < 0)
            f->plic_s_ctx[hart] = i;
    }
    f->plic_s_context = f->plic_s_ctx[0];
}

int rvnest_fdt_inspect(const void *fdt, uint64_t fdt_pa, struct rvnest_fdt_facts *f,
                       char *err, size_t errlen)
{
    memset(f, 0, sizeof(*f));
    int rc = fdt_check_header(fdt);
    if (rc) {
        snprintf(err, errlen, "L1 device tree at %#llx is not valid (%s)",
                 (unsigned long long)fdt_pa, fdt_strerror(rc));
        return rc;
    }
    int ac = fdt_address_cells(fdt, 0), sc = fdt_size_cells(fdt, 0);
    if (ac < 1 || ac > 2 || sc < 1 || sc > 2) {
        snprintf(err, errlen, "L1 device tree has unsupported #address-cells/#size-cells");
        return -FDT_ERR_BADNCELLS;
    }
    int node;
    fdt_for_each_subnode(node, fdt, 0) {
        const char *dt = fdt_getprop(fdt, node, "device_type", NULL);
        if (!dt || strcmp(dt, "memory"))
            continue;
        int len;
        const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);
        for (int i = 0; reg && (i + 1) * (ac + sc) * 4 <= len; i++) {
            uint64_t b = read_cells(reg + i * (ac + sc), ac);
            uint64_t s = read_cells(reg + i * (ac + sc) + ac, sc);
            if ((fdt_pa >= b && fdt_pa - b < s) || !f->ram_size) {
                f->ram_base = b;          /* the range holding the DT, else the first */
                f->ram_size = s;
            }
        }
    }
    if (!f->ram_size) {
        snprintf(err, errlen, "no /memory range in L1's device tree");
        return -FDT_ERR_NOTFOUND;
    }
    inspect_cpu0(fdt, f);
    inspect_plic(fdt, ac, sc, f);
    int chosen = fdt_path_offset(fdt, "/chosen");
    if (chosen >= 0) {
        int len;
        const fdt32_t *p = fdt_getprop(fdt, chosen, "linux,initrd-start", &len);
        if (p && (len == 4 || len == 8))
            f->initrd_start = read_cells(p, len / 4);
        p = fdt_getprop(fdt, chosen, "linux,initrd-end", &len);
        if (p && (len == 4 || len == 8))
            f->initrd_end = read_cells(p, len / 4);
    }
    int rm = fdt_path_offset(fdt, "/reserved-memory");
    if (rm >= 0) {
        fdt_for_each_subnode(node, fdt, rm) {
            const char *name = fdt_get_name(fdt, node, NULL);
            if (name && !strncmp(name, RVNEST_FDT_NODE "@", strlen(RVNEST_FDT_NODE) + 1))
                f->has_rvnest_node = true;
        }
    }
    return 0;
}

int rvnest_fdt_reserve(void *fdt, uint64_t base, uint64_t size)
{
    int ac = fdt_address_cells(fdt, 0), sc = fdt_size_cells(fdt, 0);
    int rm = fdt_path_offset(fdt, "/reserved-memory");
    int rc;
    if (rm < 0) {
        rm = fdt_add_subnode(fdt, 0, "reserved-memory");
        if (rm < 0)
            return rm;
        if ((rc = fdt_setprop_u32(fdt, rm, "#address-cells", (uint32_t)ac)) ||
            (rc = fdt_setprop_u32(fdt, rm, "#size-cells", (uint32_t)sc)) ||
            (rc = fdt_setprop(fdt, rm, "ranges", NULL, 0)))
            return rc;
    } else {
        ac = fdt_address_cells(fdt, rm);
        sc = fdt_size_cells(fdt, rm);
    }
    char name[48];
    snprintf(name, sizeof(name), RVNEST_FDT_NODE "@%llx", (unsigned long long)base);
    int node = fdt_add_subnode(fdt, rm, name);
    if (node < 0)
        return node;
    fdt32_t reg[4];
    int n = 0;
    if (ac == 2)
        reg[n++] = cpu_to_fdt32((uint32_t)(base >> 32));
    reg[n++] = cpu_to_fdt32((uint32_t)base);
    if (sc == 2)
        reg[n++] = cpu_to_fdt32((uint32_t)(size >> 32));
    reg[n++] = cpu_to_fdt32((uint32_t)size);
    if ((rc = fdt_setprop(fdt, node, "reg", reg, n * 4)) ||
        (rc = fdt_setprop(fdt, node, "no-map", NULL, 0)))
        return rc;
    return 0;
}

int rvnest_fdt_set_memory_size(void *fdt, uint64_t base, uint64_t size)
{
    int ac = fdt_address_cells(fdt, 0), sc = fdt_size_cells(fdt, 0), node;
    fdt_for_each_subnode(node, fdt, 0) {
        const char *dt = fdt_getprop(fdt, node, "device_type", NULL);
        int len;
        const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);
        if (!dt || strcmp(dt, "memory") || !reg || len < (ac + sc) * 4 || read_cells(reg, ac) != base)
            continue;
        fdt32_t cells[4];
        memcpy(cells, reg, (size_t)(ac + sc) * 4);
        if (sc == 2)
            cells[ac] = cpu_to_fdt32((uint32_t)(size >> 32));
        cells[ac + sc - 1] = cpu_to_fdt32((uint32_t)size);
        return fdt_setprop_inplace_namelen_partial(fdt, node, "reg", 3, 0, cells, (ac + sc) * 4);
    }
    return -FDT_ERR_NOTFOUND;
}
