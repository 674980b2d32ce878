/* L1 SMP test: the SBI interface an SMP hypervisor uses across harts (HSM,
 * IPI, RFENCE), natively OpenSBI 1.5.1 (SBI 2.0) on QEMU virt.
 *
 * OpenSBI enters on one hart, the boot hart (any hart id: the firmware's
 * lottery picks it); the others wait STOPPED in HSM until hart_start. The
 * boot hart reads the harts from the device tree (/cpus/cpu@N reg), starts
 * each secondary at sec_entry with its own stacks and trap handling, and
 * drives it through a mailbox in shared memory (one command at a time,
 * release/acquire on the sequence numbers, every wait bounded in time).
 * Only the boot hart prints. Harts are named by their rank, not by hart id:
 * "boot", then "sec1".."secN-1" in increasing hart id, so that the output
 * does not depend on which hart booted.
 *
 * Checks (one "check NAME: values" line each, "FAIL: NAME" when the
 * expectation from the SBI 2.0 and privileged specifications is not met;
 * where the SBI specification leaves a choice, or where OpenSBI departs
 * from it (hart_mask bits naming harts that do not exist: SBI 2.0 says
 * SBI_ERR_INVALID_PARAM, OpenSBI 1.5.1 skips them and succeeds), the
 * expectation is what OpenSBI does, the reference, and the comment says so):
 *  - HSM: status of every hart, hart_start (entry state: a0 = hart id,
 *    a1 = opaque, satp = 0, sstatus.SIE = 0, S-mode), errors, hart_stop
 *    and restart, retentive and non-retentive suspend woken by an IPI;
 *  - HSM in rounds on every hart, the boot hart too (woken by sec1): every
 *    suspend type class (default retentive and non-retentive, reserved,
 *    platform specific, upper 32 bits set), with every register at each
 *    entry (pc, a0, a1, satp, sstatus, sie, stvec, sscratch, sip, hie,
 *    hvip, stimecmp) after L1 left its state dirty, every register but
 *    a0/a1 and those CSRs kept by a call that returns, and stop/start of
 *    each secondary with the same entry registers;
 *  - IPI: exact interrupt counts per hart for masks of one, several, all
 *    harts, hart_mask_base -1, self, invalid bases and mask bits;
 *  - RFENCE: every function, each followed by a check on the remote hart
 *    that its stale translation (or instruction) is gone: fence.i on
 *    rewritten code, SFENCE.VMA (all, range, ASID) on the remote's Sv39
 *    tables, HFENCE.GVMA (all, range, VMID) on its G-stage and HFENCE.VVMA
 *    (all, range, ASID) on its VS-stage tables through HLV.D;
 *  - FWFT per hart: a secondary turns PTE_AD_HW_UPDATING off for itself;
 *    its HLV.D through a G-stage leaf with A clear faults, the boot
 *    hart's sets A;
 *  - no unexpected trap on any hart.
 * Bootargs: verbose=1 also prints what is not deterministic (the HSM
 * states seen during transitions), on lines that are not "check" lines. */
#include "conf_lib.h"

#define MAXH 8

#define HSM_START 0
#define HSM_STOP 1
#define HSM_STATUS 2
#define HSM_SUSPEND 3
#define ST_STARTED 0
#define ST_STOPPED 1
#define ST_SUSPENDED 4
#define SUSP_RET 0l
#define SUSP_NONRET 0x80000000l

#define FID_FENCE_I 0
#define FID_SFENCE_VMA 1
#define FID_SFENCE_VMA_ASID 2
#define FID_HFENCE_GVMA_VMID 3
#define FID_HFENCE_GVMA 4
#define FID_HFENCE_VVMA_ASID 5
#define FID_HFENCE_VVMA 6

#define FWFT_SET 0
#define FWFT_GET 1
#define FWFT_PTE_AD_HW_UPDATING 4
#define EXC_LOAD_GUEST_PAGE_FAULT 21

#define SIE_SIE 2ull                 /* sstatus.SIE */
#define SSIP 2ull                    /* sip/sie bit 1 */
#define HSTATUS_SPVP (1ull << 8)

/* Test addresses. */
#define VA_T 0x2000000000ull         /* the remote's Sv39 test page */
#define GPA_T 0x100000000ull         /* guest-physical test page (G-stage leaf edited) */
#define GVA_G 0x2000000000ull        /* guest VA -> GPA_T */
#define GVA_V 0x2000001000ull        /* guest VA -> page E/F (VS-stage leaf edited) */
#define ASID 7
#define VMID 3

/* ---- shared state ---- */

enum { C_NONE, C_PING, C_IRQ, C_STOP, C_SUSPEND, C_CALL, C_SATP, C_LOAD, C_HSETUP, C_HLV, C_HCLEAR, C_FWFT_AD,
       C_DIRTY, C_WAKE_BOOT };

/* One secondary hart: what it saw at each entry, its mailbox, counters.
 * Written by the secondary but for cmd/arg (and done_seq while it is
 * stopped), read by the boot hart. */
struct slot {
    uint64_t hartid;
    uint64_t entries;                /* release-stored after the e_* fields */
    uint64_t e_a0, e_a1, e_satp, e_sstatus, e_kind, e_csr_ok, e_ssip;
    uint64_t cmd_seq, cmd, arg[3];
    uint64_t done_seq, res[3];
    uint64_t ssi;                    /* supervisor software interrupts taken */
    uint64_t armed, fault_cause, faults;
    uint64_t unexpected, unexpected_cause, unexpected_epc;
    uint64_t nonret_pending, resume_ssip;
    uint64_t regs[64];               /* hsm_susp_asm's registers */
    uint64_t csr_changed;            /* S/H CSRs changed across a suspend that returned */
} __attribute__((aligned(128)));

static volatile struct slot slots[MAXH];        /* by rank; slot 0 unused (boot) */
static volatile uint64_t rank_of_hart[MAXH];
static uint64_t hart_ids[MAXH];                  /* by rank */
static int nharts, ids_ok;
static uint64_t timebase = 10000000;
static int verbose;
static int dead[MAXH];

/* Per hart (by hart id): C stack (sec_entry) and trap stack whose top
 * dword holds the C handler (conf_trap_entry, sscratch). */
uint8_t sec_stack[MAXH][16384] __attribute__((aligned(16)));
static uint64_t sec_tstack[MAXH][1026] __attribute__((aligned(16)));
extern char conf_trap_entry[];

/* Remote fence.i code, Sv39/G/VS test pages. */
static uint32_t code_buf[MAXH][1024] __attribute__((aligned(4096)));
static uint64_t data_pages[MAXH][6][512] __attribute__((aligned(4096)));
enum { PG_A, PG_B, PG_C, PG_D, PG_E, PG_F };
static uint64_t page_val(int k, int p)
{
    return 0xa000ull + 0x1000ull * (uint64_t)p + (uint64_t)k;
}

/* ---- secondary harts ---- */

extern char sec_entry[], sec_resume[], sec_resume2[], boot_resume[];

/* What a hart finds at each entry from the firmware (hart start, a
 * non-retentive resume), by hart id, stored before anything runs (ENT_*). */
enum { ENT_KIND, ENT_A0, ENT_A1, ENT_SATP, ENT_SSTATUS, ENT_SIE, ENT_STVEC, ENT_SSCRATCH, ENT_SIP, ENT_HIE,
       ENT_HVIP, ENT_STIMECMP, ENT_N = 16 };
volatile uint64_t sec_ent[MAXH][ENT_N] __attribute__((aligned(128)));
/* The boot hart's context for a non-retentive resume at boot_resume. */
uint64_t boot_ctx[4];
#define BOOT_RESUMED 0x52l            /* hsm_susp_asm's a0 after boot_resume */

/* struct sbiret hsm_susp_asm(type, resume_addr, opaque, regs[64], ctx):
 * HSM suspend with every other register set to a known value: regs[0..31]
 * are x0..x31 right before the ecall, regs[32..63] right after it (when
 * it returns). ctx (boot hart only, else 0) keeps sp, stvec and sscratch
 * for boot_resume, which returns from here with a0 = BOOT_RESUMED. */
struct sbiret hsm_susp_asm(long type, uint64_t raddr, uint64_t opaque, volatile uint64_t *regs, uint64_t *ctx);
__asm__(
    ".section .text\n"
    ".align 4\n"
    ".globl sec_entry\n"
    ".globl sec_resume\n"
    ".globl sec_resume2\n"
    ".globl boot_resume\n"
    ".globl hsm_susp_asm\n"
    /* hart_start: S-mode, a0 = hart id, a1 = opaque */
    "sec_entry:\n"
    "  li a4, 0\n"
    "  j 1f\n"
    /* non-retentive suspend resume: the same registers */
    "sec_resume:\n"
    "  li a4, 1\n"
    "  j 1f\n"
    "sec_resume2:\n"
    "  li a4, 2\n"
    "  j 1f\n"
    "boot_resume:\n"
    "  li a4, 3\n"
    "1:\n"
    "  li t0, 8\n"
    "  bgeu a0, t0, 2f\n"
    "  la t1, sec_ent\n"
    "  slli t0, a0, 7\n"
    "  add t1, t1, t0\n"
    "  sd a4, 0(t1)\n"
    "  sd a0, 8(t1)\n"
    "  sd a1, 16(t1)\n"
    "  csrr t0, satp\n  sd t0, 24(t1)\n"
    "  csrr t0, sstatus\n  sd t0, 32(t1)\n"
    "  csrr t0, sie\n  sd t0, 40(t1)\n"
    "  csrr t0, stvec\n  sd t0, 48(t1)\n"
    "  csrr t0, sscratch\n  sd t0, 56(t1)\n"
    "  csrr t0, sip\n  sd t0, 64(t1)\n"
    "  csrr t0, 0x604\n  sd t0, 72(t1)\n"
    "  csrr t0, 0x645\n  sd t0, 80(t1)\n"
    "  csrr t0, 0x14d\n  sd t0, 88(t1)\n"
    "  li t0, 3\n"
    "  beq a4, t0, 3f\n"
    "  csrr a2, satp\n"
    "  csrr a3, sstatus\n"
    "  la sp, sec_stack\n"
    "  addi t0, a0, 1\n"
    "  slli t0, t0, 14\n"
    "  add sp, sp, t0\n"
    "  call sec_main\n"
    "2:\n"
    "  wfi\n"
    "  j 2b\n"
    /* the boot hart resumed: back into hsm_susp_asm's caller */
    "3:\n"
    "  la t0, boot_ctx\n"
    "  ld sp, 0(t0)\n"
    "  ld t1, 8(t0)\n"
    "  csrw stvec, t1\n"
    "  ld t1, 16(t0)\n"
    "  csrw sscratch, t1\n"
    "  li a0, 0x52\n"
    "  li a1, 0\n"
    "  j 5f\n"
    "hsm_susp_asm:\n"
    "  addi sp, sp, -112\n"
    "  sd ra, 0(sp)\n  sd s0, 8(sp)\n  sd s1, 16(sp)\n  sd s2, 24(sp)\n  sd s3, 32(sp)\n"
    "  sd s4, 40(sp)\n  sd s5, 48(sp)\n  sd s6, 56(sp)\n  sd s7, 64(sp)\n  sd s8, 72(sp)\n"
    "  sd s9, 80(sp)\n  sd s10, 88(sp)\n  sd s11, 96(sp)\n"
    "  mv s0, a3\n"
    "  beqz a4, 4f\n"
    "  sd sp, 0(a4)\n"
    "  csrr t0, stvec\n  sd t0, 8(a4)\n"
    "  csrr t0, sscratch\n  sd t0, 16(a4)\n"
    "4:\n"
    "  li t0, 0x5005\n  li t1, 0x5006\n  li t2, 0x5007\n"
    "  li s1, 0x5009\n  li a3, 0x500d\n  li a4, 0x500e\n  li a5, 0x500f\n"
    "  li s2, 0x5012\n  li s3, 0x5013\n  li s4, 0x5014\n  li s5, 0x5015\n  li s6, 0x5016\n"
    "  li s7, 0x5017\n  li s8, 0x5018\n  li s9, 0x5019\n  li s10, 0x501a\n  li s11, 0x501b\n"
    "  li t3, 0x501c\n  li t4, 0x501d\n  li t5, 0x501e\n  li t6, 0x501f\n"
    "  li a6, 3\n"
    "  li a7, 0x48534D\n"
    "  sd x1, 8(s0)\n  sd x2, 16(s0)\n  sd x3, 24(s0)\n  sd x4, 32(s0)\n  sd x5, 40(s0)\n"
    "  sd x6, 48(s0)\n  sd x7, 56(s0)\n  sd x8, 64(s0)\n  sd x9, 72(s0)\n  sd x10, 80(s0)\n"
    "  sd x11, 88(s0)\n  sd x12, 96(s0)\n  sd x13, 104(s0)\n  sd x14, 112(s0)\n  sd x15, 120(s0)\n"
    "  sd x16, 128(s0)\n  sd x17, 136(s0)\n  sd x18, 144(s0)\n  sd x19, 152(s0)\n  sd x20, 160(s0)\n"
    "  sd x21, 168(s0)\n  sd x22, 176(s0)\n  sd x23, 184(s0)\n  sd x24, 192(s0)\n  sd x25, 200(s0)\n"
    "  sd x26, 208(s0)\n  sd x27, 216(s0)\n  sd x28, 224(s0)\n  sd x29, 232(s0)\n  sd x30, 240(s0)\n"
    "  sd x31, 248(s0)\n"
    "  ecall\n"
    "  sd x1, 264(s0)\n  sd x2, 272(s0)\n  sd x3, 280(s0)\n  sd x4, 288(s0)\n  sd x5, 296(s0)\n"
    "  sd x6, 304(s0)\n  sd x7, 312(s0)\n  sd x8, 320(s0)\n  sd x9, 328(s0)\n  sd x10, 336(s0)\n"
    "  sd x11, 344(s0)\n  sd x12, 352(s0)\n  sd x13, 360(s0)\n  sd x14, 368(s0)\n  sd x15, 376(s0)\n"
    "  sd x16, 384(s0)\n  sd x17, 392(s0)\n  sd x18, 400(s0)\n  sd x19, 408(s0)\n  sd x20, 416(s0)\n"
    "  sd x21, 424(s0)\n  sd x22, 432(s0)\n  sd x23, 440(s0)\n  sd x24, 448(s0)\n  sd x25, 456(s0)\n"
    "  sd x26, 464(s0)\n  sd x27, 472(s0)\n  sd x28, 480(s0)\n  sd x29, 488(s0)\n  sd x30, 496(s0)\n"
    "  sd x31, 504(s0)\n"
    "5:\n"
    "  ld ra, 0(sp)\n  ld s0, 8(sp)\n  ld s1, 16(sp)\n  ld s2, 24(sp)\n  ld s3, 32(sp)\n"
    "  ld s4, 40(sp)\n  ld s5, 48(sp)\n  ld s6, 56(sp)\n  ld s7, 64(sp)\n  ld s8, 72(sp)\n"
    "  ld s9, 80(sp)\n  ld s10, 88(sp)\n  ld s11, 96(sp)\n"
    "  addi sp, sp, 112\n"
    "  ret\n");

/* Every register but a0/a1 kept across a suspend call that returned. */
static int regs_kept(volatile const uint64_t *r)
{
    for (int i = 1; i < 32; i++)
        if (i != 10 && i != 11 && r[i] != r[32 + i])
            return 0;
    return 1;
}

static uint64_t now(void)
{
    return csr_read(time);
}

static uint64_t ms(uint64_t n)
{
    return timebase / 1000 * n;
}

static volatile struct slot *my_slot_from_frame(uint64_t *f)
{
    uint64_t row = ((uint64_t)(uintptr_t)f - (uint64_t)(uintptr_t)sec_tstack) / sizeof(sec_tstack[0]);
    return &slots[rank_of_hart[row]];
}

/* Secondary trap handler (conf_trap_entry with this hart's trap stack):
 * counts SSIs, records the exception of an armed access and skips it. */
void sec_trap(uint64_t *f)
{
    volatile struct slot *s = my_slot_from_frame(f);
    uint64_t cause = csr_read(scause);
    if ((int64_t)cause < 0) {
        if ((cause & 63) == 1) {
            csr_clear(sip, SSIP);
            s->ssi++;
        } else {
            csr_clear(sie, 1ull << (cause & 63));
            s->unexpected++;
            s->unexpected_cause = cause;
        }
        return;
    }
    uint64_t epc = csr_read(sepc);
    if (s->armed) {
        s->armed = 0;
        s->fault_cause = cause;
        s->faults++;
    } else {
        s->unexpected++;
        s->unexpected_cause = cause;
        s->unexpected_epc = epc;
    }
    if (cause == 1 || cause == 12 || cause == 20) {
        csr_write(sepc, f[1]);                   /* fetch fault: back to the caller */
        return;
    }
    unsigned len = (*(volatile uint16_t *)(uintptr_t)epc & 3) == 3 ? 4 : 2;
    csr_write(sepc, epc + len);
}

#define NO_FAULT (~0ull)

static uint64_t armed_load(volatile struct slot *s, uint64_t va)
{
    uint64_t v = 0x5e5e5e5e5e5e5e5eull;
    uint64_t f0 = s->faults;
    s->armed = 1;
    __asm__ volatile(".option push\n.option norvc\nld %0, 0(%1)\n.option pop" : "+r"(v) : "r"(va) : "memory");
    s->armed = 0;
    s->res[1] = s->faults != f0 ? s->fault_cause : NO_FAULT;
    return v;
}

static uint64_t armed_hlv_d(volatile struct slot *s, uint64_t va)
{
    uint64_t v = 0x5e5e5e5e5e5e5e5eull;
    uint64_t f0 = s->faults;
    s->armed = 1;
    __asm__ volatile(".insn r 0x73, 4, 0x36, %0, %1, x0" : "+r"(v) : "r"(va) : "memory");
    s->armed = 0;
    s->res[1] = s->faults != f0 ? s->fault_cause : NO_FAULT;
    return v;
}

static void hfence_all(void)
{
    __asm__ volatile(".insn r 0x73, 0, 0x31, x0, x0, x0\n"      /* hfence.gvma */
                     ".insn r 0x73, 0, 0x11, x0, x0, x0" ::: "memory"); /* hfence.vvma */
}

/* The S and H CSRs a retentive suspend keeps (sip without SSIP, which
 * the waking IPI sets). */
#define SUSP_CSRS 9
static void susp_csrs(uint64_t *c)
{
    c[0] = csr_read(sstatus);
    c[1] = csr_read(sie);
    c[2] = csr_read(stvec);
    c[3] = csr_read(sscratch);
    c[4] = csr_read(satp);
    c[5] = csr_read(sip) & ~SSIP;
    c[6] = csr_read(0x604);          /* hie */
    c[7] = csr_read(0x645) & ~SSIP;  /* hvip (QEMU shows sip.SSIP there) */
    c[8] = csr_read(0x14d);          /* stimecmp */
}

/* Which of them differ (bit i: c[i]). */
static uint64_t susp_csrs_changed(const uint64_t *c0, const uint64_t *c1)
{
    uint64_t m = 0;
    for (int i = 0; i < SUSP_CSRS; i++)
        m |= (uint64_t)(c0[i] != c1[i]) << i;
    return m;
}

static volatile uint64_t boot_back;  /* the boot hart's suspend call is over */

#define SST_SPIE (1ull << 5)
#define SST_SPP (1ull << 8)
#define SST_SUM (1ull << 18)
#define SST_MXR (1ull << 19)
#define DIRTY_SSTATUS (SST_SPIE | SST_SPP | SST_SUM | SST_MXR)
#define DIRTY_HIE 0x1040ull          /* VSTIE, SGEIE (nothing pending there) */
#define DIRTY_HVIP 0x404ull          /* VSSIP, VSEIP (not enabled in hie) */
#define DIRTY_STIMECMP 0x7fffffffffff0000ull

/* State an L1 leaves before a stop or a suspend that OpenSBI's warm boot
 * (mstatus, mie, mip rewritten) changes natively: sstatus bits, hie,
 * hvip.VSSIP, and a far stimecmp. */
static void dirty_state(void)
{
    csr_set(sstatus, DIRTY_SSTATUS);
    csr_write(0x604, DIRTY_HIE);
    csr_write(0x645, DIRTY_HVIP);
    csr_write(0x14d, DIRTY_STIMECMP);
}

static void clean_state(void)
{
    csr_clear(sstatus, DIRTY_SSTATUS);
    csr_write(0x604, 0);
    csr_write(0x645, 0);
}

static void sec_exec(volatile struct slot *s)
{
    uint64_t a0 = s->arg[0], a1 = s->arg[1];
    struct sbiret r;
    switch (s->cmd) {
    case C_PING:
        s->res[0] = s->ssi;
        break;
    case C_IRQ:                          /* take SSIs (a0 = 1) or not */
        if (a0) {
            csr_set(sie, SSIP);
            csr_set(sstatus, SIE_SIE);
        } else {
            csr_clear(sstatus, SIE_SIE);
            csr_clear(sie, SSIP);
        }
        break;
    case C_STOP:                         /* returns only on an error */
        r = sbi6(SBI_EXT_HSM, HSM_STOP, 0, 0, 0, 0, 0, 0);
        s->res[0] = (uint64_t)r.error;
        break;
    case C_SUSPEND: {                    /* a0 = type, a1 = opaque, arg[2] = resume address or 0 */
        uint64_t sie0 = csr_read(sie), sstatus0 = csr_read(sstatus) & SIE_SIE;
        uint64_t raddr = s->arg[2] ? s->arg[2] : (uint64_t)(uintptr_t)sec_resume;
        csr_clear(sstatus, SIE_SIE);
        csr_set(sie, SSIP);              /* the IPI wakes the hart, not taken */
        uint64_t c0[SUSP_CSRS], c1[SUSP_CSRS];
        susp_csrs(c0);
        s->nonret_pending = 1;
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        r = hsm_susp_asm((long)a0, raddr, a1, s->regs, 0);
        s->nonret_pending = 0;
        susp_csrs(c1);
        s->csr_changed = susp_csrs_changed(c0, c1);
        /* A suspend that happened: the waking IPI leaves sip.SSIP pending
         * (SIE=0): wait for it. */
        uint64_t t0 = now();
        while (r.error == 0 && !(csr_read(sip) & SSIP) && now() - t0 < ms(1000))
            ;
        s->res[1] = (csr_read(sip) & SSIP) ? 1 : 0;
        csr_clear(sip, SSIP);
        s->res[0] = (uint64_t)r.error;
        s->res[2] = 0;                   /* returned, not resumed */
        csr_write(sie, sie0);
        if (sstatus0)
            csr_set(sstatus, SIE_SIE);
        break;
    }
    case C_DIRTY:                        /* S/H state the firmware's warm boot resets natively */
        dirty_state();
        break;
    case C_WAKE_BOOT: {                  /* IPI the boot hart (id a0) once it is suspended */
        uint64_t t0 = now();             /* (a1 = 0: once its call has not returned in 3 s) */
        long st = -100;
        while (!__atomic_load_n(&boot_back, __ATOMIC_ACQUIRE) && now() - t0 < ms(3000)) {
            if (!a1)
                continue;
            r = sbi6(SBI_EXT_HSM, HSM_STATUS, (long)a0, 0, 0, 0, 0, 0);
            st = r.error ? r.error : r.value;
            if (st == ST_SUSPENDED)
                break;
        }
        if (!a1 && !__atomic_load_n(&boot_back, __ATOMIC_ACQUIRE))
            st = ST_SUSPENDED;
        s->res[0] = st == ST_SUSPENDED;
        if (st == ST_SUSPENDED) {
            __atomic_thread_fence(__ATOMIC_SEQ_CST);
            sbi6(SBI_EXT_IPI, 0, 1, (long)a0, 0, 0, 0, 0);
        }
        break;
    }
    case C_CALL:
        s->res[0] = ((uint64_t(*)(void))(uintptr_t)a0)();
        break;
    case C_SATP:
        __asm__ volatile("csrw satp, %0\n sfence.vma" :: "r"(a0) : "memory");
        s->res[0] = csr_read(satp);
        break;
    case C_LOAD:
        s->res[0] = armed_load(s, a0);
        break;
    case C_HSETUP:
        csr_write(0x680, a0);
        csr_write(0x280, a1);
        csr_set(0x600, HSTATUS_SPVP);
        hfence_all();
        s->res[0] = csr_read(0x680);
        s->res[1] = csr_read(0x280);
        s->res[2] = (csr_read(0x600) & HSTATUS_SPVP) ? 1 : 0;
        break;
    case C_HLV:
        s->res[0] = armed_hlv_d(s, a0);
        break;
    case C_HCLEAR:
        csr_write(0x680, 0);
        csr_write(0x280, 0);
        csr_clear(0x600, HSTATUS_SPVP);
        hfence_all();
        break;
    case C_FWFT_AD:                      /* this hart's PTE_AD_HW_UPDATING = a0 */
        r = sbi6(SBI_EXT_FWFT, FWFT_SET, FWFT_PTE_AD_HW_UPDATING, (long)a0, 0, 0, 0, 0);
        s->res[0] = (uint64_t)r.error;
        s->res[1] = (uint64_t)sbi6(SBI_EXT_FWFT, FWFT_GET, FWFT_PTE_AD_HW_UPDATING, 0, 0, 0, 0, 0).value;
        break;
    default:
        break;
    }
}

/* Entered from sec_entry/sec_resume on this hart's own stack. */
void sec_main(uint64_t hartid, uint64_t opaque, uint64_t satp, uint64_t sstatus, uint64_t kind);
void sec_main(uint64_t hartid, uint64_t opaque, uint64_t satp, uint64_t sstatus, uint64_t kind)
{
    volatile struct slot *s = &slots[rank_of_hart[hartid]];
    sec_tstack[hartid][1024] = (uint64_t)(uintptr_t)sec_trap;
    csr_write(sscratch, (uint64_t)(uintptr_t)&sec_tstack[hartid][1024]);
    csr_write(stvec, (uint64_t)(uintptr_t)conf_trap_entry);
    uint64_t ssip = (csr_read(sip) & SSIP) ? 1 : 0;
    csr_write(sie, 0);
    /* S-mode: sstatus and hstatus (HS only) read without a trap. */
    uint64_t f0 = s->faults;
    s->armed = 1;
    (void)csr_read(sstatus);
    s->armed = 1;
    (void)csr_read(0x600);
    s->armed = 0;
    s->e_csr_ok = s->faults == f0;
    s->e_a0 = hartid;
    s->e_a1 = opaque;
    s->e_satp = satp;
    s->e_sstatus = sstatus;
    s->e_kind = kind;
    s->e_ssip = ssip;
    if (kind != 0 && s->nonret_pending) {
        /* Resumed from a non-retentive suspend: the waking IPI's SSIP. */
        s->nonret_pending = 0;
        uint64_t t0 = now();
        while (!(csr_read(sip) & SSIP) && now() - t0 < ms(1000))
            ;
        s->resume_ssip = (csr_read(sip) & SSIP) ? 1 : 0;
        csr_clear(sip, SSIP);
        s->res[0] = 0;
        s->res[1] = s->resume_ssip;
        s->res[2] = kind;                /* resumed (at sec_resume: 1, sec_resume2: 2) */
        __atomic_store_n(&s->entries, s->entries + 1, __ATOMIC_RELEASE);
        __atomic_store_n(&s->done_seq, s->cmd_seq, __ATOMIC_RELEASE);
    } else {
        __atomic_store_n(&s->entries, s->entries + 1, __ATOMIC_RELEASE);
    }
    uint64_t seen = __atomic_load_n(&s->done_seq, __ATOMIC_ACQUIRE);
    for (;;) {
        uint64_t seq = __atomic_load_n(&s->cmd_seq, __ATOMIC_ACQUIRE);
        if (seq == seen)
            continue;
        seen = seq;
        sec_exec(s);
        __atomic_store_n(&s->done_seq, seq, __ATOMIC_RELEASE);
    }
}

/* ---- boot hart: mailbox ---- */

static void post3(int k, uint64_t cmd, uint64_t a0, uint64_t a1, uint64_t a2)
{
    volatile struct slot *s = &slots[k];
    s->cmd = cmd;
    s->arg[0] = a0;
    s->arg[1] = a1;
    s->arg[2] = a2;
    s->res[0] = s->res[1] = s->res[2] = 0x5e5e5e5e5e5e5e5eull;
    __atomic_store_n(&s->cmd_seq, s->cmd_seq + 1, __ATOMIC_RELEASE);
}

static void post(int k, uint64_t cmd, uint64_t a0, uint64_t a1)
{
    post3(k, cmd, a0, a1, 0);
}

static int done(int k)
{
    return __atomic_load_n(&slots[k].done_seq, __ATOMIC_ACQUIRE) == slots[k].cmd_seq;
}

static int wait_done(int k, uint64_t bound_ms)
{
    if (dead[k])
        return 0;
    uint64_t t0 = now();
    while (!done(k))
        if (now() - t0 > ms(bound_ms)) {
            dead[k] = 1;
            cprintf("smp: sec%d does not answer command %d\n", (long)k, (long)slots[k].cmd);
            return 0;
        }
    return 1;
}

/* Run one command on secondary k and wait for it (results in res[]). */
static int run(int k, uint64_t cmd, uint64_t a0, uint64_t a1)
{
    if (dead[k]) {
        slots[k].res[0] = slots[k].res[1] = slots[k].res[2] = 0x5e5e5e5e5e5e5e5eull;
        return 0;
    }
    post(k, cmd, a0, a1);
    return wait_done(k, 10000);
}

static uint64_t ssi_of(int k)
{
    return k == 0 ? irq_counts[1] : __atomic_load_n(&slots[k].ssi, __ATOMIC_ACQUIRE);
}

/* Every live secondary answers once: everything sent before has landed. */
static void barrier(void)
{
    for (int k = 1; k < nharts; k++)
        run(k, C_PING, 0, 0);
}

/* ---- boot hart: output helpers ---- */

static char nbuf[96];
static const char *nm(const char *a, int k, const char *b)
{
    unsigned n = 0;
    while (*a && n < sizeof(nbuf) - 8)
        nbuf[n++] = *a++;
    if (k >= 0) {
        const char *r = k == 0 ? ".boot" : ".sec";
        while (*r)
            nbuf[n++] = *r++;
        if (k > 0)
            nbuf[n++] = (char)('0' + k);
    }
    while (b && *b && n < sizeof(nbuf) - 1)
        nbuf[n++] = *b++;
    nbuf[n] = 0;
    return nbuf;
}

static char sbuf[512];
static unsigned sn;
static void sb_reset(void)
{
    sn = 0;
    sbuf[0] = 0;
}
static void sb_s(const char *s)
{
    while (*s && sn < sizeof(sbuf) - 1)
        sbuf[sn++] = *s++;
    sbuf[sn] = 0;
}
static void sb_d(long v)
{
    char b[24];
    int n = 0;
    unsigned long u = v < 0 ? -(unsigned long)v : (unsigned long)v;
    do b[n++] = (char)('0' + u % 10); while (u /= 10);
    if (v < 0)
        sb_s("-");
    while (n) {
        char c[2] = { b[--n], 0 };
        sb_s(c);
    }
}
static void sb_x(uint64_t v)
{
    char b[20];
    int n = 0;
    do b[n++] = "0123456789abcdef"[v & 15]; while (v >>= 4);
    sb_s("0x");
    while (n) {
        char c[2] = { b[--n], 0 };
        sb_s(c);
    }
}
/* ", NAME V" (decimal) and ", NAME 0xV" */
static void sb_kd(const char *name, long v)
{
    sb_s(", ");
    sb_s(name);
    sb_s(" ");
    sb_d(v);
}
static void sb_kx(const char *name, uint64_t v)
{
    sb_s(", ");
    sb_s(name);
    sb_s(" ");
    sb_x(v);
}
static void sb_rank(int k)
{
    if (k == 0)
        sb_s("boot");
    else {
        sb_s("sec");
        sb_d(k);
    }
}

/* ---- boot hart: SBI ---- */

static struct sbiret hsm(long fid, long a0, long a1, long a2)
{
    return sbi6(SBI_EXT_HSM, fid, a0, a1, a2, 0, 0, 0);
}

/* HSM state of a hart, or the (negative) error. */
static long status_of(uint64_t id)
{
    struct sbiret r = hsm(HSM_STATUS, (long)id, 0, 0);
    return r.error ? r.error : r.value;
}

/* Poll a hart's state until it is `want` (bounded); returns the last
 * state, and in `trace` the distinct states seen (verbose output). */
static char trace[128];
static long poll_status(uint64_t id, long want, uint64_t bound_ms)
{
    unsigned n = 0;
    long last = -100, st;
    uint64_t t0 = now();
    for (;;) {
        st = status_of(id);
        if (st != last && n < sizeof(trace) - 4) {
            if (n)
                trace[n++] = ',';
            if (st < 0)
                trace[n++] = '-', trace[n++] = (char)('0' - st);
            else
                trace[n++] = (char)('0' + st);
            last = st;
        }
        if (st == want || now() - t0 > ms(bound_ms))
            break;
    }
    trace[n] = 0;
    return st;
}

static struct sbiret send_ipi(long mask, long base)
{
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    return sbi6(SBI_EXT_IPI, 0, mask, base, 0, 0, 0, 0);
}

static struct sbiret rfence(long fid, long mask, long base, long start, long size, long id)
{
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    return sbi6(SBI_EXT_RFENCE, fid, mask, base, start, size, id, 0);
}

/* ---- device tree: the harts ---- */


/* ---- page tables ---- */

static uint64_t pt_pool_smp[224][512] __attribute__((aligned(16384)));
static unsigned pt_next;

static uint64_t *pt_get(unsigned n)
{
    pt_next = (pt_next + n - 1) / n * n;
    if (pt_next + n > ARRAY_SIZE(pt_pool_smp)) {
        cprintf("smp: page-table pool exhausted\n");
        shutdown();
    }
    uint64_t *t = pt_pool_smp[pt_next];
    pt_next += n;
    for (unsigned i = 0; i < 512 * n; i++)
        t[i] = 0;
    return t;
}

#define PTE(pa, f) ((((uint64_t)(pa)) >> 12 << 10) | (f))
#define PA(p) ((uint64_t)(uintptr_t)(p))

static unsigned vpn(uint64_t va, int level, int x4)
{
    return level == 2 ? (unsigned)((va >> 30) & (x4 ? 0x7ff : 0x1ff)) : (unsigned)((va >> (12 + 9 * level)) & 0x1ff);
}

/* The PTE of va at level (0: 4 KiB, 2: 1 GiB); x4: Sv39x4 root. */
static uint64_t *pte_at(uint64_t *root, uint64_t va, int level, int x4)
{
    uint64_t *t = root;
    for (int l = 2; l > level; l--) {
        uint64_t *e = &t[vpn(va, l, x4)];
        if (!(*e & PTE_V))
            *e = PTE(PA(pt_get(1)), PTE_V);
        t = (uint64_t *)(uintptr_t)(*e >> 10 << 12);
    }
    return &t[vpn(va, level, x4)];
}

static void set_pte(uint64_t *pte, uint64_t v)
{
    *(volatile uint64_t *)pte = v;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
}

/* ---- checks ---- */

static void check_dt(uint64_t boot_id)
{
    int contiguous = dt_nharts >= 1 && dt_nharts <= MAXH;
    for (int i = 0; i < dt_nharts && contiguous; i++) {
        int found = 0;
        for (int j = 0; j < dt_nharts; j++)
            found += dt_hart_ids[j] == (uint64_t)i;
        contiguous = found == 1;
    }
    int boot_in = 0;
    for (int i = 0; i < dt_nharts; i++)
        boot_in |= dt_hart_ids[i] == boot_id;
    ids_ok = contiguous && boot_in && !dt_harts_disabled;
    check("dt.harts", ids_ok && dt_nharts >= 2,
          "%d harts, hart ids 0..%d %d, boot hart among them %d, disabled %d", (long)dt_nharts,
          (long)dt_nharts - 1, (long)contiguous, (long)boot_in, (long)dt_harts_disabled);
    /* ranks: boot first, then the others by increasing id */
    nharts = 0;
    hart_ids[nharts++] = boot_id;
    for (uint64_t id = 0; id < MAXH && ids_ok; id++)
        if (id != boot_id && id < (uint64_t)dt_nharts)
            hart_ids[nharts++] = id;
    for (int k = 0; k < nharts; k++) {
        rank_of_hart[hart_ids[k]] = (uint64_t)k;
        slots[k].hartid = hart_ids[k];
    }
}

static void test_hsm_status(void)
{
    for (int k = 0; k < nharts; k++) {
        struct sbiret r = hsm(HSM_STATUS, (long)hart_ids[k], 0, 0);
        long want = k == 0 ? ST_STARTED : ST_STOPPED;
        check(nm("hsm.status", k, 0), r.error == 0 && r.value == want, "err %d value %d", r.error, r.value);
    }
    /* the first hart id past the last, and -1: not harts */
    struct sbiret r = hsm(HSM_STATUS, nharts, 0, 0);
    check("hsm.status.past-last", r.error == SBI_ERR_INVALID_PARAM, "err %d", r.error);
    r = hsm(HSM_STATUS, -1, 0, 0);
    check("hsm.status.minus1", r.error == SBI_ERR_INVALID_PARAM, "err %d", r.error);
}

static uint64_t opaque_of(int k, int n)
{
    return 0x0badc0de00000000ull + ((uint64_t)n << 8) + (uint64_t)k;
}

/* hart_start of secondary k and what it finds on entry. */
static void start_sec(int k, const char *what, int n)
{
    volatile struct slot *s = &slots[k];
    uint64_t e0 = s->entries, op = opaque_of(k, n);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    struct sbiret r = hsm(HSM_START, (long)hart_ids[k], (long)(uintptr_t)sec_entry, (long)op);
    long st_now = status_of(hart_ids[k]);
    uint64_t t0 = now();
    while (__atomic_load_n(&s->entries, __ATOMIC_ACQUIRE) == e0 && now() - t0 < ms(10000))
        ;
    int entered = __atomic_load_n(&s->entries, __ATOMIC_ACQUIRE) == e0 + 1;
    if (!entered)
        dead[k] = 1;
    long st = status_of(hart_ids[k]);
    if (verbose)
        cprintf("smp: verbose: sec%d %s: status right after hart_start %d\n", (long)k, what, st_now);
    check(nm(what, k, 0),
          r.error == 0 && entered && s->e_kind == 0 && s->e_a0 == hart_ids[k] && s->e_a1 == op && s->e_satp == 0
              && !(s->e_sstatus & SIE_SIE) && s->e_csr_ok && !s->e_ssip && st == ST_STARTED,
          "err %d, entered %d, a0 is the hart id %d, a1 %x, satp %x, sstatus.SIE %d, "
          "sstatus/hstatus readable %d, sip.SSIP %d, status %d",
          r.error, (long)entered, (long)(s->e_a0 == hart_ids[k]), s->e_a1, s->e_satp,
          (long)((s->e_sstatus >> 1) & 1), (long)s->e_csr_ok, (long)s->e_ssip, st);
}

/* hart_stop on secondary k; the boot hart polls until STOPPED. */
static void stop_sec(int k, const char *what)
{
    volatile struct slot *s = &slots[k];
    if (dead[k]) {
        check(nm(what, k, 0), 0, "not running");
        return;
    }
    uint64_t e0 = s->entries;
    post(k, C_STOP, 0, 0);
    long st = poll_status(hart_ids[k], ST_STOPPED, 10000);
    if (verbose)
        cprintf("smp: verbose: sec%d %s: states seen %s\n", (long)k, what, trace);
    int returned = done(k);
    if (!returned)
        __atomic_store_n(&s->done_seq, s->cmd_seq, __ATOMIC_RELEASE);   /* completed for it */
    else
        dead[k] = 1;
    check(nm(what, k, 0), st == ST_STOPPED && !returned && s->entries == e0,
          "status %d, hart_stop returned %d (err %d)", st, (long)returned, returned ? (long)s->res[0] : 0l);
}

static void test_hsm_start_stop(void)
{
    for (int k = 1; k < nharts; k++) {
        /* a start address S cannot execute (OpenSBI: the firmware) */
        struct sbiret r = hsm(HSM_START, (long)hart_ids[k], 0x80000000l, 0);
        uint64_t t0 = now();
        while (now() - t0 < ms(20))
            ;
        long st = status_of(hart_ids[k]);
        check(nm("hsm.start-fw-addr", k, 0), r.error == SBI_ERR_INVALID_ADDRESS && st == ST_STOPPED && slots[k].entries == 0,
              "err %d, status %d, entered %d", r.error, st, (long)slots[k].entries);
    }
    for (int k = 1; k < nharts; k++)
        start_sec(k, "hsm.start", 1);
    for (int k = 0; k < nharts; k++) {
        struct sbiret r = hsm(HSM_START, (long)hart_ids[k], (long)(uintptr_t)sec_entry, 0);
        check(nm("hsm.start-started", k, 0), r.error == SBI_ERR_ALREADY_AVAILABLE, "err %d", r.error);
    }
    struct sbiret r = hsm(HSM_START, nharts, (long)(uintptr_t)sec_entry, 0);
    check("hsm.start.past-last", r.error == SBI_ERR_INVALID_PARAM, "err %d", r.error);
    r = hsm(HSM_START, -1, (long)(uintptr_t)sec_entry, 0);
    check("hsm.start.minus1", r.error == SBI_ERR_INVALID_PARAM, "err %d", r.error);
    barrier();
    for (int k = 1; k < nharts; k++) {
        stop_sec(k, "hsm.stop");
        /* A stopped hart is a valid hart id: IPI and RFENCE succeed
         * (OpenSBI sends only to harts that are started or suspended). */
        r = send_ipi(1, (long)hart_ids[k]);
        struct sbiret f = rfence(FID_SFENCE_VMA, 1, (long)hart_ids[k], 0, 0, 0);
        long st = status_of(hart_ids[k]);
        check(nm("hsm.stopped-ipi-rfence", k, 0), r.error == 0 && f.error == 0 && st == ST_STOPPED,
              "ipi err %d, rfence err %d, status %d", r.error, f.error, st);
        start_sec(k, "hsm.restart", 2);
    }
}

/* ---- IPIs ---- */

/* One round: send, wait for the expected targets (bitmask of ranks), let
 * every secondary answer once, compare every hart's count. */
static void ipi_round(const char *name, long mask, long base, long want_err, unsigned targets)
{
    uint64_t before[MAXH];
    for (int k = 0; k < nharts; k++)
        before[k] = ssi_of(k);
    struct sbiret r = send_ipi(mask, base);
    for (int k = 0; k < nharts; k++) {
        if (!(targets >> k & 1))
            continue;
        uint64_t t0 = now();
        while (ssi_of(k) == before[k] && now() - t0 < ms(5000))
            ;
    }
    barrier();
    int ok = r.error == want_err;
    sb_reset();
    sb_s("err ");
    sb_d(r.error);
    sb_s(", interrupts");
    for (int k = 0; k < nharts; k++) {
        uint64_t d = ssi_of(k) - before[k];
        ok &= d == (uint64_t)(targets >> k & 1);
        sb_s(" ");
        sb_rank(k);
        sb_s(" ");
        sb_d((long)d);
    }
    check(name, ok, "%s", sbuf);
}

static uint64_t idmask(unsigned ranks)
{
    uint64_t m = 0;
    for (int k = 0; k < nharts; k++)
        if (ranks >> k & 1)
            m |= 1ull << hart_ids[k];
    return m;
}

static uint64_t ssi_end[MAXH];

static void test_ipi(void)
{
    unsigned all = (1u << nharts) - 1, secs = all & ~1u;
    for (int k = 1; k < nharts; k++)
        run(k, C_IRQ, 1, 0);
    csr_clear(sip, SSIP);
    csr_set(sie, SSIP);
    csr_set(sstatus, SIE_SIE);
    ipi_round("ipi.self", (long)idmask(1), 0, 0, 1);
    ipi_round("ipi.self-base", 1, (long)hart_ids[0], 0, 1);
    for (int k = 1; k < nharts; k++)
        ipi_round(nm("ipi.one", k, 0), 1, (long)hart_ids[k], 0, 1u << k);
    for (int k = 1; k < nharts; k++)
        ipi_round(nm("ipi.one-mask", k, 0), (long)idmask(1u << k), 0, 0, 1u << k);
    ipi_round("ipi.secondaries", (long)idmask(secs), 0, 0, secs);
    ipi_round("ipi.boot-and-last", (long)idmask(1u | 1u << (nharts - 1)), 0, 0, 1u | 1u << (nharts - 1));
    ipi_round("ipi.all-mask", (long)idmask(all), 0, 0, all);
    ipi_round("ipi.base-minus1", 0, -1, 0, all);
    ipi_round("ipi.base-minus1-mask", 0x5a, -1, 0, all);
    ipi_round("ipi.mask0", 0, 0, 0, 0);
    /* A mask relative to a non-zero base: the secondaries, from the
     * first one's hart id (which hart booted varies: ranks, not ids) */
    ipi_round("ipi.base-first-secondary", (long)(idmask(secs) >> hart_ids[1]), (long)hart_ids[1], 0, secs);
    /* An invalid base: SBI_ERR_INVALID_PARAM, nothing sent. */
    ipi_round("ipi.base-past-last", 1, nharts, SBI_ERR_INVALID_PARAM, 0);
    ipi_round("ipi.base-64", 1, 64, SBI_ERR_INVALID_PARAM, 0);
    ipi_round("ipi.base-minus2", 1, -2, SBI_ERR_INVALID_PARAM, 0);
    /* Mask bits naming harts that do not exist, beside existing ones:
     * SBI 2.0 says SBI_ERR_INVALID_PARAM; OpenSBI 1.5.1 skips them and
     * sends to the others. */
    ipi_round("ipi.mask-past-last", (long)(idmask(all) | 1ull << nharts), 0, 0, all);
    ipi_round("ipi.mask-last-and-past", (long)(1ull | 1ull << (nharts - hart_ids[nharts - 1])),
              (long)hart_ids[nharts - 1], 0, 1u << (nharts - 1));
    ipi_round("ipi.mask-all-ones", -1, 0, 0, all);
    csr_clear(sstatus, SIE_SIE);
    csr_clear(sie, SSIP);
    for (int k = 0; k < nharts; k++)
        ssi_end[k] = ssi_of(k);
}

/* ---- remote fences ---- */

#define I_LI_A0(v) (((uint32_t)(v) << 20) | 0x513u)
#define I_RET 0x00008067u

static void test_fence_i(int k)
{
    uint32_t *code = code_buf[k];
    static const struct { const char *name; uint32_t val; int all; } step[] = {
        { "rfence.fence-i", 0x111, 0 }, { "rfence.fence-i-rewritten", 0x222, 0 },
        { "rfence.fence-i-base-minus1", 0x333, 1 },
    };
    for (unsigned i = 0; i < ARRAY_SIZE(step); i++) {
        ((volatile uint32_t *)code)[0] = I_LI_A0(step[i].val);
        ((volatile uint32_t *)code)[1] = I_RET;
        struct sbiret r = step[i].all ? rfence(FID_FENCE_I, 0, -1, 0, 0, 0)
                                      : rfence(FID_FENCE_I, 1, (long)hart_ids[k], 0, 0, 0);
        run(k, C_CALL, PA(code), 0);
        uint64_t v = slots[k].res[0];
        check(nm(step[i].name, k, 0), r.error == 0 && v == step[i].val, "err %d, remote runs the code: %x", r.error,
              v);
    }
}

/* Fence on remote k, then the remote reads va (cmd C_LOAD or C_HLV). */
static void fence_read(const char *name, int k, long fid, long mask, long base, long start, long size, long id,
                       uint64_t cmd, uint64_t va, uint64_t want)
{
    struct sbiret r = rfence(fid, mask, base, start, size, id);
    run(k, cmd, va, 0);
    uint64_t v = slots[k].res[0], fault = slots[k].res[1];
    check(nm(name, k, 0), r.error == 0 && v == want && fault == NO_FAULT, "err %d, remote reads %x, fault %d",
          r.error, v, (long)fault);
}

/* Fence cases run in a row on remote k: each points leaf at one of two
 * pages (second: the other one), sends the fence to k (all: to every hart,
 * mask 0 and base -1) and has k read through the leaf. */
struct fence_case {
    const char *name;
    long fid, start, size, id;
    int second, all;
};

static void fence_cases(int k, const struct fence_case *fc, unsigned n, uint64_t *leaf, uint64_t flags,
                        const uint64_t pa[2], const uint64_t val[2], uint64_t cmd, uint64_t va)
{
    long id = (long)hart_ids[k];
    for (unsigned i = 0; i < n; i++) {
        set_pte(leaf, PTE(pa[fc[i].second], flags));
        fence_read(fc[i].name, k, fc[i].fid, fc[i].all ? 0 : 1, fc[i].all ? -1 : id, fc[i].start, fc[i].size,
                   fc[i].id, cmd, va, val[fc[i].second]);
    }
}

static void test_sfence(int k)
{
    uint64_t *root = pt_get(1);
    *pte_at(root, 0x80000000ull, 2, 0) = PTE(0x80000000ull, PTE_LEAF_S);
    uint64_t *leaf = pte_at(root, VA_T, 0, 0);
    uint64_t pa_a = PA(data_pages[k][PG_A]), pa_b = PA(data_pages[k][PG_B]);
    uint64_t va_a = page_val(k, PG_A), va_b = page_val(k, PG_B);
    const uint64_t leaf_f = PTE_V | PTE_R | PTE_W | PTE_A | PTE_D;
    set_pte(leaf, PTE(pa_a, leaf_f));
    uint64_t satp = (8ull << 60) | ((uint64_t)ASID << 44) | (PA(root) >> 12);
    run(k, C_SATP, satp, 0);
    check(nm("rfence.sv39-satp", k, 0), slots[k].res[0] == satp, "remote satp mode %d asid %d, as written %d",
          (long)(slots[k].res[0] >> 60), (long)((slots[k].res[0] >> 44) & 0xffff), (long)(slots[k].res[0] == satp));
    run(k, C_LOAD, VA_T, 0);
    check(nm("rfence.sv39-initial", k, 0), slots[k].res[0] == va_a && slots[k].res[1] == NO_FAULT,
          "remote reads %x, fault %d", slots[k].res[0], (long)slots[k].res[1]);
    static const struct fence_case sv[] = {
        { "rfence.sfence-vma-all0", FID_SFENCE_VMA, 0, 0, 0, 1, 0 },
        { "rfence.sfence-vma-all", FID_SFENCE_VMA, 0, -1, 0, 0, 0 },
        { "rfence.sfence-vma-range", FID_SFENCE_VMA, (long)VA_T, 0x1000, 0, 1, 0 },
        { "rfence.sfence-vma-range-base-minus1", FID_SFENCE_VMA, (long)VA_T, 0x1000, 0, 0, 1 },
        { "rfence.sfence-vma-asid-range", FID_SFENCE_VMA_ASID, (long)VA_T, 0x1000, ASID, 1, 0 },
        { "rfence.sfence-vma-asid-all", FID_SFENCE_VMA_ASID, 0, -1, ASID, 0, 0 },
    };
    fence_cases(k, sv, ARRAY_SIZE(sv), leaf, leaf_f, (const uint64_t[]){ pa_a, pa_b },
                (const uint64_t[]){ va_a, va_b }, C_LOAD, VA_T);
    long id = (long)hart_ids[k];
    /* Another ASID: accepted (whether it removes the entry is not said). */
    struct sbiret r = rfence(FID_SFENCE_VMA_ASID, 1, id, (long)VA_T, 0x1000, ASID + 1);
    check(nm("rfence.sfence-vma-asid-other", k, 0), r.error == 0, "err %d", r.error);
    run(k, C_SATP, 0, 0);
}

static void test_hfence(int k)
{
    /* G-stage (Sv39x4, VMID): RAM's first GiB identity, GPA_T -> C/D. */
    uint64_t *groot = pt_get(4);
    *pte_at(groot, 0x80000000ull, 2, 1) = PTE(0x80000000ull, PTE_LEAF_S | PTE_U);
    uint64_t *gleaf = pte_at(groot, GPA_T, 0, 1);
    /* VS-stage (Sv39, ASID), GPA = PA for its tables: GVA_G -> GPA_T,
     * GVA_V -> E/F. */
    uint64_t *vroot = pt_get(1);
    uint64_t *vleaf_g = pte_at(vroot, GVA_G, 0, 0);
    uint64_t *vleaf_v = pte_at(vroot, GVA_V, 0, 0);
    const uint64_t gf = PTE_V | PTE_R | PTE_W | PTE_U | PTE_A | PTE_D, vf = PTE_V | PTE_R | PTE_W | PTE_A | PTE_D;
    uint64_t pa_c = PA(data_pages[k][PG_C]), pa_d = PA(data_pages[k][PG_D]);
    uint64_t pa_e = PA(data_pages[k][PG_E]), pa_f = PA(data_pages[k][PG_F]);
    uint64_t c = page_val(k, PG_C), d = page_val(k, PG_D), e = page_val(k, PG_E), f = page_val(k, PG_F);
    set_pte(gleaf, PTE(pa_c, gf));
    set_pte(vleaf_g, PTE(GPA_T, vf));
    set_pte(vleaf_v, PTE(pa_e, vf));
    uint64_t hgatp = (8ull << 60) | ((uint64_t)VMID << 44) | (PA(groot) >> 12);
    uint64_t vsatp = (8ull << 60) | ((uint64_t)ASID << 44) | (PA(vroot) >> 12);
    run(k, C_HSETUP, hgatp, vsatp);
    uint64_t rh = slots[k].res[0], rv = slots[k].res[1], spvp = slots[k].res[2];
    check(nm("rfence.h-setup", k, 0), rh == hgatp && rv == vsatp && spvp == 1,
          "hgatp mode %d vmid %d, vsatp mode %d asid %d, as written %d %d, hstatus.SPVP %d", (long)(rh >> 60),
          (long)((rh >> 44) & 0x3fff), (long)(rv >> 60), (long)((rv >> 44) & 0xffff), (long)(rh == hgatp),
          (long)(rv == vsatp), (long)spvp);
    run(k, C_HLV, GVA_G, 0);
    check(nm("rfence.hlv-initial-g", k, 0), slots[k].res[0] == c && slots[k].res[1] == NO_FAULT,
          "remote reads %x, fault %d", slots[k].res[0], (long)slots[k].res[1]);
    run(k, C_HLV, GVA_V, 0);
    check(nm("rfence.hlv-initial-vs", k, 0), slots[k].res[0] == e && slots[k].res[1] == NO_FAULT,
          "remote reads %x, fault %d", slots[k].res[0], (long)slots[k].res[1]);
    long id = (long)hart_ids[k];
    /* G-stage leaf edits, HFENCE.GVMA (addresses are guest physical). */
    static const struct fence_case gv[] = {
        { "rfence.hfence-gvma-range", FID_HFENCE_GVMA, (long)GPA_T, 0x1000, 0, 1, 0 },
        { "rfence.hfence-gvma-all0", FID_HFENCE_GVMA, 0, 0, 0, 0, 0 },
        { "rfence.hfence-gvma-all", FID_HFENCE_GVMA, 0, -1, 0, 1, 0 },
        { "rfence.hfence-gvma-vmid-range", FID_HFENCE_GVMA_VMID, (long)GPA_T, 0x1000, VMID, 0, 0 },
        { "rfence.hfence-gvma-vmid-all", FID_HFENCE_GVMA_VMID, 0, -1, VMID, 1, 0 },
    };
    fence_cases(k, gv, ARRAY_SIZE(gv), gleaf, gf, (const uint64_t[]){ pa_c, pa_d }, (const uint64_t[]){ c, d },
                C_HLV, GVA_G);
    struct sbiret r = rfence(FID_HFENCE_GVMA_VMID, 1, id, (long)GPA_T, 0x1000, VMID + 1);
    check(nm("rfence.hfence-gvma-vmid-other", k, 0), r.error == 0, "err %d", r.error);
    /* VS-stage leaf edits, HFENCE.VVMA: for the VMID in the caller's
     * hgatp (SBI 2.0), so the boot hart takes the remote's. */
    csr_write(0x680, hgatp);
    static const struct fence_case vv[] = {
        { "rfence.hfence-vvma-range", FID_HFENCE_VVMA, (long)GVA_V, 0x1000, 0, 1, 0 },
        { "rfence.hfence-vvma-all0", FID_HFENCE_VVMA, 0, 0, 0, 0, 0 },
        { "rfence.hfence-vvma-all", FID_HFENCE_VVMA, 0, -1, 0, 1, 0 },
        { "rfence.hfence-vvma-asid-range", FID_HFENCE_VVMA_ASID, (long)GVA_V, 0x1000, ASID, 0, 0 },
        { "rfence.hfence-vvma-asid-all", FID_HFENCE_VVMA_ASID, 0, -1, ASID, 1, 0 },
    };
    fence_cases(k, vv, ARRAY_SIZE(vv), vleaf_v, vf, (const uint64_t[]){ pa_e, pa_f }, (const uint64_t[]){ e, f },
                C_HLV, GVA_V);
    r = rfence(FID_HFENCE_VVMA_ASID, 1, id, (long)GVA_V, 0x1000, ASID + 1);
    check(nm("rfence.hfence-vvma-asid-other", k, 0), r.error == 0, "err %d", r.error);
    csr_write(0x680, 0);
    /* The G-stage read still sees its last page through both stages. */
    run(k, C_HLV, GVA_G, 0);
    check(nm("rfence.hlv-final-g", k, 0), slots[k].res[0] == d && slots[k].res[1] == NO_FAULT,
          "remote reads %x, fault %d", slots[k].res[0], (long)slots[k].res[1]);
    run(k, C_HCLEAR, 0, 0);
}

/* ---- FWFT per hart ---- */

/* SBI FWFT features are per hart (SBI 3.0, FWFT chapter: "the feature
 * value is local to the calling hart"). Remote k turns
 * PTE_AD_HW_UPDATING off for itself; then both harts HLV.D through a
 * G-stage leaf with A clear: the remote's takes the load guest-page fault
 * (Svade) and leaves A clear, the boot hart's (still on) sets A. */
static void test_fwft_per_hart(int k)
{
    struct sbiret g0 = sbi6(SBI_EXT_FWFT, FWFT_GET, FWFT_PTE_AD_HW_UPDATING, 0, 0, 0, 0, 0);
    run(k, C_FWFT_AD, 0, 0);
    long set_err = (long)slots[k].res[0], remote = (long)slots[k].res[1];
    struct sbiret mine = sbi6(SBI_EXT_FWFT, FWFT_GET, FWFT_PTE_AD_HW_UPDATING, 0, 0, 0, 0, 0);
    check(nm("fwft.ad-off-remote", k, 0), g0.error == 0 && g0.value == 1 && set_err == 0 && remote == 0
              && mine.error == 0 && mine.value == 1,
          "boot get err %d value %d, remote set err %d get %d, boot get after %d", g0.error, g0.value, set_err,
          remote, mine.value);
    uint64_t *groot = pt_get(4);
    *pte_at(groot, 0x80000000ull, 2, 1) = PTE(0x80000000ull, PTE_LEAF_S | PTE_U);
    uint64_t *gleaf = pte_at(groot, GPA_T, 0, 1);
    set_pte(gleaf, PTE(PA(data_pages[k][PG_C]), PTE_V | PTE_R | PTE_W | PTE_U));   /* A, D clear */
    uint64_t c = page_val(k, PG_C);
    uint64_t hgatp = (8ull << 60) | ((uint64_t)VMID << 44) | (PA(groot) >> 12);
    run(k, C_HSETUP, hgatp, 0);
    run(k, C_HLV, GPA_T, 0);
    uint64_t fault = slots[k].res[1], a = *(volatile uint64_t *)gleaf & PTE_A;
    check(nm("fwft.ad-off-remote-hlv", k, 0), fault == EXC_LOAD_GUEST_PAGE_FAULT && !a,
          "remote fault cause %d, leaf A %d", (long)fault, (long)!!a);
    run(k, C_HCLEAR, 0, 0);
    csr_write(0x680, hgatp);
    hfence_all();
    uint64_t v = conf_exec(I_HLV_D(R_A0, R_A0), MODE_S, GPA_T, 0);
    int trapped = conf_trapped;
    a = *(volatile uint64_t *)gleaf & PTE_A;
    csr_write(0x680, 0);
    hfence_all();
    check(nm("fwft.ad-on-boot-hlv", k, 0), !trapped && v == c && a, "boot trapped %d (cause %d), reads %x, leaf A %d",
          (long)trapped, (long)(trapped ? T.cause : 0), v, (long)!!a);
    run(k, C_FWFT_AD, 1, 0);
    check(nm("fwft.ad-on-remote", k, 0), slots[k].res[0] == 0 && slots[k].res[1] == 1, "set err %d, get %d",
          (long)slots[k].res[0], (long)slots[k].res[1]);
}

static void test_rfence_masks(void)
{
    static const char *const fn[] = { "fence-i", "sfence-vma", "sfence-vma-asid", "hfence-gvma-vmid",
                                       "hfence-gvma", "hfence-vvma-asid", "hfence-vvma" };
    char name[80];
    unsigned all = (1u << nharts) - 1;
    for (int f = 0; f < 7; f++) {
        static const struct { const char *sfx; int kind; } m[] = {
            { ".base-past-last", 0 }, { ".base-minus2", 1 }, { ".mask-past-last", 2 }, { ".mask0", 3 },
            { ".secondaries", 4 },
        };
        for (unsigned i = 0; i < ARRAY_SIZE(m); i++) {
            long mask, base, want;
            switch (m[i].kind) {
            case 0: mask = 1; base = nharts; want = SBI_ERR_INVALID_PARAM; break;
            case 1: mask = 1; base = -2; want = SBI_ERR_INVALID_PARAM; break;
            /* as for IPIs: OpenSBI skips mask bits of harts that do not exist */
            case 2: mask = (long)(idmask(all) | 1ull << nharts); base = 0; want = 0; break;
            case 3: mask = 0; base = 0; want = 0; break;
            default: mask = (long)idmask(all & ~1u); base = 0; want = 0; break;
            }
            struct sbiret r = rfence(f, mask, base, 0, -1, 1);
            check(str_join(name, sizeof(name), "rfence.", fn[f], m[i].sfx), r.error == want, "err %d", r.error);
        }
    }
}

/* ---- suspend ---- */

static void test_suspend(int k)
{
    volatile struct slot *s = &slots[k];
    long id = (long)hart_ids[k];
    if (dead[k]) {
        check(nm("hsm.suspend-retentive", k, 0), 0, "not running");
        check(nm("hsm.suspend-nonretentive", k, 0), 0, "not running");
        return;
    }
    /* Retentive: the call returns 0 after the IPI, SSIP pending (SIE=0). */
    uint64_t ssi0 = s->ssi;
    post(k, C_SUSPEND, SUSP_RET, 0);
    long st = poll_status((uint64_t)id, ST_SUSPENDED, 10000);
    if (verbose)
        cprintf("smp: verbose: sec%d retentive suspend: states seen %s\n", (long)k, trace);
    struct sbiret r = send_ipi(1, id);
    int ok = wait_done(k, 10000);
    long after = status_of((uint64_t)id);
    check(nm("hsm.suspend-retentive", k, 0),
          st == ST_SUSPENDED && r.error == 0 && ok && s->res[0] == 0 && s->res[2] == 0 && s->res[1] == 1
              && after == ST_STARTED && s->ssi == ssi0,
          "status %d, ipi err %d, returned %d err %d, sip.SSIP %d, status after %d, interrupts taken %d", st,
          r.error, (long)ok, (long)s->res[0], (long)s->res[1], after, (long)(s->ssi - ssi0));
    /* Non-retentive: resumes at sec_resume with a0 = hart id, a1 = opaque. */
    uint64_t e0 = s->entries, op = opaque_of(k, 3);
    post(k, C_SUSPEND, SUSP_NONRET, op);
    st = poll_status((uint64_t)id, ST_SUSPENDED, 10000);
    if (verbose)
        cprintf("smp: verbose: sec%d non-retentive suspend: states seen %s\n", (long)k, trace);
    r = send_ipi(1, id);
    ok = wait_done(k, 10000);
    after = status_of((uint64_t)id);
    int resumed = ok && s->res[2] == 1 && s->entries == e0 + 1;
    check(nm("hsm.suspend-nonretentive", k, 0),
          st == ST_SUSPENDED && r.error == 0 && resumed && s->e_kind == 1 && s->e_a0 == (uint64_t)id
              && s->e_a1 == op && s->e_satp == 0 && !(s->e_sstatus & SIE_SIE) && s->e_csr_ok && s->res[1] == 1
              && after == ST_STARTED,
          "status %d, ipi err %d, resumed %d, a0 is the hart id %d, a1 %x, satp %x, sstatus.SIE %d, "
          "sstatus/hstatus readable %d, sip.SSIP %d, status after %d",
          st, r.error, (long)resumed, (long)(s->e_a0 == (uint64_t)id), s->e_a1, s->e_satp,
          (long)((s->e_sstatus >> 1) & 1), (long)s->e_csr_ok, (long)s->res[1], after);
    if (verbose)
        cprintf("smp: verbose: sec%d non-retentive resume: sip.SSIP at entry %d, pending within 1 s %d\n", (long)k,
                (long)s->e_ssip, (long)s->resume_ssip);
    /* The mailbox works after the resume (the loop restarted). */
    run(k, C_PING, 0, 0);
    check(nm("hsm.suspend-nonretentive-after", k, 0), !dead[k] && s->res[0] == s->ssi, "answers %d",
          (long)!dead[k]);
}

/* ---- every register at every entry, every suspend type, every hart ---- */

/* The registers a hart finds at an entry from the firmware (sec_ent): what
 * the SBI specification gives (a0 = hart id, a1 = opaque, satp = 0,
 * sstatus.SIE = 0, the pc and stvec = the address passed) and the rest as
 * OpenSBI's warm boot leaves them (sstatus, sie, sscratch, sip, hie, hvip,
 * stimecmp: printed, so that they compare natively and nested). Appends
 * to sbuf; returns whether the specified ones are right. */
static int sb_entry(int k, uint64_t kind, uint64_t pc, uint64_t opaque)
{
    volatile uint64_t *e = sec_ent[hart_ids[k]];
    int ok = e[ENT_KIND] == kind && e[ENT_A0] == hart_ids[k] && e[ENT_A1] == opaque && e[ENT_SATP] == 0
             && !(e[ENT_SSTATUS] & SIE_SIE) && e[ENT_STVEC] == pc;
    sb_kd("at the address passed", (long)(e[ENT_KIND] == kind));
    sb_kd("a0 is the hart id", (long)(e[ENT_A0] == hart_ids[k]));
    sb_kd("a1 is the opaque", (long)(e[ENT_A1] == opaque));
    sb_kx("satp", e[ENT_SATP]);
    sb_kx("sstatus", e[ENT_SSTATUS]);
    sb_kd("stvec is the address", (long)(e[ENT_STVEC] == pc));
    sb_kx("sie", e[ENT_SIE]);
    sb_kx("sscratch", e[ENT_SSCRATCH]);
    sb_kx("sip", e[ENT_SIP] & ~SSIP);       /* SSIP: the waking IPI, racy */
    sb_kx("hie", e[ENT_HIE]);
    sb_kx("hvip", e[ENT_HVIP] & ~SSIP);
    sb_kx("stimecmp", e[ENT_STIMECMP]);
    return ok;
}

#define ROUNDS 4
/* The check lines of the rounds below: the first round's values, whether
 * every round gave the same, whether every round met the expectation. */
#define NTYPES 14
static char round_desc[MAXH][NTYPES + 1][400];
static int round_alike[MAXH][NTYPES + 1], round_ok[MAXH][NTYPES + 1];
static void round_note(int k, unsigned i, int round, int ok)
{
    if (round == 0) {
        unsigned n = 0;
        for (; sbuf[n] && n < sizeof(round_desc[0][0]) - 1; n++)
            round_desc[k][i][n] = sbuf[n];
        round_desc[k][i][n] = 0;
        round_alike[k][i] = round_ok[k][i] = 1;
    } else {
        unsigned n = 0;
        while (sbuf[n] && sbuf[n] == round_desc[k][i][n])
            n++;
        round_alike[k][i] &= sbuf[n] == round_desc[k][i][n];
    }
    round_ok[k][i] &= ok;
}
static void round_report(const char *what, int k, unsigned i)
{
    check(nm(what, k, 0), round_alike[k][i] && round_ok[k][i], "%s, %d rounds alike %d", round_desc[k][i],
          (long)ROUNDS, (long)round_alike[k][i]);
}

/* A round on secondary k (check line i): it leaves its S/H state dirty;
 * 0 (and the round failed) if it no longer answers. */
static int round_begin(int k, unsigned i, int round)
{
    sb_reset();
    if (dead[k]) {
        round_note(k, i, round, 0);
        return 0;
    }
    run(k, C_DIRTY, 0, 0);
    return 1;
}

/* Stop and start secondary k with its S/H state dirty: the entry
 * registers of every start. */
static void restart_round(int k, int round)
{
    volatile struct slot *s = &slots[k];
    if (!round_begin(k, NTYPES, round))
        return;
    uint64_t e0 = s->entries;
    post(k, C_STOP, 0, 0);
    long st = poll_status(hart_ids[k], ST_STOPPED, 10000);
    __atomic_store_n(&s->done_seq, s->cmd_seq, __ATOMIC_RELEASE);   /* completed for it */
    uint64_t op = opaque_of(k, 16 + round);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    struct sbiret r = hsm(HSM_START, (long)hart_ids[k], (long)(uintptr_t)sec_entry, (long)op);
    uint64_t t0 = now();
    while (__atomic_load_n(&s->entries, __ATOMIC_ACQUIRE) == e0 && now() - t0 < ms(10000))
        ;
    int entered = __atomic_load_n(&s->entries, __ATOMIC_ACQUIRE) == e0 + 1;
    if (!entered)
        dead[k] = 1;
    sb_s("stopped ");
    sb_d(st == ST_STOPPED);
    sb_kd("start err", r.error);
    sb_kd("entered", entered);
    int ok = st == ST_STOPPED && r.error == 0 && entered;
    ok &= sb_entry(k, 0, (uint64_t)(uintptr_t)sec_entry, op);
    ok &= sec_ent[hart_ids[k]][ENT_SSCRATCH] == 0 && sec_ent[hart_ids[k]][ENT_SIE] == 0;
    round_note(k, NTYPES, round, ok);
}

/* HSM suspend types (a0 is 32-bit in the SBI specification; OpenSBI 1.5.1
 * takes its low 32 bits, so the ones with upper bits set act as those).
 * 0x00000000: default retentive; 0x80000000: default non-retentive;
 * 0x00000001..0x0fffffff and 0x80000001..0x8fffffff: reserved
 * (SBI_ERR_INVALID_PARAM); 0x10000000..0x7fffffff and
 * 0x90000000..0xffffffff: platform specific, none on QEMU virt (OpenSBI:
 * SBI_ERR_NOT_SUPPORTED). */
static const uint64_t susp_types[NTYPES] = {
    0, 1, 0x0fffffff, 0x10000000, 0x7fffffff, 0x80000000, 0x80000001, 0x8fffffff, 0x90000000, 0xffffffff,
    0x100000000, 0xffffffff80000000, 0x180000001, 0xffffffff90000000,
};
enum { SUSP_IS_RET, SUSP_IS_NONRET, SUSP_IS_RESERVED, SUSP_IS_PLATFORM };
static int susp_class(uint64_t type)
{
    uint32_t t = (uint32_t)type;
    if (t == 0)
        return SUSP_IS_RET;
    if (t == 0x80000000u)
        return SUSP_IS_NONRET;
    return (t & 0x7fffffffu) < 0x10000000u ? SUSP_IS_RESERVED : SUSP_IS_PLATFORM;
}

/* The outcome of one suspend call on hart k, appended to sbuf: the error
 * it returned (or "resumed"), and the registers; returns whether it is
 * what the type calls for. */
static int sb_suspend(int k, uint64_t type, long err, int suspended, uint64_t resumed_kind, uint64_t kind,
                      uint64_t raddr, uint64_t op, volatile const uint64_t *regs, uint64_t csr_changed,
                      uint64_t ssip)
{
    int cls = susp_class(type);
    sb_s("suspended ");
    sb_d(suspended);
    if (resumed_kind) {
        sb_s(", resumed");
        int ok = sb_entry(k, kind, raddr, op);
        return ok && cls == SUSP_IS_NONRET && suspended;
    }
    sb_kd("err", err);
    if (err) {
        sb_kd("registers kept", regs_kept(regs));
        sb_kx("CSRs changed", csr_changed);
        return !suspended && regs_kept(regs) && !csr_changed
               && (cls == SUSP_IS_RESERVED ? err == SBI_ERR_INVALID_PARAM
                                            : cls == SUSP_IS_PLATFORM && (err == SBI_ERR_NOT_SUPPORTED
                                                                          || err == SBI_ERR_INVALID_PARAM));
    }
    sb_kd("registers kept", regs_kept(regs));
    sb_kx("CSRs changed", csr_changed);
    sb_kd("sip.SSIP", (long)ssip);
    return cls == SUSP_IS_RET && suspended && regs_kept(regs) && !csr_changed && ssip;
}

/* One suspend of secondary k: woken by an IPI once SUSPENDED. */
static void susp_round_sec(int k, unsigned i, int round)
{
    volatile struct slot *s = &slots[k];
    if (!round_begin(k, i, round))
        return;
    uint64_t type = susp_types[i], op = opaque_of(k, 32 + round);
    uint64_t raddr = (uint64_t)(uintptr_t)(round & 1 ? sec_resume2 : sec_resume);
    for (int r = 0; r < 64; r++)
        s->regs[r] = 0;
    /* Only a type that suspends is polled for SUSPENDED (the others pass
     * through it while OpenSBI tries them): the others are woken only if
     * they have not returned in 3 s. */
    int polled = susp_class(type) == SUSP_IS_RET || susp_class(type) == SUSP_IS_NONRET;
    post3(k, C_SUSPEND, type, op, raddr);
    long st = -100;
    uint64_t t0 = now();
    while (!done(k) && now() - t0 < ms(3000))
        if (polled && (st = status_of(hart_ids[k])) == ST_SUSPENDED)
            break;
    int suspended = polled ? st == ST_SUSPENDED : !done(k);
    if (suspended)
        send_ipi(1, (long)hart_ids[k]);
    wait_done(k, 10000);
    round_note(k, i, round,
               sb_suspend(k, type, (long)s->res[0], suspended, s->res[2], round & 1 ? 2 : 1, raddr, op, s->regs,
                          s->csr_changed, s->res[1]));
}

/* One suspend of the boot hart, woken by secondary 1's IPI. */
static volatile uint64_t boot_regs[64];
static void susp_round_boot(unsigned i, int round)
{
    sb_reset();
    if (dead[1]) {
        round_note(0, i, round, 0);
        return;
    }
    uint64_t type = susp_types[i], op = opaque_of(0, 32 + round), id = hart_ids[0];
    uint64_t sie0 = csr_read(sie);
    for (int r = 0; r < 64; r++)
        boot_regs[r] = 0;
    sec_ent[id][ENT_KIND] = 0x5e;
    csr_clear(sstatus, SIE_SIE);
    csr_set(sie, SSIP);
    dirty_state();
    uint64_t c0[SUSP_CSRS], c1[SUSP_CSRS];
    susp_csrs(c0);
    __atomic_store_n(&boot_back, 0, __ATOMIC_RELEASE);
    post(1, C_WAKE_BOOT, id, susp_class(type) == SUSP_IS_RET || susp_class(type) == SUSP_IS_NONRET);
    struct sbiret r = hsm_susp_asm((long)type, (uint64_t)(uintptr_t)boot_resume, op, boot_regs, boot_ctx);
    susp_csrs(c1);
    __atomic_store_n(&boot_back, 1, __ATOMIC_RELEASE);
    wait_done(1, 10000);
    int resumed = r.error == BOOT_RESUMED;
    uint64_t changed = susp_csrs_changed(c0, c1);
    uint64_t t0 = now();
    while (r.error == 0 && !(csr_read(sip) & SSIP) && now() - t0 < ms(1000))
        ;
    uint64_t ssip = (csr_read(sip) & SSIP) ? 1 : 0;
    csr_clear(sip, SSIP);
    clean_state();
    csr_write(sie, sie0);
    round_note(0, i, round,
               sb_suspend(0, type, r.error, (int)slots[1].res[0], resumed ? 3 : 0, 3,
                          (uint64_t)(uintptr_t)boot_resume, op, boot_regs, changed, ssip));
}

/* Many rounds of every suspend type on every hart, and of stop/start on
 * every secondary, interleaved across harts. */
static void test_hsm_rounds(void)
{
    for (int round = 0; round < ROUNDS; round++) {
        for (unsigned i = 0; i < NTYPES; i++)
            for (int k = 0; k < nharts; k++) {
                if (k == 0)
                    susp_round_boot(i, round);
                else
                    susp_round_sec(k, i, round);
            }
        for (int k = 1; k < nharts; k++)
            restart_round(k, round);
    }
    for (int k = 0; k < nharts; k++) {
        for (unsigned i = 0; i < NTYPES; i++) {
            char what[40] = "hsm.rounds.type-";
            unsigned n = 16;
            uint64_t t = susp_types[i];
            int d = 60;
            while (d > 0 && !(t >> d))
                d -= 4;
            for (; d >= 0; d -= 4)
                what[n++] = "0123456789abcdef"[(t >> d) & 15];
            what[n] = 0;
            round_report(what, k, i);
        }
        if (k)
            round_report("hsm.rounds.restart", k, NTYPES);
    }
}

/* ---- main ---- */

static void finish(void)
{
    uint64_t unexpected = 0;
    sb_reset();
    sb_s("boot ");
    sb_d((long)T_unexpected);
    for (int k = 1; k < nharts; k++) {
        unexpected += slots[k].unexpected;
        sb_s(" ");
        sb_rank(k);
        sb_s(" ");
        sb_d((long)slots[k].unexpected);
        if (slots[k].unexpected) {
            cprintf("smp: sec%d unexpected trap: cause %x epc %x\n", (long)k, slots[k].unexpected_cause,
                    slots[k].unexpected_epc);
        }
    }
    check("traps.unexpected", unexpected == 0 && T_unexpected == 0, "%s", sbuf);
    cprintf("smp: %d checks, %d failures\n", conf_checks, conf_failures);
    cprintf("smp: %s\n", conf_failures ? "FAILED" : "passed");
    shutdown();
}

int main(unsigned long hartid, unsigned long fdt)
{
    conf_init(fdt);
    verbose = (int)conf_arg("verbose", 0);
    timebase = dt_timebase;
    cprintf("smp: start\n");
    if (verbose)
        cprintf("smp: verbose: boot hart id %d, timebase %d\n", (long)hartid, (long)timebase);
    check_dt(hartid);
    if (!ids_ok || nharts < 2)
        finish();
    for (int k = 1; k < nharts; k++)
        for (int p = PG_A; p <= PG_F; p++)
            data_pages[k][p][0] = page_val(k, p);
    test_hsm_status();
    test_hsm_start_stop();
    test_ipi();
    for (int k = 1; k < nharts; k++)
        test_fence_i(k);
    for (int k = 1; k < nharts; k++)
        test_sfence(k);
    for (int k = 1; k < nharts; k++)
        test_hfence(k);
    for (int k = 1; k < nharts; k++)
        test_fwft_per_hart(k);
    test_rfence_masks();
    for (int k = 1; k < nharts; k++)
        test_suspend(k);
    test_hsm_rounds();
    /* no SSI since the IPI rounds (suspend wake-ups are not taken) */
    sb_reset();
    int quiet = 1;
    for (int k = 0; k < nharts; k++) {
        uint64_t d = ssi_of(k) - ssi_end[k];
        quiet &= d == 0;
        if (k)
            sb_s(" ");
        sb_rank(k);
        sb_s(" ");
        sb_d((long)d);
    }
    check("ipi.none-after-rounds", quiet, "interrupts %s", sbuf);
    for (int k = 1; k < nharts; k++)
        stop_sec(k, "hsm.stop-final");
    finish();
    return 0;
}
