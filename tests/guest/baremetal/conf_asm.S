/* Trap entry and probe call/escape of the conformance runtime (conf_lib.c).
 *
 * conf_trap_entry is position independent: it finds its stack in sscratch
 * (the top of the trap stack, where the dword at [top] holds the C
 * handler's address), so a test can copy it to any page and point stvec
 * there. The frame holds x1..x31 at 8*n (x2 = the interrupted sp). */
#include "conf_frame.h"
    .section .text
    .globl conf_trap_entry
    .globl conf_trap_entry_end
    .align 6
conf_trap_entry:
    FRAME_ENTER
    ld t0, 256(sp)
    jalr t0
    addi t0, sp, 256
    csrw sscratch, t0
    FRAME_LOAD sp, 2
    ld x2, 16(sp)
    sret
conf_trap_entry_end:

/* uint64_t conf_call_asm(fn, a0, a1, umode, usp): run fn with a0/a1 in
 * S-mode (umode 0: a call), or enter it with sret and sp = usp: SPP=0
 * (umode 1: U, or VU when the caller set hstatus.SPV) or SPP=1 (umode 2:
 * VS, with hstatus.SPV). umode | 4: enter through SBI NACL SYNC_SRET
 * instead of sret, x1..x31 (as they are, with a0, a1, sp) written to the
 * SRET context of the shared memory at conf_nacl_shmem; when the call
 * returns (an error) conf_nacl_sret_errors counts it and sret enters as
 * without. Returns a0 of
 * the code when it returns (S) or ends with its exit ecall (U), and the
 * escape path when a probe traps (conf_trap_c redirects sepc there). */
    .globl conf_call_asm
    .globl conf_escape
conf_call_asm:
    la t0, conf_ctx
    CTX_SAVE t0
    la t2, conf_armed
    li t3, 1
    sw t3, 0(t2)
    mv t1, a0
    mv a0, a1
    mv a1, a2
    bnez a3, 1f
    jalr t1
    la t2, conf_armed
    sw zero, 0(t2)
    la t2, conf_trapped
    sw zero, 0(t2)
    la t2, conf_result
    sd a0, 0(t2)
    j conf_escape
1:  csrw sepc, t1
    li t2, 0x100
    csrc sstatus, t2
    andi t3, a3, 3
    li t4, 2
    bne t3, t4, 2f
    csrs sstatus, t2                /* umode 2: sret to S (VS when hstatus.SPV) */
2:  mv sp, a4
    andi t3, a3, 4
    bnez t3, 3f
    sret
3:  la t2, conf_nacl_shmem
    ld t2, 0(t2)
    FRAME_SAVE t2
    sd sp, 16(t2)
    li a7, 0x4E41434C
    li a6, 4
    ecall
    la t3, conf_nacl_sret_errors
    ld t4, 0(t3)
    addi t4, t4, 1
    sd t4, 0(t3)
    ld a0, 80(t2)
    ld a1, 88(t2)
    ld a6, 128(t2)
    ld a7, 136(t2)
    sret
conf_escape:
    la t0, conf_ctx
    CTX_LOAD t0
    la t1, conf_result
    ld a0, 0(t1)
    ret

/* struct sbiret sbi6(ext, fid, a0..a5) */
    .globl sbi6
sbi6:
    mv t0, a0
    mv t1, a1
    mv a0, a2
    mv a1, a3
    mv a2, a4
    mv a3, a5
    mv a4, a6
    mv a5, a7
    mv a7, t0
    mv a6, t1
    ecall
    ret

    .bss
    .align 4
    .globl conf_ctx
conf_ctx:
    .space 128
