/* Host unit tests of the argument parser (vmm/args.c). */
#include <string.h>

#include <glib.h>

#include "../vmm.h"

/* Parses a NULL-terminated list of arguments (argv[0] added). */
static int parse(struct vmm_options *o, char *err, size_t errlen, ...)
{
    char *argv[32] = { "rvnest-vmm" };
    int argc = 1;
    va_list ap;
    va_start(ap, errlen);
    for (char *a; (a = va_arg(ap, char *)) && argc < 31;)
        argv[argc++] = a;
    va_end(ap);
    err[0] = '\0';
    return parse_args(argc, argv, o, err, errlen);
}

static void test_defaults(void)
{
    struct vmm_options o;
    char err[256];
    g_assert_cmpint(parse(&o, err, sizeof(err), "--kernel", "Image", NULL), ==, 0);
    g_assert_cmpstr(o.kernel, ==, "Image");
    g_assert_null(o.initrd);
    g_assert_cmpstr(o.append, ==, "");
    g_assert_cmpuint(o.mem_size, ==, 256ULL << 20);
    g_assert_cmpuint(o.cpus, ==, 1);
    g_assert_cmpint(o.format, ==, KERNEL_AUTO);
    g_assert_false(o.stats);
    g_assert_false(o.no_reboot);
    g_assert_cmpuint(o.timeout_s, ==, 0);
    g_assert_false(o.dirty_log);
    g_assert_cmpuint(o.dirty_log_ms, ==, 0);
    g_assert_cmpint(o.dirty_log_mode, ==, DIRTY_LOG_AUTO);
}

static void test_all_options(void)
{
    struct vmm_options o;
    char err[256];
    g_assert_cmpint(parse(&o, err, sizeof(err), "-k", "Image", "--initrd", "rd.gz",
                          "--append", "console=ttyS0 quiet", "--mem", "1G", "--cpus", "2",
                          "--kernel-format", "elf", "--timeout", "60", "--no-reboot",
                          "--dtb-out", "g.dtb", "--stats", NULL), ==, 0);
    g_assert_cmpstr(o.initrd, ==, "rd.gz");
    g_assert_cmpstr(o.append, ==, "console=ttyS0 quiet");
    g_assert_cmpuint(o.mem_size, ==, 1ULL << 30);
    g_assert_cmpuint(o.cpus, ==, 2);
    g_assert_cmpint(o.format, ==, KERNEL_ELF);
    g_assert_cmpuint(o.timeout_s, ==, 60);
    g_assert_true(o.no_reboot);
    g_assert_cmpstr(o.dtb_out, ==, "g.dtb");
    g_assert_true(o.stats);
    /* --opt=value works too, and the parser can run twice */
    g_assert_cmpint(parse(&o, err, sizeof(err), "--kernel=Image", "--mem=64M", NULL), ==, 0);
    g_assert_cmpuint(o.mem_size, ==, 64ULL << 20);
    g_assert_cmpint(parse(&o, err, sizeof(err), "--help", NULL), ==, 0);
    g_assert_true(o.help);
    g_assert_cmpint(parse(&o, err, sizeof(err), "-k", "I", "--dirty-log", "50", "--dirty-log-mode", "get", NULL), ==, 0);
    g_assert_true(o.dirty_log);
    g_assert_cmpuint(o.dirty_log_ms, ==, 50);
    g_assert_cmpint(o.dirty_log_mode, ==, DIRTY_LOG_GET);
    g_assert_cmpint(parse(&o, err, sizeof(err), "-k", "I", "--dirty-log=0", "--dirty-log-mode=clear", NULL), ==, 0);
    g_assert_true(o.dirty_log);
    g_assert_cmpuint(o.dirty_log_ms, ==, 0);
    g_assert_cmpint(o.dirty_log_mode, ==, DIRTY_LOG_CLEAR);
}

static void test_sizes(void)
{
    static const struct { const char *s; uint64_t v; } good[] = {
        { "256M", 256ULL << 20 }, { "1G", 1ULL << 30 }, { "64k", 64ULL << 10 },
        { "65536", 65536 }, { "512MiB", 512ULL << 20 }, { "2GB", 2ULL << 30 },
    };
    static const char *bad[] = { "", "0", "-1", "+5M", "12X", "M", "1.5G", "1M ", "99999999999G",
                                 "18446744073709551616" };
    uint64_t v;
    for (size_t i = 0; i < G_N_ELEMENTS(good); i++) {
        g_assert_cmpint(parse_size(good[i].s, &v), ==, 0);
        g_assert_cmpuint(v, ==, good[i].v);
    }
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++)
        if (parse_size(bad[i], &v) == 0)
            g_error("parse_size accepted '%s'", bad[i]);
}

static void expect_error(const char *want, ...)
{
    struct vmm_options o;
    char err[256] = "";
    char *argv[32] = { "rvnest-vmm" };
    int argc = 1;
    va_list ap;
    va_start(ap, want);
    for (char *a; (a = va_arg(ap, char *)) && argc < 31;)
        argv[argc++] = a;
    va_end(ap);
    int r = parse_args(argc, argv, &o, err, sizeof(err));
    if (r != -1 || !strstr(err, want))
        g_error("expected an error containing '%s', got %d '%s'", want, r, err);
    g_assert_null(strchr(err, '\n'));   /* one line */
}

static void test_bad_input(void)
{
    expect_error("no kernel given", NULL);
    expect_error("no kernel given", "--mem", "64M", NULL);
    expect_error("unknown option '--frobnicate'", "--kernel", "I", "--frobnicate", NULL);
    expect_error("unknown option '-x'", "-x", NULL);
    expect_error("needs a value", "--kernel", NULL);
    expect_error("needs a value", "--kernel", "I", "--mem", NULL);
    expect_error("invalid --mem 'lots'", "--kernel", "I", "--mem", "lots", NULL);
    expect_error("too little memory", "--kernel", "I", "--mem", "1M", NULL);
    expect_error("too much memory", "--kernel", "I", "--mem", "1000G", NULL);
    expect_error("multiple of 4K", "--kernel", "I", "--mem", "33554433", NULL);
    expect_error("invalid --cpus '0'", "--kernel", "I", "--cpus", "0", NULL);
    expect_error("invalid --cpus '99'", "--kernel", "I", "--cpus", "99", NULL);
    expect_error("invalid --cpus 'two'", "--kernel", "I", "--cpus", "two", NULL);
    expect_error("invalid --kernel-format 'uimage'", "--kernel", "I", "--kernel-format", "uimage", NULL);
    expect_error("invalid --timeout", "--kernel", "I", "--timeout", "-5", NULL);
    expect_error("unexpected argument 'extra'", "--kernel", "I", "extra", NULL);
    expect_error("invalid --dirty-log 'often'", "--kernel", "I", "--dirty-log", "often", NULL);
    expect_error("invalid --dirty-log '-5'", "--kernel", "I", "--dirty-log", "-5", NULL);
    expect_error("invalid --dirty-log '600001'", "--kernel", "I", "--dirty-log", "600001", NULL);
    expect_error("needs a value", "--kernel", "I", "--dirty-log", NULL);
    expect_error("invalid --dirty-log-mode 'ring'", "--kernel", "I", "--dirty-log-mode", "ring", NULL);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vmm/args/defaults", test_defaults);
    g_test_add_func("/vmm/args/all-options", test_all_options);
    g_test_add_func("/vmm/args/sizes", test_sizes);
    g_test_add_func("/vmm/args/bad-input", test_bad_input);
    return g_test_run();
}
