/* L0 microcode: short sequences L0 runs in real HS for what its hart
 * interface cannot do directly, an ecall to OpenSBI or a CSR missing from
 * QEMU's register list (ARCHITECTURE.md fact 8). Each sequence ends with an
 * all-zero word: an illegal instruction OpenSBI does not delegate, so it
 * traps to M where rvnest_on_m_trap() takes over before any firmware
 * instruction runs. HS interrupts stay masked (HS sstatus.SIE is 0).
 *
 * There is no IOMMU on the virt board: a DMA-capable device L1 controls can
 * write any RAM, L0's included. The sequence is therefore written afresh
 * into L0 memory before every run, so what runs in real HS is always L0's
 * own code (docs/architecture.md, "Limits"). */
#include "rvnest/engine.h"
#include "rvnest/csr.h"

struct ucode_seq {
    uint64_t offset;                  /* in L0 memory */
    const uint32_t *words;
    unsigned n;                       /* including the final zero word */
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
 * guest's and puts them back at the end.
 *   enter L2: csrrw t0, vstimecmp, t0 (t0: L2's in, L1's out);
 *             csrw stimecmp, t0 (L1's timer now preempts L2 in HS)
 *   exit L2:  csrrw t0, vstimecmp, t0 (t0: L1's in, L2's out);
 *             csrw stimecmp, t1 */
#define CSRRW(rd, csr, rs1) (((uint32_t)(csr) << 20) | ((rs1) << 15) | (1u << 12) | ((rd) << 7) | 0x73u)
static const uint32_t ucode_enter_l2[3] = { CSRRW(5, CSR_VSTIMECMP, 5), CSRRW(0, CSR_STIMECMP, 5), 0 };
static const uint32_t ucode_exit_l2[3] = { CSRRW(5, CSR_VSTIMECMP, 5), CSRRW(0, CSR_STIMECMP, 6), 0 };

_Static_assert(L0_OFF_UC_EXIT_L2 + 0x10 + (RVNEST_MAX_HARTS - 1) * L0_UC_HART_STRIDE <= 0x1000,
               "every hart's microcode fits in the microcode page");

static const struct ucode_seq seqs[] = {
    [UCODE_SBI_FORWARD] = { L0_OFF_UC_ECALL, rvnest_ucode_ecall, 2 },
    [UCODE_SET_VSTIMECMP] = { L0_OFF_UC_VSTIMECMP, rvnest_ucode_vstimecmp, 2 },
    [UCODE_SET_VSTIMECMP_LEGACY] = { L0_OFF_UC_VSTIMECMP, rvnest_ucode_vstimecmp, 2 },
    [UCODE_CSR_REPLAY] = { L0_OFF_UC_REPLAY, NULL, 2 },   /* words built per run */
    [UCODE_SBI_FORWARD_ENVCFG] = { L0_OFF_UC_ECALL, rvnest_ucode_ecall, 2 },
    [UCODE_SET_STIMECMP] = { L0_OFF_UC_STIMECMP, ucode_stimecmp, 4 },
    [UCODE_ENTER_L2] = { L0_OFF_UC_ENTER_L2, ucode_enter_l2, 3 },
    [UCODE_EXIT_L2] = { L0_OFF_UC_EXIT_L2, ucode_exit_l2, 3 },
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
    const uint32_t *words = kind == UCODE_CSR_REPLAY ? vc->uc.replay : s->words;
    uint64_t start = vm->l0_base + s->offset + (uint64_t)h->index * L0_UC_HART_STRIDE;
    if (!h->ops->write_phys(h, start, words, s->n * sizeof(uint32_t))) {
        rvnest_fatal(vm, "cannot write L0 microcode at %#llx", (unsigned long long)start);
        return;
    }
    vc->uc.kind = kind;
    vc->uc.resume_pc = resume_pc;
    vc->uc.resume_priv = resume_priv;
    vc->uc.start_pc = start;
    vc->uc.end_pc = start + 4ull * (s->n - 1);
    vc->stats.ucode_runs++;
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
    if (rvnest_pmp_intact(vc))
        rvnest_pmp_ucode(vc, false);
    else
        rvnest_pmp_install(vc, false);
}
