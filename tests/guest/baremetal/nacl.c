/* SBI nested acceleration (NACL, SBI spec chapter "Nested Acceleration
 * Extension", EID 0x4E41434C) as an L1 hypervisor uses it: a bare-metal
 * L1 that runs its own guest, L2 (code in nacl_asm.S).
 *
 * Bootargs:
 *  nacl.mode=csr|nacl   how L1 drives its H state: CSR instructions,
 *                       HFENCE instructions and sret (csr, the default), or
 *                       the shared memory: CSR words + dirty bits and
 *                       SYNC_CSR, HFENCE entries and SYNC_HFENCE, SYNC_SRET
 *                       with hstatus through the autoswap area (nacl), each
 *                       as far as the features are there;
 *  nacl.expect=absent   the extension must be absent (natively: OpenSBI
 *                       does not offer it; under rvnest with nacl=off);
 *  nacl.off=LIST        the features (csr,hfence,sret,autoswap) expected
 *                       off (rvnest's nacl-<feature>=off).
 *
 * Output: "check NAME: values" lines (FAIL: NAME when the expectation,
 * from the SBI spec and the H chapter, is not met), "val ..." lines (the
 * values L1 reads back after each write of a long sequence of writes to
 * every H/VS CSR: identical in every mode and natively, the script
 * compares them), and "nacl: N checks, M failed" with "nacl: passed".
 * Checks that need NACL run only where it is; natively only the probe
 * and the checks of L2's runs (which hold for any H) are printed. */
#include "conf_lib.h"

#define EID 0x4E41434Cl
enum { FID_PROBE, FID_SET_SHMEM, FID_SYNC_CSR, FID_SYNC_HFENCE, FID_SYNC_SRET };
enum { FEAT_CSR, FEAT_HFENCE, FEAT_SRET, FEAT_AUTOSWAP };
#define E_NOT_SUPPORTED (-2)
#define E_INVALID_PARAM (-3)
#define E_INVALID_ADDRESS (-5)
#define E_NO_SHMEM (-9)

/* the shared memory layout (RV64) */
#define SHM_SIZE (4096 + 1024 * 8)
#define AUTOSWAP_OFF 0x200
#define HFENCE_OFF 0x800
#define NENTRIES (3840 / 64)
#define DBITMAP_OFF 0xF80
#define CSR_OFF 0x1000
#define CSR_IDX(c) ((((c) & 0xc00) >> 2) | ((c) & 0xff))
#define PEND (1ull << 63)
#define CFG(type, order, vmid, asid) \
    (PEND | ((uint64_t)(type) << 56) | ((uint64_t)((order) - 12) << 48) | ((uint64_t)(vmid) << 16) | (uint64_t)(asid))
enum { T_GVMA, T_GVMA_ALL, T_GVMA_VMID, T_GVMA_VMID_ALL, T_VVMA, T_VVMA_ALL, T_VVMA_ASID, T_VVMA_ASID_ALL };
static const char *const tname[8] = { "gvma", "gvma-all", "gvma-vmid", "gvma-vmid-all",
                                      "vvma", "vvma-all", "vvma-asid", "vvma-asid-all" };

#define HS_BOOT (2ull << 32)
#define H_GVA (1ull << 6)
#define H_SPV (1ull << 7)
#define H_SPVP (1ull << 8)
#define H_HU (1ull << 9)
#define H_VTVM (1ull << 20)
#define H_VTW (1ull << 21)
#define H_VTSR (1ull << 22)
#define IRQ (1ull << 63)
#define STCE (1ull << 63)

/* ---- the H and VS CSRs ---- */
enum { HSTATUS, HEDELEG, HIDELEG, HIE, HTIMEDELTA, HCOUNTEREN, HGEIE, HENVCFG, HTVAL, HIP, HVIP,
       HTINST, HGATP, HGEIP, VSSTATUS, VSIE, VSTVEC, VSSCRATCH, VSEPC, VSCAUSE, VSTVAL, VSIP,
       VSATP, VSTIMECMP, NH };
static const struct { unsigned num; const char *name; } hc[NH] = {
    { 0x600, "hstatus" }, { 0x602, "hedeleg" }, { 0x603, "hideleg" }, { 0x604, "hie" },
    { 0x605, "htimedelta" }, { 0x606, "hcounteren" }, { 0x607, "hgeie" }, { 0x60a, "henvcfg" },
    { 0x643, "htval" }, { 0x644, "hip" }, { 0x645, "hvip" }, { 0x64a, "htinst" }, { 0x680, "hgatp" },
    { 0xe12, "hgeip" }, { 0x200, "vsstatus" }, { 0x204, "vsie" }, { 0x205, "vstvec" },
    { 0x240, "vsscratch" }, { 0x241, "vsepc" }, { 0x242, "vscause" }, { 0x243, "vstval" },
    { 0x244, "vsip" }, { 0x280, "vsatp" }, { 0x24d, "vstimecmp" },
};
#define B(k) (1u << (k))

/* csrr/csrw stubs per CSR (a write to a read-only one traps: the probe
 * escapes) */
static uint32_t stub_code[4 * NH] __attribute__((aligned(4096)));
static uint64_t rd_stub[NH], wr_stub[NH];

static void gen_stubs(void)
{
    unsigned n = 0;
    for (int k = 0; k < NH; k++) {
        rd_stub[k] = (uint64_t)(uintptr_t)&stub_code[n];
        stub_code[n++] = enc_csr(F_CSRRS, R_A0, R_ZERO, hc[k].num);
        stub_code[n++] = 0x00008067u;
        wr_stub[k] = (uint64_t)(uintptr_t)&stub_code[n];
        stub_code[n++] = enc_csr(F_CSRRW, R_ZERO, R_A1, hc[k].num);
        stub_code[n++] = 0x00008067u;
    }
    __asm__ volatile("fence.i" ::: "memory");
}

static uint64_t cr(int k)
{
    return conf_call_at(rd_stub[k], MODE_S, ~0ull, 0, 0);
}

static void cw(int k, uint64_t v)
{
    conf_call_at(wr_stub[k], MODE_S, ~0ull, 0, v);
}

/* ---- configuration ---- */
static int present;              /* NACL probes 1 */
static int feat[4];              /* each feature offered */
static int mode_nacl;            /* nacl.mode=nacl */
static int page_writes, entry_fences, sret_entry, autoswap_entry;
static unsigned off_mask;

/* ---- shared memory ---- */
static uint64_t shm_a[SHM_SIZE / 8] __attribute__((aligned(4096)));
static uint64_t shm_b[SHM_SIZE / 8] __attribute__((aligned(4096)));
static volatile uint64_t *shm;   /* the one set, or 0 */

static volatile uint64_t *word(int k) { return &shm[(CSR_OFF + 8 * CSR_IDX(hc[k].num)) / 8]; }
static volatile uint8_t *dbm(void) { return (volatile uint8_t *)shm + DBITMAP_OFF; }
static int dirty_n(unsigned csr) { unsigned i = CSR_IDX(csr); return (dbm()[i / 8] >> (i % 8)) & 1; }
static int dirty(int k) { return dirty_n(hc[k].num); }
static void mb(void) { __asm__ volatile("fence rw, rw" ::: "memory"); }

static void page_put(int k, uint64_t v)
{
    unsigned i = CSR_IDX(hc[k].num);
    *word(k) = v;
    mb();
    dbm()[i / 8] |= (uint8_t)(1u << (i % 8));
    mb();
}

static int any_dirty(void)
{
    for (int i = 0; i < 128; i++)
        if (dbm()[i])
            return 1;
    return 0;
}

static volatile uint64_t *ent(unsigned i) { return &shm[(HFENCE_OFF + 32 * i) / 8]; }

static void ent_put(unsigned i, uint64_t cfg, uint64_t pnum, uint64_t count)
{
    volatile uint64_t *e = ent(i);
    e[1] = pnum;
    e[2] = 0;
    e[3] = count;
    mb();
    e[0] = cfg;
    mb();
}

static volatile uint64_t *swap_flags(void) { return &shm[AUTOSWAP_OFF / 8]; }
static volatile uint64_t *swap_val(void) { return &shm[AUTOSWAP_OFF / 8 + 1]; }

static struct sbiret nacl(long fid, long a0, long a1, long a2)
{
    return sbi_call(EID, fid, a0, a1, a2);
}

/* SBI calls that must succeed as part of a procedure (not a check of
 * their own): counted, checked once at the end. */
static long sbi_errors;
static void must(struct sbiret r, const char *what)
{
    if (r.error) {
        sbi_errors++;
        cprintf("nacl: %s returned %d\n", what, r.error);
    }
}

/* ---- names ---- */
static char nbuf[4][96];
static unsigned nidx;
static const char *nm(const char *a, const char *b, const char *c)
{
    return str_join(nbuf[nidx++ & 3], sizeof(nbuf[0]), a, b, c);
}

/* ---- writes as the mode does them ---- */
static void hw(int k, uint64_t v)
{
    if (page_writes)
        page_put(k, v);
    else
        cw(k, v);
}

static void hsync(void)
{
    if (page_writes)
        must(nacl(FID_SYNC_CSR, -1, 0, 0), "sync_csr(-1)");
}

/* ---- L2 ---- */
struct l2hs { uint64_t t0, t1, cause, count, epc, tval, status, flag; };
extern volatile struct l2hs l2_hs;
extern uint64_t l2_exit_frame[32], l2_regs[32];
extern char l2_saveregs[], l2_saveregs_exit[], l2_load[], l2_load_insn[], l2_load_exit[], l2_ebreak[];
extern char l2_irq[], l2_irq_exit[], l2_vec[], l2_vec_exit[], nacl_landing[];
long l2_enter(long how, uint64_t entry);

#define A4K __attribute__((aligned(4096)))
#define PA(p) ((uint64_t)(uintptr_t)(p))
#define PTE(pa, fl) ((((uint64_t)(pa)) >> 12 << 10) | (fl))
#define GL (PTE_V | PTE_R | PTE_W | PTE_X | PTE_U | PTE_A | PTE_D)
#define VL (PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D)
#define GWIN 0x40000000ull
#define VWIN 0xC0000000ull
#define W(n) (GWIN + (uint64_t)(n) * 4096)
#define VW(n) (VWIN + (uint64_t)(n) * 4096)
#define GHOLE (GWIN + 0x100000)      /* no leaf: a guest-page fault */
static uint64_t groot[2048] __attribute__((aligned(16384)));
static uint64_t gram[512] A4K, gwin1[512] A4K, gwin0[512] A4K;
static uint64_t vroot[512] A4K, vwin1[512] A4K, vwin0[512] A4K;
static uint64_t pgA[512] A4K, pgB[512] A4K, pgC[512] A4K, pgD[512] A4K;
static uint64_t save_area[32];
static uint64_t vmid, asid;      /* as hgatp/vsatp keep them */

static uint64_t hgatp_val(void) { return (8ull << 60) | (vmid << 44) | (PA(groot) >> 12); }
static uint64_t vsatp_val(void) { return (8ull << 60) | (asid << 44) | (PA(vroot) >> 12); }

static void tables(void)
{
    for (uint64_t a = dt_ram_base & ~0x1fffffull; a < dt_ram_end; a += 0x200000)
        gram[(a >> 21) & 511] = PTE(a, GL);
    groot[dt_ram_base >> 30] = PTE(PA(gram), PTE_V);
    groot[GWIN >> 30] = PTE(PA(gwin1), PTE_V);
    gwin1[0] = PTE(PA(gwin0), PTE_V);
    gwin0[0] = PTE(PA(pgA), GL);
    gwin0[1] = PTE(PA(pgC), GL);
    gwin0[2] = PTE(PA(pgD), GL);
    vroot[dt_ram_base >> 30] = PTE(dt_ram_base & ~0x3fffffffull, VL);
    vroot[VWIN >> 30] = PTE(PA(vwin1), PTE_V);
    vwin1[0] = PTE(PA(vwin0), PTE_V);
    vwin0[0] = PTE(W(1), VL);
    for (int i = 0; i < 512; i++) {
        pgA[i] = 0xa0a0000000000000ull | (uint64_t)i;
        pgB[i] = 0xb0b0000000000000ull | (uint64_t)i;
        pgC[i] = 0xc0c0000000000000ull | (uint64_t)i;
        pgD[i] = 0xd0d0000000000000ull | (uint64_t)i;
    }
}

/* HFENCE instructions: an operand that is x0 means "all" (a register
 * holding 0 is address 0 or VMID/ASID 0). */
#define HF(f7, rs1, rs2) __asm__ volatile(".insn r 0x73, 0, " #f7 ", x0, " rs1 ", " rs2 :: "r"(a), "r"(id) : "memory")
static void hfence_gvma_form(int by_addr, int by_id, uint64_t a, uint64_t id)
{
    if (by_addr && by_id) HF(0x31, "%0", "%1");
    else if (by_addr) HF(0x31, "%0", "x0");
    else if (by_id) HF(0x31, "x0", "%1");
    else HF(0x31, "x0", "x0");
}

static void hfence_vvma_form(int by_addr, int by_id, uint64_t a, uint64_t id)
{
    if (by_addr && by_id) HF(0x11, "%0", "%1");
    else if (by_addr) HF(0x11, "%0", "x0");
    else if (by_id) HF(0x11, "x0", "%1");
    else HF(0x11, "x0", "x0");
}

static void hfence_gvma_all(void)
{
    hfence_gvma_form(0, 0, 0, 0);
    hfence_vvma_form(0, 0, 0, 0);
}

/* Everything flushed, as the mode fences: entries (synced now) or instructions. */
static void fence_all(void)
{
    if (entry_fences) {
        ent_put(NENTRIES - 2, CFG(T_GVMA_ALL, 12, 0, 0), 0, 0);
        ent_put(NENTRIES - 1, CFG(T_VVMA_ALL, 12, vmid, 0), 0, 0);
        must(nacl(FID_SYNC_HFENCE, -1, 0, 0), "sync_hfence(-1)");
    } else {
        hfence_gvma_all();
    }
}

/* One L2 run. */
struct run {
    uint64_t entry;
    uint64_t vsatp, hedeleg, hideleg, hvip, henvcfg, vstimecmp;
    uint64_t guest_hs;            /* hstatus L2 is entered with */
    int swap;                     /* -1: the mode's way; 0: hstatus written, autoswap flag 0;
                                     1: autoswap (needs SYNC_SRET) */
    uint64_t swap_slot;           /* with swap 0: the slot's value, flag 1 when set */
    int swap_flag_anyway;
};
/* What L1 saw: the exit trap and its CSRs, read right after it. */
static struct exitinfo {
    long ret;
    uint64_t cause, epc, tval, htval, htinst, hstatus, sstatus, slot, flags;
} X;
static long runs, words_bad, words_checked;
static char words_first[96];
static int skip_words;              /* this run leaves a word of L1's own, unsynced */
/* every CSR (csrr) and its word right after the exit */
static uint64_t xc[NH], xw[NH];
#define HOST_HS (HS_BOOT | H_HU)

static void run_default(struct run *r, uint64_t entry)
{
    *r = (struct run){ 0 };
    r->entry = entry;
    r->guest_hs = HS_BOOT | H_SPV | H_SPVP;
    r->vstimecmp = ~0ull;
    r->swap = -1;
}

/* The CSR space after an exit: every word as csrr reads it. */
static void words_current(void)
{
    if (!shm || skip_words)
        return;
    for (int k = 0; k < NH; k++) {
        uint64_t c = xc[k], w = xw[k];
        words_checked++;
        if (c != w) {
            if (!words_bad)
                str_join(words_first, sizeof(words_first), "run ", hc[k].name, "");
            words_bad++;
            cprintf("nacl: after run %d: %s word %x, csrr %x\n", runs, hc[k].name, w, c);
        }
    }
}

static void l2_run(const struct run *r)
{
    int swap = r->swap < 0 ? autoswap_entry : r->swap;
    hw(HGATP, hgatp_val());
    hw(VSATP, r->vsatp);
    hw(HEDELEG, r->hedeleg);
    hw(HIDELEG, r->hideleg);
    hw(HENVCFG, r->henvcfg);
    hw(HTIMEDELTA, 0);
    hw(VSTIMECMP, r->vstimecmp);
    hw(HVIP, r->hvip);
    hw(HIE, 0);
    hw(VSSTATUS, HS_BOOT);
    hw(VSTVEC, PA(l2_vec));
    hw(VSSCRATCH, PA(save_area));
    if (swap) {
        hw(HSTATUS, HOST_HS);
        *swap_val() = r->guest_hs;
        *swap_flags() = 1;
    } else {
        hw(HSTATUS, r->guest_hs);
        if (shm) {
            *swap_val() = r->swap_slot;
            *swap_flags() = r->swap_flag_anyway;
        }
    }
    l2_hs = (struct l2hs){ 0 };
    for (int i = 0; i < 32; i++)
        l2_exit_frame[i] = save_area[i] = 0;
    csr_clear(sstatus, (1ull << 5) | 2);
    csr_set(sstatus, 1ull << 8);                  /* SPP: VS */
    __asm__ volatile("fence.i" ::: "memory");
    mb();
    if (sret_entry) {
        for (int i = 1; i < 32; i++)
            shm[i] = l2_regs[i];
        shm[0] = 0;
        mb();
        X.ret = l2_enter(1, r->entry);
    } else {
        hsync();
        if (entry_fences)
            must(nacl(FID_SYNC_HFENCE, -1, 0, 0), "sync_hfence(-1)");
        X.ret = l2_enter(0, r->entry);
    }
    X.cause = csr_read(scause);
    X.epc = csr_read(sepc);
    X.tval = csr_read(stval);
    X.sstatus = csr_read(sstatus);
    for (int k = 0; k < NH; k++) {
        xc[k] = cr(k);
        xw[k] = shm ? *word(k) : 0;
    }
    X.htval = xc[HTVAL];
    X.htinst = xc[HTINST];
    X.hstatus = xc[HSTATUS];
    X.slot = shm ? *swap_val() : 0;
    X.flags = shm ? *swap_flags() : 0;
    runs++;
    words_current();
    /* back to a quiet state */
    if (shm)
        *swap_flags() = 0;
    hw(HSTATUS, HS_BOOT);
    hw(HVIP, 0);
    hw(HIE, 0);
    hw(HIDELEG, 0);
    hw(HEDELEG, 0);
    hw(HENVCFG, 0);
    hw(VSTIMECMP, ~0ull);
    hw(VSATP, 0);
    hsync();
}

/* The hstatus of the exit trap: the autoswap slot when L0 swapped it. */
static uint64_t exit_hs(const struct run *r)
{
    int swap = r->swap < 0 ? autoswap_entry : r->swap;
    return swap ? X.slot : X.hstatus;
}

static void l2_regs_pattern(void)
{
    for (int i = 0; i < 32; i++)
        l2_regs[i] = 0x6c32000000000000ull | ((uint64_t)i << 40) | ((uint64_t)i * 0x01010101ull);
    l2_regs[2] = PA(&save_area[0]);               /* sp: unused by L2, but a real address */
}

static int exited(uint64_t cause, uint64_t epc)
{
    return X.ret == 1 && X.cause == cause && X.epc == epc;
}

/* ---- 1: probe ---- */
static const char *const fname[4] = { "sync-csr", "sync-hfence", "sync-sret", "autoswap-csr" };

static void test_probe(int expect_present)
{
    struct sbiret r = sbi_call(SBI_EXT_BASE, 3, EID, 0, 0);
    present = r.error == 0 && r.value != 0;
    check("probe.extension", r.error == 0 && (r.value != 0) == expect_present, "err %d value %d (expected %s)",
          r.error, r.value, expect_present ? "present" : "absent");
    if (!present)
        return;
    for (int f = 0; f < 4; f++) {
        r = nacl(FID_PROBE, f, 0, 0);
        int want = !((off_mask >> f) & 1);
        feat[f] = r.error == 0 && r.value == 1;
        check(nm("probe.feature.", fname[f], ""), r.error == 0 && r.value == want, "err %d value %d", r.error, r.value);
    }
    static const struct { const char *n; long id; } absent[] = {
        { "probe.feature.4", 4 }, { "probe.feature.5", 5 }, { "probe.feature.0xffffffff", 0xffffffffl },
        { "probe.feature.-1", -1 },
    };
    for (unsigned i = 0; i < ARRAY_SIZE(absent); i++) {
        r = nacl(FID_PROBE, absent[i].id, 0, 0);
        check(absent[i].n, r.error == 0 && r.value == 0, "err %d value %d", r.error, r.value);
    }
    static const struct { const char *n; long fid; } bad[] = {
        { "fid.5", 5 }, { "fid.6", 6 }, { "fid.0x7fffffff", 0x7fffffffl }, { "fid.-1", -1 },
    };
    for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
        r = nacl(bad[i].fid, 0, 0, 0);
        check(bad[i].n, r.error == E_NOT_SUPPORTED, "err %d", r.error);
    }
}

/* ---- 2: SET_SHMEM ---- */
static void check_err(const char *name, struct sbiret r, long want)
{
    check(name, r.error == want, "err %d%s", r.error, r.error == want ? "" : " (unexpected)");
}

static void test_set_shmem(void)
{
    uint64_t a = PA(shm_a), end = dt_ram_end;
    check_err("shmem.flags-1", nacl(FID_SET_SHMEM, a, 0, 1), E_INVALID_PARAM);
    check_err("shmem.flags-top", nacl(FID_SET_SHMEM, a, 0, 1l << 63), E_INVALID_PARAM);
    check_err("shmem.misaligned-8", nacl(FID_SET_SHMEM, a + 8, 0, 0), E_INVALID_PARAM);
    check_err("shmem.misaligned-2k", nacl(FID_SET_SHMEM, a + 0x800, 0, 0), E_INVALID_PARAM);
    check_err("shmem.lo-ones-hi-0", nacl(FID_SET_SHMEM, -1, 0, 0), E_INVALID_PARAM);
    check_err("shmem.hi-1", nacl(FID_SET_SHMEM, a, 1, 0), E_INVALID_ADDRESS);
    check_err("shmem.hi-ones", nacl(FID_SET_SHMEM, a, -1, 0), E_INVALID_ADDRESS);
    check_err("shmem.zero", nacl(FID_SET_SHMEM, 0, 0, 0), E_INVALID_ADDRESS);
    check_err("shmem.uart", nacl(FID_SET_SHMEM, 0x10000000, 0, 0), E_INVALID_ADDRESS);
    check_err("shmem.plic", nacl(FID_SET_SHMEM, (long)dt_plic_base, 0, 0), E_INVALID_ADDRESS);
    check_err("shmem.plic-context", nacl(FID_SET_SHMEM, (long)dt_plic_base + 0x200000, 0, 0), E_INVALID_ADDRESS);
    check_err("shmem.ram-end", nacl(FID_SET_SHMEM, (long)end, 0, 0), E_INVALID_ADDRESS);
    check_err("shmem.ram-end+1m", nacl(FID_SET_SHMEM, (long)end + 0x100000, 0, 0), E_INVALID_ADDRESS);
    check_err("shmem.above-4g", nacl(FID_SET_SHMEM, 0x100000000l, 0, 0), E_INVALID_ADDRESS);
    check_err("shmem.firmware", nacl(FID_SET_SHMEM, (long)dt_ram_base, 0, 0), E_INVALID_ADDRESS);
    check_err("shmem.firmware+64k", nacl(FID_SET_SHMEM, (long)dt_ram_base + 0x10000, 0, 0), E_INVALID_ADDRESS);
    check_err("shmem.across-ram-end", nacl(FID_SET_SHMEM, (long)end - 0x1000, 0, 0), E_INVALID_ADDRESS);
    check_err("shmem.across-ram-end-8k", nacl(FID_SET_SHMEM, (long)end - 0x2000, 0, 0), E_INVALID_ADDRESS);
    check_err("shmem.top-of-ram", nacl(FID_SET_SHMEM, (long)end - SHM_SIZE, 0, 0), 0);
    check_err("shmem.disable", nacl(FID_SET_SHMEM, -1, -1, 0), 0);
    check_err("shmem.no-shmem.sync-csr", nacl(FID_SYNC_CSR, -1, 0, 0), feat[FEAT_CSR] ? E_NO_SHMEM : E_NOT_SUPPORTED);
    check_err("shmem.no-shmem.sync-csr-hstatus", nacl(FID_SYNC_CSR, 0x600, 0, 0),
              feat[FEAT_CSR] ? E_NO_SHMEM : E_NOT_SUPPORTED);
    check_err("shmem.no-shmem.sync-hfence", nacl(FID_SYNC_HFENCE, -1, 0, 0),
              feat[FEAT_HFENCE] ? E_NO_SHMEM : E_NOT_SUPPORTED);
    check_err("shmem.no-shmem.sync-hfence-0", nacl(FID_SYNC_HFENCE, 0, 0, 0),
              feat[FEAT_HFENCE] ? E_NO_SHMEM : E_NOT_SUPPORTED);
    /* SYNC_SRET with hstatus.SPV=0 and sepc at a landing pad in HS, so a
     * wrong success shows as 2 instead of running away */
    cw(HSTATUS, HS_BOOT);
    csr_set(sstatus, 1ull << 8);
    long e = l2_enter(1, PA(nacl_landing));
    check("shmem.no-shmem.sync-sret", e == (feat[FEAT_SRET] ? E_NO_SHMEM : E_NOT_SUPPORTED), "err %d", e);
    check_err("shmem.disable-again", nacl(FID_SET_SHMEM, -1, -1, 0), 0);
    check_err("shmem.disable-flags", nacl(FID_SET_SHMEM, -1, -1, 1), E_INVALID_PARAM);
}

/* ---- 3: the CSR space ---- */
static void test_csr_space(void)
{
    /* values of their own in a few CSRs, junk in the page */
    cw(HVIP, 4);
    cw(VSSCRATCH, 0x5c5c5c5c5c5c5c5cull);
    cw(HTIMEDELTA, 0x77);
    cw(HEDELEG, 0x100);
    cw(VSTVEC, 0x80201000);
    for (unsigned i = 0; i < SHM_SIZE / 8; i++)
        shm_a[i] = i < 512 ? 0 : 0xdeadbeef00000000ull | i;
    check_err("shmem.set", nacl(FID_SET_SHMEM, (long)PA(shm_a), 0, 0), 0);
    shm = shm_a;
    for (int k = 0; k < NH; k++) {
        uint64_t c = cr(k), w = *word(k);
        check(nm("space.initial.", hc[k].name, ""), c == w, "word %x csrr %x", w, c);
    }
    check("space.initial.bitmap-untouched", !any_dirty(), "dirty bits %d", (long)any_dirty());
    /* after a csrw the word follows (and dependent words) */
    const struct { int k; uint64_t v; } wv[] = {
        { HSTATUS, HS_BOOT | H_VTW }, { HEDELEG, 0xb1ff }, { HIDELEG, 0x444 }, { HIE, 0x444 },
        { HTIMEDELTA, 0x1234 }, { HCOUNTEREN, 5 }, { HGEIE, ~0ull }, { HENVCFG, 1 }, { HTVAL, 0x2222 },
        { HIP, 4 }, { HVIP, 0x40 }, { HTINST, 0x3003 }, { HGATP, (8ull << 60) | 0x80000 },
        { VSSTATUS, HS_BOOT | 2 }, { VSIE, 0x20 }, { VSTVEC, 0x80202000 }, { VSSCRATCH, 0x1111 },
        { VSEPC, 0x80203000 }, { VSCAUSE, 7 }, { VSTVAL, 0x3333 }, { VSIP, 2 },
        { VSATP, (8ull << 60) | (PA(vroot) >> 12) }, { VSTIMECMP, 1ull << 62 },
    };
    for (unsigned i = 0; i < ARRAY_SIZE(wv); i++) {
        int k = wv[i].k;
        cw(k, wv[i].v);
        uint64_t c = cr(k), w = *word(k);
        check(nm("space.after-csrw.", hc[k].name, ""), c == w && !dirty(k), "word %x csrr %x", w, c);
        if (k == HIP || k == HVIP || k == VSIP) {
            for (int d = HIP; d <= HVIP; d++) {
                if (d == k)
                    continue;
                c = cr(d), w = *word(d);
                check(nm("space.after-csrw.", hc[k].name, d == HIP ? ".hip" : ".hvip"), c == w,
                      "word %x csrr %x", w, c);
            }
            c = cr(VSIP), w = *word(VSIP);
            if (k != VSIP)
                check(nm("space.after-csrw.", hc[k].name, ".vsip"), c == w, "word %x csrr %x", w, c);
        }
    }
    /* moving the shared memory: the new page gets the words */
    for (unsigned i = 0; i < SHM_SIZE / 8; i++)
        shm_b[i] = i < 512 ? 0 : 0xdeadbeef00000000ull | i;
    check_err("shmem.move", nacl(FID_SET_SHMEM, (long)PA(shm_b), 0, 0), 0);
    shm = shm_b;
    int bad = 0;
    for (int k = 0; k < NH; k++)
        bad += cr(k) != *word(k);
    check("space.moved.all-words", bad == 0, "%d of %d words differ from csrr", (long)bad, (long)NH);
    cw(VSSCRATCH, 0x4444);
    check("space.moved.old-page-stale", shm_a[(CSR_OFF + 8 * CSR_IDX(0x240)) / 8] == 0x1111 &&
          shm_b[(CSR_OFF + 8 * CSR_IDX(0x240)) / 8] == 0x4444, "old %x new %x",
          shm_a[(CSR_OFF + 8 * CSR_IDX(0x240)) / 8], shm_b[(CSR_OFF + 8 * CSR_IDX(0x240)) / 8]);
    check_err("shmem.back", nacl(FID_SET_SHMEM, (long)PA(shm_a), 0, 0), 0);
    shm = shm_a;
    /* quiet values again */
    static const int quiet[] = { HSTATUS, HEDELEG, HIDELEG, HIE, HTIMEDELTA, HCOUNTEREN, HGEIE, HENVCFG,
                                 HTVAL, HVIP, HTINST, HGATP, VSIE, VSTVEC, VSSCRATCH, VSEPC, VSCAUSE,
                                 VSTVAL, VSATP };
    for (unsigned i = 0; i < ARRAY_SIZE(quiet); i++)
        cw(quiet[i], quiet[i] == HSTATUS ? HS_BOOT : 0);
    cw(VSSTATUS, HS_BOOT);
    cw(VSTIMECMP, ~0ull);
    if (!feat[FEAT_CSR]) {
        check_err("off.csr.sync-csr-all", nacl(FID_SYNC_CSR, -1, 0, 0), E_NOT_SUPPORTED);
        check_err("off.csr.sync-csr-one", nacl(FID_SYNC_CSR, 0x240, 0, 0), E_NOT_SUPPORTED);
        return;
    }
    /* SYNC_CSR of one CSR: as csrw would write it; bit clear; word legal */
    for (int k = 0; k < NH; k++) {
        /* all ones, or where that legalizes to the old value a legal one */
        uint64_t v = k == HGATP ? hgatp_val() : k == VSATP ? vsatp_val() : k == VSTVEC ? 0x80201001ull
                   : k == VSTIMECMP ? 0x123456789ull : ~0ull;
        uint64_t rest = k == HSTATUS ? HS_BOOT : k == VSSTATUS ? HS_BOOT : k == VSTIMECMP ? ~0ull : 0;
        uint64_t legal;
        if (k == HGEIP) {
            legal = cr(k);                           /* read-only: keeps its value */
        } else {
            cw(k, v);
            legal = cr(k);
            cw(k, rest);
        }
        uint64_t before = cr(k);
        page_put(k, v);
        struct sbiret r = nacl(FID_SYNC_CSR, hc[k].num, 0, 0);
        uint64_t c = cr(k), w = *word(k);
        check(nm("sync1.", hc[k].name, ""), r.error == 0 && c == legal && w == legal && !dirty(k),
              "err %d csrr %x word %x bit %d (csrw gives %x, was %x)", r.error, c, w, (long)dirty(k), legal, before);
        if (k != HGEIP)
            cw(k, rest);
    }
    check("sync1.bitmap-clear", !any_dirty(), "dirty bits left %d", (long)any_dirty());
    /* one CSR synced, another dirty left alone */
    page_put(VSSCRATCH, 0x1212);
    page_put(VSTVAL, 0x3434);
    struct sbiret r = nacl(FID_SYNC_CSR, 0x240, 0, 0);
    check("sync1.only-that-one", r.error == 0 && cr(VSSCRATCH) == 0x1212 && cr(VSTVAL) == 0 && dirty(VSTVAL) &&
          *word(VSTVAL) == 0x3434, "err %d vsscratch %x vstval %x bit %d word %x", r.error, cr(VSSCRATCH),
          cr(VSTVAL), (long)dirty(VSTVAL), *word(VSTVAL));
    r = nacl(FID_SYNC_CSR, -1, 0, 0);
    check("sync-all.the-other", r.error == 0 && cr(VSTVAL) == 0x3434 && !dirty(VSTVAL), "err %d vstval %x bit %d",
          r.error, cr(VSTVAL), (long)dirty(VSTVAL));
    /* sync-all with several dirty, dependencies first */
    page_put(HIP, 0);
    page_put(HVIP, 4);                              /* hvip first, then hip clears VSSIP */
    page_put(VSIE, 0x222);
    page_put(HIDELEG, 0x444);                       /* hideleg before vsie */
    page_put(VSEPC, 0x80204000);
    page_put(VSCAUSE, 0xd);
    r = nacl(FID_SYNC_CSR, -1, 0, 0);
    check("sync-all.order.hvip-then-hip", r.error == 0 && cr(HVIP) == 0 && *word(HVIP) == 0 && *word(HIP) == 0,
          "err %d hvip %x words hvip %x hip %x", r.error, cr(HVIP), *word(HVIP), *word(HIP));
    check("sync-all.order.hideleg-then-vsie", cr(HIE) == 0x444 && *word(HIE) == 0x444 && *word(VSIE) == 0x222,
          "hie %x words hie %x vsie %x", cr(HIE), *word(HIE), *word(VSIE));
    check("sync-all.others", cr(VSEPC) == 0x80204000 && cr(VSCAUSE) == 0xd && !any_dirty(), "vsepc %x vscause %x dirty %d",
          cr(VSEPC), cr(VSCAUSE), (long)any_dirty());
    page_put(HVIP, 0x44);
    page_put(VSIP, 0);                              /* vsip.SSIP is hvip.VSSIP with hideleg set */
    r = nacl(FID_SYNC_CSR, -1, 0, 0);
    /* vsip then shows hvip.VSTIP as STIP, SSIP clear */
    check("sync-all.order.hvip-then-vsip", r.error == 0 && cr(HVIP) == 0x40 && *word(HVIP) == 0x40 &&
          *word(VSIP) == 0x20 && cr(VSIP) == 0x20, "err %d hvip %x word %x vsip %x word %x", r.error, cr(HVIP),
          *word(HVIP), cr(VSIP), *word(VSIP));
    page_put(HVIP, 0);
    page_put(HENVCFG, STCE);
    page_put(VSTIMECMP, 0);
    r = nacl(FID_SYNC_CSR, -1, 0, 0);
    check("sync-all.order.henvcfg-then-vstimecmp", r.error == 0 && (cr(HIP) & 0x40) && (*word(HIP) & 0x40),
          "err %d hip %x word %x", r.error, cr(HIP), *word(HIP));
    page_put(VSTIMECMP, ~0ull);
    page_put(HENVCFG, 0);
    page_put(HVIP, 0);
    page_put(HIE, 0);
    page_put(HIDELEG, 0);
    page_put(VSEPC, 0);
    page_put(VSCAUSE, 0);
    r = nacl(FID_SYNC_CSR, -1, 0, 0);
    check("sync-all.quiet-again", r.error == 0 && cr(HIP) == 0 && *word(HIP) == 0 && cr(HIE) == 0 && !any_dirty(),
          "err %d hip %x word %x hie %x", r.error, cr(HIP), *word(HIP), cr(HIE));
    r = nacl(FID_SYNC_CSR, -1, 0, 0);
    check("sync-all.nothing-dirty", r.error == 0 && !any_dirty(), "err %d", r.error);
    /* csr_num: not an H CSR, beyond 0x1000, not implemented */
    static const struct { const char *n; long csr; } inv[] = {
        { "sync1.invalid.0x100-sstatus", 0x100 }, { "sync1.invalid.0x300-mstatus", 0x300 },
        { "sync1.invalid.0x1600", 0x1600 }, { "sync1.invalid.0x1200", 0x1200 },
        { "sync1.invalid.0x608-hvien", 0x608 }, { "sync1.invalid.0x6a8", 0x6a8 },
        { "sync1.invalid.0x2ff", 0x2ff }, { "sync1.invalid.0xa00", 0xa00 },
        { "sync1.invalid.-2", -2 }, { "sync1.invalid.0xffffffff", 0xffffffffl },
    };
    for (unsigned i = 0; i < ARRAY_SIZE(inv); i++)
        check_err(inv[i].n, nacl(FID_SYNC_CSR, inv[i].csr, 0, 0), E_INVALID_PARAM);
    /* hstateen0 exists only with Smstateen (not on this CPU) */
    uint64_t hs0 = conf_exec(enc_csr(F_CSRRS, R_A0, R_ZERO, 0x60c), MODE_S, 0, 0);
    (void)hs0;
    int has_hstateen = !conf_trapped;
    check_err("sync1.hstateen0-as-implemented", nacl(FID_SYNC_CSR, 0x60c, 0, 0), has_hstateen ? 0 : E_INVALID_PARAM);
    /* hgeip dirty with everything else: keeps its value */
    uint64_t g = cr(HGEIP);
    page_put(HGEIP, ~0ull);
    r = nacl(FID_SYNC_CSR, -1, 0, 0);
    check("sync-all.hgeip-read-only", r.error == 0 && cr(HGEIP) == g && *word(HGEIP) == g && !dirty(HGEIP),
          "err %d hgeip %x word %x bit %d", r.error, cr(HGEIP), *word(HGEIP), (long)dirty(HGEIP));
}

/* ---- 2b: the shared memory is per hart ---- */
extern char hart1_entry[];
static uint64_t hart1_stack[512] __attribute__((aligned(16)));
static volatile struct {
    long sync_csr, sync_hfence, set, sync_after, set_off;
    uint64_t word0, csr0, word1, done;
} H1;

void hart1_main(unsigned long hartid);
void hart1_main(unsigned long hartid)
{
    (void)hartid;
    H1.sync_csr = nacl(FID_SYNC_CSR, -1, 0, 0).error;
    H1.sync_hfence = nacl(FID_SYNC_HFENCE, -1, 0, 0).error;
    for (unsigned i = 0; i < SHM_SIZE / 8; i++)
        shm_b[i] = i < 512 ? 0 : 0xdeadbeef00000000ull | i;
    mb();
    H1.set = nacl(FID_SET_SHMEM, (long)PA(shm_b), 0, 0).error;
    H1.sync_after = nacl(FID_SYNC_CSR, -1, 0, 0).error;
    H1.csr0 = csr_read(0x240);                     /* its own vsscratch */
    H1.word0 = shm_b[(CSR_OFF + 8 * CSR_IDX(0x240)) / 8];
    csr_write(0x240, 0x4242424242424242ull);
    H1.word1 = shm_b[(CSR_OFF + 8 * CSR_IDX(0x240)) / 8];
    H1.set_off = nacl(FID_SET_SHMEM, -1, -1, 0).error;
    mb();
    H1.done = 1;
    sbi_call(SBI_EXT_HSM, 1, 0, 0, 0);             /* hart_stop */
}

static void test_per_hart(void)
{
    if (dt_nharts < 2)
        return;
    uint64_t mine = 0x0a0a0a0a0a0a0a0aull;
    cw(VSSCRATCH, mine);
    struct sbiret r = sbi_call(SBI_EXT_HSM, 0, (long)dt_hart_ids[1], (long)PA(hart1_entry),
                               (long)PA(&hart1_stack[512]));
    uint64_t t0 = csr_read(time);
    while (!H1.done && csr_read(time) - t0 < 20 * dt_timebase)
        ;
    mb();
    check("hart1.started", r.error == 0 && H1.done, "hart_start err %d, done %d", r.error, (long)H1.done);
    check_err("hart1.no-shmem.sync-csr", (struct sbiret){ H1.sync_csr, 0 }, E_NO_SHMEM);
    check_err("hart1.no-shmem.sync-hfence", (struct sbiret){ H1.sync_hfence, 0 }, E_NO_SHMEM);
    check_err("hart1.set-shmem", (struct sbiret){ H1.set, 0 }, 0);
    check_err("hart1.sync-csr", (struct sbiret){ H1.sync_after, 0 }, 0);
    check("hart1.words-its-own", H1.word0 == H1.csr0 && H1.csr0 != mine, "vsscratch word %x csrr %x (hart 0's %x)",
          H1.word0, H1.csr0, mine);
    check("hart1.csrw-follows", H1.word1 == 0x4242424242424242ull, "vsscratch word %x", H1.word1);
    check_err("hart1.disable", (struct sbiret){ H1.set_off, 0 }, 0);
    check("hart0.word-untouched", *word(VSSCRATCH) == mine && cr(VSSCRATCH) == mine, "word %x csrr %x",
          *word(VSSCRATCH), cr(VSSCRATCH));
    r = nacl(FID_SYNC_CSR, -1, 0, 0);
    check_err("hart0.still-set", r, feat[FEAT_CSR] ? 0 : E_NOT_SUPPORTED);
    cw(VSSCRATCH, 0);
}

/* ---- the differential sequence: val lines ---- */
struct acc { long n, bad; };
static struct acc acc[NH];
static unsigned step_no;

/* "val LABEL[=PATTERN] CSR: value" for each CSR of mask (the word with
 * NACL writes, else csrr), and where there is a shared memory the word
 * compared with csrr (and its dirty bit), counted for owner. */
static void observe(int owner, const char *label, const uint64_t *pat, uint32_t mask)
{
    for (int k = 0; k < NH; k++) {
        if (!((mask >> k) & 1))
            continue;
        uint64_t c = cr(k), shown = c;
        if (shm) {
            uint64_t w = *word(k);
            int bad = w != c || (page_writes && dirty(k));
            acc[owner].n++;
            if (bad) {
                acc[owner].bad++;
                cprintf("nacl: step %d: %s word %x csrr %x dirty %d\n", (long)step_no, hc[k].name, w, c,
                        (long)dirty(k));
            }
            if (page_writes)
                shown = w;
        }
        if (pat)
            cprintf("val %s=%x %s: %x\n", label, *pat, hc[k].name, shown);
        else
            cprintf("val %s %s: %x\n", label, hc[k].name, shown);
    }
}

/* Write n CSRs (in this order: dependencies first) and print mask's
 * values; one CSR is labelled with its pattern. */
static void vstep(const char *label, int n, const int *ks, const uint64_t *vs, uint32_t mask)
{
    if (page_writes) {
        for (int i = 0; i < n; i++)
            page_put(ks[i], vs[i]);
        long which = n == 1 && step_no % 3 != 2 ? (long)hc[ks[0]].num : -1;
        must(nacl(FID_SYNC_CSR, which, 0, 0), "sync_csr");
    } else {
        for (int i = 0; i < n; i++)
            cw(ks[i], vs[i]);
    }
    step_no++;
    observe(ks[0], label, n == 1 ? vs : 0, mask);
}

static void v1(int k, uint64_t v, uint32_t deps)
{
    vstep(hc[k].name, 1, &k, &v, B(k) | deps);
}

static const uint64_t common_pat[] = { ~0ull, 0, 0x5555555555555555ull, 0xaaaaaaaaaaaaaaaaull };
static const struct seq {
    int k;
    uint32_t deps;
    uint64_t rest;
    int n;
    uint64_t sp[6];
} seqs[] = {
    { HGEIP, 0, 0, 2, { 2, 0xfffffffe } },
    { HTVAL, 0, 0, 2, { 0x123456789ull, 0x8000000000000003ull } },
    { HTINST, 0, 0, 2, { 0x3003, 0x12345678 } },
    { HSTATUS, 0, HS_BOOT, 5, { HS_BOOT, HS_BOOT | H_VTSR | H_VTW | H_VTVM, HS_BOOT | (0x3full << 12),
                                HS_BOOT | H_GVA | H_SPVP | H_HU, 1ull << 32 } },
    { HEDELEG, 0, 0, 3, { 0xb1ff, 1ull << 10, 0xf00000 } },
    { HIDELEG, B(VSIE) | B(VSIP), 0, 3, { 0x444, 0x1444, 0x222 } },
    { HIE, B(VSIE), 0, 3, { 0x1444, 0x444, 0x222 } },
    { HTIMEDELTA, 0, 0, 2, { 1, 0x123456789abcdef0ull } },
    { HCOUNTEREN, 0, 0, 2, { 0xffffffff, 7 } },
    { HGEIE, 0, 0, 2, { 1, 2 } },
    { HENVCFG, 0, 0, 5, { 1ull << 63, 1ull << 62, 1ull << 61, 0xf0, 1 } },
    { HIP, B(HVIP), 0, 3, { 4, 0x40, 0x400 } },
    { HVIP, B(HIP), 0, 4, { 4, 0x40, 0x400, 2 } },
    { HGATP, 0, 0, 5, { (8ull << 60) | (0x3fffull << 44) | 0xfffffffffffull, (9ull << 60) | 3,
                        (10ull << 60) | (1ull << 44) | 0x80000, 1ull << 60, 8ull << 60 } },
    { VSSTATUS, 0, HS_BOOT, 4, { HS_BOOT, HS_BOOT | 0x122, HS_BOOT | (3ull << 13) | (3ull << 15),
                                 HS_BOOT | (1ull << 18) | (1ull << 19) } },
    { VSTVEC, 0, 0, 4, { 0x80201001, 0x80200000, 2, 0x80200003 } },
    { VSSCRATCH, 0, 0, 1, { 0x123456789abcdef0ull } },
    { VSEPC, 0, 0, 2, { 1, 3 } },
    { VSCAUSE, 0, 0, 2, { 0x8000000000000005ull, 0x1f } },
    { VSTVAL, 0, 0, 1, { 0xfedcba9876543210ull } },
    { VSATP, 0, 0, 4, { (8ull << 60) | (0xffffull << 44) | 0xfffffffffffull, (9ull << 60) | 0x1234,
                        (1ull << 60) | 5, (10ull << 60) | 7 } },
    { VSTIMECMP, B(HIP), ~0ull, 2, { 1ull << 62, 0x7fffffffffffffffull } },
};

static void val_sequence(void)
{
    cprintf("nacl: val sequence (%s)\n", page_writes ? "shared memory and SYNC_CSR" : "CSR instructions");
    for (int k = 0; k < NH; k++)
        if (k != HGEIP)
            cw(k, k == HSTATUS || k == VSSTATUS ? HS_BOOT : k == VSTIMECMP ? ~0ull : 0);
    for (unsigned s = 0; s < ARRAY_SIZE(seqs); s++) {
        const struct seq *q = &seqs[s];
        for (unsigned i = 0; i < ARRAY_SIZE(common_pat); i++)
            v1(q->k, common_pat[i], q->deps);
        for (int i = 0; i < q->n; i++)
            v1(q->k, q->sp[i], q->deps);
        v1(q->k, q->rest, q->deps);
    }
    /* VS interrupt views with hideleg set */
    v1(HIDELEG, 0x444, B(VSIE) | B(VSIP));
    static const uint64_t vsie_p[] = { ~0ull, 0x222, 2, 0x20, 0 };
    for (unsigned i = 0; i < ARRAY_SIZE(vsie_p); i++)
        v1(VSIE, vsie_p[i], B(HIE));
    static const uint64_t vsip_p[] = { ~0ull, 2, 0x222, 0x20, 0 };
    for (unsigned i = 0; i < ARRAY_SIZE(vsip_p); i++)
        v1(VSIP, vsip_p[i], B(HVIP) | B(HIP));
    static const uint64_t hvip_p[] = { 0x444, 4, 0x40, 0 };
    for (unsigned i = 0; i < ARRAY_SIZE(hvip_p); i++)
        v1(HVIP, hvip_p[i], B(HIP) | B(VSIP));
    v1(HIDELEG, 0, B(VSIE) | B(VSIP));
    /* the Sstc VS timer */
    v1(HENVCFG, STCE, B(HIP));
    v1(VSTIMECMP, 0, B(HIP) | B(HVIP));
    v1(HTIMEDELTA, 0x8000000000000000ull, B(HIP));
    v1(HTIMEDELTA, 0, B(HIP));
    v1(VSTIMECMP, ~0ull, B(HIP) | B(HVIP));
    v1(HENVCFG, 0, B(HIP));
    /* several at once, dependencies first (one sync-all with NACL) */
    static const struct { const char *label; int n; int k[4]; uint64_t v[4]; uint32_t mask; } batch[] = {
        { "batch.hvip-hip", 2, { HVIP, HIP }, { 4, 0 }, B(HVIP) | B(HIP) | B(VSIP) },
        { "batch.hideleg-vsie", 2, { HIDELEG, VSIE }, { 0x444, 0x222 }, B(HIE) | B(VSIE) },
        { "batch.hvip-vsip", 3, { HIDELEG, HVIP, VSIP }, { 0x444, 0x44, 0 }, B(HVIP) | B(HIP) | B(VSIP) },
        { "batch.stce-vstimecmp", 3, { HVIP, HENVCFG, VSTIMECMP }, { 0, STCE, 0 }, B(HIP) | B(HENVCFG) },
        { "batch.quiet", 4, { VSTIMECMP, HENVCFG, HVIP, HIE }, { ~0ull, 0, 0, 0 }, B(HIP) | B(HVIP) | B(HIE) },
        { "batch.hideleg-0", 1, { HIDELEG }, { 0 }, B(HIDELEG) | B(VSIE) | B(VSIP) },
        { "batch.vs-regs", 4, { VSEPC, VSCAUSE, VSTVAL, VSSCRATCH }, { 0x80205000, 2, 0x77, 0x88 },
          B(VSEPC) | B(VSCAUSE) | B(VSTVAL) | B(VSSCRATCH) },
    };
    for (unsigned i = 0; i < ARRAY_SIZE(batch); i++) {
        vstep(batch[i].label, batch[i].n, batch[i].k, batch[i].v, batch[i].mask);
        if (i == 0)
            check("order.hvip-then-hip", cr(HVIP) == 0, "hvip %x", cr(HVIP));
        if (i == 1)
            check("order.hideleg-then-vsie", cr(HIE) == 0x444, "hie %x", cr(HIE));
        if (i == 2)
            check("order.hvip-then-vsip", cr(HVIP) == 0x40, "hvip %x", cr(HVIP));
        if (i == 3)
            check("order.stce-then-vstimecmp", (cr(HIP) & 0x40) != 0, "hip %x", cr(HIP));
    }
    static const int zk[] = { VSEPC, VSCAUSE, VSTVAL, VSSCRATCH };
    static const uint64_t zv[] = { 0, 0, 0, 0 };
    vstep("batch.vs-regs-0", 4, zk, zv, B(VSEPC) | B(VSCAUSE) | B(VSTVAL) | B(VSSCRATCH));
    if (shm) {
        for (int k = 0; k < NH; k++)
            check(nm(page_writes ? "space.sync." : "space.follow.", hc[k].name, ""),
                  acc[k].n > 0 && acc[k].bad == 0, "%d words compared, %d differ from csrr%s", acc[k].n,
                  acc[k].bad, page_writes ? " or stayed dirty" : "");
    }
}

/* ---- 4: HFENCE entries ---- */
static int ent_is(unsigned i, uint64_t cfg, uint64_t pnum, uint64_t count)
{
    volatile uint64_t *e = ent(i);
    return e[0] == cfg && e[1] == pnum && e[2] == 0 && e[3] == count;
}

static void test_hfence_entries(void)
{
    if (!feat[FEAT_HFENCE]) {
        check_err("off.hfence.sync-hfence-all", nacl(FID_SYNC_HFENCE, -1, 0, 0), E_NOT_SUPPORTED);
        check_err("off.hfence.sync-hfence-0", nacl(FID_SYNC_HFENCE, 0, 0, 0), E_NOT_SUPPORTED);
        return;
    }
    for (unsigned i = 0; i < NENTRIES; i++)
        ent_put(i, 0, 0, 0);
    struct { uint64_t cfg, pnum, count; } e[8] = {
        { CFG(T_GVMA, 12, 0, 0), W(0) >> 12, 1 },
        { CFG(T_GVMA_ALL, 12, 0, 0), 0, 0 },
        { CFG(T_GVMA_VMID, 12, vmid, 0), W(0) >> 12, 4 },
        { CFG(T_GVMA_VMID_ALL, 12, vmid, 0), 0, 0 },
        { CFG(T_VVMA, 12, vmid, 0), VW(0) >> 12, 1 },
        { CFG(T_VVMA_ALL, 12, vmid, 0), 0, 0 },
        { CFG(T_VVMA_ASID, 12, vmid, asid), VW(0) >> 12, 2 },
        { CFG(T_VVMA_ASID_ALL, 12, vmid, asid), 0, 0 },
    };
    for (unsigned t = 0; t < 8; t++)
        ent_put(t, e[t].cfg, e[t].pnum, e[t].count);
    /* order 21 (2 MiB pages) for the ranged types */
    static const unsigned ranged[4] = { T_GVMA, T_GVMA_VMID, T_VVMA, T_VVMA_ASID };
    for (unsigned j = 0; j < 4; j++) {
        unsigned t = ranged[j];
        uint64_t a = t < T_VVMA ? W(0) : VW(0);
        ent_put(8 + j, CFG(t, 21, t == T_GVMA ? 0 : vmid, t == T_VVMA_ASID ? asid : 0), a >> 21, 1);
    }
    ent_put(20, CFG(T_VVMA_ASID, 12, vmid, asid) & ~PEND, VW(0) >> 12, 1);     /* not pending */
    struct sbiret r = nacl(FID_SYNC_HFENCE, -1, 0, 0);
    check_err("hfence.sync-all", r, 0);
    for (unsigned t = 0; t < 8; t++)
        check(nm("hfence.type.", tname[t], ".pending-cleared"), ent_is(t, e[t].cfg & ~PEND, e[t].pnum, e[t].count),
              "config %x page %x count %x", ent(t)[0], ent(t)[1], ent(t)[3]);
    for (unsigned j = 0; j < 4; j++) {
        unsigned t = ranged[j];
        uint64_t a = t < T_VVMA ? W(0) : VW(0);
        check(nm("hfence.order21.", tname[t], ".pending-cleared"),
              ent_is(8 + j, CFG(t, 21, t == T_GVMA ? 0 : vmid, t == T_VVMA_ASID ? asid : 0) & ~PEND, a >> 21, 1),
              "config %x", ent(8 + j)[0]);
    }
    check("hfence.not-pending-untouched", ent_is(20, CFG(T_VVMA_ASID, 12, vmid, asid) & ~PEND, VW(0) >> 12, 1),
          "config %x", ent(20)[0]);
    /* one entry */
    ent_put(30, CFG(T_GVMA_ALL, 12, 0, 0), 0, 0);
    ent_put(31, CFG(T_VVMA_ALL, 12, vmid, 0), 0, 0);
    r = nacl(FID_SYNC_HFENCE, 30, 0, 0);
    check("hfence.single.30", r.error == 0 && !(ent(30)[0] & PEND) && (ent(31)[0] & PEND), "err %d e30 %x e31 %x",
          r.error, ent(30)[0], ent(31)[0]);
    r = nacl(FID_SYNC_HFENCE, 31, 0, 0);
    check("hfence.single.31", r.error == 0 && !(ent(31)[0] & PEND), "err %d e31 %x", r.error, ent(31)[0]);
    ent_put(NENTRIES - 1, CFG(T_GVMA_ALL, 12, 0, 0), 0, 0);
    r = nacl(FID_SYNC_HFENCE, NENTRIES - 1, 0, 0);
    check("hfence.single.last", r.error == 0 && !(ent(NENTRIES - 1)[0] & PEND), "err %d config %x", r.error,
          ent(NENTRIES - 1)[0]);
    /* bad indices: nothing synced */
    ent_put(0, CFG(T_GVMA_ALL, 12, 0, 0), 0, 0);
    static const struct { const char *n; long i; } bad[] = {
        { "hfence.bad-index.60", NENTRIES }, { "hfence.bad-index.61", NENTRIES + 1 },
        { "hfence.bad-index.0x100", 0x100 }, { "hfence.bad-index.2^32", 1l << 32 },
        { "hfence.bad-index.-2", -2 },
    };
    for (unsigned i = 0; i < ARRAY_SIZE(bad); i++)
        check_err(bad[i].n, nacl(FID_SYNC_HFENCE, bad[i].i, 0, 0), E_INVALID_PARAM);
    check("hfence.bad-index.nothing-synced", (ent(0)[0] & PEND) != 0, "entry 0 config %x", ent(0)[0]);
    must(nacl(FID_SYNC_HFENCE, 0, 0, 0), "sync_hfence(0)");
    /* reserved types, reserved bits, orders out of range: pending cleared, the rest kept */
    for (unsigned t = 8; t < 16; t++) {
        char d[3] = { (char)('0' + t / 10), (char)('0' + t % 10), 0 };
        uint64_t cfg = CFG(t, 12, 0, 0);
        ent_put(t, cfg, W(0) >> 12, 1);
        r = nacl(FID_SYNC_HFENCE, t, 0, 0);
        check(nm("hfence.reserved-type.", t < 10 ? d + 1 : d, ""), r.error == 0 && ent_is(t, cfg & ~PEND, W(0) >> 12, 1),
              "err %d config %x", r.error, ent(t)[0]);
    }
    static const struct { const char *n; uint64_t bits; } rb[] = {
        { "hfence.reserved-bit.62", 1ull << 62 }, { "hfence.reserved-bit.61", 1ull << 61 },
        { "hfence.reserved-bit.60", 1ull << 60 }, { "hfence.reserved-bit.55", 1ull << 55 },
        { "hfence.reserved-bit.47", 1ull << 47 }, { "hfence.reserved-bit.30", 1ull << 30 },
    };
    for (unsigned i = 0; i < ARRAY_SIZE(rb); i++) {
        uint64_t cfg = CFG(T_GVMA, 12, 0, 0) | rb[i].bits;
        ent_put(40 + i, cfg, W(0) >> 12, 1);
        r = nacl(FID_SYNC_HFENCE, 40 + i, 0, 0);
        check(rb[i].n, r.error == 0 && ent_is(40 + i, cfg & ~PEND, W(0) >> 12, 1), "err %d config %x", r.error,
              ent(40 + i)[0]);
    }
    static const struct { const char *n; unsigned type, order; } ob[] = {
        { "hfence.order-64.gvma", T_GVMA, 64 }, { "hfence.order-139.gvma", T_GVMA, 139 },
        { "hfence.order-64.vvma-asid", T_VVMA_ASID, 64 },
    };
    for (unsigned i = 0; i < ARRAY_SIZE(ob); i++) {
        uint64_t cfg = CFG(ob[i].type, ob[i].order, 0, 0);
        ent_put(50 + i, cfg, 1, 1);
        r = nacl(FID_SYNC_HFENCE, 50 + i, 0, 0);
        check(ob[i].n, r.error == 0 && ent_is(50 + i, cfg & ~PEND, 1, 1), "err %d config %x", r.error, ent(50 + i)[0]);
    }
    /* every entry pending, one sync */
    for (unsigned i = 0; i < NENTRIES; i++)
        ent_put(i, CFG(i & 1 ? T_VVMA_ALL : T_GVMA_VMID_ALL, 12, vmid, 0), 0, 0);
    r = nacl(FID_SYNC_HFENCE, -1, 0, 0);
    int left = 0;
    for (unsigned i = 0; i < NENTRIES; i++)
        left += (ent(i)[0] & PEND) != 0;
    check("hfence.all-60-entries", r.error == 0 && left == 0, "err %d still pending %d", r.error, (long)left);
    for (unsigned i = 0; i < NENTRIES; i++)
        ent_put(i, 0, 0, 0);
}

/* ---- 5: SYNC_SRET, L2 and back ---- */
static void test_sret(void)
{
    struct run r;
    l2_regs_pattern();
    run_default(&r, PA(l2_saveregs));
    r.guest_hs = HS_BOOT | H_SPV | H_SPVP | H_VTW;
    fence_all();
    l2_run(&r);
    int bad = 0, first = -1;
    for (int i = 1; i < 32; i++)
        if (save_area[i] != l2_regs[i]) {
            bad++;
            if (first < 0)
                first = i;
        }
    if (first < 0)
        check("sret.l2-regs", X.ret == 1, "ret %d, x1..x31 as L1 put them", X.ret);
    else
        check("sret.l2-regs", 0, "ret %d, %d of 31 registers differ, first x%d: %x (L1 put %x)", X.ret, (long)bad,
              (long)first, save_area[first], l2_regs[first]);
    check("sret.exit", exited(10, PA(l2_saveregs_exit)) && X.tval == 0,
          "ret %d cause %x epc %x (l2_saveregs_exit %x) tval %x", X.ret, X.cause, X.epc, PA(l2_saveregs_exit), X.tval);
    uint64_t ths = exit_hs(&r);
    check("sret.exit-hstatus", (ths & (H_SPV | H_SPVP | H_GVA | H_VTW)) == (H_SPV | H_SPVP | H_VTW),
          "trap hstatus %x", ths);
    check("sret.exit-sstatus", ((X.sstatus >> 8) & 1) == 1 && !(X.sstatus & 2), "sstatus %x", X.sstatus);
    if (autoswap_entry) {
        check("autoswap.host-hstatus-back", X.hstatus == HOST_HS, "hstatus %x (host %x)", X.hstatus, HOST_HS);
        check("autoswap.slot-guest", X.slot == (HS_BOOT | H_SPV | H_SPVP | H_VTW) && X.flags == 1,
              "slot %x flags %x", X.slot, X.flags);
    }
    /* a guest-page fault exit: htval/htinst/hstatus.GVA, and the words */
    run_default(&r, PA(l2_load));
    l2_regs[10] = GHOLE + 0x18;
    l2_run(&r);
    ths = exit_hs(&r);
    check("exit.gpf", exited(21, PA(l2_load_insn)) && X.tval == GHOLE + 0x18 && X.htval == (GHOLE + 0x18) >> 2,
          "ret %d cause %x epc %x tval %x htval %x", X.ret, X.cause, X.epc, X.tval, X.htval);
    check("exit.gpf-hstatus", (ths & (H_SPV | H_SPVP | H_GVA)) == (H_SPV | H_SPVP | H_GVA), "trap hstatus %x", ths);
    if (shm) {
        check("exit.words.htval", xw[HTVAL] == xc[HTVAL], "word %x csrr %x", xw[HTVAL], xc[HTVAL]);
        check("exit.words.htinst", xw[HTINST] == xc[HTINST], "word %x csrr %x", xw[HTINST], xc[HTINST]);
        check("exit.words.hstatus", xw[HSTATUS] == xc[HSTATUS], "word %x csrr %x", xw[HSTATUS], xc[HSTATUS]);
    }
    if (autoswap_entry)
        check("autoswap.gpf.slot-has-gva", X.slot == (HS_BOOT | H_SPV | H_SPVP | H_GVA) && X.hstatus == HOST_HS,
              "slot %x hstatus %x", X.slot, X.hstatus);
    /* L2's own handler: delegated breakpoint */
    run_default(&r, PA(l2_ebreak));
    r.hedeleg = 1ull << 3;
    l2_run(&r);
    uint64_t vc = xc[VSCAUSE], ve = xc[VSEPC];
    check("exit.l2-handler", exited(10, PA(l2_vec_exit)) && l2_hs.cause == 3 && l2_hs.epc == PA(l2_ebreak) &&
          vc == 3 && ve == PA(l2_ebreak), "ret %d cause %x epc %x; L2 saw cause %x epc %x; vscause %x vsepc %x",
          X.ret, X.cause, X.epc, l2_hs.cause, l2_hs.epc, vc, ve);
    if (shm) {
        static const int vk[] = { VSCAUSE, VSEPC, VSTVAL, VSSTATUS, HSTATUS };
        for (unsigned i = 0; i < ARRAY_SIZE(vk); i++)
            check(nm("exit.l2-handler.words.", hc[vk[i]].name, ""), xw[vk[i]] == xc[vk[i]], "word %x csrr %x",
                  xw[vk[i]], xc[vk[i]]);
    }
    /* hstatus written (not swapped), autoswap flag 0 */
    if (sret_entry && shm) {
        run_default(&r, PA(l2_load));
        l2_regs[10] = GHOLE + 0x38;
        r.swap = 0;
        r.swap_slot = 0x123;
        l2_run(&r);
        check("autoswap.flag-0.exit", exited(21, PA(l2_load_insn)) && (X.hstatus & (H_SPV | H_SPVP | H_GVA)) ==
              (H_SPV | H_SPVP | H_GVA) && X.slot == 0x123, "ret %d cause %x hstatus %x slot %x", X.ret, X.cause,
              X.hstatus, X.slot);
    }
    /* the autoswap feature off: the flag set, nothing swapped */
    if (sret_entry && !feat[FEAT_AUTOSWAP]) {
        run_default(&r, PA(l2_load));
        l2_regs[10] = GHOLE + 0x48;
        r.swap = 0;
        r.swap_slot = HS_BOOT | H_SPV | H_SPVP | H_VTW;
        r.swap_flag_anyway = 1;
        l2_run(&r);
        check("off.autoswap.not-swapped", exited(21, PA(l2_load_insn)) &&
              (X.hstatus & (H_SPV | H_SPVP | H_GVA | H_VTW)) == (H_SPV | H_SPVP | H_GVA) &&
              X.slot == (HS_BOOT | H_SPV | H_SPVP | H_VTW), "ret %d cause %x hstatus %x slot %x", X.ret, X.cause,
              X.hstatus, X.slot);
    }
    /* SYNC_SRET offered, CSR or HFENCE sync not: SYNC_SRET leaves the
     * dirty words and the pending entries alone */
    if (sret_entry && (!feat[FEAT_CSR] || !feat[FEAT_HFENCE])) {
        run_default(&r, PA(l2_saveregs));
        l2_regs_pattern();
        if (!feat[FEAT_CSR])
            page_put(VSTVAL, 0x4321);
        if (!feat[FEAT_HFENCE])
            ent_put(5, CFG(T_GVMA_ALL, 12, 0, 0), 0, 0);
        skip_words = 1;
        l2_run(&r);
        skip_words = 0;
        if (!feat[FEAT_CSR])
            check("off.csr.sret-leaves-dirty", X.ret == 1 && dirty(VSTVAL) && cr(VSTVAL) != 0x4321,
                  "ret %d bit %d vstval %x", X.ret, (long)dirty(VSTVAL), cr(VSTVAL));
        if (!feat[FEAT_HFENCE])
            check("off.hfence.sret-leaves-pending", X.ret == 1 && (ent(5)[0] & PEND), "ret %d config %x", X.ret,
                  ent(5)[0]);
        /* L1 takes its unsynced write back: the word is L1's until the
         * CSR itself changes */
        volatile uint8_t *b = dbm();
        for (int i = 0; i < 128; i++)
            b[i] = 0;
        *word(VSTVAL) = cr(VSTVAL);
        ent_put(5, 0, 0, 0);
    }
    if (present && !feat[FEAT_SRET]) {
        cw(HSTATUS, HS_BOOT);
        csr_set(sstatus, 1ull << 8);
        long e = l2_enter(1, PA(nacl_landing));
        check("off.sret.sync-sret", e == E_NOT_SUPPORTED, "err %d", e);
    }
}

/* ---- 4b: stale translations seen from L2 ---- */
struct fv { const char *name; unsigned type, order; int vs; };
static const struct fv fvs[] = {
    { "gvma", T_GVMA, 12, 0 }, { "gvma-o21", T_GVMA, 21, 0 }, { "gvma-all", T_GVMA_ALL, 12, 0 },
    { "gvma-vmid", T_GVMA_VMID, 12, 0 }, { "gvma-vmid-o21", T_GVMA_VMID, 21, 0 },
    { "gvma-vmid-all", T_GVMA_VMID_ALL, 12, 0 },
    { "vvma", T_VVMA, 12, 1 }, { "vvma-o21", T_VVMA, 21, 1 }, { "vvma-all", T_VVMA_ALL, 12, 1 },
    { "vvma-asid", T_VVMA_ASID, 12, 1 }, { "vvma-asid-all", T_VVMA_ASID_ALL, 12, 1 },
};

static void test_stale(void)
{
    struct run r;
    for (unsigned i = 0; i < ARRAY_SIZE(fvs); i++) {
        const struct fv *f = &fvs[i];
        uint64_t addr = f->vs ? VW(0) + 0x40 : W(0) + 0x40;
        uint64_t old = f->vs ? pgC[8] : pgA[8], nw = f->vs ? pgD[8] : pgB[8];
        gwin0[0] = PTE(PA(pgA), GL);
        vwin0[0] = PTE(W(1), VL);
        fence_all();
        l2_regs_pattern();
        run_default(&r, PA(l2_load));
        r.vsatp = f->vs ? vsatp_val() : 0;
        l2_regs[10] = addr;
        l2_run(&r);
        uint64_t got = l2_exit_frame[10];
        check(nm("stale.", f->name, ".before"), exited(10, PA(l2_load_exit)) && got == old,
              "ret %d cause %x a0 %x (old page %x)", X.ret, X.cause, got, old);
        /* the change and its fence */
        if (f->vs)
            vwin0[0] = PTE(W(2), VL);
        else
            gwin0[0] = PTE(PA(pgB), GL);
        mb();
        int via_sret = 0;
        if (entry_fences) {
            uint64_t a = f->vs ? VW(0) : W(0);
            int ranged = f->type == T_GVMA || f->type == T_GVMA_VMID || f->type == T_VVMA || f->type == T_VVMA_ASID;
            uint64_t id_vmid = f->type == T_GVMA || f->type == T_GVMA_ALL ? 0 : vmid;
            uint64_t id_asid = f->type == T_VVMA_ASID || f->type == T_VVMA_ASID_ALL ? asid : 0;
            ent_put(3, CFG(f->type, ranged ? f->order : 12, id_vmid, id_asid), ranged ? a >> f->order : 0,
                    ranged ? 1 : 0);
            via_sret = sret_entry && (i & 1);
            if (!via_sret)
                must(nacl(FID_SYNC_HFENCE, 3, 0, 0), "sync_hfence(3)");
        } else {
            switch (f->type) {
            case T_GVMA: hfence_gvma_form(1, 0, W(0) >> 2, 0); break;
            case T_GVMA_ALL: hfence_gvma_form(0, 0, 0, 0); break;
            case T_GVMA_VMID: hfence_gvma_form(1, 1, W(0) >> 2, vmid); break;
            case T_GVMA_VMID_ALL: hfence_gvma_form(0, 1, 0, vmid); break;
            case T_VVMA: hfence_vvma_form(1, 0, VW(0), 0); break;
            case T_VVMA_ALL: hfence_vvma_form(0, 0, 0, 0); break;
            case T_VVMA_ASID: hfence_vvma_form(1, 1, VW(0), asid); break;
            default: hfence_vvma_form(0, 1, 0, asid); break;
            }
        }
        l2_regs_pattern();
        l2_regs[10] = addr;
        l2_run(&r);
        got = l2_exit_frame[10];
        int cleared = !entry_fences || !(ent(3)[0] & PEND);
        check(nm("stale.", f->name, via_sret ? ".after-sync-sret" : ".after-fence"),
              exited(10, PA(l2_load_exit)) && got == nw && cleared, "ret %d cause %x a0 %x (new page %x)%s", X.ret,
              X.cause, got, nw, cleared ? "" : ", entry still pending");
    }
    gwin0[0] = PTE(PA(pgA), GL);
    vwin0[0] = PTE(W(1), VL);
    fence_all();
}

/* ---- 6: interrupts and timers for L2 ---- */
static void test_irq(void)
{
    struct run r;
    /* hvip.VSSIP: L2 takes the VS software interrupt and clears it */
    l2_regs_pattern();
    run_default(&r, PA(l2_irq));
    r.hideleg = 0x444;
    r.hvip = 4;
    l2_regs[10] = 2;                               /* sie.SSIE */
    l2_regs[11] = 2000000;
    l2_run(&r);
    check("irq.vssip.taken", exited(10, PA(l2_irq_exit)) && l2_hs.cause == (IRQ | 1) && l2_hs.count == 1,
          "ret %d cause %x epc %x; L2 took %d, cause %x", X.ret, X.cause, X.epc, (long)l2_hs.count, l2_hs.cause);
    /* l2_run reset hvip after the exit: the exit values */
    check("irq.vssip.cleared-by-l2", X.ret == 1 && !(xc[HVIP] & 4), "hvip at the exit %x", xc[HVIP]);
    if (shm)
        check("irq.vssip.word-cleared", !(xw[HVIP] & 4) && xw[HVIP] == xc[HVIP], "word %x csrr %x",
              xw[HVIP], xc[HVIP]);
    /* the Sstc VS timer: vstimecmp (through the page) a little ahead */
    l2_regs_pattern();
    run_default(&r, PA(l2_irq));
    r.hideleg = 0x444;
    r.henvcfg = STCE;
    r.vstimecmp = csr_read(time) + dt_timebase / 1000;
    l2_regs[10] = 0x20;                            /* sie.STIE */
    l2_regs[11] = 50000000;
    l2_run(&r);
    check("irq.vstimer.taken", exited(10, PA(l2_irq_exit)) && l2_hs.cause == (IRQ | 5) && l2_hs.count == 1,
          "ret %d cause %x; L2 took %d, cause %x", X.ret, X.cause, (long)l2_hs.count, l2_hs.cause);
    if (shm)
        check("irq.vstimer.vstimecmp-word", xw[VSTIMECMP] == r.vstimecmp, "word %x (written %x)",
              xw[VSTIMECMP], r.vstimecmp);
    /* already due */
    l2_regs_pattern();
    run_default(&r, PA(l2_irq));
    r.hideleg = 0x444;
    r.henvcfg = STCE;
    r.vstimecmp = 0;
    l2_regs[10] = 0x20;
    l2_regs[11] = 2000000;
    l2_run(&r);
    check("irq.vstimer-due.taken", exited(10, PA(l2_irq_exit)) && l2_hs.cause == (IRQ | 5) && l2_hs.count == 1,
          "ret %d cause %x; L2 took %d, cause %x", X.ret, X.cause, (long)l2_hs.count, l2_hs.cause);
    /* not delegated: the same VSSIP with hideleg 0 stays with L1 (hie 0: not taken) */
    l2_regs_pattern();
    run_default(&r, PA(l2_irq));
    r.hvip = 4;
    l2_regs[10] = 2;
    l2_regs[11] = 20000;
    l2_run(&r);
    check("irq.vssip-not-delegated", exited(10, PA(l2_irq_exit)) && l2_hs.count == 0 && (xc[HVIP] & 4),
          "ret %d cause %x; L2 took %d; hvip at the exit %x", X.ret, X.cause, (long)l2_hs.count, xc[HVIP]);
}

int main(unsigned long hartid, unsigned long fdt)
{
    (void)hartid;
    conf_init(fdt);
    csr_write(sie, 0);
    unsigned long n;
    const char *m = bootarg_str(dt_bootargs, "nacl.mode", &n);
    mode_nacl = m && n == 4 && str_prefix(m, "nacl");
    const char *ex = bootarg_str(dt_bootargs, "nacl.expect", &n);
    int expect_present = !(ex && n == 6 && str_prefix(ex, "absent"));
    const char *off = bootarg_str(dt_bootargs, "nacl.off", &n);
    for (int f = 0; f < 4; f++)
        if (off && list_has(off, n, f == 0 ? "csr" : f == 1 ? "hfence" : f == 2 ? "sret" : "autoswap"))
            off_mask |= 1u << f;
    cprintf("nacl: start, mode %s, expect %s, features expected off %x\n", mode_nacl ? "nacl" : "csr",
            expect_present ? "present" : "absent", (uint64_t)off_mask);
    gen_stubs();
    tables();
    /* the VMID and ASID bits kept */
    cw(HGATP, hgatp_val() | (5ull << 44));
    vmid = (cr(HGATP) >> 44) & 0x3fff;
    cw(HGATP, 0);
    cw(VSATP, vsatp_val() | (9ull << 44));
    asid = (cr(VSATP) >> 44) & 0xffff;
    cw(VSATP, 0);
    cprintf("nacl: vmid %d asid %d\n", (long)vmid, (long)asid);

    test_probe(expect_present);
    if (present) {
        test_set_shmem();
        test_csr_space();
        test_per_hart();
    }
    page_writes = mode_nacl && feat[FEAT_CSR];
    entry_fences = mode_nacl && feat[FEAT_HFENCE];
    sret_entry = mode_nacl && feat[FEAT_SRET];
    autoswap_entry = sret_entry && feat[FEAT_AUTOSWAP];
    cprintf("nacl: CSR writes by %s, fences by %s, L2 entered by %s%s\n", page_writes ? "SYNC_CSR" : "csrw",
            entry_fences ? "HFENCE entries" : "HFENCE instructions", sret_entry ? "SYNC_SRET" : "sret",
            autoswap_entry ? " with hstatus swapped" : "");
    val_sequence();
    if (present && mode_nacl)
        test_hfence_entries();
    test_sret();
    test_stale();
    test_irq();
    if (shm)
        check("exit.words-current", words_bad == 0 && words_checked > 0, "%d runs, %d words compared, %d differ%s%s",
              runs, words_checked, words_bad, words_bad ? ", first: " : "", words_first);
    check("sbi.procedure-calls", sbi_errors == 0, "%d failed", sbi_errors);
    if (T_unexpected)
        check("traps.unexpected", 0, "%d", (long)T_unexpected);
    cprintf("nacl: %d checks, %d failed\n", conf_checks, conf_failures);
    cprintf("nacl: %s\n", conf_failures ? "FAILED" : "passed");
    shutdown();
    return 0;
}
