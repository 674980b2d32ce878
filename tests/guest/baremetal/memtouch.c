/* A memory-heavy L1 workload for the L1-speed benchmark (bench/l1-memory.sh):
 * L1 maps a buffer with 4 KiB Sv39 pages and (1) touches every page of it
 * several times, (2) chases pointers through it in a random cycle, so
 * that nearly every access misses QEMU's TLB. Parameters from the device
 * tree's /chosen/bootargs: "mib=N passes=P chase=C" (defaults 128, 4,
 * 2000000). It prints what it did and a checksum (identical natively and
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

/* bootargs "key=value" parsing */
static const char *find_bootargs(const char *fdt)
{
    const unsigned char *b = (const unsigned char *)fdt + 4;
    uint32_t size = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
    static const char key[] = "bootargs";
    /* the property name lives in the strings block; the value is found by
     * scanning for the first printable "k=v" string after "chosen" */
    for (uint32_t i = 0; i + 7 < size; i++)
        if (fdt[i] == 'c' && fdt[i + 1] == 'h' && fdt[i + 2] == 'o' && fdt[i + 3] == 's' &&
            fdt[i + 4] == 'e' && fdt[i + 5] == 'n' && fdt[i + 6] == 0) {
            for (uint32_t j = i + 7; j + 4 < size && j < i + 4096; j++)
                if (fdt[j] >= 'a' && fdt[j] <= 'z' && fdt[j + 1] != 0) {
                    const char *p = fdt + j;
                    while (*p && *p != '=' && *p != ' ')
                        p++;
                    if (*p == '=')
                        return fdt + j;
                }
        }
    (void)key;
    return "";
}

static uint64_t arg(const char *args, const char *name, uint64_t def)
{
    for (const char *p = args; *p; p++) {
        const char *n = name, *q = p;
        while (*n && *q == *n) { n++; q++; }
        if (!*n && *q == '=' && (p == args || p[-1] == ' ')) {
            uint64_t v = 0;
            for (q++; *q >= '0' && *q <= '9'; q++)
                v = v * 10 + (uint64_t)(*q - '0');
            return v;
        }
    }
    return def;
}

int main(unsigned long hartid, unsigned long fdt)
{
    (void)hartid;
    const char *args = find_bootargs((const char *)fdt);
    uint64_t mib = arg(args, "mib", 128), passes = arg(args, "passes", 4);
    uint64_t chase = arg(args, "chase", 2000000);
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

    uint64_t t0 = csr_read(time), sum = 0;
    volatile uint64_t *buf = (volatile uint64_t *)(uintptr_t)VA_BASE;
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
