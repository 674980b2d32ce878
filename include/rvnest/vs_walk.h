/* Translation of L1 virtual addresses through L1's own page table
 * (shadow-pt/vs_walk.c). */
#ifndef RVNEST_VS_WALK_H
#define RVNEST_VS_WALK_H

#include <stdbool.h>
#include <stdint.h>
#include "rvnest/hart.h"

/* Translates va with the satp value atp (Bare, Sv39, Sv48, Sv57) reading
 * page tables from physical memory. Returns false on any fault. */
bool rvnest_walk_atp(struct rvnest_hart *h, uint64_t atp, uint64_t va, uint64_t *pa);

#endif
