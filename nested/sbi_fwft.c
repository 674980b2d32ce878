/* SBI FWFT (firmware features) for L1. */
#include "nested/sbi_ext.h"

/* OpenSBI's answers are the native ones. A feature may change what the
 * firmware grants HS (menvcfg: PTE A/D updating, landing pads, shadow
 * stacks, double trap, pointer masking), which L0 then carries over to L1 at
 * V=1 (rvnest_envcfg_sync); MISALIGNED_EXC_DELEG changes the real medeleg,
 * which L0 reads whenever it delivers an exception to L1. */
static enum sbi_action sbi_fwft(struct rvnest_vcpu *vc, struct sbi_call *c)
{
    (void)vc;
    (void)c;
    return SBI_FORWARD_ENVCFG;
}

const struct sbi_ext rvnest_sbi_ext_fwft = {
    .ext_lo = SBI_EXT_FWFT, .ext_hi = SBI_EXT_FWFT, .reason = EXIT_SBI_FWFT,
    .l0_handled = false, .handle = sbi_fwft,
};
