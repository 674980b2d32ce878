/* L0's G-stage table for L1 (shadow-pt/gstage_l1.c). */
#ifndef RVNEST_GSTAGE_H
#define RVNEST_GSTAGE_H

#include <stdbool.h>
#include <stdint.h>
#include "rvnest/hart.h"
#include "rvnest/limits.h"

#define GSTAGE_SV39X4_BITS 41

struct gstage_hole {
    uint64_t base, size;              /* 4 KiB aligned */
};

struct gstage_layout {
    uint64_t root;                    /* 16 KiB aligned */
    uint64_t pool, pool_end;          /* memory for lower-level tables */
    struct gstage_hole holes[RVNEST_MAX_HOLES];
    unsigned nholes;
    /* filled in by the build */
    uint64_t tables_used;
    uint64_t leaves_1g, leaves_2m, leaves_4k;
};

/* Identity-maps guest-physical [0, 2^41) in Sv39x4 with the largest pages
 * possible, leaving the holes unmapped. Returns the hgatp value, or 0 when
 * the pool is too small or memory cannot be written. */
uint64_t rvnest_gstage_build_l1(struct rvnest_hart *h, struct gstage_layout *l);

#endif
