/* Virtual-instruction traps from L1 (H chapter, "Virtual Instruction
 * Exception"): L1 runs at V=1 but believes it is in HS, so every
 * instruction HS may execute and VS may not lands here. */
#include <stdio.h>
#include "rvnest/engine.h"
#include "rvnest/csr.h"
#include "rvnest/decode.h"
#include "nested/fetch.h"

static void illegal(struct rvnest_vcpu *vc, uint32_t insn)
{
    rvnest_deliver_l1_exception(vc, &(struct rvnest_l1_trap){ .cause = EXC_ILLEGAL_INST, .tval = insn });
}

/* Zicsr semantics: csrrw always writes (and reads unless rd=x0, without
 * side effects here); csrrs/csrrc write only when rs1/uimm is not x0/0; a
 * write to a read-only CSR number (bits 11:10 == 3) is illegal. */
/* CSRs L1 may access in HS but not at V=1 while the firmware lets S have
 * them (H chapter, "Virtual Instruction Exception"): the access is replayed
 * in real HS. Zkr's seed raises a virtual-instruction exception at V=1 when
 * mseccfg.SSEED is set (QEMU csr.c seed()). */
static const unsigned replayed_csrs[] = { CSR_SEED };

static bool replayed(unsigned csr)
{
    for (unsigned i = 0; i < sizeof(replayed_csrs) / sizeof(replayed_csrs[0]); i++)
        if (replayed_csrs[i] == csr)
            return true;
    return false;
}

static void emulate_csr(struct rvnest_vcpu *vc, uint32_t insn, const struct insn_csr *c)
{
    struct rvnest_hart *h = vc->hart;
    uint64_t old;
    bool write = c->op == 1 || c->rs1 != 0;
    if (c->csr == CSR_TIME && rvnest_trap_priv(vc) == PRV_U && !write) {
        /* L1's U-mode reading time with scounteren.TM clear: natively an
         * illegal instruction that OpenSBI does not delegate, and whose
         * time read its illegal-instruction handler emulates without
         * checking permissions (lib/sbi/sbi_emulate_csr.c): the value is
         * the machine's time. */
        vc->stats.exits[EXIT_VIRT_INSN_OTHER]++;
        hart_set_gpr(h, c->rd, hart_csr(h, CSR_TIME));
        rvnest_resume_l1_after(vc, 4);
        return;
    }
    vc->stats.exits[EXIT_CSR]++;
    if (replayed(c->csr)) {
        /* From L1's U-mode natively mseccfg.USEED decides (SSEED got us
         * here); the value is fresh entropy either way. */
        unsigned priv = rvnest_trap_priv(vc);
        if (priv == PRV_U && !(hart_csr(h, CSR_MSECCFG) & MSECCFG_USEED)) {
            illegal(vc, insn);
            return;
        }
        rvnest_ucode_replay_csr(vc, c->csr, (insn >> 12) & 7, c->rd, c->rs1,
                                hart_csr(h, CSR_SEPC), priv | PRIV_V);
        return;
    }
    if (rvnest_trap_priv(vc) != PRV_S || (write && (c->csr >> 10) == 3)) {
        illegal(vc, insn);            /* L1's U-mode, or a write to a read-only CSR */
        return;
    }
    /* QEMU's helper_csrrw/csrrs/csrrc: (new value, write mask) */
    uint64_t operand = c->imm ? c->rs1 : hart_gpr(h, c->rs1);
    uint64_t new_val = c->op == 1 ? operand : c->op == 2 ? ~0ull : 0;
    uint64_t mask = !write ? 0 : c->op == 1 ? ~0ull : operand;
    if (rvnest_vcsr_rmw(&vc->vcsr, h, c->csr, new_val, mask, &old) != VCSR_OK) {
        illegal(vc, insn);            /* a CSR L1's HS lacks */
        return;
    }
    if (write && (c->csr == CSR_HSTATUS || c->csr == CSR_HTVAL || c->csr == CSR_HTINST))
        rvnest_sync_l1_traps(vc);
    if (write)
        rvnest_nacl_show(vc);         /* the NACL CSR space follows (nested/nacl.c) */
    hart_set_gpr(h, c->rd, old);
    rvnest_resume_l1_after(vc, 4);
}

/* An SRET of L1 within its own context (virtual SPV=0), should VTSR have
 * trapped it: what SRET does in S-mode (priv spec, "Trap-Return
 * Instructions") on L1's S registers, which are the real VS ones. */
static void emulate_sret(struct rvnest_vcpu *vc)
{
    struct rvnest_hart *h = vc->hart;
    unsigned to;
    hart_set_csr(h, CSR_VSSTATUS, rvnest_sstatus_sret(hart_csr(h, CSR_VSSTATUS), &to));
    rvnest_resume(vc, hart_csr(h, CSR_VSEPC), to | PRIV_V);
}

/* L1's SRET in HS, trapped or asked for through NACL SYNC_SRET: into L2
 * with virtual hstatus.SPV=1, else within L1. */
void rvnest_sret(struct rvnest_vcpu *vc)
{
    if (vc->vcsr.val[VCSR_HSTATUS] & HSTATUS_SPV) {
        rvnest_enter_l2(vc);          /* L1 enters its guest (nested/world.c) */
        return;
    }
    if (vc->vm->opt.trace)
        fprintf(stderr, "rvnest: L1 sret within L1 (hstatus %#llx)\n",
                (unsigned long long)vc->vcsr.val[VCSR_HSTATUS]);
    emulate_sret(vc);
}

void rvnest_virtual_instruction(struct rvnest_vcpu *vc)
{
    struct rvnest_hart *h = vc->hart;
    uint32_t insn = (uint32_t)hart_csr(h, CSR_STVAL);
    if (!insn && !rvnest_fetch_l1_insn(vc, hart_csr(h, CSR_SEPC), &insn)) {
        vc->stats.exits[EXIT_VIRT_INSN_OTHER]++;
        rvnest_fatal(vc->vm, "cannot read the L1 instruction at %#llx",
                     (unsigned long long)hart_csr(h, CSR_SEPC));
        return;
    }
    struct insn_csr c;
    if (rvnest_decode_csr(insn, &c)) {
        emulate_csr(vc, insn, &c);
        return;
    }
    if (rvnest_hyp_insn(vc, insn))    /* HLV/HLVX/HSV, HFENCE/HINVAL */
        return;
    vc->stats.exits[EXIT_VIRT_INSN_OTHER]++;
    unsigned f3 = (insn >> 12) & 7;
    if ((insn & 0x7f) == 0x73 && f3 == 0 && rvnest_trap_priv(vc) == PRV_S) {
        if (insn == INSN_SRET) {
            rvnest_sret(vc);
            return;
        }
        if (insn == INSN_WFI) {       /* only with VTW, which L0 never sets */
            rvnest_resume_l1_after(vc, 4);
            return;
        }
    }
    illegal(vc, insn);
}
