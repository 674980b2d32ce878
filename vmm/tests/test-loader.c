/* Host unit tests of kernel/initrd loading (vmm/loader.c) and of the
 * console devices (vmm/uart.c, vmm/sbi.c). */
#include <elf.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "../vmm.h"

#define MiB (1ULL << 20)

static struct guest_ram ram_new(uint64_t size)
{
    return (struct guest_ram){ .host = g_malloc0(size), .gpa = GUEST_RAM_BASE, .size = size };
}

static char *write_tmp(const void *data, size_t len)
{
    GError *e = NULL;
    char *path;
    int fd = g_file_open_tmp("rvnest-vmm-test-XXXXXX", &path, &e);
    g_assert_no_error(e);
    g_assert_cmpint(write(fd, data, len), ==, (ssize_t)len);
    close(fd);
    return path;
}

/* A fake Linux RISC-V Image: header fields per boot-image-header.rst. */
static char *fake_image(uint64_t text_offset, uint64_t image_size, size_t file_size)
{
    uint8_t *img = g_malloc0(file_size);
    memcpy(img + 8, &text_offset, 8);
    memcpy(img + 16, &image_size, 8);
    memcpy(img + 48, "RISCV\0\0\0", 8);
    memcpy(img + 56, "RSC\x05", 4);
    img[file_size - 1] = 0xAB;
    char *p = write_tmp(img, file_size);
    g_free(img);
    return p;
}

static void test_image_and_initrd(void)
{
    struct guest_ram ram = ram_new(64 * MiB);
    char *k = fake_image(2 * MiB, 8 * MiB, 4096);
    char *rd = write_tmp("initrd-bytes", 12);
    struct boot_layout l;
    char err[256] = "";
    g_assert_cmpint(load_guest(&ram, k, KERNEL_AUTO, rd, &l, err, sizeof(err)), ==, 0);
    g_assert_cmpstr(err, ==, "");
    g_assert_cmphex(l.kernel_gpa, ==, GUEST_RAM_BASE + 2 * MiB);
    g_assert_cmphex(l.entry, ==, l.kernel_gpa);
    g_assert_cmphex(l.kernel_end, ==, l.kernel_gpa + 8 * MiB);
    g_assert_cmpuint(ram.host[2 * MiB + 4095], ==, 0xAB);
    g_assert_cmphex(l.fdt_gpa, ==, GUEST_RAM_BASE + 64 * MiB - GUEST_FDT_MAX);
    g_assert_cmpuint(l.initrd_size, ==, 12);
    g_assert_cmphex(l.initrd_gpa & 0xfff, ==, 0);
    g_assert_cmphex(l.initrd_gpa + l.initrd_size, <=, l.fdt_gpa);
    g_assert_cmpmem(guest_ram_ptr(&ram, l.initrd_gpa, 12), 12, "initrd-bytes", 12);
    /* the kernel's bss does not fit: a clear "too little memory" */
    g_assert_cmpint(load_guest(&ram, k, KERNEL_AUTO, NULL, &l, err, sizeof(err)), ==, 0);
    char *big = fake_image(2 * MiB, 63 * MiB, 4096);
    g_assert_cmpint(load_guest(&ram, big, KERNEL_AUTO, NULL, &l, err, sizeof(err)), ==, -1);
    g_assert_nonnull(strstr(err, "too little memory"));
    unlink(k); unlink(rd); unlink(big);
    g_free(k); g_free(rd); g_free(big); g_free(ram.host);
}

static void test_elf(void)
{
    struct guest_ram ram = ram_new(32 * MiB);
    struct { Elf64_Ehdr eh; Elf64_Phdr ph; uint8_t code[16]; } f = { 0 };
    memcpy(f.eh.e_ident, ELFMAG, SELFMAG);
    f.eh.e_ident[EI_CLASS] = ELFCLASS64;
    f.eh.e_ident[EI_DATA] = ELFDATA2LSB;
    f.eh.e_machine = 243;   /* EM_RISCV */
    f.eh.e_entry = GUEST_RAM_BASE + 0x1000;
    f.eh.e_phoff = offsetof(__typeof__(f), ph);
    f.eh.e_phentsize = sizeof(Elf64_Phdr);
    f.eh.e_phnum = 1;
    f.ph.p_type = PT_LOAD;
    f.ph.p_offset = offsetof(__typeof__(f), code);
    f.ph.p_paddr = GUEST_RAM_BASE + 0x1000;
    f.ph.p_filesz = 16;
    f.ph.p_memsz = 0x2000;
    memset(f.code, 0x5a, sizeof(f.code));
    char *p = write_tmp(&f, sizeof(f));
    struct boot_layout l;
    char err[256] = "";
    g_assert_cmpint(load_guest(&ram, p, KERNEL_AUTO, NULL, &l, err, sizeof(err)), ==, 0);
    g_assert_cmphex(l.entry, ==, GUEST_RAM_BASE + 0x1000);
    g_assert_cmphex(l.kernel_end, ==, GUEST_RAM_BASE + 0x3000);
    g_assert_cmpuint(ram.host[0x1000], ==, 0x5a);
    /* a segment outside RAM is refused */
    f.ph.p_paddr = 0x1000;
    char *q = write_tmp(&f, sizeof(f));
    g_assert_cmpint(load_guest(&ram, q, KERNEL_AUTO, NULL, &l, err, sizeof(err)), ==, -1);
    g_assert_nonnull(strstr(err, "outside guest RAM"));
    unlink(p); unlink(q);
    g_free(p); g_free(q); g_free(ram.host);
}

static void test_bad_files(void)
{
    struct guest_ram ram = ram_new(32 * MiB);
    struct boot_layout l;
    char err[256];
    g_assert_cmpint(load_guest(&ram, "/nonexistent/Image", KERNEL_AUTO, NULL, &l, err, sizeof(err)), ==, -1);
    g_assert_nonnull(strstr(err, "cannot open kernel '/nonexistent/Image'"));
    char *junk = write_tmp("this is not a kernel", 20);
    g_assert_cmpint(load_guest(&ram, junk, KERNEL_AUTO, NULL, &l, err, sizeof(err)), ==, -1);
    g_assert_nonnull(strstr(err, "neither a RISC-V Linux Image nor an ELF"));
    g_assert_cmpint(load_guest(&ram, junk, KERNEL_IMAGE, NULL, &l, err, sizeof(err)), ==, -1);
    g_assert_nonnull(strstr(err, "not a RISC-V Linux Image"));
    /* ... but it is a fine raw binary */
    g_assert_cmpint(load_guest(&ram, junk, KERNEL_BIN, NULL, &l, err, sizeof(err)), ==, 0);
    g_assert_cmphex(l.entry, ==, GUEST_RAM_BASE);
    char *empty = write_tmp("", 0);
    g_assert_cmpint(load_guest(&ram, empty, KERNEL_AUTO, NULL, &l, err, sizeof(err)), ==, -1);
    g_assert_nonnull(strstr(err, "is empty"));
    g_assert_cmpint(load_guest(&ram, "/", KERNEL_AUTO, NULL, &l, err, sizeof(err)), ==, -1);
    g_assert_nonnull(strstr(err, "not a regular file"));
    g_assert_cmpint(load_guest(&ram, junk, KERNEL_BIN, "/nonexistent", &l, err, sizeof(err)), ==, -1);
    g_assert_nonnull(strstr(err, "cannot open initrd"));
    g_assert_null(strchr(err, '\n'));
    unlink(junk); unlink(empty);
    g_free(junk); g_free(empty); g_free(ram.host);
}

static void test_uart(void)
{
    int p[2];
    g_assert_cmpint(pipe(p), ==, 0);
    struct uart16550 u;
    uint8_t v;
    uart_init(&u, p[1]);
    g_assert_true(uart_read(&u, 5, &v));
    g_assert_cmphex(v & 0x60, ==, 0x60);            /* LSR: THRE | TEMT */
    g_assert_true(uart_read(&u, 2, &v));
    g_assert_cmphex(v & 0x0f, ==, 0x01);            /* IIR: no interrupt */
    g_assert_true(uart_write(&u, 1, 0x02));         /* IER: THRI */
    g_assert_true(uart_read(&u, 2, &v));
    g_assert_cmphex(v & 0x0f, ==, 0x02);            /* IIR: THR empty */
    g_assert_true(uart_write(&u, 3, 0x80));         /* DLAB: divisor latch */
    g_assert_true(uart_write(&u, 0, 0x01));
    g_assert_true(uart_write(&u, 3, 0x03));
    g_assert_true(uart_write(&u, 0, 'h'));
    g_assert_true(uart_write(&u, 0, 'i'));
    g_assert_false(uart_write(&u, 8, 0));
    g_assert_false(uart_read(&u, 0x40, &v));
    char buf[4] = "";
    g_assert_cmpint(read(p[0], buf, sizeof(buf)), ==, 2);
    g_assert_cmpmem(buf, 2, "hi", 2);
    close(p[0]); close(p[1]);
}

static void test_sbi_dbcn(void)
{
    int p[2];
    g_assert_cmpint(pipe(p), ==, 0);
    struct guest_ram ram = ram_new(1 * MiB);
    memcpy(ram.host + 0x100, "hello", 5);
    struct sbi_call c = { .ext = SBI_EXT_DBCN, .fid = 0, .args = { 5, GUEST_RAM_BASE + 0x100, 0 } };
    g_assert_true(sbi_handle(&c, &ram, p[1], -1));
    g_assert_cmpint(c.ret[0], ==, SBI_SUCCESS);
    g_assert_cmpint(c.ret[1], ==, 5);
    char buf[8] = "";
    g_assert_cmpint(read(p[0], buf, sizeof(buf)), ==, 5);
    g_assert_cmpmem(buf, 5, "hello", 5);
    /* a buffer outside guest RAM is an invalid parameter, not a crash */
    c = (struct sbi_call){ .ext = SBI_EXT_DBCN, .fid = 0, .args = { 5, 0x1000, 0 } };
    g_assert_true(sbi_handle(&c, &ram, p[1], -1));
    g_assert_cmpint(c.ret[0], ==, SBI_ERR_INVALID_PARAM);
    c = (struct sbi_call){ .ext = SBI_EXT_DBCN, .fid = 0, .args = { 5, GUEST_RAM_BASE, 1 } };
    g_assert_true(sbi_handle(&c, &ram, p[1], -1));
    g_assert_cmpint(c.ret[0], ==, SBI_ERR_INVALID_PARAM);
    /* read with no input: zero bytes */
    c = (struct sbi_call){ .ext = SBI_EXT_DBCN, .fid = 1, .args = { 4, GUEST_RAM_BASE, 0 } };
    g_assert_true(sbi_handle(&c, &ram, p[1], -1));
    g_assert_cmpint(c.ret[0], ==, SBI_SUCCESS);
    g_assert_cmpint(c.ret[1], ==, 0);
    /* write_byte and the legacy putchar */
    c = (struct sbi_call){ .ext = SBI_EXT_DBCN, .fid = 2, .args = { '!' } };
    g_assert_true(sbi_handle(&c, &ram, p[1], -1));
    c = (struct sbi_call){ .ext = SBI_EXT_0_1_CONSOLE_PUTCHAR, .args = { '?' } };
    g_assert_true(sbi_handle(&c, &ram, p[1], -1));
    g_assert_cmpint(read(p[0], buf, sizeof(buf)), ==, 2);
    g_assert_cmpmem(buf, 2, "!?", 2);
    /* unknown extension: not supported */
    c = (struct sbi_call){ .ext = 0x12345678 };
    g_assert_false(sbi_handle(&c, &ram, p[1], -1));
    g_assert_cmpint(c.ret[0], ==, SBI_ERR_NOT_SUPPORTED);
    close(p[0]); close(p[1]);
    g_free(ram.host);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vmm/loader/image-and-initrd", test_image_and_initrd);
    g_test_add_func("/vmm/loader/elf", test_elf);
    g_test_add_func("/vmm/loader/bad-files", test_bad_files);
    g_test_add_func("/vmm/uart/16550", test_uart);
    g_test_add_func("/vmm/sbi/dbcn", test_sbi_dbcn);
    return g_test_run();
}
