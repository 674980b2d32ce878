/* SBI SRST for L1: forwarded, OpenSBI resets or powers off the machine. */
#include "nested/sbi_ext.h"

const struct sbi_ext rvnest_sbi_ext_srst = {
    .ext_lo = SBI_EXT_SRST, .ext_hi = SBI_EXT_SRST, .reason = EXIT_SBI_SRST,
    .l0_handled = false, .handle = rvnest_sbi_forward,
};
