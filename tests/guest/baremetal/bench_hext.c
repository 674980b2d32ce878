/* Benchmark program (prints figures, asserts nothing about time): the cost
 * of what L0 emulates for L1, and the native-H trap round trip to compare it
 * with. Parameters come from /chosen/bootargs (rvnest run --append):
 *
 *   mode=ops  (run under rvnest) timed loops of H-extension operations that
 *             each trap to L0 and are emulated there; ops=LIST selects them
 *             (default: all of csrr,csrw,hlv,hsv,hfence.vvma,hfence.gvma,sbi)
 *   mode=ref  (run with --native: this program is then in real HS) enters a
 *             VS-mode guest loop of its own whose every iteration traps from
 *             VS to HS and back: a csrr of an H CSR (virtual-instruction
 *             trap, the handler writes rd in its frame and skips it) and an
 *             ecall (the handler skips it). refs=LIST selects them.
 *   iters=N   timed iterations per loop (default 100000)
 *   warmup=N  untimed iterations before each loop (default 1000)
 *
 * Every loop prints one "BENCH" line of key=value fields: the iteration
 * count, the `time` ticks it took (QEMU virt: 10 MHz, 100 ns per tick) and
 * the instret delta. Without -icount QEMU's instret (and cycle) read the
 * host's cycle counter (target/riscv/csr.c, cpu_get_host_ticks), so instret
 * per op is host TSC cycles, not instructions.
 *
 * Everything the loops do not do is identical whatever ops and iters are
 * (same setup, same number of output lines), so that L0's exit counts of
 * two runs differ only by the loops: bench/hext-cost.sh uses that to get
 * exits per op from a run with iters=0. */
#include "lib.h"

#define HSTATUS_VSXL_64 (2ull << 32)
#define HSTATUS_SPV (1ull << 7)
#define HSTATUS_SPVP (1ull << 8)
#define SSTATUS_SPP (1ull << 8)
#define EXC_VS_ECALL 10
#define EXC_VIRTUAL_INST 22
#define EXIT_MAGIC 0x52564e58      /* a7 of the guest's final ecall: "RVNX" */

/* ---- output ---- */

/* num/den with three decimals */
static void print_div(uint64_t num, uint64_t den)
{
    if (!den) {
        puts_("nan");
        return;
    }
    uint64_t milli = (num * 1000 + den / 2) / den;
    char frac[4] = { (char)('0' + milli / 100 % 10), (char)('0' + milli / 10 % 10),
                     (char)('0' + milli % 10), 0 };
    print("%d.%s", (long)(milli / 1000), frac);
}

static void report(const char *kind, const char *name, uint64_t n, uint64_t ticks,
                   uint64_t instret)
{
    print("BENCH %s=%s iters=%d ticks=%d ticks_per_op=", kind, name, (long)n, (long)ticks);
    print_div(ticks, n);
    print(" instret=%d instret_per_op=", (long)instret);
    print_div(instret, n);
    puts_("\n");
}

/* ---- mode=ops: operations L0 emulates ---- */

static volatile uint64_t cell;   /* in L1's own RAM: HLV/HSV target */

static __attribute__((noinline)) void op_csrr(uint64_t n)
{
    for (uint64_t i = 0; i < n; i++) {
        uint64_t v;
        __asm__ volatile("csrr %0, 0x600" : "=r"(v));       /* hstatus */
    }
}

static __attribute__((noinline)) void op_csrw(uint64_t n)
{
    for (uint64_t i = 0; i < n; i++)
        __asm__ volatile("csrw 0x240, %0" :: "r"(i));       /* vsscratch */
}

static __attribute__((noinline)) void op_hlv(uint64_t n)
{
    for (uint64_t i = 0; i < n; i++) {
        uint64_t v;
        /* hlv.d v, (&cell) */
        __asm__ volatile(".insn r 0x73, 4, 0x36, %0, %1, x0" : "=r"(v) : "r"(&cell) : "memory");
    }
}

static __attribute__((noinline)) void op_hsv(uint64_t n)
{
    for (uint64_t i = 0; i < n; i++)                         /* hsv.d i, (&cell) */
        __asm__ volatile(".insn r 0x73, 4, 0x37, x0, %0, %1" :: "r"(&cell), "r"(i) : "memory");
}

static __attribute__((noinline)) void op_hfence_vvma(uint64_t n)
{
    for (uint64_t i = 0; i < n; i++)                         /* hfence.vvma x0, x0 */
        __asm__ volatile(".insn r 0x73, 0, 0x11, x0, x0, x0" ::: "memory");
}

static __attribute__((noinline)) void op_hfence_gvma(uint64_t n)
{
    for (uint64_t i = 0; i < n; i++)                         /* hfence.gvma x0, x0 */
        __asm__ volatile(".insn r 0x73, 0, 0x31, x0, x0, x0" ::: "memory");
}

static __attribute__((noinline)) void op_sbi(uint64_t n)
{
    for (uint64_t i = 0; i < n; i++)                         /* answered by L0 itself */
        sbi_call(SBI_EXT_BASE, SBI_BASE_PROBE_EXT, SBI_EXT_TIME, 0, 0);
}

struct loop {
    const char *name, *what;
    void (*run)(uint64_t n);
};

static const struct loop ops[] = {
    { "csrr", "csrr hstatus", op_csrr },
    { "csrw", "csrw vsscratch", op_csrw },
    { "hlv", "hlv.d (vsatp, hgatp Bare)", op_hlv },
    { "hsv", "hsv.d (vsatp, hgatp Bare)", op_hsv },
    { "hfence.vvma", "hfence.vvma x0, x0", op_hfence_vvma },
    { "hfence.gvma", "hfence.gvma x0, x0", op_hfence_gvma },
    { "sbi", "SBI probe_extension(TIME) ecall", op_sbi },
};

static void time_loop(const char *kind, const struct loop *l, uint64_t n, uint64_t warmup)
{
    l->run(warmup);                  /* translate the code, warm QEMU's TLB */
    uint64_t t0 = csr_read(time), i0 = csr_read(instret);
    l->run(n);
    uint64_t t1 = csr_read(time), i1 = csr_read(instret);
    report(kind, l->name, n, t1 - t0, i1 - i0);
}

/* Identity mappings for HLV/HSV: vsatp and hgatp Bare, SPVP=1 (the access
 * is made as VS-mode). Done the same way whatever ops are selected. */
static void ops_setup(void)
{
    csr_write(0x680, 0);                                     /* hgatp */
    csr_write(0x280, 0);                                     /* vsatp */
    csr_write(0x600, csr_read(0x600) | HSTATUS_SPVP);
    cell = 0x0123456789abcdefull;
}

/* ---- mode=ref: the native-H trap round trip, VS -> HS -> VS ---- */

void vs_run(void (*fn)(uint64_t), uint64_t arg);
void hs_vector(void);
uint64_t hs_trap(uint64_t *frame);
static uint64_t ref_unexpected, ref_cause, ref_epc;
static uint64_t trap_stack[512] __attribute__((aligned(16)));

/* The reference's HS side is hs_entry.S (hs_vector, vs_run); its guest
 * entry calls fn(arg) and ends with the final ecall. */
__asm__(
    "   .text\n"
    "   .globl vs_entry\n"
    "vs_entry:\n"
    "   mv t2, a0\n"
    "   mv a0, a1\n"
    "   jalr t2\n"
    "   li a7, 0x52564e58\n"
    "   ecall\n"
    "2: j 2b\n");

/* The HS handler: minimal emulation, as an L0 would do it. */
uint64_t hs_trap(uint64_t *frame)
{
    uint64_t cause = csr_read(scause), epc = csr_read(sepc);
    if (cause == EXC_VIRTUAL_INST) {
        uint32_t insn = (uint32_t)csr_read(stval);
        if (!insn)
            insn = *(volatile uint32_t *)(uintptr_t)epc;     /* vsatp, hgatp Bare */
        unsigned rd = (insn >> 7) & 31;
        if (rd)
            frame[rd] = HSTATUS_VSXL_64;
        csr_write(sepc, epc + 4);
        return 0;
    }
    if (cause == EXC_VS_ECALL) {
        if (frame[17] == EXIT_MAGIC)
            return 1;
        frame[10] = 0;
        csr_write(sepc, epc + 4);
        return 0;
    }
    ref_unexpected++;
    ref_cause = cause;
    ref_epc = epc;
    return 1;
}

static __attribute__((noinline)) void vs_csrr(uint64_t n)
{
    for (uint64_t i = 0; i < n; i++) {
        uint64_t v;
        __asm__ volatile("csrr %0, 0x600" : "=r"(v));       /* virtual instruction */
    }
}

static __attribute__((noinline)) void vs_ecall(uint64_t n)
{
    for (uint64_t i = 0; i < n; i++) {
        register uint64_t a0 __asm__("a0");
        register uint64_t a7 __asm__("a7") = 0;
        __asm__ volatile("ecall" : "=r"(a0) : "r"(a7) : "memory");
        (void)a0;
    }
}

static void in_guest(void (*fn)(uint64_t), uint64_t n)
{
    csr_write(0x600, HSTATUS_VSXL_64 | HSTATUS_SPV | HSTATUS_SPVP);
    csr_set(sstatus, SSTATUS_SPP);                          /* sret to VS-mode */
    vs_run(fn, n);
}

static void time_guest(const char *name, void (*fn)(uint64_t), uint64_t n, uint64_t warmup)
{
    in_guest(fn, warmup);
    uint64_t t0 = csr_read(time), i0 = csr_read(instret);
    in_guest(fn, n);
    uint64_t t1 = csr_read(time), i1 = csr_read(instret);
    report("ref", name, n, t1 - t0, i1 - i0);
}

static void ref_setup(void)
{
    csr_write(0x680, 0);                                     /* hgatp: Bare */
    csr_write(0x280, 0);                                     /* vsatp: Bare */
    csr_write(0x602, 0);                                     /* hedeleg */
    csr_write(0x603, 0);                                     /* hideleg */
    csr_write(0x606, ~0ull);                                 /* hcounteren */
    csr_write(sscratch, (uint64_t)(uintptr_t)(trap_stack + 512));
    csr_write(stvec, (uint64_t)(uintptr_t)hs_vector);
}

int main(unsigned long hartid, unsigned long fdt)
{
    (void)hartid;
    const char *args = fdt_chosen_bootargs(fdt);
    unsigned long mlen = 0, llen = 0;
    const char *mode = bootarg_str(args, "mode", &mlen);
    uint64_t n = bootarg(args, "iters", 100000), warmup = bootarg(args, "warmup", 1000);
    print("bench_hext: args \"%s\"\n", args);
    print("bench_hext: time is QEMU virt's 10 MHz timer (1 tick = 100 ns); instret is the host cycle counter\n");
    if (mode && mlen == 3 && str_prefix(mode, "ops")) {
        const char *list = bootarg_str(args, "ops", &llen);
        ops_setup();
        for (unsigned i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
            if (list_has(list, llen, ops[i].name))
                time_loop("op", &ops[i], n, warmup);
        print("bench_hext: hsv/hlv cell %x\n", cell);
    } else if (mode && mlen == 3 && str_prefix(mode, "ref")) {
        const char *list = bootarg_str(args, "refs", &llen);
        ref_setup();
        if (list_has(list, llen, "virtual_insn"))
            time_guest("virtual_insn", vs_csrr, n, warmup);
        if (list_has(list, llen, "vs_ecall"))
            time_guest("vs_ecall", vs_ecall, n, warmup);
        if (ref_unexpected)
            print("bench_hext: FAIL: unexpected trap from the guest: scause %x sepc %x\n",
                  ref_cause, ref_epc);
    } else {
        print("bench_hext: FAIL: no mode (append \"mode=ops\" or \"mode=ref\")\n");
    }
    print("bench_hext: done\n");
    shutdown();
    return 0;
}
