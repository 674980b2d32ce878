/* Differential fuzzer of L1's virtual H extension.
 *
 * A seeded random sequence of operations that L1 (a hypervisor in HS) can
 * do with the H extension without entering a guest:
 *  - CSR instructions in every form on the H and VS CSRs (read back after);
 *  - HLV/HLVX/HSV of every width, from S and from U (hstatus.HU), on
 *    addresses inside a region where the program keeps random-but-valid
 *    VS-stage tables (Bare/Sv39/Sv48/Sv57) and G-stage tables
 *    (Bare/Sv39x4/Sv48x4/Sv57x4);
 *  - HFENCE.VVMA/GVMA in every operand form (a share of the GVMA ones as
 *    SBI remote fences);
 *  - page-table edits (permissions, A/D, valid bits, reserved bits, remap),
 *    each followed by a random fence form that covers it, so the outcome
 *    never depends on what a TLB happens to hold;
 *  - dirty-logging rounds as KVM makes them (op_dirty: G-stage leaves
 *    write-protected or cleaned and fenced, L2's stores, the fault logged
 *    and the page made writable again);
 *  - runs of its own guest (L2, in VS or VU, through those same tables at
 *    both stages, with a random hedeleg and whatever hideleg/hvip/hie/
 *    vsie/henvcfg/hcounteren the CSR operations left): one load, store,
 *    AMO or LR at an address like the HLV ones, a counter read, a fence or
 *    privileged instruction, or a CSR access, then an ecall. L2's trap
 *    handler (vstvec) ends the run with an ecall too, so every run ends in
 *    L1, which folds what it saw (and vscause/vsepc/vstval when L2's
 *    handler ran).
 * Every result (value, or trap cause/tval/htval/htinst/GVA) folds into a
 * running hash; "chk <n> <hash>" every 1000 ops, each op in full from
 * op verbose_from on. Parameters from /chosen/bootargs:
 * seed=N ops=M verbose_from=K kinds=MASK (which operations, see main)
 * nacl=0 (no SBI nested acceleration even where it is offered),
 * adue=0|1 (A/D faults, or is updated by the hart: SBI FWFT
 * PTE_AD_HW_UPDATING; default the firmware's).
 * The same binary runs natively (the
 * reference) and under rvnest; the outputs must be identical.
 *
 * SBI nested acceleration (NACL): every eligible operation draws a route
 * from the PRNG in every run; where NACL is offered (under rvnest, never
 * natively) the "nacl" route goes through its shared memory instead:
 * a csrrw/csrrwi of an H/VS CSR as the CSR's word and dirty bit and
 * SYNC_CSR of that CSR or of all (the old value read first, as csrrw's rd
 * returns it), an HFENCE as an HFENCE entry of the matching type (order 12
 * or 21: a superset is always allowed) and SYNC_HFENCE of that entry or of
 * all, an L2 entry as hedeleg/vsstatus/vstvec written through the page and
 * SBI SYNC_SRET (which syncs them). Natively the same operations run as
 * CSR instructions, HFENCE instructions and sret, so the two runs execute
 * the same logical operations and must agree. An SBI error folds a value
 * the native run never folds.
 *
 * Safety: every table entry points only at the program's own table pages
 * or data pages, leaves never lose all of R/W/X while valid, and root
 * pointers only ever name the program's roots, so no walk or store leaves
 * the two data regions (A/D updates stay in the tables). */
#include "conf_lib.h"

#define HS_BOOT (2ull << 32)
#define H_SPV (1ull << 7)

/* ---- memory ---- */
static uint64_t arena[512][512] __attribute__((aligned(0x200000)));
static uint64_t arena2[512][512] __attribute__((aligned(0x200000)));
static uint64_t canary[512];

#define NDATA 16
#define P_G39 16      /* 4 pages, 16 KiB aligned */
#define P_G48 20
#define P_G57 24
#define P_G57T3 28
#define P_GL1 29
#define P_GL0 30
#define P_V39 31
#define P_V48 32
#define P_V57 33
#define P_VL1 34
#define P_VL0 35
#define NTABLE_PAGES 20
#define P_L2C 36      /* L2's code: its trap handler and one-instruction stubs */
#define NVS 24        /* VS_L0 leaves; pages NVS..NVS+3 of the window stay unmapped */
#define A2_PAGES 16   /* the part of arena2 the megapages may touch */
#define VA_WIN 0x40000000ull
/* L2's code page under a VS-stage table: VS_L1[2] maps the arena's 2 MiB
 * as an S megapage (VS code, the handler), VS_L1[3] as a U one (VU code). */
#define VA_CODE_S (VA_WIN + 0x400000 + (uint64_t)P_L2C * 4096)
#define VA_CODE_U (VA_WIN + 0x600000 + (uint64_t)P_L2C * 4096)

#define PA(p) ((uint64_t)(uintptr_t)(p))
#define PG(i) PA(arena[i])
#define PTE(pa, fl) (((uint64_t)(pa) >> 12 << 10) | (fl))
#define PTE_PA(pte) (((pte) >> 10 & 0xfffffffffffull) << 12)

static uint64_t *G39 = arena[P_G39], *G48 = arena[P_G48], *G57 = arena[P_G57], *G57T3 = arena[P_G57T3];
static uint64_t *GL1 = arena[P_GL1], *GL0 = arena[P_GL0];
static uint64_t *V39 = arena[P_V39], *V48 = arena[P_V48], *V57 = arena[P_V57];
static uint64_t *VL1 = arena[P_VL1], *VL0 = arena[P_VL0];

static uint64_t seed_state;
static uint64_t rnd(void) { return rnd_next(&seed_state); }
static unsigned rn(unsigned n) { return (unsigned)(rnd() % n); }

static uint64_t hash = 0xcbf29ce484222325ull;
static uint64_t last_folded;
static void fold(uint64_t w)
{
    last_folded = w;
    for (int i = 0; i < 8; i++) {
        hash ^= (w >> (8 * i)) & 0xff;
        hash *= 0x100000001b3ull;
    }
}

/* ---- SBI nested acceleration (see the top) ---- */
#define NACL_EID 0x4E41434Cl
static uint64_t nacl_shm[(4096 + 1024 * 8) / 8] __attribute__((aligned(4096)));
static int nacl_on;
static long nacl_csrs, nacl_fences, nacl_entries, nacl_errors;

static void nacl_check(struct sbiret r)
{
    if (r.error) {
        nacl_errors++;
        fold(0xbad0000000000000ull | (uint64_t)(r.error & 0xff));
    }
}

/* The CSR's word and dirty bit, then SYNC_CSR of it (one) or of all. */
static void nacl_csr(unsigned csr, uint64_t v, int sync, int one)
{
    unsigned i = ((csr & 0xc00) >> 2) | (csr & 0xff);
    nacl_shm[512 + i] = v;
    __asm__ volatile("fence rw, rw" ::: "memory");
    ((volatile uint8_t *)nacl_shm)[0xf80 + i / 8] |= (uint8_t)(1u << (i % 8));
    __asm__ volatile("fence rw, rw" ::: "memory");
    nacl_csrs++;
    if (sync)
        nacl_check(sbi_call(NACL_EID, 2, one ? (long)csr : -1, 0, 0));
}

/* ---- generated stubs ---- */
static uint32_t fz_code[8192] __attribute__((aligned(4096)));
static unsigned fz_n;

static uint64_t gen(const uint32_t *insns, int n, int umode, uint64_t *uexit)
{
    uint64_t at = PA(&fz_code[fz_n]);
    for (int i = 0; i < n; i++)
        fz_code[fz_n++] = insns[i];
    if (uexit)
        *uexit = PA(&fz_code[fz_n]);
    fz_code[fz_n++] = umode ? I_ECALL : 0x00008067u;
    return at;
}

struct fcsr {
    unsigned num;
    const char *name;
    int kind;          /* 0 plain, 1 hstatus (no SPV), 2 xatp (restricted), 3 vsstatus,
                        * 4 time-related (values far from time) */
    int nacl;          /* a write through the NACL page is a csrw (implemented, writable) */
};
static const struct fcsr fcsrs[] = {
    { 0x600, "hstatus", 1, 1 }, { 0x602, "hedeleg", 0, 1 }, { 0x603, "hideleg", 0, 1 }, { 0x604, "hie", 0, 1 },
    { 0x605, "htimedelta", 4, 1 }, { 0x606, "hcounteren", 0, 1 }, { 0x607, "hgeie", 0, 1 },
    { 0x60a, "henvcfg", 0, 1 }, { 0x60c, "hstateen0", 0, 0 }, { 0x643, "htval", 0, 1 }, { 0x644, "hip", 0, 1 },
    { 0x645, "hvip", 0, 1 }, { 0x64a, "htinst", 0, 1 }, { 0x680, "hgatp", 2, 1 }, { 0xe12, "hgeip", 0, 0 },
    { 0x200, "vsstatus", 3, 1 }, { 0x204, "vsie", 0, 1 }, { 0x205, "vstvec", 0, 1 }, { 0x240, "vsscratch", 0, 1 },
    { 0x241, "vsepc", 0, 1 }, { 0x242, "vscause", 0, 1 }, { 0x243, "vstval", 0, 1 }, { 0x244, "vsip", 0, 1 },
    { 0x24d, "vstimecmp", 4, 1 }, { 0x280, "vsatp", 2, 1 }, { 0x608, "hvien", 0, 0 }, { 0x6a8, "csr6a8", 0, 0 },
};
#define NCSR ((unsigned)ARRAY_SIZE(fcsrs))

struct fform {
    const char *name;
    unsigned f3, rd, rs1;     /* rs1: register or immediate */
    int imm, writes, atp_ok;
};
static const struct fform fforms[] = {
    { "csrrw", F_CSRRW, R_A0, R_A1, 0, 1, 1 },
    { "csrrs", F_CSRRS, R_A0, R_A1, 0, 1, 1 },
    { "csrrc", F_CSRRC, R_A0, R_A1, 0, 1, 1 },
    { "csrrw-rd0", F_CSRRW, R_ZERO, R_A1, 0, 1, 1 },
    { "csrrs-rd0", F_CSRRS, R_ZERO, R_A1, 0, 1, 1 },
    { "csrrc-rd0", F_CSRRC, R_ZERO, R_A1, 0, 1, 1 },
    { "csrrs-rs0", F_CSRRS, R_A0, R_ZERO, 0, 0, 1 },
    { "csrrc-rs0", F_CSRRC, R_A0, R_ZERO, 0, 0, 1 },
    { "csrrsi-0", F_CSRRSI, R_A0, 0, 1, 0, 1 },
    { "csrrci-0", F_CSRRCI, R_A0, 0, 1, 0, 1 },
    { "csrrwi-1", F_CSRRWI, R_A0, 1, 1, 1, 0 },
    { "csrrwi-21", F_CSRRWI, R_A0, 0x15, 1, 1, 0 },
    { "csrrsi-4", F_CSRRSI, R_A0, 4, 1, 1, 0 },
    { "csrrsi-31", F_CSRRSI, R_A0, 0x1f, 1, 1, 0 },
    { "csrrci-31", F_CSRRCI, R_A0, 0x1f, 1, 1, 0 },
    { "csrrci-2", F_CSRRCI, R_A0, 2, 1, 1, 0 },
};
#define NFORM ((unsigned)ARRAY_SIZE(fforms))
static uint64_t csr_stub[ARRAY_SIZE(fcsrs)][ARRAY_SIZE(fforms)];
static uint64_t csr_rb[ARRAY_SIZE(fcsrs)];

static const struct { const char *name; uint32_t insn; int store; unsigned size; } fh[] = {
    { "hlv.b", I_HLV_B(R_A0, R_A0), 0, 1 }, { "hlv.bu", I_HLV_BU(R_A0, R_A0), 0, 1 },
    { "hlv.h", I_HLV_H(R_A0, R_A0), 0, 2 }, { "hlv.hu", I_HLV_HU(R_A0, R_A0), 0, 2 },
    { "hlvx.hu", I_HLVX_HU(R_A0, R_A0), 0, 2 }, { "hlv.w", I_HLV_W(R_A0, R_A0), 0, 4 },
    { "hlv.wu", I_HLV_WU(R_A0, R_A0), 0, 4 }, { "hlvx.wu", I_HLVX_WU(R_A0, R_A0), 0, 4 },
    { "hlv.d", I_HLV_D(R_A0, R_A0), 0, 8 }, { "hsv.b", I_HSV_B(R_A0, R_A1), 1, 1 },
    { "hsv.h", I_HSV_H(R_A0, R_A1), 1, 2 }, { "hsv.w", I_HSV_W(R_A0, R_A1), 1, 4 },
    { "hsv.d", I_HSV_D(R_A0, R_A1), 1, 8 },
};
#define NH ((unsigned)ARRAY_SIZE(fh))
static uint64_t h_stub[ARRAY_SIZE(fh)][2], h_uexit[ARRAY_SIZE(fh)];

static const struct { const char *name; uint32_t insn; } ff[] = {
    { "hfence.vvma", I_HFENCE_VVMA(0, 0) }, { "hfence.vvma va", I_HFENCE_VVMA(R_A0, 0) },
    { "hfence.vvma asid", I_HFENCE_VVMA(0, R_A1) }, { "hfence.vvma va asid", I_HFENCE_VVMA(R_A0, R_A1) },
    { "hfence.gvma", I_HFENCE_GVMA(0, 0) }, { "hfence.gvma gpa", I_HFENCE_GVMA(R_A0, 0) },
    { "hfence.gvma vmid", I_HFENCE_GVMA(0, R_A1) }, { "hfence.gvma gpa vmid", I_HFENCE_GVMA(R_A0, R_A1) },
};
static uint64_t f_stub[ARRAY_SIZE(ff)];
enum { FV_ALL, FV_VA, FV_ASID, FV_VA_ASID, FG_ALL, FG_GPA, FG_VMID, FG_GPA_VMID };

static void gen_stubs(void)
{
    for (unsigned c = 0; c < NCSR; c++) {
        for (unsigned f = 0; f < NFORM; f++) {
            uint32_t i = enc_csr(fforms[f].f3, fforms[f].rd, fforms[f].rs1, fcsrs[c].num);
            csr_stub[c][f] = gen(&i, 1, 0, 0);
        }
        uint32_t rb = enc_csr(F_CSRRS, R_A0, R_ZERO, fcsrs[c].num);
        csr_rb[c] = gen(&rb, 1, 0, 0);
    }
    for (unsigned h = 0; h < NH; h++) {
        h_stub[h][0] = gen(&fh[h].insn, 1, 0, 0);
        h_stub[h][1] = gen(&fh[h].insn, 1, 1, &h_uexit[h]);
    }
    for (unsigned f = 0; f < ARRAY_SIZE(ff); f++)
        f_stub[f] = gen(&ff[f].insn, 1, 0, 0);
    __asm__ volatile("fence.i" ::: "memory");
}

/* ---- the fuzzer's view of its own configuration ---- */
static unsigned cur_vsmode, cur_gmode;   /* 0 Bare, 1 Sv39, 2 Sv48, 3 Sv57 */
static unsigned cur_asid, cur_vmid;
static long verbose_from = -1;
static unsigned kinds = 0x7f;
static long opno;
static int verbose;
static uint64_t ram_end;

static void vp(const char *fmt, ...)
{
    if (!verbose)
        return;
    va_list ap;
    va_start(ap, fmt);
    cvprintf(fmt, ap);
    va_end(ap);
}

static uint64_t call(uint64_t stub, uint64_t a0, uint64_t a1)
{
    return conf_call_at(stub, MODE_S, ~0ull, a0, a1);
}

/* Result of a probe: fold and (verbose) print. */
/* Verbose output: the description on an "op N:" line, printed before the
 * operation runs, then what happened on a "res N:" line. */
static int in_res;
static void begin_res(void)
{
    if (!in_res)
        vp("\nres %d:", opno);
    in_res = 1;
}

static void result(uint64_t v, int has_v)
{
    begin_res();
    if (conf_trapped) {
        uint64_t gva = (T.hstatus >> 6) & 1;
        /* QEMU writes htval (and mtval2, which OpenSBI's redirect copies to
         * htval) from guest_phys_fault_addr on every trap, and resets that
         * only on a TLB fill: after a trap other than a guest-page fault it
         * holds whatever the last G-stage fault left, depending on QEMU's
         * TLB contents (native runs disagree with themselves). Only a
         * guest-page fault's htval is architectural. */
        uint64_t htval = T.cause == 20 || T.cause == 21 || T.cause == 23 ? T.htval : 0;
        fold(1); fold(T.cause); fold(T.tval); fold(htval); fold(T.htinst); fold(gva);
        vp(" => trap cause %d tval %x htval %x htinst %x gva %d", (long)T.cause, T.tval, htval,
           T.htinst, (long)gva);
    } else {
        fold(0);
        if (has_v) {
            fold(v);
            vp(" => %x", v);
        } else {
            vp(" => ok");
        }
    }
}

/* An HFENCE entry (SBI NACL "Nested HFENCE entry") doing what the form
 * does: order 12 or 21, entry idx, then SYNC_HFENCE of it or of all. */
static void nacl_fence(unsigned form, uint64_t a0, uint64_t a1, unsigned order, unsigned idx, int one)
{
    static const unsigned type[8] = { 5, 4, 7, 6, 1, 0, 3, 2 };   /* NACL entry type of each form */
    uint64_t vmid = form < FG_ALL ? (csr_read(0x680) >> 44) & 0x3fff : a1 & 0x3fff;
    uint64_t asid = form == FV_ASID || form == FV_VA_ASID ? a1 & 0xffff : 0;
    uint64_t addr = form == FG_GPA || form == FG_GPA_VMID ? a0 << 2 : a0;
    int ranged = form == FV_VA || form == FV_VA_ASID || form == FG_GPA || form == FG_GPA_VMID;
    if (form == FG_ALL || form == FG_GPA)
        vmid = 0;
    volatile uint64_t *e = &nacl_shm[(0x800 + 32 * idx) / 8];
    e[1] = ranged ? addr >> order : 0;
    e[2] = 0;
    e[3] = ranged ? 1 : 0;
    __asm__ volatile("fence rw, rw" ::: "memory");
    e[0] = (1ull << 63) | ((uint64_t)type[form] << 56) | ((uint64_t)(ranged ? order - 12 : 0) << 48) |
           (vmid << 16) | asid;
    __asm__ volatile("fence rw, rw" ::: "memory");
    nacl_fences++;
    nacl_check(sbi_call(NACL_EID, 3, one ? (long)idx : -1, 0, 0));
}

/* A G-stage fence as OpenSBI's remote HFENCE.GVMA(.VMID) on every hart
 * (hart_mask_base -1): the page of a GPA form (start_addr = the GPA,
 * size 4 KiB), or the whole space (0, 0), of the VMID in a1 or of all.
 * Both runs make the same call; under rvnest L0 drops what it names from
 * its shadows before OpenSBI runs it (nested/sbi_rfence.c). The SBI error
 * is folded. */
static void sbi_fence(unsigned form, uint64_t a0, uint64_t a1)
{
    int ranged = form == FG_GPA || form == FG_GPA_VMID;
    long fid = form == FG_VMID || form == FG_GPA_VMID ? SBI_RFENCE_HFENCE_GVMA_VMID : SBI_RFENCE_HFENCE_GVMA;
    struct sbiret r = sbi_call6(SBI_EXT_RFENCE, fid, 0, -1, ranged ? (long)(a0 << 2) : 0,
                                ranged ? 4096 : 0, (long)(a1 & 0x3fff), 0);
    vp(" [sbi err %d]", r.error);
    fold(0x5b1000 | (uint64_t)(r.error & 0xff));
}

static void fence(unsigned form, uint64_t a0, uint64_t a1)
{
    unsigned route = rn(4), order = rn(2) ? 21 : 12, idx = rn(60);
    int one = rn(2), sbi = form >= FG_ALL && rn(4) == 0;
    begin_res();
    if (sbi) {
        sbi_fence(form, a0, a1);
        conf_trapped = 0;
    } else if (nacl_on && route >= 2) {
        nacl_fence(form, a0, a1, order, idx, one);
        conf_trapped = 0;
    } else {
        call(f_stub[form], a0, a1);
    }
    vp("; %s%s", ff[form].name, sbi ? " [sbi route]" : route >= 2 ? " [nacl route]" : "");
    if (form == FV_VA || form == FV_VA_ASID || form == FG_GPA || form == FG_GPA_VMID)
        vp(" %x", a0);
    if (form == FV_ASID || form == FV_VA_ASID || form == FG_VMID || form == FG_GPA_VMID)
        vp(" id %d", (long)a1);
    fold(conf_trapped ? 0xfe00 | T.cause : 0xfe);
}

static void fence_full(void)
{
    fence(FG_ALL, 0, 0);
    fence(FV_ALL, 0, 0);
}

/* ---- tables ---- */
/* The pristine tables (after build), for repairs. */
static uint64_t pristine[NTABLE_PAGES][512];
static const uint64_t leaf_perms[] = {
    PTE_R, PTE_R | PTE_W, PTE_X, PTE_R | PTE_X, PTE_R | PTE_W | PTE_X, PTE_W, PTE_W | PTE_X,
};

static void build(void)
{
    for (int p = P_G39; p < P_G39 + NTABLE_PAGES; p++)
        for (int i = 0; i < 512; i++)
            arena[p][i] = 0;
    uint64_t g_leaf = PTE_V | PTE_R | PTE_W | PTE_X | PTE_U | PTE_A | PTE_D;
    G39[PG(0) >> 30] = PTE(PG(P_GL1), PTE_V);
    if ((PA(arena2) >> 30) != (PG(0) >> 30))
        G39[PA(arena2) >> 30] = PTE(PG(P_GL1), PTE_V);     /* same L1 table serves both */
    GL1[(PG(0) >> 21) & 511] = PTE(PG(P_GL0), PTE_V);
    GL1[(PA(arena2) >> 21) & 511] = PTE(PA(arena2), g_leaf);
    for (int i = 0; i < NDATA; i++)
        GL0[i] = PTE(PG(i), g_leaf);
    for (int p = P_V39; p <= P_VL0; p++)
        GL0[p] = PTE(PG(p), PTE_V | PTE_R | PTE_W | PTE_U | PTE_A | PTE_D);
    G48[0] = PTE(PG(P_G39), PTE_V);
    G57[0] = PTE(PG(P_G57T3), PTE_V);
    G57T3[0] = PTE(PG(P_G39), PTE_V);
    V39[VA_WIN >> 30] = PTE(PG(P_VL1), PTE_V);
    V48[0] = PTE(PG(P_V39), PTE_V);
    V57[0] = PTE(PG(P_V48), PTE_V);
    VL1[0] = PTE(PG(P_VL0), PTE_V);
    VL1[1] = PTE(PA(arena2), PTE_V | PTE_R | PTE_W | PTE_U | PTE_A | PTE_D);
    VL1[2] = PTE(PG(0), PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D);
    VL1[3] = PTE(PG(0), PTE_V | PTE_R | PTE_W | PTE_X | PTE_U | PTE_A | PTE_D);
    GL0[P_L2C] = PTE(PG(P_L2C), g_leaf);
    for (int i = 0; i < NVS; i++) {
        uint64_t fl = PTE_V | PTE_A | leaf_perms[rn(5)];
        if (rn(2)) fl |= PTE_D;
        if (rn(3) == 0) fl |= PTE_U;
        VL0[i] = PTE(PG(rn(NDATA)), fl);
    }
    for (int p = 0; p < NDATA; p++)
        for (int i = 0; i < 512; i++)
            arena[p][i] = rnd();
    for (int p = 0; p < A2_PAGES; p++)
        for (int i = 0; i < 512; i++)
            arena2[p][i] = rnd();
    for (int i = 0; i < 512; i++)
        canary[i] = 0xc0ffee0000000000ull | (uint64_t)i;
    for (int p = 0; p < NTABLE_PAGES; p++)
        for (int i = 0; i < 512; i++)
            pristine[p][i] = arena[P_G39 + p][i];
}

static uint64_t atp_value(int g, unsigned mode, unsigned id)
{
    static const unsigned vsroot[4] = { 0, P_V39, P_V48, P_V57 };
    static const unsigned groot[4] = { 0, P_G39, P_G48, P_G57 };
    if (!mode)
        return (uint64_t)id << 44;
    uint64_t root = PG(g ? groot[mode] : vsroot[mode]);
    return ((uint64_t)(7 + mode) << 60) | ((uint64_t)id << 44) | (root >> 12);
}

static void set_modes(unsigned vsmode, unsigned gmode, unsigned asid, unsigned vmid)
{
    cur_vsmode = vsmode;
    cur_gmode = gmode;
    cur_asid = asid;
    cur_vmid = vmid;
    csr_write(0x680, atp_value(1, gmode, vmid));
    csr_write(0x280, atp_value(0, vsmode, asid));
}

/* ---- operations ---- */
static const char *const mode_name[4] = { "bare", "sv39", "sv48", "sv57" };

static uint64_t interesting(void)
{
    static const uint64_t iv[] = { 0, ~0ull, 1, 0x8000000000000000ull, 0xffffffffull, 0x7fffffffffffffffull,
                                   0x444, 0x222, 0x1444, 0x2000, 0xf1, 0xa0000000000000f1ull };
    switch (rn(4)) {
    case 0: return iv[rn(ARRAY_SIZE(iv))];
    case 1: return rnd() & ((1ull << rn(64)) - 1);
    default: return rnd();
    }
}

static void op_csr(void)
{
    unsigned c = rn(NCSR), f = rn(NFORM);
    const struct fcsr *cs = &fcsrs[c];
    uint64_t v = interesting();
    if (cs->kind == 2) {
        /* hgatp/vsatp: only the program's own roots; csrrs/csrrc on the
         * MODE/ID bits; no immediate writes. */
        while (!fforms[f].atp_ok)
            f = rn(NFORM);
        if (fforms[f].f3 == F_CSRRW) {
            if (rn(4) == 0)
                v = ((uint64_t)(1 + rn(7)) << 60) | (rnd() & 0x0fffffffffffffffull);   /* illegal MODE: ignored */
            else
                v = atp_value(cs->num == 0x680, rn(4), rn(4));
        } else {
            v &= 0xfffff00000000000ull;
        }
    } else if (cs->kind == 1) {
        v &= ~H_SPV;
    } else if (cs->kind == 4) {
        /* htimedelta/vstimecmp: every bit either below 2^11 or at/above
         * 2^38, so time + htimedelta never crosses vstimecmp during a run
         * (VSTIP must not depend on when an operation runs). */
        static const uint64_t tv[] = { 0, 1, ~0ull, ~0ull - 1, 1ull << 48, 1ull << 62, 1ull << 63,
                                       -(1ull << 62), 3ull << 62 };
        v = rn(2) ? tv[rn(ARRAY_SIZE(tv))] : (rnd() & ~((1ull << 38) - 1)) | (rnd() & 0x7ff);
    }
    /* the NACL route: csrrw/csrrwi as the word and SYNC_CSR */
    unsigned route = rn(4);
    int page = cs->nacl && (fforms[f].f3 == F_CSRRW || fforms[f].f3 == F_CSRRWI) && route >= 2;
    vp("%s %s a1=%x%s", fforms[f].name, cs->name, v, page ? (route == 2 ? " [nacl route: sync one]" : " [nacl route: sync all]") : "");
    begin_res();
    uint64_t r;
    if (page && nacl_on) {
        r = call(csr_rb[c], 0, 0);                       /* the old value, csrrw's rd */
        nacl_csr(cs->num, fforms[f].f3 == F_CSRRWI ? fforms[f].rs1 : v, 1, route == 2);
        conf_trapped = 0;
    } else {
        r = call(csr_stub[c][f], 0x5a5a5a5a5a5a5a5aull, v);
    }
    result(r, fforms[f].rd != R_ZERO);
    uint64_t rb = call(csr_rb[c], 0, 0);
    vp(" rb");
    result(rb, 1);
    if ((cs->kind == 2 || cs->kind == 3) && fforms[f].writes) {
        /* A new root/ID or new SUM/MXR: flush what QEMU's TLB may hold
         * (QEMU does not flush on vsstatus writes). */
        uint64_t hg = csr_read(0x680), vs = csr_read(0x280);
        cur_vmid = (unsigned)(hg >> 44) & 0xffff;
        cur_asid = (unsigned)(vs >> 44) & 0xffff;
        cur_vsmode = (vs >> 60) != 0;
        fence_full();
    }
}

/* An address for a hypervisor access. */
static uint64_t hv_addr(int store, unsigned size)
{
    unsigned off = rn(4096);
    if (rn(4))
        off &= ~(size - 1);
    if (off + size > 4096)
        off = 4096 - size;
    unsigned k = rn(16);
    if (cur_vsmode) {
        if (k < 12)
            return VA_WIN + (uint64_t)rn(NVS + 4) * 4096 + off;
        if (k < 14)
            return VA_WIN + 0x200000 + (uint64_t)rn(A2_PAGES) * 4096 + off;
        if (k == 14)
            return (uint64_t)rn(4) << 30 | off;                      /* other root slots */
        return rn(2) ? 0x8000000000ull + off : 0xffffffffc0000000ull + off;  /* non-canonical / high */
    }
    if (k < 12)
        return PG(rn(NDATA)) + off;
    if (k < 14)
        return PA(arena2[rn(A2_PAGES)]) + off;
    if (k == 14 && !store)
        return PG(P_V39 + rn(5)) + off;                              /* VS tables: read only */
    return ram_end + (uint64_t)rn(16) * 4096 + off;                  /* above RAM */
}

static void op_hlv(int umode)
{
    unsigned h = rn(NH);
    uint64_t a = hv_addr(fh[h].store, fh[h].size);
    uint64_t v = rnd();
    if (umode) {
        uint64_t hs = csr_read(0x600);
        uint64_t nhs = rn(2) ? hs | (1ull << 9) : hs & ~(1ull << 9);
        csr_write(0x600, nhs & ~H_SPV);
        vp("%s U hu=%d addr %x", fh[h].name, (long)((nhs >> 9) & 1), a);
        begin_res();
        uint64_t r = conf_call_at(h_stub[h][1], MODE_U, h_uexit[h], a, v);
        result(r, !fh[h].store);
    } else {
        vp("%s S addr %x", fh[h].name, a);
        if (fh[h].store)
            vp(" val %x", v);
        begin_res();
        uint64_t r = call(h_stub[h][0], a, v);
        result(r, !fh[h].store);
    }
}

static void op_fence(void)
{
    unsigned f = rn(ARRAY_SIZE(ff));
    uint64_t a0 = f < FG_ALL ? hv_addr(0, 1) : hv_addr(0, 1) >> 2;
    uint64_t a1 = rn(4) ? rn(4) : rnd() & 0xffff;
    vp("fence");
    fence(f, a0, a1);
}

/* Change one leaf PTE: flags, permissions, reserved bits, remap. */
static uint64_t edit_leaf(uint64_t pte, int may_remap)
{
    switch (rn(6)) {
    case 0: {
        static const uint64_t bits[] = { PTE_V, PTE_U, PTE_G, PTE_A, PTE_D };
        return pte ^ bits[rn(ARRAY_SIZE(bits))];
    }
    case 1:
    case 2:
        return (pte & ~(PTE_R | PTE_W | PTE_X)) | leaf_perms[rn(ARRAY_SIZE(leaf_perms))];
    case 3:
        return pte ^ (1ull << (54 + rn(10)));                      /* reserved/PBMT/N */
    default:
        if (may_remap)
            return (pte & 0x3ffull) | PTE(PG(rn(NDATA)), 0);
        return pte ^ PTE_A;
    }
}


static uint64_t *slot_pristine(uint64_t *slot)
{
    unsigned long off = (unsigned long)((char *)slot - (char *)arena[P_G39]);
    return &pristine[0][0] + off / 8;
}

/* Edit one table entry (mutate it or repair it to its pristine value),
 * then a random fence form that covers the change. Now and then all
 * tables go back to pristine. */
static void op_edit(void)
{
    unsigned k = rn(20);
    if (k == 0) {
        vp("edit restore-all");
        begin_res();
        for (int p = 0; p < NTABLE_PAGES; p++)
            for (int i = 0; i < 512; i++)
                arena[P_G39 + p][i] = pristine[p][i];
        fence_full();
        return;
    }
    int repair = rn(5) < 2;
    uint64_t *slot, old, nw;
    const char *what;
    long idx = -1;
    unsigned cls;            /* 0 VS leaf, 1 VS mega, 2 VS non-leaf, 3 G leaf, 4 G mega, 5 G non-leaf */
    int may_remap = 0;
    uint64_t addr = 0;
    if (k < 10) {
        unsigned i = rn(NVS);
        slot = &VL0[i], what = "vs-l0", idx = i, cls = 0, may_remap = 1;
        addr = VA_WIN + (uint64_t)i * 4096 + rn(4096);
    } else if (k < 12) {
        /* [1] arena2 (data), [2] and [3] the code page's S and U aliases */
        static const char *const nn[] = { "vs-l1[1]", "vs-l1[2]", "vs-l1[3]" };
        unsigned j = 1 + (rn(2) ? 0 : rn(3));
        slot = &VL1[j], what = nn[j - 1], cls = 1;
        addr = VA_WIN + 0x200000 * j + rn(0x200000);
    } else if (k == 12) {
        static const char *const nn[] = { "vs-l1[0]", "vs39[1]", "vs48[0]", "vs57[0]" };
        unsigned j = rn(4);
        slot = j == 0 ? &VL1[0] : j == 1 ? &V39[VA_WIN >> 30] : j == 2 ? &V48[0] : &V57[0];
        what = nn[j], cls = 2;
    } else if (k < 18) {
        unsigned i = rn(NDATA + 6);
        may_remap = i < NDATA;
        if (i == NDATA + 5)
            i = P_L2C;                                             /* L2's code */
        else if (!may_remap)
            i = P_V39 + (i - NDATA);
        slot = &GL0[i], what = "g-l0", idx = i, cls = 3;
        addr = PG(i) + rn(4096);
    } else if (k == 18) {
        slot = &GL1[(PA(arena2) >> 21) & 511], what = "g-l1-mega", cls = 4;
        addr = PA(arena2) + rn(0x200000);
    } else {
        static const char *const nn[] = { "g-l1-ptr", "g39-ptr", "g48[0]", "g57t3[0]" };
        unsigned j = rn(4);
        slot = j == 0 ? &GL1[(PG(0) >> 21) & 511] : j == 1 ? &G39[PG(0) >> 30] : j == 2 ? &G48[0] : &G57T3[0];
        what = nn[j], cls = 5;
    }
    old = *slot;
    if (repair)
        nw = *slot_pristine(slot);
    else if (cls == 2 || cls == 5)
        nw = rn(3) ? old ^ PTE_V : old ^ PTE_R;                    /* R: a misaligned superpage */
    else
        nw = edit_leaf(old, may_remap);
    if (idx >= 0)
        vp("edit %s %s[%d] %x -> %x", repair ? "repair" : "mutate", what, idx, old, nw);
    else
        vp("edit %s %s %x -> %x", repair ? "repair" : "mutate", what, old, nw);
    begin_res();
    *slot = nw;
    switch (cls) {
    case 0:
    case 1: {
        unsigned f = ((old | nw) & PTE_G) ? (rn(2) ? FV_VA : FV_ALL) : rn(4);
        fence(f, addr, cur_asid);
        break;
    }
    case 2:
        fence(FV_ALL, 0, 0);
        break;
    case 3:
    case 4:
        fence(FG_ALL + rn(4), addr >> 2, cur_vmid);
        break;
    default:
        fence(rn(2) ? FG_ALL : FG_VMID, 0, cur_vmid);
        break;
    }
    fold(old);
    fold(nw);
}

static void op_modes(void)
{
    unsigned vs = rn(4), g = rn(4), asid = rn(4), vmid = rn(4);
    vp("modes vsatp %s asid %d hgatp %s vmid %d", mode_name[vs], (long)asid, mode_name[g], (long)vmid);
    begin_res();
    set_modes(vs, g, asid, vmid);
    fence_full();
    fold(vs * 64 + g * 16 + asid * 4 + vmid);
}

static void op_sstatus(void)
{
    uint64_t bit = rn(2) ? 1ull << 19 : 1ull << 18;
    if (rn(2)) csr_set(sstatus, bit); else csr_clear(sstatus, bit);
    vp("sstatus %s %s", bit >> 19 ? "mxr" : "sum", csr_read(sstatus) & bit ? "1" : "0");
    begin_res();
    uint64_t s = csr_read(sstatus) & ((1ull << 19) | (1ull << 18));
    vp(" %x", s);
    fold(s);
}

/* ---- L2 ---- */

#define AMO(f5, f3, rd, rs1, rs2) enc_r((f5) << 2, rs2, rs1, f3, rd, 0x2f)
#define CSRR(rd, csr) enc_csr(F_CSRRS, rd, R_ZERO, csr)
#define I_HLV_D_A0 I_HLV_D(R_A0, R_A0)
enum { L2_LOAD, L2_STORE, L2_AMO, L2_NONE, L2_COUNTER, L2_PRIV, L2_CSR, L2_CSRT };
/* What L2 runs (then an ecall). kind: how a0 is made and what of the
 * result is deterministic (a counter's value is not, nor is whether an
 * interrupt of L1's arrives first: none is pending in these runs). */
static const struct l2op {
    const char *name;
    uint32_t insn;
    int kind;
    unsigned size;
} l2ops[] = {
    { "lb", I_LOAD(0, R_A0, R_A0, 0), L2_LOAD, 1 }, { "lbu", I_LOAD(4, R_A0, R_A0, 0), L2_LOAD, 1 },
    { "lh", I_LOAD(1, R_A0, R_A0, 0), L2_LOAD, 2 }, { "lhu", I_LOAD(5, R_A0, R_A0, 0), L2_LOAD, 2 },
    { "lw", I_LOAD(2, R_A0, R_A0, 0), L2_LOAD, 4 }, { "lwu", I_LOAD(6, R_A0, R_A0, 0), L2_LOAD, 4 },
    { "ld", I_LOAD(3, R_A0, R_A0, 0), L2_LOAD, 8 }, { "sb", I_STORE(0, R_A0, R_A1, 0), L2_STORE, 1 },
    { "sh", I_STORE(1, R_A0, R_A1, 0), L2_STORE, 2 }, { "sw", I_STORE(2, R_A0, R_A1, 0), L2_STORE, 4 },
    { "sd", I_STORE(3, R_A0, R_A1, 0), L2_STORE, 8 },
    { "amoadd.w", AMO(0, 2, R_A0, R_A0, R_A1), L2_AMO, 4 }, { "amoswap.d", AMO(1, 3, R_A0, R_A0, R_A1), L2_AMO, 8 },
    { "amoor.d", AMO(8, 3, R_A0, R_A0, R_A1), L2_AMO, 8 }, { "lr.w", AMO(2, 2, R_A0, R_A0, R_ZERO), L2_LOAD, 4 },
    { "lr.d", AMO(2, 3, R_A0, R_A0, R_ZERO), L2_LOAD, 8 },
    { "nop", 0x00000013u, L2_NONE, 0 },
    { "rdcycle", CSRR(R_A0, 0xc00), L2_COUNTER, 0 }, { "rdtime", CSRR(R_A0, 0xc01), L2_COUNTER, 0 },
    { "rdinstret", CSRR(R_A0, 0xc02), L2_COUNTER, 0 }, { "rdhpm3", CSRR(R_A0, 0xc03), L2_COUNTER, 0 },
    { "sfence.vma", I_SFENCE_VMA(0, 0), L2_PRIV, 0 }, { "sfence.vma va", I_SFENCE_VMA(R_A0, 0), L2_PRIV, 0 },
    { "sfence.vma asid", I_SFENCE_VMA(0, R_A1), L2_PRIV, 0 },
    { "sfence.vma va asid", I_SFENCE_VMA(R_A0, R_A1), L2_PRIV, 0 },
    { "hfence.vvma", I_HFENCE_VVMA(0, 0), L2_PRIV, 0 }, { "hfence.gvma", I_HFENCE_GVMA(0, 0), L2_PRIV, 0 },
    { "hlv.d", I_HLV_D_A0, L2_PRIV, 0 }, { "wfi", I_WFI, L2_PRIV, 0 }, { "sret", I_SRET, L2_PRIV, 0 },
    { "csrr satp", CSRR(R_A0, 0x180), L2_PRIV, 0 }, { "csrr hstatus", CSRR(R_A0, 0x600), L2_PRIV, 0 },
    { "csrr mstatus", CSRR(R_A0, 0x300), L2_PRIV, 0 }, { "csrr vsstatus", CSRR(R_A0, 0x200), L2_PRIV, 0 },
    { "csrr sstatus", CSRR(R_A0, 0x100), L2_PRIV, 0 },
    { "csrrs sstatus", enc_csr(F_CSRRS, R_A0, R_A1, 0x100), L2_CSR, 0 },
    { "csrrc sstatus", enc_csr(F_CSRRC, R_A0, R_A1, 0x100), L2_CSR, 0 },
    { "csrrw sscratch", enc_csr(F_CSRRW, R_A0, R_A1, 0x140), L2_CSR, 0 },
    { "csrrs sie", enc_csr(F_CSRRS, R_A0, R_A1, 0x104), L2_CSR, 0 },
    { "csrrc sie", enc_csr(F_CSRRC, R_A0, R_A1, 0x104), L2_CSR, 0 },
    { "csrrs sip", enc_csr(F_CSRRS, R_A0, R_A1, 0x144), L2_CSR, 0 },
    { "csrrc sip", enc_csr(F_CSRRC, R_A0, R_A1, 0x144), L2_CSR, 0 },
    { "csrr scause", CSRR(R_A0, 0x142), L2_CSR, 0 }, { "csrr stval", CSRR(R_A0, 0x143), L2_CSR, 0 },
    { "csrr sepc", CSRR(R_A0, 0x141), L2_CSR, 0 }, { "csrr senvcfg", CSRR(R_A0, 0x10a), L2_CSR, 0 },
    { "csrr scounteren", CSRR(R_A0, 0x106), L2_CSR, 0 },
    { "csrr stimecmp", CSRR(R_A0, 0x14d), L2_CSR, 0 },
    { "csrrw stimecmp", enc_csr(F_CSRRW, R_A0, R_A1, 0x14d), L2_CSRT, 0 },
};
#define NL2 ((unsigned)ARRAY_SIZE(l2ops))
static uint64_t l2_off[ARRAY_SIZE(l2ops)];   /* offsets in the code page */
#define L2_HANDLER_OFF 0

/* L2's code page: the handler (an ecall), then each stub and its ecall. */
static void gen_l2_code(void)
{
    uint32_t *c = (uint32_t *)arena[P_L2C];
    unsigned n = 0;
    c[n++] = I_ECALL;                           /* L2_HANDLER_OFF */
    for (unsigned i = 0; i < NL2; i++) {
        l2_off[i] = 4 * (uint64_t)n;
        c[n++] = l2ops[i].insn;
        c[n++] = I_ECALL;
    }
    __asm__ volatile("fence.i" ::: "memory");
}

/* Every cause hedeleg may delegate (0-8, 12, 13, 15) but the instruction
 * page fault: L2's handler runs on the same VS-stage tables as its code,
 * so with a broken table a delegated fetch fault would loop in L2. */
#define L2_DELEG (0xb1ffull & ~(1ull << 12))

static void op_l2(void)
{
    unsigned o = rn(NL2);
    const struct l2op *op = &l2ops[o];
    int vs = rn(2);
    uint64_t hs = csr_read(0x600);
    /* Skip what would run away natively: wfi in VS without VTW halts until
     * an interrupt; sret in VS without VTSR returns to a random vsepc. */
    if (vs && ((op->insn == I_WFI && !(hs & (1ull << 21))) || (op->insn == I_SRET && !(hs & (1ull << 22)))))
        vs = 0;
    uint64_t deleg;
    switch (rn(4)) {
    case 0: deleg = 0; break;
    case 1: deleg = L2_DELEG; break;
    default: deleg = rnd() & L2_DELEG; break;
    }
    /* the NACL route: these three through the page, synced by SYNC_SRET */
    int via = rn(3) == 0, page = nacl_on && via;
    if (page)
        nacl_csr(0x602, deleg, 0, 0);
    else
        csr_write(0x602, deleg);
    /* vsstatus: only its sstatus fields, UXL 64. QEMU keeps every bit
     * written to vsstatus and ORs them all into mstatus when V becomes 1
     * (riscv_cpu_swap_hypervisor_regs), which corrupts M-mode's state
     * natively; rvnest passes only these fields to L2. */
    uint64_t vss = csr_read(0x200);
    if (page)
        nacl_csr(0x200, (vss & 0x000c6722ull) | (2ull << 32), 0, 0);
    else
        csr_write(0x200, (vss & 0x000c6722ull) | (2ull << 32));
    uint64_t code = cur_vsmode ? (vs ? VA_CODE_S : VA_CODE_U) : PG(P_L2C);
    uint64_t handler = (cur_vsmode ? VA_CODE_S : PG(P_L2C)) + L2_HANDLER_OFF;
    if (page)
        nacl_csr(0x205, handler, 0, 0);                 /* vstvec: direct */
    else
        csr_write(0x205, handler);
    uint64_t a0 = 0, a1 = rnd();
    if (op->kind == L2_LOAD || op->kind == L2_STORE || op->kind == L2_AMO)
        a0 = hv_addr(op->kind != L2_LOAD, op->size);
    else if (op->kind == L2_PRIV)
        a0 = hv_addr(0, 1);
    else if (op->kind == L2_COUNTER)
        csr_write(scounteren, rnd() & 0xf);
    else if (op->kind == L2_CSR)
        a1 = rn(2) ? interesting() : (rn(2) ? 1ull << 19 : 1ull << 18) | (rn(2) ? 2 : 0) | (1ull << rn(14));
    else if (op->kind == L2_CSRT)
        a1 = rn(2) ? ~0ull : (rnd() & ~((1ull << 38) - 1)) | (rnd() & 0x7ff);    /* as op_csr's kind 4 */
    vp("l2 %s %s hedeleg %x a0 %x a1 %x%s", vs ? "VS" : "VU", op->name, deleg, a0, a1, via ? " [nacl route]" : "");
    begin_res();
    uint64_t exit = code + l2_off[o] + 4, sret_errors = conf_nacl_sret_errors;
    uint64_t r = conf_call_v_via(code + l2_off[o], vs ? MODE_S : MODE_U, exit, a0, a1, page);
    if (page)
        nacl_entries++;
    if (conf_nacl_sret_errors != sret_errors) {
        nacl_errors++;
        fold(0xbad5000000000000ull);
    }
    uint64_t epc = T.epc;
    result(r, op->kind != L2_COUNTER && op->kind != L2_NONE && op->kind != L2_STORE);
    if (conf_trapped)
        fold(epc);
    uint64_t hst = csr_read(0x600);
    fold(hst >> 8 & 1);                               /* SPVP */
    vp(" epc %x spvp %d", epc, (long)(hst >> 8 & 1));
    if (conf_trapped && T.cause == 10 && epc == handler) {
        /* L2's handler ran: what L2 saw */
        uint64_t vc = csr_read(0x242), ve = csr_read(0x241), vt = csr_read(0x243);
        uint64_t vst = csr_read(0x200) & 0x122;       /* SPP SPIE SIE */
        fold(vc); fold(ve); fold(vt); fold(vst);
        vp("; in L2's handler: vscause %x vsepc %x vstval %x vsstatus %x", vc, ve, vt, vst);
    }
}

/* ---- dirty logging ---- */

#define L2_SD 10                       /* l2ops[]: "sd" */

/* One L2 store of a1 at a0 from VS, every trap to L1 (hedeleg 0). */
static uint64_t l2_store(uint64_t a0, uint64_t a1)
{
    int via = rn(3) == 0, page = nacl_on && via;    /* both runs draw the route */
    if (page)
        nacl_csr(0x602, 0, 0, 0);
    else
        csr_write(0x602, 0);
    uint64_t vss = (csr_read(0x200) & 0x000c6722ull) | (2ull << 32);
    uint64_t code = cur_vsmode ? VA_CODE_S : PG(P_L2C);
    if (page) {
        nacl_csr(0x200, vss, 0, 0);
        nacl_csr(0x205, code + L2_HANDLER_OFF, 0, 0);
    } else {
        csr_write(0x200, vss);
        csr_write(0x205, code + L2_HANDLER_OFF);
    }
    uint64_t sret_errors = conf_nacl_sret_errors;
    uint64_t r = conf_call_v_via(code + l2_off[L2_SD], MODE_S, code + l2_off[L2_SD] + 4, a0, a1, page);
    if (page)
        nacl_entries++;
    if (conf_nacl_sret_errors != sret_errors) {
        nacl_errors++;
        fold(0xbad5000000000000ull);
    }
    return r;
}

/* A dirty-logging round as KVM makes one for its guest: KVM_CLEAR_DIRTY_LOG
 * write-protects the pages it reports and fences them; the guest's next
 * store to one faults and KVM's fault path logs the page and makes it
 * writable again. Here some G-stage data leaves lose W and D (or only D:
 * a store then faults under Svade and sets D itself under Svadu), fenced
 * page by page or all at once (by instruction or through NACL, as
 * op_fence's route), then L2 stores to one of them (or elsewhere) through
 * both stages; a store guest-page fault on a page of the round is logged
 * (folded), W and D go back, that GPA is fenced and L2 stores again. Every
 * trap and the leaves' W/A/D after the round are folded: the shadow must
 * drop what the fences cover and make (by fill or prefetch) exactly what
 * L1's table gives, never a stale writable leaf. */
static void op_dirty(void)
{
    uint32_t prot = 0;
    int clean_only = rn(3) == 0, per_page = rn(2);
    vp("dirty %s%s:", clean_only ? "clean" : "write-protect", per_page ? " per-page fences" : "");
    begin_res();
    for (unsigned i = 0; i < NDATA; i++) {
        uint64_t pte = GL0[i];
        /* W only ever with R: W without R is reserved */
        if (!(pte & PTE_V) || !(pte & PTE_R) || rn(2))
            continue;
        prot |= 1u << i;
        GL0[i] = clean_only ? pte & ~PTE_D : pte & ~(PTE_W | PTE_D);
        vp(" %d", (long)i);
    }
    /* the 2 MiB G-stage leaf over arena2 too, now and then (under
     * rvnest a 2 MiB shadow leaf: a fence of any address in it drops it) */
    uint64_t *mega = &GL1[(PA(arena2) >> 21) & 511];
    int mega_prot = (*mega & PTE_V) && (*mega & PTE_R) && rn(3) == 0;
    if (mega_prot) {
        *mega = clean_only ? *mega & ~PTE_D : *mega & ~(PTE_W | PTE_D);
        vp(" mega");
    }
    if (per_page) {
        for (unsigned i = 0; i < NDATA; i++)
            if ((prot >> i) & 1)
                fence(rn(2) ? FG_GPA : FG_GPA_VMID, PG(i) >> 2, cur_vmid);
        if (mega_prot)
            fence(rn(2) ? FG_GPA : FG_GPA_VMID, (PA(arena2) + rn(512) * 4096ull) >> 2, cur_vmid);
    } else {
        fence(rn(2) ? FG_ALL : FG_VMID, 0, cur_vmid);
    }
    /* where L2 stores: a page of the round through the VS-stage leaf that
     * maps it, if any, else anywhere a store of op_l2's goes */
    uint64_t a0 = 0;
    if (prot && rn(4)) {
        unsigned i;
        do
            i = rn(NDATA);
        while (!((prot >> i) & 1));
        uint64_t off = rn(512) * 8;
        if (!cur_vsmode) {
            a0 = PG(i) + off;
        } else {
            for (unsigned j = 0; j < NVS && !a0; j++)
                if ((VL0[j] & PTE_V) && PTE_PA(VL0[j]) == PG(i))
                    a0 = VA_WIN + (uint64_t)j * 4096 + off;
        }
    }
    if (mega_prot && rn(2)) {
        uint64_t off = rn(A2_PAGES) * 4096ull + rn(512) * 8;
        a0 = cur_vsmode ? VA_WIN + 0x200000 + off : PA(arena2) + off;
    }
    if (!a0)
        a0 = hv_addr(1, 8);
    uint64_t a1 = rnd();
    vp(" sd %x", a0);
    uint64_t r = l2_store(a0, a1);
    result(r, 0);
    if (conf_trapped && T.cause == 23) {
        uint64_t gpa = T.htval << 2;
        unsigned i = NDATA;
        for (unsigned k = 0; k < NDATA; k++)
            if (((prot >> k) & 1) && PG(k) == (gpa & ~0xfffull))
                i = k;
        vp("; guest page fault at %x", gpa);
        if (i == NDATA && mega_prot && (gpa >> 21) == (PA(arena2) >> 21)) {
            uint64_t ad = (rn(3) ? PTE_A : 0) | (rn(3) ? PTE_D : 0);
            fold(0xd1a7100000000000ull | ad);
            *mega = (*mega & ~(PTE_A | PTE_D)) | PTE_W | ad;
            vp("; logged the megapage, writable again");
            fence(rn(2) ? FG_GPA : FG_GPA_VMID, (PA(arena2) + rn(512) * 4096ull) >> 2, cur_vmid);
            r = l2_store(a0, a1 + 1);
            result(r, 0);
        }
        if (i < NDATA) {
            /* KVM's fault path: log the page, make it writable (and
             * dirty and accessed, as KVM does; or leave A or D for the
             * hart to set under Svadu, or to fault again under Svade) */
            uint64_t ad = (rn(3) ? PTE_A : 0) | (rn(3) ? PTE_D : 0);
            fold(0xd1a7000000000000ull | ad << 8 | i);
            GL0[i] = (GL0[i] & ~(PTE_A | PTE_D)) | PTE_W | ad;
            vp("; logged %d, writable again (A %d D %d)", (long)i, (long)!!(ad & PTE_A), (long)!!(ad & PTE_D));
            fence(rn(2) ? FG_GPA : FG_GPA_VMID, gpa >> 2, cur_vmid);
            r = l2_store(a0, a1 + 1);
            result(r, 0);
        }
    }
    for (unsigned i = 0; i < NDATA; i++)
        if ((prot >> i) & 1)
            fold(GL0[i] & (PTE_W | PTE_A | PTE_D));
    if (mega_prot)
        fold(*mega & (PTE_W | PTE_A | PTE_D));
}

static uint64_t op_hash[1000], op_val[1000], op_cnt[1000];

static void checksum(void)
{
    uint64_t h = 0, h2 = 0;
    for (int p = 0; p < P_G39 + NTABLE_PAGES; p++)
        for (int i = 0; i < 512; i++)
            h = (h ^ arena[p][i]) * 0x100000001b3ull + (uint64_t)i;
    for (int p = 0; p < A2_PAGES; p++)
        for (int i = 0; i < 512; i++)
            h2 = (h2 ^ arena2[p][i]) * 0x100000001b3ull + (uint64_t)i;
    if (verbose_from >= 0 && opno >= verbose_from)
        cprintf("checksum at op %d: tables+data %x, data2 %x, interrupts taken %d (last cause %x epc %x)\n",
                (long)opno, h, h2, (long)TI_count, TI.cause, TI.epc);
    fold(h);
    fold(h2);
    fold(TI_count);         /* interrupts taken (VS-level ones in U-mode ops) */
    for (int i = 0; i < 512; i++)
        if (canary[i] != (0xc0ffee0000000000ull | (uint64_t)i)) {
            cprintf("FAIL: canary %d overwritten at op %d\n", (long)i, opno);
            conf_failures++;
            canary[i] = 0xc0ffee0000000000ull | (uint64_t)i;
        }
}

int main(unsigned long hartid, unsigned long fdt)
{
    (void)hartid;
    conf_init(fdt);
    ram_end = dt_ram_end;
    uint64_t seed = conf_arg("seed", 1);
    long ops = (long)conf_arg("ops", 10000);
    /* hashes=K: keep the running hash after each op of [K, K+1000) and
     * print them at the end, without touching the run's timing */
    long hashes_from = (long)conf_arg("hashes", ~0ull);
    verbose_from = (long)conf_arg("verbose_from", ~0ull);
    /* kinds: which operations (bit 0 CSR, 1 HLV/HSV in S, 2 in U, 3 HFENCE,
     * 4 table edits, 5 mode switches, 6 sstatus.MXR/SUM, 7 L2 runs);
     * default all. */
    kinds = (unsigned)conf_arg("kinds", 0xff) & 0xff;
    if (!kinds)
        kinds = 0xff;
    cprintf("fuzz: seed %d ops %d verbose_from %d kinds %x\n", (long)seed, ops, verbose_from, (uint64_t)kinds);
    /* adue=1: the hart updates A/D bits (Svadu); adue=0: a missing A or
     * D faults (Svade); set through SBI FWFT PTE_AD_HW_UPDATING, read back
     * through FWFT GET. Without it, the firmware's default. */
    uint64_t adue = conf_arg("adue", 2);
    if (adue <= 1) {
        struct sbiret fr = sbi_call(0x46574654, 0, 4, (long)adue, 0);
        if (fr.error)
            cprintf("FAIL: fwft set pte-ad-hw-updating: err %d\n", fr.error), conf_failures++;
    }
    struct sbiret ag = sbi_call(0x46574654, 1, 4, 0, 0);
    cprintf("fuzz: A/D %s\n", ag.error ? "as the firmware has it (no FWFT)"
                                 : ag.value ? "updated by the hart (Svadu)" : "faults (Svade)");
    /* NACL where it is offered (under rvnest), unless nacl=0 */
    struct sbiret pr = sbi_call(SBI_EXT_BASE, 3, NACL_EID, 0, 0);
    if (conf_arg("nacl", 1) && pr.error == 0 && pr.value) {
        struct sbiret sr = sbi_call(NACL_EID, 1, (long)(uintptr_t)nacl_shm, 0, 0);
        nacl_on = sr.error == 0;
        if (nacl_on)
            conf_nacl_shmem = (uint64_t)(uintptr_t)nacl_shm;
        else
            cprintf("FAIL: nacl set_shmem: err %d\n", sr.error), conf_failures++;
    }
    cprintf("fuzz: nacl %s\n", nacl_on ? "on: a share of CSR writes, fences and L2 entries go through its shared memory"
                                        : "off: every operation by instruction");
    seed_state = seed;
    gen_stubs();
    build();
    gen_l2_code();
    csr_write(0x600, HS_BOOT);
    csr_write(0x24d, ~0ull);
    set_modes(1, 1, 0, 0);
    fence_full();
    uint64_t t0 = csr_read(time);
    uint64_t traps_seen = T_count + TI_count;
    for (opno = 0; opno < ops; opno++) {
        verbose = verbose_from >= 0 && opno >= verbose_from;
        /* after any trap, htval may hold QEMU's stale value (see result()):
         * L1 clears it, so that reading it is deterministic */
        if (T_count + TI_count != traps_seen) {
            csr_write(0x643, 0);
            traps_seen = T_count + TI_count;
        }
        in_res = 0;
        vp("op %d: ", opno);
        unsigned k, kind;
        do {
            k = rn(100);
            kind = k < 26 ? 0 : k < 55 ? 1 : k < 59 ? 2 : k < 66 ? 3 : k < 81 ? 4 : k < 84 ? 5 : k < 86 ? 6 : 7;
        } while (!((kinds >> kind) & 1));
        switch (kind) {
        case 0: op_csr(); break;
        case 1: op_hlv(0); break;
        case 2: op_hlv(1); break;
        case 3: op_fence(); break;
        case 4: op_edit(); break;
        case 5: op_modes(); break;
        case 6: op_sstatus(); break;
        default:
            if (rn(5) == 0)
                op_dirty();
            else
                op_l2();
            break;
        }
        vp("\n");
        if (hashes_from >= 0 && opno >= hashes_from && opno < hashes_from + 1000)
            op_hash[opno - hashes_from] = hash,
            op_val[opno - hashes_from] = last_folded,
            op_cnt[opno - hashes_from] = T_count << 32 | TI_count;
        if ((opno + 1) % 1000 == 0) {
            checksum();
            cprintf("chk %d %X\n", opno + 1, hash);
        }
    }
    checksum();
    uint64_t dt = csr_read(time) - t0;
    cprintf("fuzz: end ops %d hash %X traps %d unexpected %d\n", ops, hash, (long)T_count, (long)T_unexpected);
    if (nacl_on)
        cprintf("fuzz-nacl: %d CSR words, %d HFENCE entries, %d L2 entries by SYNC_SRET, %d SBI errors\n", nacl_csrs,
                nacl_fences, nacl_entries, nacl_errors);
    if (nacl_errors)
        conf_failures++;
    for (long i = 0; hashes_from >= 0 && i < 1000 && hashes_from + i < ops; i++)
        cprintf("hash %d %X last %X traps/irqs %X\n", hashes_from + i, op_hash[i], op_val[i], op_cnt[i]);
    /* Timing goes to a line the comparison ignores. */
    cprintf("fuzz-time: %d ms for %d ops\n", (long)(dt / 10000), ops);
    if (conf_failures || T_unexpected)
        cprintf("fuzz: FAILED\n");
    else
        cprintf("fuzz: passed\n");
    shutdown();
    return 0;
}
