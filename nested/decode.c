/* Decoding of the instructions L0 emulates (unprivileged spec, "RV32I/RV64I
 * Base Integer Instruction Set" and "C Standard Extension"). */
#include "rvnest/decode.h"

static bool decode32(uint32_t insn, struct insn_mem *m)
{
    unsigned f3 = (insn >> 12) & 7;
    m->amo = false;
    switch (insn & 0x7f) {
    case 0x2f:                                /* AMO (A extension) */
        if (f3 != 2 && f3 != 3)
            return false;
        m->amo = true;
        m->amo_funct5 = insn >> 27;
        m->amo_rs2 = (insn >> 20) & 31;
        m->store = m->amo_funct5 != AMO_LR;
        m->width = f3 == 2 ? 4 : 8;
        m->is_signed = true;
        m->reg = (insn >> 7) & 31;
        return true;
    case 0x03:                                /* LOAD */
        if (f3 == 7)
            return false;
        m->store = false;
        m->width = 1u << (f3 & 3);
        m->is_signed = !(f3 & 4);
        m->reg = (insn >> 7) & 31;
        return !(f3 >= 4 && (f3 & 3) == 3);   /* no ldu */
    case 0x23:                                /* STORE */
        if (f3 > 3)
            return false;
        m->store = true;
        m->width = 1u << f3;
        m->is_signed = false;
        m->reg = (insn >> 20) & 31;
        return true;
    default:
        return false;
    }
}

/* RVC loads and stores (RV64): c.lw c.ld c.sw c.sd and the sp-relative
 * forms. Registers x8-x15 for the 3-bit fields. */
static bool decode16(uint16_t insn, struct insn_mem *m)
{
    unsigned op = insn & 3, f3 = insn >> 13;
    unsigned rd_p = ((insn >> 2) & 7) + 8, rd = (insn >> 7) & 31, rs2 = (insn >> 2) & 31;
    m->is_signed = true;
    m->amo = false;
    if (op == 0) {
        switch (f3) {
        case 2: m->store = false; m->width = 4; m->reg = rd_p; return true;   /* c.lw */
        case 3: m->store = false; m->width = 8; m->reg = rd_p; return true;   /* c.ld */
        case 6: m->store = true; m->width = 4; m->reg = rd_p; return true;    /* c.sw */
        case 7: m->store = true; m->width = 8; m->reg = rd_p; return true;    /* c.sd */
        default: return false;
        }
    }
    if (op == 2) {
        switch (f3) {
        case 2: m->store = false; m->width = 4; m->reg = rd; return rd != 0;  /* c.lwsp */
        case 3: m->store = false; m->width = 8; m->reg = rd; return rd != 0;  /* c.ldsp */
        case 6: m->store = true; m->width = 4; m->reg = rs2; return true;     /* c.swsp */
        case 7: m->store = true; m->width = 8; m->reg = rs2; return true;     /* c.sdsp */
        default: return false;
        }
    }
    return false;
}

bool rvnest_decode_mem(uint32_t insn, bool from_htinst, struct insn_mem *m)
{
    if (from_htinst) {
        if (!(insn & 1))
            return false;                     /* 0 or a pseudoinstruction */
        m->len = (insn & 2) ? 4 : 2;
        return decode32(insn | 3, m);
    }
    if ((insn & 3) == 3) {
        m->len = 4;
        return decode32(insn, m);
    }
    m->len = 2;
    return decode16((uint16_t)insn, m);
}

bool rvnest_decode_csr(uint32_t insn, struct insn_csr *c)
{
    unsigned f3 = (insn >> 12) & 7;
    if ((insn & 0x7f) != 0x73 || (f3 & 3) == 0)
        return false;
    c->csr = insn >> 20;
    c->rd = (insn >> 7) & 31;
    c->rs1 = (insn >> 15) & 31;
    c->op = f3 & 3;
    c->imm = f3 & 4;
    return true;
}

/* QEMU's riscv_transformed_insn (target/riscv/cpu_helper.c), which is what
 * native H writes to htinst for a load/store/AMO trap (H chapter,
 * "Transformed Instruction or Pseudoinstruction for mtinst or htinst"):
 * compressed loads/stores expanded (bit 1 cleared), immediates zeroed, the
 * rs1 field holding the faulting address's offset masked by QEMU's access
 * size (1 << funct3 for loads/stores/AMOs, so lbu/lhu/lwu mask with 16, 32,
 * 64), everything else 0. rs1_value is the base register's value. */
#define C_RS1S(i) ((((i) >> 7) & 7) + 8)
#define C_RS2S(i) ((((i) >> 2) & 7) + 8)
#define C_RD(i)   (((i) >> 7) & 31)
#define C_RS2(i)  (((i) >> 2) & 31)
#define BITS(i, hi, lo) (((i) >> (lo)) & ((1u << ((hi) - (lo) + 1)) - 1))

uint32_t rvnest_transformed_insn(uint32_t insn, uint64_t taddr,
                                 uint64_t (*gpr)(void *ctx, unsigned reg), void *ctx)
{
    uint32_t x = 0;
    unsigned rs1 = 0, size = 0;
    uint64_t imm = 0;
    if ((insn & 3) != 3) {
        unsigned f3 = BITS(insn, 15, 13);
        uint64_t ld_imm = (BITS(insn, 12, 10) << 3) | (BITS(insn, 6, 5) << 6);
        uint64_t lw_imm = (BITS(insn, 12, 10) << 3) | (BITS(insn, 6, 6) << 2) | (BITS(insn, 5, 5) << 6);
        uint64_t ldsp_imm = (BITS(insn, 12, 12) << 5) | (BITS(insn, 6, 5) << 3) | (BITS(insn, 4, 2) << 6);
        uint64_t lwsp_imm = (BITS(insn, 12, 12) << 5) | (BITS(insn, 6, 4) << 2) | (BITS(insn, 3, 2) << 6);
        uint64_t sdsp_imm = (BITS(insn, 12, 10) << 3) | (BITS(insn, 9, 7) << 6);
        uint64_t swsp_imm = (BITS(insn, 12, 9) << 2) | (BITS(insn, 8, 7) << 6);
        if ((insn & 3) == 0) {
            switch (f3) {
            case 1: x = 0x3007 | C_RS2S(insn) << 7; rs1 = C_RS1S(insn); imm = ld_imm; size = 8; break;   /* c.fld */
            case 2: x = 0x2003 | C_RS2S(insn) << 7; rs1 = C_RS1S(insn); imm = lw_imm; size = 4; break;   /* c.lw */
            case 3: x = 0x3003 | C_RS2S(insn) << 7; rs1 = C_RS1S(insn); imm = ld_imm; size = 8; break;   /* c.ld */
            case 5: x = 0x3027 | C_RS2S(insn) << 20; rs1 = C_RS1S(insn); imm = ld_imm; size = 8; break;  /* c.fsd */
            case 6: x = 0x2023 | C_RS2S(insn) << 20; rs1 = C_RS1S(insn); imm = lw_imm; size = 4; break;  /* c.sw */
            case 7: x = 0x3023 | C_RS2S(insn) << 20; rs1 = C_RS1S(insn); imm = ld_imm; size = 8; break;  /* c.sd */
            default: break;
            }
        } else if ((insn & 3) == 2) {
            switch (f3) {
            case 1: x = 0x3007 | C_RD(insn) << 7; rs1 = 2; imm = ldsp_imm; size = 8; break;    /* c.fldsp */
            case 2: x = 0x2003 | C_RD(insn) << 7; rs1 = 2; imm = lwsp_imm; size = 4; break;    /* c.lwsp */
            case 3: x = 0x3003 | C_RD(insn) << 7; rs1 = 2; imm = ldsp_imm; size = 8; break;    /* c.ldsp */
            case 5: x = 0x3027 | C_RS2(insn) << 20; rs1 = 2; imm = sdsp_imm; size = 8; break;  /* c.fsdsp */
            case 6: x = 0x2023 | C_RS2(insn) << 20; rs1 = 2; imm = swsp_imm; size = 4; break;  /* c.swsp */
            case 7: x = 0x3023 | C_RS2(insn) << 20; rs1 = 2; imm = sdsp_imm; size = 8; break;  /* c.sdsp */
            default: break;
            }
        }
        x &= ~2u;
    } else {
        unsigned f3 = BITS(insn, 14, 12);
        switch (insn & 0x7f) {
        case 0x2f:                                   /* AMO */
            x = insn; rs1 = BITS(insn, 19, 15); size = 1u << f3;
            break;
        case 0x03: case 0x07:                        /* LOAD, FP LOAD */
            x = insn & 0x000fffffu; rs1 = BITS(insn, 19, 15); size = 1u << f3;
            imm = (uint64_t)(int64_t)((int32_t)insn >> 20);
            break;
        case 0x23: case 0x27:                        /* STORE, FP STORE */
            x = insn & 0x01fff07fu; rs1 = BITS(insn, 19, 15); size = 1u << f3;
            imm = (uint64_t)(int64_t)(((int32_t)insn >> 25) << 5 | (int32_t)BITS(insn, 11, 7));
            break;
        case 0x73:                                   /* SYSTEM: HLV/HSV */
            if (f3 == 4) {                          /* QEMU: OPC_RISC_HLVHSV */
                x = insn; rs1 = BITS(insn, 19, 15);
                size = 1u << (1u << ((BITS(insn, 31, 25) >> 1) & 3));
            }
            break;
        default:
            break;
        }
    }
    if (size) {
        uint64_t off = (taddr - (gpr(ctx, rs1) + imm)) & (size - 1);
        x = (x & ~(31u << 15)) | (uint32_t)(off & 31) << 15;
    }
    return x;
}
