/* rvnest-vmm: one guest's life: create the VM, load it, run its vCPUs and
 * dispatch their exits until it powers off. */
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
    struct vcpu vcpus[GUEST_MAX_CPUS];
    unsigned ncpus;
    _Atomic int stop;                 /* enum stop_reason; first writer wins */
    char stop_msg[ERRLEN];
    struct timespec t_start, t_stop;
};

static _Thread_local struct kvm_run *my_run;
static volatile sig_atomic_t timed_out;

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
        if (ioctl(v->fd, KVM_RUN, 0) < 0) {
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
}

static void vm_destroy(struct vm *vm)
{
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
    if (kvm_add_ram(vm->vm_fd, &vm->ram, err, errlen))
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

    struct fdt_params fp = {
        .cpus = vm->ncpus, .mem_base = vm->ram.gpa, .mem_size = vm->ram.size,
        .initrd_start = lay.initrd_gpa, .initrd_end = lay.initrd_gpa + lay.initrd_size,
        .bootargs = o->append, .uart_base = GUEST_UART_BASE,
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
    uart_init(&vm->uart, STDOUT_FILENO);

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

    enum stop_reason why = atomic_load(&vm->stop);
    if (vm->stop_msg[0])
        die_msg(vm->stop_msg);
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
            return 0;
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
