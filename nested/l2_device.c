/* L2's accesses to the device pages L0 performs for L1 (issue 21): the
 * PLIC's priorities, its harts' S-context enables and S contexts
 * (nested/plic.c). A hypervisor may map them into its guest's G-stage (a
 * guest that owns an interrupt context, a passthrough of the controller's
 * pages); natively L2's accesses then reach the device. The shadow never
 * maps such a page (shadow-pt/shadow.c: SHADOW_EMULATED), so each of L2's
 * accesses there is a guest page fault into L0, which has walked L1's
 * G-stage (its permissions and A/D as for any fill) and knows from its own
 * records, never from a table, that the target is the PLIC. L0 then does
 * what the hart does natively with that access:
 *  - a load, store or AMO: performed on the real PLIC exactly as L1's own
 *    (the same pieces, sizes and side effects: a claim by L2 claims from
 *    the context it names, a threshold L2 writes is the one L1 reads); a
 *    piece the PLIC refuses is an access fault at that piece, which the
 *    firmware redirects (to L2 when L1 delegates it);
 *  - an instruction fetch: QEMU fetches 16 bits first, which the PLIC
 *    refuses: an instruction access fault, redirected the same way;
 *  - a read of L2's own VS-stage table in such a page: the hart's 8-byte
 *    PTE read is refused, the walk fails and L2's access takes a page fault
 *    (QEMU get_physical_address: TRANSLATE_FAIL), which the hart delivers
 *    itself (page faults are the firmware's to delegate). */
#include "rvnest/engine.h"
#include "rvnest/csr.h"
#include "rvnest/decode.h"
#include "rvnest/world.h"

void rvnest_l2_device_access(struct rvnest_vcpu *vc, const struct rvnest_l1_trap *t, uint64_t epc,
                             uint64_t pa, bool pte_read)
{
    if (pte_read) {
        uint64_t cause = t->cause == EXC_INST_GUEST_PAGE_FAULT ? EXC_INST_PAGE_FAULT
                       : t->cause == EXC_LOAD_GUEST_PAGE_FAULT ? EXC_LOAD_PAGE_FAULT : EXC_STORE_PAGE_FAULT;
        struct rvnest_l1_trap pf = { .cause = cause, .tval = t->tval, .gva = true, .spv = true,
                                     .spvp = t->spvp };
        rvnest_l2_hart_exception(vc, &pf, epc);
        return;
    }
    if (t->cause == EXC_INST_GUEST_PAGE_FAULT) {
        rvnest_l2_redirected_exception(vc, EXC_INST_ACCESS, t->tval, epc, t->spvp);
        return;
    }
    /* QEMU writes the transformed load, store or AMO to htinst for a guest
     * page fault of one (riscv_transformed_insn) */
    struct insn_mem m;
    if (!rvnest_decode_mem((uint32_t)t->htinst, true, &m)) {
        /* a floating-point or vector access: the PLIC takes integer words
         * only from L0 (a documented limit) */
        rvnest_l2_redirected_exception(vc, t->cause == EXC_LOAD_GUEST_PAGE_FAULT ? EXC_LOAD_ACCESS
                                                                                   : EXC_STORE_ACCESS,
                                       t->tval, epc, t->spvp);
        return;
    }
    vc->stats.l2_exits[L2X_EMULATED]++;
    unsigned off;
    uint64_t exc = rvnest_plic_access(vc, pa, &m, &off);
    if (exc) {
        rvnest_l2_redirected_exception(vc, exc, t->tval + off, epc, t->spvp);
        return;
    }
    rvnest_resume(vc, epc + m.len, t->spvp | PRIV_V);
}
