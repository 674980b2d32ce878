/* L0's G-stage for L1: an identity map of L1's guest-physical space in
 * Sv39x4 (H chapter, "Guest Physical Address Translation": the root table is
 * 16 KiB and indexed by GPA[40:30]; every leaf has U=1 because G-stage
 * accesses are checked as user accesses). A and D are preset so that no
 * G-stage A/D update or fault (Svade) can happen for L1. */
#include <string.h>
#include "rvnest/gstage.h"
#include "rvnest/csr.h"

#define LEAF_FLAGS (PTE_V | PTE_R | PTE_W | PTE_X | PTE_U | PTE_A | PTE_D)

static bool overlaps(const struct gstage_layout *l, uint64_t base, uint64_t size, bool *covers)
{
    bool any = false;
    *covers = false;
    for (unsigned i = 0; i < l->nholes; i++) {
        const struct gstage_hole *hl = &l->holes[i];
        if (hl->base < base + size && hl->base + hl->size > base) {
            any = true;
            if (hl->base <= base && hl->base + hl->size >= base + size)
                *covers = true;
        }
    }
    return any;
}

static uint64_t leaf(uint64_t pa) { return ((pa >> 12) << PTE_PPN_SHIFT) | LEAF_FLAGS; }
static uint64_t pointer(uint64_t table) { return ((table >> 12) << PTE_PPN_SHIFT) | PTE_V; }

static uint64_t alloc_table(struct gstage_layout *l)
{
    if (l->pool + 4096 > l->pool_end)
        return 0;
    uint64_t t = l->pool;
    l->pool += 4096;
    l->tables_used++;
    return t;
}

/* Fills one table for the range at base, each entry covering 1 << shift. */
static bool fill(struct rvnest_hart *h, struct gstage_layout *l, uint64_t table,
                 unsigned entries, uint64_t base, unsigned shift)
{
    uint64_t pte[2048];
    for (unsigned i = 0; i < entries; i++) {
        uint64_t b = base + ((uint64_t)i << shift), size = 1ull << shift;
        bool covers;
        if (!overlaps(l, b, size, &covers)) {
            pte[i] = leaf(b);
            if (shift == 30) l->leaves_1g++;
            else if (shift == 21) l->leaves_2m++;
            else l->leaves_4k++;
        } else if (covers || shift == 12) {
            pte[i] = 0;
        } else {
            uint64_t sub = alloc_table(l);
            if (!sub || !fill(h, l, sub, 512, b, shift - 9))
                return false;
            pte[i] = pointer(sub);
        }
    }
    return h->ops->write_phys(h, table, pte, entries * sizeof(uint64_t));
}

uint64_t rvnest_gstage_build_l1(struct rvnest_hart *h, struct gstage_layout *l)
{
    if (l->root & 0x3fff)
        return 0;
    l->tables_used = l->leaves_1g = l->leaves_2m = l->leaves_4k = 0;
    if (!fill(h, l, l->root, 2048, 0, 30))
        return 0;
    return ((uint64_t)ATP_MODE_SV39 << ATP_MODE_SHIFT) | (l->root >> 12);
}
