/* SBI DBCN (debug console) for L1. */
#include "nested/sbi_ext.h"

/* DBCN passes a guest-physical buffer that OpenSBI accesses from M-mode,
 * where L0's G-stage does not apply. OpenSBI's own checks come first and in
 * its order (lib/sbi/sbi_ecall_dbcn.c): a non-zero high address word is
 * SBI_ERR_FAILED on RV64. Then L0 refuses a buffer that reaches memory L1
 * cannot access itself, e.g. L0's (SBI spec, DBCN: SBI_ERR_INVALID_PARAM
 * when the memory does not satisfy the requirements); natively such memory
 * does not exist. The rest is OpenSBI's. */
static enum sbi_action sbi_dbcn(struct rvnest_vcpu *vc, struct sbi_call *c)
{
    if (c->fid == SBI_DBCN_WRITE || c->fid == SBI_DBCN_READ) {
        uint64_t len = c->arg[0], base = c->arg[1];
        if (c->arg[2] != 0) {
            c->err = SBI_ERR_FAILED;
            return SBI_DONE;
        }
        if (l1_range_unmapped(vc->vm, base, len)) {
            c->err = SBI_ERR_INVALID_PARAM;
            return SBI_DONE;
        }
    }
    return SBI_FORWARD;
}

const struct sbi_ext rvnest_sbi_ext_dbcn = {
    .ext_lo = SBI_EXT_DBCN, .ext_hi = SBI_EXT_DBCN, .reason = EXIT_SBI_DBCN,
    .l0_handled = false, .handle = sbi_dbcn,
};
