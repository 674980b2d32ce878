/* Instruction decoding for emulation (nested/decode.c). */
#ifndef RVNEST_DECODE_H
#define RVNEST_DECODE_H

#include <stdbool.h>
#include <stdint.h>

struct insn_mem {
    bool store;
    unsigned width;           /* bytes: 1, 2, 4, 8 */
    bool is_signed;           /* loads: sign-extend */
    unsigned reg;             /* rd for loads, rs2 for stores */
    unsigned len;             /* instruction length: 2 or 4 */
};

/* Decodes a load or store. from_htinst: insn is a transformed instruction
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

#define INSN_SRET 0x10200073u
#define INSN_WFI  0x10500073u

#endif
