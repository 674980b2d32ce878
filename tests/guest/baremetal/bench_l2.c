/* Benchmark program (prints figures, asserts nothing about time): what the
 * operations of an L2 guest cost. This program is a small test hypervisor
 * ("L1"): it runs in HS (real HS with --native, or VS under rvnest), builds
 * a Sv39x4 G-stage that identity-maps its RAM, and enters an L2 guest in
 * VS-mode (vsatp Bare, so L2's addresses are guest-physical) the way KVM
 * does: hedeleg = misaligned fetch, breakpoint, U-ecall and the page faults
 * 12/13/15; hideleg = the VS interrupts; hcounteren all ones; henvcfg.STCE.
 * L2 times loops of one operation with its own `time` (10 MHz on QEMU virt,
 * 1 tick = 100 ns of host time without icount):
 *
 *   sbi        ecall SBI base get_spec_version, answered by L1's HS handler
 *              (sepc += 4, sret back to L2)
 *   mmio       lw from a GPA L1 leaves unmapped in the G-stage (a virtio-mmio
 *              magic register): load guest-page fault (21), L1 decodes the
 *              load from htinst (or the instruction at sepc when htinst is
 *              0), writes rd and skips it
 *   timer      VS timer interrupt round trip: L2 writes stimecmp (vstimecmp,
 *              Sstc) in the past, takes the interrupt in its own handler,
 *              which pushes stimecmp out; L1 is not involved
 *   pagefault  a store to a new page of a 16 MiB unmapped GPA window each
 *              iteration: store guest-page fault (23), L1 maps a fresh 4 KiB
 *              page there (and hfence.gvma's that GPA, as KVM does); when the
 *              whole window is mapped L1 unmaps it (but the page it just
 *              mapped) and does one hfence.gvma of the VMID
 *   rdtime     csrr time (hcounteren.TM=1: no trap)
 *   rdcycle    csrr cycle (hcounteren.CY=1: no trap)
 *
 * When its SBI offers nested acceleration (NACL, all four features: under
 * rvnest unless nacl=off; never natively) L1 works the way KVM >= 6.13
 * does: htval and htinst read from the shared memory's CSR space, HFENCEs
 * queued as NACL HFENCE entries, and L2 entered again by SYNC_SRET (the
 * guest's registers in the SRET context) instead of sret. nacl=0 in the
 * bootargs keeps the trapping path.
 *
 * Parameters from /chosen/bootargs (rvnest run --append):
 *   iters=N   timed iterations per op (default 20000)
 *   warmup=N  untimed iterations before each timed loop (default 1000)
 *   ops=LIST  comma-separated subset of the ops above (default all)
 *   nacl=0    do not use NACL even when offered (default 1)
 *
 * Output: one "bench_l2: op NAME iters N ticks T" line per op, then
 * "bench_l2: done"; "bench_l2: FAIL: ..." on anything unexpected. Apart
 * from its loops the program does the same work whatever iters is, so two
 * runs of one op that differ only in iters differ only by the loop
 * (bench/l2-micro.sh uses that for L0's exits per op). */
#include "lib.h"

#define HSTATUS_VSXL_64 (2ull << 32)
#define HSTATUS_SPV (1ull << 7)
#define HSTATUS_SPVP (1ull << 8)
#define SSTATUS_SIE (1ull << 1)
#define SSTATUS_SPP (1ull << 8)
#define HENVCFG_STCE (1ull << 63)
#define SIE_STIE (1ull << 5)
#define EXIT_MAGIC 0x52564e58      /* a7 of L2's final ecall: "RVNX" */

#define EXC_VS_ECALL 10
#define EXC_INST_GPF 20
#define EXC_LOAD_GPF 21
#define EXC_STORE_GPF 23
/* KVM's default hedeleg: misaligned fetch, breakpoint, U-ecall, page faults */
#define HEDELEG_KVM ((1ull << 0) | (1ull << 3) | (1ull << 8) | (1ull << 12) | (1ull << 13) | (1ull << 15))
#define HIDELEG_VS ((1ull << 2) | (1ull << 6) | (1ull << 10))

/* G-stage PTE bits */
#define PTE_V (1ull << 0)
#define PTE_R (1ull << 1)
#define PTE_W (1ull << 2)
#define PTE_X (1ull << 3)
#define PTE_U (1ull << 4)
#define PTE_A (1ull << 6)
#define PTE_D (1ull << 7)
#define PTE_LEAF (PTE_V | PTE_R | PTE_W | PTE_X | PTE_U | PTE_A | PTE_D)
#define HGATP_SV39X4 (8ull << 60)
#define VMID 1ull

#define MMIO_GPA 0x10001000ull      /* L2's "virtio-mmio" device: unmapped */
#define VIRTIO_MAGIC 0x74726976ull  /* what its first register reads: "virt" */
#define WIN_GPA 0x100000000ull      /* the page-fault window: 16 MiB at 4 GiB */
#define WIN_PAGES 4096
#define SZ_4K 0x1000ull
#define SZ_2M 0x200000ull

/* ---- output and failures ---- */

static int failed;

static void fail(const char *what, uint64_t a, uint64_t b, uint64_t c)
{
    print("bench_l2: FAIL: %s (%x %x %x)\n", what, a, b, c);
    failed = 1;
}

/* ---- the G-stage (Sv39x4) ---- */

static uint64_t groot[2048] __attribute__((aligned(16384)));
#define NTABLES 64
static uint64_t gtables[NTABLES][512] __attribute__((aligned(4096)));
static unsigned gtables_used;
static uint64_t vmid;                       /* as hgatp kept it */
/* the backing pages of the window: one per window page */
static uint8_t pool[WIN_PAGES * SZ_4K] __attribute__((aligned(4096)));
static uint64_t *win_pte[WIN_PAGES];        /* the leaf PTE of each window page */
static unsigned win_mapped;

/* The PTE slot of GPA at the level whose pages are 4 KiB << (9 * level),
 * creating the tables above it. */
static uint64_t *gpte(uint64_t gpa, int level)
{
    uint64_t *t = groot;
    unsigned idx = (gpa >> 30) & 0x7ff;
    for (int l = 2; l > level; l--) {
        uint64_t *e = &t[idx];
        if (!(*e & PTE_V)) {
            if (gtables_used == NTABLES) {
                fail("out of G-stage page tables", gpa, level, 0);
                return 0;
            }
            *e = ((uint64_t)(uintptr_t)gtables[gtables_used++] >> 12) << 10 | PTE_V;
        }
        t = (uint64_t *)(uintptr_t)((*e >> 10) << 12);
        idx = (gpa >> (12 + 9 * (l - 1))) & 0x1ff;
    }
    return &t[idx];
}

/* SBI nested acceleration (SBI spec chapter "Nested Acceleration
 * Extension"): the shared memory (12 KiB: scratch, then the CSR space),
 * its physical address for hs_entry.S's SYNC_SRET path (0: not used). */
#define SBI_EXT_NACL 0x4E41434C
#define NACL_SHMEM_SIZE (4096 + 1024 * 8)
#define NACL_HFENCE_OFF 0x800
#define NACL_HFENCE_ENTRIES 60
#define NACL_HFENCE_PEND (1ull << 63)
#define NACL_HFENCE_GVMA_VMID 2ull
#define NACL_HFENCE_GVMA_VMID_ALL 3ull
static uint8_t nacl_shm[NACL_SHMEM_SIZE] __attribute__((aligned(4096)));
uint64_t nacl_shmem_pa;

static volatile uint64_t *nacl_word(uint64_t off)
{
    return (volatile uint64_t *)(uintptr_t)(nacl_shmem_pa + off);
}

/* An H CSR: from the CSR space with NACL (never a trap), else csrr. */
static uint64_t hcsr_read(unsigned csr)
{
    if (nacl_shmem_pa)
        return *nacl_word(0x1000 + 8 * (((csr & 0xc00) >> 2) | (csr & 0xff)));
    return csr == 0x643 ? csr_read(0x643) : csr_read(0x64a);
}

/* Queue an HFENCE entry; with all entries pending, sync them first. */
static void nacl_hfence(uint64_t type, uint64_t pnum, uint64_t count)
{
    for (int tries = 0; tries < 2; tries++) {
        for (unsigned i = 0; i < NACL_HFENCE_ENTRIES; i++) {
            volatile uint64_t *e = nacl_word(NACL_HFENCE_OFF + 32 * i);
            if (e[0] & NACL_HFENCE_PEND)
                continue;
            e[1] = pnum;
            e[2] = 0;
            e[3] = count;
            __asm__ volatile("fence w, w" ::: "memory");
            e[0] = NACL_HFENCE_PEND | type << 56 | (vmid & 0x3fff) << 16;    /* order 12 */
            return;
        }
        sbi_call(SBI_EXT_NACL, 3, -1, 0, 0);                                  /* SYNC_HFENCE */
    }
    fail("NACL HFENCE entries stay pending", 0, 0, 0);
}

static void hfence_gvma_gpa(uint64_t gpa)
{
    if (nacl_shmem_pa) {
        nacl_hfence(NACL_HFENCE_GVMA_VMID, gpa >> 12, 1);
        return;
    }
    __asm__ volatile(".insn r 0x73, 0, 0x31, x0, %0, %1" :: "r"(gpa >> 2), "r"(vmid) : "memory");
}

static void hfence_gvma_vmid(void)
{
    if (nacl_shmem_pa) {
        nacl_hfence(NACL_HFENCE_GVMA_VMID_ALL, 0, 0);
        return;
    }
    __asm__ volatile(".insn r 0x73, 0, 0x31, x0, x0, %0" :: "r"(vmid) : "memory");
}

/* hs_entry.S: SYNC_SRET returned, which it does only on an error. */
void nacl_sret_failed(long err)
{
    print("bench_l2: FAIL: NACL SYNC_SRET returned %d\n", err);
    shutdown();
}

/* Use NACL when the SBI offers the extension and all four features. */
static void nacl_setup(int want)
{
    if (!want || sbi_call(0x10, 3, SBI_EXT_NACL, 0, 0).value != 1)
        return;
    for (long f = 0; f < 4; f++)
        if (sbi_call(SBI_EXT_NACL, 0, f, 0, 0).value != 1)
            return;
    struct sbiret r = sbi_call(SBI_EXT_NACL, 1, (long)(uintptr_t)nacl_shm, 0, 0);
    if (r.error) {
        fail("NACL set_shmem failed", (uint64_t)r.error, (uint64_t)(uintptr_t)nacl_shm, 0);
        return;
    }
    nacl_shmem_pa = (uint64_t)(uintptr_t)nacl_shm;
}

extern char _start[];

/* Identity map of L1's RAM from this image's 2 MiB page to its end (not
 * OpenSBI's part below it), 2 MiB leaves where possible; the window's
 * tables, its leaves invalid; hgatp. */
static void gstage_setup(uint64_t ram_base, uint64_t ram_size)
{
    uint64_t a = (uint64_t)(uintptr_t)_start & ~(SZ_2M - 1), end = ram_base + ram_size;
    if (a < ram_base)
        a = ram_base;
    while (a < end && !failed) {
        uint64_t *e;
        if (!(a & (SZ_2M - 1)) && end - a >= SZ_2M) {
            if ((e = gpte(a, 1)))
                *e = (a >> 12) << 10 | PTE_LEAF;
            a += SZ_2M;
        } else {
            if ((e = gpte(a, 0)))
                *e = (a >> 12) << 10 | PTE_LEAF;
            a += SZ_4K;
        }
    }
    for (unsigned i = 0; i < WIN_PAGES && !failed; i++)
        win_pte[i] = gpte(WIN_GPA + i * SZ_4K, 0);
    csr_write(0x680, HGATP_SV39X4 | VMID << 44 | (uint64_t)(uintptr_t)groot >> 12);
    uint64_t hgatp = csr_read(0x680);
    if (hgatp >> 60 != 8)
        fail("hgatp does not take Sv39x4", hgatp, 0, 0);
    vmid = (hgatp >> 44) & 0x3fff;
    __asm__ volatile(".insn r 0x73, 0, 0x31, x0, x0, x0" ::: "memory");   /* hfence.gvma */
}

/* ---- L1's HS trap handler ---- */

void vs_run(uint64_t (*fn)(uint64_t), uint64_t arg);
void hs_vector(void);
uint64_t hs_trap(uint64_t *frame);
static uint64_t hs_stack[1024] __attribute__((aligned(16)));
static uint64_t l2_stack[2048] __attribute__((aligned(16)));
uint64_t l2_stack_top_addr;
/* what L1 handled: for the summary line */
static uint64_t l2_result, l2_sbi_bad, sbi_calls, mmio_reads, mmio_htinst, win_faults, win_resets;
/* L2's own trap handler's data: saved t1, timer interrupts taken, last
 * unexpected scause, count of unexpected traps */
volatile uint64_t l2_save[4];
void l2_vector(void);

/* The HS side is hs_entry.S (hs_vector, hs_trap's caller, and vs_run). */
__asm__(
    "   .text\n"
    /* L2 from here on (VS-mode, vsatp Bare, identity G-stage): on L2's
     * stack with L2's trap vector, fn(arg), then the final ecall
     * (a0 = fn's result) */
    "   .globl vs_entry\n"
    "vs_entry:\n"
    "   la t0, l2_stack_top_addr\n"
    "   ld sp, 0(t0)\n"
    "   la t0, l2_vector\n"
    "   csrw stvec, t0\n"
    "   mv t2, a0\n"
    "   mv a0, a1\n"
    "   jalr t2\n"
    "   li a7, 0x52564e58\n"
    "   ecall\n"
    "2: j 2b\n"
    /* L2's trap vector (vstvec): the VS timer interrupt pushes stimecmp
     * out and counts; anything else is counted as unexpected (exceptions
     * skip a 4-byte instruction, other interrupts disable themselves) */
    "   .align 4\n"
    "   .globl l2_vector\n"
    "l2_vector:\n"
    "   csrw sscratch, t0\n"
    "   la t0, l2_save\n"
    "   sd t1, 0(t0)\n"
    "   csrr t1, scause\n"
    "   bgez t1, 3f\n"
    "   slli t1, t1, 1\n"
    "   addi t1, t1, -10\n"              /* (5 << 1): supervisor timer */
    "   bnez t1, 4f\n"
    "   li t1, -1\n"
    "   csrw 0x14d, t1\n"                /* stimecmp (vstimecmp) = never */
    "   ld t1, 8(t0)\n"
    "   addi t1, t1, 1\n"
    "   sd t1, 8(t0)\n"
    "   j 5f\n"
    "3: sd t1, 16(t0)\n"
    "   csrr t1, sepc\n"
    "   addi t1, t1, 4\n"
    "   csrw sepc, t1\n"
    "   j 6f\n"
    "4: csrr t1, scause\n"
    "   sd t1, 16(t0)\n"
    "   csrw sie, zero\n"
    "6: ld t1, 24(t0)\n"
    "   addi t1, t1, 1\n"
    "   sd t1, 24(t0)\n"
    "5: ld t1, 0(t0)\n"
    "   csrr t0, sscratch\n"
    "   sret\n");

static uint64_t unexpected_cause, unexpected_epc, unexpected_tval, unexpected_htval;

static uint64_t sext(uint64_t v, unsigned bits)
{
    return (uint64_t)((int64_t)(v << (64 - bits)) >> (64 - bits));
}

/* Emulate L2's load from the device; 0 if it is not a load we know. */
static int emulate_load(uint64_t *frame, uint64_t gpa, uint64_t epc)
{
    uint32_t insn = (uint32_t)hcsr_read(0x64a);             /* htinst */
    unsigned len;
    if (insn & 1) {                 /* transformed instruction; bit 1 clear: compressed */
        mmio_htinst++;
        len = (insn & 2) ? 4 : 2;
        insn |= 2;
    } else {                        /* read it: vsatp Bare, identity G-stage */
        insn = *(volatile uint16_t *)(uintptr_t)epc;
        if ((insn & 3) == 3) {
            insn |= (uint32_t)*(volatile uint16_t *)(uintptr_t)(epc + 2) << 16;
            len = 4;
        } else {
            len = 2;
            unsigned f3 = insn >> 13, rd = 8 + ((insn >> 2) & 7);
            if ((insn & 3) != 0 || (f3 != 2 && f3 != 3))     /* c.lw, c.ld */
                return 0;
            insn = 0x03 | rd << 7 | (f3 == 2 ? 2u : 3u) << 12;
        }
    }
    if ((insn & 0x7f) != 0x03)
        return 0;
    unsigned rd = (insn >> 7) & 31, f3 = (insn >> 12) & 7;
    uint64_t v = VIRTIO_MAGIC >> ((gpa & 3) * 8);
    switch (f3) {
    case 0: v = sext(v & 0xff, 8); break;           /* lb */
    case 1: v = sext(v & 0xffff, 16); break;        /* lh */
    case 2: v = sext(v & 0xffffffff, 32); break;    /* lw */
    case 3: break;                                  /* ld */
    case 4: v &= 0xff; break;                       /* lbu */
    case 5: v &= 0xffff; break;                     /* lhu */
    case 6: v &= 0xffffffff; break;                 /* lwu */
    default: return 0;
    }
    if (rd)
        frame[rd] = v;
    csr_write(sepc, epc + len);
    mmio_reads++;
    return 1;
}

/* A store (or load) guest-page fault in the window: map a fresh page. */
static void map_window_page(uint64_t gpa)
{
    unsigned p = (unsigned)((gpa - WIN_GPA) / SZ_4K);
    *win_pte[p] = (((uint64_t)(uintptr_t)pool + p * SZ_4K) >> 12) << 10 | PTE_LEAF;
    hfence_gvma_gpa(gpa & ~(SZ_4K - 1));
    win_faults++;
    if (++win_mapped == WIN_PAGES) {        /* window exhausted: unmap all but p */
        for (unsigned i = 0; i < WIN_PAGES; i++)
            if (i != p)
                *win_pte[i] = 0;
        hfence_gvma_vmid();
        win_mapped = 1;
        win_resets++;
    }
}

uint64_t hs_trap(uint64_t *frame)
{
    uint64_t cause = csr_read(scause), epc = csr_read(sepc);
    if (cause == EXC_VS_ECALL) {
        if (frame[17] == EXIT_MAGIC) {
            l2_result = frame[10];
            return 1;
        }
        if (frame[17] == SBI_EXT_BASE && frame[16] == SBI_BASE_GET_SPEC_VERSION) {
            frame[10] = SBI_SUCCESS;
            frame[11] = 2u << 24;           /* SBI 2.0 */
        } else {
            frame[10] = (uint64_t)SBI_ERR_NOT_SUPPORTED;
        }
        sbi_calls++;
        csr_write(sepc, epc + 4);
        return 0;
    }
    if (cause == EXC_LOAD_GPF || cause == EXC_STORE_GPF) {
        uint64_t gpa = hcsr_read(0x643) << 2 | (csr_read(stval) & 3);
        if (cause == EXC_LOAD_GPF && gpa >> 12 == MMIO_GPA >> 12 && emulate_load(frame, gpa, epc))
            return 0;
        if (gpa >= WIN_GPA && gpa < WIN_GPA + WIN_PAGES * SZ_4K) {
            map_window_page(gpa);
            return 0;
        }
    }
    unexpected_cause = cause;
    unexpected_epc = epc;
    unexpected_tval = csr_read(stval);
    unexpected_htval = hcsr_read(0x643);
    return 1;
}

/* ---- L2's operations (run in VS-mode) ---- */

static inline uint64_t rdtime(void)
{
    uint64_t v;
    __asm__ volatile("csrr %0, time" : "=r"(v));
    return v;
}

static uint64_t l2_op_sbi(uint64_t n)
{
    uint64_t bad = 0, t0 = rdtime();
    for (uint64_t i = 0; i < n; i++) {
        register long a0 __asm__("a0");
        register long a1 __asm__("a1");
        register long a6 __asm__("a6") = SBI_BASE_GET_SPEC_VERSION;
        register long a7 __asm__("a7") = SBI_EXT_BASE;
        __asm__ volatile("ecall" : "=r"(a0), "=r"(a1) : "r"(a6), "r"(a7) : "memory");
        bad += a0 != 0 || a1 != 2l << 24;
    }
    uint64_t t = rdtime() - t0;
    l2_sbi_bad += bad;
    return t;
}

static uint64_t l2_mmio_bad;

static uint64_t l2_op_mmio(uint64_t n)
{
    uint64_t bad = 0, t0 = rdtime();
    for (uint64_t i = 0; i < n; i++) {
        uint64_t v;
        /* lw v, 0(MMIO_GPA), always the 4-byte encoding */
        __asm__ volatile(".insn i 0x03, 2, %0, 0(%1)" : "=r"(v) : "r"(MMIO_GPA) : "memory");
        bad += v != VIRTIO_MAGIC;
    }
    uint64_t t = rdtime() - t0;
    l2_mmio_bad += bad;
    return t;
}

static uint64_t l2_op_timer(uint64_t n)
{
    csr_write(0x14d, ~0ull);                        /* stimecmp: never */
    csr_set(sie, SIE_STIE);
    csr_set(sstatus, SSTATUS_SIE);
    uint64_t t0 = rdtime();
    for (uint64_t i = 0; i < n; i++) {
        uint64_t want = l2_save[1] + 1;
        csr_write(0x14d, 0);                        /* in the past: pending now */
        while (l2_save[1] < want)
            ;
    }
    uint64_t t = rdtime() - t0;
    csr_clear(sstatus, SSTATUS_SIE);
    csr_clear(sie, SIE_STIE);
    return t;
}

static uint64_t l2_win_next;                       /* L2's cursor in the window */

static uint64_t l2_op_pagefault(uint64_t n)
{
    uint64_t p = l2_win_next, t0 = rdtime();
    for (uint64_t i = 0; i < n; i++) {
        *(volatile uint64_t *)(uintptr_t)(WIN_GPA + p * SZ_4K) = i;
        if (++p == WIN_PAGES)
            p = 0;
    }
    uint64_t t = rdtime() - t0;
    l2_win_next = p;
    return t;
}

static uint64_t l2_op_rdtime(uint64_t n)
{
    uint64_t t0 = rdtime();
    for (uint64_t i = 0; i < n; i++) {
        uint64_t v;
        __asm__ volatile("csrr %0, time" : "=r"(v));
    }
    return rdtime() - t0;
}

static uint64_t l2_op_rdcycle(uint64_t n)
{
    uint64_t t0 = rdtime();
    for (uint64_t i = 0; i < n; i++) {
        uint64_t v;
        __asm__ volatile("csrr %0, cycle" : "=r"(v));
    }
    return rdtime() - t0;
}

struct op {
    const char *name;
    uint64_t (*run)(uint64_t n);
};

static const struct op ops[] = {
    { "sbi", l2_op_sbi },
    { "mmio", l2_op_mmio },
    { "timer", l2_op_timer },
    { "pagefault", l2_op_pagefault },
    { "rdtime", l2_op_rdtime },
    { "rdcycle", l2_op_rdcycle },
};

/* ---- L1 ---- */

static int in_l2(const struct op *op, uint64_t n, uint64_t *ticks)
{
    csr_write(0x600, HSTATUS_VSXL_64 | HSTATUS_SPV | HSTATUS_SPVP);
    csr_set(sstatus, SSTATUS_SPP);                 /* sret to VS-mode */
    vs_run(op->run, n);
    csr_write(0x600, HSTATUS_VSXL_64);
    if (unexpected_cause) {
        print("bench_l2: FAIL: op %s: unexpected trap to L1: scause %x sepc %x stval %x htval %x\n",
              op->name, unexpected_cause, unexpected_epc, unexpected_tval, unexpected_htval);
        unexpected_cause = 0;
        failed = 1;
        return 0;
    }
    *ticks = l2_result;
    return 1;
}

static void l1_setup(void)
{
    csr_write(0x602, HEDELEG_KVM);                  /* hedeleg */
    csr_write(0x603, HIDELEG_VS);                   /* hideleg */
    csr_write(0x606, ~0ull);                        /* hcounteren: all counters */
    csr_write(0x605, 0);                            /* htimedelta */
    csr_write(0x645, 0);                            /* hvip */
    csr_write(0x604, 0);                            /* hie */
    csr_set(0x60a, HENVCFG_STCE);                   /* henvcfg.STCE: Sstc for VS */
    csr_write(0x280, 0);                            /* vsatp: Bare */
    csr_write(0x204, 0);                            /* vsie */
    csr_write(0x24d, ~0ull);                        /* vstimecmp: never */
    csr_clear(0x200, SSTATUS_SIE);                  /* vsstatus */
    csr_write(sscratch, (uint64_t)(uintptr_t)(hs_stack + 1024));
    csr_write(stvec, (uint64_t)(uintptr_t)hs_vector);
    l2_stack_top_addr = (uint64_t)(uintptr_t)(l2_stack + 2048);
}

int main(unsigned long hartid, unsigned long fdt)
{
    (void)hartid;
    const char *args = fdt_chosen_bootargs(fdt);
    unsigned long llen = 0;
    const char *list = bootarg_str(args, "ops", &llen);
    uint64_t n = bootarg(args, "iters", 20000), warmup = bootarg(args, "warmup", 1000);
    uint64_t ram_base = 0x80000000ull, ram_size = 128ull << 20;
    print("bench_l2: args \"%s\"\n", args);
    if (!fdt_memory(fdt, &ram_base, &ram_size))
        print("bench_l2: no /memory in the device tree; mapping 128 MiB\n");
    print("bench_l2: L1 RAM %x size %x; L2 in VS-mode, vsatp Bare, Sv39x4 G-stage (identity map)\n",
          ram_base, ram_size);
    print("bench_l2: ticks are L2's 'time' (QEMU virt 10 MHz: 1 tick = 100 ns)\n");
    if (list)                       /* every name in ops= must be an op */
        for (const char *p = list, *e = list + llen; p < e;) {
            const char *q = p;
            while (q < e && *q != ',')
                q++;
            int known = 0;
            for (unsigned i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
                known |= list_has(p, (unsigned long)(q - p), ops[i].name);   /* the one element p..q */
            if (!known) {
                print("bench_l2: FAIL: unknown op in ops=%s\n", list);
                failed = 1;
            }
            p = q + 1;
        }
    l1_setup();
    gstage_setup(ram_base, ram_size);
    nacl_setup(bootarg(args, "nacl", 1) != 0);
    print("bench_l2: L1 %s\n", nacl_shmem_pa ? "uses SBI nested acceleration (CSR space, HFENCE entries, SYNC_SRET)"
                                             : "traps for its H CSRs, HFENCEs and sret (no NACL)");
    int sstc = (csr_read(0x60a) & HENVCFG_STCE) != 0;
    for (unsigned i = 0; i < sizeof(ops) / sizeof(ops[0]) && !failed; i++) {
        const struct op *op = &ops[i];
        if (!list_has(list, llen, op->name))
            continue;
        if (op->run == l2_op_timer && !sstc) {
            fail("op timer: henvcfg.STCE does not stick (no Sstc)", csr_read(0x60a), 0, 0);
            break;
        }
        uint64_t ticks = 0;
        if (!in_l2(op, warmup, &ticks) || !in_l2(op, n, &ticks))
            break;
        print("bench_l2: op %s iters %d ticks %d\n", op->name, (long)n, (long)ticks);
    }
    print("bench_l2: L1 handled: sbi %d, mmio loads %d (decoded from htinst %d), window faults %d (resets %d); L2 timer interrupts %d\n",
          (long)sbi_calls, (long)mmio_reads, (long)mmio_htinst, (long)win_faults, (long)win_resets, (long)l2_save[1]);
    if (l2_sbi_bad)
        fail("L2 got a wrong SBI answer", l2_sbi_bad, 0, 0);
    if (l2_mmio_bad)
        fail("L2 read a wrong device value", l2_mmio_bad, mmio_reads, 0);
    if (l2_save[3])
        fail("unexpected traps in L2's own handler (count, last scause)", l2_save[3], l2_save[2], 0);
    print("bench_l2: done\n");
    shutdown();
    return 0;
}
