/* L1 conformance: L1 as a hypervisor running its own guest, L2.
 *
 * L1 (this program, in HS natively, at V=1 under rvnest) builds G-stage
 * tables (Sv39x4, Sv48x4 or Bare) and VS-stage tables (Bare, Sv39) in its
 * RAM and enters L2 with sret and hstatus.SPV=1, in VS (SPP=1) or VU
 * (SPP=0). L2's code lives in this binary: one generated instruction in
 * l2code[] followed by an ecall, or the loops of conf_l2_asm.S. L2's
 * VS-mode handler (vstvec = l2v_vec) records what it saw in struct l2sh
 * and ends the run with an ecall; every trap into L1 during a run goes to
 * l1v_c, which records it and resumes L2 (interrupts, services L2 asks
 * for) or ends the run (any other exception).
 *
 * GPAs: RAM identity (2 MiB leaves), a window at GWIN (4 KiB leaves to
 * data pages and to one VS table page; a 2 MiB leaf at GWIN+2M), 1 GiB
 * leaves at high GPAs only the x4 root or Sv48x4 reach. GVAs under
 * vsatp Sv39: RAM identity (1 GiB, S), for VU an alias at RAM + ALIAS
 * (1 GiB, U), a window at VWIN through a VS table that sits at a window
 * GPA. Every check prints only what is deterministic: causes, addresses
 * relative to L2's code, PTE bits, counts and 0/1 relations of times.
 *
 * QEMU specifics the expectations follow (QEMU 10 with OpenSBI 1.5.1 is
 * the reference):
 *  - illegal instructions, access faults and misaligned accesses are not
 *    delegated by OpenSBI (medeleg): they reach L1 or L2 through its
 *    sbi_trap_redirect, which writes htinst, a write QEMU ignores, so L1's
 *    htinst keeps the value of its previous trap ("htinst kept");
 *  - a misaligned AMO is a load-address-misaligned exception (4);
 *  - VU executing sret gets an illegal instruction (the H chapter says
 *    virtual instruction); VU sfence.vma/wfi/sstatus/hstatus are virtual
 *    instructions;
 *  - without Ssaia, of several pending interrupts for the same level the
 *    lowest-numbered is taken first (SSI before STI before SEI), though
 *    interrupts for HS still come before those for VS;
 *  - vsstatus.SD read from HS is not computed (L2's sstatus.SD is);
 *  - G-stage A/D bits are updated by the hardware when the firmware's
 *    menvcfg.ADUE is set (default; SBI FWFT PTE_AD_HW_UPDATING turns it
 *    off), VS-stage ones when henvcfg.ADUE is set too;
 *  - QEMU flushes its TLB on every V switch, so results never depend on
 *    fences natively; the fence tests check that the new mapping is seen.
 * Instruction-address-misaligned is unreachable (C: IALIGN=16; jalr and
 * sret clear bit 0), which one check shows.
 * Ordered from the least to the most demanding for an L0. */
#include "conf_lib.h"

#define CSR_(op, c, v) op(c, v)
#define CW(c, v) CSR_(csr_write, c, v)
#define CS(c, v) CSR_(csr_set, c, v)
#define CC(c, v) CSR_(csr_clear, c, v)
#define CR_(c) csr_read(c)
#define CR(c) CR_(c)

#define VSSTATUS 0x200
#define VSIE 0x204
#define VSTVEC 0x205
#define VSSCRATCH 0x240
#define VSIP 0x244
#define VSTIMECMP 0x24d
#define VSATP 0x280
#define HSTATUS 0x600
#define HEDELEG 0x602
#define HIDELEG 0x603
#define HIE 0x604
#define HTIMEDELTA 0x605
#define HCOUNTEREN 0x606
#define HENVCFG 0x60a
#define HTVAL 0x643
#define HIP 0x644
#define HVIP 0x645
#define HTINST 0x64a
#define HGATP 0x680
#define STIMECMP 0x14d

#define HS_BOOT (2ull << 32)
#define H_GVA (1ull << 6)
#define H_SPV (1ull << 7)
#define H_SPVP (1ull << 8)
#define H_VTVM (1ull << 20)
#define H_VTW (1ull << 21)
#define H_VTSR (1ull << 22)
#define S_SIE 2ull
#define S_SPIE (1ull << 5)
#define S_SPP (1ull << 8)
#define S_FS (3ull << 13)
#define S_FS_INIT (1ull << 13)
#define S_SUM (1ull << 18)
#define S_MXR (1ull << 19)
#define S_SD (1ull << 63)
#define ENV_ADUE (1ull << 61)
#define ENV_STCE (1ull << 63)
#define IRQ (1ull << 63)
#define SVC_MAGIC 0x535
#define FWFT_AD 4

#define ALIAS 0x1000000000ull          /* VU code alias under vroot_u */
#define GWIN 0x40000000ull             /* G-stage window */
#define VWIN 0xC0000000ull             /* VS-stage window */
#define W(n) (GWIN + (uint64_t)(n) * 4096)
#define VW(n) (VWIN + (uint64_t)(n) * 4096)
#define VT_GPA W(0x10)                 /* GPA of the VS table vwin0 */
#define GBIG (GWIN + 0x200000)         /* 2 MiB G leaf */
#define GX4 0x10080000000ull           /* 1 GiB G leaf in the x4 part of the Sv39x4 root */
#define G48HI 0x200000000000ull        /* 1 GiB G leaf beyond Sv39x4, inside Sv48x4 */
#define G48X4 0x3000000000000ull       /* ... in the x4 part of the Sv48x4 root */
#define DELEG_ALL 0xb1ffull            /* every cause hedeleg may delegate (0-8, 12, 13, 15) */

#define PA(p) ((uint64_t)(uintptr_t)(p))
#define PTE(pa, fl) ((((uint64_t)(pa)) >> 12 << 10) | (fl))
#define GL (PTE_V | PTE_R | PTE_W | PTE_X | PTE_U | PTE_A | PTE_D)
#define VL (PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D)

/* Instructions L2 runs. */
#define LD(rd, rs1, imm) I_LOAD(3, rd, rs1, imm)
#define SD(rs1, rs2, imm) I_STORE(3, rs1, rs2, imm)
#define JALR0(rs1, imm) enc_i(0x67, 0, 0, rs1, imm)
#define CSRR(rd, csr) enc_csr(F_CSRRS, rd, R_ZERO, csr)
#define CSRW(csr, rs) enc_csr(F_CSRRW, R_ZERO, rs, csr)
#define ADDI(rd, rs, imm) enc_i(0x13, 0, rd, rs, imm)
#define AMOADD_W(rd, rs1, rs2) enc_r(0, rs2, rs1, 2, rd, 0x2f)
#define FMV_D_X(fd, rs) enc_r(0x79, 0, rs, 0, fd, 0x53)
#define FMV_X_D(rd, fs) enc_r(0x71, 0, fs, 0, rd, 0x53)
#define FSD(rs1, fs2, imm) enc_s(0x27, 3, rs1, fs2, imm)
#define I_RDTIME CSRR(R_A0, 0xc01)
#define I_RDCYCLE CSRR(R_A0, 0xc00)
#define I_RDINSTRET CSRR(R_A0, 0xc02)
#define I_HPM3 CSRR(R_A0, 0xc03)
#define C_SW_A1_A0 0x0001c10cu            /* c.sw a1, 0(a0); c.nop */
#define R_A3 13

/* QEMU's transformed instruction (riscv_transformed_insn) of an aligned
 * access: the immediate and rs1 cleared. */
static uint32_t xf_load(uint32_t i) { return i & 0x7fffu; }
static uint32_t xf_store(uint32_t i) { return i & 0x01f0707fu; }

/* ---- shared with conf_l2_asm.S ---- */

struct l2sh {
    uint64_t save[4];
    uint64_t vcount, vcause, vepc, vtval, vstatus;
    uint64_t icause, istatus, iepc;
    uint64_t nseq, seq[16];
};
static volatile struct l2sh sh __attribute__((aligned(64)));
uint64_t l2_frame[33];
extern char l2v_vec[], l2v_exit[], l2_done[], l2_text_begin[], l2_text_end[];
extern char l2_irq_wait[], l2_time_wait[], l2_wfi_wait[], l2_svc_wait[], l2_vstimer[];
extern char l2_selfpt[], l2_counters[];
void l2_run_asm(uint64_t entry, uint64_t spp);

/* ---- tables and data ---- */

#define A4K __attribute__((aligned(4096)))
static uint64_t g39[2048] __attribute__((aligned(16384)));
static uint64_t g48[2048] __attribute__((aligned(16384)));
static uint64_t g48lo[512] A4K, g48hi[512] A4K, gram[512] A4K, gwin1[512] A4K, gwin0[512] A4K;
static uint64_t vroot_s[512] A4K, vroot_u[512] A4K, vwin1[512] A4K, vwin0[512] A4K;
static uint64_t pgA[512] A4K, pgB[512] A4K, pgC[512] A4K, pgD[512] A4K, pgT[512] A4K;
static uint32_t l2code[1024] A4K;
static uint64_t l1_stack[2048] __attribute__((aligned(16)));
static uint64_t big;               /* PA of the 2 MiB G leaf */
static uint64_t hole;              /* dt_ram_end + 1 MiB: no memory natively */

#define CODE PA(l2code)
#define HGATP39 ((8ull << 60) | (PA(g39) >> 12))
#define HGATP48 ((9ull << 60) | (PA(g48) >> 12))
#define VSATP_S ((8ull << 60) | (PA(vroot_s) >> 12))
#define VSATP_U ((8ull << 60) | (PA(vroot_u) >> 12))

static void zero(uint64_t *t, int n)
{
    for (int i = 0; i < n; i++)
        t[i] = 0;
}

static void fill(uint64_t *p, uint64_t tag)
{
    for (int i = 0; i < 512; i++)
        p[i] = tag | (uint64_t)i;
}

static void tables_default(void)
{
    zero(g39, 2048); zero(g48, 2048);
    zero(g48lo, 512); zero(g48hi, 512); zero(gram, 512); zero(gwin1, 512); zero(gwin0, 512);
    zero(vroot_s, 512); zero(vroot_u, 512); zero(vwin1, 512); zero(vwin0, 512);
    for (uint64_t a = dt_ram_base & ~0x1fffffull; a < dt_ram_end; a += 0x200000)
        gram[(a >> 21) & 511] = PTE(a, GL);
    g39[dt_ram_base >> 30] = PTE(PA(gram), PTE_V);
    g39[GWIN >> 30] = PTE(PA(gwin1), PTE_V);
    g39[GX4 >> 30] = PTE(0x80000000ull, GL);
    gwin1[0] = PTE(PA(gwin0), PTE_V);
    gwin1[1] = PTE(big, GL);
    gwin0[0] = PTE(PA(pgB), GL);
    gwin0[1] = PTE(PA(pgC), GL);
    gwin0[2] = PTE(PA(pgD), GL);
    gwin0[3] = PTE(PA(pgT), GL);
    gwin0[4] = PTE(hole, GL);
    gwin0[5] = PTE(0, GL);
    gwin0[6] = PTE(0x80000000ull, GL);
    gwin0[0x10] = PTE(PA(vwin0), GL);
    g48[0] = PTE(PA(g48lo), PTE_V);
    g48lo[dt_ram_base >> 30] = PTE(PA(gram), PTE_V);
    g48lo[GWIN >> 30] = PTE(PA(gwin1), PTE_V);
    g48[(G48HI >> 39) & 2047] = PTE(PA(g48hi), PTE_V);
    g48[(G48X4 >> 39) & 2047] = PTE(PA(g48hi), PTE_V);
    g48hi[0] = PTE(0x80000000ull, GL);
    vroot_s[2] = PTE(0x80000000ull, VL);
    vroot_s[VWIN >> 30] = PTE(PA(vwin1), PTE_V);
    vroot_u[2] = PTE(0x80000000ull, VL);
    vroot_u[((0x80000000ull + ALIAS) >> 30) & 511] = PTE(0x80000000ull, VL | PTE_U);
    vroot_u[VWIN >> 30] = PTE(PA(vwin1), PTE_V);
    vwin1[0] = PTE(VT_GPA, PTE_V);
    vwin0[0] = PTE(W(0), VL);
    vwin0[1] = PTE(W(1), VL);
    vwin0[2] = PTE(W(3), VL);
    fill(pgA, 0xa0a0000000000000ull);
    fill(pgB, 0xb0b0000000000000ull);
    fill(pgC, 0xc0c0000000000000ull);
    fill(pgD, 0xd0d0000000000000ull);
    fill(pgT, 0xe0e0000000000000ull);
    *(volatile uint64_t *)(uintptr_t)(big + 0x1238) = 0x2b16b16b16b16b16ull;
    *(volatile uint64_t *)(uintptr_t)(big + 0x1000) = 0x2b1000002b100000ull;
    *(volatile uint64_t *)(uintptr_t)(big + 0x238) = 0x2b0002382b000238ull;
}

/* The U bit on VS window leaves 0..7 (for VU). */
static void vwin_user(void)
{
    for (int i = 0; i < 8; i++)
        if (vwin0[i])
            vwin0[i] |= PTE_U;
}

static void fence_all(void)
{
    __asm__ volatile(".insn r 0x73, 0, 0x31, x0, x0, x0\n\t.insn r 0x73, 0, 0x11, x0, x0, x0" ::: "memory");
}

static void hfence_gvma_gpa(uint64_t gpa)
{
    __asm__ volatile(".insn r 0x73, 0, 0x31, x0, %0, x0" :: "r"(gpa >> 2) : "memory");
}

static void hfence_gvma_vmid(uint64_t vmid)
{
    __asm__ volatile(".insn r 0x73, 0, 0x31, x0, x0, %0" :: "r"(vmid) : "memory");
}

static void hfence_vvma_va(uint64_t va)
{
    __asm__ volatile(".insn r 0x73, 0, 0x11, x0, %0, x0" :: "r"(va) : "memory");
}

/* ---- L1's trap handler during a run ---- */

struct ev { uint64_t cause, epc, tval, htval, htinst, hstatus, sstatus; };
static struct ev X;                 /* the exception that ended the run */
static struct ev IV[8];             /* L1's interrupts during the run */
static unsigned nirq;

static void seq_add(uint64_t e)
{
    uint64_t n = sh.nseq;
    sh.seq[n & 15] = e;
    sh.nseq = n + 1;
}

static uint64_t service(uint64_t id, uint64_t arg)
{
    switch (id) {
    case 1:                                           /* SBI IPI to this hart */
        return (uint64_t)sbi_call(SBI_EXT_IPI, 0, 1, 0, 0).error;
    case 2:                                           /* L1's own timer, due now */
        CW(STIMECMP, 0);
        csr_set(sie, 1ull << 5);
        return 0;
    case 3:                                           /* inject VS interrupts */
        CS(HVIP, arg);
        return 0;
    case 5:                                           /* remap GPA W(0) -> pgD */
        gwin0[0] = PTE(PA(pgD), GL);
        hfence_gvma_gpa(W(0));
        return 0;
    case 6:                                           /* remap GVA VW(0) -> GPA W(1) */
        vwin0[0] = PTE(W(1), VL);
        hfence_vvma_va(VW(0));
        return 0;
    }
    return ~0ull;
}

int l1v_c(uint64_t *f);
int l1v_c(uint64_t *f)
{
    struct ev e;
    e.cause = csr_read(scause);
    e.epc = csr_read(sepc);
    e.tval = csr_read(stval);
    e.htval = CR(HTVAL);
    e.htinst = CR(HTINST);
    e.hstatus = CR(HSTATUS);
    e.sstatus = csr_read(sstatus);
    if (!(e.hstatus & H_SPV)) {
        cprintf("conf_l2: trap from HS during a run: cause %x epc %x tval %x\n", e.cause, e.epc, e.tval);
        T_unexpected++;
        conf_done("conf_l2");
    }
    if ((int64_t)e.cause < 0) {
        unsigned irq = e.cause & 63;
        if (nirq < 8)
            IV[nirq] = e;
        nirq++;
        seq_add(0x180 | irq);
        switch (irq) {
        case 1: csr_clear(sip, 2); break;
        case 5: CW(STIMECMP, ~0ull); csr_clear(sie, 1ull << 5); break;
        case 6: CC(HVIP, 1ull << 6); CW(VSTIMECMP, ~0ull); CC(HIE, 1ull << 6); break;
        case 2: case 10: CC(HVIP, 1ull << irq); CC(HIE, 1ull << irq); break;
        default: csr_clear(sie, 1ull << irq); CC(HIE, 1ull << irq); break;
        }
        return 0;
    }
    if ((e.cause == 10 || e.cause == 8) && f[17] == SVC_MAGIC && e.epc != PA(l2v_exit)) {
        f[10] = service(f[16], f[10]);
        csr_write(sepc, e.epc + 4);
        return 0;
    }
    X = e;
    return 1;
}

/* ---- runs ---- */

static struct cfg {
    int mode;
    uint64_t off;                   /* GVA - PA of L2's code */
    uint64_t hgatp, vsatp, hsx, hedeleg, hideleg, hie, hvip, hcounteren, scounteren;
    uint64_t henvcfg, htimedelta, vstimecmp, vsstatus, vsie, sie, stimecmp, sset;
    int nofence;
} C;

static void cfg_reset(void)
{
    C = (struct cfg){ 0 };
    C.mode = MODE_S;
    C.hgatp = HGATP39;
    C.hcounteren = 7;
    C.scounteren = 7;
    C.vstimecmp = ~0ull;
    C.stimecmp = ~0ull;
    tables_default();
}

/* VU with vsatp Sv39: code at its alias, window leaves with U. */
static void vu_sv39(void)
{
    C.mode = MODE_U;
    C.vsatp = VSATP_U;
    C.off = ALIAS;
    vwin_user();
}

enum { R_DONE, R_L2, R_L1 };
static int kind, done_via_l2;
static uint64_t a0r, pre_htinst, run_entry;
static uint64_t post_vsstatus, post_sstatus, post_hvip, post_hip, post_vsip, post_vstimecmp;

static void run(uint64_t entry, uint64_t done, uint64_t a0, uint64_t a1, uint64_t a2,
                uint64_t a3, uint64_t a4, uint64_t a5, uint64_t a6)
{
    for (int i = 0; i < 33; i++)
        l2_frame[i] = 0;
    l2_frame[10] = a0; l2_frame[11] = a1; l2_frame[12] = a2; l2_frame[13] = a3;
    l2_frame[14] = a4; l2_frame[15] = a5; l2_frame[16] = a6;
    l2_frame[32] = PA(&l1_stack[2048]);
    for (int i = 0; i < 4; i++) sh.save[i] = 0;
    sh.vcount = sh.vcause = sh.vepc = sh.vtval = sh.vstatus = 0;
    sh.icause = sh.istatus = sh.iepc = sh.nseq = 0;
    for (int i = 0; i < 16; i++) sh.seq[i] = 0;
    nirq = 0;
    X = (struct ev){ 0 };
    run_entry = entry;
    CW(HGATP, C.hgatp);
    CW(VSATP, C.vsatp);
    CW(HEDELEG, C.hedeleg);
    CW(HIDELEG, C.hideleg);
    CW(HCOUNTEREN, C.hcounteren);
    csr_write(scounteren, C.scounteren);
    CW(HENVCFG, C.henvcfg);
    CW(HTIMEDELTA, C.htimedelta);
    CW(VSTIMECMP, C.vstimecmp);
    CW(VSSTATUS, C.vsstatus);
    CW(VSTVEC, PA(l2v_vec));
    CW(VSSCRATCH, PA(&sh));
    CW(HVIP, C.hvip);
    CW(HIE, C.hie);
    if (C.vsie)
        CS(VSIE, C.vsie);                       /* after hie: both write mie's VS bits */
    CW(HSTATUS, HS_BOOT | H_SPV | (C.mode == MODE_S ? H_SPVP : 0) | C.hsx);
    csr_clear(sstatus, S_SPIE | S_SIE);
    csr_set(sstatus, C.sset);
    CW(STIMECMP, C.stimecmp);
    csr_write(sie, C.sie);
    if (!C.nofence)
        fence_all();
    __asm__ volatile("fence.i" ::: "memory");
    pre_htinst = CR(HTINST);
    l2_run_asm(entry, C.mode == MODE_S);
    post_vsstatus = CR(VSSTATUS);
    post_sstatus = csr_read(sstatus);
    post_hvip = CR(HVIP);
    post_hip = CR(HIP);
    post_vsip = CR(VSIP);
    post_vstimecmp = CR(VSTIMECMP);
    csr_write(sie, 0);
    CW(STIMECMP, ~0ull);
    CW(HIE, 0);
    CW(HVIP, 0);
    CW(VSTIMECMP, ~0ull);
    CW(HENVCFG, 0);
    CW(HTIMEDELTA, 0);
    csr_clear(sstatus, C.sset | S_SIE | ((C.sset & S_FS) ? S_FS : 0));
    CW(HSTATUS, HS_BOOT);
    CW(HEDELEG, 0);
    CW(HIDELEG, 0);
    a0r = l2_frame[10];
    done_via_l2 = 0;
    if ((X.cause == 10 || X.cause == 8) && X.epc == done) {
        kind = R_DONE;
    } else if (X.cause == 10 && X.epc == PA(l2v_exit)) {
        kind = R_L2;
        if (sh.vcause == 8 && sh.vepc == done && sh.vcount == 1)
            kind = R_DONE, done_via_l2 = 1;
    } else {
        kind = R_L1;
    }
}

/* Run insns[0..n-1] then ecall, at CODE + C.off. */
static void xrun(const uint32_t *insns, int n, uint64_t a0, uint64_t a1)
{
    for (int i = 0; i < n; i++)
        l2code[i] = insns[i];
    l2code[n] = I_ECALL;
    run(CODE + C.off, CODE + C.off + 4 * (uint64_t)n, a0, a1, 0, 0, 0, 0, 0);
}

static void x1(uint32_t insn, uint64_t a0, uint64_t a1)
{
    xrun(&insn, 1, a0, a1);
}

/* Run an asm payload (at its alias for VU under vroot_u). */
static void arun(char *fn, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
                 uint64_t a5, uint64_t a6)
{
    run(PA(fn) + C.off, PA(l2_done) + C.off, a0, a1, a2, a3, a4, a5, a6);
}

/* ---- output ---- */

static char sbuf[8][40];
static unsigned sidx;

static const char *sym(uint64_t a)
{
    char *b = sbuf[sidx++ & 7], *p = b;
    const char *nm = 0;
    uint64_t base = 0;
    if (a >= CODE && a < CODE + 4096) nm = "code", base = CODE;
    else if (a >= CODE + ALIAS && a < CODE + ALIAS + 4096) nm = "ucode", base = CODE + ALIAS;
    else if (a >= PA(l2_text_begin) && a < PA(l2_text_end)) nm = "l2text", base = PA(l2_text_begin);
    else if (a >= PA(l2_text_begin) + ALIAS && a < PA(l2_text_end) + ALIAS)
        nm = "ul2text", base = PA(l2_text_begin) + ALIAS;
    if (nm) {
        while (*nm) *p++ = *nm++;
        *p++ = '+';
        a -= base;
    }
    *p++ = '0'; *p++ = 'x';
    char d[17];
    int n = 0;
    do { d[n++] = "0123456789abcdef"[a & 15]; a >>= 4; } while (a);
    while (n) *p++ = d[--n];
    *p = 0;
    return b;
}

static int redirected(uint64_t c)
{
    return c == 1 || c == 2 || c == 4 || c == 5 || c == 6 || c == 7;
}

static uint64_t bit(uint64_t v, int b) { return (v >> b) & 1; }

static char seqbuf[128];

static const char *seq_str(void)
{
    char *p = seqbuf;
    uint64_t n = sh.nseq;
    if (!n) { p[0] = '-'; p[1] = 0; return seqbuf; }
    for (uint64_t i = 0; i < n && i < 8; i++) {
        uint64_t e = sh.seq[i];
        if (i) *p++ = ' ';
        *p++ = 'L'; *p++ = (char)('0' + (e >> 8));
        *p++ = ':'; *p++ = (e & 0x80) ? 'i' : 'e';
        unsigned c = e & 63;
        if (c >= 10) *p++ = (char)('0' + c / 10);
        *p++ = (char)('0' + c % 10);
    }
    *p = 0;
    return seqbuf;
}

/* One line with the outcome of the last run. */
static void report_(const char *name, int ok, int show_a0)
{
    if (kind == R_DONE) {
        if (show_a0)
            check(name, ok, "done%s a0 %x", done_via_l2 ? " (ecall via L2)" : "", a0r);
        else
            check(name, ok, "done%s", done_via_l2 ? " (ecall via L2)" : "");
    } else if (kind == R_L2) {
        check(name, ok, "L2 cause %x epc %s tval %s SPP %d SPIE %d SIE %d traps %d",
              sh.vcause, sym(sh.vepc), sym(sh.vtval), (long)bit(sh.vstatus, 8),
              (long)bit(sh.vstatus, 5), (long)bit(sh.vstatus, 1), (long)sh.vcount);
    } else if (redirected(X.cause)) {
        check(name, ok, "L1 cause %x epc %s tval %s htval %x htinst %s SPV %d SPVP %d GVA %d SPP %d SPIE %d SIE %d",
              X.cause, sym(X.epc), sym(X.tval), X.htval, X.htinst == pre_htinst ? "kept" : "changed",
              (long)bit(X.hstatus, 7), (long)bit(X.hstatus, 8), (long)bit(X.hstatus, 6),
              (long)bit(X.sstatus, 8), (long)bit(X.sstatus, 5), (long)bit(X.sstatus, 1));
    } else {
        check(name, ok, "L1 cause %x epc %s tval %s htval %x htinst %x SPV %d SPVP %d GVA %d SPP %d SPIE %d SIE %d",
              X.cause, sym(X.epc), sym(X.tval), X.htval, X.htinst,
              (long)bit(X.hstatus, 7), (long)bit(X.hstatus, 8), (long)bit(X.hstatus, 6),
              (long)bit(X.sstatus, 8), (long)bit(X.sstatus, 5), (long)bit(X.sstatus, 1));
    }
}

static void report(const char *name, int ok) { report_(name, ok, 1); }

/* Expectations. */
static int is_done(void) { return kind == R_DONE; }
static int is_done_v(uint64_t v) { return kind == R_DONE && a0r == v; }

static int l1_common(void)
{
    int vs = C.mode == MODE_S;
    return bit(X.hstatus, 7) && bit(X.hstatus, 8) == (uint64_t)vs && bit(X.sstatus, 8) == (uint64_t)vs
           && !bit(X.sstatus, 1);
}

/* An exception into L1 (not a guest-page fault: htval 0). */
static int is_l1(uint64_t cause, uint64_t epc, uint64_t tval)
{
    return kind == R_L1 && X.cause == cause && X.epc == epc && X.tval == tval && X.htval == 0 && l1_common();
}

/* A guest-page fault: htval = GPA >> 2, htinst, GVA. */
static int is_gpf(uint64_t cause, uint64_t epc, uint64_t tval, uint64_t gpa, uint64_t htinst)
{
    return kind == R_L1 && X.cause == cause && X.epc == epc && X.tval == tval && X.htval == gpa >> 2
           && X.htinst == htinst && bit(X.hstatus, 6) && l1_common();
}

static int is_l2(uint64_t cause, uint64_t epc, uint64_t tval)
{
    return kind == R_L2 && sh.vcause == cause && sh.vepc == epc && sh.vtval == tval && sh.vcount == 1
           && bit(sh.vstatus, 8) == (uint64_t)(C.mode == MODE_S);
}

static char nb[96];
static const char *nm(const char *a, const char *b)
{
    unsigned k = 0;
    while (*a && k < 60) nb[k++] = *a++;
    while (*b && k < 94) nb[k++] = *b++;
    nb[k] = 0;
    return nb;
}

/* ---- 0: the H CSRs L1 uses to run L2 ---- */

static void test_warl(void)
{
    CW(HEDELEG, ~0ull);
    uint64_t v = CR(HEDELEG);
    check("warl.hedeleg", (v & DELEG_ALL) == DELEG_ALL && !(v & ((1ull << 10) | (0xfull << 20) | (1ull << 9) | (1ull << 11))),
          "%x", v);
    CW(HEDELEG, 0);
    CW(HIDELEG, ~0ull);
    v = CR(HIDELEG);
    check("warl.hideleg", (v & 0x444) == 0x444 && !(v & 0x222), "%x", v);
    CW(HIDELEG, 0);
    CW(HGATP, HGATP39);
    check_eq("warl.hgatp-sv39x4", CR(HGATP), HGATP39);
    CW(HGATP, HGATP48);
    check_eq("warl.hgatp-sv48x4", CR(HGATP), HGATP48);
    CW(HGATP, HGATP39 | (0x3fffull << 44));
    v = CR(HGATP);
    check("warl.hgatp-vmid", (v & ~(0x3fffull << 44)) == HGATP39, "vmid bits %x", (v >> 44) & 0x3fff);
    CW(HGATP, 0);
    CW(HTIMEDELTA, 0x123456789abcdef0ull);
    check_eq("warl.htimedelta", CR(HTIMEDELTA), 0x123456789abcdef0ull);
    CW(HTIMEDELTA, 0);
}

/* ---- 1: entering L2 ---- */

static void test_enter(void)
{
    /* VS, vsatp Bare, hgatp Sv39x4 */
    cfg_reset();
    x1(LD(R_A0, R_A0, 0), PA(&pgA[1]), 0);
    report("enter.vs-bare.load-identity", is_done_v(pgA[1]));
    check("enter.vs-bare.exit", X.cause == 10 && X.epc == CODE + 4 && X.tval == 0 && X.htval == 0 && X.htinst == 0
          && bit(X.hstatus, 7) && bit(X.hstatus, 8) && !bit(X.hstatus, 6) && bit(X.sstatus, 8) && !bit(X.sstatus, 5),
          "cause %x epc %s SPV %d SPVP %d GVA %d SPP %d SPIE %d htinst %x", X.cause, sym(X.epc),
          (long)bit(X.hstatus, 7), (long)bit(X.hstatus, 8), (long)bit(X.hstatus, 6), (long)bit(X.sstatus, 8),
          (long)bit(X.sstatus, 5), X.htinst);
    x1(LD(R_A0, R_A0, 16), W(0), 0);
    report("enter.vs-bare.load-window", is_done_v(pgB[2]));
    x1(SD(R_A0, R_A1, 24), W(0), 0x5151515151515151ull);
    report_("enter.vs-bare.store-window", is_done() && pgB[3] == 0x5151515151515151ull, 1);
    x1(LD(R_A0, R_A0, 0), GBIG + 0x1238, 0);
    report("enter.vs-bare.load-2m-leaf", is_done_v(0x2b16b16b16b16b16ull));
    x1(LD(R_A0, R_A0, 0), GX4 + (PA(&pgA[7]) - 0x80000000ull), 0);
    report("enter.vs-bare.load-x4-root-1g-leaf", is_done_v(pgA[7]));
    C.vsstatus = S_SPP | S_SUM;
    x1(CSRR(R_A0, 0x100), 0, 0);
    report("enter.vs-bare.csrr-sstatus", kind == R_DONE && (a0r & (S_SPP | S_SUM)) == (S_SPP | S_SUM) && a0r == post_vsstatus);
    C.vsstatus = 0;
    x1(CSRR(R_A0, 0x180), 1, 0);
    report("enter.vs-bare.csrr-satp", is_done_v(0));
    x1(CSRR(R_A0, 0x105), 1, 0);
    report("enter.vs-bare.csrr-stvec", is_done_v(PA(l2v_vec)));
    x1(CSRR(R_A0, 0x140), 1, 0);
    report("enter.vs-bare.csrr-sscratch", is_done_v(PA(&sh)));
    /* SPIE: L1's SIE while L2 ran */
    C.sset = S_SPIE;
    x1(ADDI(R_A0, R_A0, 1), 41, 0);
    check("enter.vs-bare.l1-spie", kind == R_DONE && a0r == 42 && bit(X.sstatus, 5) && !bit(X.sstatus, 1),
          "a0 %d SPIE %d SIE %d", (long)a0r, (long)bit(X.sstatus, 5), (long)bit(X.sstatus, 1));

    /* VU, vsatp Bare */
    cfg_reset();
    C.mode = MODE_U;
    x1(LD(R_A0, R_A0, 0), PA(&pgA[2]), 0);
    report("enter.vu-bare.load-identity", is_done_v(pgA[2]));
    check("enter.vu-bare.exit", X.cause == 8 && X.epc == CODE + 4 && !bit(X.hstatus, 8) && bit(X.hstatus, 7)
          && !bit(X.sstatus, 8), "cause %x epc %s SPV %d SPVP %d SPP %d", X.cause, sym(X.epc),
          (long)bit(X.hstatus, 7), (long)bit(X.hstatus, 8), (long)bit(X.sstatus, 8));
    x1(LD(R_A0, R_A0, 8), W(1), 0);
    report("enter.vu-bare.load-window", is_done_v(pgC[1]));
    x1(SD(R_A0, R_A1, 0), W(1), 0x6262626262626262ull);
    report("enter.vu-bare.store-window", is_done() && pgC[0] == 0x6262626262626262ull);

    /* VS, vsatp Sv39 */
    cfg_reset();
    C.vsatp = VSATP_S;
    x1(LD(R_A0, R_A0, 0), VW(0) + 0x28, 0);
    report("enter.vs-sv39.load-window", is_done_v(pgB[5]));
    x1(LD(R_A0, R_A0, 0), VW(1) + 0x30, 0);
    report("enter.vs-sv39.load-window2", is_done_v(pgC[6]));
    x1(LD(R_A0, R_A0, 0), PA(&pgA[3]), 0);
    report("enter.vs-sv39.load-identity", is_done_v(pgA[3]));
    x1(SD(R_A0, R_A1, 8), VW(2), 0x7373737373737373ull);
    report("enter.vs-sv39.store-window", is_done() && pgT[1] == 0x7373737373737373ull);
    x1(CSRR(R_A0, 0x180), 0, 0);
    report("enter.vs-sv39.csrr-satp", is_done_v(VSATP_S));
    /* GVA with bit 38 set but not sign-extended */
    x1(LD(R_A0, R_A0, 0), 0x4000000000ull | VWIN, 0);
    report("enter.vs-sv39.gva-not-canonical", is_l1(13, CODE, 0x4000000000ull | VWIN) && X.htinst == xf_load(LD(R_A0, R_A0, 0)));

    /* VU, vsatp Sv39: code at the U alias */
    cfg_reset();
    vu_sv39();
    x1(LD(R_A0, R_A0, 0), VW(0) + 0x38, 0);
    report("enter.vu-sv39.load-window", is_done_v(pgB[7]));
    check("enter.vu-sv39.exit", X.cause == 8 && X.epc == CODE + ALIAS + 4, "cause %x epc %s", X.cause, sym(X.epc));
    x1(LD(R_A0, R_A0, 0), PA(&pgA[4]) + ALIAS, 0);
    report("enter.vu-sv39.load-alias", is_done_v(pgA[4]));
    x1(LD(R_A0, R_A0, 0), PA(&pgA[4]), 0);
    report("enter.vu-sv39.load-s-page", is_l1(13, CODE + ALIAS, PA(&pgA[4])));

    /* Sv48x4 */
    cfg_reset();
    C.hgatp = HGATP48;
    x1(LD(R_A0, R_A0, 0), W(0) + 0x40, 0);
    report("enter.sv48x4.load-window", is_done_v(pgB[8]));
    x1(LD(R_A0, R_A0, 0), G48HI + (PA(&pgA[9]) - 0x80000000ull), 0);
    report("enter.sv48x4.load-1g-leaf-bit45", is_done_v(pgA[9]));
    x1(LD(R_A0, R_A0, 0), G48X4 + (PA(&pgA[10]) - 0x80000000ull), 0);
    report("enter.sv48x4.load-x4-root", is_done_v(pgA[10]));
    x1(LD(R_A0, R_A0, 0), (1ull << 50) | 0x80, 0);
    report("enter.sv48x4.gpa-bit50", is_gpf(21, CODE, (1ull << 50) | 0x80, (1ull << 50) | 0x80, xf_load(LD(R_A0, R_A0, 0))));
    C.vsatp = VSATP_S;
    x1(LD(R_A0, R_A0, 0), VW(1) + 0x48, 0);
    report("enter.sv48x4.vs-sv39.load-window", is_done_v(pgC[9]));
    C.vsatp = 0;
    C.mode = MODE_U;
    x1(LD(R_A0, R_A0, 0), W(2) + 0x50, 0);
    report("enter.sv48x4.vu-bare.load-window", is_done_v(pgD[10]));
    /* Sv39x4 does not reach bit 45 */
    cfg_reset();
    x1(LD(R_A0, R_A0, 0), G48HI + 0x100, 0);
    report("enter.sv39x4.gpa-bit45", is_gpf(21, CODE, G48HI + 0x100, G48HI + 0x100, xf_load(LD(R_A0, R_A0, 0))));

    /* hgatp Bare: GPA = L1 PA */
    cfg_reset();
    C.hgatp = 0;
    x1(LD(R_A0, R_A0, 0), PA(&pgA[11]), 0);
    report("enter.g-bare.vs-bare.load", is_done_v(pgA[11]));
    C.vsatp = VSATP_S;
    x1(LD(R_A0, R_A0, 0), PA(&pgA[12]), 0);
    report("enter.g-bare.vs-sv39.load", is_done_v(pgA[12]));
    C.vsatp = 0;
    C.mode = MODE_U;
    x1(SD(R_A0, R_A1, 0), PA(&pgA[13]), 0x1313);
    report("enter.g-bare.vu-bare.store", is_done() && pgA[13] == 0x1313);
}

/* ---- 2: every trap cause, with and without delegation ---- */

enum { TV_ZERO, TV_INSN, TV_EPC, TV_A0 };
struct tcase {
    const char *name;
    int mode, sv39;
    uint32_t insn;
    uint64_t a0, a1;
    uint64_t cause;
    int tv;
    int fetch;                        /* epc = a0 */
};

static void test_causes(void)
{
    const struct tcase tc[] = {
        { "ecall", MODE_S, 0, I_ECALL, 0, 0, 10, TV_ZERO, 0 },
        { "ecall", MODE_U, 0, I_ECALL, 0, 0, 8, TV_ZERO, 0 },
        { "ebreak", MODE_S, 0, I_EBREAK, 0, 0, 3, TV_EPC, 0 },
        { "ebreak", MODE_U, 0, I_EBREAK, 0, 0, 3, TV_EPC, 0 },
        { "ebreak", MODE_U, 1, I_EBREAK, 0, 0, 3, TV_EPC, 0 },
        { "illegal-mret", MODE_S, 0, I_MRET, 0, 0, 2, TV_INSN, 0 },
        { "illegal-mret", MODE_U, 0, I_MRET, 0, 0, 2, TV_INSN, 0 },
        { "illegal-ones", MODE_S, 0, 0xffffffffu, 0, 0, 2, TV_INSN, 0 },
        { "illegal-c0", MODE_S, 0, 0, 0, 0, 2, TV_ZERO, 0 },
        { "illegal-c0", MODE_U, 1, 0, 0, 0, 2, TV_ZERO, 0 },
        { "illegal-csr-5c0", MODE_S, 0, CSRR(R_A0, 0x5c0), 0, 0, 2, TV_INSN, 0 },
        { "illegal-csr-mstatus", MODE_S, 0, CSRR(R_A0, 0x300), 0, 0, 2, TV_INSN, 0 },
        { "illegal-sret", MODE_U, 0, I_SRET, 0, 0, 2, TV_INSN, 0 },
        { "virtual-csr-sstatus", MODE_U, 0, CSRR(R_A0, 0x100), 0, 0, 22, TV_INSN, 0 },
        { "load-page-fault", MODE_S, 1, LD(R_A0, R_A0, 0), VW(4) + 8, 0, 13, TV_A0, 0 },
        { "load-page-fault", MODE_U, 1, LD(R_A0, R_A0, 0), VW(4) + 8, 0, 13, TV_A0, 0 },
        { "store-page-fault", MODE_S, 1, SD(R_A0, R_A1, 0), VW(5) + 16, 0, 15, TV_A0, 0 },
        { "store-page-fault", MODE_U, 1, SD(R_A0, R_A1, 0), VW(5) + 16, 0, 15, TV_A0, 0 },
        { "fetch-page-fault", MODE_S, 1, JALR0(R_A0, 0), VW(6), 0, 12, TV_A0, 1 },
        { "fetch-page-fault", MODE_U, 1, JALR0(R_A0, 0), VW(6), 0, 12, TV_A0, 1 },
        { "load-access-fault", MODE_S, 0, LD(R_A0, R_A0, 0), W(4) + 8, 0, 5, TV_A0, 0 },
        { "load-access-fault", MODE_U, 0, LD(R_A0, R_A0, 0), W(4) + 8, 0, 5, TV_A0, 0 },
        { "store-access-fault", MODE_S, 0, SD(R_A0, R_A1, 0), W(4) + 8, 0, 7, TV_A0, 0 },
        { "fetch-access-fault", MODE_S, 0, JALR0(R_A0, 0), W(4), 0, 1, TV_A0, 1 },
        { "amo-misaligned", MODE_S, 0, AMOADD_W(R_A0, R_A0, R_A1), 0, 1, 4, TV_A0, 0 },
        { "amo-misaligned", MODE_U, 0, AMOADD_W(R_A0, R_A0, R_A1), 0, 1, 4, TV_A0, 0 },
        { "load-guest-page-fault", MODE_S, 0, LD(R_A0, R_A0, 0), W(7) + 8, 0, 21, TV_A0, 0 },
        { "load-guest-page-fault", MODE_U, 0, LD(R_A0, R_A0, 0), W(7) + 8, 0, 21, TV_A0, 0 },
        { "virtual-instruction", MODE_S, 0, CSRR(R_A0, 0x600), 0, 0, 22, TV_INSN, 0 },
        { "virtual-instruction", MODE_U, 0, CSRR(R_A0, 0x600), 0, 0, 22, TV_INSN, 0 },
    };
    for (unsigned i = 0; i < ARRAY_SIZE(tc); i++) {
        const struct tcase *c = &tc[i];
        for (int deleg = 0; deleg < 2; deleg++) {
            cfg_reset();
            if (c->sv39) {
                C.vsatp = VSATP_S;
                if (c->mode == MODE_U)
                    vu_sv39();
                vwin0[4] = 0;                                           /* invalid */
                vwin0[5] = PTE(W(0), PTE_V | PTE_R | PTE_A | PTE_D | (c->mode == MODE_U ? PTE_U : 0));
                vwin0[6] = PTE(W(0), PTE_V | PTE_R | PTE_W | PTE_A | PTE_D | (c->mode == MODE_U ? PTE_U : 0));
            } else {
                C.mode = c->mode;
            }
            C.hedeleg = deleg ? DELEG_ALL : 0;
            uint64_t a0 = c->a0;
            if (c->cause == 4)
                a0 = PA(pgA) + 1;
            x1(c->insn, a0, c->a1);
            uint64_t code = CODE + C.off;
            uint64_t epc = c->fetch ? a0 : code;
            uint64_t tval = c->tv == TV_INSN ? c->insn : c->tv == TV_EPC ? code : c->tv == TV_A0 ? a0 : 0;
            int to_l2 = deleg && c->cause < 16 && ((DELEG_ALL >> c->cause) & 1);
            int ok;
            if (to_l2) {
                ok = is_l2(c->cause, epc, tval);
            } else if (c->cause == 21) {
                ok = is_gpf(21, epc, tval, a0, xf_load(c->insn));
            } else {
                ok = is_l1(c->cause, epc, tval);
                if (c->cause == 13 || c->cause == 15)
                    ok = ok && X.htinst == (c->cause == 13 ? xf_load(c->insn) : xf_store(c->insn)) && bit(X.hstatus, 6);
                else if (redirected(c->cause))
                    ok = ok && X.htinst == pre_htinst;
                else
                    ok = ok && X.htinst == 0 && (c->cause == 12 ? bit(X.hstatus, 6) : !bit(X.hstatus, 6));
                if (c->cause == 5 || c->cause == 7 || c->cause == 1 || c->cause == 4)
                    ok = ok && bit(X.hstatus, 6);
            }
            const char *pre = c->mode == MODE_S ? (c->sv39 ? "cause.vs-sv39." : "cause.vs.")
                                                : (c->sv39 ? "cause.vu-sv39." : "cause.vu.");
            char n2[80];
            const char *n1 = nm(pre, c->name);
            unsigned k = 0;
            while (n1[k]) { n2[k] = n1[k]; k++; }
            const char *suf = deleg ? ".deleg" : ".no-deleg";
            while (*suf) n2[k++] = *suf++;
            n2[k] = 0;
            report(n2, ok);
        }
    }
    /* hedeleg cannot delegate an ecall from VS: with every bit set */
    cfg_reset();
    C.hedeleg = ~0ull;
    x1(I_ECALL, 0, 0);
    report("cause.vs.ecall.hedeleg-all-ones", is_l1(10, CODE, 0) && sh.vcount == 0);
    /* jalr to an odd address: bit 0 is cleared, no misaligned fetch */
    cfg_reset();
    {
        uint32_t p[2] = { JALR0(R_A0, 1), I_EBREAK };
        xrun(p, 2, CODE + 7, 0);                       /* odd a0 + 1: CODE + 8, the exit ecall */
        report("cause.vs.jalr-odd-target", kind == R_DONE);
    }
    {
        /* jalr a0 = CODE + 7, imm 0: target CODE + 6 after clearing bit 0 */
        uint32_t p[3] = { JALR0(R_A0, 0), 0x00010001u /* c.nop; c.nop */, I_EBREAK };
        xrun(p, 3, CODE + 9, 0);
        report("cause.vs.jalr-bit0-cleared", is_l1(3, CODE + 8, CODE + 8));
    }
    /* sret from VS to VS or VU with VTSR=0 (L2's own sepc, SPP) */
    cfg_reset();
    {
        uint32_t p[3] = { CSRW(0x141, R_A0), I_SRET, I_EBREAK };
        C.vsstatus = S_SPP;
        xrun(p, 3, CODE + 12, 0);
        report("cause.vs.sret-to-vs", kind == R_DONE && X.cause == 10 && bit(X.hstatus, 8));
        C.vsstatus = 0;
        xrun(p, 3, CODE + 12, 0);
        report("cause.vs.sret-to-vu", kind == R_DONE && X.cause == 8 && !bit(X.hstatus, 8) && !bit(X.sstatus, 8));
    }
    /* a misaligned load from RAM is performed (QEMU) */
    cfg_reset();
    x1(LD(R_A0, R_A0, 0), PA(pgA) + 4, 0);
    report("cause.vs.ld-misaligned-ram", is_done_v((pgA[0] >> 32) | (pgA[1] << 32)));
}

/* ---- virtual-instruction exceptions ---- */

struct vcase { const char *name; int mode; uint32_t insn; uint64_t hsx, hcounteren, scounteren, henvcfg; int trap; };

static void test_virtual(void)
{
    const uint64_t T7 = 7, S7 = 7;
    const struct vcase vc[] = {
        { "vs.csrr-hstatus", MODE_S, CSRR(R_A0, 0x600), 0, T7, S7, 0, 22 },
        { "vs.csrw-hgatp", MODE_S, CSRW(0x680, R_A1), 0, T7, S7, 0, 22 },
        { "vs.csrr-hvip", MODE_S, CSRR(R_A0, 0x645), 0, T7, S7, 0, 22 },
        { "vs.csrr-vsstatus", MODE_S, CSRR(R_A0, 0x200), 0, T7, S7, 0, 22 },
        { "vs.csrr-vsatp", MODE_S, CSRR(R_A0, 0x280), 0, T7, S7, 0, 22 },
        { "vs.hlv.d", MODE_S, I_HLV_D(R_A0, R_A0), 0, T7, S7, 0, 22 },
        { "vs.hsv.d", MODE_S, I_HSV_D(R_A0, R_A1), 0, T7, S7, 0, 22 },
        { "vs.hfence.vvma", MODE_S, I_HFENCE_VVMA(0, 0), 0, T7, S7, 0, 22 },
        { "vs.hfence.gvma", MODE_S, I_HFENCE_GVMA(0, 0), 0, T7, S7, 0, 22 },
        { "vs.sret-vtsr", MODE_S, I_SRET, H_VTSR, T7, S7, 0, 22 },
        { "vs.wfi-vtw", MODE_S, I_WFI, H_VTW, T7, S7, 0, 22 },
        { "vs.sfence.vma-vtvm", MODE_S, I_SFENCE_VMA(0, 0), H_VTVM, T7, S7, 0, 22 },
        { "vs.sfence.vma", MODE_S, I_SFENCE_VMA(0, 0), 0, T7, S7, 0, 0 },
        { "vs.csrr-satp-vtvm", MODE_S, CSRR(R_A0, 0x180), H_VTVM, T7, S7, 0, 22 },
        { "vs.csrw-satp-vtvm", MODE_S, CSRW(0x180, R_ZERO), H_VTVM, T7, S7, 0, 22 },
        { "vs.csrr-satp", MODE_S, CSRR(R_A0, 0x180), 0, T7, S7, 0, 0 },
        { "vs.csrr-sstatus-vtw-vtsr-vtvm", MODE_S, CSRR(R_A0, 0x100), H_VTW | H_VTSR | H_VTVM, T7, S7, 0, 0 },
        { "vs.rdtime-tm0", MODE_S, I_RDTIME, 0, 5, S7, 0, 22 },
        { "vs.rdcycle-cy0", MODE_S, I_RDCYCLE, 0, 6, S7, 0, 22 },
        { "vs.rdinstret-ir0", MODE_S, I_RDINSTRET, 0, 3, S7, 0, 22 },
        { "vs.hpmcounter3-bit3-0", MODE_S, I_HPM3, 0, 7, S7, 0, 22 },
        { "vs.csrw-stimecmp-stce0", MODE_S, CSRW(0x14d, R_A1), 0, T7, S7, 0, 22 },
        { "vs.csrw-stimecmp-tm0", MODE_S, CSRW(0x14d, R_A1), 0, 5, S7, ENV_STCE, 22 },
        { "vs.csrr-stimecmp-stce", MODE_S, CSRR(R_A0, 0x14d), 0, T7, S7, ENV_STCE, 0 },
        { "vu.csrr-hstatus", MODE_U, CSRR(R_A0, 0x600), 0, T7, S7, 0, 22 },
        { "vu.hlv.d", MODE_U, I_HLV_D(R_A0, R_A0), 0, T7, S7, 0, 22 },
        { "vu.hfence.vvma", MODE_U, I_HFENCE_VVMA(0, 0), 0, T7, S7, 0, 22 },
        { "vu.sfence.vma", MODE_U, I_SFENCE_VMA(0, 0), 0, T7, S7, 0, 22 },
        { "vu.wfi", MODE_U, I_WFI, 0, T7, S7, 0, 22 },
        { "vu.rdtime", MODE_U, I_RDTIME, 0, T7, S7, 0, 0 },
        { "vu.rdtime-htm0", MODE_U, I_RDTIME, 0, 5, S7, 0, 22 },
        { "vu.rdtime-stm0", MODE_U, I_RDTIME, 0, T7, 5, 0, 22 },
        { "vu.rdcycle-scy0", MODE_U, I_RDCYCLE, 0, T7, 6, 0, 22 },
    };
    for (unsigned i = 0; i < ARRAY_SIZE(vc); i++) {
        const struct vcase *c = &vc[i];
        cfg_reset();
        C.mode = c->mode;
        C.hsx = c->hsx;
        C.hcounteren = c->hcounteren;
        C.scounteren = c->scounteren;
        C.henvcfg = c->henvcfg;
        C.hedeleg = DELEG_ALL;                  /* 22 is never delegated */
        x1(c->insn, PA(pgA), ~0ull);
        int ok = c->trap ? is_l1(22, CODE, c->insn) && X.htinst == 0 && !bit(X.hstatus, 6) : kind == R_DONE;
        report_(nm("virt.", c->name), ok, 0);
    }
    /* hpmcounter3 with hcounteren bit 3 set */
    cfg_reset();
    C.hcounteren = 0xf;
    x1(I_HPM3, 0, 0);
    report_("virt.vs.hpmcounter3-bit3-1", kind == R_DONE, 0);
}

/* ---- 3: guest-page faults ---- */

static void set_t(uint64_t flags) { gwin0[3] = PTE(PA(pgT), flags); }

static void test_gpf(void)
{
    const uint32_t sd = SD(R_A0, R_A1, 24), ld = LD(R_A0, R_A0, 16);
    const uint64_t RO = PTE_V | PTE_R | PTE_U | PTE_A | PTE_D, XO = PTE_V | PTE_X | PTE_U | PTE_A;
    /* read-only G leaf, VS-stage Sv39: GVA VW(2) -> GPA W(3) */
    for (int m = 0; m < 3; m++) {
        cfg_reset();
        const char *pre = m == 0 ? "gpf.vs-sv39." : m == 1 ? "gpf.vs-bare." : "gpf.vu-sv39.";
        if (m == 0) C.vsatp = VSATP_S;
        if (m == 2) vu_sv39();
        uint64_t va = m == 1 ? W(3) : VW(2);
        set_t(RO);
        x1(sd, va, 0x99);
        report(nm(pre, "store-g-readonly"), is_gpf(23, CODE + C.off, va + 24, W(3) + 24, xf_store(sd)) && pgT[3] != 0x99);
        x1(ld, va, 0);
        report(nm(pre, "load-g-readonly"), is_done_v(pgT[2]));
        set_t(PTE_V | PTE_R | PTE_W | PTE_U | PTE_A | PTE_D);
        x1(JALR0(R_A0, 0), va + 0x40, 0);
        report(nm(pre, "fetch-g-noexec"), is_gpf(20, va + 0x40, va + 0x40, W(3) + 0x40, 0));
        set_t(PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D);
        x1(ld, va, 0);
        report(nm(pre, "load-g-not-user"), is_gpf(21, CODE + C.off, va + 16, W(3) + 16, xf_load(ld)));
    }
    cfg_reset();
    C.vsatp = VSATP_S;
    /* execute-only G leaf: fetch works (an ecall there ends the run), load
     * faults, HS MXR makes it readable, vsstatus.MXR does not */
    set_t(XO);
    pgT[0] = I_ECALL;
    x1(JALR0(R_A0, 0), VW(2), 0);
    report("gpf.fetch-g-xonly", is_l1(10, VW(2), 0));
    x1(ld, VW(2), 0);
    report("gpf.load-g-xonly", is_gpf(21, CODE, VW(2) + 16, W(3) + 16, xf_load(ld)));
    C.sset = S_MXR;
    x1(ld, VW(2), 0);
    report("gpf.load-g-xonly-hs-mxr", is_done_v(pgT[2]));
    C.sset = 0;
    C.vsstatus = S_MXR;
    x1(ld, VW(2), 0);
    report("gpf.load-g-xonly-vs-mxr", is_gpf(21, CODE, VW(2) + 16, W(3) + 16, xf_load(ld)));
    C.vsstatus = 0;
    /* invalid leaf */
    set_t(PTE_R | PTE_W | PTE_X | PTE_U | PTE_A | PTE_D);
    x1(ld, VW(2), 0);
    report("gpf.load-g-invalid", is_gpf(21, CODE, VW(2) + 16, W(3) + 16, xf_load(ld)));
    x1(sd, VW(2), 1);
    report("gpf.store-g-invalid", is_gpf(23, CODE, VW(2) + 24, W(3) + 24, xf_store(sd)));
    /* reserved encodings */
    set_t(GL | (1ull << 54));
    x1(ld, VW(2), 0);
    report("gpf.load-g-reserved-bit54", is_gpf(21, CODE, VW(2) + 16, W(3) + 16, xf_load(ld)));
    set_t(PTE_V | PTE_W | PTE_U | PTE_A | PTE_D);
    x1(sd, VW(2), 1);
    report("gpf.store-g-w-only", is_gpf(23, CODE, VW(2) + 24, W(3) + 24, xf_store(sd)));
    set_t(PTE_V | PTE_W | PTE_X | PTE_U | PTE_A | PTE_D);
    x1(ld, VW(2), 0);
    report("gpf.load-g-wx", is_gpf(21, CODE, VW(2) + 16, W(3) + 16, xf_load(ld)));
    /* non-leaf G PTEs with A or U (reserved): the VS table behind them
     * faults first (implicit access), then with vsatp Bare the access itself */
    set_t(GL);
    gwin1[0] = PTE(PA(gwin0), PTE_V | PTE_A);
    x1(ld, VW(2), 0);
    report("gpf.vs-sv39.load-g-nonleaf-a", is_gpf(21, CODE, VW(2) + 16, VT_GPA + 16, 0x3000));
    gwin1[0] = PTE(PA(gwin0), PTE_V | PTE_U);
    x1(ld, VW(2), 0);
    report("gpf.vs-sv39.load-g-nonleaf-u", is_gpf(21, CODE, VW(2) + 16, VT_GPA + 16, 0x3000));
    C.vsatp = 0;
    x1(ld, W(3), 0);
    report("gpf.vs-bare.load-g-nonleaf-u", is_gpf(21, CODE, W(3) + 16, W(3) + 16, xf_load(ld)));
    gwin1[0] = PTE(PA(gwin0), PTE_V | PTE_D);
    x1(ld, W(3), 0);
    report("gpf.vs-bare.load-g-nonleaf-d", is_gpf(21, CODE, W(3) + 16, W(3) + 16, xf_load(ld)));
    gwin1[0] = PTE(PA(gwin0), PTE_V);
    x1(ld, W(3), 0);
    report("gpf.vs-bare.load-g-nonleaf-ok", is_done_v(pgT[2]));
    /* superpages */
    cfg_reset();
    x1(LD(R_A0, R_A0, 0), GBIG + 0x1000, 0);
    report("gpf.load-g-2m-leaf", is_done_v(0x2b1000002b100000ull));
    gwin1[1] = PTE(big + 0x1000, GL);
    x1(LD(R_A0, R_A0, 0), GBIG + 0x1000, 0);
    report("gpf.load-g-2m-leaf-misaligned", is_gpf(21, CODE, GBIG + 0x1000, GBIG + 0x1000, xf_load(LD(R_A0, R_A0, 0))));
    cfg_reset();
    C.vsatp = VSATP_S;
    vwin0[3] = PTE(GBIG + 0x1000, VL);
    x1(LD(R_A0, R_A0, 0), VW(3) + 0x238, 0);
    report("gpf.vs-sv39.load-via-g-2m-leaf", is_done_v(0x2b16b16b16b16b16ull));
    g39[GX4 >> 30] = PTE(0x80000000ull + 0x200000, GL);
    C.vsatp = 0;
    x1(LD(R_A0, R_A0, 0), GX4 + 8, 0);
    report("gpf.load-g-1g-leaf-misaligned", is_gpf(21, CODE, GX4 + 8, GX4 + 8, xf_load(LD(R_A0, R_A0, 0))));
    /* GPA beyond the Sv39x4 width (41 bits) */
    cfg_reset();
    x1(LD(R_A0, R_A0, 0), (1ull << 41) | 0x1008, 0);
    report("gpf.vs-bare.load-gpa-bit41",
           is_gpf(21, CODE, (1ull << 41) | 0x1008, (1ull << 41) | 0x1008, xf_load(LD(R_A0, R_A0, 0))));
    x1(SD(R_A0, R_A1, 0), (1ull << 41) | 0x1008, 0);
    report("gpf.vs-bare.store-gpa-bit41",
           is_gpf(23, CODE, (1ull << 41) | 0x1008, (1ull << 41) | 0x1008, xf_store(SD(R_A0, R_A1, 0))));
    C.vsatp = VSATP_S;
    vwin0[3] = PTE((1ull << 41) | 0x3000, VL);
    x1(LD(R_A0, R_A0, 0), VW(3) + 0x18, 0);
    report("gpf.vs-sv39.load-gpa-bit41", is_gpf(21, CODE, VW(3) + 0x18, (1ull << 41) | 0x3018, xf_load(LD(R_A0, R_A0, 0))));
    /* a VS table page the G-stage does not map: implicit access, htinst 0x3000 */
    cfg_reset();
    C.vsatp = VSATP_S;
    gwin0[0x10] = 0;
    x1(LD(R_A0, R_A0, 0), VW(1) + 8, 0);
    report("gpf.vs-table-unmapped.load", is_gpf(21, CODE, VW(1) + 8, VT_GPA + 8, 0x3000));
    x1(SD(R_A0, R_A1, 0), VW(1) + 8, 0);
    report("gpf.vs-table-unmapped.store", is_gpf(23, CODE, VW(1) + 8, VT_GPA + 8, 0x3000));
    x1(JALR0(R_A0, 0), VW(1), 0);
    report("gpf.vs-table-unmapped.fetch", is_gpf(20, VW(1), VW(1), VT_GPA + 8, 0x3000));
    gwin0[0x10] = PTE(PA(vwin0), GL & ~PTE_U);
    x1(LD(R_A0, R_A0, 0), VW(1) + 8, 0);
    report("gpf.vs-table-g-not-user.load", is_gpf(21, CODE, VW(1) + 8, VT_GPA + 8, 0x3000));
    gwin0[0x10] = PTE(PA(vwin0), RO);
    x1(SD(R_A0, R_A1, 0), VW(1) + 8, 0x4242);
    report("gpf.vs-table-g-readonly.store", is_done() && pgC[1] == 0x4242);
    vu_sv39();
    gwin0[0x10] = 0;
    x1(LD(R_A0, R_A0, 0), VW(1) + 8, 0);
    report("gpf.vu-sv39.vs-table-unmapped.load", is_gpf(21, CODE + ALIAS, VW(1) + 8, VT_GPA + 8, 0x3000));
    /* the VS root at a GPA the G-stage does not map */
    cfg_reset();
    C.vsatp = (8ull << 60) | (W(8) >> 12);
    x1(LD(R_A0, R_A0, 0), VW(0), 0);
    report("gpf.vs-root-unmapped", is_gpf(20, CODE, CODE, W(8) + 8 * ((CODE >> 30) & 511), 0x3000));
    /* compressed store to a read-only G leaf: htinst is the 32-bit form with bit 1 clear */
    cfg_reset();
    set_t(RO);
    x1(C_SW_A1_A0, W(3) + 0x20, 5);
    report("gpf.c.sw-g-readonly", is_gpf(23, CODE, W(3) + 0x20, W(3) + 0x20, 0x00b02021u));
    /* HFENCE.GVMA after changing a G leaf: L2 sees the new page */
    cfg_reset();
    C.nofence = 1;
    fence_all();
    x1(LD(R_A0, R_A0, 0), W(0) + 8, 0);
    report("fence.gvma.before", is_done_v(pgB[1]));
    gwin0[0] = PTE(PA(pgC), GL);
    hfence_gvma_gpa(W(0));
    x1(LD(R_A0, R_A0, 0), W(0) + 8, 0);
    report("fence.gvma-gpa.after", is_done_v(pgC[1]));
    gwin0[0] = PTE(PA(pgD), GL);
    hfence_gvma_vmid(0);
    x1(LD(R_A0, R_A0, 0), W(0) + 8, 0);
    report("fence.gvma-vmid.after", is_done_v(pgD[1]));
    gwin0[0] = PTE(PA(pgA), GL);
    fence_all();
    x1(LD(R_A0, R_A0, 0), W(0) + 8, 0);
    report("fence.gvma-all.after", is_done_v(pgA[1]));
    gwin0[0] = 0;
    hfence_gvma_gpa(W(0));
    x1(LD(R_A0, R_A0, 0), W(0) + 8, 0);
    report("fence.gvma-gpa.unmapped", is_gpf(21, CODE, W(0) + 8, W(0) + 8, xf_load(LD(R_A0, R_A0, 0))));
    /* HFENCE.VVMA after changing a VS leaf */
    cfg_reset();
    C.nofence = 1;
    C.vsatp = VSATP_S;
    fence_all();
    x1(LD(R_A0, R_A0, 0), VW(0) + 8, 0);
    report("fence.vvma.before", is_done_v(pgB[1]));
    vwin0[0] = PTE(W(2), VL);
    hfence_vvma_va(VW(0));
    x1(LD(R_A0, R_A0, 0), VW(0) + 8, 0);
    report("fence.vvma-va.after", is_done_v(pgD[1]));
    /* the same changes made by L1 while L2 runs (service 5, 6) */
    cfg_reset();
    {
        uint32_t p[6] = { LD(R_A2, R_A1, 0), ADDI(16, 0, 5), ADDI(17, 0, SVC_MAGIC), I_ECALL, ADDI(17, 0, 0), LD(R_A3, R_A1, 0) };
        xrun(p, 6, 0, W(0) + 16);
        check("fence.gvma.during-run", kind == R_DONE && l2_frame[12] == pgB[2] && l2_frame[13] == pgD[2],
              "%s before %x after %x", kind == R_DONE ? "done" : "trap", l2_frame[12], l2_frame[13]);
        cfg_reset();
        C.vsatp = VSATP_S;
        uint32_t q[6] = { LD(R_A2, R_A1, 0), ADDI(16, 0, 6), ADDI(17, 0, SVC_MAGIC), I_ECALL, ADDI(17, 0, 0), LD(R_A3, R_A1, 0) };
        xrun(q, 6, 0, VW(0) + 16);
        check("fence.vvma.during-run", kind == R_DONE && l2_frame[12] == pgB[2] && l2_frame[13] == pgC[2],
              "%s before %x after %x", kind == R_DONE ? "done" : "trap", l2_frame[12], l2_frame[13]);
    }
    /* L2 rewrites its own VS PTE and fences with sfence.vma */
    cfg_reset();
    C.vsatp = VSATP_S;
    arun(l2_selfpt, PA(&vwin0[0]), PTE(W(2), VL), VW(0) + 0x18, 0, 0, 0, 0);
    report("fence.l2-own-pte-sfence", is_done_v(pgD[3]) && vwin0[0] == PTE(W(2), VL));
    /* SUM in L2's vsstatus for a U page accessed from VS */
    cfg_reset();
    C.vsatp = VSATP_S;
    vwin0[0] |= PTE_U;
    x1(LD(R_A0, R_A0, 0), VW(0), 0);
    report("vspf.vs-load-u-page", is_l1(13, CODE, VW(0)) && bit(X.hstatus, 6));
    C.vsstatus = S_SUM;
    x1(LD(R_A0, R_A0, 0), VW(0), 0);
    report("vspf.vs-load-u-page-sum", is_done_v(pgB[0]));
    C.hedeleg = DELEG_ALL;
    x1(JALR0(R_A0, 0), VW(0), 0);
    report("vspf.vs-fetch-u-page-sum.deleg", is_l2(12, VW(0), VW(0)));
}

/* ---- 4: A/D bits ---- */

static uint64_t flags(uint64_t pte) { return pte & 0xff; }

static void test_ad(void)
{
    struct sbiret r = sbi_call(SBI_EXT_FWFT, 1, FWFT_AD, 0, 0);
    check("ad.fwft-get-default", r.error == 0, "err %d value %d", r.error, r.value);
    const uint64_t nad = PTE_V | PTE_R | PTE_W | PTE_X | PTE_U;
    for (int hw = 1; hw >= 0; hw--) {
        r = sbi_call(SBI_EXT_FWFT, 0, FWFT_AD, (long)hw, 0);
        const char *pre = hw ? "ad.g-hw." : "ad.g-nohw.";
        check(nm(pre, "fwft-set"), r.error == 0, "err %d", r.error);
        cfg_reset();
        set_t(nad);
        x1(LD(R_A0, R_A0, 0), W(3) + 8, 0);
        report_(nm(pre, "load-a0"), hw ? is_done_v(pgT[1]) && flags(gwin0[3]) == (nad | PTE_A)
                                       : is_gpf(21, CODE, W(3) + 8, W(3) + 8, xf_load(LD(R_A0, R_A0, 0)))
                                             && flags(gwin0[3]) == nad, 1);
        check(nm(pre, "load-a0.pte"), hw ? flags(gwin0[3]) == (nad | PTE_A) : flags(gwin0[3]) == nad, "%x", flags(gwin0[3]));
        set_t(nad | PTE_A);
        x1(SD(R_A0, R_A1, 0), W(3) + 8, 0x77);
        report_(nm(pre, "store-d0"), hw ? is_done() && pgT[1] == 0x77
                                        : is_gpf(23, CODE, W(3) + 8, W(3) + 8, xf_store(SD(R_A0, R_A1, 0))), 0);
        check(nm(pre, "store-d0.pte"), flags(gwin0[3]) == (hw ? nad | PTE_A | PTE_D : nad | PTE_A), "%x", flags(gwin0[3]));
        set_t(nad);
        x1(SD(R_A0, R_A1, 0), W(3) + 8, 0x78);
        check(nm(pre, "store-a0-d0.pte"), hw ? kind == R_DONE && flags(gwin0[3]) == (nad | PTE_A | PTE_D)
                                             : kind == R_L1 && X.cause == 23 && flags(gwin0[3]) == nad,
              "%s cause %x pte %x", kind == R_DONE ? "done" : "trap", kind == R_DONE ? 0 : X.cause, flags(gwin0[3]));
        set_t(nad);
        pgT[0] = I_ECALL;
        x1(JALR0(R_A0, 0), W(3), 0);
        report_(nm(pre, "fetch-a0"), hw ? is_l1(10, W(3), 0) : is_gpf(20, W(3), W(3), W(3), 0), 0);
        check(nm(pre, "fetch-a0.pte"), flags(gwin0[3]) == (hw ? nad | PTE_A : nad), "%x", flags(gwin0[3]));
        /* the G leaf of a VS table page: the implicit access is a read */
        C.vsatp = VSATP_S;
        gwin0[0x10] = PTE(PA(vwin0), nad);
        x1(LD(R_A0, R_A0, 0), VW(1) + 0x10, 0);
        report_(nm(pre, "vs-table-g-a0"), hw ? is_done_v(pgC[2]) : is_gpf(21, CODE, VW(1) + 0x10, VT_GPA + 8, 0x3000), 1);
        check(nm(pre, "vs-table-g-a0.pte"), flags(gwin0[0x10]) == (hw ? nad | PTE_A : nad), "%x", flags(gwin0[0x10]));
        /* henvcfg.ADUE is writable only with the firmware's menvcfg.ADUE */
        CW(HENVCFG, ENV_ADUE);
        uint64_t he = CR(HENVCFG);
        CW(HENVCFG, 0);
        check(nm(pre, "henvcfg-adue"), bit(he, 61) == (uint64_t)hw, "%d", (long)bit(he, 61));
        /* VS-stage leaves with A or D clear, henvcfg.ADUE set */
        cfg_reset();
        C.vsatp = VSATP_S;
        C.henvcfg = ENV_ADUE;
        vwin0[1] = PTE(W(1), PTE_V | PTE_R | PTE_W | PTE_X);
        x1(LD(R_A0, R_A0, 0), VW(1) + 8, 0);
        report(nm(pre, "vs-adue1.load-a0"), hw ? is_done_v(pgC[1]) : is_l1(13, CODE, VW(1) + 8));
        check(nm(pre, "vs-adue1.load-a0.pte"), flags(vwin0[1]) == (hw ? 0x4f : 0x0f), "%x", flags(vwin0[1]));
        x1(SD(R_A0, R_A1, 0), VW(1) + 8, 0x55);
        report_(nm(pre, "vs-adue1.store-d0"), hw ? is_done() : is_l1(15, CODE, VW(1) + 8), 0);
        check(nm(pre, "vs-adue1.store-d0.pte"), flags(vwin0[1]) == (hw ? 0xcf : 0x0f), "%x", flags(vwin0[1]));
    }
    r = sbi_call(SBI_EXT_FWFT, 0, FWFT_AD, 1, 0);
    check("ad.fwft-restore", r.error == 0, "err %d", r.error);
    /* VS-stage leaves with henvcfg.ADUE clear: page faults, to L1 or L2 */
    for (int deleg = 0; deleg < 2; deleg++) {
        const char *pre = deleg ? "ad.vs-adue0.deleg." : "ad.vs-adue0.";
        cfg_reset();
        C.vsatp = VSATP_S;
        C.hedeleg = deleg ? DELEG_ALL : 0;
        vwin0[1] = PTE(W(1), PTE_V | PTE_R | PTE_W | PTE_X);
        x1(LD(R_A0, R_A0, 0), VW(1) + 8, 0);
        report(nm(pre, "load-a0"), (deleg ? is_l2(13, CODE, VW(1) + 8) : is_l1(13, CODE, VW(1) + 8)) && flags(vwin0[1]) == 0x0f);
        vwin0[1] = PTE(W(1), PTE_V | PTE_R | PTE_W | PTE_X | PTE_A);
        x1(SD(R_A0, R_A1, 0), VW(1) + 8, 0x56);
        report(nm(pre, "store-d0"), (deleg ? is_l2(15, CODE, VW(1) + 8) : is_l1(15, CODE, VW(1) + 8)) && flags(vwin0[1]) == 0x4f);
        vwin0[6] = PTE(W(3), PTE_V | PTE_X);
        pgT[0] = I_ECALL;
        x1(JALR0(R_A0, 0), VW(6), 0);
        report(nm(pre, "fetch-a0"), (deleg ? is_l2(12, VW(6), VW(6)) : is_l1(12, VW(6), VW(6))) && flags(vwin0[6]) == 0x09);
    }
}

/* ---- 5: interrupts ---- */

#define BOUND 20000
#define TICKS 50000000ull                  /* 5 s: a bound, never reached when all is well */

static int in_range(uint64_t epc, char *from, char *to)
{
    return epc >= PA(from) + C.off && epc < PA(to) + C.off;
}

/* [from, to): the payload at `from`, `to` the next one in conf_l2_asm.S */

/* L2 enables sie bits `ie` (and SIE when sieon), optionally sets sip `ip`,
 * and waits for `want` interrupts anywhere. */
static void irq_run(uint64_t ie, int sieon, uint64_t ip, uint64_t want, uint64_t bound)
{
    arun(l2_irq_wait, ie, (uint64_t)sieon, PA(&sh.nseq) + C.off, want, bound, ip, 0);
}

static void irq_report(const char *name, const char *want)
{
    const char *s = seq_str();
    int ok = kind == R_DONE;
    for (unsigned i = 0; ok && (s[i] || want[i]); i++)
        ok = s[i] == want[i];
    check(name, ok, "%s seq %s", kind == R_DONE ? "done" : "trap", s);
}

static void test_irq(void)
{
    /* delegated VS interrupts from hvip, taken by L2 */
    static const struct { const char *name; uint64_t hvip, ie; const char *want; uint64_t icause; } dv[] = {
        { "irq.deleg.vssip", 1 << 2, 1 << 1, "L2:i1", IRQ | 1 },
        { "irq.deleg.vstip", 1 << 6, 1 << 5, "L2:i5", IRQ | 5 },
        { "irq.deleg.vseip", 1 << 10, 1 << 9, "L2:i9", IRQ | 9 },
    };
    for (unsigned i = 0; i < ARRAY_SIZE(dv); i++) {
        cfg_reset();
        C.hideleg = 0x444;
        C.hvip = dv[i].hvip;
        irq_run(dv[i].ie, 1, 0, 1, BOUND);
        irq_report(dv[i].name, dv[i].want);
        check(nm(dv[i].name, ".l2-view"), sh.icause == dv[i].icause && bit(sh.istatus, 8) && bit(sh.istatus, 5)
              && in_range(sh.iepc, l2_irq_wait, l2_time_wait),
              "scause %x SPP %d SPIE %d epc-in-payload %d", sh.icause, (long)bit(sh.istatus, 8),
              (long)bit(sh.istatus, 5), (long)in_range(sh.iepc, l2_irq_wait, l2_time_wait));
        check(nm(dv[i].name, ".hvip-after"), post_hvip == (dv[i].hvip == 4 ? 0 : dv[i].hvip), "%x", post_hvip);
    }
    cfg_reset();
    C.hideleg = 0x444;
    C.hvip = 0x444;
    irq_run(0x222, 1, 0, 3, BOUND);
    irq_report("irq.deleg.all-three-priority", "L2:i1 L2:i5 L2:i9");     /* QEMU: lowest number first */
    /* delegated but L2's SIE clear in VS: not taken, pending in vsip */
    cfg_reset();
    C.hideleg = 0x444;
    C.hvip = 1 << 2;
    irq_run(1 << 1, 0, 0, 1, BOUND);
    irq_report("irq.deleg.vs-sie0", "-");
    check("irq.deleg.vs-sie0.vsip", post_vsip == 2 && post_hip == 4, "vsip %x hip %x", post_vsip, post_hip);
    /* delegated, L2 in VU with SIE clear: taken (VU < VS) */
    cfg_reset();
    C.mode = MODE_U;
    C.hideleg = 0x444;
    C.hvip = 1 << 2;
    C.vsie = 1 << 1;
    irq_run(0, 0, 0, 1, BOUND);
    irq_report("irq.deleg.vu-sie0", "L2:i1");
    check("irq.deleg.vu-sie0.l2-view", sh.icause == (IRQ | 1) && !bit(sh.istatus, 8) && !bit(sh.istatus, 5),
          "scause %x SPP %d SPIE %d", sh.icause, (long)bit(sh.istatus, 8), (long)bit(sh.istatus, 5));
    /* L2 sets its own sip.SSIP (= hvip.VSSIP) */
    cfg_reset();
    C.hideleg = 0x444;
    irq_run(1 << 1, 1, 1 << 1, 1, BOUND);
    irq_report("irq.deleg.l2-self-ssip", "L2:i1");
    /* not delegated, enabled in hie: L1 takes the VS interrupt with SPV=1 */
    static const struct { const char *name; uint64_t bitn; const char *want; } nd[] = {
        { "irq.hs.vssip", 2, "L1:i2" }, { "irq.hs.vstip", 6, "L1:i6" }, { "irq.hs.vseip", 10, "L1:i10" },
    };
    for (unsigned i = 0; i < ARRAY_SIZE(nd); i++) {
        for (int m = 0; m < 2; m++) {
            cfg_reset();
            C.mode = m ? MODE_U : MODE_S;
            C.hvip = 1ull << nd[i].bitn;
            C.hie = 1ull << nd[i].bitn;
            irq_run(0, 0, 0, 1, BOUND);
            const char *n = nm(nd[i].name, m ? ".vu" : ".vs");
            char n2[64];
            unsigned k = 0;
            while (n[k]) { n2[k] = n[k]; k++; }
            n2[k] = 0;
            irq_report(n2, nd[i].want);
            check(nm(n2, ".l1-view"), nirq == 1 && IV[0].cause == (IRQ | nd[i].bitn) && bit(IV[0].hstatus, 7)
                  && bit(IV[0].hstatus, 8) == (uint64_t)!m && bit(IV[0].sstatus, 8) == (uint64_t)!m
                  && !bit(IV[0].hstatus, 6) && in_range(IV[0].epc, l2_irq_wait, l2_time_wait),
                  "scause %x SPV %d SPVP %d SPP %d GVA %d epc-in-payload %d", IV[0].cause, (long)bit(IV[0].hstatus, 7),
                  (long)bit(IV[0].hstatus, 8), (long)bit(IV[0].sstatus, 8), (long)bit(IV[0].hstatus, 6),
                  (long)in_range(IV[0].epc, l2_irq_wait, l2_time_wait));
        }
    }
    cfg_reset();
    C.hvip = 1 << 2;
    irq_run(1 << 1, 1, 0, 1, BOUND);
    irq_report("irq.hs.vssip-not-enabled", "-");
    cfg_reset();
    C.hvip = 0x444;
    C.hie = 0x444;
    irq_run(0, 0, 0, 3, BOUND);
    irq_report("irq.hs.all-three-priority", "L1:i2 L1:i6 L1:i10");
    cfg_reset();
    C.hideleg = 1 << 2;
    C.hvip = 0x404;
    C.hie = 1 << 10;
    irq_run(1 << 1, 1, 0, 2, BOUND);
    irq_report("irq.mixed.hs-vseip-before-l2-vssip", "L1:i10 L2:i1");
    /* L1's own interrupts while L2 runs */
    cfg_reset();
    C.stimecmp = 0;
    C.sie = 1 << 5;
    C.hie = 1 << 10;
    C.hvip = 1 << 10;
    irq_run(0, 0, 0, 2, BOUND);
    irq_report("irq.mixed.stip-before-vseip", "L1:i5 L1:i10");
    cfg_reset();
    C.stimecmp = 0;
    C.sie = 1 << 5;
    C.hideleg = 1 << 2;
    C.hvip = 1 << 2;
    irq_run(1 << 1, 1, 0, 2, BOUND);
    irq_report("irq.mixed.stip-before-l2-vssip", "L1:i5 L2:i1");
    cfg_reset();
    csr_set(sip, 2);
    C.sie = 1 << 1;
    irq_run(0, 0, 0, 1, BOUND);
    irq_report("irq.l1.ssip-pending-at-entry", "L1:i1");
    check("irq.l1.ssip-pending-at-entry.l1-view", nirq == 1 && bit(IV[0].hstatus, 7) && IV[0].cause == (IRQ | 1),
          "scause %x SPV %d", IV[0].cause, (long)bit(IV[0].hstatus, 7));
    /* L1's timer preempts L2's loop */
    for (int m = 0; m < 2; m++) {
        cfg_reset();
        C.mode = m ? MODE_U : MODE_S;
        C.stimecmp = csr_read(time) + 20000;
        C.sie = 1 << 5;
        arun(l2_time_wait, 0, 0, PA(&sh.nseq), 1, TICKS, 0, 0);
        const char *n = m ? "irq.l1.timer-preempts-vu" : "irq.l1.timer-preempts-vs";
        irq_report(n, "L1:i5");
        check(nm(n, ".l1-view"), nirq == 1 && IV[0].cause == (IRQ | 5) && bit(IV[0].hstatus, 7)
              && bit(IV[0].hstatus, 8) == (uint64_t)!m && bit(IV[0].sstatus, 8) == (uint64_t)!m
              && in_range(IV[0].epc, l2_time_wait, l2_wfi_wait),
              "scause %x SPV %d SPVP %d SPP %d epc-in-loop %d", IV[0].cause, (long)bit(IV[0].hstatus, 7),
              (long)bit(IV[0].hstatus, 8), (long)bit(IV[0].sstatus, 8), (long)in_range(IV[0].epc, l2_time_wait, l2_wfi_wait));
    }
    cfg_reset();
    C.stimecmp = csr_read(time) + 20000;
    C.sie = 1 << 5;
    arun(l2_wfi_wait, 0, 0, PA(&sh.nseq), 1, 10000000, 0, 0);
    irq_report("irq.l1.timer-wakes-l2-wfi", "L1:i5");
    check("irq.l1.timer-wakes-l2-wfi.l1-view",
          nirq == 1 && bit(IV[0].hstatus, 7) && in_range(IV[0].epc, l2_wfi_wait, l2_svc_wait),
          "SPV %d epc-in-loop %d", (long)bit(IV[0].hstatus, 7), (long)in_range(IV[0].epc, l2_wfi_wait, l2_svc_wait));
    /* services: an SBI IPI to itself, L1's timer, an injected VSSIP */
    cfg_reset();
    C.sie = 1 << 1;
    arun(l2_svc_wait, 0, 0, PA(&sh.nseq), 1, TICKS, 1, 0);
    irq_report("irq.l1.sbi-ipi-while-l2-runs", "L1:i1");
    check("irq.l1.sbi-ipi-while-l2-runs.l1-view", l2_frame[9] == 0 && nirq == 1 && bit(IV[0].hstatus, 7)
          && in_range(IV[0].epc, l2_svc_wait, l2_vstimer),
          "sbi err %d SPV %d epc-in-loop %d", (long)l2_frame[9], (long)bit(IV[0].hstatus, 7),
          (long)in_range(IV[0].epc, l2_svc_wait, l2_vstimer));
    cfg_reset();
    arun(l2_svc_wait, 0, 0, PA(&sh.nseq), 1, TICKS, 2, 0);
    irq_report("irq.l1.timer-set-in-handler", "L1:i5");
    cfg_reset();
    C.hideleg = 1 << 2;
    C.vsie = 1 << 1;
    C.vsstatus = S_SIE;
    arun(l2_svc_wait, 0, 0, PA(&sh.nseq), 1, TICKS, 3, 1 << 2);
    irq_report("irq.deleg.injected-while-l2-runs", "L2:i1");
    /* Sstc: vstimecmp against time + htimedelta */
    cfg_reset();
    CW(HENVCFG, ENV_STCE);
    CW(HTIMEDELTA, 0);
    CW(VSTIMECMP, 1ull << 40);
    uint64_t hip0 = bit(CR(HIP), 6);
    CW(HTIMEDELTA, 1ull << 40);
    uint64_t hip1 = bit(CR(HIP), 6);
    CW(VSTIMECMP, ~0ull);
    uint64_t hip2 = bit(CR(HIP), 6);
    CW(HTIMEDELTA, 0);
    CW(HENVCFG, 0);
    check("irq.vstimecmp.hip-vs-htimedelta", !hip0 && hip1 && !hip2, "delta 0: %d, delta 2^40: %d, cmp ~0: %d",
          (long)hip0, (long)hip1, (long)hip2);
    cfg_reset();
    C.henvcfg = ENV_STCE;
    C.htimedelta = 1ull << 40;
    C.vstimecmp = 1ull << 40;
    C.hideleg = 1 << 6;
    irq_run(1 << 5, 1, 0, 1, BOUND);
    irq_report("irq.vstimecmp.deleg", "L2:i5");
    check("irq.vstimecmp.deleg.l2-view", sh.icause == (IRQ | 5), "scause %x", sh.icause);
    cfg_reset();
    C.henvcfg = ENV_STCE;
    C.htimedelta = 1ull << 40;
    C.vstimecmp = 1ull << 40;
    C.hie = 1 << 6;
    irq_run(0, 0, 0, 1, BOUND);
    irq_report("irq.vstimecmp.hs", "L1:i6");
    cfg_reset();
    C.henvcfg = ENV_STCE;
    C.vstimecmp = 1ull << 40;
    C.hideleg = 1 << 6;
    irq_run(1 << 5, 1, 0, 1, BOUND);
    irq_report("irq.vstimecmp.future", "-");
    /* L2 programs its own timer (stimecmp = vstimecmp at V=1) */
    static const struct { const char *name; uint64_t delta, add; const char *want; } lt[] = {
        { "irq.l2-stimecmp.past", 0, (uint64_t)-1, "L2:i5" },
        { "irq.l2-stimecmp.future", 0, 1ull << 40, "-" },
        { "irq.l2-stimecmp.past-htimedelta", 1ull << 50, (uint64_t)-1, "L2:i5" },
    };
    for (unsigned i = 0; i < ARRAY_SIZE(lt); i++) {
        cfg_reset();
        C.henvcfg = ENV_STCE;
        C.htimedelta = lt[i].delta;
        C.hideleg = 1 << 6;
        arun(l2_vstimer, lt[i].add, 1 << 5, PA(&sh.nseq), 1, BOUND, 0, 0);
        irq_report(lt[i].name, lt[i].want);
        check(nm(lt[i].name, ".vstimecmp"), post_vstimecmp == l2_frame[9] && (lt[i].delta == 0 || l2_frame[9] >= lt[i].delta),
              "vstimecmp is what L2 wrote %d, includes htimedelta %d", (long)(post_vstimecmp == l2_frame[9]),
              (long)(lt[i].delta == 0 || l2_frame[9] >= lt[i].delta));
    }
}

/* ---- 6: counters ---- */

static void test_counters(void)
{
    static const uint64_t deltas[] = { 0, 0x123456789abcull, (uint64_t)-(1ll << 50) };
    static const char *const names[] = { "cnt.rdtime.delta0", "cnt.rdtime.delta-positive", "cnt.rdtime.delta-negative" };
    for (unsigned i = 0; i < 3; i++) {
        for (int m = 0; m < 2; m++) {
            cfg_reset();
            C.mode = m ? MODE_U : MODE_S;
            C.htimedelta = deltas[i];
            uint64_t t0 = csr_read(time);
            arun(l2_counters, 0, 0, 0, 0, 0, 0, 0);
            uint64_t t1 = csr_read(time);
            uint64_t v0 = l2_frame[10] - deltas[i] - t0, v1 = l2_frame[11] - deltas[i] - t0;
            int ok = kind == R_DONE && v0 <= t1 - t0 && v1 <= t1 - t0 && v1 >= v0;
            check(nm(names[i], m ? ".vu" : ".vs"), ok, "%s time-htimedelta within L1's reads %d",
                  kind == R_DONE ? "done" : "trap", (long)ok);
            if (i == 0) {
                check(m ? "cnt.cycle-instret.vu" : "cnt.cycle-instret.vs",
                      kind == R_DONE && l2_frame[13] >= l2_frame[12] && l2_frame[15] >= l2_frame[14],
                      "cycle monotonic %d instret monotonic %d", (long)(l2_frame[13] >= l2_frame[12]),
                      (long)(l2_frame[15] >= l2_frame[14]));
            }
        }
    }
    /* one bit of hcounteren clear at a time: the first counter read that traps */
    static const struct { const char *name; uint64_t hc; uint64_t off; } cz[] = {
        { "cnt.hcounteren-tm0", 5, 0 }, { "cnt.hcounteren-cy0", 6, 8 }, { "cnt.hcounteren-ir0", 3, 16 },
    };
    for (unsigned i = 0; i < ARRAY_SIZE(cz); i++) {
        cfg_reset();
        C.hcounteren = cz[i].hc;
        arun(l2_counters, 0, 0, 0, 0, 0, 0, 0);
        uint64_t epc = PA(l2_counters) + cz[i].off;
        report_(cz[i].name, is_l1(22, epc, *(uint32_t *)(uintptr_t)epc), 0);
    }
    cfg_reset();
    C.mode = MODE_U;
    C.scounteren = 6;
    arun(l2_counters, 0, 0, 0, 0, 0, 0, 0);
    report_("cnt.vu.scounteren-cy0", is_l1(22, PA(l2_counters) + 8, *(uint32_t *)(uintptr_t)(PA(l2_counters) + 8)), 0);
}

/* ---- 7: what L2 reaches through L1's tables ---- */

static void test_security(void)
{
    static const struct { const char *name; int slot; } sc[] = {
        { "sec.g-leaf-above-ram", 4 }, { "sec.g-leaf-at-0", 5 }, { "sec.g-leaf-firmware", 6 },
    };
    for (unsigned i = 0; i < ARRAY_SIZE(sc); i++) {
        for (int deleg = 0; deleg < 2; deleg++) {
            cfg_reset();
            C.hedeleg = deleg ? DELEG_ALL : 0;
            uint64_t a = W(sc[i].slot) + 0x10;
            const char *pre = nm(sc[i].name, deleg ? ".deleg." : ".");
            char p2[64];
            unsigned k = 0;
            while (pre[k]) { p2[k] = pre[k]; k++; }
            p2[k] = 0;
            x1(LD(R_A0, R_A0, 0), a, 0);
            report(nm(p2, "load"), deleg ? is_l2(5, CODE, a) : is_l1(5, CODE, a) && bit(X.hstatus, 6));
            x1(SD(R_A0, R_A1, 0), a, 0);
            report(nm(p2, "store"), deleg ? is_l2(7, CODE, a) : is_l1(7, CODE, a) && bit(X.hstatus, 6));
            if (i == 0) {
                x1(JALR0(R_A0, 0), a, 0);
                report(nm(p2, "fetch"), deleg ? is_l2(1, a, a) : is_l1(1, a, a) && bit(X.hstatus, 6));
            }
        }
    }
    /* VS-stage Sv39 leaf to a GPA whose G leaf points above RAM */
    cfg_reset();
    C.vsatp = VSATP_S;
    vwin0[3] = PTE(W(4), VL);
    x1(LD(R_A0, R_A0, 0), VW(3) + 0x20, 0);
    report("sec.vs-sv39.g-leaf-above-ram.load", is_l1(5, CODE, VW(3) + 0x20) && bit(X.hstatus, 6));
    /* hgatp Bare: L2's GPAs are L1's PAs */
    cfg_reset();
    C.hgatp = 0;
    x1(LD(R_A0, R_A0, 0), hole + 0x10, 0);
    report("sec.g-bare.load-above-ram", is_l1(5, CODE, hole + 0x10));
    x1(LD(R_A0, R_A0, 0), 0x80000000ull, 0);
    report("sec.g-bare.load-firmware", is_l1(5, CODE, 0x80000000ull));
    /* G-stage root or table above RAM */
    cfg_reset();
    C.hgatp = (8ull << 60) | (hole >> 12);
    x1(LD(R_A0, R_A0, 0), PA(pgA), 0);
    report("sec.hgatp-root-above-ram", is_gpf(20, CODE, CODE, CODE, 0));
    cfg_reset();
    gwin1[7] = PTE(hole, PTE_V);
    x1(LD(R_A0, R_A0, 0), GWIN + (7ull << 21) + 8, 0);
    uint64_t a = GWIN + (7ull << 21) + 8;
    report("sec.g-table-above-ram", is_gpf(21, CODE, a, a, xf_load(LD(R_A0, R_A0, 0))));
    /* G-stage non-leaf PTEs pointing at their own table: a bounded walk */
    cfg_reset();
    g39[3] = PTE(PA(g39), PTE_V);
    uint64_t loop = (3ull << 30) | (3ull << 21) | (3ull << 12) | 8;
    x1(LD(R_A0, R_A0, 0), loop, 0);
    report("sec.g-loop-root", is_gpf(21, CODE, loop, loop, xf_load(LD(R_A0, R_A0, 0))));
    cfg_reset();
    gwin1[5] = PTE(PA(gwin1), PTE_V);
    loop = GWIN | (5ull << 21) | (5ull << 12) | 8;
    x1(LD(R_A0, R_A0, 0), loop, 0);
    report("sec.g-loop-level1", is_gpf(21, CODE, loop, loop, xf_load(LD(R_A0, R_A0, 0))));
    /* ... and one that ends in a leaf: gwin1[1] (the 2 MiB leaf) read as a 4 KiB leaf */
    loop = GWIN | (5ull << 21) | (1ull << 12) | 0x238;
    x1(LD(R_A0, R_A0, 0), loop, 0);
    report("sec.g-loop-level1-to-leaf", is_done_v(0x2b0002382b000238ull));
    /* VS-stage Sv39 self-loop */
    cfg_reset();
    C.vsatp = VSATP_S;
    vroot_s[5] = PTE(PA(vroot_s), PTE_V);
    loop = (5ull << 30) | (5ull << 21) | (5ull << 12);
    x1(LD(R_A0, R_A0, 0), loop, 0);
    report("sec.vs-loop", is_l1(13, CODE, loop));
}

/* ---- 8: floating point ---- */

static void test_fp(void)
{
    static const struct { const char *name; uint64_t hs, vs; int deleg; int mode; } fc[] = {
        { "fp.hs-init.vs-init", S_FS_INIT, S_FS_INIT, 0, MODE_S },
        { "fp.hs-off.vs-init", 0, S_FS_INIT, 0, MODE_S },
        { "fp.hs-off.vs-init.deleg", 0, S_FS_INIT, 1, MODE_S },
        { "fp.hs-init.vs-off", S_FS_INIT, 0, 0, MODE_S },
        { "fp.hs-init.vs-off.deleg", S_FS_INIT, 0, 1, MODE_S },
        { "fp.vu.hs-init.vs-init", S_FS_INIT, S_FS_INIT, 0, MODE_U },
        { "fp.vu.hs-off.vs-init", 0, S_FS_INIT, 0, MODE_U },
    };
    for (unsigned i = 0; i < ARRAY_SIZE(fc); i++) {
        cfg_reset();
        C.mode = fc[i].mode;
        C.sset = fc[i].hs;
        C.vsstatus = fc[i].vs;
        C.hedeleg = fc[i].deleg ? DELEG_ALL : 0;
        uint32_t p[3] = { FMV_D_X(1, R_A0), FMV_X_D(R_A0, 1), CSRR(R_A1, 0x100) };
        int vs = fc[i].mode == MODE_S;          /* VU cannot read sstatus */
        xrun(p, vs ? 3 : 2, 0x400921fb54442d18ull, 0);
        int on = fc[i].hs && fc[i].vs;
        int ok = on ? is_done_v(0x400921fb54442d18ull)
                    : fc[i].deleg ? is_l2(2, CODE, p[0]) : is_l1(2, CODE, p[0]) && X.htinst == pre_htinst;
        report(fc[i].name, ok);
        if (on && vs)
            check(nm(fc[i].name, ".fs-after"), ((post_vsstatus >> 13) & 3) == 3 && ((post_sstatus >> 13) & 3) == 3
                  && ((l2_frame[11] >> 13) & 3) == 3 && bit(l2_frame[11], 63),
                  "L2 sstatus.FS %d SD %d; L1 vsstatus.FS %d SD %d, sstatus.FS %d", (long)((l2_frame[11] >> 13) & 3),
                  (long)bit(l2_frame[11], 63), (long)((post_vsstatus >> 13) & 3), (long)bit(post_vsstatus, 63),
                  (long)((post_sstatus >> 13) & 3));
        else if (on)
            check(nm(fc[i].name, ".fs-after"), ((post_vsstatus >> 13) & 3) == 3 && ((post_sstatus >> 13) & 3) == 3,
                  "L1 vsstatus.FS %d SD %d, sstatus.FS %d", (long)((post_vsstatus >> 13) & 3),
                  (long)bit(post_vsstatus, 63), (long)((post_sstatus >> 13) & 3));
    }
    /* fcsr with vsstatus.FS off; fsd with both on */
    cfg_reset();
    C.sset = S_FS_INIT;
    x1(CSRR(R_A0, 0x003), 0, 0);
    report("fp.csrr-fcsr.vs-off", is_l1(2, CODE, CSRR(R_A0, 0x003)));
    C.vsstatus = S_FS_INIT;
    x1(CSRR(R_A0, 0x003), 0, 0);
    report("fp.csrr-fcsr.vs-init", is_done_v(0));
    {
        uint32_t p[2] = { FMV_D_X(2, R_A1), FSD(R_A0, 2, 8) };
        xrun(p, 2, W(1), 0x1122334455667788ull);
        report("fp.fsd-window", is_done() && pgC[1] == 0x1122334455667788ull);
        set_t(PTE_V | PTE_R | PTE_U | PTE_A | PTE_D);
        xrun(p, 2, W(3), 0x1122334455667788ull);
        report("fp.fsd-g-readonly", is_gpf(23, CODE + 4, W(3) + 8, W(3) + 8, xf_store(p[1])));
    }
}

int main(unsigned long hartid, unsigned long fdt)
{
    (void)hartid;
    conf_init(fdt);
    cprintf("conf_l2: start\n");
    csr_write(sie, 0);
    big = (dt_ram_base + 0x4000000) & ~0x1fffffull;
    hole = dt_ram_end + 0x100000;
    test_warl();
    test_enter();
    test_causes();
    test_virtual();
    test_gpf();
    test_ad();
    test_counters();
    test_irq();
    test_security();
    test_fp();
    CW(HGATP, 0);
    CW(VSATP, 0);
    conf_done("conf_l2");
    return 0;
}
