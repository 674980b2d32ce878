/* SBI SRST for L1: forwarded, OpenSBI resets or powers off the machine. */
#include "nested/sbi_ext.h"

/* A reset may follow: L0 notes the time first, so that a hart whose
 * thread runs nothing until after the reset is still recognised as coming
 * out of it (rvnest_reset_is_new: time goes back at a system reset). */
static enum sbi_action sbi_srst(struct rvnest_vcpu *vc, struct sbi_call *c)
{
    (void)c;
    rvnest_reset_note_time(vc);
    return SBI_FORWARD;
}

const struct sbi_ext rvnest_sbi_ext_srst = {
    .ext_lo = SBI_EXT_SRST, .ext_hi = SBI_EXT_SRST, .reason = EXIT_SBI_SRST,
    .l0_handled = false, .handle = sbi_srst,
};
