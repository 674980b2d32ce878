/* l2-memwork: memory and exit-heavy workloads for the L2 guest (static
 * riscv64, in the L2 initramfs; tests/kvm/l2-init.sh runs it for each mode
 * line of rvnest_work=). Each mode prints one result line,
 *   RVNEST-L2: work MODE key=value ... ms=ELAPSED
 * with the time measured in L2 (CLOCK_MONOTONIC), or
 *   RVNEST-L2: work MODE FAIL: reason
 * and exits 1.
 *
 *   touch MIB [thp]        fresh anonymous memory, one word written per 4 KiB
 *                          page (4 KiB pages unless thp)
 *   dirty MIB ITERS [MS]   a buffer of MIB written (a word per page) ITERS
 *                          times while the VMM collects the dirty log: with
 *                          MS, every MS ms from the start of the writes to
 *                          their end (the bench device starts and stops
 *                          the VMM's collector); without, as rvnest-vmm
 *                          --dirty-log does (or not at all)
 *   churn N                N times: mmap 4 MiB, touch it, munmap; fork, exit, wait
 *   mmio N                 N 4-byte writes to bench page 0 (each one a VMM exit)
 *   mmio-coalesced N       N 4-byte writes to bench page 1 (KVM's coalesced ring)
 *   dirtytest PAGES ROUNDS the dirty-log test (vmm/benchdev.h, docs/vmm.md):
 *                          one writer thread per online CPU
 *   nop                    nothing (a benchmark's baseline boot)
 * The bench device (rvnest-vmm's, vmm/benchdev.h) is reached through /dev/mem. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "benchdev.h"

#define PAGE 4096UL

static const char *mode = "?";

static void die(const char *fmt, ...)
{
    va_list ap;
    printf("RVNEST-L2: work %s FAIL: ", mode);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    exit(1);
}

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static unsigned long num(const char *s, const char *what, unsigned long min, unsigned long max)
{
    char *end;
    errno = 0;
    unsigned long v = s ? strtoul(s, &end, 10) : 0;
    if (!s || errno || *end || s[0] == '-' || v < min || v > max)
        die("%s must be a number from %lu to %lu (got '%s')", what, min, max, s ? s : "");
    return v;
}

/* Fresh anonymous memory; 4 KiB pages unless thp. */
static uint8_t *anon(size_t size, int thp)
{
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        die("cannot map %zu MiB: %s", size >> 20, strerror(errno));
    if (!thp && madvise(p, size, MADV_NOHUGEPAGE))
        die("madvise(MADV_NOHUGEPAGE): %s", strerror(errno));
    return p;
}

/* ------------------------------------------------------------ the bench device */
static volatile uint32_t *bench;    /* page 0; page 1 at + BENCH_PAGE / 4 */

static int bench_open(int required)
{
    int fd = open("/dev/mem", O_RDWR | O_SYNC);
    if (fd < 0) {
        if (required)
            die("cannot open /dev/mem: %s", strerror(errno));
        return -1;
    }
    void *p = mmap(NULL, BENCH_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)BENCH_BASE);
    close(fd);
    if (p == MAP_FAILED) {
        if (required)
            die("cannot map the bench device at 0x%llx through /dev/mem: %s", (unsigned long long)BENCH_BASE,
                strerror(errno));
        return -1;
    }
    bench = p;
    if (bench[BENCH_REG_ID / 4] != BENCH_ID_VALUE) {
        uint32_t id = bench[BENCH_REG_ID / 4];
        munmap(p, BENCH_SIZE);
        bench = NULL;
        if (required)
            die("no rvnest bench device at 0x%llx (id 0x%x)", (unsigned long long)BENCH_BASE, id);
        return -1;
    }
    return 0;
}

static uint32_t reg(unsigned off) { return bench[off / 4]; }
static void set_reg(unsigned off, uint32_t v) { bench[off / 4] = v; }

/* ------------------------------------------------------------ modes */
static int do_touch(int argc, char **argv)
{
    unsigned long mib = num(argc > 0 ? argv[0] : NULL, "MIB", 1, 1 << 20);
    int thp = argc > 1 && !strcmp(argv[1], "thp");
    if (argc > 2 || (argc > 1 && !thp))
        die("usage: touch MIB [thp]");
    size_t size = mib << 20;
    uint8_t *p = anon(size, thp);
    double t0 = now_ms();
    for (size_t off = 0; off < size; off += PAGE)
        *(volatile uint64_t *)(p + off) = off;
    double ms = now_ms() - t0;
    munmap(p, size);
    printf("RVNEST-L2: work touch mib=%lu pages=%zu thp=%d ms=%.1f us_per_page=%.2f\n", mib, size / PAGE, thp, ms,
           ms * 1e3 / (double)(size / PAGE));
    return 0;
}

static int do_dirty(int argc, char **argv)
{
    unsigned long mib = num(argc > 0 ? argv[0] : NULL, "MIB", 1, 1 << 20);
    unsigned long iters = num(argc > 1 ? argv[1] : NULL, "ITERS", 1, 1000000);
    unsigned long ms_period = argc > 2 ? num(argv[2], "MS", 1, BENCH_DL_MAX_MS) : 0;
    if (argc > 3)
        die("usage: dirty MIB ITERS [MS]");
    size_t size = mib << 20, pages = size / PAGE;
    uint8_t *p = anon(size, 0);
    for (size_t off = 0; off < size; off += PAGE)   /* populated first: not timed */
        *(volatile uint64_t *)(p + off) = 0;
    int dev = bench_open(ms_period != 0) == 0;
    uint32_t r0 = dev ? reg(BENCH_REG_DL_ROUNDS) : 0, p0 = dev ? reg(BENCH_REG_DL_PAGES) : 0;
    double t0 = now_ms();
    if (ms_period)
        set_reg(BENCH_REG_DL_CTRL, (uint32_t)ms_period);   /* logging on, collector started */
    for (unsigned long it = 1; it <= iters; it++)
        for (size_t off = 0; off < size; off += PAGE)
            *(volatile uint64_t *)(p + off) = it;
    if (ms_period)
        set_reg(BENCH_REG_DL_CTRL, 0);
    double ms = now_ms() - t0;
    char coll[128] = "collector=unknown";
    if (dev && !ms_period && !(reg(BENCH_REG_FLAGS) & BENCH_F_COLLECTOR))
        snprintf(coll, sizeof(coll), "collector=off");
    else if (dev)
        snprintf(coll, sizeof(coll), "collector_ms=%lu collector_rounds=%u collector_pages=%u",
                 ms_period ? ms_period : (unsigned long)reg(BENCH_REG_DL_CTRL),
                 reg(BENCH_REG_DL_ROUNDS) - r0, reg(BENCH_REG_DL_PAGES) - p0);
    munmap(p, size);
    printf("RVNEST-L2: work dirty mib=%lu iters=%lu pages=%zu ms=%.1f us_per_page=%.2f %s\n", mib, iters, pages, ms,
           ms * 1e3 / (double)(pages * iters), coll);
    return 0;
}

static int do_churn(int argc, char **argv)
{
    unsigned long n = num(argc > 0 ? argv[0] : NULL, "N", 1, 10000000);
    if (argc > 1)
        die("usage: churn N");
    const size_t size = 4UL << 20;
    double t0 = now_ms();
    for (unsigned long i = 0; i < n; i++) {
        uint8_t *p = anon(size, 0);
        for (size_t off = 0; off < size; off += PAGE)
            *(volatile uint64_t *)(p + off) = i;
        munmap(p, size);
        pid_t pid = fork();
        if (pid < 0)
            die("fork: %s", strerror(errno));
        if (pid == 0)
            _exit(0);
        int st;
        if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
            die("child %d did not exit cleanly", (int)pid);
    }
    double ms = now_ms() - t0;
    printf("RVNEST-L2: work churn n=%lu mib=4 ms=%.1f us_per_iter=%.1f\n", n, ms, ms * 1e3 / (double)n);
    return 0;
}

static int do_mmio(int argc, char **argv, int coalesced)
{
    unsigned long n = num(argc > 0 ? argv[0] : NULL, "N", 1, 100000000);
    if (argc > 1)
        die("usage: %s N", mode);
    bench_open(1);
    int coal = (reg(BENCH_REG_FLAGS) & BENCH_F_COALESCED) != 0;
    unsigned counter = coalesced ? BENCH_REG_COAL : BENCH_REG_COUNT;
    uint32_t before = reg(counter);
    double t0 = now_ms();
    if (coalesced) {
        volatile uint32_t *p1 = bench + BENCH_PAGE / 4;
        for (unsigned long i = 0; i < n; i++)
            p1[i % (BENCH_PAGE / 4)] = (uint32_t)i;
    } else {
        for (unsigned long i = 0; i < n; i++)
            bench[BENCH_REG_ID / 4] = (uint32_t)i;
    }
    double ms = now_ms() - t0;
    /* the read exits; the VMM drains the ring before it answers */
    uint32_t seen = reg(counter) - before;
    if (seen != (uint32_t)n)
        die("wrote %lu times, the VMM counted %u", n, seen);
    printf("RVNEST-L2: work %s n=%lu%s ms=%.1f us_per_write=%.2f\n", mode, n,
           coalesced ? (coal ? " coalesced=1" : " coalesced=0") : "", ms, ms * 1e3 / (double)n);
    return 0;
}

/* ------------------------------------------------------------ dirtytest */
struct barrier {
    _Atomic unsigned count, gen;
};
static struct barrier *bar;         /* its own page, never a buffer page */
static unsigned nthreads;
static uint8_t *buf;
static uint32_t pages, rounds;
static uint32_t round_status;

static void barrier_wait(void)
{
    unsigned g = atomic_load(&bar->gen);
    if (atomic_fetch_add(&bar->count, 1) == nthreads - 1) {
        atomic_store(&bar->count, 0);
        atomic_fetch_add(&bar->gen, 1);
    } else {
        /* spin in user space: no write to any buffer page */
        while (atomic_load(&bar->gen) == g)
            ;
    }
}

static void access_page(uint32_t r, uint32_t i, enum bench_dt_action a)
{
    uint8_t *pg = buf + (size_t)i * PAGE;
    volatile uint64_t *w = (volatile uint64_t *)(pg + bench_dt_offset(r, i));
    switch (a) {
    case BENCH_DT_NONE: break;
    case BENCH_DT_READ: (void)*w; (void)*(volatile uint64_t *)(pg + PAGE - 8); break;
    case BENCH_DT_STORE64: *w = (uint64_t)r << 32 | i; break;
    case BENCH_DT_STORE8: *((volatile uint8_t *)w + r % 8) = (uint8_t)r; break;
    case BENCH_DT_AMO: __atomic_fetch_add((uint64_t *)w, 1, __ATOMIC_RELAXED); break;
    case BENCH_DT_LOAD_STORE: { uint64_t v = *w; *w = v + 1; break; }
    }
}

static void *writer(void *arg)
{
    unsigned tid = (unsigned)(uintptr_t)arg;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(tid, &set);
    if (sched_setaffinity(0, sizeof(set), &set))
        die("thread %u: sched_setaffinity(cpu %u): %s", tid, tid, strerror(errno));
    barrier_wait();     /* every thread on its CPU */
    for (uint32_t r = 1; r <= rounds; r++) {
        for (uint32_t i = 0; i < pages; i++)
            if (bench_dt_thread(r, i, nthreads) == tid)
                access_page(r, i, bench_dt_action(r, i));
        barrier_wait();     /* every write of round r done */
        if (tid == 0) {
            set_reg(BENCH_REG_DT_ROUND, r);  /* the VMM gets and checks the log now */
            round_status |= reg(BENCH_REG_DT_STATUS);
        }
        barrier_wait();
    }
    return NULL;
}

static void write_file(const char *path, const char *s)
{
    int fd = open(path, O_WRONLY);
    if (fd < 0 || write(fd, s, strlen(s)) != (ssize_t)strlen(s))
        die("cannot write '%s' to %s: %s", s, path, strerror(errno));
    close(fd);
}

static int do_dirtytest(int argc, char **argv)
{
    pages = (uint32_t)num(argc > 0 ? argv[0] : NULL, "PAGES", 1, BENCH_DT_MAX_PAGES);
    rounds = (uint32_t)num(argc > 1 ? argv[1] : NULL, "ROUNDS", 1, BENCH_DT_MAX_ROUNDS);
    if (argc > 2)
        die("usage: dirtytest PAGES ROUNDS");
    /* The kernel must not move or write the buffer's pages itself: no
     * compaction of mlocked pages, no THP (khugepaged), no swap (none). */
    write_file("/proc/sys/vm/compact_unevictable_allowed", "0");
    bench_open(1);
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    nthreads = ncpu >= 1 && ncpu <= CPU_SETSIZE ? (unsigned)ncpu : 1;
    size_t size = (size_t)pages * PAGE;
    buf = anon(size, 0);
    if (mlock(buf, size))
        die("mlock of %u pages: %s", pages, strerror(errno));
    for (uint32_t i = 0; i < pages; i++)
        *(volatile uint64_t *)(buf + (size_t)i * PAGE) = i;
    bar = (struct barrier *)anon(PAGE, 0);
    /* each page's PFN (L2-physical frame) from /proc/self/pagemap */
    int pm = open("/proc/self/pagemap", O_RDONLY);
    if (pm < 0)
        die("cannot open /proc/self/pagemap: %s", strerror(errno));
    set_reg(BENCH_REG_DT_PAGES, pages);
    set_reg(BENCH_REG_DT_ROUNDS, rounds);
    set_reg(BENCH_REG_DT_CMD, BENCH_DT_CMD_LOAD);
    for (uint32_t i = 0; i < pages; i++) {
        uint64_t e;
        off_t at = (off_t)(((uintptr_t)buf / PAGE + i) * 8);
        if (pread(pm, &e, 8, at) != 8)
            die("cannot read /proc/self/pagemap: %s", strerror(errno));
        uint64_t pfn = e & ((1ULL << 55) - 1);
        if (!(e >> 63) || !pfn)
            die("page %u has no PFN in /proc/self/pagemap (entry 0x%llx): not present, or not root", i,
                (unsigned long long)e);
        set_reg(BENCH_REG_DT_PFN, (uint32_t)pfn);
    }
    close(pm);
    set_reg(BENCH_REG_DT_CMD, BENCH_DT_CMD_START);
    if (reg(BENCH_REG_DT_STATUS))
        die("the VMM did not start the test (status 0x%x; see its message)", reg(BENCH_REG_DT_STATUS));
    pthread_t th[CPU_SETSIZE];
    double t0 = now_ms();
    for (unsigned t = 1; t < nthreads; t++)
        if (pthread_create(&th[t], NULL, writer, (void *)(uintptr_t)t))
            die("cannot create writer thread %u", t);
    writer((void *)0);
    for (unsigned t = 1; t < nthreads; t++)
        pthread_join(th[t], NULL);
    double ms = now_ms() - t0;
    set_reg(BENCH_REG_DT_CMD, BENCH_DT_CMD_FINISH);
    uint32_t st = reg(BENCH_REG_DT_STATUS) | round_status;
    printf("RVNEST-L2: work dirtytest pages=%u rounds=%u threads=%u written=%u lost=%u extra=%u status=%u ms=%.1f\n",
           pages, rounds, nthreads, reg(BENCH_REG_DT_WRITTEN), reg(BENCH_REG_DT_LOST), reg(BENCH_REG_DT_EXTRA), st, ms);
    return st ? 1 : 0;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc < 2) {
        fprintf(stderr, "usage: l2-memwork touch MIB [thp] | dirty MIB ITERS [MS] | churn N | mmio N | "
                "mmio-coalesced N | dirtytest PAGES ROUNDS | nop\n");
        return 2;
    }
    mode = argv[1];
    int n = argc - 2;
    char **a = argv + 2;
    if (!strcmp(mode, "touch")) return do_touch(n, a);
    if (!strcmp(mode, "dirty")) return do_dirty(n, a);
    if (!strcmp(mode, "churn")) return do_churn(n, a);
    if (!strcmp(mode, "mmio")) return do_mmio(n, a, 0);
    if (!strcmp(mode, "mmio-coalesced")) return do_mmio(n, a, 1);
    if (!strcmp(mode, "dirtytest")) return do_dirtytest(n, a);
    if (!strcmp(mode, "nop") && n == 0) {
        printf("RVNEST-L2: work nop ms=0.0\n");
        return 0;
    }
    die("unknown mode or arguments (modes: touch, dirty, churn, mmio, mmio-coalesced, dirtytest, nop)");
    return 1;
}
