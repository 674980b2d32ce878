/* The SBI interface L1 expects from its firmware (ARCHITECTURE.md section
 * 6), as a table of extensions. Each is handled in L0 or forwarded to
 * OpenSBI by running L1's own ecall from real HS (L0 microcode): the
 * arguments are already in a0-a7 and L1's guest-physical addresses are
 * host-physical (identity G-stage), once L0 has checked they do not touch
 * L0 memory. */
#include "rvnest/engine.h"
#include "rvnest/csr.h"
#include "rvnest/sbi.h"

struct sbi_call {
    unsigned long ext, fid;
    uint64_t arg[6];
    long err;                 /* a0 */
    uint64_t value;           /* a1 */
    bool legacy;              /* legacy calls return a0 only */
};

enum sbi_action {
    SBI_DONE,                 /* err/value set, resume after the ecall */
    SBI_LEGACY_MASK,          /* L0 rewrote a legacy call's registers (sbi_legacy_smp) */
    SBI_TRAPPED,              /* L1 took an exception instead */
    SBI_FORWARD,              /* pass the ecall to OpenSBI */
    SBI_SET_TIMER,            /* write vstimecmp = arg0 through microcode */
    SBI_FORWARD_ENVCFG,       /* pass to OpenSBI, then follow its menvcfg */
};

struct sbi_ext {
    unsigned long ext_lo, ext_hi;
    enum rvnest_exit reason;
    bool l0_handled;          /* probe answers 1 without asking OpenSBI */
    enum sbi_action (*handle)(struct rvnest_vcpu *vc, struct sbi_call *c);
};

static enum sbi_action sbi_base(struct rvnest_vcpu *vc, struct sbi_call *c);

static enum sbi_action sbi_time(struct rvnest_vcpu *vc, struct sbi_call *c)
{
    (void)vc;
    if (c->fid != 0) {
        c->err = SBI_ERR_NOT_SUPPORTED;
        return SBI_DONE;
    }
    return SBI_SET_TIMER;
}

/* HSM: OpenSBI answers every call itself (its hart-id, address and state
 * checks are the native ones). A start or a non-retentive resume comes back
 * as a firmware entry into HS, which L0 turns into an entry into L1 at V=1
 * (nested/boot.c); stop and suspend act on the real hart. */
static enum sbi_action sbi_forward(struct rvnest_vcpu *vc, struct sbi_call *c)
{
    (void)vc;
    (void)c;
    return SBI_FORWARD;
}

/* IPI and RFENCE also go to OpenSBI, which validates the hart mask as
 * natively and delivers: an IPI raises the real SSIP of the target hart,
 * which L0 turns into L1's VSSIP (nested/irq.c); a fence runs on the real
 * harts. A remote HFENCE.GVMA runs in M-mode, where L0 does not see it, so
 * L0 drops the shadow G-stage entries it names first, on every hart (the
 * whole VMID, or everything: more than the harts and range asked for,
 * which is always allowed);
 * QEMU's TLB is flushed on every V switch anyway (ARCHITECTURE.md fact 4). */
static enum sbi_action sbi_rfence(struct rvnest_vcpu *vc, struct sbi_call *c)
{
    if (c->fid == SBI_RFENCE_HFENCE_GVMA_VMID || c->fid == SBI_RFENCE_HFENCE_GVMA) {
        struct rvnest_inval r = { .all_addr = true, .all_id = c->fid == SBI_RFENCE_HFENCE_GVMA,
                                  .id = c->arg[4], .remote = true };
        rvnest_shadow_inval(vc, &r);
    }
    return SBI_FORWARD;
}

/* DBCN passes a guest-physical buffer that OpenSBI accesses from M-mode,
 * where L0's G-stage does not apply. OpenSBI's own checks come first and in
 * its order (lib/sbi/sbi_ecall_dbcn.c): a non-zero high address word is
 * SBI_ERR_FAILED on RV64. Then L0 refuses a buffer that reaches memory L1
 * cannot access itself, e.g. L0's (SBI spec, DBCN: SBI_ERR_INVALID_PARAM
 * when the memory does not satisfy the requirements); natively such memory
 * does not exist. The rest is OpenSBI's. */
static enum sbi_action sbi_dbcn(struct rvnest_vcpu *vc, struct sbi_call *c)
{
    if (c->fid == SBI_DBCN_WRITE || c->fid == SBI_DBCN_READ) {
        uint64_t len = c->arg[0], base = c->arg[1];
        if (c->arg[2] != 0) {
            c->err = SBI_ERR_FAILED;
            return SBI_DONE;
        }
        if (l1_range_unmapped(vc->vm, base, len)) {
            c->err = SBI_ERR_INVALID_PARAM;
            return SBI_DONE;
        }
    }
    return SBI_FORWARD;
}

/* SBI v0.1 IPI and remote fences name the harts through a pointer to a
 * mask in L1's virtual memory, which OpenSBI reads with an unprivileged
 * load from M-mode (sbi_load_hart_mask_unpriv): a null pointer means every
 * hart, a fault is redirected to L1 at the ecall. Forwarded as they are,
 * OpenSBI would read it through L0's translation, so L0 reads the mask
 * through L1's own and passes the call on as its v0.2 equivalent (the same
 * checks and delivery in OpenSBI: sbi_ipi_send_smode, sbi_tlb_request),
 * L1's registers but a0 restored afterwards. */
static enum sbi_action sbi_legacy_smp(struct rvnest_vcpu *vc, struct sbi_call *c)
{
    struct rvnest_hart *h = vc->hart;
    uint64_t mask = 0, ptr = c->arg[0];
    if (!ptr) {
        for (unsigned i = 0; i < vc->vm->nharts; i++)
            mask |= 1ull << i;
    } else {
        struct walk_result res;
        rvnest_l1_own_walk(vc, ptr, WALK_LOAD, &res);
        if (res.status == WALK_OK && (!rvnest_l1_may_access(vc, res.pa, 8, L1_ACC_READ) ||
                                      !h->ops->read_phys(h, res.pa, &mask, 8)))
            res.status = WALK_ACCESS_FAULT;
        if (res.status != WALK_OK) {
            rvnest_deliver_l1_exception(vc, &(struct rvnest_l1_trap){
                .cause = rvnest_walk_cause(&res, WALK_LOAD, false), .tval = ptr });
            return SBI_TRAPPED;
        }
    }
    for (unsigned r = 10; r <= 17; r++)
        vc->uc.saved_a[r - 10] = hart_gpr(h, r);
    uint64_t a[6] = { mask, 0, 0, 0, 0, 0 };
    uint64_t ext = SBI_EXT_RFENCE, fid = 0;
    switch (c->ext) {
    case SBI_EXT_LEGACY_SEND_IPI:
        ext = SBI_EXT_IPI;
        break;
    case SBI_EXT_LEGACY_REMOTE_FENCE_I:
        break;
    case SBI_EXT_LEGACY_REMOTE_SFENCE:
        fid = 1, a[2] = c->arg[1], a[3] = c->arg[2];
        break;
    default:                          /* SBI_EXT_LEGACY_REMOTE_SFENCE_ASID */
        fid = 2, a[2] = c->arg[1], a[3] = c->arg[2], a[4] = c->arg[3];
        break;
    }
    for (unsigned i = 0; i < 6; i++)
        hart_set_gpr(h, 10 + i, a[i]);
    hart_set_gpr(h, 16, fid);
    hart_set_gpr(h, 17, ext);
    return SBI_LEGACY_MASK;
}

static enum sbi_action sbi_legacy(struct rvnest_vcpu *vc, struct sbi_call *c)
{
    c->legacy = true;
    switch (c->ext) {
    case SBI_EXT_LEGACY_SET_TIMER:
        return SBI_SET_TIMER;
    case SBI_EXT_LEGACY_CLEAR_IPI:
        rvnest_irq_clear_ipi(vc);
        c->err = SBI_SUCCESS;
        return SBI_DONE;
    case SBI_EXT_LEGACY_SEND_IPI:
        if (vc->vm->nharts > 1)
            return sbi_legacy_smp(vc, c);
        /* The mask is a pointer into L1's virtual memory; with one hart the
         * only possible target is this one. */
        rvnest_irq_send_ipi(vc);
        c->err = SBI_SUCCESS;
        return SBI_DONE;
    case SBI_EXT_LEGACY_REMOTE_FENCE_I:
    case SBI_EXT_LEGACY_REMOTE_SFENCE:
    case SBI_EXT_LEGACY_REMOTE_SFENCE_ASID:
        if (vc->vm->nharts > 1)
            return sbi_legacy_smp(vc, c);
        c->err = SBI_SUCCESS;         /* see sbi_rfence() */
        return SBI_DONE;
    default:                          /* putchar, getchar, shutdown */
        return SBI_FORWARD;
    }
}

/* FWFT: OpenSBI's answers are the native ones. A feature may change what
 * the firmware grants HS (menvcfg: PTE A/D updating, landing pads, shadow
 * stacks, double trap, pointer masking), which L0 then carries over to L1 at
 * V=1 (rvnest_envcfg_sync); MISALIGNED_EXC_DELEG changes the real medeleg,
 * which L0 reads whenever it delivers an exception to L1. */
static enum sbi_action sbi_fwft(struct rvnest_vcpu *vc, struct sbi_call *c)
{
    (void)vc;
    (void)c;
    return SBI_FORWARD_ENVCFG;
}

static const struct sbi_ext sbi_exts[] = {
    { SBI_EXT_LEGACY_SET_TIMER, SBI_EXT_LEGACY_SHUTDOWN, EXIT_SBI_LEGACY, false, sbi_legacy },
    { SBI_EXT_BASE, SBI_EXT_BASE, EXIT_SBI_BASE, true, sbi_base },
    { SBI_EXT_TIME, SBI_EXT_TIME, EXIT_SBI_TIME, true, sbi_time },
    { SBI_EXT_IPI, SBI_EXT_IPI, EXIT_SBI_IPI, false, sbi_forward },
    { SBI_EXT_RFENCE, SBI_EXT_RFENCE, EXIT_SBI_RFENCE, false, sbi_rfence },
    { SBI_EXT_HSM, SBI_EXT_HSM, EXIT_SBI_HSM, false, sbi_forward },
    { SBI_EXT_SRST, SBI_EXT_SRST, EXIT_SBI_SRST, false, sbi_forward },
    { SBI_EXT_DBCN, SBI_EXT_DBCN, EXIT_SBI_DBCN, false, sbi_dbcn },
    { SBI_EXT_FWFT, SBI_EXT_FWFT, EXIT_SBI_FWFT, false, sbi_fwft },
};
#define N_EXTS (sizeof(sbi_exts) / sizeof(sbi_exts[0]))

static const struct sbi_ext *find_ext(unsigned long ext)
{
    for (unsigned i = 0; i < N_EXTS; i++)
        if (ext >= sbi_exts[i].ext_lo && ext <= sbi_exts[i].ext_hi)
            return &sbi_exts[i];
    return NULL;
}

/* BASE: version and identity queries go to OpenSBI so that L1 sees its real
 * firmware; probe_extension answers for what L0 implements, asks OpenSBI
 * for forwarded extensions, and hides everything else (PMU, SUSP, CPPC,
 * FWFT, ...: not virtualized yet, so L1 must not use them). */
static enum sbi_action sbi_base(struct rvnest_vcpu *vc, struct sbi_call *c)
{
    (void)vc;
    if (c->fid != SBI_BASE_PROBE_EXT)
        return SBI_FORWARD;
    const struct sbi_ext *e = find_ext(c->arg[0]);
    if (e && !e->l0_handled)
        return SBI_FORWARD;
    c->err = SBI_SUCCESS;
    c->value = e ? 1 : 0;
    return SBI_DONE;
}

void rvnest_sbi_ecall(struct rvnest_vcpu *vc)
{
    struct rvnest_hart *h = vc->hart;
    struct sbi_call c = { .ext = hart_gpr(h, 17), .fid = hart_gpr(h, 16) };
    for (int i = 0; i < 6; i++)
        c.arg[i] = hart_gpr(h, 10 + i);
    const struct sbi_ext *e = find_ext(c.ext);
    uint64_t next_pc = hart_csr(h, CSR_SEPC) + 4;
    unsigned priv = rvnest_trap_priv(vc) | PRIV_V;
    enum sbi_action act;
    if (!e) {
        vc->stats.exits[EXIT_SBI_UNSUPPORTED]++;
        c.err = SBI_ERR_NOT_SUPPORTED;
        act = SBI_DONE;
    } else {
        vc->stats.exits[e->reason]++;
        act = e->handle(vc, &c);
    }
    switch (act) {
    case SBI_DONE:
        hart_set_gpr(h, 10, (uint64_t)c.err);
        if (!c.legacy)
            hart_set_gpr(h, 11, c.value);
        rvnest_resume(vc, next_pc, priv);
        break;
    case SBI_FORWARD:
        rvnest_ucode_run(vc, UCODE_SBI_FORWARD, next_pc, priv);
        break;
    case SBI_LEGACY_MASK:
        rvnest_ucode_run(vc, UCODE_SBI_LEGACY_MASK, next_pc, priv);
        break;
    case SBI_TRAPPED:
        break;
    case SBI_FORWARD_ENVCFG:
        rvnest_ucode_run(vc, UCODE_SBI_FORWARD_ENVCFG, next_pc, priv);
        break;
    case SBI_SET_TIMER:
        rvnest_ucode_run(vc, c.legacy ? UCODE_SET_VSTIMECMP_LEGACY : UCODE_SET_VSTIMECMP,
                         next_pc, priv);
        break;
    }
}
