/* Building page tables in a mock hart's memory, for the walker and
 * hypervisor-instruction unit tests. */
#ifndef RVNEST_TEST_PT_BUILD_H
#define RVNEST_TEST_PT_BUILD_H
#include <stdbool.h>
#include <stdint.h>
#include "mock_hart.h"

struct pt_builder {
    struct mock_hart *m;
    uint64_t next;                    /* next free physical address for tables */
};

/* pages contiguous pages, aligned to their size. */
uint64_t pt_alloc(struct pt_builder *b, unsigned pages);
/* The PTE address for addr at level lvl under root (levels levels; x4: a
 * G-stage root with 11 index bits), making tables as needed. Table
 * pointers hold pa + goff (VS tables of a two-stage walk hold GPAs). */
uint64_t pt_slot(struct pt_builder *b, uint64_t root, int levels, bool x4, uint64_t goff,
                 uint64_t addr, int lvl);
static inline uint64_t pt_leaf(uint64_t pa, uint64_t flags) { return ((pa >> 12) << 10) | flags; }

#endif
