/* rvnest-vmm: KVM ioctl wrappers for RISC-V (Documentation/virt/kvm/api.rst,
 * arch/riscv/include/uapi/asm/kvm.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kvm.h"

#define REG64(type, idx) (KVM_REG_RISCV | KVM_REG_SIZE_U64 | (type) | (uint64_t)(idx))
#define CONFIG_REG(name) REG64(KVM_REG_RISCV_CONFIG, KVM_REG_RISCV_CONFIG_REG(name))
#define CORE_REG(name)   REG64(KVM_REG_RISCV_CORE, KVM_REG_RISCV_CORE_REG(name))
#define ISA_EXT_REG(id)  REG64(KVM_REG_RISCV_ISA_EXT | KVM_REG_RISCV_ISA_SINGLE, id)
#define SBI_EXT_REG(id)  REG64(KVM_REG_RISCV_SBI_EXT | KVM_REG_RISCV_SBI_SINGLE, id)

int kvm_open(unsigned ncpus, char *err, size_t errlen)
{
    int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            return fail(err, errlen, "/dev/kvm does not exist: load kvm.ko (needs a host with the "
                        "RISC-V H extension)");
        return fail(err, errlen, "cannot open /dev/kvm: %s", strerror(errno));
    }
    int v = ioctl(fd, KVM_GET_API_VERSION, 0);
    if (v != KVM_API_VERSION) {
        close(fd);
        return fail(err, errlen, "/dev/kvm has API version %d, expected %d", v, KVM_API_VERSION);
    }
    static const struct { int cap; const char *name; } needed[] = {
        { KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY" },
        { KVM_CAP_ONE_REG, "KVM_CAP_ONE_REG" },
        { KVM_CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT" },
        { KVM_CAP_MP_STATE, "KVM_CAP_MP_STATE" },
    };
    for (size_t i = 0; i < sizeof(needed) / sizeof(needed[0]); i++) {
        if (ioctl(fd, KVM_CHECK_EXTENSION, needed[i].cap) <= 0) {
            close(fd);
            return fail(err, errlen, "KVM lacks the capability %s", needed[i].name);
        }
    }
    int max = ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS);
    if (max > 0 && (unsigned)max < ncpus) {
        close(fd);
        return fail(err, errlen, "KVM supports at most %d vCPUs, %u requested", max, ncpus);
    }
    return fd;
}

int kvm_create_vm(int kvm_fd, char *err, size_t errlen)
{
    int fd;
    do
        fd = ioctl(kvm_fd, KVM_CREATE_VM, 0);
    while (fd < 0 && errno == EINTR);
    if (fd < 0)
        return fail(err, errlen, "KVM_CREATE_VM failed: %s", strerror(errno));
    return fd;
}

int kvm_add_ram(int vm_fd, const struct guest_ram *ram, uint32_t flags, char *err, size_t errlen)
{
    struct kvm_userspace_memory_region r = {
        .slot = 0, .flags = flags, .guest_phys_addr = ram->gpa, .memory_size = ram->size,
        .userspace_addr = (uint64_t)(uintptr_t)ram->host,
    };
    if (ioctl(vm_fd, KVM_SET_USER_MEMORY_REGION, &r) < 0)
        return fail(err, errlen, "KVM_SET_USER_MEMORY_REGION (%lluM%s) failed: %s",
                    (unsigned long long)(ram->size >> 20),
                    flags & KVM_MEM_LOG_DIRTY_PAGES ? ", dirty logging" : "", strerror(errno));
    return 0;
}

int kvm_manual_dirty_log(int vm_fd)
{
    int caps = ioctl(vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2);
    if (caps <= 0 || !(caps & KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE))
        return 0;
    struct kvm_enable_cap cap = {
        .cap = KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2, .args = { KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE },
    };
    return ioctl(vm_fd, KVM_ENABLE_CAP, &cap) < 0 ? -1 : 1;
}

int kvm_get_dirty_log(int vm_fd, uint64_t *bitmap)
{
    struct kvm_dirty_log l = { .slot = 0, .dirty_bitmap = bitmap };
    return ioctl(vm_fd, KVM_GET_DIRTY_LOG, &l);
}

int kvm_clear_dirty_log(int vm_fd, uint64_t *bitmap, uint32_t npages)
{
    struct kvm_clear_dirty_log l = { .slot = 0, .num_pages = npages, .first_page = 0, .dirty_bitmap = bitmap };
    return ioctl(vm_fd, KVM_CLEAR_DIRTY_LOG, &l);
}

int kvm_coalesced_mmio_page(int kvm_fd)
{
    int off = ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_COALESCED_MMIO);
    return off > 0 ? off : 0;
}

int kvm_register_coalesced_mmio(int vm_fd, uint64_t addr, uint32_t size)
{
    struct kvm_coalesced_mmio_zone z = { .addr = addr, .size = size };
    return ioctl(vm_fd, KVM_REGISTER_COALESCED_MMIO, &z);
}

int kvm_create_vcpu(int kvm_fd, int vm_fd, unsigned id, struct kvm_run **run, size_t *run_size,
                    char *err, size_t errlen)
{
    int fd = ioctl(vm_fd, KVM_CREATE_VCPU, (unsigned long)id);
    if (fd < 0)
        return fail(err, errlen, "KVM_CREATE_VCPU %u failed: %s", id, strerror(errno));
    int sz = ioctl(kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
    if (sz < (int)sizeof(struct kvm_run)) {
        close(fd);
        return fail(err, errlen, "KVM_GET_VCPU_MMAP_SIZE failed: %s", strerror(errno));
    }
    void *p = mmap(NULL, (size_t)sz, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) {
        close(fd);
        return fail(err, errlen, "cannot map kvm_run of vCPU %u: %s", id, strerror(errno));
    }
    *run = p;
    *run_size = (size_t)sz;
    return fd;
}

int kvm_get_reg(int vcpu_fd, uint64_t id, uint64_t *val)
{
    struct kvm_one_reg r = { .id = id, .addr = (uint64_t)(uintptr_t)val };
    return ioctl(vcpu_fd, KVM_GET_ONE_REG, &r);
}

int kvm_set_reg(int vcpu_fd, uint64_t id, uint64_t val)
{
    struct kvm_one_reg r = { .id = id, .addr = (uint64_t)(uintptr_t)&val };
    return ioctl(vcpu_fd, KVM_SET_ONE_REG, &r);
}

int kvm_set_boot_regs(int vcpu_fd, uint64_t pc, uint64_t hartid, uint64_t fdt_gpa,
                      char *err, size_t errlen)
{
    if (kvm_set_reg(vcpu_fd, CORE_REG(regs.pc), pc) ||
        kvm_set_reg(vcpu_fd, CORE_REG(regs.a0), hartid) ||
        kvm_set_reg(vcpu_fd, CORE_REG(regs.a1), fdt_gpa))
        return fail(err, errlen, "cannot set the boot registers: %s", strerror(errno));
    return 0;
}

int kvm_enable_sbi_ext(int vcpu_fd, unsigned long kvm_sbi_ext_id)
{
    return kvm_set_reg(vcpu_fd, SBI_EXT_REG(kvm_sbi_ext_id), 1);
}

/* Multi-letter extensions KVM can report, with their riscv,isa names. */
static const struct { unsigned id; const char *name; } isa_exts[] = {
    { KVM_RISCV_ISA_EXT_ZICBOM, "zicbom" }, { KVM_RISCV_ISA_EXT_ZICBOZ, "zicboz" },
    { KVM_RISCV_ISA_EXT_ZICNTR, "zicntr" }, { KVM_RISCV_ISA_EXT_ZICOND, "zicond" },
    { KVM_RISCV_ISA_EXT_ZICSR, "zicsr" }, { KVM_RISCV_ISA_EXT_ZIFENCEI, "zifencei" },
    { KVM_RISCV_ISA_EXT_ZIHINTNTL, "zihintntl" }, { KVM_RISCV_ISA_EXT_ZIHINTPAUSE, "zihintpause" },
    { KVM_RISCV_ISA_EXT_ZIHPM, "zihpm" }, { KVM_RISCV_ISA_EXT_ZIMOP, "zimop" },
    { KVM_RISCV_ISA_EXT_ZACAS, "zacas" }, { KVM_RISCV_ISA_EXT_ZAWRS, "zawrs" },
    { KVM_RISCV_ISA_EXT_ZFA, "zfa" }, { KVM_RISCV_ISA_EXT_ZFH, "zfh" },
    { KVM_RISCV_ISA_EXT_ZFHMIN, "zfhmin" }, { KVM_RISCV_ISA_EXT_ZCA, "zca" },
    { KVM_RISCV_ISA_EXT_ZCB, "zcb" }, { KVM_RISCV_ISA_EXT_ZCD, "zcd" },
    { KVM_RISCV_ISA_EXT_ZCF, "zcf" }, { KVM_RISCV_ISA_EXT_ZCMOP, "zcmop" },
    { KVM_RISCV_ISA_EXT_ZBA, "zba" }, { KVM_RISCV_ISA_EXT_ZBB, "zbb" },
    { KVM_RISCV_ISA_EXT_ZBC, "zbc" }, { KVM_RISCV_ISA_EXT_ZBKB, "zbkb" },
    { KVM_RISCV_ISA_EXT_ZBKC, "zbkc" }, { KVM_RISCV_ISA_EXT_ZBKX, "zbkx" },
    { KVM_RISCV_ISA_EXT_ZBS, "zbs" }, { KVM_RISCV_ISA_EXT_ZKND, "zknd" },
    { KVM_RISCV_ISA_EXT_ZKNE, "zkne" }, { KVM_RISCV_ISA_EXT_ZKNH, "zknh" },
    { KVM_RISCV_ISA_EXT_ZKR, "zkr" }, { KVM_RISCV_ISA_EXT_ZKSED, "zksed" },
    { KVM_RISCV_ISA_EXT_ZKSH, "zksh" }, { KVM_RISCV_ISA_EXT_ZKT, "zkt" },
    { KVM_RISCV_ISA_EXT_ZTSO, "ztso" }, { KVM_RISCV_ISA_EXT_ZVBB, "zvbb" },
    { KVM_RISCV_ISA_EXT_ZVBC, "zvbc" }, { KVM_RISCV_ISA_EXT_ZVFH, "zvfh" },
    { KVM_RISCV_ISA_EXT_ZVFHMIN, "zvfhmin" }, { KVM_RISCV_ISA_EXT_ZVKB, "zvkb" },
    { KVM_RISCV_ISA_EXT_ZVKG, "zvkg" }, { KVM_RISCV_ISA_EXT_ZVKNED, "zvkned" },
    { KVM_RISCV_ISA_EXT_ZVKNHA, "zvknha" }, { KVM_RISCV_ISA_EXT_ZVKNHB, "zvknhb" },
    { KVM_RISCV_ISA_EXT_ZVKSED, "zvksed" }, { KVM_RISCV_ISA_EXT_ZVKSH, "zvksh" },
    { KVM_RISCV_ISA_EXT_ZVKT, "zvkt" }, { KVM_RISCV_ISA_EXT_SMSTATEEN, "smstateen" },
    { KVM_RISCV_ISA_EXT_SSAIA, "ssaia" }, { KVM_RISCV_ISA_EXT_SSCOFPMF, "sscofpmf" },
    { KVM_RISCV_ISA_EXT_SSTC, "sstc" }, { KVM_RISCV_ISA_EXT_SVINVAL, "svinval" },
    { KVM_RISCV_ISA_EXT_SVNAPOT, "svnapot" }, { KVM_RISCV_ISA_EXT_SVPBMT, "svpbmt" },
};

int kvm_describe_cpu(int vcpu_fd, struct fdt_params *p, char *isa_buf, size_t isa_len,
                     char *err, size_t errlen)
{
    uint64_t base, v;
    if (kvm_get_reg(vcpu_fd, CONFIG_REG(isa), &base))
        return fail(err, errlen, "cannot read the guest ISA from KVM: %s", strerror(errno));
    base &= ~(1ULL << ('h' - 'a'));     /* KVM does not nest */
    const char *names[sizeof(isa_exts) / sizeof(isa_exts[0])];
    size_t n = 0;
    bool cbom = false, cboz = false;
    for (size_t i = 0; i < sizeof(isa_exts) / sizeof(isa_exts[0]); i++) {
        /* ENOENT/EINVAL: this KVM does not know the extension */
        if (kvm_get_reg(vcpu_fd, ISA_EXT_REG(isa_exts[i].id), &v) || !v)
            continue;
        names[n++] = isa_exts[i].name;
        cbom |= isa_exts[i].id == KVM_RISCV_ISA_EXT_ZICBOM;
        cboz |= isa_exts[i].id == KVM_RISCV_ISA_EXT_ZICBOZ;
    }
    if (isa_string(64, base, names, n, isa_buf, isa_len))
        return fail(err, errlen, "guest ISA string too long");
    p->isa = isa_buf;
    p->cbom_block_size = cbom && !kvm_get_reg(vcpu_fd, CONFIG_REG(zicbom_block_size), &v) ? (uint32_t)v : 0;
    p->cboz_block_size = cboz && !kvm_get_reg(vcpu_fd, CONFIG_REG(zicboz_block_size), &v) ? (uint32_t)v : 0;
    /* satp_mode holds the satp.MODE value (privileged spec, "satp"). */
    p->mmu_type = "riscv,sv39";
    if (!kvm_get_reg(vcpu_fd, CONFIG_REG(satp_mode), &v)) {
        switch (v) {
        case 8: p->mmu_type = "riscv,sv39"; break;
        case 9: p->mmu_type = "riscv,sv48"; break;
        case 10: p->mmu_type = "riscv,sv57"; break;
        default: p->mmu_type = NULL;
        }
    }
    if (kvm_get_reg(vcpu_fd, REG64(KVM_REG_RISCV_TIMER, KVM_REG_RISCV_TIMER_REG(frequency)), &v) || !v)
        return fail(err, errlen, "cannot read the timer frequency from KVM: %s", strerror(errno));
    p->timebase_hz = (uint32_t)v;
    return 0;
}

void kvm_stats_add(int fd, struct kvm_stat_sum *sum)
{
    int sfd = ioctl(fd, KVM_GET_STATS_FD, NULL);
    if (sfd < 0)
        return;
    struct kvm_stats_header h;
    if (pread(sfd, &h, sizeof(h), 0) != (ssize_t)sizeof(h) || h.name_size == 0 || h.name_size > 4096) {
        close(sfd);
        return;
    }
    size_t dsize = sizeof(struct kvm_stats_desc) + h.name_size;
    uint8_t *descs = malloc(dsize * h.num_desc);
    if (!descs || pread(sfd, descs, dsize * h.num_desc, h.desc_offset) != (ssize_t)(dsize * h.num_desc)) {
        free(descs);
        close(sfd);
        return;
    }
    for (uint32_t i = 0; i < h.num_desc; i++) {
        struct kvm_stats_desc *d = (struct kvm_stats_desc *)(descs + i * dsize);
        uint64_t val;
        if ((d->flags & KVM_STATS_TYPE_MASK) != KVM_STATS_TYPE_CUMULATIVE || d->size != 1 ||
            pread(sfd, &val, sizeof(val), h.data_offset + d->offset) != sizeof(val))
            continue;
        const char *name = d->name;
        unsigned j;
        for (j = 0; j < sum->n && strcmp(sum->name[j], name); j++)
            ;
        if (j == sum->n) {
            if (sum->n == KVM_STATS_MAX)
                continue;
            snprintf(sum->name[j], sizeof(sum->name[j]), "%s", name);
            sum->value[j] = 0;
            sum->n++;
        }
        sum->value[j] += val;
    }
    free(descs);
    close(sfd);
}
