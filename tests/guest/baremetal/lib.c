#include <stdarg.h>
#include "lib.h"

volatile uint64_t last_cause, last_tval, trap_count;
volatile uint64_t irq_count[16];

struct sbiret sbi_call(long ext, long fid, long a0, long a1, long a2)
{
    register long r0 __asm__("a0") = a0;
    register long r1 __asm__("a1") = a1;
    register long r2 __asm__("a2") = a2;
    register long r6 __asm__("a6") = fid;
    register long r7 __asm__("a7") = ext;
    __asm__ volatile("ecall" : "+r"(r0), "+r"(r1) : "r"(r2), "r"(r6), "r"(r7) : "memory");
    return (struct sbiret){ r0, r1 };
}

struct sbiret sbi_call6(long ext, long fid, long a0, long a1, long a2, long a3, long a4, long a5)
{
    register long r0 __asm__("a0") = a0;
    register long r1 __asm__("a1") = a1;
    register long r2 __asm__("a2") = a2;
    register long r3 __asm__("a3") = a3;
    register long r4 __asm__("a4") = a4;
    register long r5 __asm__("a5") = a5;
    register long r6 __asm__("a6") = fid;
    register long r7 __asm__("a7") = ext;
    __asm__ volatile("ecall" : "+r"(r0), "+r"(r1) : "r"(r2), "r"(r3), "r"(r4), "r"(r5), "r"(r6), "r"(r7)
                     : "memory");
    return (struct sbiret){ r0, r1 };
}

static char line[256];
static unsigned pos;

static void flush(void)
{
    if (pos)
        sbi_call(SBI_EXT_DBCN, 0, pos, (long)(uintptr_t)line, 0);
    pos = 0;
}

static void putc_(char c)
{
    line[pos++] = c;
    if (c == '\n' || pos == sizeof(line))
        flush();
}

void puts_(const char *s)
{
    while (*s)
        putc_(*s++);
}

void print(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            putc_(*fmt);
            continue;
        }
        fmt++;
        if (*fmt == 's') {
            puts_(va_arg(ap, const char *));
        } else if (*fmt == 'd') {
            long v = va_arg(ap, long);
            char b[24];
            int n = 0;
            unsigned long u = v < 0 ? -(unsigned long)v : (unsigned long)v;
            do { b[n++] = (char)('0' + u % 10); u /= 10; } while (u);
            if (v < 0) putc_('-');
            while (n) putc_(b[--n]);
        } else if (*fmt == 'x') {
            uint64_t v = va_arg(ap, uint64_t);
            puts_("0x");
            int started = 0;
            for (int i = 60; i >= 0; i -= 4) {
                unsigned d = (v >> i) & 15;
                if (d || started || i == 0) {
                    putc_("0123456789abcdef"[d]);
                    started = 1;
                }
            }
        }
    }
    va_end(ap);
}

void shutdown(void)
{
    flush();
    sbi_call(SBI_EXT_SRST, 0, 0, 0, 0);
    for (;;)
        __asm__ volatile("wfi");
}

/* Exceptions: record and skip the instruction (a fetch fault returns to
 * the caller, ra in frame[0]). Interrupts: record and silence the source.
 * The program runs with satp=0, so sepc is a physical address. */
void trap(uint64_t *frame)
{
    uint64_t cause = csr_read(scause);
    trap_count++;
    last_cause = cause;
    if ((int64_t)cause < 0) {
        unsigned irq = cause & 15;
        irq_count[irq]++;
        if (irq == 5)
            csr_clear(sie, 1 << 5);
        else if (irq == 1)
            csr_clear(sip, 1 << 1);
        else
            csr_clear(sie, 1ull << irq);
        return;
    }
    last_tval = csr_read(stval);
    if (cause == 1 || cause == 12) {
        csr_write(sepc, frame[0]);
        return;
    }
    uint64_t epc = csr_read(sepc);
    unsigned len = (*(volatile uint16_t *)(uintptr_t)epc & 3) == 3 ? 4 : 2;
    csr_write(sepc, epc + len);
}

/* The flattened device tree (devicetree spec, "Flattened Devicetree (DTB)
 * Format"): big-endian header, structure block of tokens. */
uint32_t be32(const void *p)
{
    const volatile unsigned char *b = p;
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

uint64_t be64(const void *p)
{
    return (uint64_t)be32(p) << 32 | be32((const char *)p + 4);
}

int streq(const char *a, const char *b)
{
    while (*a && *a == *b) { a++; b++; }
    return *a == *b;
}

int str_prefix(const char *s, const char *p)
{
    while (*p)
        if (*s++ != *p++)
            return 0;
    return 1;
}

char *str_join(char *out, unsigned long size, const char *a, const char *b, const char *c)
{
    const char *part[3] = { a, b, c };
    unsigned long n = 0;
    for (int i = 0; i < 3; i++)
        for (const char *q = part[i]; q && *q && n + 1 < size;)
            out[n++] = *q++;
    out[n] = 0;
    return out;
}

/* A node name is NAME or NAME@unit-address. */
static int node_is(const char *name, const char *want)
{
    return str_prefix(name, want) && (!name[strlen_(want)] || name[strlen_(want)] == '@');
}

const char *fdt_node_prop(unsigned long fdt, const char *node, const char *prop, uint32_t *len)
{
    const char *base = (const char *)fdt;
    if (be32(base) != 0xd00dfeed)
        return 0;
    const char *p = base + be32(base + 8), *strings = base + be32(base + 12);
    int depth = 0, in_node = 0;
    for (;;) {
        uint32_t tok = be32(p);
        p += 4;
        if (tok == 1) {                         /* BEGIN_NODE name */
            depth++;
            if (depth == 2)
                in_node = node_is(p, node);
            while (*p) p++;
            p = base + (((p + 1 - base) + 3) & ~3);
        } else if (tok == 2) {                  /* END_NODE */
            depth--;
        } else if (tok == 3) {                  /* PROP len nameoff value */
            uint32_t n = be32(p), nameoff = be32(p + 4);
            if (in_node && depth == 2 && streq(strings + nameoff, prop)) {
                *len = n;
                return p + 8;
            }
            p += 8 + ((n + 3) & ~3u);
        } else if (tok != 4) {                  /* END or anything else */
            return 0;
        }
    }
}

const char *fdt_chosen_bootargs(unsigned long fdt)
{
    uint32_t len;
    const char *v = fdt_node_prop(fdt, "chosen", "bootargs", &len);
    return v ? v : "";
}

int fdt_memory(unsigned long fdt, uint64_t *base, uint64_t *size)
{
    uint32_t len;
    const char *v = fdt_node_prop(fdt, "memory", "reg", &len);
    if (!v || len < 16)
        return 0;
    *base = be64(v);
    *size = be64(v + 8);
    return 1;
}

unsigned long strlen_(const char *s)
{
    unsigned long n = 0;
    while (s[n])
        n++;
    return n;
}

static int mem_eq(const char *a, const char *b, unsigned long n)
{
    for (unsigned long i = 0; i < n; i++)
        if (a[i] != b[i])
            return 0;
    return 1;
}

const char *bootarg_str(const char *args, const char *key, unsigned long *len)
{
    unsigned long k = strlen_(key);
    for (const char *p = args; *p;) {
        while (*p == ' ')
            p++;
        const char *e = p;
        while (*e && *e != ' ')
            e++;
        if ((unsigned long)(e - p) > k && mem_eq(p, key, k) && p[k] == '=') {
            *len = (unsigned long)(e - p) - k - 1;
            return p + k + 1;
        }
        p = e;
    }
    return 0;
}

int list_has(const char *list, unsigned long len, const char *name)
{
    if (!list)
        return 1;
    unsigned long n = strlen_(name);
    for (unsigned long i = 0; i < len;) {
        unsigned long j = i;
        while (j < len && list[j] != ',')
            j++;
        if (j - i == n && mem_eq(list + i, name, n))
            return 1;
        i = j + 1;
    }
    return 0;
}

uint64_t bootarg(const char *args, const char *key, uint64_t def)
{
    unsigned long n;
    const char *q = bootarg_str(args, key, &n);
    if (!q)
        return def;
    uint64_t v = 0, radix = 10;
    int neg = *q == '-';
    q += neg;
    if (q[0] == '0' && q[1] == 'x') { radix = 16; q += 2; }
    for (;; q++) {
        unsigned d;
        if (*q >= '0' && *q <= '9') d = (unsigned)(*q - '0');
        else if (radix == 16 && *q >= 'a' && *q <= 'f') d = (unsigned)(*q - 'a' + 10);
        else break;
        v = v * radix + d;
    }
    return neg ? -v : v;
}
