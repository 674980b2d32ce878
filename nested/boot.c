/* Firmware entries into HS (ARCHITECTURE.md section 3): OpenSBI's mret to
 * HS at boot, on HSM start and on non-retentive resume becomes an entry
 * into L1 at V=1. The first one also sets L0 up: its private memory, the
 * device-tree patch that hides it, the L0 vector and microcode, the G-stage
 * for L1 and the real H CSRs that run L1. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libfdt.h>
#include "rvnest/engine.h"
#include "rvnest/csr.h"
#include "rvnest/fdt.h"
#include "rvnest/sbi.h"

#define SZ_2M (2ull << 20)
#define FDT_GROWTH 1024
#define PLIC_CONTEXT_BASE 0x200000
#define PLIC_CONTEXT_STRIDE 0x1000
#define PLIC_ENABLE_BASE 0x2000
#define PLIC_ENABLE_STRIDE 0x80

static bool read_fdt(struct rvnest_vcpu *vc, uint64_t pa, void **out, uint32_t *size)
{
    struct rvnest_hart *h = vc->hart;
    struct fdt_header hdr;
    if (!h->ops->read_phys(h, pa, &hdr, sizeof(hdr)) || fdt_magic(&hdr) != FDT_MAGIC) {
        rvnest_fatal(vc->vm, "no device tree at a1=%#llx on the firmware entry into HS",
                     (unsigned long long)pa);
        return false;
    }
    uint32_t total = fdt_totalsize(&hdr);
    if (total > (16u << 20)) {
        rvnest_fatal(vc->vm, "L1 device tree size %u is implausible", total);
        return false;
    }
    void *buf = calloc(1, total + FDT_GROWTH);
    if (!buf || !h->ops->read_phys(h, pa, buf, total)) {
        free(buf);
        rvnest_fatal(vc->vm, "cannot read L1's device tree at %#llx", (unsigned long long)pa);
        return false;
    }
    *out = buf;
    *size = total;
    return true;
}

static bool write_words(struct rvnest_hart *h, uint64_t pa, const uint32_t *w, size_t n)
{
    return h->ops->write_phys(h, pa, w, n * sizeof(uint32_t));
}

/* A guest-physical range L0's G-stage leaves unmapped for L1. The table is
 * fixed-size: running out is a setup error, never a silent drop. */
static bool add_hole(struct rvnest_vm *vm, uint64_t base, uint64_t end)
{
    if (end <= base)
        return true;
    if (vm->nholes >= RVNEST_MAX_HOLES) {
        rvnest_fatal(vm, "more than %d guest-physical ranges to hide from L1 (RVNEST_MAX_HOLES)",
                     RVNEST_MAX_HOLES);
        return false;
    }
    vm->holes[vm->nholes].base = base;
    vm->holes[vm->nholes].size = end - base;
    vm->nholes++;
    return true;
}

static uint64_t align_up(uint64_t v, uint64_t a) { return (v + a - 1) & ~(a - 1); }

/* Chooses L0's region and what L1 must not reach (docs/architecture.md,
 * "Memory").
 *
 * With l1-mem (the launcher's way): QEMU's RAM is larger than L1's. L1's
 * /memory is cut to l1-mem and L0 lives above it, so L1's RAM gigabytes stay
 * whole 1 GiB G-stage leaves (each G-stage walk is one access, not two).
 * Everything above L1's RAM is unmapped for L1.
 *
 * Without it: L0 takes l0-mem 2 MiB-aligned just below the device tree
 * (which must stay where it is), hidden from L1 by a no-map reserved-memory
 * node. */
static bool place_l0(struct rvnest_vm *vm, const struct rvnest_fdt_facts *f)
{
    uint64_t size = vm->opt.l0_mem;
    uint64_t ram_end = f->ram_base + f->ram_size;
    uint64_t dt_lo = vm->fdt_pa & ~(SZ_2M - 1);
    uint64_t l1_end;
    vm->nholes = 0;
    if (vm->opt.l1_mem) {
        /* The device tree moves to where QEMU would put it natively
         * (native_fdt_addr): everything above L1's RAM is L0's or a hole. */
        l1_end = f->ram_base + vm->opt.l1_mem;
        uint64_t base = align_up(l1_end, SZ_2M);
        if (vm->opt.l1_mem >= f->ram_size || base + size > ram_end) {
            rvnest_fatal(vm, "l1-mem=%llu MiB leaves no room for L0's %llu MiB in the machine's %llu MiB of RAM; give QEMU more memory than l1-mem",
                         (unsigned long long)(vm->opt.l1_mem >> 20), (unsigned long long)(size >> 20),
                         (unsigned long long)(f->ram_size >> 20));
            return false;
        }
        vm->l0_base = base;
        if (!add_hole(vm, l1_end, ram_end))
            return false;
    } else {
        uint64_t end = dt_lo;
        if (end < f->ram_base + size + (64ull << 20)) {
            rvnest_fatal(vm, "not enough RAM for L0's %llu MiB below the device tree at %#llx; give the machine more memory",
                         (unsigned long long)(size >> 20), (unsigned long long)vm->fdt_pa);
            return false;
        }
        vm->l0_base = end - size;
        l1_end = ram_end;
        if (!add_hole(vm, vm->l0_base, end))
            return false;
    }
    vm->l0_size = size;
    for (unsigned i = 0; i < RVNEST_PLIC_PAGES; i++)
        if (!add_hole(vm, vm->plic_range[i].base, vm->plic_range[i].base + vm->plic_range[i].size))
            return false;
    if (f->initrd_end > f->initrd_start &&
        (l1_range_unmapped(vm, f->initrd_start, f->initrd_end - f->initrd_start) ||
         f->initrd_end > l1_end)) {
        rvnest_fatal(vm, "the initrd [%#llx, %#llx) is outside L1's memory or overlaps L0's [%#llx, %#llx); give the machine more memory or a smaller l0-mem",
                     (unsigned long long)f->initrd_start, (unsigned long long)f->initrd_end,
                     (unsigned long long)vm->l0_base, (unsigned long long)(vm->l0_base + size));
        return false;
    }
    return true;
}

/* Where QEMU's virt board puts the device tree for a machine with L1's RAM
 * (hw/riscv/boot.c riscv_compute_fdt_addr): at the top of RAM below 3 GiB,
 * 2 MiB aligned. */
static uint64_t native_fdt_addr(uint64_t ram_base, uint64_t ram_size, uint64_t fdt_size)
{
    uint64_t end = ram_base + ram_size, top = 3072ull << 20;
    uint64_t temp = ram_base < top ? (end < top ? end : top) : end;
    return (temp - fdt_size) & ~(SZ_2M - 1);
}

static bool setup_l0(struct rvnest_vcpu *vc)
{
    struct rvnest_vm *vm = vc->vm;
    struct rvnest_hart *h = vc->hart;
    void *fdt;
    uint32_t fdt_size;
    char err[200];
    struct rvnest_fdt_facts f;

    vm->fdt_pa = hart_gpr(h, 11);
    if (!read_fdt(vc, vm->fdt_pa, &fdt, &fdt_size))
        return false;
    if (rvnest_fdt_inspect(fdt, vm->fdt_pa, &f, err, sizeof(err))) {
        rvnest_fatal(vm, "%s", err);
        goto fail;
    }
    if (!f.isa_h) {
        rvnest_fatal(vm, "the hart has no H extension; run QEMU with -cpu rv64,h=true");
        goto fail;
    }
    vm->menvcfg = hart_csr(h, CSR_MENVCFG);
    vm->isa = (struct rvnest_isa){ .svnapot = f.isa_svnapot, .svinval = f.isa_svinval,
                                   .svadu = f.isa_svadu, .svade = f.isa_svade };
    vm->sstc = f.isa_sstc && (vm->menvcfg & ENVCFG_STCE);
    if (!vm->sstc) {
        rvnest_fatal(vm, "the hart lacks Sstc (or OpenSBI left menvcfg.STCE clear); rvnest needs Sstc for L1's timer");
        goto fail;
    }
    for (unsigned i = 0; i < vm->nharts; i++) {
        if (f.plic_s_ctx[i] < 0) {
            rvnest_fatal(vm, "no PLIC S-mode context for hart %u in the device tree", i);
            goto fail;
        }
    }
    vm->ram_base = f.ram_base;
    vm->ram_size = f.ram_size;
    vm->plic_base = f.plic_base;
    vm->plic_size = f.plic_size;
    /* The PLIC pages whose writes change L1's interrupt level: source
     * priorities, L1's context enables, L1's context (threshold, claim and
     * complete). L0 performs those accesses (nested/plic.c). */
    uint64_t lo = ~0ull, hi = 0;
    for (unsigned i = 0; i < vm->nharts; i++) {
        lo = lo < (uint64_t)f.plic_s_ctx[i] ? lo : (uint64_t)f.plic_s_ctx[i];
        hi = hi > (uint64_t)f.plic_s_ctx[i] ? hi : (uint64_t)f.plic_s_ctx[i];
    }
    uint64_t en_lo = (PLIC_ENABLE_BASE + lo * PLIC_ENABLE_STRIDE) & ~0xfffull;
    uint64_t en_hi = ((PLIC_ENABLE_BASE + (hi + 1) * PLIC_ENABLE_STRIDE) + 0xfff) & ~0xfffull;
    vm->plic_range[0].base = f.plic_base;
    vm->plic_range[0].size = 0x1000;
    vm->plic_range[1].base = f.plic_base + en_lo;
    vm->plic_range[1].size = en_hi - en_lo;
    vm->plic_range[2].base = f.plic_base + PLIC_CONTEXT_BASE + lo * PLIC_CONTEXT_STRIDE;
    vm->plic_range[2].size = (hi - lo + 1) * PLIC_CONTEXT_STRIDE;
    vm->plic_claim_page = f.plic_base + PLIC_CONTEXT_BASE + (uint64_t)f.plic_s_ctx[0] * PLIC_CONTEXT_STRIDE;
    if (!place_l0(vm, &f))
        goto fail;

    /* L1's device tree. With l1-mem it is, byte for byte, the blob a
     * native machine with L1's RAM gets (docs/architecture.md, "L1's
     * device tree"): the firmware's blob with only the size cells of its
     * /memory range rewritten in place to l1-mem (L0 lies outside it, so
     * no node names L0), neither opened nor packed, so that its layout,
     * totalsize and the free space OpenSBI's fixups leave in it stay, at
     * the address QEMU would put it natively, inside L1's RAM; L1 is
     * entered with a1 pointing there. Without l1-mem, L0's region inside
     * RAM is reserved (no-map) and the tree stays. */
    if (!f.has_rvnest_node) {
        uint64_t dest = vm->fdt_pa, l1_end = f.ram_base + f.ram_size;
        int rc;
        if (vm->opt.l1_mem) {
            rc = rvnest_fdt_set_memory_size(fdt, f.ram_base, vm->opt.l1_mem);
            dest = native_fdt_addr(f.ram_base, vm->opt.l1_mem, fdt_size);
            l1_end = f.ram_base + vm->opt.l1_mem;
        } else {
            rc = fdt_open_into(fdt, fdt, (int)(fdt_size + FDT_GROWTH));
            if (!rc)
                rc = rvnest_fdt_reserve(fdt, vm->l0_base, vm->l0_size);
            if (!rc)
                rc = fdt_pack(fdt);
        }
        uint32_t newsize = fdt_totalsize(fdt);
        if (rc || dest < f.ram_base || dest + newsize > l1_end) {
            rvnest_fatal(vm, "cannot patch L1's device tree: %s", rc ? fdt_strerror(rc) : "no room");
            goto fail;
        }
        if (f.initrd_end > f.initrd_start && dest < f.initrd_end && dest + newsize > f.initrd_start) {
            rvnest_fatal(vm, "the initrd [%#llx, %#llx) reaches where L1's device tree belongs (%#llx); give the machine more memory",
                         (unsigned long long)f.initrd_start, (unsigned long long)f.initrd_end,
                         (unsigned long long)dest);
            goto fail;
        }
        if (!h->ops->write_phys(h, dest, fdt, newsize)) {
            rvnest_fatal(vm, "cannot write L1's device tree");
            goto fail;
        }
        vm->fdt_pa = dest;
        hart_set_gpr(h, 11, dest);
    }
    free(fdt);
    fdt = NULL;

    /* The L0 vector (the microcode is written before each run). */
    static const uint32_t zero = 0;
    if (!write_words(h, vm->l0_base + L0_OFF_VECTOR, &zero, 1)) {
        rvnest_fatal(vm, "cannot write L0 memory at %#llx", (unsigned long long)vm->l0_base);
        return false;
    }

    /* The shadow G-stage pool starts empty. */
    if (!rvnest_shadow_setup(vc))
        return false;
    vm->booted = true;
    return true;
fail:
    free(fdt);
    return false;
}

/* This hart's part: it enters L1 for the first time since it was reset,
 * with what the firmware left in its S registers (at the cold boot, or
 * for a hart start: stvec = the entry, sscratch = sie = satp = 0). */
static bool setup_hart(struct rvnest_vcpu *vc)
{
    struct rvnest_vm *vm = vc->vm;
    struct rvnest_hart *h = vc->hart;
    /* Whatever ran before a reset, L1 runs now, without NACL shared memory. */
    rvnest_world_reset(vc);
    rvnest_nacl_reset(vc);

    /* L1 runs with no G-stage; L0's PMP entries keep it out of the holes
     * (nested/pmp.c). */
    if (!rvnest_pmp_install(vc, true))
        return false;

    /* The real H CSRs that run L1 at V=1 (ARCHITECTURE.md section 5). L1's
     * S registers start as the real HS ones OpenSBI left. */
    static const unsigned s_to_vs[][2] = {
        { CSR_SSTATUS, CSR_VSSTATUS }, { CSR_STVEC, CSR_VSTVEC }, { CSR_SSCRATCH, CSR_VSSCRATCH },
        { CSR_SEPC, CSR_VSEPC }, { CSR_SCAUSE, CSR_VSCAUSE }, { CSR_STVAL, CSR_VSTVAL },
        { CSR_SATP, CSR_VSATP },
    };
    /* L1's virtual H/VS registers start as a native hart's would: at a cold
     * boot the real ones hold QEMU's initial values (OpenSBI touches none),
     * so they are taken before L0 writes them; after a system reset the
     * previous virtual values stay, but for what QEMU's reset changes. */
    rvnest_vcsr_reset(&vc->vcsr, h, hart_csr(h, CSR_MENVCFG), vc->l1_entries != 0);
    for (size_t i = 0; i < sizeof(s_to_vs) / sizeof(s_to_vs[0]); i++)
        hart_set_csr(h, s_to_vs[i][1], hart_csr(h, s_to_vs[i][0]));
    hart_set_csr(h, CSR_VSIE, 0);

    hart_set_csr(h, CSR_STVEC, vm->l0_base + L0_OFF_VECTOR);
    hart_set_csr(h, CSR_SATP, 0);
    hart_set_csr(h, CSR_HSTATUS, HSTATUS_VSXL_64);
    vc->hedeleg = ~0ull;              /* unknown: rvnest_sync_l1_traps writes it */
    rvnest_sync_l1_traps(vc);
    hart_set_csr(h, CSR_HIDELEG, VS_MODE_INTERRUPTS);
    hart_set_csr(h, CSR_HCOUNTEREN, 0xffffffffu);   /* time, cycle, instret never trap */
    rvnest_envcfg_sync(vc);
    hart_set_csr(h, CSR_HTIMEDELTA, 0);
    rvnest_set_real_hvip(h, 0);
    hart_set_csr(h, CSR_HGATP, 0);
    vc->seip_presented = false;
    vc->virq_trap = false;
    vc->virq_deadline = ~0ull;
    hart_set_csr(h, CSR_SIE, rvnest_l0_sie(vc));
    hart_set_csr(h, CSR_SSCRATCH, rvnest_l0_sscratch(vm));
    rvnest_l1_hstateen_setup(vc);
    vc->uc.kind = UCODE_NONE;         /* a reset can cut a microcode run short */
    vc->entered = true;
    return true;
}

/* The first entry into HS after a new system reset began (the boot hart's
 * cold entry: the others wait in the firmware until L1 starts them) sets
 * L0 up; every other hart's first entry since its own reset sets up that
 * hart alone. Nothing here waits for another hart: a hart that runs its
 * reset vector late joins the epoch it belongs to (rvnest_reset_is_new)
 * whenever it comes, and QEMU reset it with the others, so no L0 state of
 * its from before the reset survives (setup_l0 drops it). */
static bool setup_after_reset(struct rvnest_vcpu *vc)
{
    struct rvnest_vm *vm = vc->vm;
    bool ok = true;
    pthread_mutex_lock(&vm->lock);
    if (vm->in_reset) {
        /* Every hart was reset with this one (a new epoch is only begun on
         * proof of a QEMU reset): none runs L2 on a context of the old pool,
         * and none may give one back to the new pool later (world reset). */
        for (unsigned i = 0; i < vm->nharts && i < RVNEST_MAX_HARTS; i++)
            __atomic_store_n(&vm->vcpu[i].world.level, RVNEST_L1, __ATOMIC_SEQ_CST);
        ok = setup_l0(vc);
        __atomic_store_n(&vm->in_reset, false, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&vm->lock);
    return ok && setup_hart(vc);
}

/* The firmware's menvcfg is L1's M-level environment: L0 records it (the
 * walker's G-stage A/D rule, the virtual henvcfg's read mask) and carries
 * what it grants HS over to V=1 through the real henvcfg, so that L1's own
 * execution at V=1 sees what it would in HS (FIOM, LPE, SSE, CBIE, CBCFE,
 * CBZE, PMM, DTE, ADUE, PBMTE, STCE; QEMU keeps what the CPU has). Called at
 * setup and after every FWFT call, which can change menvcfg. STCE is
 * always set (Sstc is required): QEMU's reset clears it, which is how a
 * system reset is recognised (rvnest_on_mret). */
#define ENVCFG_L1_BITS (ENVCFG_FIOM | ENVCFG_LPE | ENVCFG_SSE | ENVCFG_CBIE | ENVCFG_CBCFE | \
                        ENVCFG_CBZE | ENVCFG_PMM | ENVCFG_DTE | ENVCFG_ADUE | ENVCFG_PBMTE | \
                        ENVCFG_STCE)
uint64_t rvnest_l1_real_henvcfg(const struct rvnest_vcpu *vc)
{
    return vc->vcsr.menvcfg & ENVCFG_L1_BITS;
}

/* menvcfg is per hart: FWFT changes the calling hart's only. */
void rvnest_envcfg_sync(struct rvnest_vcpu *vc)
{
    struct rvnest_hart *h = vc->hart;
    vc->vcsr.menvcfg = hart_csr(h, CSR_MENVCFG);
    hart_set_csr(h, CSR_HENVCFG, rvnest_l1_real_henvcfg(vc));
}

/* What a firmware entry that is no reset leaves L1, natively:
 *  - OpenSBI's mode switch into HS (sbi_hart_switch_mode) writes stvec =
 *    entry, sscratch = 0, sie = 0 and satp = 0, and passes a0 = hart id,
 *    a1 = the caller's opaque value;
 *  - before it, the warm boot both a hart start and a non-retentive resume
 *    go through rewrote mstatus whole (sstatus.SIE, SPIE, SPP, SUM, MXR
 *    are 0 after either), so L1's sstatus is the one the firmware left;
 *  - a hart start ends a hart_stop, whose warm boot leaves mie and mip
 *    zero: natively L1's hie and hvip, 0 at the start; a non-retentive
 *    resume gets them back as L1 left them (OpenSBI restores mie, and
 *    mip's VS bits stay).
 * Those are L1's registers: L0 moves what the firmware wrote to L1's (the
 * real VS ones, the virtual H ones) and puts its own back. Which of the
 * two entries it is: the HSM call the hart was in (nested/sbi_hsm.c), a
 * suspend (the only call that resumes) or else a stop. */
static void hsm_entry(struct rvnest_vcpu *vc)
{
    struct rvnest_hart *h = vc->hart;
    struct rvnest_vm *vm = vc->vm;
    bool resume = vc->uc.kind == UCODE_SBI_FORWARD && vc->hsm_fid == SBI_HSM_HART_SUSPEND;
    hart_set_csr(h, CSR_VSSTATUS, hart_csr(h, CSR_SSTATUS));
    hart_set_csr(h, CSR_VSTVEC, hart_csr(h, CSR_STVEC));
    hart_set_csr(h, CSR_VSSCRATCH, hart_csr(h, CSR_SSCRATCH));
    hart_set_csr(h, CSR_VSIE, hart_csr(h, CSR_SIE) >> 1);
    hart_set_csr(h, CSR_VSATP, hart_csr(h, CSR_SATP));
    if (!resume) {
        /* a started hart begins without NACL shared memory */
        rvnest_nacl_reset(vc);
        vc->vcsr.val[VCSR_HIE] = 0;
        vc->vcsr.val[VCSR_HVIP] &= ~VS_MODE_INTERRUPTS;
    }
    hart_set_csr(h, CSR_STVEC, vm->l0_base + L0_OFF_VECTOR);
    hart_set_csr(h, CSR_SSCRATCH, rvnest_l0_sscratch(vm));
    hart_set_csr(h, CSR_SIE, rvnest_l0_sie(vc));
    hart_set_csr(h, CSR_SATP, 0);
    /* A non-retentive suspend never returns from its microcode run. */
    vc->uc.kind = UCODE_NONE;
    /* OpenSBI programmed PMP and menvcfg again (hart start, resume). */
    rvnest_pmp_install(vc, false);
    rvnest_envcfg_sync(vc);
}

/* L1 is entered at V=1 at entry_pc, whatever that address is: an address
 * L1 cannot reach faults for L1 when it runs there (its G-stage has nothing
 * there), exactly as natively; real HS never runs it. */
bool rvnest_firmware_entry(struct rvnest_vcpu *vc, uint64_t entry_pc, bool reset)
{
    rvnest_reset_note_time(vc);
    if (reset) {
        if (!setup_after_reset(vc))
            return false;
    } else {
        hsm_entry(vc);
    }
    vc->l1_entries++;
    rvnest_resume(vc, entry_pc, PRV_S | PRIV_V);
    return true;
}
