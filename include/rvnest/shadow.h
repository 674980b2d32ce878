/* The shadow G-stage (shadow-pt/shadow.c): L2 guest-physical -> host
 * physical, filled lazily from L1's G-stage on L2's guest page faults
 * (ARCHITECTURE.md section 7).
 *
 * Tables live in a pool inside L0 memory: RVNEST_SHADOW_CTXS roots of
 * 16 KiB (x4 roots are 16 KiB and 16 KiB-aligned) at the start, 4 KiB table
 * pages after them, handed out in order. A context stands for one L1 VMID
 * (and the hgatp mode and root it had) on one hart, as a hart's TLB does:
 * switching between L2 VMs keeps their shadows, and L1's local
 * HFENCE.GVMA drops only its own hart's (an SBI remote one, every hart's).
 * When the pool runs out L0 drops every shadow and refills (a reclaim);
 * the guest never sees it. The pool is readable by S-mode
 * (PMP) only while L2 runs, so that the hardware can walk it; no shadow
 * leaf ever maps L0 memory, so no guest can read it. */
#ifndef RVNEST_SHADOW_H
#define RVNEST_SHADOW_H

#include <stdbool.h>
#include <stdint.h>

/* At least RVNEST_MAX_HARTS + 1: a hart always finds a context no other
 * hart's L2 runs on (shadow.c). Two per hart at the maximum. */
#define RVNEST_SHADOW_CTXS 16
#define RVNEST_SHADOW_ROOT_SIZE (16u << 10)
/* Where a guest access to memory that does not exist natively (L0 memory,
 * RAM above L1's) is sent: a host-physical page with nothing behind it, so
 * that the hart raises the access fault (or, for a page-table read, the
 * page fault) native gives, with its own tval/htinst/GVA. */
#define RVNEST_SHADOW_DEAD_PA (1ull << 55)

/* GPAs of the last fills a context remembers (shadow.c, "replay"). */
#define RVNEST_SHADOW_RECENT 256

struct rvnest_shadow_ctx {
    bool valid;
    uint64_t hgatp;                   /* L1's hgatp (mode, VMID, root) it shadows */
    unsigned hart;                    /* the hart whose L2 it serves */
    uint64_t used;                    /* LRU stamp */
    bool big;                         /* holds leaves from L1 leaves of 1 GiB or more */
    unsigned users;                   /* harts running an L2 on it: never evicted then */
    uint64_t recent[RVNEST_SHADOW_RECENT]; /* pages of its last fills (a ring) */
    unsigned nrecent, recent_next;
};

/* Table pages a context dropped wait here until no hart can still be
 * walking them (shadow.c, "grace"). */
struct rvnest_shadow_limbo {
    uint32_t *pages;                  /* page indexes */
    unsigned n;
    uint64_t seq[RVNEST_MAX_HARTS];   /* each hart's l0_seq when the last one joined */
    bool safe[RVNEST_MAX_HARTS];      /* that hart was in L0 or in L1 then */
};

struct rvnest_shadow {
    uint64_t base, size;              /* the pool: size a power of two, base aligned to it */
    uint64_t next;                    /* next never-used table page */
    uint64_t clock;
    struct rvnest_shadow_ctx ctx[RVNEST_SHADOW_CTXS];
    unsigned npages;                  /* table pages of the pool (above the roots) */
    uint8_t *owner;                   /* per page: its context + 1, 0 when not in a tree */
    uint32_t *free_pages;             /* recycled pages ready for use */
    unsigned nfree;
    struct rvnest_shadow_limbo limbo[2]; /* [0] collecting, [1] waiting for its grace */
};

struct rvnest_vm;
struct rvnest_vcpu;
struct rvnest_inval;
struct walk_result;

/* Place the pool in L0 memory (at boot); false with vm->fatal set. */
bool rvnest_shadow_setup(struct rvnest_vcpu *vc);
/* The real hgatp that runs L2 for L1's hgatp (finding or making its
 * context; *ctx its index). */
uint64_t rvnest_shadow_hgatp(struct rvnest_vcpu *vc, uint64_t l1_hgatp, unsigned *ctx);
/* The hart's L2 no longer runs on context ctx (its exit, or a reset). */
void rvnest_shadow_release(struct rvnest_vcpu *vc, unsigned ctx);
enum rvnest_fill {
    SHADOW_FILLED,                    /* a new or wider leaf: retry the access */
    SHADOW_FAULT,                     /* L1's G-stage refuses it: L1 sees the fault */
    SHADOW_STALE,                     /* nothing to add: the fault stands */
    SHADOW_RETRY,                     /* no table page usable yet: resume L2, it faults again */
};
/* A guest page fault of L2 at gpa for access (walk_access). res gets L1's
 * G-stage walk. */
enum rvnest_fill rvnest_shadow_fill(struct rvnest_vcpu *vc, uint64_t gpa, int access,
                                    struct walk_result *res);
/* HFENCE.GVMA / HINVAL.GVMA (this hart's contexts) / SBI remote
 * HFENCE.GVMA (every hart's: r->remote) from L1 (shadow-pt/inval.c). */
void rvnest_shadow_inval(struct rvnest_vcpu *vc, const struct rvnest_inval *r);
/* Forget every shadow (reset, or the pool ran out). */
void rvnest_shadow_drop_all(struct rvnest_vcpu *vc);
/* The leaf a fill makes from L1's G-stage leaf (unit-tested rule). */
uint64_t rvnest_shadow_leaf(uint64_t pa, uint64_t l1_leaf, uint64_t l1_page_size);

#endif
