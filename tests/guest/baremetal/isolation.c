/* L0 isolation, native vs nested (issue: "every protected range, every
 * access kind"). With `rvnest run --mem 256M` L1's RAM ends at 0x90000000
 * and everything from there to the end of QEMU's RAM is L0's (its memory,
 * then the rest of the machine's RAM): under rvnest PMP denies it to L1;
 * natively that memory does not exist. Either way every access must fault
 * exactly alike: loads, stores, fetches, AMOs, LR/SC from S and U, L1's own
 * page-table walks through it, and HLV/HSV (through vsatp and hgatp Bare,
 * and with a G-stage table there). Each line prints what happened. */
#include "conf_lib.h"

#define AMO(f5, f3, rd, rs1, rs2) (((uint32_t)(f5) << 27) | ((rs2) << 20) | ((rs1) << 15) | ((f3) << 12) | ((rd) << 7) | 0x2f)

static void result(const char *name, int want_cause)
{
    int ok = want_cause < 0 ? !conf_trapped : (conf_trapped && T.cause == (uint64_t)want_cause);
    check(name, ok, "%s cause %d tval %x", conf_trapped ? "trap" : "no trap",
          conf_trapped ? (long)T.cause : 0, conf_trapped ? T.tval : 0);
}

static char nm[96];
static const char *name(const char *what, uint64_t off)
{
    /* "what@+off" */
    unsigned n = 0;
    for (const char *p = what; *p && n < 60; p++) nm[n++] = *p;
    nm[n++] = '@'; nm[n++] = '+';
    int started = 0;
    for (int i = 60; i >= 0; i -= 4) {
        unsigned d = (off >> i) & 15;
        if (d || started || i == 0) { nm[n++] = "0123456789abcdef"[d]; started = 1; }
    }
    nm[n] = 0;
    return nm;
}

int main(unsigned long hartid, unsigned long fdt)
{
    (void)hartid;
    conf_init(fdt);
    uint64_t end = dt_ram_end;
    cprintf("isolation: RAM ends at %x\n", end);
    /* L0's memory starts at RAM end (vector, microcode), its 4 MiB, and the
     * rest of the machine's RAM up to +8 MiB */
    static const uint64_t offs[] = { 0, 0x100, 0x130, 0xff8, 0x1000, 0x200000, 0x3ffff8,
                                     0x400000, 0x7ffff8 };
    for (unsigned i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
        uint64_t a = end + offs[i];
        conf_exec(I_LOAD(3, R_A0, R_A1, 0), MODE_S, 0, a);
        result(name("ld.S", offs[i]), 5);
        conf_exec(I_STORE(3, R_A1, R_A0, 0), MODE_S, 0x5a5a, a);
        result(name("sd.S", offs[i]), 7);
        conf_exec(I_LOAD(3, R_A0, R_A1, 0), MODE_U, 0, a);
        result(name("ld.U", offs[i]), 5);
        conf_exec(I_STORE(2, R_A1, R_A0, 0), MODE_U, 0x5a5a, a);
        result(name("sw.U", offs[i]), 7);
        conf_exec(AMO(0x00, 3, R_A0, R_A1, R_A0), MODE_S, 1, a);       /* amoadd.d */
        result(name("amoadd.d", offs[i]), 7);
        conf_exec(AMO(0x01, 2, R_A0, R_A1, R_A0), MODE_S, 1, a);       /* amoswap.w */
        result(name("amoswap.w", offs[i]), 7);
        conf_exec(AMO(0x02, 3, R_A0, R_A1, 0), MODE_S, 0, a);          /* lr.d */
        result(name("lr.d", offs[i]), 5);
        uint64_t r = conf_exec(AMO(0x03, 3, R_A0, R_A1, R_A0), MODE_S, 7, a); /* sc.d */
        check(name("sc.d", offs[i]), !conf_trapped && r == 1, "%s, rd %d (no reservation: fails, no access)",
              conf_trapped ? "trap" : "no trap", (long)r);
        conf_call(a, 0, 0);
        result(name("fetch.S", offs[i]), 1);
        /* HLV/HSV with vsatp and hgatp Bare: the final access is there */
        csr_put(0x280, 0);
        csr_put(0x680, 0);
        conf_exec(I_HLV_D(R_A0, R_A1), MODE_S, 0, a);
        result(name("hlv.d", offs[i]), 5);
        conf_exec(I_HSV_D(R_A1, R_A0), MODE_S, 0x77, a);
        result(name("hsv.d", offs[i]), 7);
    }
    /* L1's own Sv39 table with a level-1 table in L0's memory: its walk
     * fails as for memory that does not exist (a page fault) */
    uint64_t *root = pt_identity();
    static const uint64_t toffs[] = { 0, 0x1000, 0x7ff000 };
    for (unsigned i = 0; i < sizeof(toffs) / sizeof(toffs[0]); i++) {
        root[1] = (((end + toffs[i]) >> 12) << 10) | PTE_V;            /* VA 0x40000000.. */
        satp_set(SATP_SV39(root));
        conf_exec(I_LOAD(3, R_A0, R_A1, 0), MODE_S, 0, 0x40001000);
        result(name("walk.ld", toffs[i]), 13);
        conf_exec(I_STORE(3, R_A1, R_A0, 0), MODE_S, 1, 0x40001000);
        result(name("walk.sd", toffs[i]), 15);
        conf_call(0x40002000, 0, 0);
        result(name("walk.fetch", toffs[i]), 12);
        satp_set(0);
        /* the same as a VS-stage table and as a G-stage root for HLV */
        csr_put(0x680, 0);
        csr_put(0x280, SATP_SV39(end + toffs[i]));
        conf_exec(I_HLV_D(R_A0, R_A1), MODE_S, 0, 0x1000);
        result(name("hlv.vs-walk", toffs[i]), 13);
        csr_put(0x280, 0);
        csr_put(0x680, (8ull << 60) | ((end + toffs[i]) >> 12));      /* Sv39x4 root there */
        conf_exec(I_HLV_D(R_A0, R_A1), MODE_S, 0, 0x80200000);
        result(name("hlv.g-walk", toffs[i]), 21);
        csr_put(0x680, 0);
    }
    conf_done("isolation");
    return 0;
}
