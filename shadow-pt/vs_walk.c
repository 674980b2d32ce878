/* A single-stage walk of an Sv39/Sv48/Sv57 table (priv spec, "Virtual
 * Address Translation Process"), used by L0 to read L1 instructions it must
 * emulate when hardware gave no transformed instruction. L1's
 * guest-physical addresses are host-physical (identity G-stage). */
#include "rvnest/vs_walk.h"
#include "rvnest/csr.h"

bool rvnest_walk_atp(struct rvnest_hart *h, uint64_t atp, uint64_t va, uint64_t *pa)
{
    unsigned mode = (unsigned)(atp >> ATP_MODE_SHIFT), levels;
    switch (mode) {
    case ATP_MODE_BARE: *pa = va; return true;
    case ATP_MODE_SV39: levels = 3; break;
    case ATP_MODE_SV48: levels = 4; break;
    case ATP_MODE_SV57: levels = 5; break;
    default: return false;
    }
    unsigned vabits = 12 + 9 * levels;
    /* va must be sign-extended from bit vabits-1 */
    int64_t sva = (int64_t)(va << (64 - vabits)) >> (64 - vabits);
    if ((uint64_t)sva != va)
        return false;
    uint64_t table = (atp & ATP_PPN_MASK) << 12;
    for (int lvl = (int)levels - 1; lvl >= 0; lvl--) {
        unsigned shift = 12 + 9 * (unsigned)lvl;
        uint64_t pte;
        if (!h->ops->read_phys(h, table + ((va >> shift) & 511) * 8, &pte, 8))
            return false;
        if (!(pte & PTE_V) || (!(pte & PTE_R) && (pte & PTE_W)))
            return false;
        uint64_t ppn = (pte >> PTE_PPN_SHIFT) & PTE_PPN_MASK;
        if (pte & (PTE_R | PTE_X)) {
            uint64_t mask = (1ull << shift) - 1;
            if (((ppn << 12) & mask) != 0)
                return false;                 /* misaligned superpage */
            *pa = ((ppn << 12) & ~mask) | (va & mask);
            return true;
        }
        table = ppn << 12;
    }
    return false;
}
