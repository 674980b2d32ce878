/* Traps into real HS while L2 runs (H chapter, "Trap Entry"; ARCHITECTURE.md
 * section 8). Real hedeleg and hideleg are L1's own (nested/world.c), so
 * whatever the hart delegates goes straight to L2, and whatever reaches
 * real HS is, by construction, either L0's business (a shadow miss, an
 * interrupt of L1's that does not preempt L2) or a trap L1 takes natively,
 * with the registers the hart has just written: scause, sepc, stval, htval,
 * htinst, hstatus.SPVP/GVA are the native values, since the hart that
 * computed them is the one L1 would run on. */
#include "rvnest/engine.h"
#include "rvnest/csr.h"

static void resume_l2(struct rvnest_vcpu *vc, uint64_t pc, unsigned priv)
{
    rvnest_resume(vc, pc, priv | PRIV_V);
}

/* An exception that, natively, the firmware redirects straight into L2's
 * VS handler (OpenSBI sbi_trap_redirect with the cause in hedeleg): the
 * hart's VS trap entry on L2's live registers. */
static void deliver_to_l2(struct rvnest_vcpu *vc, uint64_t cause, uint64_t tval, uint64_t epc,
                          unsigned priv)
{
    struct rvnest_hart *h = vc->hart;
    hart_set_csr(h, CSR_VSSTATUS, rvnest_sstatus_trap(hart_csr(h, CSR_VSSTATUS), priv));
    hart_set_csr(h, CSR_VSEPC, epc);
    hart_set_csr(h, CSR_VSCAUSE, cause);
    hart_set_csr(h, CSR_VSTVAL, tval);
    resume_l2(vc, hart_csr(h, CSR_VSTVEC) & ~3ull, PRV_S);
}

/* An exception the hart raises for L2 itself: to L2 when L1 delegates it,
 * else to L1 as the hart writes it. */
void rvnest_l2_hart_exception(struct rvnest_vcpu *vc, const struct rvnest_l1_trap *t, uint64_t epc)
{
    vc->stats.l2_exits[L2X_EXCEPTION]++;
    if ((vc->vcsr.val[VCSR_HEDELEG] >> t->cause) & 1) {
        deliver_to_l2(vc, t->cause, t->tval, epc, t->spvp);
        return;
    }
    rvnest_exit_l2(vc, t);
}

/* An exception of L2's that the firmware redirects (OpenSBI does not
 * delegate access faults): the same, but L1 gets htval 0, GVA set and the
 * htinst of its previous trap (the redirect's htinst write is one QEMU
 * ignores). */
void rvnest_l2_redirected_exception(struct rvnest_vcpu *vc, uint64_t cause, uint64_t tval,
                                    uint64_t epc, unsigned spvp)
{
    struct rvnest_l1_trap t = { .cause = cause, .tval = tval, .gva = true, .spv = true,
                                .spvp = spvp, .htinst = vc->vcsr.val[VCSR_HTINST] };
    rvnest_l2_hart_exception(vc, &t, epc);
}

static bool htinst_is_pte_access(uint64_t htinst)
{
    return htinst == HTINST_PSEUDO_READ64 || htinst == HTINST_PSEUDO_WRITE64 ||
           htinst == HTINST_PSEUDO_READ32 || htinst == HTINST_PSEUDO_WRITE32;
}

static void guest_page_fault(struct rvnest_vcpu *vc, struct rvnest_l1_trap *t, uint64_t epc,
                             bool redirect)
{
    struct rvnest_stats *st = &vc->stats;
    uint64_t gpa = t->htval << 2;
    /* A fault of a VS-stage page-table read (htinst: the pseudoinstruction)
     * was a G-stage load whatever L2's access; OpenSBI's redirects (its
     * emulation of L2's misaligned accesses) leave htinst stale, and those
     * are data accesses. */
    enum walk_access acc = t->cause == EXC_INST_GUEST_PAGE_FAULT ? WALK_FETCH
                         : t->cause == EXC_LOAD_GUEST_PAGE_FAULT ? WALK_LOAD : WALK_STORE;
    if (!redirect && htinst_is_pte_access(t->htinst))
        acc = WALK_LOAD;
    struct walk_result res;
    /* QEMU runs an AMO or SC (opcode 0x2f in the transformed instruction)
     * of a single-threaded hart as a load and then a store, reporting a
     * fault of either as a store/AMO fault ("always_storeamo"): the load
     * comes first, and natively a VS-stage refusal of the store part comes
     * before any G-stage store check. While the shadow lacks the read,
     * fill it as a load (A only in L1's leaf); a later fault of the store
     * part finds it there and is walked as a store. */
    if (acc == WALK_STORE && !redirect && (t->htinst & 0x7f) == 0x2f) {
        enum rvnest_fill f = rvnest_shadow_fill(vc, gpa, WALK_LOAD, &res);
        if (f == SHADOW_FILLED || f == SHADOW_RETRY) {
            st->l2_exits[L2X_SHADOW_FILL]++;
            resume_l2(vc, epc, t->spvp);
            return;
        }
        if (f == SHADOW_FAULT && res.status != WALK_ACCESS_FAULT) {
            st->l2_exits[L2X_GUEST_PAGE_FAULT]++;
            rvnest_exit_l2(vc, t);
            return;
        }
    }
    switch (rvnest_shadow_fill(vc, gpa, acc, &res)) {
    case SHADOW_RETRY:
    case SHADOW_FILLED:
        st->l2_exits[L2X_SHADOW_FILL]++;
        resume_l2(vc, epc, t->spvp);
        return;
    case SHADOW_FAULT:
        if (res.status == WALK_ACCESS_FAULT) {
            /* PMP refused a read of L1's G-stage table: natively an access
             * fault of the access, which OpenSBI redirects (to L2 when L1
             * delegates it; htval 0, htinst as it was) */
            static const uint64_t acc_cause[] = { EXC_LOAD_ACCESS, EXC_STORE_ACCESS, EXC_INST_ACCESS };
            uint64_t cause = acc_cause[acc];
            if (!redirect && htinst_is_pte_access(t->htinst))
                cause = t->cause == EXC_INST_GUEST_PAGE_FAULT ? EXC_INST_ACCESS
                      : t->cause == EXC_LOAD_GUEST_PAGE_FAULT ? EXC_LOAD_ACCESS : EXC_STORE_ACCESS;
            rvnest_l2_redirected_exception(vc, cause, t->tval, epc, t->spvp);
            return;
        }
        break;
    case SHADOW_EMULATED:
        /* the exact byte: htval holds the GPA >> 2, stval the low bits */
        rvnest_l2_device_access(vc, t, epc, (res.pa & ~0xfffull) | (((t->htval << 2) | (t->tval & 3)) & 0xfff),
                                !redirect && htinst_is_pte_access(t->htinst));
        return;
    case SHADOW_STALE:
        break;
    }
    st->l2_exits[L2X_GUEST_PAGE_FAULT]++;
    /* L1 takes it: when it maps the page and resumes L2, the leaf is made
     * at that entry (rvnest_shadow_prefetch) rather than on the retry */
    vc->world.prefetch.valid = true;
    vc->world.prefetch.gpa = gpa;
    vc->world.prefetch.l1_hgatp = vc->world.l2_hgatp;
    vc->world.prefetch.access = (int)acc;
    rvnest_exit_l2(vc, t);
}

/* An HS interrupt while L2 runs: one of L1's own (real sie holds only those
 * L1 enables, rvnest_l2_real_sie; real hideleg is L1's, so a VS-level one
 * here is one L1 does not delegate but enables in its hie). The hart chose
 * the highest-priority one, as it would for L1 natively. */
static void l2_interrupt(struct rvnest_vcpu *vc, unsigned irq, struct rvnest_l1_trap *t,
                         uint64_t epc)
{
    struct rvnest_hart *h = vc->hart;
    struct rvnest_stats *st = &vc->stats;
    struct rvnest_l1_state *l1 = &vc->world.l1;
    switch (irq) {
    case IRQ_S_SOFT:
        /* a firmware IPI for L1: pending for L1 from now on */
        hart_set_csr(h, CSR_SIP, hart_csr(h, CSR_SIP) & ~MIP_SSIP);
        l1->hvip |= MIP_VSSIP;
        if (!(l1->sie & MIP_SSIP)) {
            st->l2_exits[L2X_IRQ_RECORDED]++;
            resume_l2(vc, epc, t->spvp);
            return;
        }
        break;
    case IRQ_S_EXT:
        vc->seip_presented = true;
        l1->hvip |= MIP_VSEIP;
        hart_set_csr(h, CSR_SIE, rvnest_l2_real_sie(vc));
        break;
    case IRQ_S_TIMER:
    case IRQ_VS_SOFT:
    case IRQ_VS_TIMER:
    case IRQ_VS_EXT:
        break;
    default:
        rvnest_fatal(vc->vm, "HS interrupt %u while L2 runs, which L0 never enables: an L0 bug", irq);
        return;
    }
    st->l2_exits[L2X_IRQ]++;
    *t = (struct rvnest_l1_trap){ .cause = CAUSE_INTERRUPT | irq, .spv = true, .spvp = t->spvp };
    rvnest_exit_l2(vc, t);
}

void rvnest_l2_trap(struct rvnest_vcpu *vc, bool redirect)
{
    struct rvnest_hart *h = vc->hart;
    struct rvnest_stats *st = &vc->stats;
    uint64_t cause = hart_csr(h, CSR_SCAUSE), epc = hart_csr(h, CSR_SEPC);
    uint64_t hs = hart_csr(h, CSR_HSTATUS);
    struct rvnest_l1_trap t = {
        .cause = cause,
        .tval = hart_csr(h, CSR_STVAL),
        .htval = hart_csr(h, CSR_HTVAL),
        /* OpenSBI's redirect writes htinst, which QEMU ignores: L1 reads
         * the htinst of its previous trap */
        .htinst = redirect ? vc->vcsr.val[VCSR_HTINST] : hart_csr(h, CSR_HTINST),
        /* OpenSBI's redirect copies mstatus.GVA, which L1's own traps at
         * V=1 also set under L0: L0 keeps the native value */
        .gva = redirect ? rvnest_fw_redirect_gva(vc, cause) : (hs & HSTATUS_GVA) != 0,
        .spv = true,
        .spvp = (hs & HSTATUS_SPVP) ? PRV_S : PRV_U,
    };
    if (cause & CAUSE_INTERRUPT) {
        l2_interrupt(vc, (unsigned)(cause & 63), &t, epc);
        return;
    }
    switch (cause) {
    case EXC_INST_GUEST_PAGE_FAULT:
    case EXC_LOAD_GUEST_PAGE_FAULT:
    case EXC_STORE_GUEST_PAGE_FAULT:
        guest_page_fault(vc, &t, epc, redirect);
        return;
    case EXC_VS_ECALL:
        st->l2_exits[L2X_ECALL]++;
        break;
    case EXC_VIRTUAL_INST:
        st->l2_exits[L2X_VIRTUAL_INST]++;
        break;
    default:
        st->l2_exits[L2X_EXCEPTION]++;
        break;
    }
    rvnest_exit_l2(vc, &t);
}
