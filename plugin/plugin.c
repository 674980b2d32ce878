/* rvnest as a QEMU TCG plugin: all use of QEMU's API is here and in
 * hart_qemu.c. Control reaches L0 three ways (ARCHITECTURE.md section 3):
 * a discontinuity whose target is the L0 vector (an HS trap), an mret that
 * OpenSBI executes toward HS (instrumented before it runs), and a trap to M
 * from L0's own memory (the end of a microcode run). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <glib.h>
#include <qemu-plugin.h>
#include "plugin/hart_qemu.h"
#include "plugin/options.h"
#include "rvnest/csr.h"
#include "rvnest/engine.h"

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

#define INSN_MRET 0x30200073u

static struct rvnest_vm vm;
static struct plugin_options opts;
static struct qemu_hart harts[RVNEST_MAX_HARTS];

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void report(void)
{
    /* every hart's statistics, summed (a hart's own are written only by
     * its vCPU thread; this runs at exit or on a fatal stop) */
    static struct rvnest_stats sum, per[RVNEST_MAX_HARTS];
    unsigned n = vm.nharts;
    memset(&sum, 0, sizeof(sum));
    for (unsigned i = 0; i < n; i++) {
        per[i] = vm.vcpu[i].stats;
        rvnest_stats_add(&sum, &per[i]);
    }
    uint64_t l1_entries = 0;
    for (unsigned i = 0; i < n; i++)
        l1_entries += vm.vcpu[i].l1_entries;
    if (!opts.engine.quiet) {
        if (vm.booted)
            fprintf(stderr, "rvnest: L1 ran at V=1 (entered %llu time(s) at V=1, L0 memory %#llx-%#llx)\n",
                    (unsigned long long)l1_entries, (unsigned long long)vm.l0_base,
                    (unsigned long long)(vm.l0_base + vm.l0_size));
        else
            fprintf(stderr, "rvnest: L1 never started\n");
        rvnest_stats_print(&sum, stderr);
    }
    if (opts.engine.stats_path && rvnest_stats_write_json(&sum, per, n, opts.engine.stats_path))
        fprintf(stderr, "rvnest: cannot write statistics to %s\n", opts.engine.stats_path);
}

static void check_fatal(void)
{
    if (!vm.fatal[0])
        return;
    fprintf(stderr, "rvnest: fatal: %s\n", vm.fatal);
    report();
    fflush(NULL);
    _exit(2);
}

static void trace_trap(struct rvnest_vcpu *vc)
{
    struct rvnest_hart *h = vc->hart;
    fprintf(stderr, "rvnest: trap scause=%#llx sepc=%#llx stval=%#llx htval=%#llx htinst=%#llx a7=%#llx a6=%#llx\n",
            (unsigned long long)hart_csr(h, CSR_SCAUSE), (unsigned long long)hart_csr(h, CSR_SEPC),
            (unsigned long long)hart_csr(h, CSR_STVAL), (unsigned long long)hart_csr(h, CSR_HTVAL),
            (unsigned long long)hart_csr(h, CSR_HTINST), (unsigned long long)hart_gpr(h, 17),
            (unsigned long long)hart_gpr(h, 16));
}

static void vcpu_discon(qemu_plugin_id_t id, unsigned int vcpu_index,
                        enum qemu_plugin_discon_type type, uint64_t from_pc, uint64_t to_pc)
{
    (void)id;
    if (vcpu_index >= RVNEST_MAX_HARTS || !vm.booted)
        return;
    struct rvnest_vcpu *vc = &vm.vcpu[vcpu_index];
    if (type == QEMU_PLUGIN_DISCON_HOSTCALL)
        return;
    if (type == QEMU_PLUGIN_DISCON_EXCEPTION)
        rvnest_on_guest_exception(vc);
    /* Most discontinuities are the guests' own: only these two can be L0's,
     * and only they are timed. */
    bool to_vector = to_pc == vm.l0_base + L0_OFF_VECTOR;
    if (!to_vector && !(type == QEMU_PLUGIN_DISCON_EXCEPTION && l0_owns(&vm, from_pc)))
        return;
    uint64_t t0 = now_ns();
    rvnest_l0_enter(vc);
    if (to_vector) {
        /* only a trap into real HS (S, V=0) is L0's; a guest's own trap to
         * a virtual address equal to the vector is not */
        if (opts.engine.trace && vc->hart->ops->get_priv(vc->hart) == PRV_S)
            trace_trap(vc);
        if (!rvnest_on_hs_trap(vc)) {
            rvnest_l0_leave(vc);
            return;
        }
    } else if (!rvnest_on_m_trap(vc, from_pc)) {
        rvnest_l0_leave(vc);
        return;
    }
    rvnest_l0_leave(vc);
    vc->stats.l0_ns += now_ns() - t0;
    check_fatal();
}

static void mret_exec(unsigned int vcpu_index, void *udata)
{
    (void)udata;
    if (vcpu_index >= RVNEST_MAX_HARTS)
        return;
    uint64_t t0 = now_ns();
    rvnest_l0_enter(&vm.vcpu[vcpu_index]);
    rvnest_on_mret(&vm.vcpu[vcpu_index]);
    rvnest_l0_leave(&vm.vcpu[vcpu_index]);
    vm.vcpu[vcpu_index].stats.l0_ns += now_ns() - t0;
    check_fatal();
}

/* audit=on: count guest blocks that run in real HS (S-mode, V=0) outside L0
 * memory. The design says there are none; the test suite checks it. */
static void audit_tb_exec(unsigned int vcpu_index, void *udata)
{
    if (vcpu_index >= RVNEST_MAX_HARTS)
        return;
    uint64_t pc = (uint64_t)(uintptr_t)udata;
    unsigned priv = harts[vcpu_index].h.ops->get_priv(&harts[vcpu_index].h);
    if ((priv & 3) == PRV_S && !(priv & PRIV_V) && !l0_owns(&vm, pc)) {
        struct rvnest_stats *st = &vm.vcpu[vcpu_index].stats;
        if (!st->hs_guest_tbs++)
            st->hs_guest_first_pc = pc;
    }
}

/* The reset vector executes: in M, the hart was reset. */
static void reset_exec(unsigned int vcpu_index, void *udata)
{
    (void)udata;
    if (vcpu_index >= RVNEST_MAX_HARTS)
        return;
    rvnest_on_hart_reset(&vm.vcpu[vcpu_index]);
    check_fatal();
}

static void vcpu_tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    (void)id;
    size_t n = qemu_plugin_tb_n_insns(tb);
    if (qemu_plugin_tb_vaddr(tb) == RVNEST_RESET_VECTOR)
        qemu_plugin_register_vcpu_tb_exec_cb(tb, reset_exec, QEMU_PLUGIN_CB_R_REGS, NULL);
    if (opts.audit)
        qemu_plugin_register_vcpu_tb_exec_cb(tb, audit_tb_exec, QEMU_PLUGIN_CB_R_REGS,
                                             (void *)(uintptr_t)qemu_plugin_tb_vaddr(tb));
    for (size_t i = 0; i < n; i++) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
        uint32_t word = 0;
        if (qemu_plugin_insn_size(insn) == 4 && qemu_plugin_insn_data(insn, &word, 4) == 4 &&
            word == INSN_MRET)
            qemu_plugin_register_vcpu_insn_exec_cb(insn, mret_exec, QEMU_PLUGIN_CB_RW_REGS, NULL);
    }
}

static void vcpu_init(qemu_plugin_id_t id, unsigned int vcpu_index)
{
    (void)id;
    char err[200];
    if (vcpu_index >= RVNEST_MAX_HARTS) {
        fprintf(stderr, "rvnest: hart %u; rvnest runs 1 to %d (QEMU -smp)\n", vcpu_index,
                RVNEST_MAX_HARTS);
        exit(1);
    }
    if (!qemu_hart_init(&harts[vcpu_index], vcpu_index, err, sizeof(err))) {
        fprintf(stderr, "rvnest: %s\n", err);
        exit(1);
    }
    struct rvnest_vcpu *vc = rvnest_vcpu_init(&vm, &harts[vcpu_index].h);
    vc->stats.audit = opts.audit;
}

static void plugin_exit(qemu_plugin_id_t id, void *p)
{
    (void)id;
    (void)p;
    report();
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
                                           int argc, char **argv)
{
    char err[300];
    if (rvnest_parse_options(argc, argv, &opts, err, sizeof(err))) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    if (!info->system_emulation || strcmp(info->target_name, "riscv64")) {
        fprintf(stderr, "rvnest: needs qemu-system-riscv64 (this is %s%s)\n", info->target_name,
                info->system_emulation ? "" : " user mode");
        return -1;
    }
    if (info->system.smp_vcpus < 1 || info->system.smp_vcpus > RVNEST_MAX_HARTS) {
        fprintf(stderr, "rvnest: %d harts; rvnest runs 1 to %d (QEMU -smp)\n",
                info->system.smp_vcpus, RVNEST_MAX_HARTS);
        return -1;
    }
    if (opts.engine.stats_path) {
        /* fail now rather than after the whole run */
        FILE *f = fopen(opts.engine.stats_path, "w");
        if (!f) {
            fprintf(stderr, "rvnest: cannot write statistics to %s: %s\n", opts.engine.stats_path,
                    g_strerror(errno));
            return -1;
        }
        fclose(f);
    }
    rvnest_vm_init(&vm, &opts.engine);
    vm.nharts = (unsigned)info->system.smp_vcpus;
    qemu_plugin_register_vcpu_init_cb(id, vcpu_init);
    qemu_plugin_register_vcpu_tb_trans_cb(id, vcpu_tb_trans);
    qemu_plugin_register_vcpu_discon_cb(id, QEMU_PLUGIN_DISCON_ALL, vcpu_discon);
    qemu_plugin_register_atexit_cb(id, plugin_exit, NULL);
    return 0;
}
