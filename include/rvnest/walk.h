/* Page-table walks of a guest's tables (shadow-pt/walk.c): single-stage
 * (satp: Bare, Sv39, Sv48, Sv57), two-stage (VS-stage per vsatp, every
 * VS-stage PTE address and the final address through the G-stage per
 * hgatp: Bare, Sv39x4, Sv48x4, Sv57x4) and G-stage only.
 *
 * The reference is QEMU's get_physical_address / riscv_cpu_tlb_fill
 * (target/riscv/cpu_helper.c, QEMU 10.2), i.e. what the hart L0 runs on
 * does natively; the priv spec's "Virtual Address Translation Process" and
 * the H chapter's "Two-Stage Address Translation" where QEMU follows it.
 *
 * The walker never touches memory itself: page-table entries are read and
 * written through the caller's walk_mem callbacks, which say whether the
 * guest itself could have made the access. That keeps it testable and lets
 * L0 use it for L1's tables (nested/l1_walk.c) and, later, the shadow
 * G-stage for L2. */
#ifndef RVNEST_WALK_H
#define RVNEST_WALK_H

#include <stdbool.h>
#include <stdint.h>

/* QEMU's MMUAccessType order. */
enum walk_access { WALK_LOAD, WALK_STORE, WALK_FETCH };

/* What became of an implicit page-table access. */
enum walk_mem {
    WALK_MEM_OK,
    WALK_MEM_PMP,      /* refused by PMP: an access fault (QEMU TRANSLATE_PMP_FAIL) */
    WALK_MEM_NONE,     /* no memory there, or not RAM (PTE write): a page fault,
                        * as QEMU gives for a bus error on a PTE access */
};

struct walk_mem_ops {
    /* 8-byte PTE at physical address pa, read as a supervisor load. */
    enum walk_mem (*read_pte)(void *ctx, uint64_t pa, uint64_t *pte);
    /* A/D update of the PTE at pa (only called when hardware updating is
     * on, i.e. adue). */
    enum walk_mem (*write_pte)(void *ctx, uint64_t pa, uint64_t pte);
};

/* One translation stage. */
struct walk_stage {
    uint64_t atp;      /* satp / vsatp value, or hgatp (PPN taken as is, as QEMU) */
    bool adue;         /* Svadu: hardware sets A/D; else Svade: a page fault */
    bool pbmte;        /* else PBMT bits are reserved */
    bool mxr;          /* execute-only pages readable */
    bool svnapot;      /* the hart has Svnapot (else the N bit is reserved) */
};

struct walk_req {
    uint64_t va;                 /* virtual (or guest-physical for G-only) address */
    enum walk_access access;
    unsigned priv;               /* effective privilege of the first stage: PRV_S or PRV_U */
    bool sum;                    /* S may read/write U pages (never execute) */
    bool two_stage;              /* vs then g; else vs is the only stage */
    struct walk_stage vs, g;
    bool no_ad_write;            /* check only, never write (QEMU's is_debug) */
};

enum walk_status {
    WALK_OK,
    WALK_PAGE_FAULT,             /* first (or only) stage */
    WALK_GUEST_PAGE_FAULT,       /* G-stage: htval set */
    WALK_ACCESS_FAULT,           /* PMP refused an implicit access */
};

struct walk_result {
    enum walk_status status;
    uint64_t pa;                 /* WALK_OK: the physical address */
    uint64_t gpa;                /* two-stage: the guest-physical address */
    unsigned prot;               /* WALK_OK: PTE_R/W/X allowed by all stages */
    uint64_t page_size;          /* WALK_OK: the smallest leaf on the way */
    uint64_t leaf_pte;           /* WALK_OK, G-stage only: the leaf as it is now (A/D set) */
    uint64_t htval;              /* guest page fault: faulting GPA >> 2 */
    bool implicit;               /* guest page fault on a VS-stage PTE access */
};

/* Translates req->va. */
void rvnest_walk(const struct walk_mem_ops *mem, void *ctx, const struct walk_req *req,
                 struct walk_result *res);

/* G-stage only: gpa through g (a G-stage access is a user access). A
 * failure is WALK_GUEST_PAGE_FAULT with htval = gpa >> 2, or
 * WALK_ACCESS_FAULT when PMP refused a G-stage PTE read. */
void rvnest_walk_gstage(const struct walk_mem_ops *mem, void *ctx, const struct walk_stage *g,
                        uint64_t gpa, enum walk_access access, bool no_ad_write,
                        struct walk_result *res);

/* The exception a failed walk raises (QEMU raise_mmu_exception). virt: the
 * access is made at V=1 (an instruction fetch G-stage failure is an
 * instruction guest-page fault only then; from HS, e.g. HLVX, QEMU raises
 * an instruction page fault). */
uint64_t rvnest_walk_cause(const struct walk_result *res, enum walk_access access, bool virt);

/* htinst pseudoinstruction for a guest page fault on an implicit VS-stage
 * PTE access (H chapter, "Transformed Instruction or Pseudoinstruction for
 * mtinst or htinst"): QEMU always writes the RV64 read form. */
#define WALK_HTINST_PTE_READ 0x3000u
#define WALK_HTINST_PTE_WRITE 0x3020u

#endif
