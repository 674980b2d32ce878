/* The L0 engine: state of the virtual machine (L1) and of each hart, and
 * the events the plugin feeds in. */
#ifndef RVNEST_ENGINE_H
#define RVNEST_ENGINE_H

#include <stdbool.h>
#include <pthread.h>
#include <stdint.h>
#include "rvnest/hart.h"
#include "rvnest/limits.h"
#include "rvnest/stats.h"
#include "rvnest/vcsr.h"
#include "rvnest/walk.h"
#include "rvnest/world.h"
#include "rvnest/shadow.h"
#include "rvnest/nacl.h"

#define RVNEST_DEFAULT_L0_MEM (8ull << 20)
#define RVNEST_MIN_L0_MEM (2ull << 20)

struct rvnest_options {
    uint64_t l0_mem;                  /* bytes, multiple of 2 MiB */
    uint64_t l1_mem;                  /* bytes of RAM L1 gets, 0: all but L0's */
    const char *stats_path;           /* JSON statistics file, or NULL */
    bool quiet;                       /* no report on stderr at exit */
    bool trace;                       /* one stderr line per L0 exit */
    uint64_t shadow_mem;              /* bytes of L0 memory for shadow G-stage tables
                                         (a power of two), 0: half of l0_mem */
    /* SBI nested acceleration offered to L1 (nested/sbi_nacl.c): the
     * extension, and each of its features (RVNEST_NACL_FEAT_* bits) */
    bool nacl_off;                    /* nacl=off: the extension is not there */
    bool shadow_prefetch_off;         /* shadow-prefetch=off (nested/l2_trap.c) */
    bool shadow_large_off;            /* shadow-large=off: 4 KiB shadow leaves only */
    unsigned nacl_features_off;       /* bit f set: feature f probes 0 */
};

/* Layout of L0's private memory (offsets from l0_base). */
#define L0_OFF_VECTOR       0x000     /* stvec: an all-zero word */
#define L0_OFF_UC_ECALL     0x100     /* ecall; .word 0 */
#define L0_OFF_UC_VSTIMECMP 0x110     /* csrw vstimecmp, a0; .word 0 */
#define L0_OFF_UC_REPLAY    0x120     /* one Zicsr instruction of L1's; .word 0 */
#define L0_OFF_UC_STIMECMP  0x130     /* stimecmp = sepc (t0 kept); .word 0 */
#define L0_OFF_UC_ENTER_L2  0x140     /* csrrw t0, vstimecmp, t0; csrw stimecmp, t0;
                                         csrr t0, mtval; mret (nested/ucode.c) */
#define L0_OFF_UC_EXIT_L2   0x150     /* csrr t0, stimecmp; csrrw t0, vstimecmp, t0;
                                         csrw stimecmp, t1; .word 0 */
#define L0_OFF_UCODE_PAGE   0x000     /* the page holding the vector and microcode */
/* Each hart runs its microcode from its own copy of the 0x100-0x15f slots,
 * hart i's at + i * L0_UC_HART_STRIDE (a replayed CSR access is hart
 * specific); all of them inside the microcode page. */
#define L0_UC_HART_STRIDE   0x100

/* What a microcode run does when it ends (ARCHITECTURE.md fact 8). */
enum rvnest_ucode {
    UCODE_NONE,
    UCODE_SBI_FORWARD,                /* L1's ecall passed to OpenSBI */
    UCODE_SET_VSTIMECMP,              /* SBI set_timer -> vstimecmp */
    UCODE_SET_VSTIMECMP_LEGACY,
    UCODE_CSR_REPLAY,                 /* a CSR access L1 may make in HS, replayed there */
    UCODE_SBI_FORWARD_ENVCFG,         /* L1's ecall to OpenSBI that may change menvcfg (FWFT) */
    UCODE_SET_STIMECMP,               /* arm the real HS timer (nested/virq.c) */
    UCODE_ENTER_L2,                   /* world switch L1 -> L2: the timers (nested/world.c) */
    UCODE_EXIT_L2,                    /* world switch L2 -> L1: the timers */
    UCODE_SBI_LEGACY_MASK,            /* a legacy IPI/fence as its SBI v0.2 call (nested/sbi_legacy.c) */
};

struct rvnest_vm;

/* The real PMP as L0 last read it (nested/l1_mem.c). */
struct rvnest_pmp_snapshot {
    bool valid;
    uint8_t cfg[RVNEST_PMP_ENTRIES];
    uint64_t addr[RVNEST_PMP_ENTRIES];
    uint64_t mseccfg;
};

struct rvnest_vcpu {
    struct rvnest_hart *hart;
    struct rvnest_vm *vm;
    struct rvnest_vcsr vcsr;          /* L1's virtual H and VS CSRs (the VS ones are
                                         L2's registers while L1 runs; while L2 runs
                                         the real VS CSRs hold them: world.h) */
    struct rvnest_world world;        /* which level runs, and what is saved where */
    struct rvnest_stats stats;        /* this hart's (summed at exit: rvnest_vm_stats) */
    bool in_mret;                     /* handling happens before an mret */
    bool seip_presented;              /* real SEIP shown to L1 as VSEIP */
    unsigned reset_epoch;             /* the system reset (vm->reset_epoch) whose
                                         reset vector this hart last ran; 0: none yet */
    bool entered;                     /* entered L1 since that reset */
    unsigned long l0_seq;             /* L0 handler entries (atomic; shadow.c's grace) */
    int in_l0;                        /* 1 while an L0 handler runs on this hart (atomic) */
    bool fw_gva;                      /* mstatus.GVA as it would be natively
                                         (rvnest_on_guest_exception) */
    struct {
        enum rvnest_ucode kind;
        uint64_t resume_pc;
        unsigned resume_priv;
        uint64_t start_pc, end_pc;    /* the run's words; end_pc: the zero word */
        bool in_m;                    /* the run executes in M (rvnest_ucode_run) */
        bool direct;                  /* ... and ends with its own mret into the guest */
        uint64_t saved_mstatus;       /* mstatus before an M run */
        uint32_t replay[2];           /* UCODE_CSR_REPLAY's words */
        uint64_t l1_pc;               /* the L1 instruction a replay stands for */
        uint64_t saved_t0, saved_t1;  /* guest registers a world switch's run uses */
        uint64_t saved_a[8];          /* a0-a7 of a legacy call L0 rewrote */
    } uc;
    uint64_t l1_entries;              /* firmware entries turned into V=1 */
    unsigned long hsm_fid;            /* the last HSM function L1 called (nested/sbi_hsm.c) */
    uint64_t hedeleg;                 /* the real hedeleg L0 last wrote */
    int hstateen_mask;                /* rvnest_hstateen_present; -1 until probed */
    uint64_t trap_cause;              /* L1's vscause at the last sync (rvnest_l1_trap_catchup) */
    bool virq_trap;                   /* real VTW/VTSR set for L1's virtual interrupts */
    struct rvnest_pmp_snapshot pmp;
    struct rvnest_nacl nacl;          /* SBI nested acceleration (nested/nacl.c) */
    uint64_t virq_deadline;           /* real HS timer armed for L1's Sstc deadline, or ~0 */
    struct {
        uint64_t vvma, gvma;          /* invalidations L1 asked for */
        struct rvnest_inval last;
    } inval;
};


/* Extensions of the hart that change how L1's tables are walked or which
 * instructions L1 has (from the device tree's ISA properties). */
struct rvnest_isa {
    bool svnapot, svinval, svadu, svade;
};

struct rvnest_vm {
    struct rvnest_options opt;
    bool booted;
    uint64_t ram_base, ram_size;
    uint64_t l0_base, l0_size;
    uint64_t fdt_pa;
    uint64_t plic_base, plic_size;
    struct { uint64_t base, size; } plic_range[RVNEST_PLIC_PAGES]; /* priorities, the
                                         harts' S enables, their S contexts */
    uint64_t plic_claim_page;         /* hart 0's S-context page */
    /* guest-physical ranges L0's G-stage leaves unmapped for L1 */
    struct { uint64_t base, size; } holes[RVNEST_MAX_HOLES];
    unsigned nholes;
    unsigned pmp_fw_n, pmp_l0_n;      /* PMP entries: the firmware's, L0's (nested/pmp.c) */
    uint64_t pmp_ram_lo, pmp_ram_hi;  /* L1 RAM given its own PMP entry (fast path), or 0 */
    uint8_t pmp_ram_rwx;
    uint64_t menvcfg;                 /* the boot hart's at setup (each hart's own,
                                         FWFT included: vc->vcsr.menvcfg) */
    bool sstc;
    struct rvnest_isa isa;
    struct rvnest_shadow shadow;      /* the shadow G-stage pool (shadow-pt/shadow.c) */
    unsigned nharts;                  /* QEMU's -smp */
    /* System resets (cold boot = epoch 1): a hart's run of the reset
     * vector in M starts a new epoch only when it proves QEMU reset the
     * machine again (rvnest_reset_is_new), else it joins the current one;
     * the first entry into HS after a new epoch began sets L0 up. No hart
     * waits for another. */
    unsigned reset_epoch;
    bool in_reset;                    /* L0's setup for this epoch still to do */
    uint64_t reset_time;              /* the largest time L0 read in this epoch */
    pthread_mutex_t lock;             /* VM-wide state: setup, shadows, fatal */
    struct rvnest_vcpu vcpu[RVNEST_MAX_HARTS];
    char fatal[256];                  /* set when L0 must stop the machine */
};

void rvnest_vm_init(struct rvnest_vm *vm, const struct rvnest_options *opt);
struct rvnest_vcpu *rvnest_vcpu_init(struct rvnest_vm *vm, struct rvnest_hart *h);

static inline bool l0_owns(const struct rvnest_vm *vm, uint64_t pa)
{
    return vm->l0_size && pa >= vm->l0_base && pa - vm->l0_base < vm->l0_size;
}
static inline bool l0_overlaps(const struct rvnest_vm *vm, uint64_t pa, uint64_t len)
{
    return vm->l0_size && len && pa < vm->l0_base + vm->l0_size && pa + len > vm->l0_base;
}
/* True when [pa, pa+len) touches guest-physical memory L1 cannot access
 * directly (L0 memory, RAM above L1's, the trapped PLIC page). */
static inline bool l1_range_unmapped(const struct rvnest_vm *vm, uint64_t pa, uint64_t len)
{
    if (pa + len < pa)
        return true;
    for (unsigned i = 0; i < vm->nholes; i++)
        if (len && pa < vm->holes[i].base + vm->holes[i].size && pa + len > vm->holes[i].base)
            return true;
    return false;
}

/* nested/l1_mem.c: what L1 can reach by itself. The real PMP is evaluated
 * for an S-mode access and L0's holes are never reachable. */
enum l1_access { L1_ACC_READ, L1_ACC_WRITE, L1_ACC_FETCH };
bool rvnest_l1_may_access(struct rvnest_vcpu *vc, uint64_t pa, uint64_t len, enum l1_access acc);
/* The real PMP may have changed: read it again when next needed. */
void rvnest_pmp_forget(struct rvnest_vcpu *vc);
/* [pa, pa+len) lies in L1's RAM (page tables and instructions are read only
 * from there: never from MMIO, firmware or L0 memory). */
bool rvnest_l1_is_ram(struct rvnest_vcpu *vc, uint64_t pa, uint64_t len);
/* An 8-byte page-table entry of L1's, read or written (A/D updates) as an
 * S-mode implicit access; false where L1 itself could not. */
bool rvnest_l1_read_table(struct rvnest_vcpu *vc, uint64_t pa, uint64_t *pte);
bool rvnest_l1_write_table(struct rvnest_vcpu *vc, uint64_t pa, uint64_t pte);
/* nested/l1_walk.c: L1's tables through the walker (include/rvnest/walk.h);
 * the walker's ctx is the vcpu. */
struct walk_mem_ops;
extern const struct walk_mem_ops rvnest_l1_walk_mem;
/* Whether the hart sets A/D bits itself for an access whose only
 * environment configuration is menvcfg (QEMU: Svadu ? menvcfg.ADUE :
 * !Svade), e.g. L1's G-stage. menvcfg is per hart (SBI FWFT is). */
bool rvnest_l1_hw_adue(const struct rvnest_vcpu *vc);
/* L1's own translation of va as the hart made it at V=1, nothing written
 * (nested/l1_walk.c). */
void rvnest_l1_own_walk(struct rvnest_vcpu *vc, uint64_t va, enum walk_access acc,
                        struct walk_result *res);

/* Events from the plugin. Each returns after it has set where the hart
 * resumes (pc and priv, or mepc/mstatus when in_mret). */

/* The hart went to the L0 vector: returns true if that was a trap into real
 * HS (priv S, V=0) and it has been handled. */
bool rvnest_on_hs_trap(struct rvnest_vcpu *vc);
/* An mret is about to execute (L0 acts only if it executes in M). */
void rvnest_on_mret(struct rvnest_vcpu *vc);
/* A trap to M-mode from from_pc: returns true if it was L0's own (end of
 * microcode, or the L0 vector executed) and has been handled. */
bool rvnest_on_m_trap(struct rvnest_vcpu *vc, uint64_t from_pc);
/* The plugin brackets every L0 handler with these (the shadow pool's grace
 * period: a hart in L0 or in L1 walks no shadow table). */
static inline void rvnest_l0_enter(struct rvnest_vcpu *vc)
{
    __atomic_store_n(&vc->in_l0, 1, __ATOMIC_SEQ_CST);
    __atomic_add_fetch(&vc->l0_seq, 1, __ATOMIC_SEQ_CST);
}
static inline void rvnest_l0_leave(struct rvnest_vcpu *vc)
{
    __atomic_store_n(&vc->in_l0, 0, __ATOMIC_SEQ_CST);
}
/* The hart executes the reset vector (QEMU virt: RVNEST_RESET_VECTOR in
 * the boot ROM). Only an M-mode execution is a reset. */
void rvnest_on_hart_reset(struct rvnest_vcpu *vc);
bool rvnest_reset_is_new(const struct rvnest_vm *vm, unsigned hart_epoch, uint64_t now);
void rvnest_reset_note_time(struct rvnest_vcpu *vc);
/* Any exception the hart takes (the plugin's discontinuity hook, before
 * its filtering): keeps vc->fw_gva. */
void rvnest_on_guest_exception(struct rvnest_vcpu *vc);
/* hstatus.GVA of a trap of this cause the firmware redirects to HS. */
bool rvnest_fw_redirect_gva(const struct rvnest_vcpu *vc, uint64_t cause);

/* Internal API shared by the engine's files. */
void rvnest_resume(struct rvnest_vcpu *vc, uint64_t pc, unsigned priv);
void rvnest_resume_l1_after(struct rvnest_vcpu *vc, unsigned insn_len);
void rvnest_resume_l1_at_sepc(struct rvnest_vcpu *vc);
unsigned rvnest_trap_priv(struct rvnest_vcpu *vc);
/* A synchronous trap into L1's (virtual) HS, with what a native trap into
 * HS writes besides scause/stval: htval, htinst and hstatus.GVA. */
struct rvnest_l1_trap {
    uint64_t cause, tval, htval, htinst;
    bool gva;
    bool spv;                         /* taken from L2 (virtual V=1) */
    unsigned spvp;                    /* then L2's privilege, PRV_S or PRV_U */
};
/* Enter L1's trap handler for a trap taken at epc from PRV_S/PRV_U: L1's
 * registers as the hart writes them; returns the handler's address. */
uint64_t rvnest_l1_trap_entry(struct rvnest_vcpu *vc, const struct rvnest_l1_trap *t,
                              uint64_t epc, unsigned from);
/* sstatus after a trap into S from PRV_S/PRV_U (priv spec "Supervisor Trap
 * Handling": SPP, SPIE = SIE, SIE = 0), and after an sret (SIE = SPIE,
 * SPIE = 1, SPP = U; *to: where it returns). */
uint64_t rvnest_sstatus_trap(uint64_t sstatus, unsigned from);
uint64_t rvnest_sstatus_sret(uint64_t sstatus, unsigned *to);
void rvnest_inject_l1_trap(struct rvnest_vcpu *vc, const struct rvnest_l1_trap *t);
/* The same for an exception L1's own execution in HS would raise natively,
 * taking the path it would take there: straight from the hart when the
 * firmware delegates the cause (real medeleg), else through the firmware's
 * redirect, which leaves htinst as it was, htval 0 and hstatus.GVA 0. */
void rvnest_deliver_l1_exception(struct rvnest_vcpu *vc, const struct rvnest_l1_trap *t);
void rvnest_sync_l1_traps(struct rvnest_vcpu *vc);
void rvnest_l1_trap_catchup(struct rvnest_vcpu *vc);
void rvnest_ucode_run(struct rvnest_vcpu *vc, enum rvnest_ucode kind, uint64_t resume_pc,
                      unsigned resume_priv);
void rvnest_ucode_replay_csr(struct rvnest_vcpu *vc, unsigned csr, unsigned funct3,
                             unsigned rd, unsigned rs1, uint64_t l1_pc, unsigned l1_priv);
void rvnest_ucode_done(struct rvnest_vcpu *vc);
/* pc lies in the words of the microcode run in flight. */
bool rvnest_ucode_owns_pc(const struct rvnest_vcpu *vc, uint64_t pc);
/* The microcode words (nested/ucode.c), written into L0 memory at boot. */
extern const uint32_t rvnest_ucode_ecall[2];
extern const uint32_t rvnest_ucode_vstimecmp[2];
/* L1's general register reg (vcpu is a struct rvnest_vcpu *). */
uint64_t rvnest_l1_gpr(void *vcpu, unsigned reg);
void rvnest_fatal(struct rvnest_vm *vm, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

uint64_t rvnest_l0_sscratch(const struct rvnest_vm *vm);
/* nested/boot.c: record the firmware's menvcfg and carry it to V=1 */
void rvnest_envcfg_sync(struct rvnest_vcpu *vc);
/* nested/boot.c: an entry from the firmware into HS at entry_pc; reset:
 * the hart's H state is at reset values (cold boot, system reset). */
bool rvnest_firmware_entry(struct rvnest_vcpu *vc, uint64_t entry_pc, bool reset);
/* nested/sbi.c */
void rvnest_sbi_ecall(struct rvnest_vcpu *vc);
/* nested/virt_insn.c */
void rvnest_virtual_instruction(struct rvnest_vcpu *vc);
/* What L1's SRET in HS does (trapped, or NACL SYNC_SRET). */
void rvnest_sret(struct rvnest_vcpu *vc);
/* nested/nacl.c: SBI nested acceleration's shared memory (rvnest/nacl.h).
 * The SBI functions return an SBI error code. */
void rvnest_nacl_reset(struct rvnest_vcpu *vc);
bool rvnest_nacl_feature(const struct rvnest_vcpu *vc, enum rvnest_nacl_feature f);
long rvnest_nacl_set_shmem(struct rvnest_vcpu *vc, uint64_t lo, uint64_t hi, uint64_t flags);
long rvnest_nacl_sync_csr(struct rvnest_vcpu *vc, uint64_t csr_num);
long rvnest_nacl_sync_hfence(struct rvnest_vcpu *vc, uint64_t entry);
long rvnest_nacl_sret_prepare(struct rvnest_vcpu *vc);
/* L1's H state changed: keep the CSR space current. */
void rvnest_nacl_show(struct rvnest_vcpu *vc);
/* A trap into L1's HS (from_l2: from its guest, virtualization ON -> OFF). */
void rvnest_nacl_l1_trap(struct rvnest_vcpu *vc, bool from_l2);
/* nested/hyp_insn.c: HLV/HLVX/HSV, HFENCE/HINVAL of L1. Returns false when
 * insn is none of them. */
bool rvnest_hyp_insn(struct rvnest_vcpu *vc, uint32_t insn);
/* nested/l2_shadow.c: the shadow G-stage (shadow-pt, include/rvnest/shadow.h)
 * for a vcpu, under the VM lock; the ops it runs on are nested/shadow_ops.c's. */
extern const struct rvnest_shadow_ops rvnest_engine_shadow_ops;
/* Place the pool in L0 memory (at boot); false with vm->fatal set. */
bool rvnest_shadow_setup(struct rvnest_vcpu *vc);
uint64_t rvnest_shadow_hgatp(struct rvnest_vcpu *vc, uint64_t l1_hgatp, unsigned *ctx);
void rvnest_shadow_release(struct rvnest_vcpu *vc, unsigned ctx);
/* access: a walk_access; the context is the one the vcpu's L2 runs on. */
enum rvnest_fill rvnest_shadow_fill(struct rvnest_vcpu *vc, uint64_t gpa, int access,
                                    struct walk_result *res);
void rvnest_shadow_inval(struct rvnest_vcpu *vc, const struct rvnest_inval *r);
/* L2 is entered again: the leaf of the guest page fault L1 handled
 * (world.prefetch), if L1's G-stage now gives it (rvnest_shadow_pt_prefetch). */
void rvnest_shadow_prefetch(struct rvnest_vcpu *vc);
void rvnest_shadow_drop_all(struct rvnest_vcpu *vc);

/* nested/l2_shadow.c: the fences L1 asked for, recorded (vc->inval); GVMA
 * drops what the shadow G-stage holds of it. VVMA concerns only L2's
 * VS-stage, which QEMU's TLB caches and flushes on the V switch back. */
void rvnest_shadow_invalidate_vvma(struct rvnest_vcpu *vc, const struct rvnest_inval *r);
void rvnest_shadow_invalidate_gvma(struct rvnest_vcpu *vc, const struct rvnest_inval *r);
/* nested/access_fault.c */
void rvnest_l1_access_fault(struct rvnest_vcpu *vc, uint64_t cause);
void rvnest_guest_page_fault(struct rvnest_vcpu *vc, uint64_t cause);
/* nested/pmp.c: L0's PMP entries ahead of the firmware's */
struct rvnest_pmp_entry {
    uint8_t cfg;
    uint64_t addr;
};
/* cold: the firmware just programmed PMP at boot; else reinstall only if
 * the firmware rewrote it. False (and vm->fatal) when it cannot be done. */
bool rvnest_pmp_install(struct rvnest_vcpu *vc, bool cold);
bool rvnest_pmp_intact(struct rvnest_vcpu *vc);
/* [lo, hi] bytes an entry matches (prev_addr: pmpaddr of the entry before,
 * 0 for entry 0); false when it is off or matches nothing. */
bool rvnest_pmp_range(uint8_t cfg, uint64_t addr, uint64_t prev_addr, uint64_t *lo, uint64_t *hi);
/* the microcode page executable by real HS (during a run) or not */
void rvnest_pmp_ucode(struct rvnest_vcpu *vc, bool on);
/* the shadow pool readable by S (while L2 runs, for the hart's walks) or not */
void rvnest_pmp_shadow(struct rvnest_vcpu *vc, bool on);
/* nested/world.c: the end of a world switch's microcode run */
void rvnest_world_ucode_done(struct rvnest_vcpu *vc, enum rvnest_ucode kind);
/* nested/boot.c: the real henvcfg while L1 runs */
uint64_t rvnest_l1_real_henvcfg(const struct rvnest_vcpu *vc);
/* nested/virq.c: L1's HS-level interrupts from its virtual H state */
uint64_t rvnest_virq_pending(struct rvnest_vcpu *vc);
/* Called on every resume of L1 at (pc, priv): may redirect it to L1's trap
 * vector (an interrupt delivered), or return true after starting a
 * microcode run that resumes there. */
bool rvnest_virq_resume(struct rvnest_vcpu *vc, uint64_t *pc, unsigned *priv);
void rvnest_virq_timer(struct rvnest_vcpu *vc);
/* nested/plic.c */
struct insn_mem;
bool rvnest_plic_page(const struct rvnest_vm *vm, uint64_t gpa);
uint64_t rvnest_plic_access(struct rvnest_vcpu *vc, uint64_t gpa, const struct insn_mem *m,
                            unsigned *fault_off);
/* nested/irq.c */
void rvnest_hs_interrupt(struct rvnest_vcpu *vc, unsigned irq);
/* Writes the real hvip (nested/irq.c: QEMU's M-mode rule on VSTIP). */
void rvnest_set_real_hvip(struct rvnest_hart *h, uint64_t val);
void rvnest_irq_resample(struct rvnest_vcpu *vc);
void rvnest_irq_send_ipi(struct rvnest_vcpu *vc);
void rvnest_irq_clear_ipi(struct rvnest_vcpu *vc);
/* The real sie while L1 runs: SSIE (firmware IPIs for L1), and SEIE unless
 * the PLIC level is being presented to L1. */
uint64_t rvnest_l0_sie(const struct rvnest_vcpu *vc);
/* The real hstateen0-3 on models with Smstateen: everything the firmware
 * lets HS have, so L1's own accesses at V=1 pass as they would in HS. */
void rvnest_l1_hstateen_setup(struct rvnest_vcpu *vc);
/* Which of hstateen0-3 the hart has (bit i: hstateen<i>), probed once:
 * QEMU's register list is fixed when the hart is made. */
unsigned rvnest_hstateen_present(struct rvnest_vcpu *vc);

#endif
