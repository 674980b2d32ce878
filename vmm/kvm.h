/* rvnest-vmm: thin wrappers around the KVM ioctls (RISC-V only). */
#ifndef RVNEST_KVM_H
#define RVNEST_KVM_H

#include <linux/kvm.h>

#include "vmm.h"

/* Opens /dev/kvm, checks the API version and the capabilities the VMM needs
 * for ncpus vCPUs. Returns the fd, or -1 with a message in err. */
int kvm_open(unsigned ncpus, char *err, size_t errlen);
/* Creates a VM with guest RAM at ram->gpa. Returns the VM fd or -1. */
int kvm_create_vm(int kvm_fd, char *err, size_t errlen);
/* Registers (or, called again, changes the flags of) the RAM slot 0;
 * flags: KVM_MEM_LOG_DIRTY_PAGES or 0. */
int kvm_add_ram(int vm_fd, const struct guest_ram *ram, uint32_t flags, char *err, size_t errlen);
/* Dirty logging of slot 0 (api.rst, KVM_GET_DIRTY_LOG, KVM_CLEAR_DIRTY_LOG).
 * kvm_manual_dirty_log: enables KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2 (GET no
 * longer clears; CLEAR clears and write-protects); 1 done, 0 KVM does not
 * offer it, -1 it failed. */
int kvm_manual_dirty_log(int vm_fd);
int kvm_get_dirty_log(int vm_fd, uint64_t *bitmap);
int kvm_clear_dirty_log(int vm_fd, uint64_t *bitmap, uint32_t npages);
/* Coalesced MMIO: the page offset of the ring in a vCPU's mapping
 * (KVM_CAP_COALESCED_MMIO), 0 if KVM has none. */
int kvm_coalesced_mmio_page(int kvm_fd);
int kvm_register_coalesced_mmio(int vm_fd, uint64_t addr, uint32_t size);
/* Creates vCPU id and maps its kvm_run. Returns the vCPU fd or -1. */
int kvm_create_vcpu(int kvm_fd, int vm_fd, unsigned id, struct kvm_run **run, size_t *run_size,
                    char *err, size_t errlen);
int kvm_get_reg(int vcpu_fd, uint64_t id, uint64_t *val);
int kvm_set_reg(int vcpu_fd, uint64_t id, uint64_t val);
/* Sets pc, a0 (hart id) and a1 (DTB address): the Linux RISC-V boot protocol
 * (Documentation/arch/riscv/boot.rst). */
int kvm_set_boot_regs(int vcpu_fd, uint64_t pc, uint64_t hartid, uint64_t fdt_gpa,
                      char *err, size_t errlen);
/* Enables an SBI extension KVM keeps disabled by default (e.g. DBCN).
 * Returns 0, or -1 if this KVM does not know it. */
int kvm_enable_sbi_ext(int vcpu_fd, unsigned long kvm_sbi_ext_id);
/* Fills the cpu fields of p (isa, mmu_type, timebase, cbom/cboz sizes) from
 * what KVM reports for this vCPU. isa_buf backs p->isa. */
int kvm_describe_cpu(int vcpu_fd, struct fdt_params *p, char *isa_buf, size_t isa_len,
                     char *err, size_t errlen);

/* Cumulative KVM statistics (binary stats fd), summed over several fds. */
#define KVM_STATS_MAX 96
struct kvm_stat_sum {
    unsigned n;
    char name[KVM_STATS_MAX][48];
    uint64_t value[KVM_STATS_MAX];
};
/* Adds the counters of a VM or vCPU fd into sum; silently does nothing if
 * this KVM has no binary stats. */
void kvm_stats_add(int fd, struct kvm_stat_sum *sum);

#endif
