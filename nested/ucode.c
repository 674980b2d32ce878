/* L0 microcode: short sequences L0 runs in real HS for what its hart
 * interface cannot do directly, an ecall to OpenSBI or a CSR missing from
 * QEMU's register list (ARCHITECTURE.md fact 8). Each sequence ends with an
 * all-zero word: an illegal instruction OpenSBI does not delegate, so it
 * traps to M where rvnest_on_m_trap() takes over before any firmware
 * instruction runs. HS interrupts stay masked (HS sstatus.SIE is 0). */
#include "rvnest/engine.h"
#include "rvnest/csr.h"

void rvnest_ucode_run(struct rvnest_vcpu *vc, enum rvnest_ucode kind, uint64_t resume_pc,
                      unsigned resume_priv)
{
    struct rvnest_vm *vm = vc->vm;
    uint64_t start;
    switch (kind) {
    case UCODE_SBI_FORWARD:
        start = vm->l0_base + L0_OFF_UC_ECALL;
        break;
    case UCODE_SET_VSTIMECMP:
    case UCODE_SET_VSTIMECMP_LEGACY:
        start = vm->l0_base + L0_OFF_UC_VSTIMECMP;
        break;
    default:
        return;
    }
    vc->uc.kind = kind;
    vc->uc.resume_pc = resume_pc;
    vc->uc.resume_priv = resume_priv;
    vc->uc.end_pc = start + 4;
    vm->stats.ucode_runs++;
    rvnest_resume(vc, start, PRV_S);
}

/* The microcode words, written into L0 memory at boot. */
const uint32_t rvnest_ucode_ecall[2] = { 0x00000073u /* ecall */, 0 };
const uint32_t rvnest_ucode_vstimecmp[2] = {
    (CSR_VSTIMECMP << 20) | (10u << 15) | (1u << 12) | 0x73u, /* csrw vstimecmp, a0 */
    0,
};
