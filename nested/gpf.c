/* Guest page faults from L1 (H chapter, "Two-Stage Address Translation"):
 * L0's G-stage maps all of L1's guest-physical space except L0 memory and
 * the PLIC claim/complete page of L1's context. The first is an access
 * fault for L1, as an access to nonexistent memory would be; the second is
 * emulated so that L0 can follow the PLIC's level (nested/plic.c). */
#include "rvnest/engine.h"
#include "rvnest/csr.h"
#include "rvnest/decode.h"
#include "nested/fetch.h"

static uint64_t page_fault_for(uint64_t cause)
{
    switch (cause) {
    case EXC_INST_GUEST_PAGE_FAULT: return EXC_INST_PAGE_FAULT;
    case EXC_LOAD_GUEST_PAGE_FAULT: return EXC_LOAD_PAGE_FAULT;
    default: return EXC_STORE_PAGE_FAULT;
    }
}

static uint64_t access_fault_for(uint64_t cause)
{
    switch (cause) {
    case EXC_INST_GUEST_PAGE_FAULT: return EXC_INST_ACCESS;
    case EXC_LOAD_GUEST_PAGE_FAULT: return EXC_LOAD_ACCESS;
    default: return EXC_STORE_ACCESS;
    }
}

/* The instruction behind a load/store guest page fault: the transformed
 * instruction QEMU writes to htinst, or L1's instruction fetched through
 * its own tables when htinst is 0. */
static bool faulting_access(struct rvnest_vcpu *vc, struct insn_mem *m)
{
    struct rvnest_hart *h = vc->hart;
    uint32_t insn = (uint32_t)hart_csr(h, CSR_HTINST);
    bool from_htinst = insn != 0;
    if (!from_htinst && !rvnest_fetch_l1_insn(vc, hart_csr(h, CSR_SEPC), &insn))
        return false;
    return rvnest_decode_mem(insn, from_htinst, m);
}

void rvnest_guest_page_fault(struct rvnest_vcpu *vc, uint64_t cause)
{
    struct rvnest_hart *h = vc->hart;
    struct rvnest_vm *vm = vc->vm;
    uint64_t stval = hart_csr(h, CSR_STVAL);
    uint64_t gpa = (hart_csr(h, CSR_HTVAL) << 2) | (stval & 3);
    uint64_t htinst = hart_csr(h, CSR_HTINST);
    /* A G-stage fault on an implicit access of L1's own page-table walk
     * (htinst holds a pseudoinstruction, H chapter "Transformed Instruction
     * or Pseudoinstruction"): natively the page-table entry lies in memory
     * that does not exist, and QEMU's walk fails as a page fault of the
     * original access (get_physical_address: TRANSLATE_FAIL), not an access
     * fault. */
    if (htinst == HTINST_PSEUDO_READ64 || htinst == HTINST_PSEUDO_READ32 ||
        htinst == HTINST_PSEUDO_WRITE64 || htinst == HTINST_PSEUDO_WRITE32) {
        /* natively: a page fault with QEMU's transformed instruction for
         * loads and stores (0 for fetches) */
        vm->stats.exits[EXIT_GUEST_FAULT]++;
        struct rvnest_l1_trap t = { .cause = page_fault_for(cause), .tval = stval };
        uint32_t insn;
        if (cause != EXC_INST_GUEST_PAGE_FAULT && rvnest_fetch_l1_insn(vc, hart_csr(h, CSR_SEPC), &insn))
            t.htinst = rvnest_transformed_insn(insn, stval, rvnest_l1_gpr, vc);
        rvnest_deliver_l1_exception(vc, &t);
        return;
    }
    if (cause != EXC_INST_GUEST_PAGE_FAULT && rvnest_plic_page(vm, gpa)) {
        vm->stats.exits[EXIT_MMIO_PLIC]++;
        struct insn_mem m;
        if (faulting_access(vc, &m)) {
            unsigned off;
            uint64_t exc = rvnest_plic_access(vc, gpa, &m, &off);
            if (!exc) {
                rvnest_resume_l1_after(vc, m.len);
                return;
            }
            rvnest_deliver_l1_exception(vc, &(struct rvnest_l1_trap){ .cause = exc, .tval = stval + off });
            return;
        }
    } else {
        vm->stats.exits[EXIT_GUEST_FAULT]++;
    }
    rvnest_deliver_l1_exception(vc, &(struct rvnest_l1_trap){ .cause = access_fault_for(cause), .tval = stval });
}
