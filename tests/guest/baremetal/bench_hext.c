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
void ref_vector(void);
uint64_t ref_trap(uint64_t *frame);
uint64_t hs_ctx[14];                                        /* ra, sp, s0-s11 */
static uint64_t ref_unexpected, ref_cause, ref_epc;
static uint64_t trap_stack[512] __attribute__((aligned(16)));

/* The HS trap vector of the reference: a conventional hypervisor entry
 * (swap to the HS stack through sscratch, save all GPRs in a frame, call a
 * C handler, restore, sret). The handler returns nonzero for the guest's
 * final ecall: then the HS context saved by vs_run is restored and vs_run
 * returns. */
__asm__(
    "   .text\n"
    "   .align 4\n"
    "   .globl ref_vector\n"
    "ref_vector:\n"
    "   csrrw sp, sscratch, sp\n"
    "   addi sp, sp, -256\n"
    "   sd x1, 8(sp)\n   sd x3, 24(sp)\n  sd x4, 32(sp)\n  sd x5, 40(sp)\n"
    "   sd x6, 48(sp)\n  sd x7, 56(sp)\n  sd x8, 64(sp)\n  sd x9, 72(sp)\n"
    "   sd x10, 80(sp)\n sd x11, 88(sp)\n sd x12, 96(sp)\n sd x13, 104(sp)\n"
    "   sd x14, 112(sp)\n sd x15, 120(sp)\n sd x16, 128(sp)\n sd x17, 136(sp)\n"
    "   sd x18, 144(sp)\n sd x19, 152(sp)\n sd x20, 160(sp)\n sd x21, 168(sp)\n"
    "   sd x22, 176(sp)\n sd x23, 184(sp)\n sd x24, 192(sp)\n sd x25, 200(sp)\n"
    "   sd x26, 208(sp)\n sd x27, 216(sp)\n sd x28, 224(sp)\n sd x29, 232(sp)\n"
    "   sd x30, 240(sp)\n sd x31, 248(sp)\n"
    "   csrr t0, sscratch\n"
    "   sd t0, 16(sp)\n"
    "   mv a0, sp\n"
    "   call ref_trap\n"
    "   bnez a0, 1f\n"
    "   ld t0, 16(sp)\n"
    "   csrw sscratch, t0\n"
    "   ld x1, 8(sp)\n   ld x3, 24(sp)\n  ld x4, 32(sp)\n  ld x5, 40(sp)\n"
    "   ld x6, 48(sp)\n  ld x7, 56(sp)\n  ld x8, 64(sp)\n  ld x9, 72(sp)\n"
    "   ld x10, 80(sp)\n ld x11, 88(sp)\n ld x12, 96(sp)\n ld x13, 104(sp)\n"
    "   ld x14, 112(sp)\n ld x15, 120(sp)\n ld x16, 128(sp)\n ld x17, 136(sp)\n"
    "   ld x18, 144(sp)\n ld x19, 152(sp)\n ld x20, 160(sp)\n ld x21, 168(sp)\n"
    "   ld x22, 176(sp)\n ld x23, 184(sp)\n ld x24, 192(sp)\n ld x25, 200(sp)\n"
    "   ld x26, 208(sp)\n ld x27, 216(sp)\n ld x28, 224(sp)\n ld x29, 232(sp)\n"
    "   ld x30, 240(sp)\n ld x31, 248(sp)\n"
    "   addi sp, sp, 256\n"
    "   csrrw sp, sscratch, sp\n"
    "   sret\n"
    "1: addi t0, sp, 256\n"          /* leave the guest: back into vs_run's caller */
    "   csrw sscratch, t0\n"
    "   la t0, hs_ctx\n"
    "   ld ra, 0(t0)\n   ld sp, 8(t0)\n   ld s0, 16(t0)\n  ld s1, 24(t0)\n"
    "   ld s2, 32(t0)\n  ld s3, 40(t0)\n  ld s4, 48(t0)\n  ld s5, 56(t0)\n"
    "   ld s6, 64(t0)\n  ld s7, 72(t0)\n  ld s8, 80(t0)\n  ld s9, 88(t0)\n"
    "   ld s10, 96(t0)\n ld s11, 104(t0)\n"
    "   ret\n"
    /* vs_run(fn, arg): run fn(arg) in VS-mode (hstatus.SPV and sstatus.SPP
     * are set by the caller), on the current stack, until its final ecall */
    "   .globl vs_run\n"
    "vs_run:\n"
    "   la t0, hs_ctx\n"
    "   sd ra, 0(t0)\n   sd sp, 8(t0)\n   sd s0, 16(t0)\n  sd s1, 24(t0)\n"
    "   sd s2, 32(t0)\n  sd s3, 40(t0)\n  sd s4, 48(t0)\n  sd s5, 56(t0)\n"
    "   sd s6, 64(t0)\n  sd s7, 72(t0)\n  sd s8, 80(t0)\n  sd s9, 88(t0)\n"
    "   sd s10, 96(t0)\n sd s11, 104(t0)\n"
    "   la t1, vs_tramp\n"
    "   csrw sepc, t1\n"
    "   sret\n"
    "vs_tramp:\n"
    "   mv t2, a0\n"
    "   mv a0, a1\n"
    "   jalr t2\n"
    "   li a7, 0x52564e58\n"
    "   ecall\n"
    "2: j 2b\n");

/* The HS handler: minimal emulation, as an L0 would do it. */
uint64_t ref_trap(uint64_t *frame)
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
    csr_write(stvec, (uint64_t)(uintptr_t)ref_vector);
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
