/* SBI HSM for L1: OpenSBI answers every call itself (its hart-id, address
 * and state checks are the native ones). A start or a non-retentive resume
 * comes back as a firmware entry into HS, which L0 turns into an entry into
 * L1 at V=1 (nested/boot.c); stop and suspend act on the real hart. */
#include "nested/sbi_ext.h"

const struct sbi_ext rvnest_sbi_ext_hsm = {
    .ext_lo = SBI_EXT_HSM, .ext_hi = SBI_EXT_HSM, .reason = EXIT_SBI_HSM,
    .l0_handled = false, .handle = rvnest_sbi_forward,
};
