/* rvnest-vmm: the guest device tree (portable, unit-tested on the host).
 *
 * Bindings: Documentation/devicetree/bindings/riscv/cpus.yaml (cpus,
 * riscv,isa, mmu-type, riscv,cbom-block-size), chosen.yaml (bootargs,
 * linux,initrd-start/-end, stdout-path), serial/8250.yaml (ns16550a); the
 * bench device's node ("rvnest,bench") is the project's own. */
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

#include <libfdt.h>

#include "vmm.h"

int isa_string(unsigned xlen, uint64_t base_bitmap, const char *const *exts, size_t n_exts,
               char *out, size_t outlen)
{
    /* Canonical order of single-letter extensions (ISA manual, "ISA
     * Extension Naming Conventions"). 'h' is never given to a guest. */
    static const char order[] = "iemafdqclbjtpvn";
    int n = snprintf(out, outlen, "rv%u", xlen);
    if (n < 0 || (size_t)n >= outlen)
        return -1;
    size_t len = (size_t)n;
    for (const char *c = order; *c; c++) {
        if (!(base_bitmap & (1ULL << (*c - 'a'))))
            continue;
        if (len + 1 >= outlen)
            return -1;
        out[len++] = *c;
    }
    out[len] = '\0';
    for (size_t i = 0; i < n_exts; i++) {
        size_t el = strlen(exts[i]);
        if (len + 1 + el >= outlen)
            return -1;
        out[len++] = '_';
        memcpy(out + len, exts[i], el + 1);
        len += el;
    }
    return 0;
}

/* libfdt's sequential-write calls all return <0 on error; chain them. */
#define TRY(call) do { if ((r = (call)) < 0) goto out; } while (0)

static int prop_cells2(void *fdt, const char *name, uint64_t a, uint64_t b)
{
    fdt64_t v[2] = { cpu_to_fdt64(a), cpu_to_fdt64(b) };
    return fdt_property(fdt, name, v, sizeof(v));
}

int build_guest_fdt(const struct fdt_params *p, void *buf, size_t bufsize, char *err, size_t errlen)
{
    if (p->cpus < 1 || p->cpus > GUEST_MAX_CPUS)
        return fail(err, errlen, "device tree: bad cpu count %u", p->cpus);
    if (!p->isa || strncmp(p->isa, "rv", 2))
        return fail(err, errlen, "device tree: bad riscv,isa string");
    if (p->mem_size == 0)
        return fail(err, errlen, "device tree: no memory");

    int r;
    char name[64];
    uint32_t intc_phandle[GUEST_MAX_CPUS];
    TRY(fdt_create(buf, (int)bufsize));
    TRY(fdt_finish_reservemap(buf));
    TRY(fdt_begin_node(buf, ""));
    TRY(fdt_property_cell(buf, "#address-cells", 2));
    TRY(fdt_property_cell(buf, "#size-cells", 2));
    TRY(fdt_property_string(buf, "compatible", "linux,dummy-virt"));
    TRY(fdt_property_string(buf, "model", "rvnest-vmm"));

    /* /chosen */
    TRY(fdt_begin_node(buf, "chosen"));
    TRY(fdt_property_string(buf, "bootargs", p->bootargs ? p->bootargs : ""));
    if (p->initrd_end > p->initrd_start) {
        TRY(fdt_property_u64(buf, "linux,initrd-start", p->initrd_start));
        TRY(fdt_property_u64(buf, "linux,initrd-end", p->initrd_end));
    }
    if (p->uart_base) {
        snprintf(name, sizeof(name), "/soc/serial@%" PRIx64, p->uart_base);
        TRY(fdt_property_string(buf, "stdout-path", name));
    }
    TRY(fdt_end_node(buf));

    /* /memory */
    snprintf(name, sizeof(name), "memory@%" PRIx64, p->mem_base);
    TRY(fdt_begin_node(buf, name));
    TRY(fdt_property_string(buf, "device_type", "memory"));
    TRY(prop_cells2(buf, "reg", p->mem_base, p->mem_size));
    TRY(fdt_end_node(buf));

    /* /cpus */
    TRY(fdt_begin_node(buf, "cpus"));
    TRY(fdt_property_cell(buf, "#address-cells", 1));
    TRY(fdt_property_cell(buf, "#size-cells", 0));
    TRY(fdt_property_cell(buf, "timebase-frequency", p->timebase_hz));
    for (unsigned i = 0; i < p->cpus; i++) {
        snprintf(name, sizeof(name), "cpu@%u", i);
        TRY(fdt_begin_node(buf, name));
        TRY(fdt_property_string(buf, "device_type", "cpu"));
        TRY(fdt_property_cell(buf, "reg", i));
        TRY(fdt_property_string(buf, "compatible", "riscv"));
        TRY(fdt_property_string(buf, "status", "okay"));
        TRY(fdt_property_string(buf, "riscv,isa", p->isa));
        if (p->mmu_type)
            TRY(fdt_property_string(buf, "mmu-type", p->mmu_type));
        if (p->cbom_block_size)
            TRY(fdt_property_cell(buf, "riscv,cbom-block-size", p->cbom_block_size));
        if (p->cboz_block_size)
            TRY(fdt_property_cell(buf, "riscv,cboz-block-size", p->cboz_block_size));
        /* The hart-local interrupt controller every RISC-V cpu node needs
         * (bindings/interrupt-controller/riscv,cpu-intc.yaml). */
        intc_phandle[i] = i + 1;
        TRY(fdt_begin_node(buf, "interrupt-controller"));
        TRY(fdt_property_string(buf, "compatible", "riscv,cpu-intc"));
        TRY(fdt_property_cell(buf, "#interrupt-cells", 1));
        TRY(fdt_property(buf, "interrupt-controller", NULL, 0));
        TRY(fdt_property_cell(buf, "phandle", intc_phandle[i]));
        TRY(fdt_end_node(buf));
        TRY(fdt_end_node(buf));
    }
    TRY(fdt_end_node(buf));

    /* /soc with the console UART (polled: no interrupt controller) and the
     * bench device */
    TRY(fdt_begin_node(buf, "soc"));
    TRY(fdt_property_cell(buf, "#address-cells", 2));
    TRY(fdt_property_cell(buf, "#size-cells", 2));
    TRY(fdt_property_string(buf, "compatible", "simple-bus"));
    TRY(fdt_property(buf, "ranges", NULL, 0));
    if (p->uart_base) {
        snprintf(name, sizeof(name), "serial@%" PRIx64, p->uart_base);
        TRY(fdt_begin_node(buf, name));
        TRY(fdt_property_string(buf, "compatible", "ns16550a"));
        TRY(prop_cells2(buf, "reg", p->uart_base, GUEST_UART_SIZE));
        TRY(fdt_property_cell(buf, "clock-frequency", GUEST_UART_CLOCK));
        TRY(fdt_end_node(buf));
    }
    if (p->bench_base) {
        /* the bench device (benchdev.h): no Linux driver binds it, so the
         * guest reaches it through /dev/mem */
        snprintf(name, sizeof(name), "bench@%" PRIx64, p->bench_base);
        TRY(fdt_begin_node(buf, name));
        TRY(fdt_property_string(buf, "compatible", "rvnest,bench"));
        TRY(prop_cells2(buf, "reg", p->bench_base, GUEST_BENCH_SIZE));
        TRY(fdt_end_node(buf));
    }
    TRY(fdt_end_node(buf));

    TRY(fdt_end_node(buf));
    TRY(fdt_finish(buf));
    TRY(fdt_check_full(buf, bufsize));
    return 0;
out:
    return fail(err, errlen, "device tree: %s", fdt_strerror(r));
}
