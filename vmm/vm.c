/* rvnest-vmm: one guest's life: create the VM, load it, run its vCPUs and
 * dispatch their exits until it powers off; the bench device's KVM side
 * (the coalesced MMIO ring, dirty logging, the --dirty-log collector). */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "kvm.h"

#define ERRLEN 512

enum stop_reason { RUNNING = 0, STOP_SHUTDOWN, STOP_FAILURE, STOP_RESET, STOP_ERROR, STOP_TIMEOUT };

struct exit_counts {
    uint64_t mmio, sbi, system_event, intr, csr, other;
};

struct vcpu {
    struct vm *vm;
    unsigned id;
    int fd;
    struct kvm_run *run;
    size_t run_size;
    pthread_t thread;
    bool thread_started;
    struct exit_counts exits;
};

struct vm {
    const struct vmm_options *opts;
    int kvm_fd, vm_fd;
    struct guest_ram ram;
    struct uart16550 uart;
    pthread_mutex_t io_lock;          /* console devices */
    /* the bench device (benchdev.h) and dirty logging, under bench_lock */
    pthread_mutex_t bench_lock;
    struct bench_dev bench;
    struct kvm_coalesced_mmio_ring *ring;   /* NULL: page 1 is plain MMIO */
    unsigned ring_max;                /* entries of the ring */
    bool logging;                     /* KVM_MEM_LOG_DIRTY_PAGES on the RAM slot */
    bool clear_log;                   /* manual protect: GET, then CLEAR */
    uint64_t *dirty_bitmap;           /* one bit per page of RAM */
    pthread_t collector;              /* --dirty-log MS */
    bool collector_started, collector_stop, collector_ran;
    double collector_look_s, collector_look_max_s;   /* time in GET(+CLEAR) */
    pthread_mutex_t collector_ctl;    /* serialises starting and stopping it */
    pthread_cond_t collector_cond;    /* CLOCK_MONOTONIC, with bench_lock */
    struct vcpu vcpus[GUEST_MAX_CPUS];
    unsigned ncpus;
    _Atomic int stop;                 /* enum stop_reason; first writer wins */
    char stop_msg[ERRLEN];
    struct timespec t_start, t_stop;
};

static _Thread_local struct kvm_run *my_run;
static volatile sig_atomic_t timed_out;
static bool dirty_test_failed;        /* a boot's dirty-log test failed */

static void die_msg(const char *msg)
{
    fprintf(stderr, VMM_NAME ": %s\n", msg);
}

static double seconds_between(const struct timespec *a, const struct timespec *b)
{
    return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

/* SIGUSR1 kicks a vCPU thread out of KVM_RUN: immediate_exit makes a
 * KVM_RUN that has not started yet return -EINTR at once (api.rst). */
static void on_kick(int sig)
{
    (void)sig;
    if (my_run)
        my_run->immediate_exit = 1;
}

static void on_alarm(int sig)
{
    (void)sig;
    timed_out = 1;
    if (my_run)
        my_run->immediate_exit = 1;
}

/* Records why the guest stops (the first reason wins) and kicks the other
 * vCPUs. */
static void vm_stop(struct vm *vm, enum stop_reason why, const char *msg)
{
    int expected = RUNNING;
    if (atomic_compare_exchange_strong(&vm->stop, &expected, why)) {
        clock_gettime(CLOCK_MONOTONIC, &vm->t_stop);
        if (msg)
            snprintf(vm->stop_msg, sizeof(vm->stop_msg), "%s", msg);
    }
    for (unsigned i = 0; i < vm->ncpus; i++) {
        struct vcpu *v = &vm->vcpus[i];
        if (v->thread_started && !pthread_equal(v->thread, pthread_self()))
            pthread_kill(v->thread, SIGUSR1);
    }
}

/* ---------------------------------------------------------------- bench device */
static const char *dirty_log_mode_name(const struct vm *vm)
{
    return vm->clear_log ? "clear-log" : "get-log";
}

/* Drains the coalesced MMIO ring (bench_lock held): KVM queued there the
 * guest's writes to bench page 1. */
static void drain_ring_locked(struct vm *vm)
{
    struct kvm_coalesced_mmio_ring *r = vm->ring;
    if (!r)
        return;
    uint32_t first = r->first, n = 0;
    while (first != __atomic_load_n(&r->last, __ATOMIC_ACQUIRE)) {
        const struct kvm_coalesced_mmio *m = &r->coalesced_mmio[first];
        if (m->phys_addr >= GUEST_BENCH_BASE + BENCH_COALESCED && m->phys_addr < GUEST_BENCH_BASE + GUEST_BENCH_SIZE)
            vm->bench.coalesced++;
        first = (first + 1) % vm->ring_max;
        n++;
        /* the entry is consumed: KVM may reuse its slot */
        __atomic_store_n(&r->first, first, __ATOMIC_RELEASE);
    }
    if (n)
        vm->bench.coalesced_drains++;
}

static void drain_ring(struct vm *vm)
{
    struct kvm_coalesced_mmio_ring *r = vm->ring;
    if (!r || __atomic_load_n(&r->first, __ATOMIC_RELAXED) == __atomic_load_n(&r->last, __ATOMIC_ACQUIRE))
        return;
    pthread_mutex_lock(&vm->bench_lock);
    drain_ring_locked(vm);
    pthread_mutex_unlock(&vm->bench_lock);
}

/* Turns dirty logging of the RAM slot on (once), with manual protect when
 * the mode allows and KVM offers it. */
static int dirty_log_enable(struct vm *vm, char *err, size_t errlen)
{
    if (vm->logging)
        return 0;
    enum dirty_log_mode mode = vm->opts->dirty_log_mode;
    if (mode != DIRTY_LOG_GET) {
        int m = kvm_manual_dirty_log(vm->vm_fd);
        if (m < 0)
            return fail(err, errlen, "dirty-log: enabling KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2 failed: %s",
                        strerror(errno));
        if (m == 0 && mode == DIRTY_LOG_CLEAR)
            return fail(err, errlen, "dirty-log: KVM does not offer KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2 "
                        "(KVM_CLEAR_DIRTY_LOG), which --dirty-log-mode clear needs");
        vm->clear_log = m == 1;
    }
    size_t words = (vm->ram.size / 4096 + 63) / 64;
    if (!vm->dirty_bitmap && !(vm->dirty_bitmap = calloc(words, sizeof(uint64_t))))
        return fail(err, errlen, "dirty-log: out of memory");
    if (kvm_add_ram(vm->vm_fd, &vm->ram, KVM_MEM_LOG_DIRTY_PAGES, err, errlen))
        return -1;
    vm->logging = true;
    if (vm->clear_log)
        vm->bench.flags |= BENCH_F_CLEAR_LOG;
    return 0;
}

/* One look at the dirty log (bench_lock held): GET into vm->dirty_bitmap,
 * then CLEAR what it reported (manual protect; else GET cleared it).
 * Returns the number of dirty pages, or -1 with a message in err. */
static int64_t dirty_log_collect(struct vm *vm, char *err, size_t errlen)
{
    uint32_t npages = (uint32_t)(vm->ram.size / 4096);
    size_t words = (npages + 63) / 64;
    memset(vm->dirty_bitmap, 0, words * sizeof(uint64_t));
    if (kvm_get_dirty_log(vm->vm_fd, vm->dirty_bitmap) < 0)
        return fail(err, errlen, "dirty-log: KVM_GET_DIRTY_LOG failed: %s", strerror(errno));
    int64_t n = 0;
    for (size_t i = 0; i < words; i++)
        n += __builtin_popcountll(vm->dirty_bitmap[i]);
    if (vm->clear_log && n && kvm_clear_dirty_log(vm->vm_fd, vm->dirty_bitmap, npages) < 0)
        return fail(err, errlen, "dirty-log: KVM_CLEAR_DIRTY_LOG failed: %s", strerror(errno));
    return n;
}

static void dirty_test_kvm_error(struct vm *vm, const char *msg)
{
    vm->bench.dt.status |= BENCH_DT_ST_KVM;
    die_msg(msg);
}

/* A write to the bench device asked for a dirty-log test step (bench_lock held). */
static void dirty_test_step(struct vm *vm, enum bench_act act)
{
    char err[ERRLEN], line[ERRLEN];
    switch (act) {
    case BENCH_ACT_DT_START:
        if (dirty_log_enable(vm, err, sizeof(err))) {
            vm->bench.dt.state = DT_IDLE;
            dirty_test_kvm_error(vm, err);
            return;
        }
        if (bench_dt_start(&vm->bench, vm->ram.gpa / 4096, vm->ram.size / 4096, err, sizeof(err))) {
            die_msg(err);
            return;
        }
        /* start clean: what the guest wrote so far does not count */
        if (dirty_log_collect(vm, err, sizeof(err)) < 0)
            dirty_test_kvm_error(vm, err);
        return;
    case BENCH_ACT_DT_ROUND:
        if (dirty_log_collect(vm, err, sizeof(err)) < 0) {
            dirty_test_kvm_error(vm, err);
            return;
        }
        bench_dt_check(&vm->bench, vm->dirty_bitmap, stderr);
        return;
    case BENCH_ACT_DT_FINISH:
        bench_dt_summary(&vm->bench, dirty_log_mode_name(vm), line, sizeof(line));
        fprintf(stderr, VMM_NAME ": %s\n", line);
        return;
    case BENCH_ACT_NONE:
    case BENCH_ACT_DL_CTRL:     /* handle_bench's, outside the lock */
        return;
    }
}

/* The collector (--dirty-log MS, or the guest through BENCH_REG_DL_CTRL):
 * every MS ms, one look at the log (not while the guest runs a dirty-log
 * test: the test's own looks must see every page). */
static void *collector_loop(void *arg)
{
    struct vm *vm = arg;
    char err[ERRLEN];
    struct timespec next;
    clock_gettime(CLOCK_MONOTONIC, &next);
    pthread_mutex_lock(&vm->bench_lock);
    /* a look at once (what was written so far is collected, and
     * write-protected again), then one every period */
    while (!vm->collector_stop) {
        if (vm->bench.dt.state == DT_LOADING || vm->bench.dt.state == DT_RUNNING) {
            vm->bench.dl_skipped++;
        } else {
            struct timespec t0, t1;
            clock_gettime(CLOCK_MONOTONIC, &t0);
            int64_t n = dirty_log_collect(vm, err, sizeof(err));
            clock_gettime(CLOCK_MONOTONIC, &t1);
            double look = seconds_between(&t0, &t1);
            vm->collector_look_s += look;
            if (look > vm->collector_look_max_s)
                vm->collector_look_max_s = look;
            if (n < 0) {
                pthread_mutex_unlock(&vm->bench_lock);
                vm_stop(vm, STOP_ERROR, err);
                return NULL;
            }
            vm->bench.dl_rounds++;
            vm->bench.dl_pages += (uint64_t)n;
        }
        /* a late wake-up does not make the next ones come in a burst */
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec > next.tv_sec || (now.tv_sec == next.tv_sec && now.tv_nsec > next.tv_nsec))
            next = now;
        uint32_t ms = vm->bench.dl_ms;
        next.tv_nsec += (long)(ms % 1000) * 1000000L;
        next.tv_sec += ms / 1000 + next.tv_nsec / 1000000000L;
        next.tv_nsec %= 1000000000L;
        while (!vm->collector_stop && pthread_cond_timedwait(&vm->collector_cond, &vm->bench_lock, &next) != ETIMEDOUT)
            ;
    }
    pthread_mutex_unlock(&vm->bench_lock);
    return NULL;
}

/* Starts the collector every ms milliseconds, or changes its period
 * (bench_lock not held). Returns -1 with a message in err. */
static int collector_start(struct vm *vm, uint32_t ms, char *err, size_t errlen)
{
    pthread_mutex_lock(&vm->collector_ctl);
    pthread_mutex_lock(&vm->bench_lock);
    int r = dirty_log_enable(vm, err, errlen);
    if (r == 0) {
        vm->bench.dl_ms = ms;
        vm->bench.flags |= BENCH_F_COLLECTOR;
        pthread_cond_signal(&vm->collector_cond);
    }
    pthread_mutex_unlock(&vm->bench_lock);
    if (r || vm->collector_started) {
        pthread_mutex_unlock(&vm->collector_ctl);
        return r;
    }
    /* the collector takes no signal at all */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    vm->collector_stop = false;
    r = pthread_create(&vm->collector, NULL, collector_loop, vm);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (r == 0)
        vm->collector_started = vm->collector_ran = true;
    pthread_mutex_unlock(&vm->collector_ctl);
    return r ? fail(err, errlen, "cannot create the dirty-log collector thread") : 0;
}

/* Stops the collector (bench_lock not held); with logging_off, dirty
 * logging too unless --dirty-log or a dirty-log test needs it. */
static void collector_stop(struct vm *vm, bool logging_off)
{
    pthread_mutex_lock(&vm->collector_ctl);
    if (vm->collector_started) {
        pthread_mutex_lock(&vm->bench_lock);
        vm->collector_stop = true;
        pthread_cond_signal(&vm->collector_cond);
        pthread_mutex_unlock(&vm->bench_lock);
        pthread_join(vm->collector, NULL);
        vm->collector_started = false;
    }
    pthread_mutex_lock(&vm->bench_lock);
    vm->bench.dl_ms = 0;
    vm->bench.flags &= ~BENCH_F_COLLECTOR;
    const struct bench_dt *dt = &vm->bench.dt;
    if (logging_off && vm->logging && !vm->opts->dirty_log && dt->state != DT_LOADING && dt->state != DT_RUNNING) {
        char err[ERRLEN];
        if (kvm_add_ram(vm->vm_fd, &vm->ram, 0, err, sizeof(err)) == 0) {
            vm->logging = false;
        } else {
            pthread_mutex_unlock(&vm->bench_lock);
            pthread_mutex_unlock(&vm->collector_ctl);
            vm_stop(vm, STOP_ERROR, err);
            return;
        }
    }
    pthread_mutex_unlock(&vm->bench_lock);
    pthread_mutex_unlock(&vm->collector_ctl);
}

static void handle_bench(struct vcpu *v, uint64_t off)
{
    struct vm *vm = v->vm;
    struct kvm_run *run = v->run;
    unsigned len = run->mmio.len <= 8 ? run->mmio.len : 8;
    enum bench_act act = BENCH_ACT_NONE;
    pthread_mutex_lock(&vm->bench_lock);
    /* what KVM queued comes first: the ring holds earlier writes */
    drain_ring_locked(vm);
    if (run->mmio.is_write) {
        uint64_t val = 0;
        for (unsigned i = 0; i < len; i++)
            val |= (uint64_t)run->mmio.data[i] << (8 * i);
        act = bench_write(&vm->bench, off, val);
        dirty_test_step(vm, act);
    } else {
        uint64_t val = bench_read(&vm->bench, off);
        memset(run->mmio.data, 0, sizeof(run->mmio.data));
        for (unsigned i = 0; i < len; i++)
            run->mmio.data[i] = (uint8_t)(val >> (8 * i));
    }
    uint32_t dl_request = vm->bench.dl_request;
    pthread_mutex_unlock(&vm->bench_lock);
    if (act == BENCH_ACT_DL_CTRL) {
        /* the guest starts or stops the collector (not under bench_lock:
         * stopping joins the thread) */
        char err[ERRLEN];
        if (!dl_request)
            collector_stop(vm, true);
        else if (collector_start(vm, dl_request, err, sizeof(err)))
            vm_stop(vm, STOP_ERROR, err);
    }
}

static void handle_mmio(struct vcpu *v)
{
    struct vm *vm = v->vm;
    struct kvm_run *run = v->run;
    uint64_t addr = run->mmio.phys_addr;
    v->exits.mmio++;
    if (addr >= GUEST_UART_BASE && addr < GUEST_UART_BASE + GUEST_UART_SIZE) {
        bool ok;
        pthread_mutex_lock(&vm->io_lock);
        if (run->mmio.is_write) {
            ok = uart_write(&vm->uart, addr - GUEST_UART_BASE, run->mmio.data[0]);
        } else {
            memset(run->mmio.data, 0, sizeof(run->mmio.data));
            ok = uart_read(&vm->uart, addr - GUEST_UART_BASE, &run->mmio.data[0]);
        }
        pthread_mutex_unlock(&vm->io_lock);
        if (ok)
            return;
    }
    if (addr >= GUEST_BENCH_BASE && addr < GUEST_BENCH_BASE + GUEST_BENCH_SIZE && run->mmio.len <= 8) {
        handle_bench(v, addr - GUEST_BENCH_BASE);
        return;
    }
    char msg[ERRLEN];
    snprintf(msg, sizeof(msg), "vCPU %u: guest %s %u bytes at unmapped address 0x%" PRIx64
             " (no device there); stopping", v->id, run->mmio.is_write ? "wrote" : "read",
             run->mmio.len, addr);
    vm_stop(vm, STOP_ERROR, msg);
}

static void handle_sbi(struct vcpu *v)
{
    struct kvm_run *run = v->run;
    struct sbi_call c = { .ext = run->riscv_sbi.extension_id, .fid = run->riscv_sbi.function_id };
    memcpy(c.args, run->riscv_sbi.args, sizeof(c.args));
    v->exits.sbi++;
    pthread_mutex_lock(&v->vm->io_lock);
    sbi_handle(&c, &v->vm->ram, STDOUT_FILENO, STDIN_FILENO);   /* else: not supported */
    pthread_mutex_unlock(&v->vm->io_lock);
    run->riscv_sbi.ret[0] = (unsigned long)c.ret[0];
    run->riscv_sbi.ret[1] = (unsigned long)c.ret[1];
}

static void handle_system_event(struct vcpu *v)
{
    struct kvm_run *run = v->run;
    char msg[ERRLEN];
    v->exits.system_event++;
    /* RISC-V KVM puts the SBI SRST reset_reason in data[0] (0: none,
     * 1: system failure; SBI spec, System Reset Extension). */
    uint64_t reason = run->system_event.ndata ? run->system_event.data[0] : 0;
    switch (run->system_event.type) {
    case KVM_SYSTEM_EVENT_SHUTDOWN:
        if (reason == 1) {
            vm_stop(v->vm, STOP_FAILURE, "guest powered off reporting a system failure");
        } else {
            vm_stop(v->vm, STOP_SHUTDOWN, NULL);
        }
        return;
    case KVM_SYSTEM_EVENT_RESET:
        vm_stop(v->vm, STOP_RESET, NULL);
        return;
    default:
        snprintf(msg, sizeof(msg), "guest system event %u not supported; stopping",
                 run->system_event.type);
        vm_stop(v->vm, STOP_ERROR, msg);
    }
}

static void *vcpu_loop(void *arg)
{
    struct vcpu *v = arg;
    struct vm *vm = v->vm;
    char msg[ERRLEN];
    my_run = v->run;
    while (atomic_load(&vm->stop) == RUNNING) {
        if (timed_out) {
            snprintf(msg, sizeof(msg), "guest did not power off within %u s (--timeout); stopping",
                     vm->opts->timeout_s);
            vm_stop(vm, STOP_TIMEOUT, msg);
            break;
        }
        int rr = ioctl(v->fd, KVM_RUN, 0);
        int run_errno = errno;
        /* every exit to userspace: what KVM queued in the coalesced ring */
        drain_ring(vm);
        errno = run_errno;
        if (rr < 0) {
            if (errno == EINTR || errno == EAGAIN) {
                v->exits.intr++;
                v->run->immediate_exit = 0;
                continue;
            }
            snprintf(msg, sizeof(msg), "vCPU %u: KVM_RUN failed: %s", v->id, strerror(errno));
            vm_stop(vm, STOP_ERROR, msg);
            break;
        }
        switch (v->run->exit_reason) {
        case KVM_EXIT_MMIO: handle_mmio(v); break;
        case KVM_EXIT_RISCV_SBI: handle_sbi(v); break;
        case KVM_EXIT_SYSTEM_EVENT: handle_system_event(v); break;
        case KVM_EXIT_INTR: v->exits.intr++; break;
        case KVM_EXIT_RISCV_CSR:
            /* CSRs KVM leaves to userspace: none is implemented; read 0 */
            v->exits.csr++;
            v->run->riscv_csr.ret_value = 0;
            break;
        case KVM_EXIT_FAIL_ENTRY:
            v->exits.other++;
            snprintf(msg, sizeof(msg), "vCPU %u: KVM could not enter the guest (reason 0x%llx)",
                     v->id, (unsigned long long)v->run->fail_entry.hardware_entry_failure_reason);
            vm_stop(vm, STOP_ERROR, msg);
            break;
        case KVM_EXIT_INTERNAL_ERROR:
            v->exits.other++;
            snprintf(msg, sizeof(msg), "vCPU %u: KVM internal error %u", v->id,
                     v->run->internal.suberror);
            vm_stop(vm, STOP_ERROR, msg);
            break;
        default:
            v->exits.other++;
            snprintf(msg, sizeof(msg), "vCPU %u: unexpected KVM exit reason %u", v->id,
                     v->run->exit_reason);
            vm_stop(vm, STOP_ERROR, msg);
        }
    }
    my_run = NULL;
    return NULL;
}

static int install_signals(void)
{
    struct sigaction sa = { .sa_handler = on_kick };   /* no SA_RESTART */
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGUSR1, &sa, NULL))
        return -1;
    sa.sa_handler = on_alarm;
    return sigaction(SIGALRM, &sa, NULL);
}

static void print_stats(struct vm *vm)
{
    struct exit_counts t = { 0 };
    for (unsigned i = 0; i < vm->ncpus; i++) {
        struct exit_counts *e = &vm->vcpus[i].exits;
        t.mmio += e->mmio; t.sbi += e->sbi; t.system_event += e->system_event;
        t.intr += e->intr; t.csr += e->csr; t.other += e->other;
    }
    fprintf(stderr, VMM_NAME ": boot-to-poweroff: %.3f s\n", seconds_between(&vm->t_start, &vm->t_stop));
    fprintf(stderr, VMM_NAME ": exits: mmio=%" PRIu64 " sbi=%" PRIu64 " system_event=%" PRIu64
            " intr=%" PRIu64 " csr=%" PRIu64 " other=%" PRIu64 " total=%" PRIu64 "\n",
            t.mmio, t.sbi, t.system_event, t.intr, t.csr, t.other,
            t.mmio + t.sbi + t.system_event + t.intr + t.csr + t.other);
    /* What KVM handled in the kernel: its own per-vCPU counters, summed. */
    struct kvm_stat_sum *sum = calloc(1, sizeof(*sum));
    if (!sum)
        return;
    for (unsigned i = 0; i < vm->ncpus; i++)
        kvm_stats_add(vm->vcpus[i].fd, sum);
    if (sum->n) {
        fprintf(stderr, VMM_NAME ": kvm-stats:");
        for (unsigned j = 0; j < sum->n; j++)
            if (sum->value[j])
                fprintf(stderr, " %s=%" PRIu64, sum->name[j], sum->value[j]);
        fprintf(stderr, "\n");
    }
    free(sum);
    const struct bench_dev *b = &vm->bench;
    if (b->doorbells || b->coalesced || b->page1_exits || b->dt.state != DT_IDLE)
        fprintf(stderr, VMM_NAME ": bench: doorbell=%" PRIu64 " page1=%" PRIu64 " (coalesced=%" PRIu64
                " in %" PRIu64 " drains, exits=%" PRIu64 ")%s\n", b->doorbells, b->coalesced + b->page1_exits,
                b->coalesced, b->coalesced_drains, b->page1_exits, vm->ring ? "" : ", no coalesced MMIO");
    if (vm->collector_ran)
        fprintf(stderr, VMM_NAME ": dirty-log: collector (%s), mode %s: %" PRIu64 " rounds, %" PRIu64
                " dirty pages, %" PRIu64 " skipped during the dirty-log test; %.1f ms in GET/CLEAR, longest %.1f ms\n",
                vm->opts->dirty_log && vm->opts->dirty_log_ms ? "--dirty-log" : "started by the guest",
                dirty_log_mode_name(vm), b->dl_rounds, b->dl_pages, b->dl_skipped, vm->collector_look_s * 1e3,
                vm->collector_look_max_s * 1e3);
}

static void vm_destroy(struct vm *vm)
{
    collector_stop(vm, false);
    for (unsigned i = 0; i < vm->ncpus; i++) {
        struct vcpu *v = &vm->vcpus[i];
        if (v->run)
            munmap(v->run, v->run_size);
        if (v->fd >= 0)
            close(v->fd);
    }
    if (vm->ram.host)
        munmap(vm->ram.host, vm->ram.size);
    if (vm->vm_fd >= 0)
        close(vm->vm_fd);
    if (vm->kvm_fd >= 0)
        close(vm->kvm_fd);
    free(vm->dirty_bitmap);
    bench_free(&vm->bench);
    pthread_cond_destroy(&vm->collector_cond);
    pthread_mutex_destroy(&vm->bench_lock);
    pthread_mutex_destroy(&vm->collector_ctl);
    pthread_mutex_destroy(&vm->io_lock);
}

static int write_file(const char *path, const void *buf, size_t len, char *err, size_t errlen)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(buf, 1, len, f) != len || fclose(f)) {
        snprintf(err, errlen, "cannot write the device tree to '%s': %s", path, strerror(errno));
        if (f)
            fclose(f);
        return -1;
    }
    return 0;
}

/* Builds the whole VM; on error returns -1 with a message in err. */
static int vm_setup(struct vm *vm, char *err, size_t errlen)
{
    const struct vmm_options *o = vm->opts;
    if ((vm->kvm_fd = kvm_open(o->cpus, err, errlen)) < 0)
        return -1;
    clock_gettime(CLOCK_MONOTONIC, &vm->t_start);
    if ((vm->vm_fd = kvm_create_vm(vm->kvm_fd, err, errlen)) < 0)
        return -1;
    void *host = mmap(NULL, o->mem_size, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (host == MAP_FAILED) {
        snprintf(err, errlen, "cannot allocate %" PRIu64 "M of guest memory: %s",
                 o->mem_size >> 20, strerror(errno));
        return -1;
    }
    vm->ram = (struct guest_ram){ .host = host, .gpa = GUEST_RAM_BASE, .size = o->mem_size };
    if (kvm_add_ram(vm->vm_fd, &vm->ram, 0, err, errlen))
        return -1;
    /* --dirty-log: the slot logs from the start */
    if (o->dirty_log && dirty_log_enable(vm, err, errlen))
        return -1;

    struct boot_layout lay;
    if (load_guest(&vm->ram, o->kernel, o->format, o->initrd, &lay, err, errlen))
        return -1;

    for (unsigned i = 0; i < vm->ncpus; i++) {
        struct vcpu *v = &vm->vcpus[i];
        if ((v->fd = kvm_create_vcpu(vm->kvm_fd, vm->vm_fd, i, &v->run, &v->run_size, err, errlen)) < 0)
            return -1;
        /* DBCN is off by default in KVM; without it Linux falls back to
         * the legacy console call, which old KVMs forward too. */
        kvm_enable_sbi_ext(v->fd, KVM_RISCV_SBI_EXT_DBCN);
    }

    /* Bench page 1: a coalesced MMIO zone; its ring is a page of every
     * vCPU's mapping. */
    int ring_page = kvm_coalesced_mmio_page(vm->kvm_fd);
    long psize = sysconf(_SC_PAGESIZE);
    if (ring_page > 0 && (size_t)(ring_page + 1) * (size_t)psize <= vm->vcpus[0].run_size
        && kvm_register_coalesced_mmio(vm->vm_fd, GUEST_BENCH_BASE + BENCH_COALESCED, BENCH_PAGE) == 0) {
        vm->ring = (struct kvm_coalesced_mmio_ring *)((uint8_t *)vm->vcpus[0].run + (size_t)ring_page * (size_t)psize);
        vm->ring_max = (unsigned)(((size_t)psize - sizeof(struct kvm_coalesced_mmio_ring)) / sizeof(struct kvm_coalesced_mmio));
        vm->bench.flags |= BENCH_F_COALESCED;
    } else {
        fprintf(stderr, VMM_NAME ": KVM offers no coalesced MMIO (%s): bench page 1 is plain MMIO\n",
                ring_page <= 0 ? "no KVM_CAP_COALESCED_MMIO" : strerror(errno));
    }

    struct fdt_params fp = {
        .cpus = vm->ncpus, .mem_base = vm->ram.gpa, .mem_size = vm->ram.size,
        .initrd_start = lay.initrd_gpa, .initrd_end = lay.initrd_gpa + lay.initrd_size,
        .bootargs = o->append, .uart_base = GUEST_UART_BASE, .bench_base = GUEST_BENCH_BASE,
    };
    char isa[1024];
    if (kvm_describe_cpu(vm->vcpus[0].fd, &fp, isa, sizeof(isa), err, errlen))
        return -1;
    void *fdt = guest_ram_ptr(&vm->ram, lay.fdt_gpa, GUEST_FDT_MAX);
    if (build_guest_fdt(&fp, fdt, GUEST_FDT_MAX, err, errlen))
        return -1;
    if (o->dtb_out && write_file(o->dtb_out, fdt, GUEST_FDT_MAX, err, errlen))
        return -1;
    /* The boot hart gets the Linux boot registers; KVM keeps the other
     * vCPUs powered off until the guest starts them with SBI HSM. */
    return kvm_set_boot_regs(vm->vcpus[0].fd, lay.entry, 0, lay.fdt_gpa, err, errlen);
}

/* Runs one boot of the guest. Returns its stop reason. */
static enum stop_reason vm_boot(const struct vmm_options *opts)
{
    struct vm *vm = calloc(1, sizeof(*vm));
    char err[ERRLEN];
    if (!vm) {
        die_msg("out of memory");
        return STOP_ERROR;
    }
    *vm = (struct vm){ .opts = opts, .kvm_fd = -1, .vm_fd = -1, .ncpus = opts->cpus };
    for (unsigned i = 0; i < GUEST_MAX_CPUS; i++)
        vm->vcpus[i] = (struct vcpu){ .vm = vm, .id = i, .fd = -1 };
    pthread_mutex_init(&vm->io_lock, NULL);
    pthread_mutex_init(&vm->bench_lock, NULL);
    pthread_mutex_init(&vm->collector_ctl, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&vm->collector_cond, &ca);
    pthread_condattr_destroy(&ca);
    uart_init(&vm->uart, STDOUT_FILENO);
    bench_init(&vm->bench, 0);

    if (vm_setup(vm, err, sizeof(err))) {
        die_msg(err);
        vm_destroy(vm);
        free(vm);
        return STOP_ERROR;
    }

    /* Secondary vCPUs run in their own threads with SIGALRM blocked, so the
     * timeout always interrupts vCPU 0 on the main thread. */
    sigset_t alrm, old;
    sigemptyset(&alrm);
    sigaddset(&alrm, SIGALRM);
    if (opts->dirty_log && opts->dirty_log_ms && collector_start(vm, opts->dirty_log_ms, err, sizeof(err)))
        vm_stop(vm, STOP_ERROR, err);
    pthread_sigmask(SIG_BLOCK, &alrm, &old);
    for (unsigned i = 1; i < vm->ncpus; i++) {
        struct vcpu *v = &vm->vcpus[i];
        if (pthread_create(&v->thread, NULL, vcpu_loop, v) == 0) {
            v->thread_started = true;
        } else {
            vm_stop(vm, STOP_ERROR, "cannot create a vCPU thread");
            break;
        }
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    vm->vcpus[0].thread = pthread_self();
    vm->vcpus[0].thread_started = true;
    vcpu_loop(&vm->vcpus[0]);
    for (unsigned i = 1; i < vm->ncpus; i++)
        if (vm->vcpus[i].thread_started)
            pthread_join(vm->vcpus[i].thread, NULL);
    collector_stop(vm, false);
    drain_ring(vm);

    enum stop_reason why = atomic_load(&vm->stop);
    if (vm->stop_msg[0])
        die_msg(vm->stop_msg);
    const struct bench_dt *dt = &vm->bench.dt;
    if (dt->state == DT_LOADING || dt->state == DT_RUNNING) {
        char msg[ERRLEN];
        snprintf(msg, sizeof(msg), "dirty-log: the guest's test did not finish (%u of %u rounds checked)",
                 dt->last_round, dt->rounds);
        die_msg(msg);
    }
    if (bench_dt_failed(&vm->bench))
        dirty_test_failed = true;
    if (opts->stats)
        print_stats(vm);
    vm_destroy(vm);
    free(vm);
    return why;
}

int vm_run(const struct vmm_options *opts)
{
    if (install_signals()) {
        die_msg("cannot install signal handlers");
        return 1;
    }
    if (opts->timeout_s)
        alarm(opts->timeout_s);
    for (;;) {
        enum stop_reason why = vm_boot(opts);
        switch (why) {
        case STOP_SHUTDOWN:
            /* the guest's dirty-log test (its summary line says why) */
            return dirty_test_failed ? 1 : 0;
        case STOP_RESET:
            if (opts->no_reboot) {
                die_msg("guest requested a reboot; exiting (--no-reboot)");
                return 2;
            }
            fprintf(stderr, VMM_NAME ": guest requested a reboot; restarting it\n");
            continue;
        case STOP_TIMEOUT:
            return 124;
        default:
            return 1;
        }
    }
}
