/* The shadow G-stage (shadow-pt/): L2 guest-physical -> host physical,
 * filled lazily from L1's G-stage on L2's guest page faults
 * (ARCHITECTURE.md section 7).
 *
 * shadow-pt is a library of its own (meson: rvnest-shadow): it works on a
 * struct rvnest_shadow and reaches everything outside it (memory, what L1
 * may touch, the harts' state, fatal errors, statistics) through the
 * struct rvnest_shadow_ops it is given. Harts are named by their index.
 * It takes no lock: the caller serialises every call on one shadow (the
 * engine holds its VM lock: nested/l2_shadow.c).
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
#include <stddef.h>
#include <stdint.h>
#include "rvnest/limits.h"
#include "rvnest/walk.h"

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

/* What an L1-physical page is, for the shadow leaf that maps it. */
enum rvnest_l1_page {
    RVNEST_L1_PAGE_RAM,               /* L1's RAM: mapped as it is */
    RVNEST_L1_PAGE_OTHER,             /* anything else L1 reaches by itself (a device,
                                         or an address the hart answers with a fault) */
    RVNEST_L1_PAGE_EMULATED,          /* a device page L0 performs for L1 (the PLIC):
                                         no leaf, every L2 access comes to L0 */
    RVNEST_L1_PAGE_NONE,              /* natively nothing, though the host has something
                                         there (L0 memory, RAM above L1's): the dead page */
};

/* What a shadow counts (struct rvnest_stats' shadow_* fields). */
enum rvnest_shadow_event {
    RVNEST_SHADOW_EV_FILL,            /* a leaf written on a guest page fault */
    RVNEST_SHADOW_EV_INVAL,           /* a GVMA fence handled */
    RVNEST_SHADOW_EV_RECLAIM,         /* the pool ran out: everything dropped */
    RVNEST_SHADOW_EV_EVICTION,        /* a context taken from another VMID */
    RVNEST_SHADOW_EV_DROP,            /* a context emptied */
    RVNEST_SHADOW_EV_REPLAY,          /* a leaf made again after a local fence */
    RVNEST_SHADOW_EV_PREFETCH,        /* a leaf made at L2's entry for the fault L1 handled */
    RVNEST_SHADOW_EV_LARGE,           /* of the fills and prefetches, 2 MiB leaves */
};

/* Everything a shadow needs from outside. ctx is the ops_ctx given to
 * rvnest_shadow_pt_setup; hart the index of the hart the call is made for. */
struct rvnest_shadow_ops {
    /* L0's own accesses to host-physical memory (the pool's tables),
     * unchecked; false when nothing is there. */
    bool (*read_phys)(void *ctx, unsigned hart, uint64_t pa, void *buf, size_t len);
    bool (*write_phys)(void *ctx, unsigned hart, uint64_t pa, const void *buf, size_t len);
    /* An 8-byte PTE of L1's G-stage, read or written (A/D update) as L1's
     * own implicit access on hart would be (the walker's walk_mem_ops):
     * PMP, L0's memory and non-RAM refused. */
    enum walk_mem (*l1_read_pte)(void *ctx, unsigned hart, uint64_t pa, uint64_t *pte);
    enum walk_mem (*l1_write_pte)(void *ctx, unsigned hart, uint64_t pa, uint64_t pte);
    /* Whether L1 on hart may itself read [pa, pa+len) (PMP; never L0's
     * memory). */
    bool (*l1_may_read)(void *ctx, unsigned hart, uint64_t pa, uint64_t len);
    /* The class of the L1-physical page at page (4 KiB-aligned). */
    enum rvnest_l1_page (*l1_page)(void *ctx, unsigned hart, uint64_t page);
    /* Whether [pa, pa+size) is L1's RAM, every page of it
     * (RVNEST_L1_PAGE_RAM), so that one shadow leaf may map it whole. */
    bool (*l1_ram_range)(void *ctx, unsigned hart, uint64_t pa, uint64_t size);
    /* How hart walks L1's G-stage now: sets g's adue (the A/D rule:
     * hardware updating per that hart's menvcfg.ADUE), pbmte, mxr and
     * svnapot; the shadow sets atp. */
    void (*l1_gstage)(void *ctx, unsigned hart, struct walk_stage *g);
    /* Grace periods of the pool's pages: the number of harts; a hart's
     * count of L0 entries (grows each time it enters L0); whether it
     * walks no shadow table now (it is in L0, or in L1: real hgatp 0). */
    unsigned (*nharts)(void *ctx);
    unsigned long (*l0_seq)(void *ctx, unsigned hart);
    bool (*outside_l2)(void *ctx, unsigned hart);
    /* L0 must stop the machine (msg: why). */
    void (*fatal)(void *ctx, const char *msg);
    /* One more event on hart. */
    void (*count)(void *ctx, unsigned hart, enum rvnest_shadow_event ev);
};

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
    const struct rvnest_shadow_ops *ops;
    void *ops_ctx;
    bool no_large;                    /* every leaf 4 KiB (shadow-large=off) */
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

/* An invalidation L1 asked for (HFENCE/HINVAL.VVMA/GVMA, SBI remote
 * HFENCE.GVMA); the shadow acts on the GVMA ones (shadow-pt/inval.c). */
struct rvnest_inval {
    bool all_addr;                    /* rs1 = x0 */
    bool all_id;                      /* rs2 = x0 */
    uint64_t addr;                    /* VVMA: guest virtual; GVMA: guest physical (rs1 << 2) */
    uint64_t size;                    /* with !all_addr: bytes from addr the fence covers;
                                         0 is one address (an HFENCE instruction), more a
                                         range (an SBI NACL HFENCE entry) */
    uint64_t id;                      /* VVMA: ASID; GVMA: VMID */
    uint64_t vmid;                    /* VVMA: the VMID in L1's hgatp at the fence */
    bool remote;                      /* GVMA: an SBI remote fence (every hart's shadows);
                                         else a local one (this hart's only) */
};

enum rvnest_fill {
    SHADOW_FILLED,                    /* a new or wider leaf: retry the access */
    SHADOW_FAULT,                     /* L1's G-stage refuses it: L1 sees the fault */
    SHADOW_STALE,                     /* nothing to add: the fault stands */
    SHADOW_RETRY,                     /* no table page usable yet: resume L2, it faults again */
    SHADOW_EMULATED,                  /* L1's leaf maps a device page L0 performs for L1
                                         (res->pa): never mapped, L0 performs L2's access */
};

/* Makes s an empty shadow over the pool [base, base+size) (size a power of
 * two of at least the roots and one table page, base aligned to it),
 * zeroing the roots through hart; every later call reaches the outside
 * through ops (with ops_ctx). A shadow set up before is emptied (its
 * records freed). False after ops->fatal. */
bool rvnest_shadow_pt_setup(struct rvnest_shadow *s, const struct rvnest_shadow_ops *ops,
                            void *ops_ctx, unsigned hart, uint64_t base, uint64_t size);
/* Frees s's host records (not the pool). */
void rvnest_shadow_pt_free(struct rvnest_shadow *s);
/* The real hgatp that runs hart's L2 for L1's hgatp (finding or making its
 * context; *ctx its index, now in use by that hart). */
uint64_t rvnest_shadow_pt_hgatp(struct rvnest_shadow *s, unsigned hart, uint64_t l1_hgatp,
                                unsigned *ctx);
/* A hart's L2 no longer runs on context ctx (its exit, or a reset). */
void rvnest_shadow_pt_release(struct rvnest_shadow *s, unsigned ctx);
/* A guest page fault at gpa for access of the L2 hart runs on context
 * ctx. res gets L1's G-stage walk. */
enum rvnest_fill rvnest_shadow_pt_fill(struct rvnest_shadow *s, unsigned hart, unsigned ctx,
                                       uint64_t gpa, enum walk_access access,
                                       struct walk_result *res);
/* Before hart's L2 runs again on context ctx after L1 handled its guest
 * page fault at gpa for access: makes the leaf the retried access would
 * fill, if L1's G-stage now allows it without an A/D update. True when a
 * leaf was written. */
bool rvnest_shadow_pt_prefetch(struct rvnest_shadow *s, unsigned hart, unsigned ctx,
                               uint64_t gpa, enum walk_access access);
/* HFENCE.GVMA / HINVAL.GVMA of hart (its contexts), or an SBI remote
 * HFENCE.GVMA (every hart's: r->remote). */
void rvnest_shadow_pt_inval(struct rvnest_shadow *s, unsigned hart, const struct rvnest_inval *r);
/* Forget every shadow (reset, or the pool ran out). */
void rvnest_shadow_pt_drop_all(struct rvnest_shadow *s, unsigned hart);
/* The leaf a fill makes from L1's G-stage leaf (unit-tested rule). */
uint64_t rvnest_shadow_leaf(uint64_t pa, uint64_t l1_leaf, uint64_t l1_page_size);

#endif
