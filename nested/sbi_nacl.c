/* SBI nested acceleration (NACL) for L1: L0 offers it itself (OpenSBI
 * does not, on a hart without H in hardware it could not matter). The
 * shared memory work is nested/nacl.c; this is the calls (SBI spec chapter
 * "Nested Acceleration Extension", functions 0-4). nacl=off hides the
 * extension; nacl-<feature>=off makes that feature probe 0 and its
 * function answer NOT_SUPPORTED. */
#include "rvnest/csr.h"
#include "nested/sbi_ext.h"

static bool nacl_available(const struct rvnest_vcpu *vc)
{
    return !vc->vm->opt.nacl_off;
}

static enum sbi_action sbi_nacl(struct rvnest_vcpu *vc, struct sbi_call *c)
{
    c->value = 0;
    switch (c->fid) {
    case SBI_NACL_PROBE_FEATURE:
        c->err = SBI_SUCCESS;
        c->value = c->arg[0] < RVNEST_NACL_FEAT__COUNT &&
                   rvnest_nacl_feature(vc, (enum rvnest_nacl_feature)c->arg[0]);
        return SBI_DONE;
    case SBI_NACL_SET_SHMEM:
        c->err = rvnest_nacl_set_shmem(vc, c->arg[0], c->arg[1], c->arg[2]);
        return SBI_DONE;
    case SBI_NACL_SYNC_CSR:
        c->err = !rvnest_nacl_feature(vc, RVNEST_NACL_FEAT_SYNC_CSR) ? SBI_ERR_NOT_SUPPORTED
               : rvnest_nacl_sync_csr(vc, c->arg[0]);
        if (c->err == SBI_SUCCESS)
            vc->stats.nacl[NACL_EV_SYNC_CSR]++;
        return SBI_DONE;
    case SBI_NACL_SYNC_HFENCE:
        c->err = !rvnest_nacl_feature(vc, RVNEST_NACL_FEAT_SYNC_HFENCE) ? SBI_ERR_NOT_SUPPORTED
               : rvnest_nacl_sync_hfence(vc, c->arg[0]);
        if (c->err == SBI_SUCCESS)
            vc->stats.nacl[NACL_EV_SYNC_HFENCE]++;
        return SBI_DONE;
    case SBI_NACL_SYNC_SRET:
        c->err = !rvnest_nacl_feature(vc, RVNEST_NACL_FEAT_SYNC_SRET) ? SBI_ERR_NOT_SUPPORTED
               : rvnest_nacl_sret_prepare(vc);
        if (c->err != SBI_SUCCESS)
            return SBI_DONE;
        /* does not return: the SRET as L1's own, at its sepc (virt_insn.c) */
        vc->stats.nacl[NACL_EV_SYNC_SRET]++;
        rvnest_sret(vc);
        return SBI_RESUMED;
    default:
        c->err = SBI_ERR_NOT_SUPPORTED;
        return SBI_DONE;
    }
}

const struct sbi_ext rvnest_sbi_ext_nacl = {
    .ext_lo = SBI_EXT_NACL, .ext_hi = SBI_EXT_NACL, .reason = EXIT_SBI_NACL,
    .l0_handled = true, .available = nacl_available, .handle = sbi_nacl,
};
