/* Runtime of the L1 conformance programs and the fuzzer: see conf_lib.h. */
#include "conf_lib.h"

volatile struct trapinfo T, TI;
volatile uint64_t T_count, TI_count, T_unexpected;
volatile uint64_t irq_counts[64];
volatile int conf_trapped, conf_armed;
volatile uint64_t conf_result;
uint64_t dt_ram_base, dt_ram_end, dt_plic_base;
uint64_t dt_hart_ids[16], dt_timebase = 10000000;
int dt_nharts, dt_harts_disabled;
char dt_bootargs[256];
int dt_has_rvnest_l0;
long conf_checks, conf_failures;
uint64_t conf_code_va_off;

extern char conf_trap_entry[], conf_escape[];
uint64_t conf_call_asm(uint64_t fn, uint64_t a0, uint64_t a1, uint64_t umode, uint64_t usp);

/* Trap stack: the dword at the top holds the C handler's address. */
static uint64_t trap_stack[2049] __attribute__((aligned(16)));
static uint64_t user_stack[512] __attribute__((aligned(16)));
uint32_t conf_code_buf[1024] __attribute__((aligned(4096)));
static uint64_t conf_uexit;     /* VA of the exit ecall of U code */

/* ---- output ---- */

static void put_u(uint64_t u, unsigned base, int width, char pad)
{
    char b[24];
    int n = 0;
    do { b[n++] = "0123456789abcdef"[u % base]; u /= base; } while (u);
    while (n < width) b[n++] = pad;
    char s[26];
    int k = 0;
    while (n) s[k++] = b[--n];
    s[k] = 0;
    puts_(s);
}

void cvprintf(const char *fmt, va_list ap)
{
    char one[2] = { 0, 0 };
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            one[0] = *fmt;
            puts_(one);
            continue;
        }
        fmt++;
        int width = 0;
        char pad = ' ';
        if (*fmt == '0') { pad = '0'; fmt++; }
        while (*fmt >= '0' && *fmt <= '9') width = width * 10 + (*fmt++ - '0');
        switch (*fmt) {
        case 's': puts_(va_arg(ap, const char *)); break;
        case 'c': one[0] = (char)va_arg(ap, int); puts_(one); break;
        case 'd': {
            long v = va_arg(ap, long);
            if (v < 0) { puts_("-"); put_u(-(uint64_t)v, 10, width, pad); }
            else put_u((uint64_t)v, 10, width, pad);
            break;
        }
        case 'u': put_u(va_arg(ap, uint64_t), 10, width, pad); break;
        case 'x': puts_("0x"); put_u(va_arg(ap, uint64_t), 16, width, pad); break;
        case 'X': put_u(va_arg(ap, uint64_t), 16, width, pad); break;
        default: one[0] = *fmt; puts_(one); break;
        }
    }
}

void cprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cvprintf(fmt, ap);
    va_end(ap);
}

void check(const char *name, int ok, const char *fmt, ...)
{
    va_list ap;
    conf_checks++;
    cprintf("check %s: ", name);
    va_start(ap, fmt);
    cvprintf(fmt, ap);
    va_end(ap);
    cprintf("\n");
    if (!ok) {
        conf_failures++;
        cprintf("FAIL: %s\n", name);
    }
}

void check_eq(const char *name, uint64_t got, uint64_t want)
{
    if (got == want)
        check(name, 1, "%x", got);
    else
        check(name, 0, "%x (expected %x)", got, want);
}

void conf_done(const char *prog)
{
    cprintf("%s: %d checks, %d failures, %d unexpected traps\n", prog, conf_checks,
            conf_failures, (long)T_unexpected);
    cprintf("%s: %s\n", prog, conf_failures || T_unexpected ? "FAILED" : "passed");
    shutdown();
}

/* ---- traps ---- */

static unsigned insn_len_at(uint64_t epc)
{
    return (*(volatile uint16_t *)(uintptr_t)epc & 3) == 3 ? 4 : 2;
}

/* The trap CSRs as the handler finds them (htval 0x643, htinst 0x64a,
 * hstatus 0x600). */
static void record_trap(volatile struct trapinfo *t, uint64_t cause)
{
    t->cause = cause;
    t->tval = csr_read(stval);
    t->epc = csr_read(sepc);
    t->htval = csr_read(0x643);
    t->htinst = csr_read(0x64a);
    t->hstatus = csr_read(0x600);
    t->sstatus = csr_read(sstatus);
}

void conf_trap_c(uint64_t *f)
{
    uint64_t cause = csr_read(scause);
    if ((int64_t)cause < 0) {
        unsigned irq = cause & 63;
        record_trap(&TI, cause);
        TI_count++;
        irq_counts[irq]++;
        if (irq == 1)
            csr_clear(sip, 1 << 1);
        else if (irq == 2 || irq == 6 || irq == 10 || irq == 12)
            csr_clear(0x604, 1ull << irq);                /* VS-level/SGEI: hie */
        else
            csr_clear(sie, 1ull << irq);
        return;
    }
    record_trap(&T, cause);
    T_count++;
    if (conf_armed) {
        conf_armed = 0;
        conf_trapped = !((cause == 8 || cause == 10) && T.epc == conf_uexit);
        conf_result = f[10];
        csr_write(sepc, (uint64_t)(uintptr_t)conf_escape);
        csr_set(sstatus, 1 << 8);                         /* back to S */
        if (T.hstatus & (1ull << 7))
            csr_clear(0x600, 1ull << 7);                  /* from V=1: back to HS */
        return;
    }
    T_unexpected++;
    cprintf("unexpected trap: cause %x tval %x epc %x\n", cause, T.tval, T.epc);
    if (cause == 1 || cause == 12 || cause == 20) {
        csr_write(sepc, f[1]);                            /* fetch fault: return */
        return;
    }
    csr_write(sepc, T.epc + insn_len_at(T.epc));
}

uint64_t conf_run(const uint32_t *insns, int n, int mode, uint64_t a0, uint64_t a1)
{
    int i;
    for (i = 0; i < n; i++)
        conf_code_buf[i] = insns[i];
    conf_code_buf[i] = mode == MODE_U ? I_ECALL : 0x00008067u;   /* ecall / ret */
    __asm__ volatile("fence.i" ::: "memory");
    uint64_t base = (uint64_t)(uintptr_t)conf_code_buf + conf_code_va_off;
    conf_uexit = base + 4 * (uint64_t)i;
    uint64_t sie = csr_read(sstatus) & 2;
    uint64_t r = conf_call_asm(base, a0, a1, mode == MODE_U,
                               (uint64_t)(uintptr_t)&user_stack[512] + conf_code_va_off);
    if (sie)
        csr_set(sstatus, 2);
    else
        csr_clear(sstatus, 2);
    return r;
}

uint64_t conf_call(uint64_t fn, uint64_t a0, uint64_t a1)
{
    uint64_t sie = csr_read(sstatus) & 2;
    conf_uexit = ~0ull;
    uint64_t r = conf_call_asm(fn, a0, a1, 0, 0);
    if (sie)
        csr_set(sstatus, 2);
    else
        csr_clear(sstatus, 2);
    return r;
}

uint64_t conf_call_at(uint64_t fn, int mode, uint64_t uexit, uint64_t a0, uint64_t a1)
{
    uint64_t sie = csr_read(sstatus) & 2;
    conf_uexit = uexit;
    uint64_t r = conf_call_asm(fn, a0, a1, mode == MODE_U, (uint64_t)(uintptr_t)&user_stack[512]);
    if (sie)
        csr_set(sstatus, 2);
    else
        csr_clear(sstatus, 2);
    return r;
}

uint64_t conf_nacl_shmem, conf_nacl_sret_errors;

uint64_t conf_call_v(uint64_t fn, int mode, uint64_t uexit, uint64_t a0, uint64_t a1)
{
    return conf_call_v_via(fn, mode, uexit, a0, a1, 0);
}

uint64_t conf_call_v_via(uint64_t fn, int mode, uint64_t uexit, uint64_t a0, uint64_t a1, int nacl)
{
    uint64_t sie = csr_read(sstatus) & 2;
    conf_uexit = uexit;
    if (mode == MODE_S)
        csr_set(0x600, (1ull << 7) | (1ull << 8));        /* hstatus.SPV, SPVP */
    else {
        csr_set(0x600, 1ull << 7);
        csr_clear(0x600, 1ull << 8);
    }
    uint64_t r = conf_call_asm(fn, a0, a1, (mode == MODE_S ? 2 : 1) | (nacl && conf_nacl_shmem ? 4 : 0), 0);
    if (sie)
        csr_set(sstatus, 2);
    else
        csr_clear(sstatus, 2);
    return r;
}

uint64_t csr_get(unsigned csr)
{
    uint64_t v = conf_exec(enc_csr(F_CSRRS, R_A0, R_ZERO, csr), MODE_S, ~0ull, 0);
    return conf_trapped ? ~0ull : v;
}

void csr_put(unsigned csr, uint64_t v)
{
    conf_exec(enc_csr(F_CSRRW, R_ZERO, R_A1, csr), MODE_S, 0, v);
}

uint64_t csr_swap(unsigned csr, uint64_t v)
{
    uint64_t r = conf_exec(enc_csr(F_CSRRW, R_A0, R_A1, csr), MODE_S, ~0ull, v);
    return conf_trapped ? ~0ull : r;
}

/* ---- device tree ---- */

static void dt_parse(uint64_t fdt)
{
    const char *base = (const char *)(uintptr_t)fdt;
    if (be32(base) != 0xd00dfeed) {
        cprintf("no device tree at %x\n", fdt);
        return;
    }
    const char *p = base + be32(base + 8);
    const char *strings = base + be32(base + 12);
    const char *names[16];
    int depth = 0;
    for (;;) {
        uint32_t tok = be32(p);
        p += 4;
        if (tok == 1) {                                   /* BEGIN_NODE */
            const char *name = p;
            if (depth < 16)
                names[depth] = name;
            depth++;
            if (str_prefix(name, "rvnest-l0@"))
                dt_has_rvnest_l0 = 1;
            while (*p) p++;
            p = base + ((p + 1 - base + 3) & ~3);
        } else if (tok == 2) {                            /* END_NODE */
            depth--;
        } else if (tok == 3) {                            /* PROP */
            uint32_t len = be32(p);
            const char *pname = strings + be32(p + 4);
            const char *data = p + 8;
            const char *node = depth > 0 && depth <= 16 ? names[depth - 1] : "";
            if (depth == 2 && str_prefix(node, "memory@") && streq(pname, "reg") && len >= 16) {
                dt_ram_base = be64(data);
                dt_ram_end = dt_ram_base + be64(data + 8);
            } else if (depth == 2 && streq(node, "chosen") && streq(pname, "bootargs")) {
                uint32_t i;
                for (i = 0; i < len && i < sizeof(dt_bootargs) - 1; i++)
                    dt_bootargs[i] = data[i];
                dt_bootargs[i] = 0;
            } else if (str_prefix(node, "plic@") && streq(pname, "reg") && len >= 16) {
                dt_plic_base = be64(data);
            } else if (depth == 2 && streq(node, "cpus") && streq(pname, "timebase-frequency") &&
                       len == 4) {
                dt_timebase = be32(data);
            } else if (depth == 3 && streq(names[1], "cpus") && str_prefix(node, "cpu@")) {
                if (streq(pname, "reg") && len >= 4 && dt_nharts < (int)ARRAY_SIZE(dt_hart_ids))
                    dt_hart_ids[dt_nharts++] = be32(data + len - 4);
                if (streq(pname, "status") && !streq(data, "okay"))
                    dt_harts_disabled++;
            }
            p = data + ((len + 3) & ~3u);
        } else if (tok == 4) {                            /* NOP */
        } else {
            break;
        }
    }
}

uint64_t conf_arg(const char *key, uint64_t def)
{
    return bootarg(dt_bootargs, key, def);
}

/* ---- page tables ---- */

static uint64_t pt_pool[96][512] __attribute__((aligned(4096)));
static unsigned pt_used;

uint64_t *pt_alloc(void)
{
    if (pt_used == ARRAY_SIZE(pt_pool)) {
        cprintf("page-table pool exhausted\n");
        shutdown();
    }
    uint64_t *t = pt_pool[pt_used++];
    for (int i = 0; i < 512; i++)
        t[i] = 0;
    return t;
}

uint64_t *pt_slot(uint64_t *root, uint64_t va, int level)
{
    uint64_t *t = root;
    for (int l = 2; l > level; l--) {
        uint64_t *e = &t[(va >> (12 + 9 * l)) & 511];
        if (!(*e & PTE_V) || (*e & (PTE_R | PTE_W | PTE_X)))
            *e = ((uint64_t)(uintptr_t)pt_alloc() >> 12 << 10) | PTE_V;
        t = (uint64_t *)(uintptr_t)(*e >> 10 << 12);
    }
    return &t[(va >> (12 + 9 * level)) & 511];
}

void pt_map(uint64_t *root, uint64_t va, uint64_t pa, uint64_t flags, int level)
{
    *pt_slot(root, va, level) = (pa >> 12 << 10) | flags;
}

uint64_t *pt_identity(void)
{
    uint64_t *root = pt_alloc();
    pt_map(root, 0, 0, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D, 2);
    for (uint64_t a = dt_ram_base & ~0x1fffffull; a < dt_ram_end; a += 0x200000)
        pt_map(root, a, a, PTE_LEAF_S, 1);
    return root;
}

void satp_set(uint64_t satp)
{
    __asm__ volatile("csrw satp, %0; sfence.vma" :: "r"(satp) : "memory");
}

/* Spin (no wfi: the handler masks the source, and an interrupt taken just
 * before a wfi would leave it waiting for nothing) until interrupt irq
 * was taken once more than `before`, or for at most `ticks` of time. */
int wait_irq(unsigned irq, uint64_t before, uint64_t ticks)
{
    uint64_t t0 = csr_read(time);
    while (irq_counts[irq] == before && csr_read(time) - t0 < ticks)
        ;
    return irq_counts[irq] != before;
}

uint64_t rnd_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

void conf_init(uint64_t fdt)
{
    trap_stack[2048] = (uint64_t)(uintptr_t)conf_trap_c;
    csr_write(sscratch, (uint64_t)(uintptr_t)&trap_stack[2048]);
    csr_write(stvec, (uint64_t)(uintptr_t)conf_trap_entry);
    csr_write(0x14d, ~0ull);                              /* stimecmp: no timer */
    dt_parse(fdt);
}

/* The compiler may emit calls to these even with -ffreestanding. */
void *memset(void *d, int c, unsigned long n);
void *memcpy(void *d, const void *s, unsigned long n);
void *memset(void *d, int c, unsigned long n)
{
    unsigned char *p = d;
    while (n--)
        *p++ = (unsigned char)c;
    return d;
}
void *memcpy(void *d, const void *s, unsigned long n)
{
    unsigned char *p = d;
    const unsigned char *q = s;
    while (n--)
        *p++ = *q++;
    return d;
}
