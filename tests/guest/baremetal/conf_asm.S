/* Trap entry and probe call/escape of the conformance runtime (conf_lib.c).
 *
 * conf_trap_entry is position independent: it finds its stack in sscratch
 * (the top of the trap stack, where the dword at [top] holds the C
 * handler's address), so a test can copy it to any page and point stvec
 * there. The frame holds x1..x31 at 8*n (x2 = the interrupted sp). */
    .section .text
    .globl conf_trap_entry
    .globl conf_trap_entry_end
    .align 6
conf_trap_entry:
    csrrw sp, sscratch, sp
    addi sp, sp, -256
    sd x1, 8(sp)
    sd x3, 24(sp)
    sd x4, 32(sp)
    sd x5, 40(sp)
    sd x6, 48(sp)
    sd x7, 56(sp)
    sd x8, 64(sp)
    sd x9, 72(sp)
    sd x10, 80(sp)
    sd x11, 88(sp)
    sd x12, 96(sp)
    sd x13, 104(sp)
    sd x14, 112(sp)
    sd x15, 120(sp)
    sd x16, 128(sp)
    sd x17, 136(sp)
    sd x18, 144(sp)
    sd x19, 152(sp)
    sd x20, 160(sp)
    sd x21, 168(sp)
    sd x22, 176(sp)
    sd x23, 184(sp)
    sd x24, 192(sp)
    sd x25, 200(sp)
    sd x26, 208(sp)
    sd x27, 216(sp)
    sd x28, 224(sp)
    sd x29, 232(sp)
    sd x30, 240(sp)
    sd x31, 248(sp)
    csrr t0, sscratch
    sd t0, 16(sp)
    mv a0, sp
    ld t0, 256(sp)
    jalr t0
    addi t0, sp, 256
    csrw sscratch, t0
    ld x1, 8(sp)
    ld x3, 24(sp)
    ld x4, 32(sp)
    ld x5, 40(sp)
    ld x6, 48(sp)
    ld x7, 56(sp)
    ld x8, 64(sp)
    ld x9, 72(sp)
    ld x10, 80(sp)
    ld x11, 88(sp)
    ld x12, 96(sp)
    ld x13, 104(sp)
    ld x14, 112(sp)
    ld x15, 120(sp)
    ld x16, 128(sp)
    ld x17, 136(sp)
    ld x18, 144(sp)
    ld x19, 152(sp)
    ld x20, 160(sp)
    ld x21, 168(sp)
    ld x22, 176(sp)
    ld x23, 184(sp)
    ld x24, 192(sp)
    ld x25, 200(sp)
    ld x26, 208(sp)
    ld x27, 216(sp)
    ld x28, 224(sp)
    ld x29, 232(sp)
    ld x30, 240(sp)
    ld x31, 248(sp)
    ld x2, 16(sp)
    sret
conf_trap_entry_end:

/* uint64_t conf_call_asm(fn, a0, a1, umode, usp): run fn with a0/a1 in
 * S-mode (umode 0: a call), or enter it with sret and sp = usp: SPP=0
 * (umode 1: U, or VU when the caller set hstatus.SPV) or SPP=1 (umode 2:
 * VS, with hstatus.SPV). Returns a0 of
 * the code when it returns (S) or ends with its exit ecall (U), and the
 * escape path when a probe traps (conf_trap_c redirects sepc there). */
    .globl conf_call_asm
    .globl conf_escape
conf_call_asm:
    la t0, conf_ctx
    sd ra, 0(t0)
    sd sp, 8(t0)
    sd s0, 16(t0)
    sd s1, 24(t0)
    sd s2, 32(t0)
    sd s3, 40(t0)
    sd s4, 48(t0)
    sd s5, 56(t0)
    sd s6, 64(t0)
    sd s7, 72(t0)
    sd s8, 80(t0)
    sd s9, 88(t0)
    sd s10, 96(t0)
    sd s11, 104(t0)
    sd gp, 112(t0)
    sd tp, 120(t0)
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
    li t3, 2
    bne a3, t3, 2f
    csrs sstatus, t2                /* umode 2: sret to S (VS when hstatus.SPV) */
2:  mv sp, a4
    sret
conf_escape:
    la t0, conf_ctx
    ld ra, 0(t0)
    ld sp, 8(t0)
    ld s0, 16(t0)
    ld s1, 24(t0)
    ld s2, 32(t0)
    ld s3, 40(t0)
    ld s4, 48(t0)
    ld s5, 56(t0)
    ld s6, 64(t0)
    ld s7, 72(t0)
    ld s8, 80(t0)
    ld s9, 88(t0)
    ld s10, 96(t0)
    ld s11, 104(t0)
    ld gp, 112(t0)
    ld tp, 120(t0)
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
