/* SBI nested acceleration (NACL, SBI spec chapter "Nested Acceleration
 * Extension", EID 0x4E41434C) as L0 offers it to L1: the shared memory
 * layout and what the engine does with it (nested/nacl.c; the SBI calls
 * are nested/sbi_nacl.c). All offsets are from the base of one hart's
 * shared memory, which lies in L1's RAM: L1 (and its other harts, and
 * DMA) may change any word of it at any moment, so L0 reads each value it
 * uses once and treats it as L1 input. */
#ifndef RVNEST_NACL_H
#define RVNEST_NACL_H

#include <stdbool.h>
#include <stdint.h>
#include "rvnest/vcsr.h"

#define SBI_EXT_NACL                0x4E41434C
#define SBI_NACL_PROBE_FEATURE      0
#define SBI_NACL_SET_SHMEM          1
#define SBI_NACL_SYNC_CSR           2
#define SBI_NACL_SYNC_HFENCE        3
#define SBI_NACL_SYNC_SRET          4

/* Feature ids (SBI spec, table "Nested acceleration features"); the
 * plugin's nacl-<feature>=off sets bit id of rvnest_options.nacl_features_off. */
enum rvnest_nacl_feature {
    RVNEST_NACL_FEAT_SYNC_CSR = 0,
    RVNEST_NACL_FEAT_SYNC_HFENCE = 1,
    RVNEST_NACL_FEAT_SYNC_SRET = 2,
    RVNEST_NACL_FEAT_AUTOSWAP_CSR = 3,
    RVNEST_NACL_FEAT__COUNT
};

/* The shared memory: 4096 bytes of scratch space, then the CSR space of
 * 1024 XLEN words (RV64: 12 KiB in all, 4 KiB aligned). */
#define NACL_SHMEM_SIZE             (4096 + 1024 * 8)
#define NACL_SRET_OFF               0x000   /* SYNC_SRET: x<i> at 8 * i, i = 1..31 */
#define NACL_AUTOSWAP_OFF           0x200   /* AUTOSWAP_CSR: flags, then hstatus */
#define NACL_AUTOSWAP_FLAG_HSTATUS  1ull
#define NACL_HFENCE_OFF             0x800   /* SYNC_HFENCE: entries of 4 words */
#define NACL_HFENCE_ENTRIES         (3840 / 64)
#define NACL_DBITMAP_OFF            0xF80   /* SYNC_CSR: one dirty bit per CSR-space word */
#define NACL_CSR_OFF                0x1000
/* The CSR-space word of CSR csr. */
#define NACL_CSR_INDEX(csr)         ((((csr) & 0xc00) >> 2) | ((csr) & 0xff))

/* An HFENCE entry's config word (XLEN 64). */
#define NACL_HFENCE_PEND            (1ull << 63)
#define NACL_HFENCE_TYPE_SHIFT      56
#define NACL_HFENCE_TYPE_MASK       0xfull
#define NACL_HFENCE_ORDER_SHIFT     48
#define NACL_HFENCE_ORDER_MASK      0x7full
#define NACL_HFENCE_ORDER_BASE      12
#define NACL_HFENCE_VMID_SHIFT      16
#define NACL_HFENCE_VMID_MASK       0x3fffull
#define NACL_HFENCE_ASID_MASK       0xffffull
/* bits 62:60, 55 and 47:30: reserved, must be zero */
#define NACL_HFENCE_RESERVED        ((7ull << 60) | (1ull << 55) | (0x3ffffull << 30))
enum nacl_hfence_type {
    NACL_HFENCE_GVMA, NACL_HFENCE_GVMA_ALL, NACL_HFENCE_GVMA_VMID, NACL_HFENCE_GVMA_VMID_ALL,
    NACL_HFENCE_VVMA, NACL_HFENCE_VVMA_ALL, NACL_HFENCE_VVMA_ASID, NACL_HFENCE_VVMA_ASID_ALL,
};

#define SBI_ERR_NO_SHMEM            (-9)
#define NACL_NO_SHMEM               (~0ull)

/* A hart's NACL state. */
struct rvnest_nacl {
    uint64_t shmem;                   /* the shared memory's base, or NACL_NO_SHMEM */
    uint64_t shown[VCSR__COUNT];      /* the CSR-space words as L0 last wrote them */
    uint32_t shown_valid;             /* bit i: shown[i] is in the page */
    uint32_t present;                 /* bit i: L1's HS has that CSR (at SET_SHMEM) */
};

/* Counts, per hart (rvnest_stats.nacl). */
enum rvnest_nacl_event {
    NACL_EV_SET_SHMEM,                /* SET_SHMEM calls that set or cleared it */
    NACL_EV_SYNC_CSR,                 /* SYNC_CSR calls */
    NACL_EV_SYNC_HFENCE,              /* SYNC_HFENCE calls */
    NACL_EV_SYNC_SRET,                /* SYNC_SRET calls that did the SRET */
    NACL_EV_CSRS_SYNCED,              /* dirty CSR words written to L1's H state */
    NACL_EV_HFENCE_ENTRIES,           /* pending HFENCE entries processed */
    NACL_EV_HFENCE_IGNORED,           /* ...of them ignored (reserved type, bits or order) */
    NACL_EV_AUTOSWAPS,                /* hstatus swaps (entry and exit) */
    NACL_EV_CSR_WORDS,                /* CSR-space words L0 wrote (kept current) */
    NACL_EV__COUNT
};

#endif
