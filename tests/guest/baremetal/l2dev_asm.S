/* L2's part of l2dev.c's interrupt test: L2 enables the UART's PLIC
 * source through the PLIC pages L1 maps into it, makes the UART raise it,
 * waits for it, claims and completes it, and records what it saw.
 *
 * l2_plic_irq(a0 = struct irqp, see l2dev.c; every address a GPA):
 * priority = 1, the enable bit set, threshold 0, UART IER = THRE; then up
 * to `spins` times: with `wait` != 0 until the dword at wait (L1's
 * interrupt count) is nonzero, else until the source's pending bit is
 * set; then reads pending, claims, reads pending, clears IER, reads
 * pending, completes the claimed id and reads pending again. Ends with
 * the ecall at l2_plic_irq_end. */
#define P_PRIO 0
#define P_ENABLE 8
#define P_THRESH 16
#define P_CLAIM 24
#define P_PENDING 32
#define P_UART 40
#define P_WAIT 48
#define P_SPINS 56
#define P_BIT 64
#define R_SEEN 72
#define R_PEND0 80
#define R_CLAIMED 88
#define R_PEND_CLAIM 96
#define R_PEND_IER 104
#define R_PEND_DONE 112
    .option norvc
    .section .text
    .align 12
    .globl l2_plic_irq
    .globl l2_plic_irq_end
l2_plic_irq:
    ld t0, P_PRIO(a0)
    li t1, 1
    sw t1, 0(t0)
    ld t0, P_ENABLE(a0)
    ld t2, P_BIT(a0)
    lw t1, 0(t0)
    or t1, t1, t2
    sw t1, 0(t0)
    ld t0, P_THRESH(a0)
    sw zero, 0(t0)
    ld t0, P_UART(a0)
    li t1, 2
    sb t1, 1(t0)
    ld t3, P_SPINS(a0)
    ld t4, P_WAIT(a0)
1:  beqz t4, 2f
    ld t1, 0(t4)
    bnez t1, 3f
    j 4f
2:  ld t0, P_PENDING(a0)
    lw t1, 0(t0)
    and t1, t1, t2
    bnez t1, 3f
4:  addi t3, t3, -1
    bnez t3, 1b
    li t5, 0
    j 5f
3:  li t5, 1
5:  sd t5, R_SEEN(a0)
    ld t0, P_PENDING(a0)
    lwu t1, 0(t0)
    sd t1, R_PEND0(a0)
    ld t0, P_CLAIM(a0)
    lwu t2, 0(t0)
    sd t2, R_CLAIMED(a0)
    ld t0, P_PENDING(a0)
    lwu t1, 0(t0)
    sd t1, R_PEND_CLAIM(a0)
    ld t0, P_UART(a0)
    sb zero, 1(t0)
    ld t0, P_PENDING(a0)
    lwu t1, 0(t0)
    sd t1, R_PEND_IER(a0)
    ld t0, P_CLAIM(a0)
    sw t2, 0(t0)
    ld t0, P_PENDING(a0)
    lwu t1, 0(t0)
    sd t1, R_PEND_DONE(a0)
l2_plic_irq_end:
    ecall
    j l2_plic_irq_end
