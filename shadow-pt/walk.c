/* Page-table walker (include/rvnest/walk.h). Follows QEMU 10.2's
 * get_physical_address and riscv_cpu_tlb_fill (target/riscv/cpu_helper.c)
 * step by step, since what L1 sees natively is what QEMU does; the order
 * of the checks below is QEMU's. */
#include <stddef.h>
#include "rvnest/walk.h"
#include "rvnest/csr.h"

#define PTE_PBMT (3ull << 61)
#define PTE_N (1ull << 63)
#define PTE_ATTR (PTE_N | PTE_PBMT)
#define PTE_RESERVED 0x1fc0000000000000ull   /* bits 60:54 (no Svrsw60t59b) */
#define PTE_PPN_FIELD 0x003ffffffffffc00ull  /* bits 53:10 */

/* QEMU's TRANSLATE_* results. */
enum tr { TR_OK, TR_FAIL, TR_PMP, TR_G_FAIL };

struct leaf {
    uint64_t pa;
    unsigned prot;
    uint64_t size;                          /* 0: no translation (Bare) */
    uint64_t pte;                           /* the leaf PTE (after an A/D update) */
};

/* One stage. first: a first stage (satp/vsatp), else a G-stage (x4 root,
 * GPA width check). g: for a first stage of a two-stage walk, the G-stage
 * every PTE address goes through (set *fault_gpa on its failure). */
static enum tr translate(const struct walk_mem_ops *mem, void *ctx, const struct walk_stage *st,
                         bool first, const struct walk_stage *g, uint64_t addr,
                         enum walk_access access, unsigned mode, bool sum, bool no_ad_write,
                         struct leaf *out, uint64_t *fault_gpa)
{
    unsigned levels;
    switch ((unsigned)(st->atp >> ATP_MODE_SHIFT)) {
    case ATP_MODE_BARE:
        out->pa = addr;
        out->prot = PTE_R | PTE_W | PTE_X;
        out->size = 0;
        out->pte = 0;
        return TR_OK;
    case ATP_MODE_SV39: levels = 3; break;
    case ATP_MODE_SV48: levels = 4; break;
    case ATP_MODE_SV57: levels = 5; break;
    default: return TR_FAIL;                /* WARL: never stored */
    }
    const unsigned widened = first ? 0 : 2;
    const unsigned va_bits = 12 + levels * 9 + widened;
    if (first) {
        /* bits 63:va_bits-1 all equal */
        uint64_t mask = (1ull << (64 - (va_bits - 1))) - 1;
        uint64_t msbs = (addr >> (va_bits - 1)) & mask;
        if (msbs != 0 && msbs != mask)
            return TR_FAIL;
    } else if (addr >> va_bits) {
        return TR_FAIL;                     /* GPA wider than the mode */
    }

    uint64_t base = (st->atp & ATP_PPN_MASK) << 12, pte = 0, pte_addr = 0, ppn = 0;
    unsigned ptshift = (levels - 1) * 9, i;
    for (i = 0; i < levels; i++, ptshift -= 9) {
        unsigned bits = 9 + (i == 0 ? widened : 0);
        uint64_t idx = (addr >> (12 + ptshift)) & ((1ull << bits) - 1);
        if (g) {
            /* The table page through the G-stage: an implicit read, a
             * user access (QEMU translates the table base with MMUIdx_U). */
            struct leaf gl;
            uint64_t unused;
            if (translate(mem, ctx, g, false, NULL, base, WALK_LOAD, PRV_U, false, no_ad_write,
                          &gl, &unused) != TR_OK) {
                *fault_gpa = base + idx * 8;
                return TR_G_FAIL;
            }
            pte_addr = gl.pa + idx * 8;
        } else {
            pte_addr = base + idx * 8;
        }
        switch (mem->read_pte(ctx, pte_addr, &pte)) {
        case WALK_MEM_OK: break;
        case WALK_MEM_PMP: return TR_PMP;
        default: return TR_FAIL;
        }
        if (pte & PTE_RESERVED)
            return TR_FAIL;
        if (!st->pbmte && (pte & PTE_PBMT))
            return TR_FAIL;
        if (!st->svnapot && (pte & PTE_N))
            return TR_FAIL;
        ppn = (pte & PTE_PPN_FIELD) >> PTE_PPN_SHIFT;
        if (!(pte & PTE_V))
            return TR_FAIL;
        if (pte & (PTE_R | PTE_W | PTE_X))
            goto leaf;
        if (pte & (PTE_D | PTE_A | PTE_U | PTE_ATTR))
            return TR_FAIL;                 /* reserved in a non-leaf PTE */
        base = ppn << 12;
    }
    return TR_FAIL;                         /* no leaf at any level */

leaf:
    if (ppn & ((1ull << ptshift) - 1))
        return TR_FAIL;                     /* misaligned superpage */
    if (!st->pbmte && (pte & PTE_PBMT))
        return TR_FAIL;
    uint64_t rwx = pte & (PTE_R | PTE_W | PTE_X);
    if (rwx == (PTE_W | PTE_X) || rwx == PTE_W)
        return TR_FAIL;                     /* reserved encodings */
    unsigned prot = (unsigned)(rwx & (PTE_R | PTE_W));
    if (rwx & PTE_X)
        prot |= PTE_X | (st->mxr ? PTE_R : 0);
    if (pte & PTE_U) {
        if (mode != PRV_U) {
            if (!sum)
                return TR_FAIL;
            prot &= PTE_R | PTE_W;          /* SUM never allows execute */
        }
    } else if (mode != PRV_S) {
        return TR_FAIL;
    }
    static const unsigned need[] = { [WALK_LOAD] = PTE_R, [WALK_STORE] = PTE_W, [WALK_FETCH] = PTE_X };
    if (!(prot & need[access]))
        return TR_FAIL;

    uint64_t updated = pte;
    if (st->adue)
        updated |= PTE_A | (access == WALK_STORE ? PTE_D : 0);
    else if (!(pte & PTE_A) || (access == WALK_STORE && !(pte & PTE_D)))
        return TR_FAIL;                     /* Svade */
    if (updated != pte && !no_ad_write) {
        switch (mem->write_pte(ctx, pte_addr, updated)) {
        case WALK_MEM_OK: break;
        case WALK_MEM_PMP: return TR_PMP;
        default: return TR_FAIL;            /* QEMU: PTE not in RAM */
        }
        pte = updated;
    }

    uint64_t vpn = addr >> 12, napot_mask = 0;
    out->size = 1ull << (12 + ptshift);
    if (st->svnapot && (pte & PTE_N)) {
        /* only 64 KiB NAPOT leaves at the last level (ppn[3:0] = 1000) */
        if (!ppn || i != levels - 1 || __builtin_ctzll(ppn) + 1 != 4)
            return TR_FAIL;
        napot_mask = 0xf;
        out->size = 1ull << 16;
    }
    out->pa = (((ppn & ~napot_mask) | (vpn & napot_mask) | (vpn & ((1ull << ptshift) - 1))) << 12) |
              (addr & 0xfff);
    /* QEMU removes write from a clean page so that the first write walks
     * again and sets D. */
    if (access != WALK_STORE && !(pte & PTE_D))
        prot &= ~(unsigned)PTE_W;
    out->prot = prot;
    out->pte = pte;
    return TR_OK;
}

static uint64_t min_size(uint64_t a, uint64_t b)
{
    return !a ? b : !b ? a : a < b ? a : b;
}

void rvnest_walk(const struct walk_mem_ops *mem, void *ctx, const struct walk_req *req,
                 struct walk_result *res)
{
    struct leaf l1, l2;
    uint64_t fault_gpa = 0;
    *res = (struct walk_result){ .status = WALK_OK };
    enum tr r = translate(mem, ctx, &req->vs, true, req->two_stage ? &req->g : NULL, req->va,
                          req->access, req->priv, req->sum, req->no_ad_write,
                          &l1, &fault_gpa);
    switch (r) {
    case TR_OK: break;
    case TR_PMP: res->status = WALK_ACCESS_FAULT; return;
    case TR_G_FAIL:
        res->status = WALK_GUEST_PAGE_FAULT;
        res->htval = fault_gpa >> 2;
        res->implicit = true;
        return;
    default: res->status = WALK_PAGE_FAULT; return;
    }
    if (!req->two_stage) {
        res->pa = l1.pa;
        res->prot = l1.prot;
        res->page_size = l1.size;
        return;
    }
    res->gpa = l1.pa;
    r = translate(mem, ctx, &req->g, false, NULL, l1.pa, req->access, PRV_U, false,
                  req->no_ad_write, &l2, &fault_gpa);
    if (r == TR_PMP) {
        res->status = WALK_ACCESS_FAULT;    /* QEMU leaves htval 0 */
        return;
    }
    if (r != TR_OK) {
        res->status = WALK_GUEST_PAGE_FAULT;
        res->htval = (l1.pa | (req->va & 0xfff)) >> 2;
        return;
    }
    res->pa = l2.pa;
    res->prot = l1.prot & l2.prot;
    res->page_size = min_size(l1.size, l2.size);
}

void rvnest_walk_gstage(const struct walk_mem_ops *mem, void *ctx, const struct walk_stage *g,
                        uint64_t gpa, enum walk_access access, bool no_ad_write,
                        struct walk_result *res)
{
    struct leaf l;
    uint64_t unused;
    *res = (struct walk_result){ .status = WALK_OK, .gpa = gpa };
    enum tr r = translate(mem, ctx, g, false, NULL, gpa, access, PRV_U, false, no_ad_write, &l,
                          &unused);
    if (r == TR_OK) {
        res->pa = l.pa;
        res->prot = l.prot;
        res->page_size = l.size;
        res->leaf_pte = l.pte;
    } else if (r == TR_PMP) {
        res->status = WALK_ACCESS_FAULT;
    } else {
        res->status = WALK_GUEST_PAGE_FAULT;
        res->htval = gpa >> 2;
    }
}

uint64_t rvnest_walk_cause(const struct walk_result *res, enum walk_access access, bool virt)
{
    static const uint64_t page[] = { EXC_LOAD_PAGE_FAULT, EXC_STORE_PAGE_FAULT, EXC_INST_PAGE_FAULT };
    static const uint64_t acc[] = { EXC_LOAD_ACCESS, EXC_STORE_ACCESS, EXC_INST_ACCESS };
    static const uint64_t guest[] = { EXC_LOAD_GUEST_PAGE_FAULT, EXC_STORE_GUEST_PAGE_FAULT,
                                      EXC_INST_GUEST_PAGE_FAULT };
    switch (res->status) {
    case WALK_ACCESS_FAULT: return acc[access];
    case WALK_GUEST_PAGE_FAULT:
        return access == WALK_FETCH && !virt ? EXC_INST_PAGE_FAULT : guest[access];
    default: return page[access];
    }
}
