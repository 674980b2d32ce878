/* Reading the L1 instruction that trapped, when the trap value does not
 * carry it. */
#include "rvnest/engine.h"
#include "rvnest/csr.h"
#include "rvnest/vs_walk.h"
#include "nested/fetch.h"

bool rvnest_fetch_l1_insn(struct rvnest_vcpu *vc, uint64_t va, uint32_t *insn)
{
    struct rvnest_hart *h = vc->hart;
    uint64_t atp = hart_csr(h, CSR_VSATP), pa;
    uint16_t half[2];
    if (!rvnest_walk_atp(h, atp, va, &pa) || l0_owns(vc->vm, pa) ||
        !h->ops->read_phys(h, pa, &half[0], 2))
        return false;
    if ((half[0] & 3) != 3) {
        *insn = half[0];
        return true;
    }
    /* a 32-bit instruction may cross a page boundary */
    if (!rvnest_walk_atp(h, atp, va + 2, &pa) || l0_owns(vc->vm, pa) ||
        !h->ops->read_phys(h, pa, &half[1], 2))
        return false;
    *insn = half[0] | ((uint32_t)half[1] << 16);
    return true;
}
