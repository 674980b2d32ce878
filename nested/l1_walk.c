/* L1's page tables through the walker (shadow-pt/walk.c): its implicit
 * accesses are what L1 itself could reach (nested/l1_mem.c).
 *
 * Reads follow QEMU's order: the PMP check first (a refusal is an access
 * fault), then the memory (QEMU turns a bus error on a PTE read into a page
 * fault). L0 reads tables only from L1's RAM; anything else, L0's holes
 * included, counts as no memory: natively they are memory-less addresses
 * (RAM above L1's) or, for the trapped PLIC page, MMIO no table lives in.
 * A/D writes: QEMU writes any PTE in RAM without a PMP check; L0 never
 * writes where L1 could not (a PMP refusal is an access fault, as the
 * priv spec has it). */
#include "rvnest/engine.h"
#include "rvnest/csr.h"
#include "rvnest/walk.h"

static enum walk_mem read_pte(void *ctx, uint64_t pa, uint64_t *pte)
{
    struct rvnest_vcpu *vc = ctx;
    if (!rvnest_l1_may_access(vc, pa, 8, L1_ACC_READ))
        return l1_range_unmapped(vc->vm, pa, 8) ? WALK_MEM_NONE : WALK_MEM_PMP;
    if (!rvnest_l1_is_ram(vc, pa, 8) || !rvnest_l1_read_table(vc, pa, pte))
        return WALK_MEM_NONE;
    return WALK_MEM_OK;
}

static enum walk_mem write_pte(void *ctx, uint64_t pa, uint64_t pte)
{
    struct rvnest_vcpu *vc = ctx;
    if (!rvnest_l1_is_ram(vc, pa, 8) || l1_range_unmapped(vc->vm, pa, 8))
        return WALK_MEM_NONE;
    if (!rvnest_l1_may_access(vc, pa, 8, L1_ACC_WRITE))
        return WALK_MEM_PMP;
    return rvnest_l1_write_table(vc, pa, pte) ? WALK_MEM_OK : WALK_MEM_NONE;
}

const struct walk_mem_ops rvnest_l1_walk_mem = { read_pte, write_pte };

bool rvnest_l1_hw_adue(const struct rvnest_vcpu *vc)
{
    const struct rvnest_vm *vm = vc->vm;
    return vm->isa.svadu ? (vc->vcsr.menvcfg & ENVCFG_ADUE) != 0 : !vm->isa.svade;
}

/* L1's own translation of va as the hart made it at V=1: L1's satp is the
 * real vsatp, its status the real vsstatus, at the privilege it trapped
 * from; A/D and PBMT as both menvcfg and henvcfg grant at V=1. Nothing is
 * written: the access already happened. */
void rvnest_l1_own_walk(struct rvnest_vcpu *vc, uint64_t va, enum walk_access acc,
                        struct walk_result *res)
{
    struct rvnest_hart *h = vc->hart;
    struct rvnest_vm *vm = vc->vm;
    uint64_t henvcfg = hart_csr(h, CSR_HENVCFG), vs = hart_csr(h, CSR_VSSTATUS);
    unsigned priv = rvnest_trap_priv(vc);
    struct walk_req r = {
        .va = va, .access = acc, .priv = priv, .no_ad_write = true,
        .sum = acc != WALK_FETCH && priv == PRV_S && (vs & MSTATUS_SUM),
        .vs = { .atp = hart_csr(h, CSR_VSATP),
                .adue = rvnest_l1_hw_adue(vc) && (henvcfg & ENVCFG_ADUE),
                .pbmte = (vc->vcsr.menvcfg & henvcfg & ENVCFG_PBMTE) != 0,
                .mxr = (vs & MSTATUS_MXR) != 0, .svnapot = vm->isa.svnapot },
    };
    rvnest_walk(&rvnest_l1_walk_mem, vc, &r, res);
}
