/* L1's hypervisor virtual-machine load/store and fence instructions (H
 * chapter, "Hypervisor Virtual-Machine Load and Store Instructions" and
 * "Hypervisor Memory-Management Fence Instructions"). L1 runs at V=1, where
 * each of them is a virtual-instruction exception (stval = the
 * instruction); L0 does what the hart does for L1 in HS natively.
 *
 * The reference is QEMU 10.2 (target/riscv/op_helper.c check_access_hlsv,
 * helper_hyp_*; cpu_helper.c riscv_cpu_tlb_fill, raise_mmu_exception,
 * riscv_cpu_do_interrupt). Where QEMU departs from the spec, L0 does as
 * QEMU, since L1 must see what it would see natively:
 * - HLV/HSV are performed when misaligned (no address-misaligned trap; a
 *   page-crossing access translates both pages, the second at its first
 *   byte, before touching memory).
 * - HLVX is a fetch through the MMU: its faults are instruction faults
 *   (access, page; a G-stage failure is an instruction *page* fault with
 *   htval set, as the access is made from V=0), its final PMP check wants X.
 * - For the VS-stage of an access made at V=0, PBMT and hardware A/D
 *   updates follow menvcfg only (henvcfg is consulted only at V=1).
 * - htinst: the pseudoinstruction 0x3000 for any G-stage fault on a VS PTE
 *   access; otherwise the instruction with rs1 replaced by the offset of
 *   the faulting address from rs1's value, masked with QEMU's size
 *   computation for HLV/HSV (2, 4, 16, 256 for B, H, W, D); 0 for HLVX.
 * - hstatus.GVA = 1 for every fault of the access (as the hart reports it).
 * Faults the firmware does not delegate (access faults, illegal
 * instructions) reach L1 natively through the firmware's redirect, with
 * what that leaves in htval/htinst/GVA (rvnest_deliver_l1_exception). */
#include "rvnest/engine.h"
#include "rvnest/decode.h"
#include "rvnest/csr.h"
#include "rvnest/walk.h"

enum hyp_kind { HYP_LOAD, HYP_LOADX, HYP_STORE, HYP_FENCE_VVMA, HYP_FENCE_GVMA };

struct hyp_insn {
    enum hyp_kind kind;
    unsigned width;               /* loads/stores: bytes */
    bool is_signed;
    bool inval;                   /* HINVAL rather than HFENCE */
    unsigned rd, rs1, rs2;
};

/* QEMU's insn32.decode: hlv_*, hlvx_*, hsv_*, hfence_*, hinval_*. */
static bool decode(uint32_t insn, struct hyp_insn *d)
{
    unsigned f3 = (insn >> 12) & 7, f7 = insn >> 25;
    d->rd = (insn >> 7) & 31;
    d->rs1 = (insn >> 15) & 31;
    d->rs2 = (insn >> 20) & 31;
    d->inval = false;
    if ((insn & 0x7f) != 0x73)
        return false;
    if (f3 == 0) {
        if (d->rd)
            return false;
        switch (f7) {
        case 0x13: d->inval = true; /* fall through */
        case 0x11: d->kind = HYP_FENCE_VVMA; return true;
        case 0x33: d->inval = true; /* fall through */
        case 0x31: d->kind = HYP_FENCE_GVMA; return true;
        default: return false;
        }
    }
    if (f3 != 4 || (f7 >> 3) != 6)
        return false;
    d->width = 1u << ((f7 >> 1) & 3);
    if (f7 & 1) {                 /* hsv.b/h/w/d */
        d->kind = HYP_STORE;
        return d->rd == 0;
    }
    switch (d->rs2) {
    case 0: d->kind = HYP_LOAD; d->is_signed = d->width < 8; return true;
    case 1: d->kind = HYP_LOAD; d->is_signed = false; return d->width < 8;
    case 3: d->kind = HYP_LOADX; d->is_signed = false; return d->width == 2 || d->width == 4;
    default: return false;
    }
}

static void illegal(struct rvnest_vcpu *vc, uint32_t insn)
{
    rvnest_deliver_l1_exception(vc, &(struct rvnest_l1_trap){ .cause = EXC_ILLEGAL_INST,
                                                              .tval = insn });
}

static void fault(struct rvnest_vcpu *vc, uint32_t insn,
                  enum walk_access acc, uint64_t taddr, const struct walk_result *res)
{
    struct rvnest_l1_trap t = {
        .cause = rvnest_walk_cause(res, acc, false), .tval = taddr, .gva = true,
    };
    if (res->status == WALK_GUEST_PAGE_FAULT)
        t.htval = res->htval;
    if (res->implicit)
        t.htinst = WALK_HTINST_PTE_READ;
    else if (acc != WALK_FETCH)
        t.htinst = rvnest_transformed_insn(insn, taddr, rvnest_l1_gpr, vc);
    rvnest_deliver_l1_exception(vc, &t);
}

static void load_store(struct rvnest_vcpu *vc, uint32_t insn, const struct hyp_insn *d)
{
    struct rvnest_hart *h = vc->hart;
    struct rvnest_vm *vm = vc->vm;
    const uint64_t *v = vc->vcsr.val;
    vc->stats.exits[EXIT_HYP_LOAD_STORE]++;
    if (rvnest_trap_priv(vc) == PRV_U && !(v[VCSR_HSTATUS] & HSTATUS_HU)) {
        illegal(vc, insn);
        return;
    }
    /* L1's sstatus is the real vsstatus; the guest's is L1's virtual one */
    uint64_t sstatus = hart_csr(h, CSR_VSSTATUS), vsstatus = v[VCSR_VSSTATUS];
    unsigned mode = (v[VCSR_HSTATUS] & HSTATUS_SPVP) ? PRV_S : PRV_U;
    enum walk_access acc = d->kind == HYP_STORE ? WALK_STORE
                         : d->kind == HYP_LOADX ? WALK_FETCH : WALK_LOAD;
    bool adue = rvnest_l1_hw_adue(vc), pbmte = (vc->vcsr.menvcfg & ENVCFG_PBMTE) != 0;
    struct walk_req r = {
        .access = acc, .priv = mode, .two_stage = true,
        .sum = acc != WALK_FETCH && mode == PRV_S && (vsstatus & MSTATUS_SUM),
        .vs = { .atp = v[VCSR_VSATP], .adue = adue, .pbmte = pbmte,
                .mxr = ((sstatus | vsstatus) & MSTATUS_MXR) != 0, .svnapot = vm->isa.svnapot },
        .g = { .atp = v[VCSR_HGATP], .adue = adue, .pbmte = pbmte,
               .mxr = (sstatus & MSTATUS_MXR) != 0, .svnapot = vm->isa.svnapot },
    };
    /* up to two pages: [va, va+n[0]) and [page 2, +n[1]) */
    uint64_t va[2], pa[2];
    unsigned n[2], pages;
    va[0] = hart_gpr(h, d->rs1);
    uint64_t last = va[0] + d->width - 1;
    pages = ((va[0] ^ last) & ~0xfffull) ? 2 : 1;
    va[1] = last & ~0xfffull;
    n[0] = pages == 2 ? (unsigned)(va[1] - va[0]) : d->width;
    n[1] = d->width - n[0];
    struct walk_result res;
    for (unsigned i = 0; i < pages; i++) {
        r.va = va[i];
        rvnest_walk(&rvnest_l1_walk_mem, vc, &r, &res);
        enum l1_access la = acc == WALK_STORE ? L1_ACC_WRITE
                          : acc == WALK_FETCH ? L1_ACC_FETCH : L1_ACC_READ;
        /* the PMP check of the translation (QEMU: in the TLB fill); L0's
         * holes are memory-less for L1, a bus error at the access below */
        if (res.status == WALK_OK && !rvnest_l1_may_access(vc, res.pa, n[i], la) &&
            !l1_range_unmapped(vm, res.pa, n[i]))
            res.status = WALK_ACCESS_FAULT;
        if (res.status != WALK_OK) {
            fault(vc, insn, acc, va[i], &res);
            return;
        }
        pa[i] = res.pa;
    }
    /* the PLIC (the pages L0 performs for L1 and the rest): the access
     * reaches the device as natively, in the 4-byte pieces it accepts
     * (nested/plic.c), as L2's own would (nested/l2_device.c) */
    if (pages == 1 && vm->plic_size && pa[0] - vm->plic_base < vm->plic_size) {
        struct insn_mem m = { .store = d->kind == HYP_STORE, .width = d->width,
                              .is_signed = d->is_signed, .len = 4,
                              .reg = d->kind == HYP_STORE ? d->rs2 : d->rd };
        unsigned off;
        if (rvnest_plic_access(vc, pa[0], &m, &off)) {
            res = (struct walk_result){ .status = WALK_ACCESS_FAULT };
            fault(vc, insn, acc, va[0] + off, &res);
            return;
        }
        rvnest_resume_l1_after(vc, 4);
        return;
    }
    /* the access itself; a bus error is an access fault at that page */
    uint8_t buf[8] = { 0 };
    uint64_t val = 0;
    if (d->kind == HYP_STORE) {
        val = hart_gpr(h, d->rs2);
        for (unsigned i = 0; i < d->width; i++)
            buf[i] = (uint8_t)(val >> (8 * i));
    }
    for (unsigned i = 0, off = 0; i < pages; off += n[i], i++) {
        bool ok = !l1_range_unmapped(vm, pa[i], n[i]) &&
                  (d->kind == HYP_STORE ? h->ops->write_phys(h, pa[i], buf + off, n[i])
                                        : h->ops->read_phys(h, pa[i], buf + off, n[i]));
        if (!ok) {
            res = (struct walk_result){ .status = WALK_ACCESS_FAULT };
            fault(vc, insn, acc, va[i], &res);
            return;
        }
    }
    if (d->kind != HYP_STORE) {
        for (unsigned i = 0; i < d->width; i++)
            val |= (uint64_t)buf[i] << (8 * i);
        if (d->is_signed) {
            unsigned sh = 64 - 8 * d->width;
            val = (uint64_t)((int64_t)(val << sh) >> sh);
        }
        hart_set_gpr(h, d->rd, val);
    }
    rvnest_resume_l1_after(vc, 4);
}

/* QEMU helper_hyp_gvma_tlb_flush / helper_hyp_tlb_flush from V=0: GVMA in
 * S-mode with mstatus.TVM is illegal, and both are illegal in U-mode
 * (hstatus.HU does not cover them). */
static void fence(struct rvnest_vcpu *vc, uint32_t insn, const struct hyp_insn *d)
{
    struct rvnest_hart *h = vc->hart;
    struct rvnest_vm *vm = vc->vm;
    vc->stats.exits[EXIT_HFENCE]++;
    unsigned priv = rvnest_trap_priv(vc);
    if ((d->inval && !vm->isa.svinval) ||
        (d->kind == HYP_FENCE_GVMA && priv == PRV_S && (hart_csr(h, CSR_MSTATUS) & MSTATUS_TVM)) ||
        priv != PRV_S) {
        illegal(vc, insn);
        return;
    }
    struct rvnest_inval r = {
        .all_addr = d->rs1 == 0, .all_id = d->rs2 == 0,
        .addr = hart_gpr(h, d->rs1), .id = hart_gpr(h, d->rs2),
    };
    if (d->kind == HYP_FENCE_GVMA) {
        r.addr <<= 2;                 /* rs1 holds the guest-physical address >> 2 */
        rvnest_shadow_invalidate_gvma(vc, &r);
    } else {
        r.vmid = (vc->vcsr.val[VCSR_HGATP] & HGATP_VMID_MASK) >> HGATP_VMID_SHIFT;
        rvnest_shadow_invalidate_vvma(vc, &r);
    }
    rvnest_resume_l1_after(vc, 4);
}

bool rvnest_hyp_insn(struct rvnest_vcpu *vc, uint32_t insn)
{
    struct hyp_insn d;
    if (!decode(insn, &d))
        return false;
    if (d.kind == HYP_FENCE_VVMA || d.kind == HYP_FENCE_GVMA)
        fence(vc, insn, &d);
    else
        load_store(vc, insn, &d);
    return true;
}
