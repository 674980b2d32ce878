/* L0 microcode: short sequences L0 runs in real HS (or, for the timers,
 * in M: rvnest_ucode_run) for what its hart interface cannot do directly,
 * an ecall to OpenSBI or a CSR missing from QEMU's register list
 * (ARCHITECTURE.md fact 8). Each sequence ends with an all-zero word: an
 * illegal instruction OpenSBI does not delegate, so it traps to M where
 * rvnest_on_m_trap() takes over before any firmware instruction runs; the
 * L2 entry's ends with its own mret instead. HS interrupts stay masked (HS
 * sstatus.SIE is 0), M ones too in an M run (mstatus.MIE cleared).
 *
 * There is no IOMMU on the virt board: a DMA-capable device L1 controls can
 * write any RAM, L0's included. The words are therefore checked in L0
 * memory before every run and written again when they differ, so what runs
 * is L0's own code but for a device write between that check and the run
 * (docs/architecture.md, "Limits"). */
#include "rvnest/engine.h"
#include <string.h>
#include "rvnest/csr.h"

#define RVNEST_UCODE_MAX_WORDS 4   /* the longest sequence, its zero word included */

struct ucode_seq {
    uint64_t offset;                  /* in L0 memory */
    const uint32_t *words;
    unsigned n;                       /* including the final zero word */
    bool in_m;                        /* may run in M (see rvnest_ucode_run) */
    const uint32_t *words_s;          /* direct (in M, ends with an mret), and these */
    unsigned n_s;                     /* words when it runs in S instead */
};

/* The microcode words. */
const uint32_t rvnest_ucode_ecall[2] = { 0x00000073u /* ecall */, 0 };
const uint32_t rvnest_ucode_vstimecmp[2] = {
    (CSR_VSTIMECMP << 20) | (10u << 15) | (1u << 12) | 0x73u, /* csrw vstimecmp, a0 */
    0,
};

/* Real sepc is free during a run (L0 has consumed the trap), so it carries
 * the value: csrrw t0, sepc, t0; csrw stimecmp, t0; csrrw t0, sepc, t0. */
static const uint32_t ucode_stimecmp[4] = {
    (CSR_SEPC << 20) | (5u << 15) | (1u << 12) | (5u << 7) | 0x73u,
    (CSR_STIMECMP << 20) | (5u << 15) | (1u << 12) | 0x73u,
    (CSR_SEPC << 20) | (5u << 15) | (1u << 12) | (5u << 7) | 0x73u,
    0,
};

/* World switches (nested/world.c): t0 and t1 carry values; L0 saves the
 * guest's and puts them back.
 *   enter L2: csrrw t0, vstimecmp, t0 (t0: L2's in, L1's out);
 *             csrw stimecmp, t0 (L1's timer now preempts L2 in HS);
 *             csrr t0, mtval (the guest's t0, which L0 left there);
 *             mret (into L2: mepc and mstatus.MPP/MPV/MPIE set by L0).
 *             Nothing comes back to L0, so the run ends in L2 itself, not
 *             with a trap: one exception and one L0 entry fewer per entry.
 *             A run that cannot take this path (S, during an mret) ends
 *             with the zero word after the first two.
 *   exit L2:  csrr t0, stimecmp (L1's, where the entry put it);
 *             csrrw t0, vstimecmp, t0 (L1's in, L2's out: L0 keeps it);
 *             csrw stimecmp, t1 (L0's) */
#define CSRRW(rd, csr, rs1) (((uint32_t)(csr) << 20) | ((rs1) << 15) | (1u << 12) | ((rd) << 7) | 0x73u)
#define CSRRS(rd, csr, rs1) (((uint32_t)(csr) << 20) | ((rs1) << 15) | (2u << 12) | ((rd) << 7) | 0x73u)
#define INSN_MRET 0x30200073u
static const uint32_t ucode_enter_l2[4] = { CSRRW(5, CSR_VSTIMECMP, 5), CSRRW(0, CSR_STIMECMP, 5),
                                            CSRRS(5, CSR_MTVAL, 0), INSN_MRET };
static const uint32_t ucode_enter_l2_s[3] = { CSRRW(5, CSR_VSTIMECMP, 5), CSRRW(0, CSR_STIMECMP, 5), 0 };
static const uint32_t ucode_exit_l2[4] = { CSRRS(5, CSR_STIMECMP, 0), CSRRW(5, CSR_VSTIMECMP, 5),
                                           CSRRW(0, CSR_STIMECMP, 6), 0 };

_Static_assert(L0_OFF_UC_EXIT_L2 + 0x10 + (RVNEST_MAX_HARTS - 1) * L0_UC_HART_STRIDE <= 0x1000,
               "every hart's microcode fits in the microcode page");

static const struct ucode_seq seqs[] = {
    [UCODE_SBI_FORWARD] = { L0_OFF_UC_ECALL, rvnest_ucode_ecall, 2 },
    [UCODE_SET_VSTIMECMP] = { L0_OFF_UC_VSTIMECMP, rvnest_ucode_vstimecmp, 2, true },
    [UCODE_SET_VSTIMECMP_LEGACY] = { L0_OFF_UC_VSTIMECMP, rvnest_ucode_vstimecmp, 2, true },
    [UCODE_CSR_REPLAY] = { L0_OFF_UC_REPLAY, NULL, 2 },   /* words built per run */
    [UCODE_SBI_FORWARD_ENVCFG] = { L0_OFF_UC_ECALL, rvnest_ucode_ecall, 2 },
    [UCODE_SET_STIMECMP] = { L0_OFF_UC_STIMECMP, ucode_stimecmp, 4, true },
    [UCODE_ENTER_L2] = { L0_OFF_UC_ENTER_L2, ucode_enter_l2, 4, true, ucode_enter_l2_s, 3 },
    [UCODE_EXIT_L2] = { L0_OFF_UC_EXIT_L2, ucode_exit_l2, 4, true },
    [UCODE_SBI_LEGACY_MASK] = { L0_OFF_UC_ECALL, rvnest_ucode_ecall, 2 },
};

void rvnest_ucode_run(struct rvnest_vcpu *vc, enum rvnest_ucode kind, uint64_t resume_pc,
                      unsigned resume_priv)
{
    struct rvnest_vm *vm = vc->vm;
    struct rvnest_hart *h = vc->hart;
    if (kind == UCODE_NONE || kind >= sizeof(seqs) / sizeof(seqs[0]) ||
        (!seqs[kind].words && kind != UCODE_CSR_REPLAY)) {
        rvnest_fatal(vm, "unknown microcode sequence %d: an L0 bug", (int)kind);
        return;
    }
    const struct ucode_seq *s = &seqs[kind];
    bool in_m = s->in_m && !vc->in_mret;
    /* a direct run takes the guest's t0 from mtval: writing it there is
     * also what tells that the hart has mtval (it is a dead value outside
     * the firmware's own traps) */
    bool direct = in_m && s->words_s && h->ops->set_csr(h, CSR_MTVAL, vc->uc.saved_t0);
    const uint32_t *words = kind == UCODE_CSR_REPLAY ? vc->uc.replay
                          : s->words_s && !direct ? s->words_s : s->words;
    unsigned n = s->words_s && !direct ? s->n_s : s->n;
    uint64_t start = vm->l0_base + s->offset + (uint64_t)h->index * L0_UC_HART_STRIDE;
    /* Written only when what is there differs: a write to a page QEMU has
     * translated code from invalidates that code (and every hart's jump
     * cache), so writing the same words before every run made each run
     * retranslate. Reading them is as safe as writing them: either is done
     * here, just before the run, and a device's DMA write after it is seen
     * by QEMU's own self-modifying-code check. */
    uint32_t cur[RVNEST_UCODE_MAX_WORDS];
    size_t len = n * sizeof(uint32_t);
    bool same = n <= RVNEST_UCODE_MAX_WORDS && h->ops->read_phys(h, start, cur, len) &&
                !memcmp(cur, words, len);
    if (!same && !h->ops->write_phys(h, start, words, len)) {
        rvnest_fatal(vm, "cannot write L0 microcode at %#llx", (unsigned long long)start);
        return;
    }
    vc->uc.kind = kind;
    vc->uc.resume_pc = resume_pc;
    vc->uc.resume_priv = resume_priv;
    vc->uc.start_pc = start;
    vc->uc.end_pc = start + 4ull * (n - 1);
    vc->stats.ucode_runs++;
    /* A sequence of CSR accesses only (the timers) runs in M: PMP does not
     * bind M (L0's entries are not locked), so the microcode page need not
     * be opened to S and closed again, two PMP writes that each flush
     * QEMU's whole TLB, and no SBI call runs that could reprogram PMP.
     * mstatus is saved with MIE cleared, so no M interrupt enters the
     * firmware from L0's words, and restored whole at the end word (its
     * trap from M wrote MPP, MPIE, MIE). Not while an mret is being
     * handled (vc->in_mret): the run then starts through that mret, which
     * takes the S path. */
    vc->uc.in_m = in_m;
    vc->uc.direct = direct;
    if (direct) {
        /* Its mret enters the guest: mepc, MPP/MPV the guest's, MPIE the
         * MIE it had (the mret restores it); the guest's t0 is in mtval
         * (an M trap register: no M trap can come before the run reads
         * it, MIE being clear). The firmware's mepc/MPP/MPV/mtval outside
         * a trap of its own are dead values; mret leaves MPP=U, MPRV=0 as
         * its own mrets do. */
        uint64_t ms = hart_csr(h, CSR_MSTATUS);
        vc->uc.saved_mstatus = ms;
        ms &= ~(MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP | MSTATUS_MPV);
        ms |= (vc->uc.saved_mstatus & MSTATUS_MIE) ? MSTATUS_MPIE : 0;
        ms |= (uint64_t)(resume_priv & 3) << MSTATUS_MPP_SHIFT;
        if (resume_priv & PRIV_V)
            ms |= MSTATUS_MPV;
        hart_set_csr(h, CSR_MSTATUS, ms);
        hart_set_csr(h, CSR_MEPC, resume_pc);
        rvnest_resume(vc, start, PRV_M);
        return;
    }
    if (in_m) {
        vc->uc.saved_mstatus = hart_csr(h, CSR_MSTATUS);
        if (vc->uc.saved_mstatus & MSTATUS_MIE)
            hart_set_csr(h, CSR_MSTATUS, vc->uc.saved_mstatus & ~MSTATUS_MIE);
        rvnest_resume(vc, start, PRV_M);
        return;
    }
    rvnest_pmp_ucode(vc, true);
    rvnest_resume(vc, start, PRV_S);
}

bool rvnest_ucode_owns_pc(const struct rvnest_vcpu *vc, uint64_t pc)
{
    return vc->uc.kind != UCODE_NONE && pc >= vc->uc.start_pc && pc <= vc->uc.end_pc;
}

/* Runs one Zicsr instruction of L1's in real HS, where it means what it
 * would natively: for CSRs whose access traps only because L1 runs at V=1
 * (Zkr seed, H chapter "Virtual Instruction Exception"). The word is built
 * by L0 from the decoded fields, the CSR number from L0's own table, so no
 * instruction of L1's runs in real HS; the registers it names are L1's own,
 * live in the hart. */
void rvnest_ucode_replay_csr(struct rvnest_vcpu *vc, unsigned csr, unsigned funct3,
                             unsigned rd, unsigned rs1, uint64_t l1_pc, unsigned l1_priv)
{
    vc->uc.replay[0] = ((uint32_t)(csr & 0xfff) << 20) | ((rs1 & 31u) << 15) |
                       ((funct3 & 7u) << 12) | ((rd & 31u) << 7) | 0x73u;
    vc->uc.replay[1] = 0;
    vc->uc.l1_pc = l1_pc;
    rvnest_ucode_run(vc, UCODE_CSR_REPLAY, l1_pc + 4, l1_priv);
}

/* A run is over (its end word trapped, or its instruction faulted): the
 * microcode page is L0's alone again, and PMP is checked in case the
 * firmware reprogrammed it meanwhile (an SBI call may). */
void rvnest_ucode_done(struct rvnest_vcpu *vc)
{
    vc->uc.kind = UCODE_NONE;
    if (vc->uc.in_m) {
        vc->uc.in_m = vc->uc.direct = false;
        return;                       /* PMP was not touched */
    }
    if (rvnest_pmp_intact(vc))
        rvnest_pmp_ucode(vc, false);
    else
        rvnest_pmp_install(vc, false);
}
