/* Guest page faults from L1 (H chapter, "Two-Stage Address Translation"):
 * L0's G-stage maps all of L1's guest-physical space except L0 memory and
 * the PLIC claim/complete page of L1's context. The first is an access
 * fault for L1, as an access to nonexistent memory would be; the second is
 * emulated so that L0 can follow the PLIC's level (nested/irq.c). */
#include "rvnest/engine.h"
#include "rvnest/csr.h"
#include "rvnest/decode.h"
#include "nested/fetch.h"

static uint64_t access_fault_for(uint64_t cause)
{
    switch (cause) {
    case EXC_INST_GUEST_PAGE_FAULT: return EXC_INST_ACCESS;
    case EXC_LOAD_GUEST_PAGE_FAULT: return EXC_LOAD_ACCESS;
    default: return EXC_STORE_ACCESS;
    }
}

static bool emulate_plic_access(struct rvnest_vcpu *vc, uint64_t gpa)
{
    struct rvnest_hart *h = vc->hart;
    uint32_t insn = (uint32_t)hart_csr(h, CSR_HTINST);
    bool from_htinst = insn != 0;
    struct insn_mem m;
    if (!from_htinst && !rvnest_fetch_l1_insn(vc, hart_csr(h, CSR_SEPC), &insn))
        return false;
    if (!rvnest_decode_mem(insn, from_htinst, &m))
        return false;
    if (m.store) {
        uint64_t v = hart_gpr(h, m.reg);
        if (!h->ops->write_phys(h, gpa, &v, m.width))
            return false;
    } else {
        uint64_t v = 0;
        if (!h->ops->read_phys(h, gpa, &v, m.width))
            return false;
        if (m.is_signed && m.width < 8) {
            unsigned sh = 64 - 8 * m.width;
            v = (uint64_t)((int64_t)(v << sh) >> sh);
        }
        hart_set_gpr(h, m.reg, v);
    }
    rvnest_irq_resample(vc);
    rvnest_resume_l1_after(vc, m.len);
    return true;
}

void rvnest_guest_page_fault(struct rvnest_vcpu *vc, uint64_t cause)
{
    struct rvnest_hart *h = vc->hart;
    struct rvnest_vm *vm = vc->vm;
    uint64_t stval = hart_csr(h, CSR_STVAL);
    uint64_t gpa = (hart_csr(h, CSR_HTVAL) << 2) | (stval & 3);
    if (cause != EXC_INST_GUEST_PAGE_FAULT && vm->plic_claim_page &&
        gpa - vm->plic_claim_page < 0x1000) {
        vm->stats.exits[EXIT_MMIO_PLIC]++;
        if (emulate_plic_access(vc, gpa))
            return;
    } else {
        vm->stats.exits[EXIT_GUEST_FAULT]++;
    }
    rvnest_inject_l1_exception(vc, access_fault_for(cause), stval);
}
