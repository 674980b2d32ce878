/* A conventional hypervisor's HS trap entry and guest entry, shared by the
 * benchmark programs (bench_hext.c, bench_l2.c).
 *
 * hs_vector (stvec): swaps to the HS stack through sscratch, saves x1..x31
 * in a frame indexed by register number (x2 at 16: the interrupted sp),
 * calls the program's hs_trap(frame), restores and srets. hs_trap returns
 * nonzero for the guest's final ecall: then the HS context vs_run saved is
 * restored and vs_run returns to its caller. When the program set
 * nacl_shmem_pa (SBI nested acceleration in use), the guest is entered
 * again by NACL SYNC_SRET instead of sret: x1..x31 of the frame go to the
 * SRET context at the start of the shared memory, and L0 restores them.
 *
 * vs_run(fn, arg): enters V=1 at the program's vs_entry with a0 = fn,
 * a1 = arg (hstatus.SPV and sstatus.SPP are set by the caller); the
 * program's code there calls fn(arg) and ends with its final ecall. */
#include "conf_frame.h"

    .text
    .align 4
    .globl hs_vector
hs_vector:
    FRAME_ENTER
    call hs_trap
    bnez a0, 1f
    la t0, nacl_shmem_pa
    ld t0, 0(t0)
    bnez t0, 2f
    ld t0, 16(sp)
    csrw sscratch, t0
    FRAME_LOAD sp, 0
    addi sp, sp, 256
    csrrw sp, sscratch, sp
    sret
2:  li t1, 8                         /* frame x1..x31 -> SRET context x1..x31 */
3:  add t2, sp, t1
    ld t2, 0(t2)
    add t3, t0, t1
    sd t2, 0(t3)
    addi t1, t1, 8
    li t2, 256
    bltu t1, t2, 3b
    addi t0, sp, 256
    csrw sscratch, t0
    li a7, 0x4E41434C
    li a6, 4                         /* SYNC_SRET: returns only on an error */
    ecall
    call nacl_sret_failed
1:  addi t0, sp, 256                 /* leave the guest: back into vs_run's caller */
    csrw sscratch, t0
    la t0, hs_ctx
    CTX_LOAD t0
    ret

    .weak nacl_sret_failed           /* a program that uses NACL defines it */
nacl_sret_failed:
    j nacl_sret_failed

    .globl vs_run
vs_run:
    la t0, hs_ctx
    CTX_SAVE t0
    la t1, vs_entry
    csrw sepc, t1
    sret

    .bss
    .align 3
    .weak nacl_shmem_pa              /* a program that uses NACL defines it */
nacl_shmem_pa:
    .zero 8
    .align 4
hs_ctx:
    .zero 128                        /* ra, sp, s0-s11, gp, tp of vs_run's caller */
