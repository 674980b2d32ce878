/* The register frame of the conformance runtime's trap entries (conf_asm.S,
 * conf_l2_asm.S): x1..x31 at 8*n from a base register. */
#ifndef CONF_FRAME_H
#define CONF_FRAME_H
/* Stores x1 and x3..x31 (sp, x2, is the caller's to save). */
.macro FRAME_SAVE base
    .irp r, 1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
    sd x\r, 8 * \r(\base)
    .endr
.endm
/* Loads x1..x31 but x2 and the register skip (the caller loads those). */
.macro FRAME_LOAD base, skip
    .irp r, 1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
    .if \r - \skip
    ld x\r, 8 * \r(\base)
    .endif
    .endr
.endm
/* A trap entry's start: swap to the trap stack through sscratch, a
 * 256-byte frame below its top with x1..x31 (x2: the interrupted sp),
 * a0 = the frame. */
.macro FRAME_ENTER
    csrrw sp, sscratch, sp
    addi sp, sp, -256
    FRAME_SAVE sp
    csrr t0, sscratch
    sd t0, 16(sp)
    mv a0, sp
.endm
/* The callee-saved context of a C caller: ra, sp, s0-s11, gp, tp at 8*k,
 * stored (op sd) or loaded (op ld). */
.macro CTX_ACCESS op, base
    \op ra, 0(\base)
    \op sp, 8(\base)
    .irp k, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11
    \op s\k, 16 + 8 * \k(\base)
    .endr
    \op gp, 112(\base)
    \op tp, 120(\base)
.endm
.macro CTX_SAVE base
    CTX_ACCESS sd, \base
.endm
.macro CTX_LOAD base
    CTX_ACCESS ld, \base
.endm
#endif
