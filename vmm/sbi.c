/* rvnest-vmm: the SBI calls KVM forwards to userspace (KVM_EXIT_RISCV_SBI).
 *
 * KVM handles most of SBI in the kernel (TIME, IPI, RFENCE, HSM, SRST, ...).
 * It forwards the legacy v0.1 console calls and, once the VMM enables it,
 * the Debug Console extension (DBCN, SBI spec v2.0 chapter 12). The result
 * goes back to the guest in a0 (error) and a1 (value). */
#include <poll.h>
#include <unistd.h>

#include "vmm.h"

enum { DBCN_WRITE = 0, DBCN_READ = 1, DBCN_WRITE_BYTE = 2 };

static bool input_ready(int fd)
{
    struct pollfd p = { .fd = fd, .events = POLLIN };
    return fd >= 0 && poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
}

static void write_all(int fd, const uint8_t *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n <= 0)
            return;     /* a closed stdout must not kill the guest */
        buf += n;
        len -= (size_t)n;
    }
}

/* DBCN passes a physical address as (base_lo, base_hi); on RV64 base_hi
 * must be zero for the address to be valid. */
static void *dbcn_buffer(const struct guest_ram *ram, const struct sbi_call *c, uint64_t len)
{
    if (c->args[2] != 0)
        return NULL;
    return guest_ram_ptr(ram, c->args[1], len);
}

static void handle_dbcn(struct sbi_call *c, const struct guest_ram *ram, int out_fd, int in_fd)
{
    uint64_t len = c->args[0];
    uint8_t *buf;
    switch (c->fid) {
    case DBCN_WRITE:
        if (!(buf = dbcn_buffer(ram, c, len))) {
            c->ret[0] = SBI_ERR_INVALID_PARAM;
            return;
        }
        write_all(out_fd, buf, len);
        c->ret[0] = SBI_SUCCESS;
        c->ret[1] = (long)len;
        return;
    case DBCN_READ: {
        if (!(buf = dbcn_buffer(ram, c, len))) {
            c->ret[0] = SBI_ERR_INVALID_PARAM;
            return;
        }
        ssize_t n = input_ready(in_fd) ? read(in_fd, buf, len) : 0;
        c->ret[0] = SBI_SUCCESS;
        c->ret[1] = n > 0 ? n : 0;
        return;
    }
    case DBCN_WRITE_BYTE: {
        uint8_t b = (uint8_t)c->args[0];
        write_all(out_fd, &b, 1);
        c->ret[0] = SBI_SUCCESS;
        c->ret[1] = 0;
        return;
    }
    default:
        c->ret[0] = SBI_ERR_NOT_SUPPORTED;
    }
}

bool sbi_handle(struct sbi_call *c, const struct guest_ram *ram, int out_fd, int in_fd)
{
    c->ret[0] = SBI_ERR_NOT_SUPPORTED;
    c->ret[1] = 0;
    switch (c->ext) {
    case SBI_EXT_0_1_CONSOLE_PUTCHAR: {
        uint8_t b = (uint8_t)c->args[0];
        write_all(out_fd, &b, 1);
        c->ret[0] = 0;
        return true;
    }
    case SBI_EXT_0_1_CONSOLE_GETCHAR: {
        uint8_t b;
        /* legacy getchar returns the character or -1 in a0 */
        c->ret[0] = input_ready(in_fd) && read(in_fd, &b, 1) == 1 ? b : -1;
        return true;
    }
    case SBI_EXT_DBCN:
        handle_dbcn(c, ram, out_fd, in_fd);
        return true;
    default:
        return false;
    }
}
