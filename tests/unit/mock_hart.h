/* A mock hart for the engine's unit tests: registers, CSRs with a few WARL
 * rules, sparse memory, and a PLIC claim register that lowers SEIP. */
#ifndef RVNEST_MOCK_HART_H
#define RVNEST_MOCK_HART_H
#include <glib.h>
#include "rvnest/engine.h"

struct mock_hart {
    struct rvnest_hart h;
    uint64_t gpr[32], csr[4096], pc;
    unsigned priv;
    GHashTable *pages;                /* page number -> 4 KiB buffer */
    uint64_t plic_claim_reg;          /* address of the mocked claim register */
    uint32_t plic_pending_irq;        /* returned by the next claim */
    uint32_t plic_completed;
    bool no_vstimecmp;
    bool smstateen;                   /* hstateen0-3/mstateen0-3 exist */
    uint64_t no_mem_base;             /* when set: nothing at or above it (bus error) */
};

void mock_hart_init(struct mock_hart *m);
void mock_hart_free(struct mock_hart *m);
void mock_write64(struct mock_hart *m, uint64_t pa, uint64_t v);
uint64_t mock_read64(struct mock_hart *m, uint64_t pa);

/* A VM booted on a mock hart with a generated device tree (1 GiB at
 * 0x80000000, PLIC at 0x0c000000, DT at 0xbfe00000), as OpenSBI leaves it. */
struct mock_vm {
    struct mock_hart m;
    struct rvnest_vm vm;
    struct rvnest_vcpu *vc;
};
void mock_vm_boot(struct mock_vm *t);
/* The same with another machine; returns whether L0 booted (vm.fatal says
 * why not). */
struct mock_machine {
    uint64_t ram_size, fdt_pa, l0_mem, l1_mem;
    bool no_h;
    /* free space at the blob's end, holding stale bytes (as OpenSBI's
     * fixups leave it); 0: a packed blob */
    uint32_t fdt_free;
};
bool mock_vm_boot_with(struct mock_vm *t, const struct mock_machine *mm);
/* The same on a hart the caller has initialised (mock_hart_init) and set up. */
bool mock_vm_boot_with_hart(struct mock_vm *t, const struct mock_machine *mm);
void mock_vm_free(struct mock_vm *t);
/* Builds the device tree QEMU's virt board would give (subset). */
void *mock_fdt_build(uint64_t ram_base, uint64_t ram_size, bool with_h, size_t *size);
/* The same with nharts harts (1 to 8), each with its M and S PLIC context. */
void *mock_fdt_build_harts(uint64_t ram_base, uint64_t ram_size, bool with_h, unsigned nharts, size_t *size);
/* An HS trap from L1 (VS-mode) at pc with cause, stval, htval, htinst. */
void mock_trap_from_l1(struct mock_vm *t, uint64_t cause, uint64_t pc, uint64_t stval,
                       uint64_t htval, uint64_t htinst);
/* An access fault of L1 (satp Bare) at addr by the instruction insn at pc,
 * as OpenSBI redirects it to HS (insn written to memory at pc). */
void mock_l1_access(struct mock_vm *t, uint64_t cause, uint64_t pc, uint32_t insn, uint64_t addr);
/* A trap into M from real HS at from_pc (MPP=S, MPV=0; mstatus.MPIE kept),
 * as the end of a microcode run raises it; for a run L0 started in M
 * (the hart at M, uc.in_m), the trap from M (MPP=M, MPIE=MIE, MIE=0);
 * for one that ends with its own mret (uc.direct), from_pc its last word:
 * t0 from mtval, rvnest_on_mret, and the mret. */
bool mock_m_trap_from_hs(struct mock_vm *t, uint64_t from_pc);
#endif
