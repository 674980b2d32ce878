/* What L1 does in HS all the time must not reach L0 (issue: no needless
 * exits): its S-mode CSR accesses, sfence.vma, wfi and an ordinary sret,
 * and its U-mode ecalls. Each runs ITER times between two markers; the
 * test script requires that L0 counted no exit for them. */
#include "lib.h"

#define ITER 2000

static volatile uint64_t u_ecalls, user_done, s_resume, counters;

/* Trap handler for this program: a U ecall returns after the ecall, or to
 * S at s_resume once the U code says it is done. */
static void __attribute__((aligned(4), interrupt("supervisor"))) handler(void)
{
    uint64_t cause = csr_read(scause);
    if (cause == 8) {
        u_ecalls++;
        if (user_done) {
            user_done = 0;
            csr_set(sstatus, 1ull << 8);                  /* SPP = S */
            csr_write(sepc, s_resume);
        } else {
            csr_write(sepc, csr_read(sepc) + 4);
        }
        return;
    }
    trap_count++;
    last_cause = cause;
    csr_write(sepc, csr_read(sepc) + 4);
}

/* U-mode code: four ecalls, then "done" and a last ecall. Uses t1, t2. */
void user_code(void);
__asm__(".align 2\n"
        "user_code:\n"
        "  ecall\n  ecall\n  ecall\n  ecall\n"
        "  la t1, user_done\n  li t2, 1\n  sd t2, 0(t1)\n"
        "  ecall\n"
        "1: j 1b\n");

int main(unsigned long hartid, unsigned long fdt)
{
    (void)hartid;
    (void)fdt;
    print("noexit: begin\n");
    uint64_t old_stvec = csr_read(stvec);
    uint64_t sum = 0;
    for (int i = 0; i < ITER; i++) {
        sum += csr_read(sstatus) + csr_read(stvec) + csr_read(sscratch) + csr_read(sepc) +
               csr_read(scause) + csr_read(stval) + csr_read(satp) + csr_read(sie) +
               csr_read(sip) + csr_read(scounteren);
        counters = csr_read(time) + csr_read(cycle) + csr_read(instret);
        csr_write(sscratch, i);
        csr_set(sie, 1 << 5);
        csr_clear(sie, 1 << 5);
        __asm__ volatile("sfence.vma" ::: "memory");
        __asm__ volatile("sfence.vma x0, %0" :: "r"(0) : "memory");
    }
    /* wfi: a timer (Sstc stimecmp) pending with SIE=0 wakes it, no trap */
    for (int i = 0; i < 50; i++) {
        csr_write(0x14d, csr_read(time) + 100);
        csr_set(sie, 1 << 5);
        __asm__ volatile("wfi");
        csr_clear(sie, 1 << 5);
    }
    csr_write(0x14d, ~0ull);
    /* sret within L1: S -> S at a label, and S -> U -> ecall back */
    for (int i = 0; i < ITER; i++) {
        uint64_t s = csr_read(sstatus) | (1ull << 8);  /* SPP = S */
        csr_write(sstatus, s);
        __asm__ volatile("la t0, 1f\n csrw sepc, t0\n sret\n1:" ::: "t0", "memory");
    }
    csr_write(stvec, (uint64_t)(uintptr_t)handler);
    uint64_t ecalls_before = u_ecalls;
    for (int i = 0; i < 200; i++) {
        csr_clear(sstatus, 1ull << 8);                  /* SPP = U */
        __asm__ volatile("la t0, 1f\n sd t0, 0(%0)\n csrw sepc, %1\n sret\n1:"
                         :: "r"(&s_resume), "r"(user_code) : "t0", "t1", "t2", "memory");
    }
    csr_write(stvec, old_stvec);
    print("noexit: end (u ecalls %d, other traps %d)\n", (long)(u_ecalls - ecalls_before), (long)trap_count);
    (void)sum;
    shutdown();
    return 0;
}
