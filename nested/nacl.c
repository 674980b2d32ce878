/* SBI nested acceleration, the shared memory side (include/rvnest/nacl.h;
 * the calls are nested/sbi_nacl.c).
 *
 * The CSR space: L0 keeps it current ("The SBI implementation MUST update
 * the CSR space whenever the state of any RISC-V H-extension CSR
 * changes"): at SET_SHMEM, after every trapped CSR write of L1's, at every
 * trap into L1's HS (which writes hstatus, htval, htinst, and at an L2
 * exit the VS registers L2 ran with), after the timers of a world switch,
 * and after a sync. Linux reads H CSRs only from the page once NACL is
 * there (ncsr_read). L0 writes a word only when the value differs from
 * what it last wrote there, or when L1 wrote it through a sync. Values
 * that change with time alone (hip's VSTIP of the Sstc VS timer) are
 * current as of the last of those events.
 *
 * The dirty bitmap: a sync writes each dirty CSR as a csrw would (the same
 * WARL rules, nested/vcsr.c), in the order of sync_order below (a CSR
 * after those its value depends on: SBI spec "Feature: Synchronize CSR"),
 * clears its bit and writes the result back.
 *
 * Every value comes from L1's memory, read once: the bitmap in one read,
 * each dirty word once, each HFENCE entry once, the SRET context once. */
#include <string.h>
#include "rvnest/engine.h"
#include "rvnest/csr.h"
#include "rvnest/sbi.h"

static uint64_t le64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

static void put_le64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++, v >>= 8)
        p[i] = (uint8_t)v;
}

static bool shm_read(struct rvnest_vcpu *vc, uint64_t off, void *buf, size_t len)
{
    return vc->hart->ops->read_phys(vc->hart, vc->nacl.shmem + off, buf, len);
}

static bool shm_write(struct rvnest_vcpu *vc, uint64_t off, const void *buf, size_t len)
{
    return vc->hart->ops->write_phys(vc->hart, vc->nacl.shmem + off, buf, len);
}

static bool shm_read64(struct rvnest_vcpu *vc, uint64_t off, uint64_t *v)
{
    uint8_t b[8];
    if (!shm_read(vc, off, b, 8))
        return false;
    *v = le64(b);
    return true;
}

static void shm_write64(struct rvnest_vcpu *vc, uint64_t off, uint64_t v)
{
    uint8_t b[8];
    put_le64(b, v);
    shm_write(vc, off, b, 8);
}

bool rvnest_nacl_feature(const struct rvnest_vcpu *vc, enum rvnest_nacl_feature f)
{
    return !vc->vm->opt.nacl_off && !((vc->vm->opt.nacl_features_off >> f) & 1);
}

void rvnest_nacl_reset(struct rvnest_vcpu *vc)
{
    vc->nacl.shmem = NACL_NO_SHMEM;
    vc->nacl.shown_valid = 0;
}

/* The order of a full sync: hvip before hip and vsip, hideleg and hie
 * before vsie and vsip, henvcfg (STCE) and htimedelta before vstimecmp. */
static const enum vcsr_index sync_order[] = {
    VCSR_HSTATUS, VCSR_HEDELEG, VCSR_HIDELEG, VCSR_HENVCFG,
    VCSR_HSTATEEN0, VCSR_HSTATEEN1, VCSR_HSTATEEN2, VCSR_HSTATEEN3,
    VCSR_HCOUNTEREN, VCSR_HTIMEDELTA, VCSR_HGEIE, VCSR_HVIP, VCSR_HIP, VCSR_HIE,
    VCSR_HTVAL, VCSR_HTINST, VCSR_HGATP, VCSR_HGEIP,
    VCSR_VSSTATUS, VCSR_VSIE, VCSR_VSIP, VCSR_VSTVEC, VCSR_VSSCRATCH, VCSR_VSEPC,
    VCSR_VSCAUSE, VCSR_VSTVAL, VCSR_VSATP, VCSR_VSTIMECMP,
};
_Static_assert(sizeof(sync_order) / sizeof(sync_order[0]) == VCSR__COUNT, "every CSR once");

/* Write the CSR space's words whose CSR L1's HS has (on this model, as the
 * firmware's mstateen lets it) and whose value changed since L0 last wrote
 * them, or that force (bit i: VCSR index i) names. A word whose dirty bit
 * is set holds a write of L1's still to be synced: it stays as L1 wrote
 * it (L0 writes it once the sync has made it L1's state). */
static void show(struct rvnest_vcpu *vc, uint32_t force)
{
    struct rvnest_nacl *n = &vc->nacl;
    uint64_t val[VCSR__COUNT];
    uint32_t todo = 0;
    rvnest_vcsr_views(&vc->vcsr, vc->hart, n->present, val);
    for (unsigned i = 0; i < VCSR__COUNT; i++) {
        if (!((n->present >> i) & 1))
            continue;
        bool known = (n->shown_valid >> i) & 1;
        if (!known || n->shown[i] != val[i] || ((force >> i) & 1))
            todo |= 1u << i;
    }
    if (!todo)
        return;
    uint8_t bitmap[128];
    if (!shm_read(vc, NACL_DBITMAP_OFF, bitmap, sizeof(bitmap)))
        return;
    for (unsigned i = 0; i < VCSR__COUNT; i++) {
        if (!((todo >> i) & 1))
            continue;
        unsigned idx = NACL_CSR_INDEX(rvnest_vcsr_number((enum vcsr_index)i));
        if ((bitmap[idx >> 3] >> (idx & 7)) & 1) {
            n->shown_valid &= ~(1u << i);
            continue;
        }
        shm_write64(vc, NACL_CSR_OFF + 8ull * idx, val[i]);
        n->shown[i] = val[i];
        n->shown_valid |= 1u << i;
        vc->stats.nacl[NACL_EV_CSR_WORDS]++;
    }
}

void rvnest_nacl_show(struct rvnest_vcpu *vc)
{
    if (vc->nacl.shmem != NACL_NO_SHMEM)
        show(vc, 0);
}

/* Whether [pa, pa + NACL_SHMEM_SIZE) may be the shared memory: L1's own
 * RAM, which L1 may read and write itself (never L0 memory, the PLIC
 * pages L0 performs, RAM above L1's, firmware memory PMP keeps from S). */
static bool shmem_ok(struct rvnest_vcpu *vc, uint64_t pa)
{
    return rvnest_l1_is_ram(vc, pa, NACL_SHMEM_SIZE) &&
           rvnest_l1_may_access(vc, pa, NACL_SHMEM_SIZE, L1_ACC_READ) &&
           rvnest_l1_may_access(vc, pa, NACL_SHMEM_SIZE, L1_ACC_WRITE);
}

/* SBI spec "Function: Set nested acceleration shared memory (FID #1)". On
 * RV64 the address is lo, and hi must be 0 (a physical address above 2^64
 * does not exist). */
long rvnest_nacl_set_shmem(struct rvnest_vcpu *vc, uint64_t lo, uint64_t hi, uint64_t flags)
{
    if (flags)
        return SBI_ERR_INVALID_PARAM;
    if (lo == ~0ull && hi == ~0ull) {
        rvnest_nacl_reset(vc);
        vc->stats.nacl[NACL_EV_SET_SHMEM]++;
        return SBI_SUCCESS;
    }
    if (lo & 0xfff)
        return SBI_ERR_INVALID_PARAM;
    if (hi || !shmem_ok(vc, lo))
        return SBI_ERR_INVALID_ADDRESS;
    vc->nacl.shmem = lo;
    vc->nacl.shown_valid = 0;
    /* Which CSRs L1's HS has on this model (the firmware's mstateen set at
     * its boot): probed once here, not at every refresh of the page. */
    vc->nacl.present = 0;
    for (unsigned i = 0; i < VCSR__COUNT; i++) {
        uint64_t unused;
        if (rvnest_vcsr_read(&vc->vcsr, vc->hart, rvnest_vcsr_number((enum vcsr_index)i), &unused) == VCSR_OK)
            vc->nacl.present |= 1u << i;
    }
    show(vc, 0);
    vc->stats.nacl[NACL_EV_SET_SHMEM]++;
    return SBI_SUCCESS;
}

/* Sync the dirty words of the CSRs in want (bit i: VCSR index i), in
 * sync_order; returns the ones written. */
static uint32_t sync_csrs(struct rvnest_vcpu *vc, uint32_t want)
{
    struct rvnest_hart *h = vc->hart;
    uint8_t bitmap[128], cleared[128] = { 0 };
    if (!shm_read(vc, NACL_DBITMAP_OFF, bitmap, sizeof(bitmap)))
        return 0;
    uint32_t synced = 0;
    bool traps = false;
    for (unsigned k = 0; k < VCSR__COUNT; k++) {
        enum vcsr_index i = sync_order[k];
        if (!((want >> i) & 1))
            continue;
        unsigned csr = rvnest_vcsr_number(i), idx = NACL_CSR_INDEX(csr);
        if (!((bitmap[idx >> 3] >> (idx & 7)) & 1))
            continue;
        uint64_t val;
        if (!((vc->nacl.present >> i) & 1))
            continue;                 /* not L1's on this model: not implemented */
        if (!shm_read64(vc, NACL_CSR_OFF + 8ull * idx, &val))
            continue;
        /* as csrw would write it; a read-only one (hgeip) keeps its value */
        (void)rvnest_vcsr_rmw(&vc->vcsr, h, csr, val, ~0ull, NULL);
        if (i == VCSR_HSTATUS || i == VCSR_HTVAL || i == VCSR_HTINST)
            traps = true;
        cleared[idx >> 3] |= (uint8_t)(1u << (idx & 7));
        synced |= 1u << i;
        vc->stats.nacl[NACL_EV_CSRS_SYNCED]++;
    }
    /* clear the bits synced, byte by byte, leaving the others as read */
    for (unsigned b = 0; b < sizeof(bitmap); b++) {
        if (cleared[b]) {
            uint8_t v = bitmap[b] & (uint8_t)~cleared[b];
            shm_write(vc, NACL_DBITMAP_OFF + b, &v, 1);
        }
    }
    if (traps)
        rvnest_sync_l1_traps(vc);
    return synced;
}

/* SBI spec "Function: Synchronize shared memory CSRs (FID #2)": csr_num
 * all ones, or one H-extension CSR number ((csr_num & 0x300) == 0x200,
 * below 0x1000) that L1's HS has on this model. */
long rvnest_nacl_sync_csr(struct rvnest_vcpu *vc, uint64_t csr_num)
{
    uint32_t want = (1u << VCSR__COUNT) - 1;
    if (csr_num != ~0ull) {
        int i = -1;
        uint64_t unused;
        if ((csr_num & 0x300) == 0x200 && csr_num < 0x1000)
            i = rvnest_vcsr_index((unsigned)csr_num);
        if (i < 0 || rvnest_vcsr_read(&vc->vcsr, vc->hart, (unsigned)csr_num, &unused) != VCSR_OK)
            return SBI_ERR_INVALID_PARAM;
        want = 1u << i;
    }
    if (vc->nacl.shmem == NACL_NO_SHMEM)
        return SBI_ERR_NO_SHMEM;
    show(vc, sync_csrs(vc, want));
    return SBI_SUCCESS;
}

/* One HFENCE entry, as a local HFENCE of L1's on this hart (SBI spec
 * "Feature: Synchronize HFENCE", table "Nested HFENCE entry types"). An
 * entry with a reserved type, reserved bits set, or an order whose page
 * size is not below 2^64 is ignored: the spec gives it no meaning. A range
 * whose size overflows covers everything from its start. */
static void hfence_entry(struct rvnest_vcpu *vc, uint64_t cfg, uint64_t pnum, uint64_t count)
{
    unsigned type = (unsigned)((cfg >> NACL_HFENCE_TYPE_SHIFT) & NACL_HFENCE_TYPE_MASK);
    unsigned order = (unsigned)((cfg >> NACL_HFENCE_ORDER_SHIFT) & NACL_HFENCE_ORDER_MASK) +
                     NACL_HFENCE_ORDER_BASE;
    uint64_t vmid = (cfg >> NACL_HFENCE_VMID_SHIFT) & NACL_HFENCE_VMID_MASK;
    uint64_t asid = cfg & NACL_HFENCE_ASID_MASK;
    vc->stats.nacl[NACL_EV_HFENCE_ENTRIES]++;
    bool ranged = type == NACL_HFENCE_GVMA || type == NACL_HFENCE_GVMA_VMID ||
                  type == NACL_HFENCE_VVMA || type == NACL_HFENCE_VVMA_ASID;
    if (type > NACL_HFENCE_VVMA_ASID_ALL || (cfg & NACL_HFENCE_RESERVED) || (ranged && order >= 64)) {
        vc->stats.nacl[NACL_EV_HFENCE_IGNORED]++;
        return;
    }
    struct rvnest_inval r = { 0 };
    if (ranged) {
        if (!count)
            return;
        if (order && (pnum >> (64 - order))) {
            vc->stats.nacl[NACL_EV_HFENCE_IGNORED]++;
            return;                   /* the start is not an address */
        }
        r.addr = pnum << order;
        r.size = count > (~0ull >> order) ? 0 - r.addr : count << order;
        if (!r.size)
            r.all_addr = true;        /* from 0 over all 2^64 bytes */
    } else {
        r.all_addr = true;
    }
    switch (type) {
    case NACL_HFENCE_GVMA:
    case NACL_HFENCE_GVMA_ALL:
        r.all_id = true;
        rvnest_shadow_invalidate_gvma(vc, &r);
        break;
    case NACL_HFENCE_GVMA_VMID:
    case NACL_HFENCE_GVMA_VMID_ALL:
        r.id = vmid;
        rvnest_shadow_invalidate_gvma(vc, &r);
        break;
    case NACL_HFENCE_VVMA:
    case NACL_HFENCE_VVMA_ALL:
        r.all_id = true;
        r.vmid = vmid;
        rvnest_shadow_invalidate_vvma(vc, &r);
        break;
    default:                          /* VVMA_ASID, VVMA_ASID_ALL */
        r.id = asid;
        r.vmid = vmid;
        rvnest_shadow_invalidate_vvma(vc, &r);
        break;
    }
}

static void sync_hfences(struct rvnest_vcpu *vc, unsigned first, unsigned last)
{
    uint8_t e[NACL_HFENCE_ENTRIES][32];
    size_t len = (size_t)(last - first + 1) * 32;
    if (!shm_read(vc, NACL_HFENCE_OFF + 32ull * first, e, len))
        return;
    for (unsigned i = 0; i <= last - first; i++) {
        uint64_t cfg = le64(e[i]);
        if (!(cfg & NACL_HFENCE_PEND))
            continue;
        hfence_entry(vc, cfg, le64(e[i] + 8), le64(e[i] + 24));
        shm_write64(vc, NACL_HFENCE_OFF + 32ull * (first + i), cfg & ~NACL_HFENCE_PEND);
    }
}

/* SBI spec "Function: Synchronize shared memory HFENCEs (FID #3)". */
long rvnest_nacl_sync_hfence(struct rvnest_vcpu *vc, uint64_t entry)
{
    if (entry != ~0ull && entry >= NACL_HFENCE_ENTRIES)
        return SBI_ERR_INVALID_PARAM;
    if (vc->nacl.shmem == NACL_NO_SHMEM)
        return SBI_ERR_NO_SHMEM;
    if (entry == ~0ull)
        sync_hfences(vc, 0, NACL_HFENCE_ENTRIES - 1);
    else
        sync_hfences(vc, (unsigned)entry, (unsigned)entry);
    return SBI_SUCCESS;
}

/* SBI spec "Feature: Autoswap CSR": with Autoswap_Flags.HSTATUS set, L1's
 * hstatus and the word beside the flags change places, the value from the
 * page written as a csrw of hstatus would write it. */
static void autoswap(struct rvnest_vcpu *vc)
{
    uint64_t flags, val;
    if (!rvnest_nacl_feature(vc, RVNEST_NACL_FEAT_AUTOSWAP_CSR) ||
        !shm_read64(vc, NACL_AUTOSWAP_OFF, &flags) || !(flags & NACL_AUTOSWAP_FLAG_HSTATUS) ||
        !shm_read64(vc, NACL_AUTOSWAP_OFF + 8, &val))
        return;
    uint64_t old = vc->vcsr.val[VCSR_HSTATUS];
    (void)rvnest_vcsr_rmw(&vc->vcsr, vc->hart, CSR_HSTATUS, val, ~0ull, NULL);
    shm_write64(vc, NACL_AUTOSWAP_OFF + 8, old);
    vc->stats.nacl[NACL_EV_AUTOSWAPS]++;
}

/* SBI spec "Feature: Synchronize SRET (ID #2)", up to the SRET itself:
 * CSRs and HFENCEs synced (each when its feature is offered), hstatus
 * swapped (autoswap), x1-x31 from the SRET context. The synced words are
 * written back as SYNC_CSR writes them (step 5 of a sync), after the swap:
 * the page then shows the state the SRET runs with, and L0's record of
 * what it shows (shown[]) is that value, not the one before L1's write. */
long rvnest_nacl_sret_prepare(struct rvnest_vcpu *vc)
{
    if (vc->nacl.shmem == NACL_NO_SHMEM)
        return SBI_ERR_NO_SHMEM;
    uint8_t x[32][8];
    if (!shm_read(vc, NACL_SRET_OFF, x, sizeof(x)))
        return SBI_ERR_FAILED;
    uint32_t synced = 0;
    if (rvnest_nacl_feature(vc, RVNEST_NACL_FEAT_SYNC_CSR))
        synced = sync_csrs(vc, (1u << VCSR__COUNT) - 1);
    if (rvnest_nacl_feature(vc, RVNEST_NACL_FEAT_SYNC_HFENCE))
        sync_hfences(vc, 0, NACL_HFENCE_ENTRIES - 1);
    autoswap(vc);
    show(vc, synced);
    rvnest_sync_l1_traps(vc);
    for (unsigned i = 1; i < 32; i++)
        hart_set_gpr(vc->hart, i, le64(x[i]));
    return SBI_SUCCESS;
}

/* A trap into L1's HS: natively it writes hstatus (SPV, SPVP, GVA), htval
 * and htinst, and from L2 the VS registers hold what L2 left. from_l2: L1's
 * virtualization went from ON to OFF, when autoswap swaps hstatus back. */
void rvnest_nacl_l1_trap(struct rvnest_vcpu *vc, bool from_l2)
{
    if (vc->nacl.shmem == NACL_NO_SHMEM)
        return;
    if (from_l2)
        autoswap(vc);
    show(vc, 0);
}
