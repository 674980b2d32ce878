/* Access faults of L1's own code: L1 runs with no G-stage (real hgatp =
 * Bare) and L0's PMP entries deny S/U its holes (nested/pmp.c), so an L1
 * access that reaches L0 memory, RAM above L1's or a PLIC page L0 performs
 * raises an access fault. OpenSBI does not delegate access faults; it
 * redirects them to HS, where L0 takes them (real hedeleg never delegates
 * them) with the faulting address in stval.
 *
 * L0 repeats L1's translation of that address (nested/l1_walk.c) to learn
 * what the hart did:
 *  - a page-table entry of L1's lies in a hole: natively that memory does
 *    not exist, QEMU's walk fails to read it and raises a *page* fault of
 *    the original access (get_physical_address: TRANSLATE_FAIL); under L0
 *    the PMP refused it. L1 gets the page fault, with QEMU's transformed
 *    instruction in htinst (page faults are the firmware's to delegate);
 *  - the final address is a PLIC page: L0 performs the access
 *    (nested/plic.c);
 *  - anything else (a hole, firmware memory): the access fault stands, as
 *    natively, on OpenSBI's redirect path (htinst unchanged). */
#include "rvnest/engine.h"
#include "rvnest/csr.h"
#include "rvnest/decode.h"
#include "rvnest/walk.h"
#include "nested/fetch.h"

static uint64_t page_fault_for(uint64_t cause)
{
    switch (cause) {
    case EXC_INST_ACCESS: return EXC_INST_PAGE_FAULT;
    case EXC_LOAD_ACCESS: return EXC_LOAD_PAGE_FAULT;
    default: return EXC_STORE_PAGE_FAULT;
    }
}

/* L1's instruction at sepc, as QEMU's transformed instruction would decode:
 * from mtinst (the firmware's trap wrote it; the redirect's htinst write is
 * ignored by QEMU), else fetched through L1's own tables. */
static bool faulting_access(struct rvnest_vcpu *vc, struct insn_mem *m)
{
    struct rvnest_hart *h = vc->hart;
    uint64_t mtinst = 0;
    uint32_t insn;
    if (vc->in_mret && h->ops->get_csr(h, CSR_MTINST, &mtinst) && mtinst)
        return rvnest_decode_mem((uint32_t)mtinst, true, m);
    if (!rvnest_fetch_l1_insn(vc, hart_csr(h, CSR_SEPC), &insn))
        return false;
    return rvnest_decode_mem(insn, false, m);
}

void rvnest_l1_access_fault(struct rvnest_vcpu *vc, uint64_t cause)
{
    struct rvnest_hart *h = vc->hart;
    struct rvnest_vm *vm = vc->vm;
    uint64_t stval = hart_csr(h, CSR_STVAL);
    enum walk_access acc = cause == EXC_INST_ACCESS ? WALK_FETCH
                         : cause == EXC_LOAD_ACCESS ? WALK_LOAD : WALK_STORE;
    struct walk_result res;
    rvnest_l1_own_walk(vc, stval, acc, &res);
    if (res.status == WALK_PAGE_FAULT) {
        vc->stats.exits[EXIT_ACCESS_FAULT]++;
        struct rvnest_l1_trap t = { .cause = page_fault_for(cause), .tval = stval };
        uint32_t insn;
        if (acc != WALK_FETCH && rvnest_fetch_l1_insn(vc, hart_csr(h, CSR_SEPC), &insn))
            t.htinst = rvnest_transformed_insn(insn, stval, rvnest_l1_gpr, vc);
        rvnest_deliver_l1_exception(vc, &t);
        return;
    }
    if (res.status == WALK_OK && acc != WALK_FETCH && rvnest_plic_page(vm, res.pa)) {
        vc->stats.exits[EXIT_MMIO_PLIC]++;
        struct insn_mem m;
        if (faulting_access(vc, &m)) {
            unsigned off;
            uint64_t exc = rvnest_plic_access(vc, res.pa, &m, &off);
            if (!exc) {
                rvnest_resume_l1_after(vc, m.len);
                return;
            }
            rvnest_deliver_l1_exception(vc, &(struct rvnest_l1_trap){ .cause = exc, .tval = stval + off });
            return;
        }
    } else {
        vc->stats.exits[EXIT_ACCESS_FAULT]++;
    }
    rvnest_deliver_l1_exception(vc, &(struct rvnest_l1_trap){ .cause = cause, .tval = stval });
}

/* L1 has no G-stage, so no guest page fault can come from it (L2, which
 * will run on a shadow G-stage, is not implemented yet). */
void rvnest_guest_page_fault(struct rvnest_vcpu *vc, uint64_t cause)
{
    rvnest_fatal(vc->vm, "guest page fault (scause %llu) from L1, which runs with no G-stage: an L0 bug",
                 (unsigned long long)cause);
}
