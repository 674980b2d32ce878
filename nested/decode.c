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
