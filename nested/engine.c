/* L0 engine core: trap dispatch, resuming guests, reflecting traps to L1. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "rvnest/engine.h"
#include "rvnest/csr.h"

void rvnest_vm_init(struct rvnest_vm *vm, const struct rvnest_options *opt)
{
    memset(vm, 0, sizeof(*vm));
    vm->opt = *opt;
    if (!vm->opt.l0_mem)
        vm->opt.l0_mem = RVNEST_DEFAULT_L0_MEM;
}

struct rvnest_vcpu *rvnest_vcpu_init(struct rvnest_vm *vm, struct rvnest_hart *h)
{
    if (h->index >= RVNEST_MAX_HARTS)
        return NULL;
    struct rvnest_vcpu *vc = &vm->vcpu[h->index];
    memset(vc, 0, sizeof(*vc));
    vc->hart = h;
    vc->vm = vm;
    return vc;
}

void rvnest_fatal(struct rvnest_vm *vm, const char *fmt, ...)
{
    if (vm->fatal[0])
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(vm->fatal, sizeof(vm->fatal), fmt, ap);
    va_end(ap);
}

/* Resume the hart at pc with priv (PRV_* | PRIV_V). Inside an HS trap the
 * plugin writes pc and priv; before an mret only CSR writes are safe
 * (ARCHITECTURE.md fact 5), so the mret itself is retargeted through
 * mepc and mstatus.MPP/MPV. */
void rvnest_resume(struct rvnest_vcpu *vc, uint64_t pc, unsigned priv)
{
    struct rvnest_hart *h = vc->hart;
    if (vc->in_mret) {
        uint64_t ms = hart_csr(h, CSR_MSTATUS);
        ms &= ~(MSTATUS_MPP | MSTATUS_MPV);
        ms |= (uint64_t)(priv & 3) << MSTATUS_MPP_SHIFT;
        if (priv & PRIV_V)
            ms |= MSTATUS_MPV;
        hart_set_csr(h, CSR_MEPC, pc);
        hart_set_csr(h, CSR_MSTATUS, ms);
    } else {
        h->ops->set_pc(h, pc);
        h->ops->set_priv(h, priv);
    }
}

/* The privilege L1 was at when it trapped to HS: sstatus.SPP (HS bank). */
unsigned rvnest_trap_priv(struct rvnest_vcpu *vc)
{
    return (hart_csr(vc->hart, CSR_SSTATUS) & MSTATUS_SPP) ? PRV_S : PRV_U;
}

void rvnest_resume_l1_at_sepc(struct rvnest_vcpu *vc)
{
    rvnest_resume(vc, hart_csr(vc->hart, CSR_SEPC), rvnest_trap_priv(vc) | PRIV_V);
}

void rvnest_resume_l1_after(struct rvnest_vcpu *vc, unsigned insn_len)
{
    rvnest_resume(vc, hart_csr(vc->hart, CSR_SEPC) + insn_len, rvnest_trap_priv(vc) | PRIV_V);
}

/* The real hstatus while L1 runs (ARCHITECTURE.md section 5): VTSR is armed
 * exactly while L1's virtual hstatus.SPV is 1, so that the sret with which
 * L1 enters a guest traps to L0 instead of returning inside L1's own
 * context (H chapter, "Hypervisor Status Register": VTSR makes SRET in
 * VS-mode a virtual-instruction exception). */
void rvnest_sync_l1_hstatus(struct rvnest_vcpu *vc)
{
    struct rvnest_hart *h = vc->hart;
    uint64_t hs = hart_csr(h, CSR_HSTATUS), want = hs & ~HSTATUS_VTSR;
    if (vc->vcsr.val[VCSR_HSTATUS] & HSTATUS_SPV)
        want |= HSTATUS_VTSR;
    if (want != hs)
        hart_set_csr(h, CSR_HSTATUS, want);
}

/* Deliver a synchronous exception to L1 as its hardware would: L1 believes
 * it runs in HS with V=0, so this is a trap from HS/U to HS (priv spec,
 * "Supervisor Trap Handling"; H chapter "Trap Entry"): hstatus.SPV=0 (the
 * trap came from V=0), SPVP unchanged, GVA set when stval is a guest virtual
 * address (HLV/HSV faults), htval and htinst written (0 unless given). L1's
 * S registers are the real VS ones. */
void rvnest_inject_l1_trap(struct rvnest_vcpu *vc, const struct rvnest_l1_trap *t)
{
    struct rvnest_hart *h = vc->hart;
    unsigned from = rvnest_trap_priv(vc);
    uint64_t vs = hart_csr(h, CSR_VSSTATUS);
    vs &= ~(MSTATUS_SPP | MSTATUS_SPIE);
    if (from == PRV_S)
        vs |= MSTATUS_SPP;
    if (vs & MSTATUS_SIE)
        vs |= MSTATUS_SPIE;
    vs &= ~MSTATUS_SIE;
    hart_set_csr(h, CSR_VSSTATUS, vs);
    hart_set_csr(h, CSR_VSEPC, hart_csr(h, CSR_SEPC));
    hart_set_csr(h, CSR_VSCAUSE, t->cause);
    hart_set_csr(h, CSR_VSTVAL, t->tval);
    struct rvnest_vcsr *v = &vc->vcsr;
    v->val[VCSR_HSTATUS] &= ~(HSTATUS_SPV | HSTATUS_GVA);
    if (t->gva)
        v->val[VCSR_HSTATUS] |= HSTATUS_GVA;
    v->val[VCSR_HTVAL] = t->htval;
    v->val[VCSR_HTINST] = t->htinst;
    rvnest_sync_l1_hstatus(vc);
    rvnest_resume(vc, hart_csr(h, CSR_VSTVEC) & ~3ull, PRV_S | PRIV_V);
}

void rvnest_inject_l1_exception(struct rvnest_vcpu *vc, uint64_t cause, uint64_t tval)
{
    struct rvnest_l1_trap t = { .cause = cause, .tval = tval };
    rvnest_inject_l1_trap(vc, &t);
}

/* Natively, an exception of L1 in HS that the firmware does not delegate
 * (OpenSBI: access faults, illegal instructions) traps to M, and OpenSBI's
 * sbi_trap_redirect sends it on to HS writing hstatus.GVA from mstatus.GVA,
 * htval from mtval2 and htinst from mtinst. On QEMU mtval2 is 0 for these
 * traps from V=0, mstatus.GVA is set only by traps from V=1 (L1's guests;
 * taken as 0 here), and htinst ignores writes: L1 reads the htinst of its
 * previous trap into HS. */
void rvnest_deliver_l1_exception(struct rvnest_vcpu *vc, const struct rvnest_l1_trap *t)
{
    if (t->cause < 64 && (hart_csr(vc->hart, CSR_MEDELEG) >> t->cause) & 1) {
        rvnest_inject_l1_trap(vc, t);
        return;
    }
    struct rvnest_l1_trap r = { .cause = t->cause, .tval = t->tval,
                                .htinst = vc->vcsr.val[VCSR_HTINST] };
    rvnest_inject_l1_trap(vc, &r);
}

static void reflect_exception(struct rvnest_vcpu *vc, uint64_t cause)
{
    vc->vm->stats.exits[EXIT_EXCEPTION_OTHER]++;
    rvnest_inject_l1_exception(vc, cause, hart_csr(vc->hart, CSR_STVAL));
}

static void dispatch_hs_trap(struct rvnest_vcpu *vc)
{
    struct rvnest_hart *h = vc->hart;
    uint64_t cause = hart_csr(h, CSR_SCAUSE);
    uint64_t hstatus = hart_csr(h, CSR_HSTATUS);
    if (!(hstatus & HSTATUS_SPV)) {
        rvnest_fatal(vc->vm, "trap to HS from HS itself (scause %#llx sepc %#llx): an L0 bug",
                     (unsigned long long)cause, (unsigned long long)hart_csr(h, CSR_SEPC));
        return;
    }
    if (cause & CAUSE_INTERRUPT) {
        rvnest_hs_interrupt(vc, (unsigned)(cause & 63));
        return;
    }
    switch (cause) {
    case EXC_VS_ECALL:
        rvnest_sbi_ecall(vc);
        break;
    case EXC_VIRTUAL_INST:
        rvnest_virtual_instruction(vc);
        break;
    case EXC_INST_GUEST_PAGE_FAULT:
    case EXC_LOAD_GUEST_PAGE_FAULT:
    case EXC_STORE_GUEST_PAGE_FAULT:
        rvnest_guest_page_fault(vc, cause);
        break;
    default:
        /* Anything else reached HS only because real hedeleg did not send
         * it to VS (or OpenSBI redirected it): L1 sees it as its own trap. */
        reflect_exception(vc, cause);
        break;
    }
}

void rvnest_on_hs_trap(struct rvnest_vcpu *vc)
{
    vc->in_mret = false;
    dispatch_hs_trap(vc);
}

void rvnest_on_mret(struct rvnest_vcpu *vc)
{
    struct rvnest_hart *h = vc->hart;
    struct rvnest_vm *vm = vc->vm;
    uint64_t ms = hart_csr(h, CSR_MSTATUS);
    unsigned mpp = (unsigned)((ms & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT);
    if (mpp != PRV_S || (ms & MSTATUS_MPV))
        return;                       /* back to M, U, or a guest at V=1 */
    uint64_t mepc = hart_csr(h, CSR_MEPC);
    vc->in_mret = true;
    if (l0_owns(vm, mepc)) {
        if (mepc == vm->l0_base + L0_OFF_VECTOR) {
            /* OpenSBI redirected a trap to HS (sbi_trap_redirect): the HS
             * trap registers are set as hardware would; handle it now and
             * let this mret take the hart where L0 decides. */
            vm->stats.exits[EXIT_FW_REDIRECT]++;
            dispatch_hs_trap(vc);
        }
        /* otherwise: OpenSBI returning into L0 microcode */
    } else {
        /* A firmware entry into HS: boot, HSM start, non-retentive resume. */
        vm->stats.exits[EXIT_FW_ENTRY]++;
        rvnest_firmware_entry(vc, mepc);
    }
    vc->in_mret = false;
}

bool rvnest_on_m_trap(struct rvnest_vcpu *vc, uint64_t from_pc)
{
    struct rvnest_vm *vm = vc->vm;
    struct rvnest_hart *h = vc->hart;
    bool uc_end = vc->uc.kind != UCODE_NONE && from_pc == vc->uc.end_pc;
    bool vector = from_pc == vm->l0_base + L0_OFF_VECTOR;
    if (!uc_end && !vector)
        return false;                     /* e.g. the microcode's own ecall */
    if (vector) {
        /* The vector word itself executed: some path reached HS that L0
         * did not intercept. Never expected; stop rather than run on. */
        rvnest_fatal(vm, "the L0 vector executed in HS (scause %#llx sepc %#llx): an L0 bug",
                     (unsigned long long)hart_csr(h, CSR_SCAUSE),
                     (unsigned long long)hart_csr(h, CSR_SEPC));
        return true;
    }
    /* Undo the M-mode trap entry before any firmware instruction runs:
     * mstatus.MIE comes back from MPIE. */
    uint64_t ms = hart_csr(h, CSR_MSTATUS);
    if (ms & MSTATUS_MPIE)
        ms |= MSTATUS_MIE;
    hart_set_csr(h, CSR_MSTATUS, ms);
    vc->in_mret = false;
    enum rvnest_ucode kind = vc->uc.kind;
    vc->uc.kind = UCODE_NONE;
    switch (kind) {
    case UCODE_SET_VSTIMECMP:
        hart_set_gpr(h, 10, 0);           /* SBI_SUCCESS */
        hart_set_gpr(h, 11, 0);
        break;
    case UCODE_SET_VSTIMECMP_LEGACY:
        hart_set_gpr(h, 10, 0);
        break;
    default:
        break;                            /* OpenSBI's a0/a1 stand */
    }
    rvnest_resume(vc, vc->uc.resume_pc, vc->uc.resume_priv);
    return true;
}
