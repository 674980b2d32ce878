/* Firmware entry into HS: L0 setup, device-tree patch, G-stage, entry at V=1. */
#include <libfdt.h>
#include "mock_hart.h"
#include "rvnest/csr.h"
#include "rvnest/fdt.h"

/* Two harts on the mock hart: vcpu 1 shares hart 0's registers (the rules
 * below read only the privilege and time). */
static struct rvnest_vcpu *second_hart(struct mock_vm *t)
{
    struct rvnest_vcpu *v = &t->vm.vcpu[1];
    size_t size;
    void *fdt = mock_fdt_build_harts(0x80000000, 1ull << 30, true, 2, &size);
    t->m.h.ops->write_phys(&t->m.h, 0xbfe00000, fdt, size);   /* the next boot's */
    g_free(fdt);
    t->vm.nharts = 2;
    memset(v, 0, sizeof(*v));         /* as rvnest_vcpu_init leaves it */
    v->hart = &t->m.h;
    v->vm = &t->vm;
    return v;
}

/* A booted VM with a second hart (second_hart), the mock hart in M. */
static struct rvnest_vcpu *boot_two_harts(struct mock_vm *t)
{
    mock_vm_boot(t);
    struct rvnest_vcpu *h1 = second_hart(t);
    t->m.priv = PRV_M;
    return h1;
}

/* vc runs the reset vector in M when time reads `time`. */
static void vector_at(struct mock_vm *t, struct rvnest_vcpu *vc, uint64_t time)
{
    t->m.priv = PRV_M;
    t->m.csr[CSR_TIME] = time;
    rvnest_on_hart_reset(vc);
}

/* A cold boot entry into HS on the mock hart, after OpenSBI. */
static void firmware_cold_entry(struct mock_vm *t, struct rvnest_vcpu *vc)
{
    struct mock_hart *m = &t->m;
    m->priv = PRV_M;
    m->csr[CSR_HENVCFG] = 0;
    m->csr[CSR_SSCRATCH] = 0;
    m->csr[CSR_STVEC] = 0x80200000;
    m->csr[CSR_MSTATUS] = (uint64_t)PRV_S << MSTATUS_MPP_SHIFT;
    m->csr[CSR_MEPC] = 0x80200000;
    m->gpr[11] = 0xbfe00000;
    rvnest_on_mret(vc);
}

/* The machine is in reset epoch `epoch`, with L0's setup for it to do or
 * done. */
static void epoch_is(const struct mock_vm *t, unsigned epoch, bool in_reset)
{
    g_assert_cmpuint(t->vm.reset_epoch, ==, epoch);
    g_assert_cmpint(t->vm.in_reset, ==, in_reset);
}

static void test_first_entry(void)
{
    struct mock_vm t;
    mock_vm_boot(&t);
    struct mock_hart *m = &t.m;
    /* L0 sits 2 MiB-aligned just below the DT */
    g_assert_cmphex(t.vm.l0_base, ==, 0xbfe00000 - RVNEST_DEFAULT_L0_MEM);
    /* the mret now enters V=1 at the same pc (MPP=S, MPV=1) */
    g_assert_cmphex(m->csr[CSR_MEPC], ==, 0x80200000);
    g_assert_true(m->csr[CSR_MSTATUS] & MSTATUS_MPV);
    g_assert_cmphex((m->csr[CSR_MSTATUS] & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT, ==, PRV_S);
    /* the real stvec is L0's vector, L1's old stvec moved to vstvec */
    g_assert_cmphex(m->csr[CSR_STVEC], ==, t.vm.l0_base);
    g_assert_cmphex(m->csr[CSR_VSTVEC], ==, 0x80200100);
    g_assert_cmphex(mock_read64(m, t.vm.l0_base) & 0xffffffff, ==, 0);     /* vector word */
    g_assert_cmphex(m->csr[CSR_HGATP], ==, 0);              /* L1 runs with no G-stage */
    /* PMP: L0's entries first (microcode page off; L0's 4 MiB, not 4 MiB
     * aligned: an OFF/TOR pair; three PLIC pages NAPOT, no access), then
     * the firmware's two, moved down */
    g_assert_cmpuint(t.vm.pmp_l0_n, ==, 7);
    g_assert_cmpuint(t.vm.pmp_fw_n, ==, 2);
    uint64_t cfg = m->csr[CSR_PMPCFG0];
    g_assert_cmphex(cfg & 0xffffff, ==, 0);  /* microcode page and shadow pool: off */
    /* the shadow pool: half of L0 memory, aligned to its size, NAPOT */
    g_assert_cmpuint(t.vm.shadow.size, ==, t.vm.l0_size / 2);
    g_assert_cmphex(t.vm.shadow.base & (t.vm.shadow.size - 1), ==, 0);
    g_assert_true(t.vm.shadow.base >= t.vm.l0_base + 0x10000);
    g_assert_true(t.vm.shadow.base + t.vm.shadow.size <= t.vm.l0_base + t.vm.l0_size);
    g_assert_cmphex(m->csr[CSR_PMPADDR0 + 1], ==,
                    (t.vm.shadow.base | (t.vm.shadow.size / 2 - 1)) >> 2);
    g_assert_cmphex(m->csr[CSR_PMPADDR0 + 2], ==, t.vm.l0_base >> 2);
    g_assert_cmphex((cfg >> 24) & 0xff, ==, 0x08);                     /* TOR, no access */
    g_assert_cmphex(m->csr[CSR_PMPADDR0 + 3], ==, (t.vm.l0_base + t.vm.l0_size) >> 2);
    g_assert_cmphex((cfg >> 32) & 0xffffff, ==, 0x181818);             /* PLIC pages */
    g_assert_cmphex((cfg >> 56) & 0xff, ==, 0x18);                     /* firmware's own */
    g_assert_cmphex(m->csr[CSR_PMPCFG0 + 2] & 0xff, ==, 0x1f);         /* everything RWX */
    g_assert_cmphex(m->csr[CSR_PMPADDR0 + 8], ==, (1ull << 54) - 1);
    g_assert_cmphex(m->csr[CSR_HIDELEG], ==, VS_MODE_INTERRUPTS);
    g_assert_true(m->csr[CSR_HENVCFG] & ENVCFG_STCE);
    g_assert_true(m->csr[CSR_HENVCFG] & ENVCFG_CBZE);
    g_assert_false(m->csr[CSR_HEDELEG] & (1u << EXC_VS_ECALL));
    g_assert_true(m->csr[CSR_HEDELEG] & (1u << EXC_ILLEGAL_INST));
    /* load/store faults write htinst natively: L0 takes them */
    g_assert_false(m->csr[CSR_HEDELEG] & (1u << EXC_LOAD_PAGE_FAULT));
    g_assert_cmphex(m->csr[CSR_SIE], ==, MIP_SSIP | MIP_SEIP);
    g_assert_cmphex(m->csr[CSR_SSCRATCH], ==, rvnest_l0_sscratch(&t.vm));
    g_assert_true(m->csr[CSR_HENVCFG] & ENVCFG_STCE);        /* the reset marker */
    /* the DT now reserves L0's memory with no-map */
    uint8_t buf[16384];
    m->h.ops->read_phys(&m->h, 0xbfe00000, buf, sizeof(buf));
    struct rvnest_fdt_facts f;
    char err[100];
    g_assert_cmpint(rvnest_fdt_inspect(buf, 0xbfe00000, &f, err, sizeof(err)), ==, 0);
    g_assert_true(f.has_rvnest_node);
    int node = fdt_path_offset(buf, "/reserved-memory");
    g_assert_cmpint(node, >=, 0);
    int sub = fdt_first_subnode(buf, node);
    g_assert_nonnull(fdt_getprop(buf, sub, "no-map", NULL));
    g_assert_cmpuint(t.vc->l1_entries, ==, 1);
    mock_vm_free(&t);
}

static void test_mret_pass_through(void)
{
    struct mock_vm t;
    mock_vm_boot(&t);
    struct mock_hart *m = &t.m;
    /* OpenSBI returning to a guest at V=1, or into L0 microcode: untouched */
    m->csr[CSR_MSTATUS] = ((uint64_t)PRV_S << MSTATUS_MPP_SHIFT) | MSTATUS_MPV;
    m->csr[CSR_MEPC] = 0x80201234;
    rvnest_on_mret(t.vc);
    g_assert_cmphex(m->csr[CSR_MEPC], ==, 0x80201234);
    /* a guest's own mret (executing at V=1, not in M): not L0's business,
     * even with M's mstatus saying MPP=S */
    m->csr[CSR_MSTATUS] = (uint64_t)PRV_S << MSTATUS_MPP_SHIFT;
    m->csr[CSR_MEPC] = 0x80300000;
    m->priv = PRV_S | PRIV_V;
    rvnest_on_mret(t.vc);
    g_assert_false(m->csr[CSR_MSTATUS] & MSTATUS_MPV);
    g_assert_cmphex(m->csr[CSR_MEPC], ==, 0x80300000);
    g_assert_cmpuint(t.vc->l1_entries, ==, 1);
    m->priv = PRV_M;
    /* an mret into L0 memory that is no microcode run in flight: never
     * honoured (real HS would run L0's data) */
    m->csr[CSR_MEPC] = t.vm.l0_base + L0_OFF_UC_ECALL + 4;
    rvnest_on_mret(t.vc);
    g_assert_nonnull(strstr(t.vm.fatal, "outside any L0 path"));
    mock_vm_free(&t);

    /* a later firmware entry (HSM resume / start: OpenSBI's warm boot
     * rewrote mstatus, its mode switch wrote stvec = entry, sscratch = sie =
     * satp = 0) enters L1 at V=1 with
     * those values as L1's, L0's own put back, L0 not moved whatever a1 is */
    mock_vm_boot(&t);
    uint64_t l0 = t.vm.l0_base;
    m->csr[CSR_VSATP] = 0x8000000000012345ull;
    m->csr[CSR_VSSCRATCH] = 0x77;
    m->csr[CSR_VSSTATUS] = MSTATUS_SIE;
    m->csr[CSR_SSTATUS] = MSTATUS_FS;                     /* the firmware's warm boot */
    m->csr[CSR_STVEC] = 0x80300000;
    m->csr[CSR_SSCRATCH] = 0;
    m->csr[CSR_SIE] = 0;
    m->csr[CSR_SATP] = 0;
    m->csr[CSR_MSTATUS] = (uint64_t)PRV_S << MSTATUS_MPP_SHIFT;
    m->csr[CSR_MEPC] = 0x80300000;
    m->gpr[11] = 0x1234;                                  /* L1's opaque value */
    rvnest_on_mret(t.vc);
    g_assert_cmpstr(t.vm.fatal, ==, "");
    g_assert_cmphex(t.vm.l0_base, ==, l0);
    g_assert_cmphex(m->csr[CSR_VSATP], ==, 0);
    g_assert_cmphex(m->csr[CSR_VSSCRATCH], ==, 0);
    g_assert_cmphex(m->csr[CSR_VSTVEC], ==, 0x80300000);
    g_assert_cmphex(m->csr[CSR_VSSTATUS], ==, MSTATUS_FS);   /* sstatus: the firmware's */
    g_assert_cmphex(m->csr[CSR_STVEC], ==, l0 + L0_OFF_VECTOR);
    g_assert_cmphex(m->csr[CSR_SSCRATCH], ==, rvnest_l0_sscratch(&t.vm));
    g_assert_cmphex(m->csr[CSR_SIE], ==, MIP_SSIP | MIP_SEIP);
    g_assert_cmphex(m->gpr[11], ==, 0x1234);
    g_assert_true(m->csr[CSR_MSTATUS] & MSTATUS_MPV);
    g_assert_cmphex(m->csr[CSR_MEPC], ==, 0x80300000);
    g_assert_cmpuint(t.vc->l1_entries, ==, 2);
    /* the same to an address L1 cannot reach (L0 memory): entered at V=1,
     * where it faults for L1; real HS never runs there */
    m->csr[CSR_SSCRATCH] = 0;
    m->csr[CSR_STVEC] = l0 + 0x100;
    m->csr[CSR_MSTATUS] = (uint64_t)PRV_S << MSTATUS_MPP_SHIFT;
    m->csr[CSR_MEPC] = l0 + 0x100;
    rvnest_on_mret(t.vc);
    g_assert_true(m->csr[CSR_MSTATUS] & MSTATUS_MPV);
    g_assert_cmphex(t.vm.l0_base, ==, l0);
    /* a system reset (the hart runs the reset vector in M; QEMU clears
     * henvcfg): L0 sets itself up again from the device tree the firmware
     * passes. The reset vector run at V=1 or in S is no reset. */
    m->priv = PRV_S | PRIV_V;
    rvnest_on_hart_reset(t.vc);
    g_assert_false(t.vm.in_reset);
    m->priv = PRV_M;
    rvnest_on_hart_reset(t.vc);
    epoch_is(&t, 2, true);
    firmware_cold_entry(&t, t.vc);
    g_assert_cmpstr(t.vm.fatal, ==, "");
    g_assert_true(m->csr[CSR_HENVCFG] & ENVCFG_STCE);
    g_assert_cmphex(m->csr[CSR_STVEC], ==, l0 + L0_OFF_VECTOR);
    g_assert_cmpuint(t.vc->l1_entries, ==, 4);
    g_assert_false(t.vm.in_reset);
    mock_vm_free(&t);
}


/* The rule itself (rvnest_reset_is_new): a hart's second run of the reset
 * vector in one epoch, or a time below one L0 read in the epoch, is a new
 * system reset; a first run, however late, is not. */
static void test_reset_rule(void)
{
    struct rvnest_vm vm;
    struct rvnest_options o = { .quiet = true };
    rvnest_vm_init(&vm, &o);
    const uint64_t slack = RVNEST_RESET_TIME_SLACK, t = 50 * slack;
    vm.reset_time = t;
    g_assert_false(rvnest_reset_is_new(&vm, 0, t));           /* cold boot, late */
    g_assert_false(rvnest_reset_is_new(&vm, 0, 1ull << 40));  /* much later */
    g_assert_true(rvnest_reset_is_new(&vm, 1, t + 5));        /* ran in this epoch */
    g_assert_true(rvnest_reset_is_new(&vm, 0, 10));           /* time went back */
    g_assert_true(rvnest_reset_is_new(&vm, 0, t - slack - 1));
    /* another socket's mtimer a few ticks behind: no reset */
    g_assert_false(rvnest_reset_is_new(&vm, 0, t - slack));
    g_assert_false(rvnest_reset_is_new(&vm, 0, t - 3));
    /* an epoch shorter than the slack proves nothing by time */
    vm.reset_time = slack / 2;
    g_assert_false(rvnest_reset_is_new(&vm, 0, 0));
    vm.reset_time = t;
    vm.reset_epoch = 3;
    g_assert_false(rvnest_reset_is_new(&vm, 2, t));           /* late for reset 3 */
    g_assert_true(rvnest_reset_is_new(&vm, 2, 10));           /* missed reset 3, in reset 4 */
    g_assert_true(rvnest_reset_is_new(&vm, 3, t));
}

/* A QEMU without scripts/qemu-patches keeps V=1 across a reset (priv M,
 * V 1, which no hart can be in): a clear fatal, not QEMU's abort later. */
static void test_reset_kept_v(void)
{
    struct mock_vm t;
    mock_vm_boot(&t);
    t.m.priv = PRV_M | PRIV_V;
    rvnest_on_hart_reset(t.vc);
    g_assert_nonnull(strstr(t.vm.fatal, "kept V=1"));
    g_assert_false(t.vm.in_reset);
    mock_vm_free(&t);
}

/* Issue 24: hart 1's thread runs its cold boot's reset vector only after
 * hart 0 set L0 up and L1 started hart 1. That is no new reset, L0 is not
 * set up again, and hart 1 enters L1 through the firmware's start. */
static void test_reset_late_cold_boot(void)
{
    struct mock_vm t;
    mock_vm_boot(&t);
    struct mock_hart *m = &t.m;
    struct rvnest_vcpu *h1 = second_hart(&t);
    g_assert_nonnull(h1);
    g_assert_cmpuint(h1->reset_epoch, ==, 0);
    g_assert_false(t.vm.in_reset);
    uint64_t l0 = t.vm.l0_base;
    m->csr[CSR_TIME] = 30000000;                     /* 3 s later */
    m->priv = PRV_M;
    rvnest_on_hart_reset(h1);
    epoch_is(&t, 1, false);
    g_assert_cmpuint(h1->reset_epoch, ==, 1);
    g_assert_false(h1->entered);
    /* its start: the firmware's mode switch into HS, no wait, no new setup */
    m->csr[CSR_SSCRATCH] = 0;
    m->csr[CSR_STVEC] = 0x80300000;
    m->csr[CSR_MSTATUS] = (uint64_t)PRV_S << MSTATUS_MPP_SHIFT;
    m->csr[CSR_MEPC] = 0x80300000;
    m->gpr[11] = 0x1234;                             /* L1's opaque value */
    rvnest_on_mret(h1);
    g_assert_cmpstr(t.vm.fatal, ==, "");
    g_assert_true(h1->entered);
    g_assert_cmphex(t.vm.l0_base, ==, l0);
    g_assert_cmphex(m->csr[CSR_STVEC], ==, l0 + L0_OFF_VECTOR);
    g_assert_true(m->csr[CSR_MSTATUS] & MSTATUS_MPV);
    g_assert_cmphex(m->csr[CSR_MEPC], ==, 0x80300000);
    /* its later reset-vector run is a reboot */
    rvnest_on_hart_reset(h1);
    epoch_is(&t, 2, true);
    mock_vm_free(&t);
}

/* A reboot where hart 1's thread comes out of the reset last, after hart 0
 * has set L0 up again and L1 runs: it joins the reboot, L0 stays as set up,
 * and no hart's entry into HS waits for it. */
static void test_reset_late_reboot(void)
{
    struct mock_vm t;
    struct rvnest_vcpu *h1 = boot_two_harts(&t);
    struct mock_hart *m = &t.m;
    vector_at(&t, h1, 100);                          /* hart 1's cold boot */
    g_assert_false(t.vm.in_reset);
    m->csr[CSR_TIME] = 50000000;
    rvnest_reset_note_time(t.vc);                    /* L1 asks for a reboot */
    /* QEMU's reset: mtime is 0 again; hart 0 runs the vector first */
    vector_at(&t, t.vc, 20);
    epoch_is(&t, 2, true);
    firmware_cold_entry(&t, t.vc);
    g_assert_cmpstr(t.vm.fatal, ==, "");
    g_assert_false(t.vm.in_reset);
    g_assert_true(t.vc->entered);
    /* hart 1, 3 s after the reset */
    vector_at(&t, h1, 30000000);
    epoch_is(&t, 2, false);
    g_assert_cmpuint(h1->reset_epoch, ==, 2);
    mock_vm_free(&t);
}

/* A hart whose thread ran nothing during a whole epoch (its cold boot's
 * vector never ran before the next reset) runs the vector first after that
 * reset: time went back below what L0 read in the epoch, so it is the new
 * reset, and hart 0's run after it joins. */
static void test_reset_missed_epoch(void)
{
    struct mock_vm t;
    struct rvnest_vcpu *h1 = boot_two_harts(&t);
    struct mock_hart *m = &t.m;
    m->csr[CSR_TIME] = 4000000;
    rvnest_reset_note_time(t.vc);                    /* L1's reboot call */
    vector_at(&t, h1, 50);                           /* after QEMU's reset */
    epoch_is(&t, 2, true);
    vector_at(&t, t.vc, 60);
    epoch_is(&t, 2, true);
    g_assert_cmpuint(t.vc->reset_epoch, ==, 2);
    mock_vm_free(&t);
}

/* A new epoch's setup drops every hart's L2 context without giving it back
 * to the new pool (QEMU reset them all): hart 1, in L2 before the reset,
 * releases nothing when it enters again. */
static void test_reset_drops_l2_state(void)
{
    struct mock_vm t;
    struct rvnest_vcpu *h1 = boot_two_harts(&t);
    rvnest_on_hart_reset(h1);
    h1->world.level = RVNEST_L2;
    h1->world.l2_shadow = 3;
    vector_at(&t, t.vc, 1000);                       /* a reboot */
    g_assert_true(t.vm.in_reset);
    firmware_cold_entry(&t, t.vc);
    g_assert_cmpstr(t.vm.fatal, ==, "");
    g_assert_cmpint(h1->world.level, ==, RVNEST_L1);
    mock_vm_free(&t);
}

static void test_no_h(void)
{
    struct mock_vm t;
    struct mock_machine mm = { .ram_size = 1ull << 30, .fdt_pa = 0xbfe00000, .no_h = true };
    g_assert_false(mock_vm_boot_with(&t, &mm));
    g_assert_nonnull(strstr(t.vm.fatal, "no H extension"));
    mock_vm_free(&t);
}

static void test_too_little_ram(void)
{
    struct mock_vm t;
    struct mock_machine mm = { .ram_size = 128ull << 20, .fdt_pa = 0x87e00000, .l0_mem = 64ull << 20 };
    g_assert_false(mock_vm_boot_with(&t, &mm));
    g_assert_nonnull(strstr(t.vm.fatal, "not enough RAM"));
    mock_vm_free(&t);
}


static uint64_t memory_size_in_dt(struct mock_vm *t, uint64_t fdt_pa)
{
    uint8_t buf[16384];
    t->m.h.ops->read_phys(&t->m.h, fdt_pa, buf, sizeof(buf));
    struct rvnest_fdt_facts f;
    char err[100];
    g_assert_cmpint(rvnest_fdt_inspect(buf, fdt_pa, &f, err, sizeof(err)), ==, 0);
    return f.ram_size;
}

/* l1-mem: L0 above L1's RAM, L1's gigabyte stays one 1 GiB leaf. */
static void test_l1_mem(void)
{
    struct mock_vm t;
    struct mock_machine mm = { .ram_size = (1ull << 30) + (8ull << 20), .fdt_pa = 0xbfe00000,
                               .l1_mem = 1ull << 30 };
    g_assert_true(mock_vm_boot_with(&t, &mm));
    g_assert_cmphex(t.vm.l0_base, ==, 0xc0000000);
    g_assert_cmphex(memory_size_in_dt(&t, 0xbfe00000), ==, 1ull << 30);
    /* one hole above L1's RAM: L0 and the rest, 8 MiB NAPOT */
    g_assert_cmpuint(t.vm.nholes, ==, 1 + 3);       /* L0, the PLIC's 3 pages of hart 0 */
    g_assert_cmphex(t.vm.holes[0].base, ==, 0xc0000000);
    g_assert_cmphex(t.vm.holes[0].size, ==, 8ull << 20);
    g_assert_true(l1_range_unmapped(&t.vm, 0xc0000000, 8));                /* L0 */
    g_assert_true(l1_range_unmapped(&t.vm, 0xc07ff000, 8));                /* RAM above L1's */
    g_assert_false(l1_range_unmapped(&t.vm, 0xbfff0000, 8));
    mock_vm_free(&t);
    /* a smaller L1: QEMU put the DT above L1's RAM; L0 moves it where QEMU
     * would put it natively (top 2 MiB of L1's RAM), enters L1 with a1
     * there, names no L0 node in it, and everything above L1's RAM is a
     * hole */
    mm = (struct mock_machine){ .ram_size = (512ull << 20) + (8ull << 20), .fdt_pa = 0xa0600000,
                                .l1_mem = 512ull << 20 };
    g_assert_true(mock_vm_boot_with(&t, &mm));
    g_assert_cmphex(t.vm.l0_base, ==, 0xa0000000);
    g_assert_cmphex(t.vm.fdt_pa, ==, 0x9fe00000);
    g_assert_cmphex(t.m.gpr[11], ==, 0x9fe00000);
    g_assert_true(l1_range_unmapped(&t.vm, 0xa0600000, 0x1000));
    g_assert_true(l1_range_unmapped(&t.vm, 0xa0400000, 8));
    g_assert_cmphex(memory_size_in_dt(&t, 0x9fe00000), ==, 512ull << 20);
    {
        uint8_t buf[16384];
        t.m.h.ops->read_phys(&t.m.h, 0x9fe00000, buf, sizeof(buf));
        g_assert_cmpint(fdt_path_offset(buf, "/reserved-memory"), <, 0);
    }
    mock_vm_free(&t);
    /* l1-mem as large as the machine: no room for L0 */
    mm = (struct mock_machine){ .ram_size = 1ull << 30, .fdt_pa = 0xbfe00000, .l1_mem = 1ull << 30 };
    g_assert_false(mock_vm_boot_with(&t, &mm));
    g_assert_nonnull(strstr(t.vm.fatal, "leaves no room for L0"));
    mock_vm_free(&t);
}

/* l1-mem: L1's device tree is the firmware's blob byte for byte (layout,
 * totalsize, the free space and its stale bytes), with only the size cells
 * of its /memory range set to l1-mem (docs/architecture.md, "L1's device
 * tree"). */
static void test_l1_mem_dt_exact(void)
{
    struct mock_vm t;
    struct mock_machine mm = { .ram_size = (512ull << 20) + (8ull << 20), .fdt_pa = 0xa0600000,
                               .l1_mem = 512ull << 20, .fdt_free = 909 };
    g_assert_true(mock_vm_boot_with(&t, &mm));
    g_assert_cmphex(t.vm.fdt_pa, ==, 0x9fe00000);
    static uint8_t fw[8192], l1[8192];
    t.m.h.ops->read_phys(&t.m.h, 0xa0600000, fw, sizeof(fw));    /* the firmware's, left */
    t.m.h.ops->read_phys(&t.m.h, 0x9fe00000, l1, sizeof(l1));
    uint32_t total = fdt_totalsize(fw);
    g_assert_cmpuint(fdt_totalsize(l1), ==, total);
    g_assert_cmpuint(fdt_off_dt_strings(fw) + fdt_size_dt_strings(fw) + 909, ==, total);
    /* what the firmware's blob says with a native machine's /memory */
    int mem = fdt_path_offset(fw, "/memory@80000000");
    g_assert_cmpint(mem, >=, 0);
    g_assert_cmpint(fdt_setprop_inplace_namelen_partial(fw, mem, "reg", 3, 8, &(fdt64_t){ cpu_to_fdt64(512ull << 20) },
                                                        8), ==, 0);
    g_assert_cmpmem(l1, total, fw, total);
    mock_vm_free(&t);
}

/* PMP: every limit is a clear setup error (nested/pmp.c) */
static void test_pmp_limits(void)
{
    struct mock_vm t;
    struct mock_machine mm = { .ram_size = 1ull << 30, .fdt_pa = 0xbfe00000 };
    /* a firmware using 12 of the 16 entries leaves L0 too few */
    mock_hart_init(&t.m);
    for (unsigned i = 0; i < 12; i++)
        t.m.csr[CSR_PMPADDR0 + i] = (0x80000000ull + i * 0x1000) >> 2;
    t.m.csr[CSR_PMPCFG0] = 0x1111111111111111ull;            /* NA4, R */
    t.m.csr[CSR_PMPCFG0 + 2] = 0x11111111ull;
    g_assert_false(mock_vm_boot_with_hart(&t, &mm));
    g_assert_nonnull(strstr(t.vm.fatal, "PMP entries"));
    mock_vm_free(&t);
    /* nor one starting with TOR (its base would change) */
    mock_hart_init(&t.m);
    t.m.csr[CSR_PMPADDR0] = 0x80000000ull >> 2;
    t.m.csr[CSR_PMPCFG0] = 0x08;
    g_assert_false(mock_vm_boot_with_hart(&t, &mm));
    g_assert_nonnull(strstr(t.vm.fatal, "TOR"));
    mock_vm_free(&t);
    /* a locked firmware entry cannot be moved */
    mock_hart_init(&t.m);
    t.m.csr[CSR_PMPADDR0] = (0x80000000ull | 0x1ffff) >> 2;
    t.m.csr[CSR_PMPADDR0 + 1] = (1ull << 54) - 1;
    t.m.csr[CSR_PMPCFG0] = 0x98 | (0x1full << 8);
    g_assert_false(mock_vm_boot_with_hart(&t, &mm));
    g_assert_nonnull(strstr(t.vm.fatal, "locked PMP entry 0"));
    mock_vm_free(&t);
    /* Smepmp's machine-mode lockdown */
    mock_hart_init(&t.m);
    t.m.csr[CSR_MSECCFG] = 1;
    g_assert_false(mock_vm_boot_with_hart(&t, &mm));
    g_assert_nonnull(strstr(t.vm.fatal, "MML"));
    mock_vm_free(&t);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/boot/first-entry", test_first_entry);
    g_test_add_func("/boot/mret-pass-through-and-resume", test_mret_pass_through);
    g_test_add_func("/boot/reset-rule", test_reset_rule);
    g_test_add_func("/boot/reset-kept-v", test_reset_kept_v);
    g_test_add_func("/boot/reset-late-cold-boot", test_reset_late_cold_boot);
    g_test_add_func("/boot/reset-late-reboot", test_reset_late_reboot);
    g_test_add_func("/boot/reset-missed-epoch", test_reset_missed_epoch);
    g_test_add_func("/boot/reset-drops-l2-state", test_reset_drops_l2_state);
    g_test_add_func("/boot/no-h-extension", test_no_h);
    g_test_add_func("/boot/too-little-ram", test_too_little_ram);
    g_test_add_func("/boot/l1-mem", test_l1_mem);
    g_test_add_func("/boot/l1-mem-dt-exact", test_l1_mem_dt_exact);
    g_test_add_func("/boot/pmp-limits", test_pmp_limits);
    return g_test_run();
}
