/* L1's virtual hypervisor and VS CSRs (shadow-csr/). */
#ifndef RVNEST_VCSR_H
#define RVNEST_VCSR_H

#include <stdbool.h>
#include <stdint.h>
#include "rvnest/hart.h"

enum vcsr_index {
    VCSR_HSTATUS, VCSR_HEDELEG, VCSR_HIDELEG, VCSR_HIE, VCSR_HTIMEDELTA,
    VCSR_HCOUNTEREN, VCSR_HGEIE, VCSR_HENVCFG, VCSR_HTVAL, VCSR_HIP,
    VCSR_HVIP, VCSR_HTINST, VCSR_HGATP, VCSR_HGEIP,
    VCSR_HSTATEEN0, VCSR_HSTATEEN1, VCSR_HSTATEEN2, VCSR_HSTATEEN3,
    VCSR_VSSTATUS, VCSR_VSIE, VCSR_VSTVEC, VCSR_VSSCRATCH, VCSR_VSEPC,
    VCSR_VSCAUSE, VCSR_VSTVAL, VCSR_VSIP, VCSR_VSATP, VCSR_VSTIMECMP,
    VCSR__COUNT
};

struct rvnest_vcsr {
    uint64_t val[VCSR__COUNT];
    uint64_t menvcfg;         /* the firmware's, as L1 sees its M level */
    bool vstime_irq;          /* L1's Sstc VS timer pending (QEMU's vstime_irq) */
    uint64_t vstime_deadline; /* real time it fires, or ~0 (none) */
};

/* Result of an emulated CSR access, as the exception L1 must see. */
enum vcsr_result {
    VCSR_OK,
    VCSR_ILLEGAL,          /* not a virtual H/VS CSR, not on this model, gated off by
                              the firmware's mstateen, or a write to a read-only one */
};

/* The table's index of a CSR number (-1: not one of them), and back. */
int rvnest_vcsr_index(unsigned csr);
unsigned rvnest_vcsr_number(enum vcsr_index i);
/* reboot: after a system reset (the previous virtual values are kept but
 * for what QEMU's reset changes); else a cold boot (from the real
 * registers, before L0 writes them). */
void rvnest_vcsr_reset(struct rvnest_vcsr *v, struct rvnest_hart *h, uint64_t menvcfg, bool reboot);
/* L1's pending VS-level interrupts (its hvip bits, the Sstc timer of its
 * vstimecmp when enabled in its hie), as native hip would show them. */
uint64_t rvnest_vcsr_vs_pending(struct rvnest_vcsr *v, struct rvnest_hart *h);
enum vcsr_result rvnest_vcsr_read(struct rvnest_vcsr *v, struct rvnest_hart *h,
                                  unsigned csr, uint64_t *val);
/* What a read of the CSR at index i returns, for a caller that already
 * knows L1's HS has it (rvnest_vcsr_read says so): no access check. */
uint64_t rvnest_vcsr_view(struct rvnest_vcsr *v, struct rvnest_hart *h, enum vcsr_index i);
/* The views of every CSR whose bit (VCSR index) is set in mask, into
 * out[index], with the interrupt state (real mip, L1's VS timer) sampled
 * once for all of them, as one instant. */
void rvnest_vcsr_views(struct rvnest_vcsr *v, struct rvnest_hart *h, uint32_t mask, uint64_t *out);
/* A CSR instruction's access as QEMU performs it: the old value (the
 * read view) to *old, then the write of new_val under wr_mask (none when
 * wr_mask is 0). */
enum vcsr_result rvnest_vcsr_rmw(struct rvnest_vcsr *v, struct rvnest_hart *h, unsigned csr,
                                 uint64_t new_val, uint64_t wr_mask, uint64_t *old);
/* L1's vstimecmp changed by L2 (its stimecmp) while L2 ran. */
void rvnest_vcsr_set_vstimecmp(struct rvnest_vcsr *v, struct rvnest_hart *h, uint64_t val);
enum vcsr_result rvnest_vcsr_write(struct rvnest_vcsr *v, struct rvnest_hart *h,
                                   unsigned csr, uint64_t val);

#endif
