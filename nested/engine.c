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
    vm->nharts = 1;
    vm->reset_epoch = 1;              /* the cold boot */
    vm->in_reset = true;              /* L0 is set up at its first entry into HS */
    /* recursive: rvnest_fatal may be called with it held */
    pthread_mutexattr_t a;
    pthread_mutexattr_init(&a);
    pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&vm->lock, &a);
    pthread_mutexattr_destroy(&a);
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
    vc->reset_epoch = 0;              /* has not run the reset vector yet */
    vc->hstateen_mask = -1;
    rvnest_nacl_reset(vc);
    return vc;
}

uint64_t rvnest_l1_gpr(void *vcpu, unsigned reg)
{
    return hart_gpr(((struct rvnest_vcpu *)vcpu)->hart, reg);
}

void rvnest_fatal(struct rvnest_vm *vm, const char *fmt, ...)
{
    pthread_mutex_lock(&vm->lock);
    if (vm->fatal[0]) {
        pthread_mutex_unlock(&vm->lock);
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(vm->fatal, sizeof(vm->fatal), fmt, ap);
    pthread_mutex_unlock(&vm->lock);
    va_end(ap);
}

/* Resume the hart at pc with priv (PRV_* | PRIV_V). Inside an HS trap the
 * plugin writes pc and priv; before an mret only CSR writes are safe
 * (ARCHITECTURE.md fact 5), so the mret itself is retargeted through
 * mepc and mstatus.MPP/MPV. */
void rvnest_resume(struct rvnest_vcpu *vc, uint64_t pc, unsigned priv)
{
    struct rvnest_hart *h = vc->hart;
    if ((priv & PRIV_V) && vc->world.level == RVNEST_L1 && rvnest_virq_resume(vc, &pc, &priv))
        return;                       /* a microcode run goes first */
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

/* Exceptions L1's own code takes in HS natively and that hardware can
 * deliver straight to L1 at V=1 with nothing left to do: a native trap into
 * HS from V=0 writes hstatus.SPV=0, GVA=0, htval=0 and, for these causes,
 * htinst=0 (QEMU riscv_cpu_do_interrupt). Load/store/AMO faults (4-7, 13,
 * 15) are not here: natively they write the transformed instruction to
 * htinst, which only L0 can do; access faults (1, 5, 7) may be L1 reaching
 * L0's PMP-protected holes (nested/access_fault.c). ECALLs from S (9-11)
 * and the H causes (20-23) always come to L0. */
#define L1_HEDELEG_CLEAN ((1u << EXC_INST_MISALIGNED) | (1u << EXC_ILLEGAL_INST) | \
                          (1u << EXC_BREAKPOINT) | (1u << EXC_U_ECALL) |           \
                          (1u << EXC_INST_PAGE_FAULT))

/* L1's trap state is what a native trap into HS overwrites: hstatus.SPV,
 * hstatus.GVA, htval, htinst. While any of it is non-zero, hardware
 * delegation would leave it stale, so L0 takes every exception itself. */
static bool l1_trap_state_dirty(const struct rvnest_vcsr *v)
{
    return (v->val[VCSR_HSTATUS] & (HSTATUS_SPV | HSTATUS_GVA)) || v->val[VCSR_HTVAL] ||
           v->val[VCSR_HTINST];
}


/* The real H CSRs that follow L1's virtual trap state (ARCHITECTURE.md
 * section 5), to be called after every change of it:
 *  - hstatus.VTSR is armed while L1's virtual hstatus.SPV is 1, so that the
 *    sret with which L1 enters a guest traps to L0 instead of returning
 *    inside L1's own context (H chapter, "Hypervisor Status Register": VTSR
 *    makes SRET in VS-mode a virtual-instruction exception), and, with VTW,
 *    while L0 holds an interrupt for L1 from its virtual state
 *    (nested/virq.c): L1's sret to U or re-enabling SIE, and its wfi, then
 *    come to L0, which delivers it where the hart would;
 *  - hedeleg delegates L1_HEDELEG_CLEAN only while the trap state is clean;
 *  - while it is dirty, interrupts still go straight to L1 (hideleg must
 *    stay, or L1's sie would read 0), so L0 records L1's last trap
 *    registers to recognise one later (rvnest_l1_trap_catchup). */
void rvnest_sync_l1_traps(struct rvnest_vcpu *vc)
{
    struct rvnest_hart *h = vc->hart;
    struct rvnest_vcsr *v = &vc->vcsr;
    uint64_t hs = hart_csr(h, CSR_HSTATUS), want = hs & ~(HSTATUS_VTSR | HSTATUS_VTW);
    if ((v->val[VCSR_HSTATUS] & HSTATUS_SPV) || vc->virq_trap)
        want |= HSTATUS_VTSR;
    if (vc->virq_trap)
        want |= HSTATUS_VTW;
    if (want != hs)
        hart_set_csr(h, CSR_HSTATUS, want);
    bool dirty = l1_trap_state_dirty(v);
    uint64_t deleg = dirty ? 0 : L1_HEDELEG_CLEAN;
    if (vc->hedeleg != deleg) {
        hart_set_csr(h, CSR_HEDELEG, deleg);
        vc->hedeleg = deleg;
    }
    if (dirty)
        vc->trap_cause = hart_csr(vc->hart, CSR_VSCAUSE);
}

/* While L1's trap state is dirty, an interrupt hardware delivered to L1
 * (through hideleg) changed L1's scause/sepc/stval; natively that trap into
 * HS cleared SPV, GVA, htval and htinst. Called before L0 reads or changes
 * L1's trap state. Exceptions cannot have happened unseen: L0 takes them
 * all while the state is dirty. */
void rvnest_l1_trap_catchup(struct rvnest_vcpu *vc)
{
    struct rvnest_vcsr *v = &vc->vcsr;
    if (!l1_trap_state_dirty(v))
        return;
    /* Only the cause tells: L1 writes its own sepc (and may write stval)
     * while its trap state is dirty, e.g. KVM setting the guest's pc
     * between writing hstatus.SPV and its sret. */
    uint64_t cause = hart_csr(vc->hart, CSR_VSCAUSE);
    if (!(cause & CAUSE_INTERRUPT) || cause == vc->trap_cause)
        return;
    v->val[VCSR_HSTATUS] &= ~(HSTATUS_SPV | HSTATUS_GVA);
    v->val[VCSR_HTVAL] = 0;
    v->val[VCSR_HTINST] = 0;
    rvnest_nacl_show(vc);
    vc->stats.l1_irq_catchups++;
    rvnest_sync_l1_traps(vc);
}

uint64_t rvnest_sstatus_trap(uint64_t s, unsigned from)
{
    s &= ~(MSTATUS_SPP | MSTATUS_SPIE);
    if (from == PRV_S)
        s |= MSTATUS_SPP;
    if (s & MSTATUS_SIE)
        s |= MSTATUS_SPIE;
    return s & ~MSTATUS_SIE;
}

uint64_t rvnest_sstatus_sret(uint64_t s, unsigned *to)
{
    *to = (s & MSTATUS_SPP) ? PRV_S : PRV_U;
    s &= ~(MSTATUS_SIE | MSTATUS_SPP);
    if (s & MSTATUS_SPIE)
        s |= MSTATUS_SIE;
    return s | MSTATUS_SPIE;
}

/* L1 enters its (virtual) HS trap handler as its hardware would: L1
 * believes it runs in HS with V=0, so this is a trap from HS/U to HS (priv
 * spec, "Supervisor Trap Handling"; H chapter "Trap Entry"): hstatus.SPV=0
 * (the trap came from V=0), SPVP unchanged, GVA set when stval is a guest
 * virtual address (HLV/HSV faults), htval and htinst written (0 unless
 * given). L1's S registers are the real VS ones. epc and from (PRV_S or
 * PRV_U) are where the trap was taken; returns the handler's address
 * (vectored stvec for interrupts). */
uint64_t rvnest_l1_trap_entry(struct rvnest_vcpu *vc, const struct rvnest_l1_trap *t,
                              uint64_t epc, unsigned from)
{
    struct rvnest_hart *h = vc->hart;
    hart_set_csr(h, CSR_VSSTATUS, rvnest_sstatus_trap(hart_csr(h, CSR_VSSTATUS), from));
    hart_set_csr(h, CSR_VSEPC, epc);
    hart_set_csr(h, CSR_VSCAUSE, t->cause);
    hart_set_csr(h, CSR_VSTVAL, t->tval);
    struct rvnest_vcsr *v = &vc->vcsr;
    v->val[VCSR_HSTATUS] &= ~(HSTATUS_SPV | HSTATUS_GVA);
    if (t->gva)
        v->val[VCSR_HSTATUS] |= HSTATUS_GVA;
    if (t->spv) {
        /* from V=1: SPV=1, SPVP = the guest's nominal privilege */
        v->val[VCSR_HSTATUS] |= HSTATUS_SPV;
        v->val[VCSR_HSTATUS] &= ~HSTATUS_SPVP;
        if (t->spvp == PRV_S)
            v->val[VCSR_HSTATUS] |= HSTATUS_SPVP;
    }
    v->val[VCSR_HTVAL] = t->htval;
    v->val[VCSR_HTINST] = t->htinst;
    rvnest_nacl_l1_trap(vc, t->spv);
    rvnest_sync_l1_traps(vc);
    uint64_t tvec = hart_csr(h, CSR_VSTVEC);
    bool vectored = (t->cause & CAUSE_INTERRUPT) && (tvec & 3) == 1;
    return (tvec & ~3ull) + (vectored ? 4 * (t->cause & 63) : 0);
}

/* A synchronous exception of the instruction at the real sepc, taken by L1. */
void rvnest_inject_l1_trap(struct rvnest_vcpu *vc, const struct rvnest_l1_trap *t)
{
    struct rvnest_hart *h = vc->hart;
    uint64_t pc = rvnest_l1_trap_entry(vc, t, hart_csr(h, CSR_SEPC), rvnest_trap_priv(vc));
    rvnest_resume(vc, pc, PRV_S | PRIV_V);
}

/* Natively, an exception of L1 in HS that the firmware does not delegate
 * (OpenSBI: access faults, illegal instructions) traps to M, and OpenSBI's
 * sbi_trap_redirect sends it on to HS writing hstatus.GVA from mstatus.GVA,
 * htval from mtval2 and htinst from mtinst. On QEMU mtval2 is 0 for these
 * traps from V=0, GVA follows rvnest_fw_redirect_gva, and htinst ignores
 * writes: L1 reads the htinst of its previous trap into HS. */
void rvnest_deliver_l1_exception(struct rvnest_vcpu *vc, const struct rvnest_l1_trap *t)
{
    if (t->cause < 64 && (hart_csr(vc->hart, CSR_MEDELEG) >> t->cause) & 1) {
        rvnest_inject_l1_trap(vc, t);
        return;
    }
    struct rvnest_l1_trap r = { .cause = t->cause, .tval = t->tval,
                                .gva = rvnest_fw_redirect_gva(vc, t->cause),
                                .htinst = vc->vcsr.val[VCSR_HTINST] };
    rvnest_inject_l1_trap(vc, &r);
}

/* An exception of L1's own code that L0 took instead of delegating it
 * (load/store faults always; everything while L1's trap state is dirty).
 * The trap from V=1 into real HS came with what a native trap from V=0 has
 * (htinst: QEMU's transformed instruction, computed the same way for both);
 * htval and GVA are 0 for L1's own accesses. It then takes the native path
 * (rvnest_deliver_l1_exception). */
static void reflect_exception(struct rvnest_vcpu *vc, uint64_t cause)
{
    struct rvnest_hart *h = vc->hart;
    vc->stats.exits[EXIT_EXCEPTION_OTHER]++;
    struct rvnest_l1_trap t = {
        .cause = cause, .tval = hart_csr(h, CSR_STVAL), .htinst = hart_csr(h, CSR_HTINST),
    };
    rvnest_deliver_l1_exception(vc, &t);
}

/* redirect: OpenSBI redirected it (sbi_trap_redirect), which leaves htinst
 * as it was. */
static void dispatch_hs_trap(struct rvnest_vcpu *vc, bool redirect)
{
    struct rvnest_hart *h = vc->hart;
    uint64_t cause = hart_csr(h, CSR_SCAUSE);
    uint64_t hstatus = hart_csr(h, CSR_HSTATUS);
    if (!(hstatus & HSTATUS_SPV)) {
        rvnest_fatal(vc->vm, "trap to HS from HS itself (scause %#llx sepc %#llx): an L0 bug",
                     (unsigned long long)cause, (unsigned long long)hart_csr(h, CSR_SEPC));
        return;
    }
    if (vc->world.level == RVNEST_L2) {
        rvnest_l2_trap(vc, redirect);
        return;
    }
    rvnest_l1_trap_catchup(vc);
    /* An interrupt L0 raises for L1 from its virtual H state comes before
     * the instruction that trapped (it re-executes after L1's handler) and
     * before an HS interrupt of L0's, which stays pending (nested/virq.c). */
    if (rvnest_virq_pending(vc)) {
        unsigned priv = rvnest_trap_priv(vc);
        if (priv == PRV_U || (hart_csr(h, CSR_VSSTATUS) & MSTATUS_SIE)) {
            rvnest_resume_l1_at_sepc(vc);
            return;
        }
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
    case EXC_INST_ACCESS:
    case EXC_LOAD_ACCESS:
    case EXC_STORE_ACCESS:
        rvnest_l1_access_fault(vc, cause);
        break;
    default:
        /* Anything else reached HS only because real hedeleg did not send
         * it to VS (or OpenSBI redirected it): L1 sees it as its own trap. */
        reflect_exception(vc, cause);
        break;
    }
}

/* A discontinuity whose target is the L0 vector. It is an HS trap only if
 * the hart now is in S with V=0: a guest whose own trap vector (or jump
 * target) is a virtual address equal to the L0 vector arrives there at V=1
 * (or in U) and is none of L0's business. */
bool rvnest_on_hs_trap(struct rvnest_vcpu *vc)
{
    if (vc->hart->ops->get_priv(vc->hart) != PRV_S)
        return false;
    vc->in_mret = false;
    dispatch_hs_trap(vc, false);
    return true;
}

/* A replayed CSR access (rvnest_ucode_replay_csr) trapped in real HS: L1's
 * instruction takes the same exception, at its own pc and privilege. */
static void replay_fault(struct rvnest_vcpu *vc)
{
    struct rvnest_hart *h = vc->hart;
    struct rvnest_l1_trap t = { .cause = hart_csr(h, CSR_SCAUSE), .tval = hart_csr(h, CSR_STVAL) };
    uint64_t ss = hart_csr(h, CSR_SSTATUS) & ~MSTATUS_SPP;
    if ((vc->uc.resume_priv & 3) == PRV_S)
        ss |= MSTATUS_SPP;
    hart_set_csr(h, CSR_SSTATUS, ss);
    hart_set_csr(h, CSR_SEPC, vc->uc.l1_pc);
    rvnest_ucode_done(vc);
    rvnest_deliver_l1_exception(vc, &t);
}

/* The real sscratch while L0 runs L1: L0's marker. OpenSBI's mode switch
 * into HS (sbi_hart_switch_mode: hart start, non-retentive resume) writes
 * sscratch = 0, and nothing else writes it (L1's sscratch is the real
 * vsscratch), so a differing value means a firmware entry. */
uint64_t rvnest_l0_sscratch(const struct rvnest_vm *vm)
{
    return vm->l0_base | 1;
}

/* An mret OpenSBI executes toward HS (MPP=S, MPV=0). Only an mret that
 * executes in M concerns L0: a guest's own mret is an illegal or virtual
 * instruction for that guest and takes no firmware path, whatever address it
 * runs at. What the entry is follows from state no guest can forge
 * (docs/architecture.md, "How control reaches L0"):
 *  - real henvcfg.STCE is clear: QEMU's reset cleared henvcfg (cold boot or
 *    system reset). L0 always runs L1 with it set, OpenSBI never writes
 *    henvcfg, and the firmware's later menvcfg writes (FWFT), which QEMU
 *    reflects into henvcfg, never touch STCE: L0 sets itself up from the
 *    device tree this boot's firmware passes;
 *  - real sscratch lost L0's marker: OpenSBI's mode switch (hart start,
 *    non-retentive resume) into L1;
 *  - mepc inside the microcode run in flight: OpenSBI returning into it;
 *  - mepc at the L0 vector: OpenSBI redirecting a trap to HS;
 *  - anything else cannot come from OpenSBI's paths: an L0 bug. */
void rvnest_on_mret(struct rvnest_vcpu *vc)
{
    struct rvnest_hart *h = vc->hart;
    struct rvnest_vm *vm = vc->vm;
    if (h->ops->get_priv(h) != PRV_M)
        return;
    if (vc->uc.kind != UCODE_NONE && vc->uc.direct && h->ops->get_pc(h) == vc->uc.end_pc) {
        /* the mret that ends a microcode run into the guest
         * (rvnest_ucode_run), at its last word: it was L0's to the end (a
         * trap inside it stops L0: rvnest_on_m_trap) */
        rvnest_ucode_done(vc);
        return;
    }
    uint64_t ms = hart_csr(h, CSR_MSTATUS);
    unsigned mpp = (unsigned)((ms & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT);
    if (mpp != PRV_S || (ms & MSTATUS_MPV))
        return;                       /* back to M, U, or a guest at V=1 */
    uint64_t mepc = hart_csr(h, CSR_MEPC);
    vc->in_mret = true;
    bool marker_lost = hart_csr(h, CSR_SSCRATCH) != rvnest_l0_sscratch(vm);
    /* The hart's first entry since it was reset (the plugin saw it execute
     * the reset vector in M: rvnest_on_hart_reset), or a hart start or
     * resume (OpenSBI's switch to HS zeroes sscratch, L0's marker). */
    bool reset = !vc->entered;
    if (reset) {
        vc->stats.exits[EXIT_FW_ENTRY]++;
        rvnest_firmware_entry(vc, mepc, true);
    } else if (marker_lost) {
        vc->stats.exits[EXIT_FW_ENTRY]++;
        rvnest_firmware_entry(vc, mepc, false);
    } else if (rvnest_ucode_owns_pc(vc, mepc)) {
        /* OpenSBI returning into the microcode run in flight */
    } else if (mepc == vm->l0_base + L0_OFF_VECTOR && vc->uc.kind == UCODE_CSR_REPLAY &&
               rvnest_ucode_owns_pc(vc, hart_csr(h, CSR_SEPC))) {
        /* The replayed CSR access faulted in HS and OpenSBI redirected the
         * exception to HS: natively L1's instruction took it. */
        vc->stats.exits[EXIT_FW_REDIRECT]++;
        replay_fault(vc);
    } else if (mepc == vm->l0_base + L0_OFF_VECTOR && vc->uc.kind == UCODE_NONE) {
        /* OpenSBI redirected a trap to HS (sbi_trap_redirect): the HS trap
         * registers are set as hardware would; handle it now and let this
         * mret take the hart where L0 decides. */
        if (vc->world.level == RVNEST_L1)
            vc->stats.exits[EXIT_FW_REDIRECT]++;
        dispatch_hs_trap(vc, true);
    } else {
        rvnest_fatal(vm, "the firmware entered HS at %#llx outside any L0 path (microcode %s): an L0 bug",
                     (unsigned long long)mepc, vc->uc.kind == UCODE_NONE ? "idle" : "running");
    }
    vc->in_mret = false;
}

/* Which system reset a hart's run of the reset vector belongs to
 * (docs/architecture.md, "Resets"). QEMU resets every hart of the machine
 * at once, with all of them paused (a system reset: SBI SRST from L1 through
 * the firmware's reset device, a guest's write to it, QEMU's own), and each
 * then runs the reset vector whenever its host thread gets to it, which on a
 * busy host can be seconds after the others have booted. So the run is a new
 * system reset only when something proves QEMU reset the machine again since
 * the current epoch began, never from how late it comes:
 *  - this hart already ran the reset vector in the current epoch (it cannot
 *    run it twice without a reset: no M-mode path jumps there), or
 *  - time went back: QEMU's ACLINT clears mtime at every system reset
 *    (riscv_aclint_mtimer_reset_enter) and nothing else moves it back by
 *    more than a few ticks (it is M-mode's, behind the firmware's PMP; with
 *    several sockets each has its own mtimer, reset microseconds apart and
 *    aligned by OpenSBI's aclint_mtimer_sync), so a time more than
 *    RVNEST_RESET_TIME_SLACK below one L0 read earlier in this epoch was
 *    read after another reset.
 * Otherwise it is this hart's late part of the current epoch: its cold boot,
 * or its part of the reset the others came out of before. */
bool rvnest_reset_is_new(const struct rvnest_vm *vm, unsigned hart_epoch, uint64_t now)
{
    return hart_epoch == vm->reset_epoch ||
           (vm->reset_time > RVNEST_RESET_TIME_SLACK && now < vm->reset_time - RVNEST_RESET_TIME_SLACK);
}

/* Records a time L0 read in this epoch (at firmware entries and L1's
 * system-reset calls), so that a hart still at the reset vector of a later
 * reset is recognised by the rule above however late it runs. */
void rvnest_reset_note_time(struct rvnest_vcpu *vc)
{
    struct rvnest_vm *vm = vc->vm;
    pthread_mutex_lock(&vm->lock);
    uint64_t now = hart_csr(vc->hart, CSR_TIME);
    if (now > vm->reset_time)
        vm->reset_time = now;
    pthread_mutex_unlock(&vm->lock);
}

void rvnest_on_hart_reset(struct rvnest_vcpu *vc)
{
    struct rvnest_vm *vm = vc->vm;
    struct rvnest_hart *h = vc->hart;
    unsigned priv = h->ops->get_priv(h);
    if (priv == (PRV_M | PRIV_V)) {
        /* No hart is in M at V=1: an unpatched QEMU reset this hart while
         * it ran L1 and kept V, and aborts at the hart's next trap
         * (scripts/qemu-patches/0001-target-riscv-reset-leaves-V-0.patch). */
        rvnest_fatal(vm, "QEMU reset hart %u at V=1 and kept V=1 (a QEMU bug that aborts it at that hart's next trap); use the QEMU ./rvnest setup builds, which has the fix in scripts/qemu-patches",
                     h->index);
        return;
    }
    if (priv != PRV_M)
        return;                       /* a guest there: not a reset */
    pthread_mutex_lock(&vm->lock);
    /* read under the lock: every time L0 records was read before this */
    uint64_t now = hart_csr(h, CSR_TIME);
    if (rvnest_reset_is_new(vm, vc->reset_epoch, now)) {
        __atomic_store_n(&vm->reset_epoch, vm->reset_epoch + 1, __ATOMIC_RELEASE);
        __atomic_store_n(&vm->in_reset, true, __ATOMIC_RELEASE);
        vm->reset_time = now;
    } else if (now > vm->reset_time) {
        vm->reset_time = now;
    }
    vc->entered = false;
    /* a reset can cut a microcode run short (in M before its mret, too) */
    vc->uc.kind = UCODE_NONE;
    vc->uc.in_m = vc->uc.direct = false;
    __atomic_store_n(&vc->reset_epoch, vm->reset_epoch, __ATOMIC_RELEASE);
    pthread_mutex_unlock(&vm->lock);
}

/* QEMU sets mstatus.GVA on an M-mode trap from V=1 with a nonzero tval
 * and never clears it (riscv_cpu_do_interrupt writes it only then, and a
 * reset keeps it: riscv_cpu_reset_hold); OpenSBI
 * copies it to hstatus.GVA whenever it redirects a trap to HS. Natively
 * only L2 runs at V=1, so L0 keeps that bit from L2's M-mode traps (the
 * real one also counts L1's, which run at V=1 under L0). */
bool rvnest_fw_redirect_gva(const struct rvnest_vcpu *vc, uint64_t cause)
{
    /* OpenSBI 1.5 builds a fresh trap with GVA 0 for an illegal
     * instruction (truly_illegal_insn) and passes mstatus.GVA on for the
     * rest (sbi_trap_handler's default redirect). */
    return cause != EXC_ILLEGAL_INST && vc->fw_gva;
}

void rvnest_on_guest_exception(struct rvnest_vcpu *vc)
{
    struct rvnest_hart *h = vc->hart;
    if (vc->fw_gva || vc->world.level != RVNEST_L2 || h->ops->get_priv(h) != PRV_M)
        return;
    uint64_t tval;
    if (h->ops->get_csr(h, CSR_MTVAL, &tval) && tval)
        vc->fw_gva = true;
}

/* A trap into M from from_pc. It is L0's own only when it came from real HS
 * (MPP=S, MPV=0: no guest ever runs there) at the end word of the microcode
 * run in flight, or at the L0 vector word (never executed: an L0 bug). A
 * guest executing at a virtual address equal to those traps from V=1 or
 * from U and is none of L0's business. Returns true when handled. */
static void ucode_finish(struct rvnest_vcpu *vc, enum rvnest_ucode kind);

bool rvnest_on_m_trap(struct rvnest_vcpu *vc, uint64_t from_pc)
{
    struct rvnest_vm *vm = vc->vm;
    struct rvnest_hart *h = vc->hart;
    if (h->ops->get_priv(h) != PRV_M)
        return false;
    uint64_t ms = hart_csr(h, CSR_MSTATUS);
    unsigned mpp = (unsigned)((ms & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT);
    if (vc->uc.kind != UCODE_NONE && vc->uc.in_m && mpp == PRV_M && !(ms & MSTATUS_MPV) &&
        rvnest_ucode_owns_pc(vc, from_pc)) {
        /* A run in M (rvnest_ucode_run) ended, or one of its instructions
         * trapped (L0's words only access CSRs the hart has: an L0 bug). */
        if (from_pc != vc->uc.end_pc) {
            rvnest_fatal(vm, "L0 microcode %d trapped in M at %#llx (mcause %#llx): an L0 bug",
                         (int)vc->uc.kind, (unsigned long long)from_pc,
                         (unsigned long long)hart_csr(h, CSR_MCAUSE));
            return true;
        }
        hart_set_csr(h, CSR_MSTATUS, vc->uc.saved_mstatus);
        enum rvnest_ucode kind = vc->uc.kind;
        rvnest_ucode_done(vc);
        ucode_finish(vc, kind);
        return true;
    }
    if (mpp != PRV_S || (ms & MSTATUS_MPV))
        return false;
    bool uc_end = vc->uc.kind != UCODE_NONE && !vc->uc.in_m && from_pc == vc->uc.end_pc;
    if (!uc_end) {
        if (from_pc == vm->l0_base + L0_OFF_VECTOR)
            rvnest_fatal(vm, "the L0 vector executed in HS (scause %#llx sepc %#llx): an L0 bug",
                         (unsigned long long)hart_csr(h, CSR_SCAUSE),
                         (unsigned long long)hart_csr(h, CSR_SEPC));
        return false;                     /* e.g. the microcode's own ecall */
    }
    /* Undo the M-mode trap entry before any firmware instruction runs:
     * mstatus.MIE comes back from MPIE. */
    if (ms & MSTATUS_MPIE)
        ms |= MSTATUS_MIE;
    hart_set_csr(h, CSR_MSTATUS, ms);
    vc->in_mret = false;
    enum rvnest_ucode kind = vc->uc.kind;
    rvnest_ucode_done(vc);
    ucode_finish(vc, kind);
    return true;
}

/* What a finished microcode run leaves to do, then the resume. */
static void ucode_finish(struct rvnest_vcpu *vc, enum rvnest_ucode kind)
{
    struct rvnest_hart *h = vc->hart;
    switch (kind) {
    case UCODE_SET_VSTIMECMP:
        hart_set_gpr(h, 10, 0);           /* SBI_SUCCESS */
        hart_set_gpr(h, 11, 0);
        break;
    case UCODE_SET_VSTIMECMP_LEGACY:
        hart_set_gpr(h, 10, 0);
        break;
    case UCODE_SBI_FORWARD_ENVCFG:
        rvnest_envcfg_sync(vc);       /* OpenSBI's a0/a1 stand */
        break;
    case UCODE_ENTER_L2:
    case UCODE_EXIT_L2:
        rvnest_world_ucode_done(vc, kind);
        break;
    case UCODE_SBI_LEGACY_MASK:
        /* a legacy call returns a0 only: the rest is L1's again */
        for (unsigned r = 11; r <= 17; r++)
            hart_set_gpr(h, r, vc->uc.saved_a[r - 10]);
        break;
    default:
        break;                            /* OpenSBI's a0/a1 stand */
    }
    rvnest_resume(vc, vc->uc.resume_pc, vc->uc.resume_priv);
}
