/* SBI HSM for L1: OpenSBI answers every call itself (its hart-id, address
 * and state checks are the native ones). A start or a non-retentive resume
 * comes back as a firmware entry into HS, which L0 turns into an entry into
 * L1 at V=1 (nested/boot.c); stop and suspend act on the real hart. L0
 * notes which call the hart is in: the firmware entry that ends a
 * hart_stop (a later hart_start) and the one that ends a suspend (a
 * non-retentive resume) leave L1 different registers (nested/boot.c,
 * hsm_entry). */
#include "nested/sbi_ext.h"

static enum sbi_action hsm_forward(struct rvnest_vcpu *vc, struct sbi_call *c)
{
    vc->hsm_fid = c->fid;
    return SBI_FORWARD;
}

const struct sbi_ext rvnest_sbi_ext_hsm = {
    .ext_lo = SBI_EXT_HSM, .ext_hi = SBI_EXT_HSM, .reason = EXIT_SBI_HSM,
    .l0_handled = false, .handle = hsm_forward,
};
