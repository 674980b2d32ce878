/* The PLIC pages L0 performs for L1 (ARCHITECTURE.md section 8): source
 * priorities, L1's context enables, and L1's context (threshold, claim,
 * complete). Every write there, and every claim, can change the level of
 * L1's external interrupt; L0 performs the access on the real PLIC and
 * re-samples the real SEIP right after, so what L1 sees as its SEIP follows
 * the PLIC exactly (no interrupt that claims 0, none lost).
 *
 * The access is the one the device accepts natively: QEMU's PLIC
 * (hw/intc/sifive_plic.c) takes only 32-bit pieces (valid.min/max_access_size
 * = 4); QEMU cuts an MMIO access into naturally aligned pieces, so an 8-byte
 * access at a 4-aligned, not 8-aligned address is two accesses, while a byte,
 * a halfword, a misaligned word or an 8-aligned doubleword fails the bus
 * transaction, which the hart reports as an access fault. */
#include "rvnest/engine.h"
#include "rvnest/csr.h"
#include "rvnest/decode.h"
#include "nested/fetch.h"

bool rvnest_plic_page(const struct rvnest_vm *vm, uint64_t gpa)
{
    for (unsigned i = 0; i < RVNEST_PLIC_PAGES; i++)
        if (gpa - vm->plic_range[i].base < vm->plic_range[i].size)
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

/* One piece of an MMIO access, as QEMU's cputlb int_ld_mmio_beN /
 * int_st_mmio_leN cut it: naturally aligned, 2^ctz(size | addr | 8) bytes.
 * The PLIC accepts only 4-byte pieces. */
static unsigned piece_size(uint64_t addr, unsigned remaining)
{
    return 1u << __builtin_ctzll(remaining | addr | 8);
}

/* Performs L1's access of m->width bytes at gpa as QEMU would: piece by
 * piece, each side effect in order, stopping at the first piece the PLIC
 * refuses. Returns the exception L1 takes (0 for none) and in *fault_off
 * the offset of the refused piece. An AMO runs as a read, the operation
 * and a write (TCG's serial fallback for atomics on MMIO; a misaligned AMO
 * never gets here, QEMU checks alignment first); LR is a load. */
uint64_t rvnest_plic_access(struct rvnest_vcpu *vc, uint64_t gpa, const struct insn_mem *m,
                            unsigned *fault_off)
{
    struct rvnest_hart *h = vc->hart;
    uint64_t lfault = (m->amo && m->amo_funct5 != AMO_LR) ? EXC_STORE_ACCESS : EXC_LOAD_ACCESS;
    uint64_t sfault = EXC_STORE_ACCESS;
    *fault_off = 0;
    if (m->amo && m->amo_funct5 == AMO_SC) {
        /* QEMU's SC succeeds only on its own reservation, which an LR that
         * L0 performed never sets: the SC fails without an access. */
        hart_set_gpr(h, m->reg, 1);
        return 0;
    }
    uint64_t v = 0;
    if (!m->store || m->amo) {
        for (unsigned off = 0; off < m->width;) {
            unsigned n = piece_size(gpa + off, m->width - off);
            uint32_t piece;
            if (n != 4 || !h->ops->read_phys(h, gpa + off, &piece, 4)) {
                *fault_off = off;
                return lfault;
            }
            v |= (uint64_t)piece << (8 * off);
            off += n;
        }
    }
    if (m->store) {
        uint64_t nv = m->amo ? v : hart_gpr(h, m->reg);
        if (m->amo && m->amo_funct5 != AMO_LR)
            nv = amo_op(m->amo_funct5, (uint32_t)v, (uint32_t)hart_gpr(h, m->amo_rs2));
        for (unsigned off = 0; off < m->width;) {
            unsigned n = piece_size(gpa + off, m->width - off);
            uint32_t piece = (uint32_t)(nv >> (8 * off));
            if (n != 4 || !h->ops->write_phys(h, gpa + off, &piece, 4)) {
                *fault_off = off;
                rvnest_irq_resample(vc);
                return sfault;
            }
            off += n;
        }
    }
    if (!m->store || m->amo) {
        if (m->width < 8) {
            unsigned sh = 64 - 8 * m->width;
            v = m->is_signed ? (uint64_t)((int64_t)(v << sh) >> sh) : (v << sh) >> sh;
        }
        hart_set_gpr(h, m->reg, v);
    }
    rvnest_irq_resample(vc);
    return 0;
}
