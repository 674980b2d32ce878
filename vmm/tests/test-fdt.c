/* Host unit tests of the guest device-tree builder (vmm/fdt.c). */
#include <string.h>

#include <glib.h>
#include <libfdt.h>

#include "../vmm.h"

#define FDT_SIZE 0x10000

static struct fdt_params default_params(void)
{
    return (struct fdt_params){
        .cpus = 1, .isa = "rv64imafdc_zicsr_zifencei", .mmu_type = "riscv,sv48",
        .timebase_hz = 10000000, .cbom_block_size = 64,
        .mem_base = GUEST_RAM_BASE, .mem_size = 256ULL << 20,
        .initrd_start = 0x8f000000, .initrd_end = 0x8f100000,
        .bootargs = "console=ttyS0 quiet", .uart_base = GUEST_UART_BASE,
        .bench_base = GUEST_BENCH_BASE,
    };
}

static void *build_ok(const struct fdt_params *p)
{
    void *fdt = g_malloc0(FDT_SIZE);
    char err[256] = "";
    int r = build_guest_fdt(p, fdt, FDT_SIZE, err, sizeof(err));
    g_assert_cmpstr(err, ==, "");
    g_assert_cmpint(r, ==, 0);
    g_assert_cmpint(fdt_check_full(fdt, FDT_SIZE), ==, 0);
    return fdt;
}

static int node(const void *fdt, const char *path)
{
    int off = fdt_path_offset(fdt, path);
    if (off < 0)
        g_error("node %s missing: %s", path, fdt_strerror(off));
    return off;
}

static const char *str_prop(const void *fdt, const char *path, const char *name)
{
    const char *s = fdt_getprop(fdt, node(fdt, path), name, NULL);
    if (!s)
        g_error("property %s:%s missing", path, name);
    return s;
}

static uint32_t u32_prop(const void *fdt, const char *path, const char *name)
{
    int len;
    const fdt32_t *v = fdt_getprop(fdt, node(fdt, path), name, &len);
    g_assert_nonnull(v);
    g_assert_cmpint(len, ==, 4);
    return fdt32_to_cpu(*v);
}

static uint64_t u64_prop(const void *fdt, const char *path, const char *name, int index)
{
    int len;
    const fdt64_t *v = fdt_getprop(fdt, node(fdt, path), name, &len);
    g_assert_nonnull(v);
    g_assert_cmpint(len, >=, 8 * (index + 1));
    return fdt64_to_cpu(v[index]);
}

static void test_nodes(void)
{
    struct fdt_params p = default_params();
    void *fdt = build_ok(&p);
    g_assert_cmpuint(u32_prop(fdt, "/", "#address-cells"), ==, 2);
    g_assert_cmpuint(u32_prop(fdt, "/", "#size-cells"), ==, 2);
    g_assert_cmpstr(str_prop(fdt, "/chosen", "bootargs"), ==, "console=ttyS0 quiet");
    g_assert_cmphex(u64_prop(fdt, "/chosen", "linux,initrd-start", 0), ==, 0x8f000000);
    g_assert_cmphex(u64_prop(fdt, "/chosen", "linux,initrd-end", 0), ==, 0x8f100000);
    g_assert_cmpstr(str_prop(fdt, "/chosen", "stdout-path"), ==, "/soc/serial@10000000");
    g_assert_cmpstr(str_prop(fdt, "/memory@80000000", "device_type"), ==, "memory");
    g_assert_cmphex(u64_prop(fdt, "/memory@80000000", "reg", 0), ==, GUEST_RAM_BASE);
    g_assert_cmphex(u64_prop(fdt, "/memory@80000000", "reg", 1), ==, 256ULL << 20);
    g_assert_cmpuint(u32_prop(fdt, "/cpus", "timebase-frequency"), ==, 10000000);
    g_assert_cmpstr(str_prop(fdt, "/cpus/cpu@0", "device_type"), ==, "cpu");
    g_assert_cmpstr(str_prop(fdt, "/cpus/cpu@0", "riscv,isa"), ==, "rv64imafdc_zicsr_zifencei");
    g_assert_cmpstr(str_prop(fdt, "/cpus/cpu@0", "mmu-type"), ==, "riscv,sv48");
    g_assert_cmpstr(str_prop(fdt, "/cpus/cpu@0", "status"), ==, "okay");
    g_assert_cmpuint(u32_prop(fdt, "/cpus/cpu@0", "reg"), ==, 0);
    g_assert_cmpuint(u32_prop(fdt, "/cpus/cpu@0", "riscv,cbom-block-size"), ==, 64);
    g_assert_null(fdt_getprop(fdt, node(fdt, "/cpus/cpu@0"), "riscv,cboz-block-size", NULL));
    g_assert_cmpstr(str_prop(fdt, "/cpus/cpu@0/interrupt-controller", "compatible"), ==, "riscv,cpu-intc");
    g_assert_cmpuint(u32_prop(fdt, "/cpus/cpu@0/interrupt-controller", "#interrupt-cells"), ==, 1);
    g_assert_cmpint(fdt_path_offset(fdt, "/cpus/cpu@1"), <, 0);
    g_assert_cmpstr(str_prop(fdt, "/soc/serial@10000000", "compatible"), ==, "ns16550a");
    g_assert_cmphex(u64_prop(fdt, "/soc/serial@10000000", "reg", 0), ==, GUEST_UART_BASE);
    g_assert_cmphex(u64_prop(fdt, "/soc/serial@10000000", "reg", 1), ==, GUEST_UART_SIZE);
    /* the bench device: two pages beside the UART, not overlapping it */
    g_assert_cmpstr(str_prop(fdt, "/soc/bench@10010000", "compatible"), ==, "rvnest,bench");
    g_assert_cmphex(u64_prop(fdt, "/soc/bench@10010000", "reg", 0), ==, GUEST_BENCH_BASE);
    g_assert_cmphex(u64_prop(fdt, "/soc/bench@10010000", "reg", 1), ==, 0x2000);
    g_assert_cmphex(GUEST_BENCH_BASE, >=, GUEST_UART_BASE + GUEST_UART_SIZE);
    g_free(fdt);
}

static void test_smp_no_initrd_no_uart(void)
{
    struct fdt_params p = default_params();
    p.cpus = 4;
    p.initrd_start = p.initrd_end = 0;
    p.uart_base = 0;
    p.bench_base = 0;
    p.mmu_type = NULL;
    void *fdt = build_ok(&p);
    for (int i = 0; i < 4; i++) {
        char path[32];
        snprintf(path, sizeof(path), "/cpus/cpu@%d", i);
        g_assert_cmpuint(u32_prop(fdt, path, "reg"), ==, (uint32_t)i);
        g_assert_null(fdt_getprop(fdt, node(fdt, path), "mmu-type", NULL));
    }
    /* each hart has its own interrupt controller with a distinct phandle */
    g_assert_cmpuint(fdt_get_phandle(fdt, node(fdt, "/cpus/cpu@0/interrupt-controller")), !=,
                     fdt_get_phandle(fdt, node(fdt, "/cpus/cpu@3/interrupt-controller")));
    g_assert_null(fdt_getprop(fdt, node(fdt, "/chosen"), "linux,initrd-start", NULL));
    g_assert_null(fdt_getprop(fdt, node(fdt, "/chosen"), "stdout-path", NULL));
    g_assert_cmpint(fdt_path_offset(fdt, "/soc/serial@10000000"), <, 0);
    g_assert_cmpint(fdt_path_offset(fdt, "/soc/bench@10010000"), <, 0);
    g_free(fdt);
}

static void test_errors(void)
{
    char err[256];
    uint8_t small[128];
    struct fdt_params p = default_params();
    g_assert_cmpint(build_guest_fdt(&p, small, sizeof(small), err, sizeof(err)), ==, -1);
    g_assert_nonnull(strstr(err, "device tree"));
    g_assert_null(strchr(err, '\n'));
    void *buf = g_malloc0(FDT_SIZE);
    p.cpus = 0;
    g_assert_cmpint(build_guest_fdt(&p, buf, FDT_SIZE, err, sizeof(err)), ==, -1);
    g_assert_nonnull(strstr(err, "cpu count"));
    p = default_params();
    p.isa = "imafdc";
    g_assert_cmpint(build_guest_fdt(&p, buf, FDT_SIZE, err, sizeof(err)), ==, -1);
    g_assert_nonnull(strstr(err, "riscv,isa"));
    g_free(buf);
}

static void test_isa_string(void)
{
    char out[128];
    uint64_t base = 0;
    for (const char *c = "acdfhim"; *c; c++)
        base |= 1ULL << (*c - 'a');
    const char *exts[] = { "zicsr", "zifencei", "sstc" };
    g_assert_cmpint(isa_string(64, base, exts, 3, out, sizeof(out)), ==, 0);
    /* canonical letter order, no 'h' for a guest */
    g_assert_cmpstr(out, ==, "rv64imafdc_zicsr_zifencei_sstc");
    g_assert_cmpint(isa_string(64, base, NULL, 0, out, sizeof(out)), ==, 0);
    g_assert_cmpstr(out, ==, "rv64imafdc");
    g_assert_cmpint(isa_string(64, base, exts, 3, out, 12), ==, -1);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vmm/fdt/nodes", test_nodes);
    g_test_add_func("/vmm/fdt/smp-no-initrd-no-uart", test_smp_no_initrd_no_uart);
    g_test_add_func("/vmm/fdt/errors", test_errors);
    g_test_add_func("/vmm/fdt/isa-string", test_isa_string);
    return g_test_run();
}
