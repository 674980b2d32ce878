/* L0's isolation while L1 runs with no G-stage (real hgatp = Bare): PMP
 * entries that deny S and U every access to L0's holes (L0 memory and RAM
 * above L1's, the PLIC pages L0 performs), placed *ahead of* the firmware's
 * entries, because the lowest-numbered matching entry decides (priv spec,
 * "Physical Memory Protection": "PMP entries are statically prioritized").
 * L1 runs with S privilege at V=1, which PMP does not tell apart from HS, so
 * the same entries bind L1's kernel, its user programs and every page-table
 * walk the hardware makes for them. M-mode (OpenSBI) is unaffected: the
 * entries are not locked. A guest cannot change PMP (M-mode CSRs).
 *
 * Layout, lowest first: [microcode page][shadow pool][one or two entries per hole]
 * [the firmware's entries, shifted down][off]. The microcode page entry is
 * off except while a microcode run is in flight, when it lets real HS
 * execute L0's words (L0 memory is otherwise denied to S like to L1). The
 * shadow pool entry is off while L1 runs and read-only for S while L2 runs:
 * QEMU checks the hart's G-stage page-table reads against PMP as S-mode
 * loads, and no shadow leaf maps L0 memory, so L2 itself cannot reach it.
 *
 * OpenSBI programs PMP from entry 0 at boot, hart start and non-retentive
 * resume; L0 installs its layout at every firmware entry and checks it at
 * the end of every microcode run (an SBI call may have reprogrammed PMP),
 * taking the firmware's entries from where it just wrote them. */
#include "rvnest/engine.h"
#include "rvnest/csr.h"

static uint8_t get_cfg(struct rvnest_hart *h, unsigned i)
{
    return (uint8_t)(hart_csr(h, CSR_PMPCFG0 + (i / 8) * 2) >> ((i % 8) * 8));
}

static void read_all(struct rvnest_hart *h, struct rvnest_pmp_entry e[RVNEST_PMP_ENTRIES])
{
    for (unsigned i = 0; i < RVNEST_PMP_ENTRIES; i++) {
        e[i].cfg = get_cfg(h, i);
        e[i].addr = hart_csr(h, CSR_PMPADDR0 + i);
    }
}

/* Addresses first, then the configuration registers: an entry becomes
 * active only with its final address in place. */
static void write_all(struct rvnest_hart *h, const struct rvnest_pmp_entry e[RVNEST_PMP_ENTRIES])
{
    for (unsigned i = 0; i < RVNEST_PMP_ENTRIES; i += 8)
        hart_set_csr(h, CSR_PMPCFG0 + (i / 8) * 2, 0);
    for (unsigned i = 0; i < RVNEST_PMP_ENTRIES; i++)
        hart_set_csr(h, CSR_PMPADDR0 + i, e[i].addr);
    for (unsigned i = 0; i < RVNEST_PMP_ENTRIES; i += 8) {
        uint64_t cfg = 0;
        for (unsigned j = 0; j < 8; j++)
            cfg |= (uint64_t)e[i + j].cfg << (8 * j);
        hart_set_csr(h, CSR_PMPCFG0 + (i / 8) * 2, cfg);
    }
}

bool rvnest_pmp_range(uint8_t cfg, uint64_t addr, uint64_t prev_addr, uint64_t *lo, uint64_t *hi)
{
    switch (cfg & PMP_A) {
    case PMP_A_TOR:
        if ((addr << 2) <= (prev_addr << 2))
            return false;             /* matches nothing */
        *lo = prev_addr << 2;
        *hi = (addr << 2) - 1;
        return true;
    case PMP_A_NA4:
        *lo = addr << 2;
        *hi = *lo + 3;
        return true;
    case PMP_A_NAPOT: {
        /* trailing ones of pmpaddr give the size: 2^(ones+3) bytes */
        uint64_t t = ~addr & (addr + 1);   /* lowest zero bit */
        uint64_t size_m1 = (t << 3) - 1;
        if (!t) {                     /* all ones: the whole space */
            *lo = 0;
            *hi = ~0ull;
            return true;
        }
        *lo = (addr << 2) & ~size_m1;
        *hi = *lo | size_m1;
        return true;
    }
    default:
        return false;
    }
}

static uint64_t napot_addr(uint64_t base, uint64_t size)
{
    return (base | (size / 2 - 1)) >> 2;
}

/* L0's own entries, no access for S/U (cfg RWX = 0), into e, then the
 * fast-path entry for L1's RAM (pmp_fast_ram); returns how many, or 0 when
 * they do not fit. */
static unsigned l0_entries(const struct rvnest_vcpu *vc, struct rvnest_pmp_entry *e, unsigned max)
{
    const struct rvnest_vm *vm = vc->vm;
    unsigned n = 0;
    e[n++] = (struct rvnest_pmp_entry){ PMP_A_OFF, napot_addr(vm->l0_base + L0_OFF_UCODE_PAGE, 4096) };
    e[n++] = (struct rvnest_pmp_entry){
        vc->world.level == RVNEST_L2 ? (uint8_t)(PMP_A_NAPOT | PMP_R) : (uint8_t)PMP_A_OFF,
        napot_addr(vm->shadow.base, vm->shadow.size) };
    for (unsigned i = 0; i < vm->nholes; i++) {
        uint64_t b = vm->holes[i].base, s = vm->holes[i].size;
        bool napot = s >= 8 && !(s & (s - 1)) && !(b & (s - 1));
        if (n + (napot ? 1 : 2) > max)
            return 0;
        if (napot) {
            e[n++] = (struct rvnest_pmp_entry){ PMP_A_NAPOT, napot_addr(b, s) };
        } else {
            e[n++] = (struct rvnest_pmp_entry){ PMP_A_OFF, b >> 2 };
            e[n++] = (struct rvnest_pmp_entry){ PMP_A_TOR, (b + s) >> 2 };
        }
    }
    if (vm->pmp_ram_hi > vm->pmp_ram_lo && n + 2 <= max) {
        e[n++] = (struct rvnest_pmp_entry){ PMP_A_OFF, vm->pmp_ram_lo >> 2 };
        e[n++] = (struct rvnest_pmp_entry){ (uint8_t)(PMP_A_TOR | vm->pmp_ram_rwx), vm->pmp_ram_hi >> 2 };
    }
    return n;
}

/* QEMU checks PMP entries in order on every TLB fill and page-table read,
 * so L1's RAM, which natively matches the firmware's catch-all (its last
 * entry), would be checked against every entry of L0's and the firmware's.
 * L0 adds an entry for the part of L1's RAM above every other firmware
 * region, with the catch-all's permissions: the same result, found after
 * L0's few entries. Skipped when the firmware's layout does not allow it
 * (no single catch-all, or a region inside that range). */
static void pmp_fast_ram(struct rvnest_vcpu *vc, const struct rvnest_pmp_entry *fw, unsigned fw_n)
{
    struct rvnest_vm *vm = vc->vm;
    uint64_t lo = vm->ram_base, hi = vm->ram_base + (vm->opt.l1_mem ? vm->opt.l1_mem : vm->ram_size);
    int catchall = -1;
    vm->pmp_ram_lo = vm->pmp_ram_hi = 0;
    for (unsigned i = 0; i < fw_n; i++) {
        uint8_t a = fw[i].cfg & PMP_A;
        if (a == PMP_A_NAPOT && fw[i].addr == ~0ull >> 10) {          /* the whole space */
            if (catchall < 0)
                catchall = (int)i;
            continue;
        }
        if (a == PMP_A_OFF)
            continue;
        if (a != PMP_A_NAPOT || catchall >= 0)
            return;                   /* TOR/NA4, or an entry behind the catch-all */
        uint64_t rlo, rhi;
        rvnest_pmp_range(fw[i].cfg, fw[i].addr, 0, &rlo, &rhi);
        if (rlo < hi && rhi >= lo) {
            if (rhi == ~0ull)
                return;               /* it covers the rest of the space */
            lo = rhi + 1;             /* below it stays the firmware's */
        }
    }
    if (catchall < 0 || lo >= hi)
        return;
    for (unsigned i = 0; i < vm->nholes; i++)
        if (vm->holes[i].base < hi && vm->holes[i].base + vm->holes[i].size > lo)
            return;
    vm->pmp_ram_lo = lo;
    vm->pmp_ram_hi = hi;
    vm->pmp_ram_rwx = fw[catchall].cfg & (PMP_R | PMP_W | PMP_X);
}

/* Install L0's layout over the firmware's entries as they are now (fw_n of
 * them, from entry 0). */
static bool install(struct rvnest_vcpu *vc, unsigned fw_n)
{
    struct rvnest_vm *vm = vc->vm;
    struct rvnest_hart *h = vc->hart;
    struct rvnest_pmp_entry now[RVNEST_PMP_ENTRIES], e[RVNEST_PMP_ENTRIES] = { { 0, 0 } };
    uint64_t mseccfg = 0;
    h->ops->get_csr(h, CSR_MSECCFG, &mseccfg);
    if (mseccfg & MSECCFG_MML) {
        rvnest_fatal(vm, "the firmware enabled Smepmp's machine-mode lockdown (mseccfg.MML): rvnest's PMP isolation needs it off");
        return false;
    }
    read_all(h, now);
    if (fw_n && (now[0].cfg & PMP_A) == PMP_A_TOR) {
        rvnest_fatal(vm, "the firmware's first PMP entry is TOR (base 0): it cannot be moved behind L0's entries");
        return false;
    }
    for (unsigned i = 0; i < fw_n; i++)
        if (now[i].cfg & PMP_L) {
            rvnest_fatal(vm, "the firmware locked PMP entry %u: it cannot be moved behind L0's entries", i);
            return false;
        }
    pmp_fast_ram(vc, now, fw_n);
    unsigned k = l0_entries(vc, e, RVNEST_PMP_ENTRIES - fw_n);
    if (!k) {
        vm->pmp_ram_lo = vm->pmp_ram_hi = 0;  /* not enough entries for the fast path */
        k = l0_entries(vc, e, RVNEST_PMP_ENTRIES - fw_n);
    }
    if (!k || k + fw_n > RVNEST_PMP_ENTRIES) {
        rvnest_fatal(vm, "L0 needs %u PMP entries and the firmware uses %u of the hart's %d",
                     k, fw_n, RVNEST_PMP_ENTRIES);
        return false;
    }
    for (unsigned i = 0; i < fw_n; i++)
        e[k + i] = now[i];
    write_all(h, e);
    rvnest_pmp_forget(vc);
    vm->pmp_fw_n = fw_n;
    vm->pmp_l0_n = k;
    return true;
}

/* The firmware's entries are those from 0 up to the last one in use. */
static unsigned firmware_count(struct rvnest_hart *h)
{
    unsigned n = 0;
    for (unsigned i = 0; i < RVNEST_PMP_ENTRIES; i++)
        if (get_cfg(h, i) & PMP_A)
            n = i + 1;
    return n;
}

bool rvnest_pmp_install(struct rvnest_vcpu *vc, bool cold)
{
    struct rvnest_hart *h = vc->hart;
    rvnest_pmp_forget(vc);            /* the firmware may have written it */
    if (!cold && rvnest_pmp_intact(vc))
        return true;
    /* The firmware wrote its layout from entry 0 again: at a cold boot it
     * is all there is; later the same number of entries as before, the
     * rest being what is left of L0's previous layout. */
    /* After a system reset (the hart entered L1 before) the entries above
     * the firmware's may still hold L0's previous layout: the firmware's
     * count is the one it had at the cold boot. */
    struct rvnest_vm *vm = vc->vm;
    return install(vc, cold && !vc->l1_entries ? firmware_count(h) : vm->pmp_fw_n);
}

bool rvnest_pmp_intact(struct rvnest_vcpu *vc)
{
    struct rvnest_hart *h = vc->hart;
    struct rvnest_pmp_entry e[RVNEST_PMP_ENTRIES];
    unsigned k = l0_entries(vc, e, RVNEST_PMP_ENTRIES);
    for (unsigned i = 0; i < k; i++) {
        uint8_t cfg = get_cfg(h, i);
        /* entry 0, the microcode page, is off or execute-only */
        bool cfg_ok = i == 0 ? (cfg == PMP_A_OFF || cfg == (PMP_A_NAPOT | PMP_X)) : cfg == e[i].cfg;
        if (!cfg_ok || hart_csr(h, CSR_PMPADDR0 + i) != e[i].addr)
            return false;
    }
    return true;
}

/* Sets entry i (0 or 1, L0's own) to cfg. L0's copy of the real PMP
 * (nested/l1_mem.c) stays valid: only that byte changed, and only by this
 * write (every world switch makes two; reading the copy again costs ~18
 * register reads at the next walk). */
static void set_own_entry(struct rvnest_vcpu *vc, unsigned i, uint8_t cfg)
{
    struct rvnest_hart *h = vc->hart;
    uint64_t v = hart_csr(h, CSR_PMPCFG0) & ~(0xffull << (8 * i));
    hart_set_csr(h, CSR_PMPCFG0, v | ((uint64_t)cfg << (8 * i)));
    if (vc->pmp.valid)
        vc->pmp.cfg[i] = cfg;
}

/* Entry 1 lets the hart read the shadow pool while L2 runs. */
void rvnest_pmp_shadow(struct rvnest_vcpu *vc, bool on)
{
    set_own_entry(vc, 1, on ? (PMP_A_NAPOT | PMP_R) : PMP_A_OFF);
}

/* Entry 0 lets real HS execute the microcode page while a run is in flight. */
void rvnest_pmp_ucode(struct rvnest_vcpu *vc, bool on)
{
    set_own_entry(vc, 0, on ? (PMP_A_NAPOT | PMP_X) : PMP_A_OFF);
}
