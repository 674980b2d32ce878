/* Minimal runtime for the bare-metal L1 test programs: SBI calls, output,
 * CSR access by number, trap bookkeeping. */
#ifndef BAREMETAL_LIB_H
#define BAREMETAL_LIB_H
#include <stdint.h>

struct sbiret { long error; long value; };
struct sbiret sbi_call(long ext, long fid, long a0, long a1, long a2);

void puts_(const char *s);
void print(const char *fmt, ...);       /* %s %d %x (64-bit hex) */
void shutdown(void);
void trap(uint64_t *frame);

/* /chosen/bootargs of the device tree (QEMU's -append), or "" */
const char *fdt_chosen_bootargs(unsigned long fdt);
/* The value of "key=N" (decimal or 0x hex, may be negative) in args, or def */
uint64_t bootarg(const char *args, const char *key, uint64_t def);

#define csr_read(csr) ({ uint64_t __v; __asm__ volatile("csrr %0, " #csr : "=r"(__v) :: "memory"); __v; })
#define csr_write(csr, v) __asm__ volatile("csrw " #csr ", %0" :: "rK"((uint64_t)(v)) : "memory")
#define csr_set(csr, v) __asm__ volatile("csrs " #csr ", %0" :: "rK"((uint64_t)(v)) : "memory")
#define csr_clear(csr, v) __asm__ volatile("csrc " #csr ", %0" :: "rK"((uint64_t)(v)) : "memory")

/* Filled by the trap handler. */
extern volatile uint64_t last_cause, last_tval, trap_count;
extern volatile uint64_t irq_count[16];

#include "rvnest/sbi.h"
#endif
