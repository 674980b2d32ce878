/* A memory-heavy L1 workload for the L1-speed benchmark (bench/l1-memory.sh):
 * L1 maps a buffer with 4 KiB Sv39 pages and (1) touches every page of it
 * several times, (2) chases pointers through it in a random cycle, so
 * that nearly every access misses QEMU's TLB. Parameters from the device
 * tree's /chosen/bootargs: "mib=N passes=P chase=C" (defaults 128, 4,
 * 2000000). An untimed pass touches the buffer first. It prints what it did and a checksum (identical natively and
 * nested) and the elapsed `time` ticks (10 MHz; informative only). */
#include "lib.h"

#define VA_BASE 0x2000000000ull       /* buffer's virtual address (Sv39, canonical) */
#define PA_BUF  0x81000000ull         /* buffer's physical address */
#define PT_POOL 0x80800000ull         /* page-table pages */

static uint64_t pool = PT_POOL;

static uint64_t *alloc_pt(void)
{
    uint64_t *p = (uint64_t *)(uintptr_t)pool;
    for (int i = 0; i < 512; i++)
        p[i] = 0;
    pool += 4096;
    return p;
}

static void map4k(uint64_t *root, uint64_t va, uint64_t pa, uint64_t flags)
{
    uint64_t *t = root;
    for (int lvl = 2; lvl > 0; lvl--) {
        unsigned idx = (va >> (12 + 9 * lvl)) & 511;
        if (!(t[idx] & 1)) {
            uint64_t *n = alloc_pt();
            t[idx] = (((uint64_t)(uintptr_t)n >> 12) << 10) | 1;
        }
        t = (uint64_t *)(uintptr_t)((t[idx] >> 10) << 12);
    }
    t[(va >> 12) & 511] = ((pa >> 12) << 10) | flags;
}

static void map_gig(uint64_t *root, uint64_t va, uint64_t pa)
{
    root[(va >> 30) & 511] = ((pa >> 12) << 10) | 0xcf;   /* V R W X A D */
}

int main(unsigned long hartid, unsigned long fdt)
{
    (void)hartid;
    const char *args = fdt_chosen_bootargs(fdt);
    uint64_t mib = bootarg(args, "mib", 128), passes = bootarg(args, "passes", 4);
    uint64_t chase = bootarg(args, "chase", 2000000);
    uint64_t pages = mib * 256;
    print("memtouch: %d MiB in 4 KiB pages, %d passes, %d chase steps\n", (long)mib, (long)passes,
          (long)chase);
    uint64_t *root = alloc_pt();
    map_gig(root, 0x80000000ull, 0x80000000ull);            /* identity for code/data */
    for (uint64_t i = 0; i < pages; i++)
        map4k(root, VA_BASE + i * 4096, PA_BUF + i * 4096, 0xc7);  /* V R W A D */
    __asm__ volatile("sfence.vma" ::: "memory");
    csr_write(satp, (8ull << 60) | ((uint64_t)(uintptr_t)root >> 12));
    __asm__ volatile("sfence.vma" ::: "memory");

    volatile uint64_t *buf = (volatile uint64_t *)(uintptr_t)VA_BASE;
    /* an untimed first pass: the host allocates QEMU's RAM on first touch,
     * which would dominate and is not what is measured */
    for (uint64_t i = 0; i < pages; i++)
        buf[i * 512 + 9] = i;
    uint64_t t0 = csr_read(time), sum = 0;
    for (uint64_t p = 0; p < passes; p++)
        for (uint64_t i = 0; i < pages; i++) {
            buf[i * 512 + (p & 7)] += i ^ p;
            sum += buf[i * 512 + ((p + 1) & 7)];
        }
    uint64_t t1 = csr_read(time);
    /* a random single cycle over the pages (Sattolo), one word per page */
    uint64_t x = 88172645463325252ull;
    for (uint64_t i = 0; i < pages; i++)
        buf[i * 512 + 8] = i;
    for (uint64_t i = pages - 1; i > 0; i--) {
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;
        uint64_t j = x % i;
        uint64_t tmp = buf[i * 512 + 8];
        buf[i * 512 + 8] = buf[j * 512 + 8];
        buf[j * 512 + 8] = tmp;
    }
    uint64_t cur = 0;
    for (uint64_t s = 0; s < chase; s++) {
        cur = buf[cur * 512 + 8];
        sum += cur;
    }
    uint64_t t2 = csr_read(time);
    csr_write(satp, 0);
    __asm__ volatile("sfence.vma" ::: "memory");
    print("memtouch: checksum %x, traps %d\n", sum, (long)trap_count);
    print("memtouch: ticks touch %d chase %d\n", (long)(t1 - t0), (long)(t2 - t1));
    print("memtouch: done\n");
    shutdown();
    return 0;
}
