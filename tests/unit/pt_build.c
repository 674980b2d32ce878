#include "pt_build.h"
#include "rvnest/csr.h"

uint64_t pt_alloc(struct pt_builder *b, unsigned pages)
{
    uint64_t a = (b->next + pages * 0x1000ull - 1) & ~(pages * 0x1000ull - 1);
    b->next = a + pages * 0x1000ull;
    return a;
}

uint64_t pt_slot(struct pt_builder *b, uint64_t root, int levels, bool x4, uint64_t goff,
                 uint64_t addr, int lvl)
{
    uint64_t table = root;
    for (int i = levels - 1;; i--) {
        unsigned bits = x4 && i == levels - 1 ? 11 : 9;
        uint64_t pa = table + ((addr >> (12 + 9 * i)) & ((1ull << bits) - 1)) * 8;
        if (i == lvl)
            return pa;
        uint64_t pte = mock_read64(b->m, pa);
        if (!(pte & PTE_V)) {
            pte = (((pt_alloc(b, 1) + goff) >> 12) << 10) | PTE_V;
            mock_write64(b->m, pa, pte);
        }
        table = ((pte >> 10) << 12) - goff;
    }
}
