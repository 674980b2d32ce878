/* rvnest-vmm: shared declarations of the small RISC-V KVM userspace.
 *
 * Everything declared here except the vm_* functions is portable C11 and is
 * compiled on the build host for the unit tests (no KVM headers needed). */
#ifndef RVNEST_VMM_H
#define RVNEST_VMM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "benchdev.h"

#define VMM_NAME "rvnest-vmm"
#define VMM_VERSION "0.1"

/* Guest physical memory map (the same addresses QEMU's virt machine uses, so
 * a guest kernel that boots on virt finds familiar things). */
#define GUEST_RAM_BASE   0x80000000ULL
#define GUEST_UART_BASE  0x10000000ULL
#define GUEST_UART_SIZE  0x100ULL
#define GUEST_UART_CLOCK 3686400u
#define GUEST_BENCH_BASE BENCH_BASE          /* the bench device (benchdev.h) */
#define GUEST_BENCH_SIZE BENCH_SIZE
#define GUEST_FDT_MAX    0x10000ULL          /* 64 KiB reserved for the DTB */
#define GUEST_MEM_MIN    (32ULL << 20)       /* below this no Linux boots */
#define GUEST_MAX_CPUS   8

/* ---------------------------------------------------------------- args.c */
enum kernel_format { KERNEL_AUTO, KERNEL_IMAGE, KERNEL_ELF, KERNEL_BIN };
/* How the VMM reads the dirty log: auto (KVM_CLEAR_DIRTY_LOG when KVM
 * offers KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2, else get), get (KVM_GET_DIRTY_LOG
 * alone, which clears and write-protects), clear (manual protect, or fail). */
enum dirty_log_mode { DIRTY_LOG_AUTO, DIRTY_LOG_GET, DIRTY_LOG_CLEAR };

struct vmm_options {
    const char *kernel;
    const char *initrd;         /* NULL: none */
    const char *append;         /* kernel command line, "" if none */
    const char *dtb_out;        /* write the generated DTB here, NULL: no */
    uint64_t mem_size;          /* bytes */
    unsigned cpus;
    unsigned timeout_s;         /* 0: none */
    unsigned dirty_log_ms;      /* --dirty-log: collector period, 0: no collector */
    bool dirty_log;             /* --dirty-log given: log the RAM slot from the start */
    enum dirty_log_mode dirty_log_mode;
    enum kernel_format format;
    bool stats;
    bool no_reboot;
    bool help;
    bool version;
};

/* Parses argv into opts (defaults applied first). Returns 0 on success; on
 * bad input returns -1 with a one-line message (no trailing newline, no
 * program name) in err. */
int parse_args(int argc, char **argv, struct vmm_options *opts, char *err, size_t errlen);
/* "256M", "1G", "65536", "512k": bytes. Returns -1 on garbage, zero or
 * overflow. */
int parse_size(const char *s, uint64_t *out);
int fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void print_usage(FILE *f);

/* ---------------------------------------------------------------- loader.c */
struct guest_ram {
    uint8_t *host;              /* host mapping of guest RAM */
    uint64_t gpa;               /* guest physical base (GUEST_RAM_BASE) */
    uint64_t size;
};

/* Returns a host pointer for [gpa, gpa+len) if it lies in RAM, else NULL. */
void *guest_ram_ptr(const struct guest_ram *ram, uint64_t gpa, uint64_t len);

struct boot_layout {
    uint64_t kernel_gpa, kernel_end;    /* end: load address + image size incl. bss */
    uint64_t entry;
    uint64_t initrd_gpa, initrd_size;   /* size 0: no initrd */
    uint64_t fdt_gpa;
};

/* Loads the kernel (Linux Image, ELF or raw binary) and the initrd into RAM
 * and chooses where the DTB goes. Returns 0, or -1 with a message in err. */
int load_guest(const struct guest_ram *ram, const char *kernel, enum kernel_format fmt,
               const char *initrd, struct boot_layout *out, char *err, size_t errlen);
/* Just the kernel: exposed for tests. */
int load_kernel(const struct guest_ram *ram, const char *path, enum kernel_format fmt,
                struct boot_layout *out, char *err, size_t errlen);

/* ---------------------------------------------------------------- fdt.c */
struct fdt_params {
    unsigned cpus;
    const char *isa;            /* "rv64imafdc_zicsr_..." */
    const char *mmu_type;       /* "riscv,sv48" or NULL */
    uint32_t timebase_hz;
    uint32_t cbom_block_size;   /* 0: no Zicbom */
    uint32_t cboz_block_size;   /* 0: no Zicboz */
    uint64_t mem_base, mem_size;
    uint64_t initrd_start, initrd_end;  /* equal: no initrd */
    const char *bootargs;
    uint64_t uart_base;         /* 0: no UART node */
    uint64_t bench_base;        /* 0: no bench device node */
};

/* Builds the guest DTB into buf. Returns 0, or -1 with a message in err. */
int build_guest_fdt(const struct fdt_params *p, void *buf, size_t bufsize, char *err, size_t errlen);

/* Builds the riscv,isa string from the KVM config isa bitmap (bit n =
 * letter 'a'+n) and the names of enabled multi-letter extensions. Returns
 * 0, or -1 if it does not fit. */
int isa_string(unsigned xlen, uint64_t base_bitmap, const char *const *exts, size_t n_exts,
               char *out, size_t outlen);

/* ---------------------------------------------------------------- uart.c */
struct uart16550 {
    uint8_t ier, lcr, mcr, scr, dll, dlm;
    int out_fd;                 /* where THR writes go */
};
void uart_init(struct uart16550 *u, int out_fd);
/* Register access at byte offset off (reg-shift 0). Returns false for an
 * offset outside the 8 registers. */
bool uart_read(struct uart16550 *u, uint64_t off, uint8_t *val);
bool uart_write(struct uart16550 *u, uint64_t off, uint8_t val);

/* ---------------------------------------------------------------- sbi.c */
/* An SBI call KVM forwarded to userspace (KVM_EXIT_RISCV_SBI). */
struct sbi_call {
    unsigned long ext, fid;
    unsigned long args[6];
    long ret[2];                /* ret[0]: error, ret[1]: value */
};
#define SBI_EXT_0_1_CONSOLE_PUTCHAR 0x01
#define SBI_EXT_0_1_CONSOLE_GETCHAR 0x02
#define SBI_EXT_DBCN                0x4442434EUL   /* "DBCN" */
#define SBI_SUCCESS                 0
#define SBI_ERR_FAILED              (-1)
#define SBI_ERR_NOT_SUPPORTED       (-2)
#define SBI_ERR_INVALID_PARAM       (-3)
#define SBI_ERR_INVALID_ADDRESS     (-5)

/* Emulates one forwarded SBI call; console output goes to out_fd, input
 * comes from in_fd (-1: none). Returns true if the call was recognised. */
bool sbi_handle(struct sbi_call *c, const struct guest_ram *ram, int out_fd, int in_fd);

/* ---------------------------------------------------------------- bench.c */
/* The bench device (benchdev.h): its registers and the dirty-log test. */
enum bench_dt_state { DT_IDLE, DT_LOADING, DT_RUNNING, DT_FINISHED };
struct bench_dt {
    uint32_t pages, rounds;             /* as the guest wrote them */
    uint64_t *pfn;                      /* pages entries once loading */
    uint32_t npfn;
    enum bench_dt_state state;
    uint32_t last_round, pending_round;
    uint64_t base_gfn, slot_pages;      /* the RAM slot the bitmap covers */
    uint64_t written, lost, extra;
    uint64_t after_write, after_read, after_none;   /* written pages by the round before */
    uint32_t status;                    /* BENCH_DT_ST_* */
    unsigned diag_lines;
};
struct bench_dev {
    uint32_t flags;                     /* BENCH_F_* */
    uint64_t doorbells;                 /* writes to BENCH_REG_ID */
    uint64_t coalesced;                 /* page-1 writes drained from the ring */
    uint64_t page1_exits;               /* page-1 writes that exited (ring full, or no ring) */
    uint64_t coalesced_drains;          /* drains that found entries */
    uint64_t dl_rounds, dl_pages, dl_skipped;   /* the dirty-log collector's */
    uint32_t dl_ms;                     /* its period, 0: not running (the VMM's) */
    uint32_t dl_request;                /* BENCH_ACT_DL_CTRL: the period asked for */
    struct bench_dt dt;
};
/* What the VMM must do after a register write. */
enum bench_act { BENCH_ACT_NONE, BENCH_ACT_DT_START, BENCH_ACT_DT_ROUND, BENCH_ACT_DT_FINISH,
                 BENCH_ACT_DL_CTRL /* start (dl_request ms) or stop (0) the collector */ };

void bench_init(struct bench_dev *d, uint32_t flags);
void bench_free(struct bench_dev *d);
/* An access at byte offset off of the device (page 1 from BENCH_COALESCED). */
uint64_t bench_read(struct bench_dev *d, uint64_t off);
enum bench_act bench_write(struct bench_dev *d, uint64_t off, uint64_t val);
/* BENCH_ACT_DT_START: checks the PFNs against the RAM slot (base_gfn,
 * slot_pages) and starts the test; -1 with a message in err otherwise. */
int bench_dt_start(struct bench_dev *d, uint64_t base_gfn, uint64_t slot_pages, char *err, size_t errlen);
/* BENCH_ACT_DT_ROUND: compares the pending round's writes with bitmap (the
 * slot's dirty log, bit i = page base_gfn + i); the first LOST/EXTRA pages
 * are named on diag (NULL: quiet). */
void bench_dt_check(struct bench_dev *d, const uint64_t *bitmap, FILE *diag);
/* The one-line summary (without the program name) for dirty-log mode mode. */
void bench_dt_summary(const struct bench_dev *d, const char *mode, char *buf, size_t len);
/* A test that lost or added a page, broke the protocol, or did not finish. */
bool bench_dt_failed(const struct bench_dev *d);

/* ---------------------------------------------------------------- vm.c */
/* Runs a guest to completion. Returns the process exit status. */
int vm_run(const struct vmm_options *opts);

#endif
