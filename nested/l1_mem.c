/* What L1 can reach of guest-physical memory by itself, for the accesses
 * L0 makes on L1's behalf (page-table walks of HLV/HSV and of instruction
 * fetches, HLV/HSV data, emulated device pages).
 *
 * L0 accesses memory through QEMU's physical address space, which knows no
 * PMP and no G-stage: every check L1's own access would get is made here.
 * L1 runs with S privilege, so the real PMP (programmed by the firmware,
 * e.g. OpenSBI protecting itself) is evaluated for an S-mode access (priv
 * spec, "Physical Memory Protection"; QEMU target/riscv/pmp.c
 * pmp_hart_has_privs), and L0's holes (its own memory, RAM above L1's, the
 * device pages it emulates) are never reachable. */
#include "rvnest/engine.h"
#include "rvnest/csr.h"

/* The real PMP, read once and kept until L0 or the firmware may have
 * changed it (rvnest_pmp_forget: L0's PMP writes, firmware entries, the end
 * of every microcode run). Reading it costs ~18 register reads, and a
 * page-table walk checks every PTE. */
static const struct rvnest_pmp_snapshot *pmp_snapshot(struct rvnest_vcpu *vc)
{
    struct rvnest_pmp_snapshot *p = &vc->pmp;
    if (p->valid)
        return p;
    struct rvnest_hart *h = vc->hart;
    for (unsigned i = 0; i < RVNEST_PMP_ENTRIES; i += 8) {
        uint64_t cfg = 0;
        /* RV64: pmpcfg0, pmpcfg2, ... hold 8 entries each */
        h->ops->get_csr(h, CSR_PMPCFG0 + (i / 8) * 2, &cfg);
        for (unsigned j = 0; j < 8; j++)
            p->cfg[i + j] = (uint8_t)(cfg >> (8 * j));
    }
    for (unsigned i = 0; i < RVNEST_PMP_ENTRIES; i++) {
        p->addr[i] = 0;
        h->ops->get_csr(h, CSR_PMPADDR0 + i, &p->addr[i]);
    }
    p->mseccfg = 0;
    h->ops->get_csr(h, CSR_MSECCFG, &p->mseccfg);
    p->valid = true;
    return p;
}

void rvnest_pmp_forget(struct rvnest_vcpu *vc)
{
    vc->pmp.valid = false;
}

/* Privileges an S-mode access to [pa, pa+len) has under the real PMP. */
static unsigned pmp_s_privs(struct rvnest_vcpu *vc, uint64_t pa, uint64_t len)
{
    const struct rvnest_pmp_snapshot *p = pmp_snapshot(vc);
    uint64_t mseccfg = p->mseccfg;
    bool any = false;
    uint64_t last = pa + len - 1;
    for (unsigned i = 0; i < RVNEST_PMP_ENTRIES; i++) {
        uint8_t cfg = p->cfg[i];
        uint64_t lo, hi;
        if (!rvnest_pmp_range(cfg, p->addr[i], i ? p->addr[i - 1] : 0, &lo, &hi))
            continue;
        any = true;
        bool s = pa >= lo && pa <= hi, e = last >= lo && last <= hi;
        if (s != e)
            return 0;                 /* partially inside: fails */
        if (!s)
            continue;
        unsigned rwx = cfg & (PMP_R | PMP_W | PMP_X);
        if (!(mseccfg & MSECCFG_MML))
            return rwx;               /* S/U: the entry's bits, locked or not */
        /* Smepmp MML: locked entries are M-mode rules, except the shared
         * encodings (Smepmp spec, truth table). */
        if (!(cfg & PMP_L))
            return rwx == PMP_W ? (PMP_R | PMP_W) : rwx == (PMP_W | PMP_X) ? PMP_R | PMP_W
                 : rwx;
        if (rwx == PMP_W || rwx == (PMP_W | PMP_X))
            return PMP_X;             /* shared code region */
        if (rwx == (PMP_R | PMP_W | PMP_X))
            return PMP_R;             /* shared read-only data */
        return 0;
    }
    /* No match: S-mode fails when any entry is implemented and active. */
    return any ? 0 : PMP_R | PMP_W | PMP_X;
}

bool rvnest_l1_may_access(struct rvnest_vcpu *vc, uint64_t pa, uint64_t len, enum l1_access acc)
{
    struct rvnest_vm *vm = vc->vm;
    if (!len || pa + len < pa || l1_range_unmapped(vm, pa, len))
        return false;
    unsigned need = acc == L1_ACC_WRITE ? PMP_W : acc == L1_ACC_FETCH ? PMP_X : PMP_R;
    return (pmp_s_privs(vc, pa, len) & need) == need;
}

bool rvnest_l1_is_ram(struct rvnest_vcpu *vc, uint64_t pa, uint64_t len)
{
    struct rvnest_vm *vm = vc->vm;
    uint64_t end = vm->ram_base + (vm->opt.l1_mem ? vm->opt.l1_mem : vm->ram_size);
    return pa >= vm->ram_base && pa + len >= pa && pa + len <= end;
}

bool rvnest_l1_read_table(struct rvnest_vcpu *vc, uint64_t pa, uint64_t *pte)
{
    if (!rvnest_l1_is_ram(vc, pa, 8) || !rvnest_l1_may_access(vc, pa, 8, L1_ACC_READ))
        return false;
    return vc->hart->ops->read_phys(vc->hart, pa, pte, 8);
}


bool rvnest_l1_write_table(struct rvnest_vcpu *vc, uint64_t pa, uint64_t pte)
{
    if (!rvnest_l1_is_ram(vc, pa, 8) || !rvnest_l1_may_access(vc, pa, 8, L1_ACC_WRITE))
        return false;
    return vc->hart->ops->write_phys(vc->hart, pa, &pte, 8);
}
