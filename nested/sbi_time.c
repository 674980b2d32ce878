/* SBI TIME for L1: set_timer writes vstimecmp through L0 microcode. */
#include "nested/sbi_ext.h"

static enum sbi_action sbi_time(struct rvnest_vcpu *vc, struct sbi_call *c)
{
    (void)vc;
    if (c->fid != 0) {
        c->err = SBI_ERR_NOT_SUPPORTED;
        return SBI_DONE;
    }
    return SBI_SET_TIMER;
}

const struct sbi_ext rvnest_sbi_ext_time = {
    .ext_lo = SBI_EXT_TIME, .ext_hi = SBI_EXT_TIME, .reason = EXIT_SBI_TIME,
    .l0_handled = true, .handle = sbi_time,
};
