/* Shared runtime of the L1 conformance programs (conf_*.c) and of the
 * differential fuzzer (fuzz.c), on top of lib.c:
 *  - a position-independent trap entry on its own stack (sscratch) that
 *    records every trap (scause, stval, sepc, htval, htinst, hstatus,
 *    sstatus) and can escape from a probe back to its caller;
 *  - probes: run one generated instruction (or a few) in S- or U-mode
 *    (U entered with sret and SPP=0), with a0/a1 as inputs;
 *  - device-tree facts (RAM, PLIC, bootargs);
 *  - Sv39 page tables for L1's own translation;
 *  - "check NAME: values" lines with their expectation. */
#ifndef CONF_LIB_H
#define CONF_LIB_H
#include <stdarg.h>
#include "lib.h"

#define MODE_U 0
#define MODE_S 1

/* The last exception (T) and the last interrupt (TI). */
struct trapinfo {
    uint64_t cause, tval, epc, htval, htinst, hstatus, sstatus;
};
extern volatile struct trapinfo T, TI;
extern volatile uint64_t T_count, TI_count, T_unexpected;
extern volatile uint64_t irq_counts[64];

/* Results of the last probe: trapped (1) or not, the value of a0. */
extern volatile int conf_trapped;
extern volatile uint64_t conf_result;

/* Device-tree facts, filled by conf_init. */
extern uint64_t dt_ram_base, dt_ram_end, dt_plic_base;
/* /cpus: each cpu@N's hart id (reg), how many say status != okay, the
 * timebase frequency */
extern uint64_t dt_hart_ids[16], dt_timebase;
extern int dt_nharts, dt_harts_disabled;
extern char dt_bootargs[256];
extern int dt_has_rvnest_l0;

void conf_init(uint64_t fdt);
/* "key=N" from the bootargs (lib.c bootarg) */
uint64_t conf_arg(const char *key, uint64_t def);

/* Formatted output: %s %d %u %x (64-bit hex with 0x) %c. */
void cvprintf(const char *fmt, va_list ap);
void cprintf(const char *fmt, ...);

/* Checks. */
extern long conf_checks, conf_failures;
void check(const char *name, int ok, const char *fmt, ...);
/* check NAME: VALUE, expecting WANT. */
void check_eq(const char *name, uint64_t got, uint64_t want);
void conf_done(const char *prog);   /* summary line and shutdown */

/* Generated code. insns[] then an exit (ret in S, ecall in U). The code
 * runs at its physical address plus conf_code_va_off (0 unless a test
 * maps the buffer elsewhere, e.g. with U=1 under Sv39). */
extern uint64_t conf_code_va_off;
extern uint32_t conf_code_buf[];
uint64_t conf_run(const uint32_t *insns, int n, int mode, uint64_t a0, uint64_t a1);
static inline uint64_t conf_exec(uint32_t insn, int mode, uint64_t a0, uint64_t a1)
{
    return conf_run(&insn, 1, mode, a0, a1);
}
/* Call fn(a0, a1) at VA fn in S-mode, escaping on any exception. */
uint64_t conf_call(uint64_t fn, uint64_t a0, uint64_t a1);
/* Run code at fn in mode; U code ends with an ecall at uexit. */
uint64_t conf_call_at(uint64_t fn, int mode, uint64_t uexit, uint64_t a0, uint64_t a1);
/* Run code at guest virtual address fn in VS (MODE_S) or VU (MODE_U), as
 * a hypervisor enters its guest (hstatus.SPV=1, sret). The code ends with
 * an ecall at uexit; every trap to HS ends the run (conf_trapped unless it
 * is that ecall) and returns to HS. */
uint64_t conf_call_v(uint64_t fn, int mode, uint64_t uexit, uint64_t a0, uint64_t a1);
/* The same, entered through SBI NACL SYNC_SRET when nacl is set and
 * conf_nacl_shmem holds the shared memory's address (its SRET context
 * gets x1..x31; hstatus is written as conf_call_v writes it, the autoswap
 * flag must be clear). A SYNC_SRET that returns (an error) is counted in
 * conf_nacl_sret_errors, and sret enters instead. */
extern uint64_t conf_nacl_shmem, conf_nacl_sret_errors;
uint64_t conf_call_v_via(uint64_t fn, int mode, uint64_t uexit, uint64_t a0, uint64_t a1, int nacl);

/* Instruction encodings. */
#define R_ZERO 0
#define R_A0 10
#define R_A1 11
#define R_A2 12
enum { F_CSRRW = 1, F_CSRRS = 2, F_CSRRC = 3, F_CSRRWI = 5, F_CSRRSI = 6, F_CSRRCI = 7 };
/* Encoders (macros: usable in static initializers). */
#define enc_csr(f3, rd, rs1, csr) \
    ((uint32_t)(((uint32_t)(csr) << 20) | ((rs1) << 15) | ((f3) << 12) | ((rd) << 7) | 0x73))
#define enc_i(op, f3, rd, rs1, imm) \
    ((uint32_t)((((uint32_t)(imm) & 0xfff) << 20) | ((rs1) << 15) | ((f3) << 12) | ((rd) << 7) | (op)))
#define enc_s(op, f3, rs1, rs2, imm) \
    ((uint32_t)(((((uint32_t)(imm) >> 5) & 0x7f) << 25) | ((rs2) << 20) | ((rs1) << 15) \
                | ((f3) << 12) | (((uint32_t)(imm) & 0x1f) << 7) | (op)))
#define enc_r(f7, rs2, rs1, f3, rd, op) \
    ((uint32_t)(((uint32_t)(f7) << 25) | ((rs2) << 20) | ((rs1) << 15) | ((f3) << 12) | ((rd) << 7) | (op)))
#define I_LOAD(f3, rd, rs1, imm) enc_i(0x03, f3, rd, rs1, imm)
#define I_STORE(f3, rs1, rs2, imm) enc_s(0x23, f3, rs1, rs2, imm)
#define I_ECALL 0x00000073u
#define I_EBREAK 0x00100073u
#define I_SRET 0x10200073u
#define I_MRET 0x30200073u
#define I_WFI 0x10500073u
#define I_SFENCE_VMA(rs1, rs2) enc_r(0x09, rs2, rs1, 0, 0, 0x73)
/* Hypervisor loads/stores: funct7, rs2 selects the variant. */
#define I_HLV(f7, sel, rd, rs1) enc_r(f7, sel, rs1, 4, rd, 0x73)
#define I_HSV(f7, rs1, rs2) enc_r(f7, rs2, rs1, 4, 0, 0x73)
#define I_HLV_B(rd, rs1) I_HLV(0x30, 0, rd, rs1)
#define I_HLV_BU(rd, rs1) I_HLV(0x30, 1, rd, rs1)
#define I_HLV_H(rd, rs1) I_HLV(0x32, 0, rd, rs1)
#define I_HLV_HU(rd, rs1) I_HLV(0x32, 1, rd, rs1)
#define I_HLVX_HU(rd, rs1) I_HLV(0x32, 3, rd, rs1)
#define I_HLV_W(rd, rs1) I_HLV(0x34, 0, rd, rs1)
#define I_HLV_WU(rd, rs1) I_HLV(0x34, 1, rd, rs1)
#define I_HLVX_WU(rd, rs1) I_HLV(0x34, 3, rd, rs1)
#define I_HLV_D(rd, rs1) I_HLV(0x36, 0, rd, rs1)
#define I_HSV_B(rs1, rs2) I_HSV(0x31, rs1, rs2)
#define I_HSV_H(rs1, rs2) I_HSV(0x33, rs1, rs2)
#define I_HSV_W(rs1, rs2) I_HSV(0x35, rs1, rs2)
#define I_HSV_D(rs1, rs2) I_HSV(0x37, rs1, rs2)
#define I_HFENCE_VVMA(rs1, rs2) enc_r(0x11, rs2, rs1, 0, 0, 0x73)
#define I_HFENCE_GVMA(rs1, rs2) enc_r(0x31, rs2, rs1, 0, 0, 0x73)

/* CSR access by number through generated code: value, or ~0 and
 * conf_trapped set when it traps. */
uint64_t csr_get(unsigned csr);
void csr_put(unsigned csr, uint64_t v);
/* csrrw: returns the old value. */
uint64_t csr_swap(unsigned csr, uint64_t v);

/* SBI with up to six arguments. */
struct sbiret sbi6(long ext, long fid, long a0, long a1, long a2, long a3, long a4, long a5);

/* Sv39 page tables from a static pool. */
#define PTE_V 0x1ull
#define PTE_R 0x2ull
#define PTE_W 0x4ull
#define PTE_X 0x8ull
#define PTE_U 0x10ull
#define PTE_G 0x20ull
#define PTE_A 0x40ull
#define PTE_D 0x80ull
#define PTE_LEAF_S (PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D)
uint64_t *pt_alloc(void);
/* The PTE for va at level (0: 4 KiB, 1: 2 MiB, 2: 1 GiB), tables made as needed. */
uint64_t *pt_slot(uint64_t *root, uint64_t va, int level);
void pt_map(uint64_t *root, uint64_t va, uint64_t pa, uint64_t flags, int level);
/* A root that identity-maps RAM (2 MiB pages, S, RWX) and the first GiB
 * (MMIO, RW): L1's usual kernel view. */
uint64_t *pt_identity(void);
#define SATP_SV39(root) ((8ull << 60) | ((uint64_t)(uintptr_t)(root) >> 12))
void satp_set(uint64_t satp);   /* csrw satp + sfence.vma */

/* Wait (spinning on time) for interrupt irq beyond count `before`. */
int wait_irq(unsigned irq, uint64_t before, uint64_t ticks);

/* Small deterministic PRNG (splitmix64). */
uint64_t rnd_next(uint64_t *s);

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif
