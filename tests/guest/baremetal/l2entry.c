/* L1 enters a guest and gets it back: the smallest L2 round trip. L1 (in
 * HS natively, at V=1 under rvnest) sets hgatp Bare, hstatus.SPV=1 and
 * sret's to its guest in VS-mode; the guest reads a CSR it may read
 * (sscratch, which L1 set as vsscratch) and makes an ecall, which no
 * hedeleg can delegate: L1's trap handler sees cause 10 with SPV=1 and
 * SPVP=1, the guest's pc and its a0. Then a second entry into VU-mode,
 * whose sscratch read is a virtual-instruction exception (22) for L1, with
 * SPVP=0. */
#include "lib.h"

static volatile int round;

__attribute__((noreturn)) static void finish(void)
{
    print("l2entry: passed\n");
    shutdown();
    for (;;)
        ;
}

static void guest(void)
{
    uint64_t v;
    __asm__ volatile("csrr %0, sscratch" : "=r"(v));
    register uint64_t a0 __asm__("a0") = v + 1;
    __asm__ volatile("ecall" : "+r"(a0) :: "memory");
    for (;;)
        ;
}

static void enter(int vs)
{
    csr_write(0x680, 0);                              /* hgatp: Bare */
    csr_write(0x600, (2ull << 32) | (1ull << 7));     /* hstatus: VSXL=64, SPV */
    csr_write(0x241, 0);                              /* vsepc */
    csr_write(0x240, 0x5a5a0000ull + round);          /* vsscratch */
    csr_write(0x602, 0);                              /* hedeleg: nothing */
    csr_write(sepc, (uint64_t)(uintptr_t)guest);
    if (vs)
        csr_set(sstatus, 1ull << 8);                  /* SPP=S: VS-mode */
    else
        __asm__ volatile("csrc sstatus, %0" :: "r"(1ull << 8));
    __asm__ volatile("sret");
}

__attribute__((interrupt("supervisor"), aligned(4))) static void l1_trap(void)
{
    register uint64_t a0 __asm__("a0");
    __asm__ volatile("" : "=r"(a0));
    uint64_t hs = csr_read(0x600);
    print("l2entry: round %d: scause %x sepc-guest %x a0 %x htval %x htinst %x spv %d spvp %d gva %d\n",
          round, csr_read(scause), csr_read(sepc) - (uint64_t)(uintptr_t)guest, a0,
          csr_read(0x643), csr_read(0x64a), (int)((hs >> 7) & 1), (int)((hs >> 8) & 1),
          (int)((hs >> 6) & 1));
    if (++round == 2)
        finish();
    enter(0);
}

int main(unsigned long hartid, unsigned long fdt)
{
    (void)hartid;
    (void)fdt;
    print("l2entry: entering a guest\n");
    csr_write(stvec, (uint64_t)(uintptr_t)l1_trap);
    enter(1);
    print("l2entry: FAIL: sret returned\n");
    shutdown();
    return 0;
}
