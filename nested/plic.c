/* The PLIC pages L0 performs for L1 (ARCHITECTURE.md section 8): source
 * priorities, L1's context enables, and L1's context (threshold, claim,
 * complete). Every write there, and every claim, can change the level of
 * L1's external interrupt; L0 performs the access on the real PLIC and
 * re-samples the real SEIP right after, so what L1 sees as its SEIP follows
 * the PLIC exactly (no interrupt that claims 0, none lost).
 *
 * The access is the one the device accepts natively: QEMU's PLIC
 * (hw/intc/sifive_plic.c) takes only aligned 32-bit accesses
 * (valid.min/max_access_size = 4, no unaligned), anything else fails the
 * bus transaction, which the hart reports as an access fault. An AMO on
 * MMIO runs in QEMU as a plain read, operation and write (TCG's serial
 * fallback for atomics on I/O), so L0 does exactly that. */
#include "rvnest/engine.h"
#include "rvnest/csr.h"
#include "rvnest/decode.h"
#include "nested/fetch.h"

bool rvnest_plic_page(const struct rvnest_vm *vm, uint64_t gpa)
{
    for (unsigned i = 0; i < RVNEST_PLIC_PAGES; i++)
        if (vm->plic_page[i] && gpa - vm->plic_page[i] < 0x1000)
            return true;
    return false;
}

static uint32_t amo_op(unsigned funct5, uint32_t old, uint32_t src)
{
    switch (funct5) {
    case AMO_SWAP: return src;
    case AMO_ADD:  return old + src;
    case AMO_XOR:  return old ^ src;
    case AMO_AND:  return old & src;
    case AMO_OR:   return old | src;
    case AMO_MIN:  return (int32_t)old < (int32_t)src ? old : src;
    case AMO_MAX:  return (int32_t)old > (int32_t)src ? old : src;
    case AMO_MINU: return old < src ? old : src;
    default:       return old > src ? old : src;   /* AMO_MAXU */
    }
}

/* Performs L1's access at gpa. Returns the exception L1 takes (0 for none;
 * EXC_LOAD_ACCESS / EXC_STORE_ACCESS when the PLIC refuses it). */
uint64_t rvnest_plic_access(struct rvnest_vcpu *vc, uint64_t gpa, const struct insn_mem *m)
{
    struct rvnest_hart *h = vc->hart;
    uint64_t fault = m->store ? EXC_STORE_ACCESS : EXC_LOAD_ACCESS;
    if (m->width != 4 || (gpa & 3))
        return fault;
    if (m->amo && m->amo_funct5 == AMO_SC)
        return fault;                 /* see docs/architecture.md: SC on MMIO */
    uint32_t v = 0;
    if (!m->store || m->amo) {
        if (!h->ops->read_phys(h, gpa, &v, 4))
            return fault;
    }
    if (m->amo && m->amo_funct5 != AMO_LR) {
        uint32_t nv = amo_op(m->amo_funct5, v, (uint32_t)hart_gpr(h, m->amo_rs2));
        if (!h->ops->write_phys(h, gpa, &nv, 4))
            return fault;
    } else if (m->store) {
        uint32_t nv = (uint32_t)hart_gpr(h, m->reg);
        if (!h->ops->write_phys(h, gpa, &nv, 4))
            return fault;
    }
    if (!m->store || m->amo)
        hart_set_gpr(h, m->reg, (uint64_t)(int64_t)(int32_t)v);
    rvnest_irq_resample(vc);
    return 0;
}
