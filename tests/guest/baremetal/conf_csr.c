/* L1 conformance: every H and VS CSR of the model (QEMU rv64,h=true).
 * Each CSR is written with 0, all ones and seeded random values through
 * every Zicsr form and read back; the expected value comes from the WARL
 * rules of QEMU 10.2 target/riscv/csr.c (the reference: L1 in real HS),
 * then the interactions: hideleg against vsie/vsip, hvip/hip/vsip with
 * Sstc (vstimecmp, htimedelta, henvcfg.STCE against time), hgeip/VGEIN,
 * and the illegal accesses (unknown CSRs, read-only hgeip, M CSRs from S,
 * H/VS CSRs from U). */
#include "conf_lib.h"

#define HSTATUS_GVA (1ull << 6)
#define HSTATUS_SPV (1ull << 7)
#define HSTATUS_SPVP (1ull << 8)
#define HSTATUS_HU (1ull << 9)
#define HSTATUS_VGEIN (63ull << 12)
#define HSTATUS_VTVM (1ull << 20)
#define HSTATUS_VTW (1ull << 21)
#define HSTATUS_VTSR (1ull << 22)
#define HSTATUS_HUKTE (1ull << 24)
#define HSTATUS_VSXL (3ull << 32)
#define HSTATUS_HUPMM (3ull << 48)
#define HSTATUS_VSBE (1ull << 5)
#define HSTATUS_BOOT (2ull << 32)

/* What OpenSBI 1.5.1 leaves in menvcfg on this model (STCE: Sstc; ADUE:
 * Svadu, set at QEMU reset and kept; no Svpbmt, no Ssdbltrp). henvcfg's
 * PBMTE/STCE/ADUE/DTE are writable only where menvcfg has them (csr.c
 * write_henvcfg). */
#define MENVCFG_HBITS ((1ull << 63) | (1ull << 61))
#define HENVCFG_MASK (0xf1ull | MENVCFG_HBITS)
/* hedeleg: vs_delegable_excps (causes 0-8, 12, 13, 15, 18). */
#define HEDELEG_MASK 0x4b1ffull
/* hideleg: vs_delegable_ints = VS bits and 14..63 (LCOFIP excluded). */
#define HIDELEG_MASK 0xffffffffffffc444ull
/* hcounteren: CY, TM, IR and the 16 hpmcounters of pmu-mask 0x7fff8. */
#define HCOUNTEREN_MASK 0x7ffffull
#define HIE_MASK 0x1444ull
#define HVIP_MASK 0x2444ull     /* VS bits and LCOFIP, held in mip */
#define VSSTATUS_UXL (3ull << 32)
#define SSTATUS_SDT (1ull << 24)

enum model { M_RAW, M_MASK, M_HSTATUS, M_XATP, M_TVEC, M_IGNORE, M_VSSTATUS, M_HIP,
             M_HVIP, M_VSIE, M_VSIP, M_RO };

struct csrd {
    unsigned num;
    const char *name;
    enum model model;
    uint64_t mask;
};

static const struct csrd csrs[] = {
    { 0x600, "hstatus", M_HSTATUS, 0 },
    { 0x602, "hedeleg", M_MASK, HEDELEG_MASK },
    { 0x603, "hideleg", M_MASK, HIDELEG_MASK },
    { 0x604, "hie", M_MASK, HIE_MASK },
    { 0x644, "hip", M_HIP, 0 },
    { 0x645, "hvip", M_HVIP, 0 },
    { 0x607, "hgeie", M_MASK, 0 },
    { 0xe12, "hgeip", M_RO, 0 },
    { 0x606, "hcounteren", M_MASK, HCOUNTEREN_MASK },
    { 0x605, "htimedelta", M_RAW, 0 },
    { 0x643, "htval", M_RAW, 0 },
    { 0x64a, "htinst", M_IGNORE, 0 },
    { 0x680, "hgatp", M_XATP, 0 },
    { 0x60a, "henvcfg", M_MASK, HENVCFG_MASK },
    { 0x200, "vsstatus", M_VSSTATUS, 0 },
    { 0x204, "vsie", M_VSIE, 0 },
    { 0x244, "vsip", M_VSIP, 0 },
    { 0x205, "vstvec", M_TVEC, 0 },
    { 0x240, "vsscratch", M_RAW, 0 },
    { 0x241, "vsepc", M_RAW, 0 },
    { 0x242, "vscause", M_RAW, 0 },
    { 0x243, "vstval", M_RAW, 0 },
    { 0x280, "vsatp", M_XATP, 0 },
    { 0x24d, "vstimecmp", M_RAW, 0 },
};

static uint64_t seed = 0x5eed0001;

static uint64_t hstatus_read(uint64_t stored)
{
    return (stored & ~(HSTATUS_VSXL | HSTATUS_VSBE)) | HSTATUS_BOOT;
}

static int xatp_mode_ok(uint64_t v)
{
    unsigned m = (unsigned)(v >> 60);
    return m == 0 || m == 8 || m == 9 || m == 10;
}

/* VS-level bit positions of vsie/vsip (1, 5, 9) land on 2, 6, 10; QEMU
 * (rmw_vsie64/rmw_vsip64) ORs them into the value and the write mask
 * without clearing the original 2/6/10 bits first. */
static uint64_t vs_up(uint64_t v)
{
    return (v & ~0x222ull) | ((v & 0x222ull) << 1);
}

/* Expected read-back after writing v over a CSR that read old, in the
 * state conf_csr sets up (hideleg per the caller, hvip 0 unless written,
 * no VS timer pending, hgeip 0). */
static uint64_t expect(const struct csrd *c, uint64_t old, uint64_t v, uint64_t hideleg)
{
    switch (c->model) {
    case M_RAW: return v;
    case M_MASK: return (old & ~c->mask) | (v & c->mask);
    case M_HSTATUS: return hstatus_read(v & ~(HSTATUS_HUKTE | HSTATUS_HUPMM));
    case M_XATP: return xatp_mode_ok(v) ? v : old;
    case M_TVEC: return (v & 3) < 2 ? v : old;
    case M_IGNORE: return old;
    case M_RO: return old;
    case M_VSSTATUS: {
        uint64_t w = v & ~SSTATUS_SDT;
        return (v & VSSTATUS_UXL) ? w : (old & VSSTATUS_UXL) | w;
    }
    case M_HIP: return v & 0x4;
    case M_HVIP: return v & HVIP_MASK;
    case M_VSIE: {
        uint64_t alias = HIDELEG_MASK & hideleg;
        uint64_t mie = vs_up(v) & alias;
        return ((mie & 0x444) >> 1) | (mie & ~0x1fffull);
    }
    case M_VSIP: {
        uint64_t mip = vs_up(v) & 0x4 & hideleg;
        return mip >> 1;
    }
    }
    return 0;
}

static char nbuf[96];
static const char *nm3(const char *a, const char *b, const char *c)
{
    unsigned i = 0;
    while (*a && i < sizeof(nbuf) - 1) nbuf[i++] = *a++;
    while (*b && i < sizeof(nbuf) - 1) nbuf[i++] = *b++;
    while (*c && i < sizeof(nbuf) - 1) nbuf[i++] = *c++;
    nbuf[i] = 0;
    return nbuf;
}
static const char *nm(const char *a, const char *b)
{
    return nm3(a, b, "");
}
static const char *const hdl_name[] = { "h0", "h4", "h40", "h400", "h444", "h44", "hc000" };

/* The state every CSR test starts from. */
static void baseline(void)
{
    csr_put(0x24d, ~0ull);          /* vstimecmp: VS timer never pending */
    csr_put(0x60a, 0);              /* henvcfg */
    csr_put(0x645, 0);              /* hvip */
    csr_put(0x604, 0);              /* hie */
    csr_put(0x603, HIDELEG_MASK);   /* hideleg: everything delegable */
    csr_put(0x605, 0);              /* htimedelta */
    csr_put(0x600, HSTATUS_BOOT);   /* hstatus */
}

static void test_warl(void)
{
    for (unsigned i = 0; i < ARRAY_SIZE(csrs); i++) {
        const struct csrd *c = &csrs[i];
        if (c->model == M_RO)
            continue;
        baseline();
        uint64_t saved = csr_get(c->num);
        uint64_t vals[5] = { 0, ~0ull, rnd_next(&seed), rnd_next(&seed), rnd_next(&seed) };
        static const char *const vname[5] = { ".w0", ".w1s", ".wr1", ".wr2", ".wr3" };
        for (unsigned k = 0; k < 5; k++) {
            uint64_t old = csr_get(c->num);
            uint64_t ret = csr_swap(c->num, vals[k]);
            int trapped = conf_trapped;
            uint64_t got = csr_get(c->num);
            uint64_t want = expect(c, old, vals[k], HIDELEG_MASK);
            check(nm(c->name, vname[k]), !trapped && ret == old && got == want,
                  "wrote %x read %x (old %x, csrrw returned %x%s; expected %x)",
                  vals[k], got, old, ret, trapped ? ", TRAPPED" : "", want);
        }
        if (c->model != M_IGNORE)
            csr_put(c->num, saved);
    }
    baseline();
}

/* The Zicsr forms on a few CSRs of each kind. */
struct form {
    const char *name;
    unsigned f3, rd, rs1;     /* rs1 is a register or an immediate */
    int imm, writes, reads;
};
static const struct form forms[] = {
    { "csrrw", F_CSRRW, R_A0, R_A1, 0, 1, 1 },
    { "csrrs", F_CSRRS, R_A0, R_A1, 0, 1, 1 },
    { "csrrc", F_CSRRC, R_A0, R_A1, 0, 1, 1 },
    { "csrrwi", F_CSRRWI, R_A0, 0x15, 1, 1, 1 },
    { "csrrsi", F_CSRRSI, R_A0, 0x15, 1, 1, 1 },
    { "csrrci", F_CSRRCI, R_A0, 0x15, 1, 1, 1 },
    { "csrrw-rd0", F_CSRRW, R_ZERO, R_A1, 0, 1, 0 },
    { "csrrs-rd0", F_CSRRS, R_ZERO, R_A1, 0, 1, 0 },
    { "csrrc-rd0", F_CSRRC, R_ZERO, R_A1, 0, 1, 0 },
    { "csrrs-rs0", F_CSRRS, R_A0, R_ZERO, 0, 0, 1 },
    { "csrrc-rs0", F_CSRRC, R_A0, R_ZERO, 0, 0, 1 },
    { "csrrsi-0", F_CSRRSI, R_A0, 0, 1, 0, 1 },
    { "csrrci-0", F_CSRRCI, R_A0, 0, 1, 0, 1 },
    { "csrrwi-0", F_CSRRWI, R_A0, 0, 1, 1, 1 },
};

static void test_forms(void)
{
    static const unsigned which[] = { 0x240, 0x606, 0x602, 0x600, 0x645, 0x205, 0x680, 0x60a,
                                      0x643, 0xe12 };
    for (unsigned w = 0; w < ARRAY_SIZE(which); w++) {
        const struct csrd *c = 0;
        for (unsigned i = 0; i < ARRAY_SIZE(csrs); i++)
            if (csrs[i].num == which[w])
                c = &csrs[i];
        for (unsigned f = 0; f < ARRAY_SIZE(forms); f++) {
            const struct form *fm = &forms[f];
            baseline();
            uint64_t pre = rnd_next(&seed);
            uint64_t v = rnd_next(&seed);
            if (c->model == M_XATP) {          /* keep the modes legal */
                pre = (pre & ~(0xfull << 60)) | (8ull << 60);
                v &= ~(0xfull << 60);
            }
            if (c->model != M_RO)
                csr_put(c->num, pre);
            uint64_t old = csr_get(c->num);
            uint64_t opnd = fm->imm ? (uint64_t)fm->rs1 : (fm->rs1 == R_ZERO ? 0 : v);
            uint64_t nv;
            switch (fm->f3 & 3) {
            case 1: nv = opnd; break;
            case 2: nv = old | opnd; break;
            default: nv = old & ~opnd; break;
            }
            uint64_t want = fm->writes ? expect(c, old, nv, HIDELEG_MASK) : old;
            int want_trap = c->model == M_RO && fm->writes;
            uint64_t marker = 0x5a5a5a5a00000000ull | f;
            uint64_t ret = conf_exec(enc_csr(fm->f3, fm->rd, fm->rs1, c->num), MODE_S, marker, v);
            int trapped = conf_trapped;
            uint64_t got = csr_get(c->num);
            uint64_t want_ret = want_trap ? marker : fm->rd == R_ZERO ? marker : old;
            int ok = trapped == want_trap && got == want && ret == want_ret
                     && (!trapped || (T.cause == 2 && T.tval == enc_csr(fm->f3, fm->rd, fm->rs1, c->num)));
            check(nm3(c->name, ".", fm->name), ok,
                  "old %x operand %x -> rd %x, csr %x%s (expected %x%s)", old, opnd, ret, got,
                  trapped ? ", illegal" : "", want, want_trap ? ", illegal" : "");
        }
    }
    baseline();
}

/* Field by field: hstatus and henvcfg. */
static void test_fields(void)
{
    static const struct { const char *name; uint64_t bits; } hs[] = {
        { "hstatus.vsbe", HSTATUS_VSBE }, { "hstatus.gva", HSTATUS_GVA },
        { "hstatus.spv", HSTATUS_SPV }, { "hstatus.spvp", HSTATUS_SPVP },
        { "hstatus.hu", HSTATUS_HU }, { "hstatus.vgein1", 1ull << 12 },
        { "hstatus.vgein63", HSTATUS_VGEIN }, { "hstatus.vtvm", HSTATUS_VTVM },
        { "hstatus.vtw", HSTATUS_VTW }, { "hstatus.vtsr", HSTATUS_VTSR },
        { "hstatus.hukte", HSTATUS_HUKTE }, { "hstatus.vsxl0", 0 },
        { "hstatus.vsxl1", 1ull << 32 }, { "hstatus.vsxl3", 3ull << 32 },
        { "hstatus.hupmm", HSTATUS_HUPMM }, { "hstatus.bit0", 1 }, { "hstatus.bit23", 1ull << 23 },
        { "hstatus.bit40", 1ull << 40 }, { "hstatus.bit63", 1ull << 63 },
    };
    for (unsigned i = 0; i < ARRAY_SIZE(hs); i++) {
        csr_put(0x600, hs[i].bits);
        uint64_t got = csr_get(0x600);
        uint64_t want = hstatus_read(hs[i].bits & ~(HSTATUS_HUKTE | HSTATUS_HUPMM));
        check(hs[i].name, got == want, "wrote %x read %x (expected %x)", hs[i].bits, got, want);
    }
    csr_put(0x600, HSTATUS_BOOT);

    static const struct { const char *name; uint64_t bits; } he[] = {
        { "henvcfg.fiom", 1 }, { "henvcfg.lpe", 1ull << 2 }, { "henvcfg.sse", 1ull << 3 },
        { "henvcfg.cbie1", 1ull << 4 }, { "henvcfg.cbie2", 2ull << 4 }, { "henvcfg.cbie3", 3ull << 4 },
        { "henvcfg.cbcfe", 1ull << 6 }, { "henvcfg.cbze", 1ull << 7 },
        { "henvcfg.pmm", 3ull << 32 }, { "henvcfg.dte", 1ull << 59 }, { "henvcfg.cde", 1ull << 60 },
        { "henvcfg.adue", 1ull << 61 }, { "henvcfg.pbmte", 1ull << 62 }, { "henvcfg.stce", 1ull << 63 },
    };
    for (unsigned i = 0; i < ARRAY_SIZE(he); i++) {
        csr_put(0x60a, he[i].bits);
        uint64_t got = csr_get(0x60a);
        uint64_t want = he[i].bits & HENVCFG_MASK;
        check(he[i].name, got == want, "wrote %x read %x (expected %x)", he[i].bits, got, want);
    }
    csr_put(0x60a, 0);
}

/* hgatp and vsatp: every MODE value, VMID/ASID width, PPN bits. */
static void test_atp(void)
{
    static const struct { unsigned num; const char *name; } atp[] = { { 0x680, "hgatp" }, { 0x280, "vsatp" } };
    static const char *const mname[16] = { ".bare", ".mode1", ".mode2", ".mode3", ".mode4", ".mode5",
        ".mode6", ".mode7", ".sv39", ".sv48", ".sv57", ".sv64", ".mode12", ".mode13", ".mode14", ".mode15" };
    for (unsigned a = 0; a < 2; a++) {
        for (unsigned m = 0; m < 16; m++) {
            uint64_t base = (8ull << 60) | (0x1234ull << 44) | 0x80123ull;
            csr_put(atp[a].num, base);
            uint64_t v = ((uint64_t)m << 60) | (0x0abcull << 44) | 0x8f00d1ull;
            csr_put(atp[a].num, v);
            uint64_t got = csr_get(atp[a].num);
            uint64_t want = xatp_mode_ok(v) ? v : base;
            check(nm(atp[a].name, mname[m]), got == want, "wrote %x read %x (expected %x)", v, got, want);
        }
        /* All VMID/ASID bits (16 stored, bits 59:58 included) and PPN bits. */
        uint64_t v = (8ull << 60) | (0xffffull << 44) | 0xfffffffffffull;
        csr_put(atp[a].num, v);
        uint64_t got = csr_get(atp[a].num);
        check(nm(atp[a].name, ".idbits"), got == v, "wrote %x read %x, id bits %x", v, got, (got >> 44) & 0xffff);
        csr_put(atp[a].num, 0);
        got = csr_get(atp[a].num);
        check(nm(atp[a].name, ".off"), got == 0, "%x", got);
    }
}

/* hideleg selects which VS bits vsie and vsip show (and shift down). */
static void test_deleg_views(void)
{
    static const uint64_t hdl[] = { 0, 0x4, 0x40, 0x400, 0x444, 0x44, 0xc000 };
    for (unsigned i = 0; i < ARRAY_SIZE(hdl); i++) {
        baseline();
        csr_put(0x603, hdl[i]);
        csr_put(0x604, 0x1444);                     /* hie: all HS bits */
        uint64_t vsie = csr_get(0x204);
        csr_put(0x645, 0x444);                      /* hvip: all VS bits pending */
        uint64_t vsip = csr_get(0x244);
        uint64_t hip = csr_get(0x644);
        check(nm("deleg.vsie.", hdl_name[i]),
              vsie == ((0x444 & hdl[i]) >> 1),
              "hideleg %x hie 0x1444 -> vsie %x (expected %x)", hdl[i], vsie, (0x444 & hdl[i]) >> 1);
        check(nm("deleg.vsip.", hdl_name[i]),
              vsip == ((0x444 & hdl[i]) >> 1) && hip == 0x444,
              "hideleg %x hvip 0x444 -> vsip %x hip %x (expected %x, 0x444)", hdl[i], vsip, hip,
              (0x444 & hdl[i]) >> 1);
        /* Clearing through vsie/vsip touches only the delegated bits. */
        csr_put(0x204, 0);
        csr_put(0x244, 0);
        uint64_t hie = csr_get(0x604);
        uint64_t hvip = csr_get(0x645);
        check(nm("deleg.clear.", hdl_name[i]),
              hie == (0x1444 & ~(hdl[i] & 0x444)) && hvip == (0x444 & ~(hdl[i] & 0x4)),
              "vsie<-0 vsip<-0: hie %x hvip %x (expected %x %x)", hie, hvip,
              0x1444 & ~(hdl[i] & 0x444), 0x444 & ~(hdl[i] & 0x4));
    }
    baseline();
    /* hip.VSSIP and hvip.VSSIP are one bit; vsip.SSIP writes it too. */
    csr_put(0x644, 4);
    check_eq("alias.hip-vssip-hvip", csr_get(0x645), 4);
    csr_put(0x645, 0);
    check_eq("alias.hvip0-hip", csr_get(0x644), 0);
    csr_put(0x244, 2);
    check_eq("alias.vsip-ssip-hvip", csr_get(0x645), 4);
    csr_put(0x644, 0);
    check_eq("alias.hip0-vsip", csr_get(0x244), 0);
    csr_put(0x204, 0x222);
    check_eq("alias.vsie-hie", csr_get(0x604), 0x444);
    csr_put(0x604, 0x40);
    check_eq("alias.hie-vsie", csr_get(0x204), 0x20);
    /* hip writes only VSSIP. */
    csr_put(0x644, ~0ull);
    check_eq("alias.hip-write-ones", csr_get(0x644), 4);
    baseline();
}

static uint64_t read_time(void)
{
    return csr_read(time);
}

/* Sstc: the VS timer (vstimecmp against time + htimedelta) is visible as
 * VSTIP in hip and as STIP in vsip while henvcfg.STCE is set; hvip does
 * not show it (csr.c rmw_mip64 adds vstime_irq for every CSR but hvip). */
static void test_sstc(void)
{
    baseline();
    csr_put(0x603, 0x444);
    csr_put(0x60a, 1ull << 63);                   /* henvcfg.STCE */
    csr_put(0x24d, ~0ull);
    check("sstc.future", (csr_get(0x644) & 0x40) == 0 && (csr_get(0x244) & 0x20) == 0,
          "vstimecmp ~0: hip %x vsip %x", csr_get(0x644), csr_get(0x244));
    csr_put(0x24d, 0);
    uint64_t hip = csr_get(0x644), vsip = csr_get(0x244), hvip = csr_get(0x645);
    check("sstc.past", hip == 0x40 && vsip == 0x20 && hvip == 0,
          "vstimecmp 0: hip %x vsip %x hvip %x (expected 0x40 0x20 0)", hip, vsip, hvip);
    csr_put(0x603, 0);
    check("sstc.not-delegated", csr_get(0x244) == 0 && csr_get(0x644) == 0x40,
          "hideleg 0: vsip %x hip %x", csr_get(0x244), csr_get(0x644));
    csr_put(0x603, 0x444);
    csr_put(0x60a, 0);                            /* STCE off: no VS timer */
    hip = csr_get(0x644);
    check("sstc.stce-off", hip == 0, "henvcfg.STCE 0: hip %x (expected 0)", hip);
    csr_put(0x60a, 1ull << 63);
    hip = csr_get(0x644);
    check("sstc.stce-on", hip == 0x40, "henvcfg.STCE 1 again: hip %x (expected 0x40)", hip);
    uint64_t far = 100000000000ull;               /* 10^4 s at 10 MHz */
    csr_put(0x24d, read_time() + far);
    hip = csr_get(0x644);
    check("sstc.later", hip == 0, "vstimecmp time+1e11: hip %x (expected 0)", hip);
    csr_put(0x605, 2 * far);
    hip = csr_get(0x644);
    vsip = csr_get(0x244);
    check("sstc.htimedelta", hip == 0x40 && vsip == 0x20,
          "htimedelta 2e11: hip %x vsip %x (expected 0x40 0x20)", hip, vsip);
    csr_put(0x605, 0);
    hip = csr_get(0x644);
    check("sstc.htimedelta0", hip == 0, "htimedelta 0: hip %x (expected 0)", hip);
    csr_put(0x605, -(2 * far));
    csr_put(0x24d, read_time());                  /* time - 2e11 wraps (time < 2e11) */
    hip = csr_get(0x644);
    check("sstc.wrapdelta", hip == 0x40, "htimedelta -2e11, vstimecmp time: hip %x (expected 0x40)", hip);
    csr_put(0x605, ~0ull);
    csr_put(0x24d, read_time() + far);
    hip = csr_get(0x644);
    check("sstc.minus1", hip == 0, "htimedelta -1, vstimecmp time+1e11: hip %x (expected 0)", hip);
    csr_put(0x605, 0);
    csr_put(0x24d, read_time() + 20000);          /* 2 ms: becomes pending */
    uint64_t t0 = read_time();
    while (read_time() - t0 < 40000)
        ;
    hip = csr_get(0x644);
    check("sstc.expires", hip == 0x40, "vstimecmp time+2ms, 4ms later: hip %x (expected 0x40)", hip);
    csr_put(0x645, 0x40);                         /* hvip.VSTIP ORs in */
    csr_put(0x24d, ~0ull);
    hip = csr_get(0x644);
    hvip = csr_get(0x645);
    check("sstc.hvip-vstip", hip == 0x40 && hvip == 0x40,
          "hvip.VSTIP, timer off: hip %x hvip %x (expected 0x40 0x40)", hip, hvip);
    csr_put(0x645, 0);
    check_eq("sstc.cleared", csr_get(0x644), 0);
    uint64_t t = csr_get(0x24d);
    check_eq("sstc.vstimecmp-readback", t, ~0ull);
    baseline();
}

/* hgeip is 0 (no guest external interrupts without an IMSIC: GEILEN 0)
 * whatever VGEIN says; hvip.VSEIP still reaches hip and vsip. */
static void test_vgein(void)
{
    static const unsigned g[] = { 0, 1, 5, 63 };
    static const char *const gn[] = { "vgein.0", "vgein.1", "vgein.5", "vgein.63" };
    for (unsigned i = 0; i < 4; i++) {
        baseline();
        csr_put(0x603, 0x444);
        csr_put(0x600, HSTATUS_BOOT | ((uint64_t)g[i] << 12));
        uint64_t hip0 = csr_get(0x644), hgeip = csr_get(0xe12), hgeie;
        csr_put(0x607, ~0ull);
        hgeie = csr_get(0x607);
        csr_put(0x645, 0x400);
        uint64_t hip1 = csr_get(0x644), vsip = csr_get(0x244);
        check(gn[i], hip0 == 0 && hgeip == 0 && hgeie == 0 && hip1 == 0x400 && vsip == 0x200,
              "hgeip %x hgeie %x hip %x, with hvip.VSEIP hip %x vsip %x (expected 0 0 0 0x400 0x200)",
              hgeip, hgeie, hip0, hip1, vsip);
    }
    baseline();
}

static void test_hstateen(void)
{
    static const char *const n[] = { "hstateen0", "hstateen1", "hstateen2", "hstateen3" };
    for (unsigned i = 0; i < 4; i++) {
        unsigned num = 0x60c + i;
        uint64_t v = conf_exec(enc_csr(F_CSRRS, R_A0, R_ZERO, num), MODE_S, 0, 0);
        int absent = conf_trapped;
        uint64_t c1 = T.cause, tv1 = T.tval;
        if (absent) {
            conf_exec(enc_csr(F_CSRRW, R_ZERO, R_A1, num), MODE_S, 0, ~0ull);
            int t2 = conf_trapped;
            check(nm(n[i], ".absent"),
                  c1 == 2 && tv1 == enc_csr(F_CSRRS, R_A0, R_ZERO, num) && t2 && T.cause == 2,
                  "no Smstateen: read cause %d tval %x, write cause %d", c1, tv1, T.cause);
        } else {
            /* -cpu ...,smstateen=true: print what the model keeps. */
            csr_put(num, ~0ull);
            uint64_t ones = csr_get(num);
            csr_put(num, 0);
            uint64_t zero = csr_get(num);
            csr_put(num, v);
            check(nm(n[i], ".present"), zero == 0, "was %x, ~0 -> %x, 0 -> %x", v, ones, zero);
        }
    }
}

/* Unknown CSRs, M-mode CSRs from S and the RV32-only halves: illegal. */
static void test_unknown(void)
{
    static const unsigned un[] = { 0x601, 0x608, 0x609, 0x60b, 0x612, 0x615, 0x61a, 0x646, 0x647,
                                   0x655, 0x6a8, 0x681, 0x6ff, 0x24e, 0x201, 0x245, 0x250, 0x251,
                                   0x254, 0x25c, 0x25d, 0x2ff, 0xe11, 0xe13, 0xeb0, 0x300, 0x302, 0x34a,
                                   0x34b, 0x30a, 0xf14, 0x7b0 };
    for (unsigned i = 0; i < ARRAY_SIZE(un); i++) {
        uint32_t rd = enc_csr(F_CSRRS, R_A0, R_ZERO, un[i]);
        conf_exec(rd, MODE_S, 0, 0);
        int t1 = conf_trapped;
        uint64_t c1 = T.cause, tv1 = T.tval;
        uint32_t wr = enc_csr(F_CSRRW, R_ZERO, R_A1, un[i]);
        conf_exec(wr, MODE_S, 0, 0);
        int t2 = conf_trapped;
        char name[32] = "unknown.csr";
        unsigned k = 11;
        name[k++] = "0123456789abcdef"[(un[i] >> 8) & 15];
        name[k++] = "0123456789abcdef"[(un[i] >> 4) & 15];
        name[k++] = "0123456789abcdef"[un[i] & 15];
        name[k] = 0;
        check(name, t1 && c1 == 2 && tv1 == rd && t2 && T.cause == 2 && T.tval == wr,
              "read: %s cause %d tval %x; write: %s cause %d tval %x", t1 ? "trap" : "no trap", c1,
              tv1, t2 ? "trap" : "no trap", T.cause, T.tval);
    }
}

/* From U-mode every H and VS CSR (and the S ones) is illegal, read or write. */
static void test_from_u(void)
{
    static const unsigned more[] = { 0x60c, 0x100, 0x180, 0x105, 0x141, 0x14d, 0x10a };
    for (unsigned i = 0; i < ARRAY_SIZE(csrs) + ARRAY_SIZE(more); i++) {
        unsigned num = i < ARRAY_SIZE(csrs) ? csrs[i].num : more[i - ARRAY_SIZE(csrs)];
        uint32_t rd = enc_csr(F_CSRRS, R_A0, R_ZERO, num);
        conf_exec(rd, MODE_U, 0, 0);
        int t1 = conf_trapped;
        uint64_t c1 = T.cause, tv1 = T.tval;
        uint32_t wr = enc_csr(F_CSRRW, R_ZERO, R_A1, num);
        conf_exec(wr, MODE_U, 0, 0);
        int t2 = conf_trapped;
        char name[32] = "user.csr";
        unsigned k = 8;
        name[k++] = "0123456789abcdef"[(num >> 8) & 15];
        name[k++] = "0123456789abcdef"[(num >> 4) & 15];
        name[k++] = "0123456789abcdef"[num & 15];
        name[k] = 0;
        check(name, t1 && c1 == 2 && tv1 == rd && t2 && T.cause == 2 && T.tval == wr,
              "read: cause %d tval %x; write: cause %d tval %x", c1, tv1, T.cause, T.tval);
    }
    /* Counters from U follow scounteren (hcounteren does not apply at V=0).
     * time is the exception: the illegal-instruction trap goes to M
     * (OpenSBI does not delegate it) and OpenSBI emulates the time read
     * (sbi_emulate_csr_read), so U reads time whatever scounteren says. */
    static const unsigned ctr[] = { 0xc00, 0xc01, 0xc02, 0xc03 };
    static const char *const cn[] = { "user.cycle", "user.time", "user.instret", "user.hpm3" };
    for (unsigned i = 0; i < 4; i++) {
        csr_write(scounteren, 0);
        conf_exec(enc_csr(F_CSRRS, R_A0, R_ZERO, ctr[i]), MODE_U, 0, 0);
        int t0 = conf_trapped;
        uint64_t c0 = t0 ? T.cause : 0;
        csr_write(scounteren, ~0ull);
        conf_exec(enc_csr(F_CSRRS, R_A0, R_ZERO, ctr[i]), MODE_U, 0, 0);
        int t1 = conf_trapped;
        int want0 = ctr[i] != 0xc01;
        check(cn[i], t0 == want0 && (!t0 || c0 == 2) && !t1, "scounteren 0: %s cause %d; scounteren ~0: %s",
              t0 ? "trap" : "no trap", c0, t1 ? "trap" : "no trap");
    }
    csr_write(scounteren, 0);
}

int main(unsigned long hartid, unsigned long fdt)
{
    (void)hartid;
    conf_init(fdt);
    cprintf("conf_csr: start\n");
    test_warl();
    test_forms();
    test_fields();
    test_atp();
    test_deleg_views();
    test_sstc();
    test_vgein();
    test_hstateen();
    test_unknown();
    test_from_u();
    conf_done("conf_csr");
    return 0;
}
