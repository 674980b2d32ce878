/* SBI nested acceleration (nested/nacl.c, nested/sbi_nacl.c) on the mock
 * hart: each function and its errors, the CSR space kept current, the
 * dirty-bitmap sync with the trapping path's WARL results, HFENCE entries,
 * SYNC_SRET into L2 and back with autoswap, and hostile shared memory. */
#include <string.h>
#include "mock_hart.h"
#include "pt_build.h"
#include "rvnest/csr.h"
#include "rvnest/decode.h"
#include "rvnest/sbi.h"

#define SHM 0x80800000ull             /* in L1's RAM */
#define L1_PC 0x80201000ull
#define L2_PC 0x80600000ull
#define L1_TVEC 0x80200800ull
#define L2_TVEC 0x80601000ull

static void ecall(struct mock_vm *t, long fid, uint64_t a0, uint64_t a1, uint64_t a2)
{
    t->m.gpr[17] = SBI_EXT_NACL;
    t->m.gpr[16] = (uint64_t)fid;
    t->m.gpr[10] = a0;
    t->m.gpr[11] = a1;
    t->m.gpr[12] = a2;
    mock_trap_from_l1(t, EXC_VS_ECALL, L1_PC, 0, 0, 0);
}

static long call(struct mock_vm *t, long fid, uint64_t a0, uint64_t a1, uint64_t a2)
{
    ecall(t, fid, a0, a1, a2);
    g_assert_cmphex(t->m.pc, ==, L1_PC + 4);
    g_assert_cmpuint(t->m.priv, ==, PRV_S | PRIV_V);
    return (long)t->m.gpr[10];
}

static uint64_t word_of(unsigned csr) { return SHM + NACL_CSR_OFF + 8ull * NACL_CSR_INDEX(csr); }

static bool dirty_bit(struct mock_vm *t, unsigned csr)
{
    unsigned i = NACL_CSR_INDEX(csr);
    uint8_t b;
    t->m.h.ops->read_phys(&t->m.h, SHM + NACL_DBITMAP_OFF + i / 8, &b, 1);
    return (b >> (i % 8)) & 1;
}

/* L1 writes csr through the page: the word and its dirty bit. */
static void page_write(struct mock_vm *t, unsigned csr, uint64_t val)
{
    unsigned i = NACL_CSR_INDEX(csr);
    uint8_t b;
    mock_write64(&t->m, word_of(csr), val);
    t->m.h.ops->read_phys(&t->m.h, SHM + NACL_DBITMAP_OFF + i / 8, &b, 1);
    b |= (uint8_t)(1u << (i % 8));
    t->m.h.ops->write_phys(&t->m.h, SHM + NACL_DBITMAP_OFF + i / 8, &b, 1);
}

static void boot_with_shmem(struct mock_vm *t)
{
    mock_vm_boot(t);
    g_assert_cmpint(call(t, SBI_NACL_SET_SHMEM, SHM, 0, 0), ==, SBI_SUCCESS);
}

static void test_probe(void)
{
    struct mock_vm t;
    mock_vm_boot(&t);
    t.m.gpr[17] = SBI_EXT_BASE;
    t.m.gpr[16] = SBI_BASE_PROBE_EXT;
    t.m.gpr[10] = SBI_EXT_NACL;
    mock_trap_from_l1(&t, EXC_VS_ECALL, L1_PC, 0, 0, 0);
    g_assert_cmpint((long)t.m.gpr[10], ==, 0);
    g_assert_cmpuint(t.m.gpr[11], ==, 1);
    for (uint64_t f = 0; f < 4; f++) {
        g_assert_cmpint(call(&t, SBI_NACL_PROBE_FEATURE, f, 0, 0), ==, SBI_SUCCESS);
        g_assert_cmpuint(t.m.gpr[11], ==, 1);
    }
    static const uint64_t absent[] = { 4, 5, 0xffffffff, 1ull << 32, ~0ull };
    for (unsigned i = 0; i < G_N_ELEMENTS(absent); i++) {
        g_assert_cmpint(call(&t, SBI_NACL_PROBE_FEATURE, absent[i], 0, 0), ==, SBI_SUCCESS);
        g_assert_cmpuint(t.m.gpr[11], ==, 0);
    }
    g_assert_cmpint(call(&t, 5, 0, 0, 0), ==, SBI_ERR_NOT_SUPPORTED);
    g_assert_cmpint(call(&t, ~0l, 0, 0, 0), ==, SBI_ERR_NOT_SUPPORTED);
    /* each feature off: it probes 0 and its function is not supported */
    t.vm.opt.nacl_features_off = 1u << RVNEST_NACL_FEAT_SYNC_HFENCE;
    g_assert_cmpint(call(&t, SBI_NACL_PROBE_FEATURE, 1, 0, 0), ==, SBI_SUCCESS);
    g_assert_cmpuint(t.m.gpr[11], ==, 0);
    g_assert_cmpint(call(&t, SBI_NACL_SET_SHMEM, SHM, 0, 0), ==, SBI_SUCCESS);
    g_assert_cmpint(call(&t, SBI_NACL_SYNC_HFENCE, ~0ull, 0, 0), ==, SBI_ERR_NOT_SUPPORTED);
    g_assert_cmpint(call(&t, SBI_NACL_SYNC_CSR, ~0ull, 0, 0), ==, SBI_SUCCESS);
    t.vm.opt.nacl_features_off = (1u << RVNEST_NACL_FEAT_SYNC_CSR) | (1u << RVNEST_NACL_FEAT_SYNC_SRET);
    g_assert_cmpint(call(&t, SBI_NACL_SYNC_CSR, ~0ull, 0, 0), ==, SBI_ERR_NOT_SUPPORTED);
    g_assert_cmpint(call(&t, SBI_NACL_SYNC_SRET, 0, 0, 0), ==, SBI_ERR_NOT_SUPPORTED);
    g_assert_cmpint(call(&t, SBI_NACL_SYNC_HFENCE, ~0ull, 0, 0), ==, SBI_SUCCESS);
    /* nacl=off: the extension is absent */
    t.vm.opt.nacl_off = true;
    t.m.gpr[17] = SBI_EXT_BASE;
    t.m.gpr[16] = SBI_BASE_PROBE_EXT;
    t.m.gpr[10] = SBI_EXT_NACL;
    mock_trap_from_l1(&t, EXC_VS_ECALL, L1_PC, 0, 0, 0);
    g_assert_cmpuint(t.m.gpr[11], ==, 0);
    for (long fid = 0; fid <= 4; fid++)
        g_assert_cmpint(call(&t, fid, 0, 0, 0), ==, SBI_ERR_NOT_SUPPORTED);
    g_assert_cmpuint(t.vc->stats.exits[EXIT_SBI_UNSUPPORTED], ==, 5);
    mock_vm_free(&t);
}

/* SET_SHMEM's errors: flags, alignment, hi, and every place that is not
 * L1's RAM it may write: below RAM, the PLIC, L0 memory, across the end of
 * L1's RAM, beyond 2^64; disable; after a disable, no shared memory. */
static void test_set_shmem(void)
{
    struct mock_vm t;
    mock_vm_boot(&t);
    struct rvnest_vcsr *v = &t.vc->vcsr;
    g_assert_cmpint(call(&t, SBI_NACL_SYNC_CSR, ~0ull, 0, 0), ==, SBI_ERR_NO_SHMEM);
    g_assert_cmpint(call(&t, SBI_NACL_SYNC_HFENCE, ~0ull, 0, 0), ==, SBI_ERR_NO_SHMEM);
    g_assert_cmpint(call(&t, SBI_NACL_SYNC_SRET, 0, 0, 0), ==, SBI_ERR_NO_SHMEM);
    g_assert_cmpint(call(&t, SBI_NACL_SET_SHMEM, SHM, 0, 1), ==, SBI_ERR_INVALID_PARAM);
    g_assert_cmpint(call(&t, SBI_NACL_SET_SHMEM, ~0ull, ~0ull, 1), ==, SBI_ERR_INVALID_PARAM);
    g_assert_cmpint(call(&t, SBI_NACL_SET_SHMEM, SHM + 8, 0, 0), ==, SBI_ERR_INVALID_PARAM);
    g_assert_cmpint(call(&t, SBI_NACL_SET_SHMEM, ~0ull, 0, 0), ==, SBI_ERR_INVALID_PARAM);
    g_assert_cmpint(call(&t, SBI_NACL_SET_SHMEM, SHM, 1, 0), ==, SBI_ERR_INVALID_ADDRESS);
    g_assert_cmpint(call(&t, SBI_NACL_SET_SHMEM, 0, ~0ull, 0), ==, SBI_ERR_INVALID_ADDRESS);
    const uint64_t l1_end = t.vm.l0_base;             /* L0 sits at the top of RAM */
    const uint64_t bad[] = {
        0x1000, 0x0c000000, t.vm.plic_claim_page, t.vm.l0_base, t.vm.l0_base + 0x3000,
        l1_end - 0x2000, t.vm.ram_base - 0x1000, t.vm.ram_base + t.vm.ram_size - 0x1000,
        ~0ull & ~0xfffull, 0x7ffffffffffff000ull,
    };
    for (unsigned i = 0; i < G_N_ELEMENTS(bad); i++)
        g_assert_cmpint(call(&t, SBI_NACL_SET_SHMEM, bad[i], 0, 0), ==, SBI_ERR_INVALID_ADDRESS);
    g_assert_cmphex(t.vc->nacl.shmem, ==, NACL_NO_SHMEM);
    /* the last page L1 owns fits exactly */
    g_assert_cmpint(call(&t, SBI_NACL_SET_SHMEM, l1_end - NACL_SHMEM_SIZE, 0, 0), ==, SBI_SUCCESS);
    g_assert_cmpint(call(&t, SBI_NACL_SET_SHMEM, SHM, 0, 0), ==, SBI_SUCCESS);
    /* the CSR space holds L1's H state at once */
    g_assert_cmphex(mock_read64(&t.m, word_of(CSR_HSTATUS)), ==, v->val[VCSR_HSTATUS]);
    g_assert_cmphex(mock_read64(&t.m, word_of(CSR_HGATP)), ==, v->val[VCSR_HGATP]);
    g_assert_cmphex(mock_read64(&t.m, word_of(CSR_VSTIMECMP)), ==, v->val[VCSR_VSTIMECMP]);
    g_assert_cmpint(call(&t, SBI_NACL_SYNC_CSR, ~0ull, 0, 0), ==, SBI_SUCCESS);
    g_assert_cmpint(call(&t, SBI_NACL_SET_SHMEM, ~0ull, ~0ull, 0), ==, SBI_SUCCESS);
    g_assert_cmpint(call(&t, SBI_NACL_SYNC_CSR, ~0ull, 0, 0), ==, SBI_ERR_NO_SHMEM);
    g_assert_cmpuint(t.vc->stats.nacl[NACL_EV_SET_SHMEM], ==, 3);
    /* a CSR write after the disable writes nothing there any more */
    mock_write64(&t.m, word_of(CSR_HEDELEG), 0x77);
    mock_trap_from_l1(&t, EXC_VIRTUAL_INST, L1_PC, 0x60251073 /* csrw hedeleg, a0 */, 0, 0);
    g_assert_cmphex(mock_read64(&t.m, word_of(CSR_HEDELEG)), ==, 0x77);
    /* a system reset or hart start forgets it */
    g_assert_cmpint(call(&t, SBI_NACL_SET_SHMEM, SHM, 0, 0), ==, SBI_SUCCESS);
    rvnest_nacl_reset(t.vc);
    g_assert_cmpint(call(&t, SBI_NACL_SYNC_CSR, ~0ull, 0, 0), ==, SBI_ERR_NO_SHMEM);
    mock_vm_free(&t);
}

/* The trapping path keeps the CSR space current: a csrw to an H CSR
 * writes its word, and the words that depend on it (hvip -> hip, vsip). */
static void test_csr_space_follows(void)
{
    struct mock_vm t;
    boot_with_shmem(&t);
    t.m.gpr[10] = 0xb109;
    mock_trap_from_l1(&t, EXC_VIRTUAL_INST, L1_PC, 0x60251073 /* csrw hedeleg, a0 */, 0, 0);
    g_assert_cmphex(mock_read64(&t.m, word_of(CSR_HEDELEG)), ==, t.vc->vcsr.val[VCSR_HEDELEG]);
    t.m.gpr[10] = VS_MODE_INTERRUPTS;
    mock_trap_from_l1(&t, EXC_VIRTUAL_INST, L1_PC, 0x60351073 /* csrw hideleg, a0 */, 0, 0);
    t.m.gpr[10] = MIP_VSSIP;
    mock_trap_from_l1(&t, EXC_VIRTUAL_INST, L1_PC, 0x64551073 /* csrw hvip, a0 */, 0, 0);
    g_assert_cmphex(mock_read64(&t.m, word_of(CSR_HVIP)) & MIP_VSSIP, ==, MIP_VSSIP);
    g_assert_cmphex(mock_read64(&t.m, word_of(CSR_HIP)) & MIP_VSSIP, ==, MIP_VSSIP);
    g_assert_cmphex(mock_read64(&t.m, word_of(CSR_VSIP)), ==, MIP_SSIP);
    /* only changed words are written again */
    uint64_t before = t.vc->stats.nacl[NACL_EV_CSR_WORDS];
    mock_write64(&t.m, word_of(CSR_HGATP), 0xdead);
    mock_trap_from_l1(&t, EXC_VIRTUAL_INST, L1_PC, 0x64551073, 0, 0);
    g_assert_cmpuint(t.vc->stats.nacl[NACL_EV_CSR_WORDS], ==, before);
    g_assert_cmphex(mock_read64(&t.m, word_of(CSR_HGATP)), ==, 0xdead);
    /* a dirty word is L1's pending write: a change of the CSR meanwhile
     * leaves it, the sync makes it L1's state and shows the result */
    page_write(&t, CSR_HEDELEG, 0x100);
    t.m.gpr[10] = 0x8;
    mock_trap_from_l1(&t, EXC_VIRTUAL_INST, L1_PC, 0x60251073 /* csrw hedeleg, a0 */, 0, 0);
    g_assert_cmphex(t.vc->vcsr.val[VCSR_HEDELEG], ==, 0x8);
    g_assert_cmphex(mock_read64(&t.m, word_of(CSR_HEDELEG)), ==, 0x100);
    g_assert_true(dirty_bit(&t, CSR_HEDELEG));
    g_assert_cmpint(call(&t, SBI_NACL_SYNC_CSR, ~0ull, 0, 0), ==, SBI_SUCCESS);
    g_assert_cmphex(t.vc->vcsr.val[VCSR_HEDELEG], ==, 0x100);
    g_assert_cmphex(mock_read64(&t.m, word_of(CSR_HEDELEG)), ==, 0x100);
    g_assert_false(dirty_bit(&t, CSR_HEDELEG));
    mock_vm_free(&t);
}

/* Every CSR written through the page gets the WARL result a csrw gets:
 * two VMs, one synced through NACL, one through trapped csrw, from the same
 * values; then the dirty bits are clear and the words hold the results. */
static void test_sync_csr_warl(void)
{
    static const uint64_t pats[] = { 0, ~0ull, 0x5555555555555555ull, 0xaaaaaaaaaaaaaaaaull,
                                     0x8000000000000fffull, 0x123456789abcdef0ull };
    for (unsigned p = 0; p < G_N_ELEMENTS(pats); p++) {
        struct mock_vm a, b;
        boot_with_shmem(&a);
        mock_vm_boot(&b);
        for (unsigned i = 0; i < VCSR__COUNT; i++) {
            unsigned csr = rvnest_vcsr_number((enum vcsr_index)i);
            uint64_t val = pats[p] ^ (uint64_t)i;
            if (csr == CSR_HGEIP)
                continue;             /* read-only: a csrw traps (test_sync_csr_order) */
            page_write(&a, csr, val);
            uint64_t unused;
            if (rvnest_vcsr_read(&a.vc->vcsr, &a.m.h, csr, &unused) != VCSR_OK) {
                /* not on this model (hstateen without Smstateen) */
                g_assert_cmpint(call(&a, SBI_NACL_SYNC_CSR, csr, 0, 0), ==, SBI_ERR_INVALID_PARAM);
                g_assert_true(dirty_bit(&a, csr));
                continue;
            }
            g_assert_cmpint(call(&a, SBI_NACL_SYNC_CSR, csr, 0, 0), ==, SBI_SUCCESS);
            g_assert_false(dirty_bit(&a, csr));
            b.m.gpr[10] = val;
            mock_trap_from_l1(&b, EXC_VIRTUAL_INST, L1_PC, (csr << 20) | (10u << 15) | (1u << 12) | 0x73, 0, 0);
            for (unsigned j = 0; j < VCSR__COUNT; j++) {
                uint64_t va, vb;
                unsigned cj = rvnest_vcsr_number((enum vcsr_index)j);
                g_assert_cmpint(rvnest_vcsr_read(&a.vc->vcsr, &a.m.h, cj, &va), ==,
                                rvnest_vcsr_read(&b.vc->vcsr, &b.m.h, cj, &vb));
                if (rvnest_vcsr_read(&a.vc->vcsr, &a.m.h, cj, &va) == VCSR_OK) {
                    if (va != vb)
                        g_test_message("after %#x: %#x %#llx vs %#llx", csr, cj, (unsigned long long)va, (unsigned long long)vb);
                    g_assert_cmphex(va, ==, vb);
                    g_assert_cmphex(mock_read64(&a.m, word_of(cj)), ==, va);
                }
            }
        }
        g_assert_cmpuint(a.vc->stats.nacl[NACL_EV_CSRS_SYNCED], >=, VCSR__COUNT - 5);
        mock_vm_free(&a);
        mock_vm_free(&b);
    }
}

/* A full sync orders dependent CSRs after their sources: hip after hvip,
 * vsie after hideleg and hie, vstimecmp after henvcfg; a read-only CSR
 * (hgeip) keeps its value; a dirty bit of no CSR L0 has stays; one CSR
 * number at a time syncs only that one; invalid numbers. */
static void test_sync_csr_order(void)
{
    struct mock_vm t;
    boot_with_shmem(&t);
    struct rvnest_vcsr *v = &t.vc->vcsr;
    page_write(&t, CSR_HIP, MIP_VSSIP);               /* hip's VSSIP set ... */
    page_write(&t, CSR_HVIP, 0);                      /* ... after hvip cleared it */
    page_write(&t, CSR_VSIE, MIP_SSIP);               /* needs hideleg and hie first */
    page_write(&t, CSR_HIDELEG, VS_MODE_INTERRUPTS);
    page_write(&t, CSR_HIE, 0);
    page_write(&t, CSR_HGEIP, 0x1234);
    page_write(&t, 0x6ff, 0x99);                      /* no such CSR */
    uint64_t hgeip = v->val[VCSR_HGEIP];
    g_assert_cmpint(call(&t, SBI_NACL_SYNC_CSR, ~0ull, 0, 0), ==, SBI_SUCCESS);
    g_assert_cmphex(v->val[VCSR_HVIP] & MIP_VSSIP, ==, MIP_VSSIP);
    g_assert_cmphex(v->val[VCSR_HIE] & MIP_VSSIP, ==, MIP_VSSIP);
    g_assert_cmphex(v->val[VCSR_HGEIP], ==, hgeip);
    g_assert_cmphex(mock_read64(&t.m, word_of(CSR_HGEIP)), ==, hgeip);
    g_assert_false(dirty_bit(&t, CSR_HGEIP));
    g_assert_false(dirty_bit(&t, CSR_HIP));
    g_assert_true(dirty_bit(&t, 0x6ff));
    g_assert_cmphex(mock_read64(&t.m, word_of(0x6ff)), ==, 0x99);
    /* one CSR: the others stay dirty */
    page_write(&t, CSR_HEDELEG, 0x100);
    page_write(&t, CSR_HCOUNTEREN, 1);
    g_assert_cmpint(call(&t, SBI_NACL_SYNC_CSR, CSR_HCOUNTEREN, 0, 0), ==, SBI_SUCCESS);
    g_assert_true(dirty_bit(&t, CSR_HEDELEG));
    g_assert_false(dirty_bit(&t, CSR_HCOUNTEREN));
    static const uint64_t invalid[] = { 0x100, 0x300, 0x1600, 0x10600, 0x6ff, 0x2ff, 0x601, ~0ull - 1,
                                        CSR_HSTATEEN0 /* no Smstateen on this mock */ };
    for (unsigned i = 0; i < G_N_ELEMENTS(invalid); i++)
        g_assert_cmpint(call(&t, SBI_NACL_SYNC_CSR, invalid[i], 0, 0), ==, SBI_ERR_INVALID_PARAM);
    g_assert_true(dirty_bit(&t, CSR_HEDELEG));
    mock_vm_free(&t);
}

/* HFENCE entries: each type reaches the shadow with its scope; pending
 * bits are cleared; reserved types, reserved bits and orders out of range
 * are ignored; a single entry; the entry index's range. */
static void put_entry(struct mock_vm *t, unsigned i, uint64_t cfg, uint64_t pnum, uint64_t count)
{
    uint64_t e = SHM + NACL_HFENCE_OFF + 32ull * i;
    mock_write64(&t->m, e + 8, pnum);
    mock_write64(&t->m, e + 16, 0);
    mock_write64(&t->m, e + 24, count);
    mock_write64(&t->m, e, cfg | NACL_HFENCE_PEND);
}

static uint64_t cfg(unsigned type, unsigned order, uint64_t vmid, uint64_t asid)
{
    return ((uint64_t)type << NACL_HFENCE_TYPE_SHIFT) | ((uint64_t)(order - 12) << NACL_HFENCE_ORDER_SHIFT) |
           (vmid << NACL_HFENCE_VMID_SHIFT) | asid;
}

static void test_sync_hfence(void)
{
    struct mock_vm t;
    boot_with_shmem(&t);
    struct rvnest_vcpu *vc = t.vc;
    put_entry(&t, 0, cfg(NACL_HFENCE_GVMA_VMID, 21, 7, 0), 0x80200000ull >> 21, 2);
    g_assert_cmpint(call(&t, SBI_NACL_SYNC_HFENCE, ~0ull, 0, 0), ==, SBI_SUCCESS);
    g_assert_cmpuint(vc->inval.gvma, ==, 1);
    g_assert_false(vc->inval.last.all_addr);
    g_assert_false(vc->inval.last.all_id);
    g_assert_cmphex(vc->inval.last.id, ==, 7);
    g_assert_cmphex(vc->inval.last.addr, ==, 0x80200000ull);
    g_assert_cmphex(vc->inval.last.size, ==, 4ull << 20);
    g_assert_false(vc->inval.last.remote);
    g_assert_cmphex(mock_read64(&t.m, SHM + NACL_HFENCE_OFF), ==, cfg(NACL_HFENCE_GVMA_VMID, 21, 7, 0));
    /* processed once: the pending bit is clear */
    g_assert_cmpint(call(&t, SBI_NACL_SYNC_HFENCE, ~0ull, 0, 0), ==, SBI_SUCCESS);
    g_assert_cmpuint(vc->inval.gvma, ==, 1);
    put_entry(&t, 59, cfg(NACL_HFENCE_GVMA, 12, 0, 0), 0x80123, 1);
    g_assert_cmpint(call(&t, SBI_NACL_SYNC_HFENCE, 59, 0, 0), ==, SBI_SUCCESS);
    g_assert_true(vc->inval.last.all_id);
    g_assert_cmphex(vc->inval.last.addr, ==, 0x80123000ull);
    g_assert_cmphex(vc->inval.last.size, ==, 0x1000);
    put_entry(&t, 3, cfg(NACL_HFENCE_GVMA_ALL, 12, 0, 0), 0, 0);
    g_assert_cmpint(call(&t, SBI_NACL_SYNC_HFENCE, ~0ull, 0, 0), ==, SBI_SUCCESS);
    g_assert_true(vc->inval.last.all_id && vc->inval.last.all_addr);
    put_entry(&t, 4, cfg(NACL_HFENCE_GVMA_VMID_ALL, 12, 9, 0), 0, 0);
    g_assert_cmpint(call(&t, SBI_NACL_SYNC_HFENCE, ~0ull, 0, 0), ==, SBI_SUCCESS);
    g_assert_true(!vc->inval.last.all_id && vc->inval.last.all_addr && vc->inval.last.id == 9);
    g_assert_cmpuint(vc->inval.gvma, ==, 4);
    put_entry(&t, 5, cfg(NACL_HFENCE_VVMA, 12, 9, 0), 0x10, 3);
    put_entry(&t, 6, cfg(NACL_HFENCE_VVMA_ALL, 12, 9, 0), 0, 0);
    put_entry(&t, 7, cfg(NACL_HFENCE_VVMA_ASID, 12, 9, 0x42), 0x10, 3);
    put_entry(&t, 8, cfg(NACL_HFENCE_VVMA_ASID_ALL, 12, 9, 0x43), 0, 0);
    g_assert_cmpint(call(&t, SBI_NACL_SYNC_HFENCE, ~0ull, 0, 0), ==, SBI_SUCCESS);
    g_assert_cmpuint(vc->inval.vvma, ==, 4);
    g_assert_cmphex(vc->inval.last.id, ==, 0x43);
    g_assert_cmphex(vc->inval.last.vmid, ==, 9);
    g_assert_true(vc->inval.last.all_addr && !vc->inval.last.all_id);
    /* ignored: reserved type, reserved bits, order out of range, a start
     * that is no address; a zero count fences nothing */
    put_entry(&t, 10, 8ull << NACL_HFENCE_TYPE_SHIFT, 0, 1);
    put_entry(&t, 11, cfg(NACL_HFENCE_GVMA, 12, 0, 0) | (1ull << 55), 1, 1);
    put_entry(&t, 12, cfg(NACL_HFENCE_GVMA, 12, 0, 0) | (1ull << 40), 1, 1);
    put_entry(&t, 13, (uint64_t)NACL_HFENCE_GVMA << NACL_HFENCE_TYPE_SHIFT | (0x7full << NACL_HFENCE_ORDER_SHIFT), 1, 1);
    put_entry(&t, 14, cfg(NACL_HFENCE_GVMA, 30, 0, 0), 1ull << 40, 1);
    put_entry(&t, 15, cfg(NACL_HFENCE_GVMA, 12, 0, 0), 1, 0);
    g_assert_cmpint(call(&t, SBI_NACL_SYNC_HFENCE, ~0ull, 0, 0), ==, SBI_SUCCESS);
    g_assert_cmpuint(vc->inval.gvma, ==, 4);
    g_assert_cmpuint(vc->stats.nacl[NACL_EV_HFENCE_IGNORED], ==, 5);
    for (unsigned i = 10; i <= 15; i++)
        g_assert_false(mock_read64(&t.m, SHM + NACL_HFENCE_OFF + 32ull * i) & NACL_HFENCE_PEND);
    /* a count that overflows covers the rest of the address space */
    put_entry(&t, 16, cfg(NACL_HFENCE_GVMA_VMID, 12, 1, 0), 0x80000, ~0ull);
    g_assert_cmpint(call(&t, SBI_NACL_SYNC_HFENCE, ~0ull, 0, 0), ==, SBI_SUCCESS);
    g_assert_cmphex(vc->inval.last.addr, ==, 0x80000000ull);
    g_assert_cmphex(vc->inval.last.size, ==, 0 - 0x80000000ull);
    g_assert_cmpint(call(&t, SBI_NACL_SYNC_HFENCE, NACL_HFENCE_ENTRIES, 0, 0), ==, SBI_ERR_INVALID_PARAM);
    g_assert_cmpint(call(&t, SBI_NACL_SYNC_HFENCE, ~0ull - 1, 0, 0), ==, SBI_ERR_INVALID_PARAM);
    mock_vm_free(&t);
}

/* SYNC_SRET into L2 (KVM's way: CSRs through the page, hstatus through
 * autoswap, the guest's GPRs in the SRET context), then L2's trap back:
 * hstatus swapped back, the slot holds the guest's with SPV, the page
 * holds htval/htinst/hstatus and L2's VS registers. */
static void test_sync_sret(void)
{
    struct mock_vm t;
    boot_with_shmem(&t);
    struct mock_hart *m = &t.m;
    struct rvnest_vcpu *vc = t.vc;
    struct pt_builder b = { .m = m, .next = 0x81000000 };
    uint64_t groot = pt_alloc(&b, 4);
    uint64_t host_hstatus = vc->vcsr.val[VCSR_HSTATUS];
    page_write(&t, CSR_HGATP, (8ull << 60) | (3ull << HGATP_VMID_SHIFT) | (groot >> 12));
    page_write(&t, CSR_VSTVEC, L2_TVEC);
    page_write(&t, CSR_VSSCRATCH, 0x1234);
    page_write(&t, CSR_HEDELEG, 0xb109);
    mock_write64(m, SHM + NACL_AUTOSWAP_OFF + 8, HSTATUS_VSXL_64 | HSTATUS_SPV | HSTATUS_SPVP);
    mock_write64(m, SHM + NACL_AUTOSWAP_OFF, NACL_AUTOSWAP_FLAG_HSTATUS);
    for (unsigned i = 1; i < 32; i++)
        mock_write64(m, SHM + NACL_SRET_OFF + 8 * i, 0x1000 + i);
    m->csr[CSR_VSSTATUS] = MSTATUS_SPP | MSTATUS_SPIE;
    m->csr[CSR_VSEPC] = L2_PC;
    m->csr[CSR_VSTVEC] = L1_TVEC;
    m->csr[CSR_VSIE] = 0;
    ecall(&t, SBI_NACL_SYNC_SRET, 0, 0, 0);
    g_assert_cmpstr(t.vm.fatal, ==, "");
    g_assert_cmpuint(vc->world.level, ==, RVNEST_L2);
    g_assert_cmpuint(vc->uc.kind, ==, UCODE_ENTER_L2);
    /* the SRET context, but for t0 which the entry microcode carries */
    for (unsigned i = 1; i < 32; i++)
        if (i != 5)
            g_assert_cmphex(m->gpr[i], ==, 0x1000 + i);
    m->gpr[5] = 7777;
    g_assert_true(mock_m_trap_from_hs(&t, vc->uc.end_pc));
    g_assert_cmphex(m->gpr[5], ==, 0x1005);
    g_assert_cmphex(m->pc, ==, L2_PC);
    g_assert_cmpuint(m->priv, ==, PRV_S | PRIV_V);
    g_assert_cmphex(m->csr[CSR_VSTVEC], ==, L2_TVEC);
    g_assert_cmphex(m->csr[CSR_VSSCRATCH], ==, 0x1234);
    g_assert_cmphex(m->csr[CSR_HEDELEG], ==, 0xb109);
    g_assert_cmphex(mock_read64(m, SHM + NACL_AUTOSWAP_OFF + 8), ==, host_hstatus);
    g_assert_false(dirty_bit(&t, CSR_HGATP));
    g_assert_cmpuint(vc->stats.nacl[NACL_EV_SYNC_SRET], ==, 1);
    g_assert_cmpuint(vc->stats.l2_entries, ==, 1);
    /* L2 traps: an ecall with a guest page fault's htval to see it shown */
    m->csr[CSR_VSSCRATCH] = 0x9999;
    m->csr[CSR_HSTATUS] |= HSTATUS_SPVP;
    mock_trap_from_l1(&t, EXC_VS_ECALL, L2_PC + 0x40, 0, 0, 0);
    g_assert_cmpuint(vc->world.level, ==, RVNEST_L1);
    g_assert_cmphex(vc->vcsr.val[VCSR_HSTATUS], ==, host_hstatus);
    uint64_t guest = mock_read64(m, SHM + NACL_AUTOSWAP_OFF + 8);
    g_assert_true(guest & HSTATUS_SPV);
    g_assert_true(guest & HSTATUS_SPVP);
    g_assert_cmphex(mock_read64(m, word_of(CSR_HSTATUS)), ==, host_hstatus);
    g_assert_cmphex(mock_read64(m, word_of(CSR_VSSCRATCH)), ==, 0x9999);
    g_assert_cmphex(mock_read64(m, word_of(CSR_HTVAL)), ==, 0);
    g_assert_cmpuint(vc->stats.nacl[NACL_EV_AUTOSWAPS], ==, 2);
    /* the exit's timers: L2's stimecmp becomes L1's vstimecmp, shown */
    m->gpr[5] = 6000;
    g_assert_true(mock_m_trap_from_hs(&t, vc->uc.end_pc));
    g_assert_cmphex(mock_read64(m, word_of(CSR_VSTIMECMP)), ==, 6000);
    g_assert_cmphex(m->pc, ==, L1_TVEC);
    /* with autoswap's flag clear, no swap; SPV 0: the SRET stays in L1 */
    mock_write64(m, SHM + NACL_AUTOSWAP_OFF, 0);
    m->csr[CSR_VSEPC] = L1_PC + 0x100;
    m->csr[CSR_VSSTATUS] = MSTATUS_SPP | MSTATUS_SPIE;
    ecall(&t, SBI_NACL_SYNC_SRET, 0, 0, 0);
    g_assert_cmpuint(vc->world.level, ==, RVNEST_L1);
    g_assert_cmphex(m->pc, ==, L1_PC + 0x100);
    g_assert_cmpuint(m->priv, ==, PRV_S | PRIV_V);
    g_assert_true(m->csr[CSR_VSSTATUS] & MSTATUS_SIE);
    g_assert_cmphex(m->gpr[10], ==, 0x100a);
    g_assert_cmpuint(vc->stats.nacl[NACL_EV_AUTOSWAPS], ==, 2);
    mock_vm_free(&t);
}

/* SYNC_SRET writes the synced words back (SBI spec, "Feature: Synchronize
 * CSR", step 5) and remembers them as shown: a CSR that L2 leaves at the
 * value it had before L1's write through the page must still show in the
 * word at L2's exit (found by tests/guest/baremetal/nacl.c: the hvip word
 * kept VSSIP after L2 cleared it, vsscratch and vsstatus words kept L1's
 * values after L2 put back the previous run's). */
static void test_sync_sret_writeback(void)
{
    struct mock_vm t;
    boot_with_shmem(&t);
    struct mock_hart *m = &t.m;
    struct rvnest_vcpu *vc = t.vc;
    struct pt_builder b = { .m = m, .next = 0x81000000 };
    uint64_t groot = pt_alloc(&b, 4);
    /* shown: vsscratch 0x1111 */
    page_write(&t, CSR_VSSCRATCH, 0x1111);
    g_assert_cmpint(call(&t, SBI_NACL_SYNC_CSR, CSR_VSSCRATCH, 0, 0), ==, SBI_SUCCESS);
    g_assert_cmphex(mock_read64(m, word_of(CSR_VSSCRATCH)), ==, 0x1111);
    /* through the page: vsscratch 0x2222, hedeleg all ones (WARL), SPV */
    page_write(&t, CSR_HGATP, (8ull << 60) | (groot >> 12));
    page_write(&t, CSR_VSTVEC, L2_TVEC);
    page_write(&t, CSR_VSSCRATCH, 0x2222);
    page_write(&t, CSR_HEDELEG, ~0ull);
    page_write(&t, CSR_HSTATUS, HSTATUS_VSXL_64 | HSTATUS_SPV | HSTATUS_SPVP);
    m->csr[CSR_VSSTATUS] = MSTATUS_SPP;
    m->csr[CSR_VSEPC] = L2_PC;
    m->csr[CSR_VSTVEC] = L1_TVEC;
    ecall(&t, SBI_NACL_SYNC_SRET, 0, 0, 0);
    g_assert_cmpstr(t.vm.fatal, ==, "");
    g_assert_cmpuint(vc->world.level, ==, RVNEST_L2);
    g_assert_true(mock_m_trap_from_hs(&t, vc->uc.end_pc));
    /* written back: the legal values, not L1's */
    g_assert_cmphex(mock_read64(m, word_of(CSR_HEDELEG)), ==, vc->vcsr.val[VCSR_HEDELEG]);
    g_assert_cmphex(mock_read64(m, word_of(CSR_HEDELEG)), !=, ~0ull);
    g_assert_cmphex(mock_read64(m, word_of(CSR_VSSCRATCH)), ==, 0x2222);
    g_assert_false(dirty_bit(&t, CSR_VSSCRATCH));
    /* L2 puts vsscratch back to 0x1111 and traps: the word follows */
    m->csr[CSR_VSSCRATCH] = 0x1111;
    mock_trap_from_l1(&t, EXC_VS_ECALL, L2_PC + 0x40, 0, 0, 0);
    g_assert_cmpuint(vc->world.level, ==, RVNEST_L1);
    g_assert_cmphex(vc->vcsr.val[VCSR_VSSCRATCH], ==, 0x1111);
    g_assert_cmphex(mock_read64(m, word_of(CSR_VSSCRATCH)), ==, 0x1111);
    mock_vm_free(&t);
}

/* Hostile shared memory: hstatus from the page is legalized as a csrw
 * would (no VSXL other than 64, no reserved bits); autoswap without its
 * feature does nothing; a shared memory put over L1's own firmware (PMP)
 * is refused. */
static void test_hostile(void)
{
    struct mock_vm a, b;
    boot_with_shmem(&a);
    mock_vm_boot(&b);
    page_write(&a, CSR_HSTATUS, ~0ull & ~HSTATUS_SPV);
    g_assert_cmpint(call(&a, SBI_NACL_SYNC_CSR, ~0ull, 0, 0), ==, SBI_SUCCESS);
    b.m.gpr[10] = ~0ull & ~HSTATUS_SPV;
    mock_trap_from_l1(&b, EXC_VIRTUAL_INST, L1_PC, 0x60051073 /* csrw hstatus, a0 */, 0, 0);
    g_assert_cmphex(a.vc->vcsr.val[VCSR_HSTATUS], ==, b.vc->vcsr.val[VCSR_HSTATUS]);
    /* autoswap's value is legalized the same way */
    mock_write64(&a.m, SHM + NACL_AUTOSWAP_OFF + 8, ~0ull & ~HSTATUS_SPV);
    mock_write64(&a.m, SHM + NACL_AUTOSWAP_OFF, ~0ull);
    a.m.csr[CSR_VSEPC] = L1_PC + 0x200;
    ecall(&a, SBI_NACL_SYNC_SRET, 0, 0, 0);
    g_assert_cmphex(a.vc->vcsr.val[VCSR_HSTATUS], ==, b.vc->vcsr.val[VCSR_HSTATUS]);
    a.vm.opt.nacl_features_off = 1u << RVNEST_NACL_FEAT_AUTOSWAP_CSR;
    uint64_t hs = a.vc->vcsr.val[VCSR_HSTATUS];
    mock_write64(&a.m, SHM + NACL_AUTOSWAP_OFF + 8, 0);
    ecall(&a, SBI_NACL_SYNC_SRET, 0, 0, 0);
    g_assert_cmphex(a.vc->vcsr.val[VCSR_HSTATUS], ==, hs);
    /* the firmware's memory at the start of RAM is not L1's to write */
    g_assert_cmpint(call(&a, SBI_NACL_SET_SHMEM, a.vm.ram_base, 0, 0), ==, SBI_ERR_INVALID_ADDRESS);
    mock_vm_free(&a);
    mock_vm_free(&b);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/nacl/probe", test_probe);
    g_test_add_func("/nacl/set-shmem", test_set_shmem);
    g_test_add_func("/nacl/csr-space-follows", test_csr_space_follows);
    g_test_add_func("/nacl/sync-csr-warl", test_sync_csr_warl);
    g_test_add_func("/nacl/sync-csr-order", test_sync_csr_order);
    g_test_add_func("/nacl/sync-hfence", test_sync_hfence);
    g_test_add_func("/nacl/sync-sret", test_sync_sret);
    g_test_add_func("/nacl/sync-sret-writeback", test_sync_sret_writeback);
    g_test_add_func("/nacl/hostile", test_hostile);
    return g_test_run();
}
