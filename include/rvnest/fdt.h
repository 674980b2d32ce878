/* What L0 reads from and changes in L1's device tree (nested/boot_fdt.c). */
#ifndef RVNEST_FDT_H
#define RVNEST_FDT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "rvnest/limits.h"

struct rvnest_fdt_facts {
    uint64_t ram_base, ram_size;      /* the /memory range holding the DT (else the first) */
    uint64_t plic_base, plic_size;
    int plic_s_context;               /* hart 0's S-mode external context, -1 if none */
    int plic_s_ctx[RVNEST_MAX_HARTS]; /* each hart's (by hart id), -1 if none */
    uint64_t initrd_start, initrd_end;
    bool isa_h, isa_sstc;             /* from cpu0's ISA properties */
    bool isa_svnapot, isa_svinval, isa_svadu, isa_svade;
    bool has_rvnest_node;             /* already patched */
};

/* Reads the facts; returns 0 or a negative libfdt error, message in err. */
int rvnest_fdt_inspect(const void *fdt, uint64_t fdt_pa, struct rvnest_fdt_facts *f,
                       char *err, size_t errlen);
/* Adds /reserved-memory/rvnest-l0@base { reg; no-map; } so that L1 never
 * uses L0's memory. fdt must have room (fdt_open_into). Returns 0 or a
 * negative libfdt error. */
int rvnest_fdt_reserve(void *fdt, uint64_t base, uint64_t size);

/* Cuts the /memory range starting at base to size (in place). */
int rvnest_fdt_set_memory_size(void *fdt, uint64_t base, uint64_t size);

#define RVNEST_FDT_NODE "rvnest-l0"

#endif
