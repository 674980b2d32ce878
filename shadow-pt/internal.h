/* What shadow-pt's files share (shadow.c, inval.c); not for the engine. */
#ifndef RVNEST_SHADOW_PT_INTERNAL_H
#define RVNEST_SHADOW_PT_INTERNAL_H

#include "rvnest/shadow.h"

#define SHADOW_PAGE 4096ull
/* Bits 9:8 (RSW) of a shadow leaf: the size of L1's leaf (shadow.c). */
#define SHADOW_RSW_SHIFT 8
#define SHADOW_RSW_MASK (3ull << SHADOW_RSW_SHIFT)

static inline bool shadow_read(struct rvnest_shadow *s, unsigned hart, uint64_t pa, void *buf,
                               size_t len)
{
    return s->ops->read_phys(s->ops_ctx, hart, pa, buf, len);
}

static inline bool shadow_write(struct rvnest_shadow *s, unsigned hart, uint64_t pa,
                                const void *buf, size_t len)
{
    return s->ops->write_phys(s->ops_ctx, hart, pa, buf, len);
}

static inline void shadow_count(struct rvnest_shadow *s, unsigned hart,
                                enum rvnest_shadow_event ev)
{
    s->ops->count(s->ops_ctx, hart, ev);
}

/* The address of gpa's slot at level stop_lvl (0: the leaf level) in
 * context ctx, making tables as needed (alloc) or stopping at a missing one
 * (returns 0). 1 when the pool is exhausted. */
uint64_t shadow_leaf_slot(struct rvnest_shadow *s, unsigned hart, unsigned ctx, uint64_t gpa,
                          bool alloc, unsigned stop_lvl);
/* Empties context i (its lower tables to the limbo); it stays assigned. */
void shadow_ctx_drop(struct rvnest_shadow *s, unsigned hart, unsigned i);
/* Makes context i's recent fills again from L1's G-stage as it is now. */
void shadow_ctx_replay(struct rvnest_shadow *s, unsigned hart, unsigned i);

#endif
