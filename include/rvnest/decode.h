/* Instruction decoding for emulation (nested/decode.c). */
#ifndef RVNEST_DECODE_H
#define RVNEST_DECODE_H

#include <stdbool.h>
#include <stdint.h>

struct insn_mem {
    bool store;
    unsigned width;           /* bytes: 1, 2, 4, 8 */
    bool is_signed;           /* loads: sign-extend */
    unsigned reg;             /* rd for loads and AMOs, rs2 for stores */
    unsigned len;             /* instruction length: 2 or 4 */
    /* A-extension (opcode AMO): funct5 of the operation, with the source in
     * rs2 and the old value to rd; store is true (a store/AMO access). */
    bool amo;
    unsigned amo_funct5, amo_rs2;
};

#define AMO_LR    0x02
#define AMO_SC    0x03
#define AMO_SWAP  0x01
#define AMO_ADD   0x00
#define AMO_XOR   0x04
#define AMO_AND   0x0c
#define AMO_OR    0x08
#define AMO_MIN   0x10
#define AMO_MAX   0x14
#define AMO_MINU  0x18
#define AMO_MAXU  0x1c

/* Decodes a load, a store or an AMO (LR/SC included). from_htinst: insn is a transformed instruction
 * from htinst/mtinst (H chapter, "Transformed Instruction or
 * Pseudoinstruction for mtinst or htinst"), where bit 1 clear means the
 * original was compressed. Returns false for anything else. */
bool rvnest_decode_mem(uint32_t insn, bool from_htinst, struct insn_mem *m);

struct insn_csr {
    unsigned csr, rd, rs1;    /* rs1 is the uimm for the immediate forms */
    unsigned op;              /* 1 RW, 2 RS, 3 RC */
    bool imm;
};

bool rvnest_decode_csr(uint32_t insn, struct insn_csr *c);

/* QEMU's transformed instruction for a load/store/AMO/HLV/HSV trap at
 * taddr (what native H writes to htinst); 0 for other instructions. */
uint32_t rvnest_transformed_insn(uint32_t insn, uint64_t taddr,
                                 uint64_t (*gpr)(void *ctx, unsigned reg), void *ctx);

#define INSN_SRET 0x10200073u
#define INSN_WFI  0x10500073u

#endif
