/* SBI IPI for L1: forwarded. OpenSBI validates the hart mask as natively
 * and raises the real SSIP of the target hart, which L0 turns into L1's
 * VSSIP (nested/irq.c). */
#include "nested/sbi_ext.h"

const struct sbi_ext rvnest_sbi_ext_ipi = {
    .ext_lo = SBI_EXT_IPI, .ext_hi = SBI_EXT_IPI, .reason = EXIT_SBI_IPI,
    .l0_handled = false, .handle = rvnest_sbi_forward,
};
