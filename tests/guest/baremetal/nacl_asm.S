/* L2 entry and exit for nacl.c, and the L2 payloads.
 *
 * long l2_enter(long how, uint64_t entry): sepc = entry, then
 *  how 0: sret with x1..x31 from l2_regs (x<i> at 8*i);
 *  how 1: SBI NACL SYNC_SRET (a7 = EID, a6 = 4), x1..x31 from the shared
 *         memory's SRET context (the caller copied them there).
 * The caller set hstatus (SPV, SPVP), sstatus.SPP and everything else.
 * While L2 runs, stvec is l1_exit_vec and sscratch points at
 * l2_exit_frame; the first trap into L1 saves L2's x1..x31 there and
 * returns 1 from l2_enter with L1's stvec and sscratch back. A SYNC_SRET
 * that fails returns its SBI error (negative); one that "succeeds" into
 * HS (it never should here: sepc is nacl_landing only when a failure is
 * expected) returns 2.
 *
 * L2's code (VS, GPA = PA, vsatp Bare or an identity gigapage):
 *  l2_saveregs: stores x1..x31 at vsscratch + 8*i (x31 through sscratch), ecall
 *  l2_load:     a0 = *(uint64_t *)a0, ecall
 *  l2_ebreak:   ebreak (delegated: L2's handler ends the run), ecall
 *  l2_irq:      sie |= a0, sstatus.SIE = 1, spin until l2_hs.flag or a1
 *               iterations, sstatus.SIE = 0, ecall
 *  l2_vec:      L2's trap handler (vstvec): counts the trap and records
 *               scause in l2_hs; an exception also sepc, stval, sstatus,
 *               then ends the run with an ecall at l2_vec_exit; an
 *               interrupt is masked in sie (and cleared in sip: SSIP),
 *               sets l2_hs.flag and returns with sret. */
#include "conf_frame.h"
#define HS_T0 0
#define HS_T1 8
#define HS_CAUSE 16
#define HS_COUNT 24
#define HS_EPC 32
#define HS_TVAL 40
#define HS_STATUS 48
#define HS_FLAG 56
    .option norvc
    .section .text
    .align 4
    .globl l2_enter
l2_enter:
    la t0, l1_ctx
    CTX_SAVE t0
    csrr t1, stvec
    sd t1, 128(t0)
    csrr t1, sscratch
    sd t1, 136(t0)
    la t1, l1_exit_vec
    csrw stvec, t1
    la t1, l2_exit_frame
    csrw sscratch, t1
    csrw sepc, a1
    bnez a0, 1f
    la t0, l2_regs
    ld x2, 16(t0)
    FRAME_LOAD t0, 5
    ld x5, 40(t0)
    sret
1:  li a7, 0x4E41434C
    li a6, 4
    ecall
    /* SYNC_SRET returned: its error in a0 */
    j l1_exit_common

    .align 4
    .globl l1_exit_vec
l1_exit_vec:
    csrrw sp, sscratch, sp
    FRAME_SAVE sp
    csrr t0, sscratch
    sd t0, 16(sp)
    li a0, 1
l1_exit_common:
    la t0, l1_ctx
    ld t1, 128(t0)
    csrw stvec, t1
    ld t1, 136(t0)
    csrw sscratch, t1
    CTX_LOAD t0
    ret

/* Where a SYNC_SRET expected to fail would land if it did not (HS). */
    .globl nacl_landing
nacl_landing:
    csrrw sp, sscratch, sp
    FRAME_SAVE sp
    csrr t0, sscratch
    sd t0, 16(sp)
    li a0, 2
    j l1_exit_common

/* A second hart (SBI HSM hart_start: S-mode, a0 = hart id, a1 = opaque,
 * here the top of its stack): hart1_main(hartid), then it spins. */
    .globl hart1_entry
hart1_entry:
    mv sp, a1
    la t0, hart1_spin
    csrw stvec, t0
    call hart1_main
hart1_spin:
    wfi
    j hart1_spin

/* ---- L2 ---- */
    .align 12
    .globl l2_saveregs
    .globl l2_saveregs_exit
l2_saveregs:
    csrrw x31, sscratch, x31
    .irp r, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30
    sd x\r, 8 * \r(x31)
    .endr
    csrr x30, sscratch
    sd x30, 248(x31)
l2_saveregs_exit:
    ecall
    j l2_saveregs_exit

    .globl l2_load
    .globl l2_load_insn
    .globl l2_load_exit
l2_load:
l2_load_insn:
    ld a0, 0(a0)
l2_load_exit:
    ecall
    j l2_load_exit

    .globl l2_ebreak
l2_ebreak:
    ebreak
    ecall
    j l2_ebreak

    .globl l2_irq
    .globl l2_irq_exit
l2_irq:
    csrs sie, a0
    csrsi sstatus, 2
1:  la t0, l2_hs
    ld t0, HS_FLAG(t0)
    bnez t0, 2f
    addi a1, a1, -1
    bnez a1, 1b
2:  csrci sstatus, 2
l2_irq_exit:
    ecall
    j l2_irq_exit

    .align 4
    .globl l2_vec
    .globl l2_vec_exit
l2_vec:
    csrw sscratch, t6
    la t6, l2_hs
    sd t0, HS_T0(t6)
    sd t1, HS_T1(t6)
    csrr t0, scause
    sd t0, HS_CAUSE(t6)
    ld t1, HS_COUNT(t6)
    addi t1, t1, 1
    sd t1, HS_COUNT(t6)
    bltz t0, 2f
    csrr t1, sepc
    sd t1, HS_EPC(t6)
    csrr t1, stval
    sd t1, HS_TVAL(t6)
    csrr t1, sstatus
    sd t1, HS_STATUS(t6)
l2_vec_exit:
    ecall
    j l2_vec_exit
2:  slli t0, t0, 1
    srli t0, t0, 1
    li t1, 1
    sll t1, t1, t0
    csrc sie, t1
    csrc sip, t1
    li t0, 1
    sd t0, HS_FLAG(t6)
    ld t0, HS_T0(t6)
    ld t1, HS_T1(t6)
    csrr t6, sscratch
    sret

    .bss
    .align 6
    .globl l2_hs
l2_hs:
    .space 64
    .globl l1_ctx
l1_ctx:
    .space 160
    .globl l2_exit_frame
l2_exit_frame:
    .space 256
    .globl l2_regs
l2_regs:
    .space 256
