/* rvnest-vmm: loading the guest kernel (Linux Image, ELF or raw binary) and
 * initrd into guest RAM, and choosing the boot memory layout.
 *
 * Layout (RAM at GUEST_RAM_BASE):
 *   kernel at RAM base + Image text_offset (2 MiB for RV64 Images),
 *   DTB in the last 64 KiB of RAM, initrd just below the DTB. */
#include <elf.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "vmm.h"

#ifndef EM_RISCV
#define EM_RISCV 243
#endif

#define MIB(x) ((double)(x) / (1 << 20))

void *guest_ram_ptr(const struct guest_ram *ram, uint64_t gpa, uint64_t len)
{
    if (gpa < ram->gpa || len > ram->size || gpa - ram->gpa > ram->size - len)
        return NULL;
    return ram->host + (gpa - ram->gpa);
}

static uint64_t le64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

/* Reads [off, off+len) of f into dst; false on a short read. */
static bool read_at(FILE *f, uint64_t off, void *dst, uint64_t len)
{
    if (fseeko(f, (off_t)off, SEEK_SET))
        return false;
    return fread(dst, 1, len, f) == len;
}

/* Linux RISC-V Image header, Documentation/arch/riscv/boot-image-header.rst:
 * code0 u32 @0, code1 u32 @4, text_offset u64 @8, image_size u64 @16,
 * flags @24, version u32 @32, res1 @36, res2 @40, magic "RISCV\0\0\0" @48
 * (deprecated), magic2 "RSC\x05" @56. */
#define IMAGE_HDR_SIZE 64
static bool is_linux_image(const uint8_t *h, size_t n)
{
    return n >= IMAGE_HDR_SIZE &&
        (!memcmp(h + 56, "RSC\x05", 4) || !memcmp(h + 48, "RISCV\0\0\0", 8));
}

static bool is_elf(const uint8_t *h, size_t n)
{
    return n >= EI_NIDENT && !memcmp(h, ELFMAG, SELFMAG);
}

static int load_image(const struct guest_ram *ram, FILE *f, const char *path, uint64_t fsize,
                      const uint8_t *hdr, struct boot_layout *out, char *err, size_t errlen)
{
    uint64_t text_offset = le64(hdr + 8);
    uint64_t image_size = le64(hdr + 16);
    /* RV64 kernels must sit on a 2 MiB boundary; honour text_offset only
     * when it is a sane one. */
    if (text_offset % (2 << 20) || text_offset >= ram->size / 2)
        text_offset = 0;
    if (image_size < fsize)
        image_size = fsize;
    uint64_t gpa = ram->gpa + text_offset;
    uint8_t *dst = guest_ram_ptr(ram, gpa, image_size);
    if (!dst)
        return fail(err, errlen, "too little memory: kernel '%s' needs %.1fM but the guest has %.1fM",
                    path, MIB(text_offset + image_size), MIB(ram->size));
    if (!read_at(f, 0, dst, fsize))
        return fail(err, errlen, "cannot read kernel '%s': %s", path, strerror(errno ? errno : EIO));
    out->kernel_gpa = gpa;
    out->kernel_end = gpa + image_size;
    out->entry = gpa;
    return 0;
}

static int load_elf(const struct guest_ram *ram, FILE *f, const char *path, uint64_t fsize,
                    struct boot_layout *out, char *err, size_t errlen)
{
    Elf64_Ehdr eh;
    if (fsize < sizeof(eh) || !read_at(f, 0, &eh, sizeof(eh)))
        return fail(err, errlen, "kernel '%s' is a truncated ELF file", path);
    if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_ident[EI_DATA] != ELFDATA2LSB ||
        eh.e_machine != EM_RISCV)
        return fail(err, errlen, "kernel '%s' is not a 64-bit little-endian RISC-V ELF file", path);
    if (eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum == 0 ||
        eh.e_phoff > fsize || (uint64_t)eh.e_phnum * sizeof(Elf64_Phdr) > fsize - eh.e_phoff)
        return fail(err, errlen, "kernel '%s' has a bad ELF program header table", path);
    uint64_t lo = UINT64_MAX, hi = 0;
    for (unsigned i = 0; i < eh.e_phnum; i++) {
        Elf64_Phdr ph;
        if (!read_at(f, eh.e_phoff + (uint64_t)i * sizeof(ph), &ph, sizeof(ph)))
            return fail(err, errlen, "kernel '%s' has a bad ELF program header table", path);
        if (ph.p_type != PT_LOAD || ph.p_memsz == 0)
            continue;
        if (ph.p_filesz > ph.p_memsz || ph.p_offset > fsize || ph.p_filesz > fsize - ph.p_offset)
            return fail(err, errlen, "kernel '%s' has a bad ELF segment %u", path, i);
        uint8_t *dst = guest_ram_ptr(ram, ph.p_paddr, ph.p_memsz);
        if (!dst)
            return fail(err, errlen,
                        "kernel '%s' segment %u at 0x%" PRIx64 "+0x%" PRIx64 " is outside guest RAM "
                        "0x%" PRIx64 "+0x%" PRIx64, path, i, (uint64_t)ph.p_paddr,
                        (uint64_t)ph.p_memsz, ram->gpa, ram->size);
        if (!read_at(f, ph.p_offset, dst, ph.p_filesz))
            return fail(err, errlen, "cannot read kernel '%s'", path);
        memset(dst + ph.p_filesz, 0, ph.p_memsz - ph.p_filesz);
        if (ph.p_paddr < lo) lo = ph.p_paddr;
        if (ph.p_paddr + ph.p_memsz > hi) hi = ph.p_paddr + ph.p_memsz;
    }
    if (hi == 0)
        return fail(err, errlen, "kernel '%s' has no loadable ELF segment", path);
    if (!guest_ram_ptr(ram, eh.e_entry, 4))
        return fail(err, errlen, "kernel '%s' entry point 0x%" PRIx64 " is outside guest RAM",
                    path, (uint64_t)eh.e_entry);
    out->kernel_gpa = lo;
    out->kernel_end = hi;
    out->entry = eh.e_entry;
    return 0;
}

static int load_bin(const struct guest_ram *ram, FILE *f, const char *path, uint64_t fsize,
                    struct boot_layout *out, char *err, size_t errlen)
{
    uint8_t *dst = guest_ram_ptr(ram, ram->gpa, fsize);
    if (!dst)
        return fail(err, errlen, "too little memory: kernel '%s' is %.1fM but the guest has %.1fM",
                    path, MIB(fsize), MIB(ram->size));
    if (!read_at(f, 0, dst, fsize))
        return fail(err, errlen, "cannot read kernel '%s'", path);
    out->kernel_gpa = out->entry = ram->gpa;
    out->kernel_end = ram->gpa + fsize;
    return 0;
}

/* Opens a regular, non-empty file and returns its size. */
static FILE *open_input(const char *what, const char *path, uint64_t *size, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fail(err, errlen, "cannot open %s '%s': %s", what, path, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fileno(f), &st) || !S_ISREG(st.st_mode)) {
        fail(err, errlen, "%s '%s' is not a regular file", what, path);
        fclose(f);
        return NULL;
    }
    if (st.st_size == 0) {
        fail(err, errlen, "%s '%s' is empty", what, path);
        fclose(f);
        return NULL;
    }
    *size = (uint64_t)st.st_size;
    return f;
}

int load_kernel(const struct guest_ram *ram, const char *path, enum kernel_format fmt,
                struct boot_layout *out, char *err, size_t errlen)
{
    uint64_t fsize;
    FILE *f = open_input("kernel", path, &fsize, err, errlen);
    if (!f)
        return -1;
    uint8_t hdr[IMAGE_HDR_SIZE] = { 0 };
    size_t n = fread(hdr, 1, sizeof(hdr), f);
    if (fmt == KERNEL_AUTO) {
        if (is_linux_image(hdr, n))
            fmt = KERNEL_IMAGE;
        else if (is_elf(hdr, n))
            fmt = KERNEL_ELF;
    }
    int r;
    switch (fmt) {
    case KERNEL_IMAGE:
        r = is_linux_image(hdr, n) ? load_image(ram, f, path, fsize, hdr, out, err, errlen)
                                   : fail(err, errlen, "kernel '%s' is not a RISC-V Linux Image", path);
        break;
    case KERNEL_ELF:
        r = is_elf(hdr, n) ? load_elf(ram, f, path, fsize, out, err, errlen)
                           : fail(err, errlen, "kernel '%s' is not an ELF file", path);
        break;
    case KERNEL_BIN:
        r = load_bin(ram, f, path, fsize, out, err, errlen);
        break;
    default:
        r = fail(err, errlen, "kernel '%s' is neither a RISC-V Linux Image nor an ELF file "
                 "(use --kernel-format bin for a raw binary)", path);
    }
    fclose(f);
    return r;
}

int load_guest(const struct guest_ram *ram, const char *kernel, enum kernel_format fmt,
               const char *initrd, struct boot_layout *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof(*out));
    if (load_kernel(ram, kernel, fmt, out, err, errlen))
        return -1;
    uint64_t ram_end = ram->gpa + ram->size;
    out->fdt_gpa = ram_end - GUEST_FDT_MAX;
    if (out->fdt_gpa < out->kernel_end)
        return fail(err, errlen, "too little memory: no room for the device tree after the kernel");
    if (!initrd)
        return 0;
    uint64_t isize;
    FILE *f = open_input("initrd", initrd, &isize, err, errlen);
    if (!f)
        return -1;
    /* initrd right below the DTB, page aligned */
    uint64_t room = out->fdt_gpa - out->kernel_end;
    if (isize > room || ((out->fdt_gpa - isize) & ~0xfffULL) < out->kernel_end) {
        fclose(f);
        return fail(err, errlen, "too little memory: kernel (%.1fM) + initrd (%.1fM) + device tree "
                    "do not fit in %.1fM", MIB(out->kernel_end - ram->gpa), MIB(isize), MIB(ram->size));
    }
    out->initrd_gpa = (out->fdt_gpa - isize) & ~0xfffULL;
    out->initrd_size = isize;
    bool ok = read_at(f, 0, guest_ram_ptr(ram, out->initrd_gpa, isize), isize);
    fclose(f);
    if (!ok)
        return fail(err, errlen, "cannot read initrd '%s'", initrd);
    return 0;
}
