/* RISC-V CSR numbers and fields used by rvnest.
 * Privileged spec: "Control and Status Registers" and the hypervisor
 * chapter (riscv-isa-manual src/hypervisor.adoc). */
#ifndef RVNEST_CSR_H
#define RVNEST_CSR_H

#include <stdint.h>

/* Unprivileged / entropy */
#define CSR_SEED        0x015
/* Supervisor */
#define CSR_SSTATUS     0x100
#define CSR_SIE         0x104
#define CSR_STVEC       0x105
#define CSR_SCOUNTEREN  0x106
#define CSR_SENVCFG     0x10a
#define CSR_SSCRATCH    0x140
#define CSR_SEPC        0x141
#define CSR_SCAUSE      0x142
#define CSR_STVAL       0x143
#define CSR_SIP         0x144
#define CSR_STIMECMP    0x14d
#define CSR_SATP        0x180
/* Virtual supervisor */
#define CSR_VSSTATUS    0x200
#define CSR_VSIE        0x204
#define CSR_VSTVEC      0x205
#define CSR_VSSCRATCH   0x240
#define CSR_VSEPC       0x241
#define CSR_VSCAUSE     0x242
#define CSR_VSTVAL      0x243
#define CSR_VSIP        0x244
#define CSR_VSTIMECMP   0x24d
#define CSR_VSATP       0x280
/* Hypervisor */
#define CSR_HSTATUS     0x600
#define CSR_HEDELEG     0x602
#define CSR_HIDELEG     0x603
#define CSR_HIE         0x604
#define CSR_HTIMEDELTA  0x605
#define CSR_HCOUNTEREN  0x606
#define CSR_HGEIE       0x607
#define CSR_HENVCFG     0x60a
#define CSR_HSTATEEN0   0x60c
#define CSR_HTVAL       0x643
#define CSR_HIP         0x644
#define CSR_HVIP        0x645
#define CSR_HTINST      0x64a
#define CSR_HGATP       0x680
#define CSR_HGEIP       0xe12
/* Machine (read by L0 only) */
#define CSR_MSTATUS     0x300
#define CSR_MISA        0x301
#define CSR_MEDELEG     0x302
#define CSR_MIDELEG     0x303
#define CSR_MIE         0x304
#define CSR_MTVEC       0x305
#define CSR_MCOUNTEREN  0x306
#define CSR_MENVCFG     0x30a
#define CSR_MSTATEEN0   0x30c
#define CSR_MEPC        0x341
#define CSR_MCAUSE      0x342
#define CSR_MTVAL       0x343
#define CSR_MTINST      0x34a
#define CSR_MIP         0x344
#define CSR_MHARTID     0xf14
#define CSR_MSECCFG     0x747
#define MSECCFG_MML     (1ull << 0)   /* Smepmp machine-mode lockdown */
#define MSECCFG_USEED   (1ull << 8)
#define MSECCFG_SSEED   (1ull << 9)
#define CSR_PMPCFG0     0x3a0
#define CSR_PMPADDR0    0x3b0
/* pmpcfg entry bits (priv spec, "Physical Memory Protection") */
#define PMP_R           0x01u
#define PMP_W           0x02u
#define PMP_X           0x04u
#define PMP_A           0x18u         /* address-matching mode, in place: */
#define PMP_A_OFF       0x00u
#define PMP_A_TOR       0x08u
#define PMP_A_NA4       0x10u
#define PMP_A_NAPOT     0x18u
#define PMP_L           0x80u
/* Counters */
#define CSR_CYCLE       0xc00
#define CSR_TIME        0xc01
#define CSR_INSTRET     0xc02

/* mstatus / sstatus */
#define MSTATUS_SIE     (1ull << 1)
#define MSTATUS_MIE     (1ull << 3)
#define MSTATUS_SPIE    (1ull << 5)
#define MSTATUS_MPIE    (1ull << 7)
#define MSTATUS_SPP     (1ull << 8)
#define MSTATUS_MPP     (3ull << 11)
#define MSTATUS_MPP_SHIFT 11
#define MSTATUS_MPRV    (1ull << 17)
#define MSTATUS_SUM     (1ull << 18)
#define MSTATUS_VS      (3ull << 9)
#define MSTATUS_FS      (3ull << 13)
#define MSTATUS_MXR     (1ull << 19)
#define MSTATUS_TVM     (1ull << 20)
#define MSTATUS_MPV     (1ull << 39)
#define MSTATUS_GVA     (1ull << 38)
#define MSTATUS_UXL     (3ull << 32)
#define MSTATUS_SXL     (3ull << 34)
#define MSTATUS_UXL_64  (2ull << 32)
#define MSTATUS_SXL_64  (2ull << 34)
/* The sstatus fields QEMU moves between mstatus and vsstatus when V
 * changes (riscv_cpu_swap_hypervisor_regs, for the CPU models rvnest
 * runs: no Zicfilp, no Ssdbltrp). */
#define SSTATUS_V_SWAPPED (MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_FS | MSTATUS_VS | \
                           MSTATUS_SUM | MSTATUS_MXR | MSTATUS_UXL)

/* hstatus (H chapter, "Hypervisor Status Register") */
#define HSTATUS_VSBE    (1ull << 5)
#define HSTATUS_GVA     (1ull << 6)
#define HSTATUS_SPV     (1ull << 7)
#define HSTATUS_SPVP    (1ull << 8)
#define HSTATUS_HU      (1ull << 9)
#define HSTATUS_VGEIN   (0x3full << 12)
#define HSTATUS_VTVM    (1ull << 20)
#define HSTATUS_VTW     (1ull << 21)
#define HSTATUS_VTSR    (1ull << 22)
#define HSTATUS_VSXL    (3ull << 32)
#define HSTATUS_VSXL_64 (2ull << 32)

/* envcfg */
#define ENVCFG_FIOM     (1ull << 0)
#define ENVCFG_LPE      (1ull << 2)
#define ENVCFG_SSE      (1ull << 3)
#define ENVCFG_PMM      (3ull << 32)
#define ENVCFG_DTE      (1ull << 59)
#define ENVCFG_CBIE     (3ull << 4)
#define ENVCFG_CBCFE    (1ull << 6)
#define ENVCFG_CBZE     (1ull << 7)
#define ENVCFG_ADUE     (1ull << 61)
#define ENVCFG_PBMTE    (1ull << 62)
#define ENVCFG_STCE     (1ull << 63)

/* Interrupt numbers and mip/mie bits */
#define IRQ_S_SOFT      1
#define IRQ_VS_SOFT     2
#define IRQ_S_TIMER     5
#define IRQ_VS_TIMER    6
#define IRQ_S_EXT       9
#define IRQ_VS_EXT      10
#define IRQ_S_GEXT      12
#define MIP_SSIP        (1ull << IRQ_S_SOFT)
#define MIP_VSSIP       (1ull << IRQ_VS_SOFT)
#define MIP_STIP        (1ull << IRQ_S_TIMER)
#define MIP_VSTIP       (1ull << IRQ_VS_TIMER)
#define MIP_SEIP        (1ull << IRQ_S_EXT)
#define MIP_VSEIP       (1ull << IRQ_VS_EXT)
#define MIP_SGEIP       (1ull << IRQ_S_GEXT)
#define VS_MODE_INTERRUPTS (MIP_VSSIP | MIP_VSTIP | MIP_VSEIP)
#define LOCAL_INTERRUPTS (~0x1fffull)    /* bits 13-63 (AIA "local" interrupts) */

/* Exception causes */
#define EXC_INST_MISALIGNED     0
#define EXC_INST_ACCESS         1
#define EXC_ILLEGAL_INST        2
#define EXC_BREAKPOINT          3
#define EXC_LOAD_MISALIGNED     4
#define EXC_LOAD_ACCESS         5
#define EXC_STORE_MISALIGNED    6
#define EXC_STORE_ACCESS        7
#define EXC_U_ECALL             8
#define EXC_S_ECALL             9
#define EXC_VS_ECALL            10
#define EXC_M_ECALL             11
#define EXC_INST_PAGE_FAULT     12
#define EXC_LOAD_PAGE_FAULT     13
#define EXC_STORE_PAGE_FAULT    15
#define EXC_INST_GUEST_PAGE_FAULT  20
#define EXC_LOAD_GUEST_PAGE_FAULT  21
#define EXC_VIRTUAL_INST        22
#define EXC_STORE_GUEST_PAGE_FAULT 23
#define CAUSE_INTERRUPT         (1ull << 63)

/* htinst pseudoinstructions for G-stage faults of implicit VS-stage
 * page-table accesses (H chapter, "Transformed Instruction or
 * Pseudoinstruction for mtinst or htinst"). */
#define HTINST_PSEUDO_READ32   0x00002000u
#define HTINST_PSEUDO_WRITE32  0x00002020u
#define HTINST_PSEUDO_READ64   0x00003000u
#define HTINST_PSEUDO_WRITE64  0x00003020u

/* Privilege levels; rvnest's "priv" value packs V in bit 2 like QEMU's
 * gdb virtual register. */
#define PRV_U 0
#define PRV_S 1
#define PRV_M 3
#define PRIV_V 4

/* satp/hgatp */
#define ATP_MODE_SHIFT  60
#define ATP_MODE_BARE   0
#define ATP_MODE_SV39   8
#define ATP_MODE_SV48   9
#define ATP_MODE_SV57   10
#define ATP_PPN_MASK    ((1ull << 44) - 1)
#define HGATP_VMID_SHIFT 44
#define HGATP_VMID_MASK (0x3fffull << HGATP_VMID_SHIFT)

/* Page-table entry bits */
#define PTE_V (1ull << 0)
#define PTE_R (1ull << 1)
#define PTE_W (1ull << 2)
#define PTE_X (1ull << 3)
#define PTE_U (1ull << 4)
#define PTE_G (1ull << 5)
#define PTE_A (1ull << 6)
#define PTE_D (1ull << 7)
#define PTE_PPN_SHIFT 10
#define PTE_PPN_MASK  ((1ull << 44) - 1)

const char *rvnest_csr_name(unsigned csr);

#endif
