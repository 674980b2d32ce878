/* Reading the L1 instruction that trapped, when the trap value does not
 * carry it: L1's instruction fetch at V=1 repeated through L1's own table
 * (the real vsatp) with fetch permissions at L1's privilege. L0's G-stage
 * for L1 is an identity map, so the reach checks of nested/l1_mem.c stand
 * for it. No A/D bit is written: the fetch already happened. */
#include "rvnest/engine.h"
#include "rvnest/csr.h"
#include "rvnest/walk.h"
#include "nested/fetch.h"

static bool fetch_half(struct rvnest_vcpu *vc, uint64_t va, uint16_t *half)
{
    struct rvnest_hart *h = vc->hart;
    struct walk_result res;
    rvnest_l1_own_walk(vc, va, WALK_FETCH, &res);
    return res.status == WALK_OK && rvnest_l1_is_ram(vc, res.pa, 2) &&
           rvnest_l1_may_access(vc, res.pa, 2, L1_ACC_FETCH) &&
           h->ops->read_phys(h, res.pa, half, 2);
}

bool rvnest_fetch_l1_insn(struct rvnest_vcpu *vc, uint64_t va, uint32_t *insn)
{
    uint16_t half[2];
    if (!fetch_half(vc, va, &half[0]))
        return false;
    if ((half[0] & 3) != 3) {
        *insn = half[0];
        return true;
    }
    /* a 32-bit instruction may cross a page boundary */
    if (!fetch_half(vc, va + 2, &half[1]))
        return false;
    *insn = half[0] | ((uint32_t)half[1] << 16);
    return true;
}
