/* The hart interface: everything the engine may do to a hart.
 *
 * The engine (nested/, shadow-csr/, shadow-pt/) never calls QEMU. The plugin
 * implements this interface with QEMU's plugin API; unit tests implement it
 * with a mock hart. All CSR accesses happen while the real hart is at V=0
 * (inside an HS or M trap), where CSR names mean what they say
 * (ARCHITECTURE.md, fact 3). */
#ifndef RVNEST_HART_H
#define RVNEST_HART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rvnest_hart;

struct rvnest_hart_ops {
    uint64_t (*get_gpr)(struct rvnest_hart *h, unsigned reg);
    void (*set_gpr)(struct rvnest_hart *h, unsigned reg, uint64_t val);
    /* false when the CSR cannot be reached through this interface (QEMU's
     * register list lacks stimecmp/vstimecmp); the engine then uses L0
     * microcode. */
    bool (*get_csr)(struct rvnest_hart *h, unsigned csr, uint64_t *val);
    bool (*set_csr)(struct rvnest_hart *h, unsigned csr, uint64_t val);
    uint64_t (*get_pc)(struct rvnest_hart *h);
    void (*set_pc)(struct rvnest_hart *h, uint64_t pc);
    /* bits 1:0 privilege, bit 2 V (PRIV_V) */
    unsigned (*get_priv)(struct rvnest_hart *h);
    void (*set_priv)(struct rvnest_hart *h, unsigned priv);
    /* guest-physical (host-physical for L0) memory, including MMIO */
    bool (*read_phys)(struct rvnest_hart *h, uint64_t pa, void *buf, size_t len);
    bool (*write_phys)(struct rvnest_hart *h, uint64_t pa, const void *buf, size_t len);
};

struct rvnest_hart {
    const struct rvnest_hart_ops *ops;
    unsigned index;
};

static inline uint64_t hart_gpr(struct rvnest_hart *h, unsigned r)
{
    return r ? h->ops->get_gpr(h, r) : 0;
}
static inline void hart_set_gpr(struct rvnest_hart *h, unsigned r, uint64_t v)
{
    if (r)
        h->ops->set_gpr(h, r, v);
}
/* For CSRs the register list always has: a missing one is a setup error the
 * plugin reports at vcpu init, so these return 0 / ignore silently here. */
static inline uint64_t hart_csr(struct rvnest_hart *h, unsigned csr)
{
    uint64_t v = 0;
    h->ops->get_csr(h, csr, &v);
    return v;
}
static inline void hart_set_csr(struct rvnest_hart *h, unsigned csr, uint64_t v)
{
    h->ops->set_csr(h, csr, v);
}

#endif
