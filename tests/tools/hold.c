/* A test tool, not part of rvnest: a QEMU plugin that holds one hart's host
 * thread back at the reset vector, as a busy host's scheduler may (issue 24).
 * It works the same with or without rvnest loaded, so a native run and a
 * nested run can be starved alike and their outputs compared.
 *
 *   -plugin libhold.so,hart=N,run=K,ms=MS
 *
 * When hart N is about to execute the reset vector for the K-th time (1: the
 * cold boot, 2: after the first system reset, ...; 0: every time), its thread
 * sleeps MS milliseconds first; the other harts go on. Loaded after
 * librvnest.so, its callback runs first (QEMU calls the last plugin's
 * translation hook first), so rvnest sees that hart's reset late. */
#include <errno.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <qemu-plugin.h>

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

#define RESET_VECTOR 0x1000u
#define MAX_HARTS 64

static unsigned hold_hart, hold_run, hold_ms;
static unsigned runs[MAX_HARTS];

static void reset_exec(unsigned int vcpu_index, void *udata)
{
    (void)udata;
    if (vcpu_index != hold_hart)
        return;
    unsigned run = __atomic_add_fetch(&runs[vcpu_index], 1, __ATOMIC_SEQ_CST);
    if (hold_run && run != hold_run)
        return;
    fprintf(stderr, "hold: hart %u at the reset vector (run %u) held %u ms\n", vcpu_index, run, hold_ms);
    struct timespec ts = { hold_ms / 1000, (long)(hold_ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) && errno == EINTR)
        ;
}

static void tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    (void)id;
    if (qemu_plugin_tb_vaddr(tb) == RESET_VECTOR)
        qemu_plugin_register_vcpu_tb_exec_cb(tb, reset_exec, QEMU_PLUGIN_CB_NO_REGS, NULL);
}

static bool parse_uint(const char *s, unsigned max, unsigned *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || end == s || *end || v > max)
        return false;
    *out = (unsigned)v;
    return true;
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
                                           int argc, char **argv)
{
    (void)info;
    bool have_hart = false, have_ms = false;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        bool ok;
        if (!strncmp(a, "hart=", 5))
            ok = have_hart = parse_uint(a + 5, MAX_HARTS - 1, &hold_hart);
        else if (!strncmp(a, "run=", 4))
            ok = parse_uint(a + 4, 1000000, &hold_run);
        else if (!strncmp(a, "ms=", 3))
            ok = have_ms = parse_uint(a + 3, 600000, &hold_ms);
        else
            ok = false;
        if (!ok) {
            fprintf(stderr, "hold: bad option '%s' (hart=N,run=K,ms=MS)\n", a);
            return -1;
        }
    }
    if (!have_hart || !have_ms) {
        fprintf(stderr, "hold: needs hart=N and ms=MS\n");
        return -1;
    }
    qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
    return 0;
}
