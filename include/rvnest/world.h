/* Levels and world switches (nested/world.c, nested/l2_trap.c).
 *
 * The hart runs one level at a time, and the level says where every piece
 * of guest state lives (ARCHITECTURE.md section 5):
 *
 *                          level L1 (L1 runs)          level L2 (L2 runs)
 *   L1's S registers       real VS CSRs                world.l1 (saved)
 *   L2's VS registers      vcsr.val[VCSR_VS*]          real VS CSRs
 *   L1's virtual H CSRs    vcsr.val[VCSR_H*]           vcsr.val[VCSR_H*]
 *   real H CSRs            L0's, to run L1             composed from L1's virtual
 *                                                      ones and L0's needs
 *   real hgatp             Bare (PMP isolates L1)      the shadow G-stage for
 *                                                      L1's hgatp (shadow.h)
 *   L1's stimecmp          real vstimecmp              the real HS stimecmp
 *                                                      (it preempts L2 there)
 *   L2's vstimecmp         vcsr.val[VCSR_VSTIMECMP]    real vstimecmp
 *
 * A world switch moves exactly these: rvnest_enter_l2 on L1's sret with
 * virtual hstatus.SPV=1, rvnest_exit_l2 on a trap L1 must see. */
#ifndef RVNEST_WORLD_H
#define RVNEST_WORLD_H

#include <stdint.h>

enum rvnest_level {
    RVNEST_L1 = 0,                    /* L1 runs (at V=1, believing it is in HS/U) */
    RVNEST_L2 = 1,                    /* one of L1's guests runs (at V=1: VS/VU) */
};

/* L1's supervisor state while L2 runs: what the real VS CSRs (and the VS
 * bits of the real mie/hvip) hold while L1 runs. */
struct rvnest_l1_state {
    uint64_t sstatus, stvec, sscratch, sepc, scause, stval, satp;
    uint64_t sie;                     /* L1's sie (S bit positions) */
    uint64_t hvip;                    /* L1's own interrupts L0 presents through the
                                         real hvip (VSSIP: IPI, VSEIP: PLIC level) */
};

struct rvnest_world {
    enum rvnest_level level;
    uint64_t l2_hgatp;                /* L1's hgatp when it entered the running L2 */
    unsigned l2_shadow;               /* that L2's shadow context (shadow.h) */
    unsigned l2_priv;                 /* PRV_S or PRV_U: where L2 was entered */
    struct rvnest_l1_state l1;        /* valid while level == RVNEST_L2 */
    uint64_t l0_sstatus;              /* real HS sstatus FS/VS/MXR while L1 runs */
    uint64_t l0_mie_local;            /* L0's real mie bits 13-63, kept here while
                                         L2 runs (L1's are the real ones then) */
    struct {                          /* L2's last guest page fault L1 took */
        bool valid;
        uint64_t gpa, l1_hgatp;       /* where, and under which L1 hgatp */
        int access;                   /* enum walk_access */
    } prefetch;
};

struct rvnest_vcpu;
/* L1's sret with its virtual hstatus.SPV=1 (the real sepc is L1's sret):
 * enter L2, or, when L1 has an interrupt pending and enabled, take it at
 * L2's first instruction as the hart would. */
void rvnest_enter_l2(struct rvnest_vcpu *vc);
/* A trap from L2 that L1 must see. */
struct rvnest_l1_trap;
void rvnest_exit_l2(struct rvnest_vcpu *vc, const struct rvnest_l1_trap *t);
/* nested/l2_trap.c: an exception of L2's at epc that the firmware
 * redirects (access faults), or that the hart raises itself, delivered as
 * natively (to L2 when L1's hedeleg has it, else to L1). */
void rvnest_l2_redirected_exception(struct rvnest_vcpu *vc, uint64_t cause, uint64_t tval,
                                    uint64_t epc, unsigned spvp);
void rvnest_l2_hart_exception(struct rvnest_vcpu *vc, const struct rvnest_l1_trap *t, uint64_t epc);
/* nested/l2_device.c: L2's access (the guest page fault t at epc) to pa, a
 * device page L0 performs for L1; pte_read: a read of L2's VS-stage table. */
void rvnest_l2_device_access(struct rvnest_vcpu *vc, const struct rvnest_l1_trap *t, uint64_t epc,
                             uint64_t pa, bool pte_read);
/* A trap into real HS while L2 runs (nested/l2_trap.c). redirect: OpenSBI
 * redirected it (sbi_trap_redirect), which leaves htinst as it was. */
void rvnest_l2_trap(struct rvnest_vcpu *vc, bool redirect);
/* The composition rules (nested/world.c), for the unit tests. */
uint64_t rvnest_l2_real_hstatus(uint64_t l1_hstatus);
uint64_t rvnest_l2_real_sie(const struct rvnest_vcpu *vc);
/* A system reset or cold boot: whatever ran, L1 is the level again. */
void rvnest_world_reset(struct rvnest_vcpu *vc);

#endif
