/* What the common SBI path (nested/sbi.c) and the extensions L0 handles or
 * forwards for L1 share. Each extension is one file nested/sbi_<name>.c
 * defining one descriptor, const struct sbi_ext rvnest_sbi_ext_<name>, and
 * one row of the dispatch table in nested/sbi.c (SBI_EXTENSIONS). */
#ifndef RVNEST_NESTED_SBI_EXT_H
#define RVNEST_NESTED_SBI_EXT_H
#include "rvnest/engine.h"
#include "rvnest/sbi.h"
#include "rvnest/nacl.h"

/* One ecall of L1: a7, a6, a0-a5 as L1 left them, and the answer. */
struct sbi_call {
    unsigned long ext, fid;
    uint64_t arg[6];
    long err;                 /* a0 */
    uint64_t value;           /* a1 */
    bool legacy;              /* legacy calls return a0 only */
};

/* What the common path does once an extension has looked at the call. */
enum sbi_action {
    SBI_DONE,                 /* err/value set, resume after the ecall */
    SBI_LEGACY_MASK,          /* L0 rewrote a legacy call's registers (sbi_legacy_smp) */
    SBI_TRAPPED,              /* L1 took an exception instead */
    SBI_FORWARD,              /* pass the ecall to OpenSBI */
    SBI_SET_TIMER,            /* write vstimecmp = arg0 through microcode */
    SBI_FORWARD_ENVCFG,       /* pass to OpenSBI, then follow its menvcfg */
    SBI_RESUMED,              /* the handler set where the hart resumes (NACL SYNC_SRET) */
};

/* An extension: the extension ids it answers (a7 in ext_lo..ext_hi), the
 * exit counted for each call, and its handler. */
struct sbi_ext {
    unsigned long ext_lo, ext_hi;
    enum rvnest_exit reason;
    bool l0_handled;          /* probe answers 1 without asking OpenSBI */
    /* NULL, or whether L1 has the extension at all (else probe answers 0
     * and its calls NOT_SUPPORTED, as for one L0 does not know) */
    bool (*available)(const struct rvnest_vcpu *vc);
    enum sbi_action (*handle)(struct rvnest_vcpu *vc, struct sbi_call *c);
};

/* nested/sbi.c: the table's row for an extension id, or NULL (L1 does not
 * get it); the handler of an extension OpenSBI answers whole. */
const struct sbi_ext *rvnest_sbi_find_ext(unsigned long ext);
enum sbi_action rvnest_sbi_forward(struct rvnest_vcpu *vc, struct sbi_call *c);

#endif
