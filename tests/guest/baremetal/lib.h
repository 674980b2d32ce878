/* Minimal runtime for the bare-metal L1 test programs: SBI calls, output,
 * CSR access by number, trap bookkeeping. */
#ifndef BAREMETAL_LIB_H
#define BAREMETAL_LIB_H
#include <stdint.h>

struct sbiret { long error; long value; };
struct sbiret sbi_call(long ext, long fid, long a0, long a1, long a2);
/* The same with all six argument registers a0-a5. */
struct sbiret sbi_call6(long ext, long fid, long a0, long a1, long a2, long a3, long a4, long a5);

void puts_(const char *s);
void print(const char *fmt, ...);       /* %s %d %x (64-bit hex) */
void shutdown(void);
void trap(uint64_t *frame);

/* Device tree: big-endian cells; the property PROP of the top-level node
 * NODE (or NODE@...), its length in *len, or NULL; /chosen/bootargs (QEMU's
 * -append) or ""; the first /memory reg (2 address and 2 size cells). */
uint32_t be32(const void *p);
uint64_t be64(const void *p);
const char *fdt_node_prop(unsigned long fdt, const char *node, const char *prop, uint32_t *len);
const char *fdt_chosen_bootargs(unsigned long fdt);
int fdt_memory(unsigned long fdt, uint64_t *base, uint64_t *size);
/* Strings without libc. */
unsigned long strlen_(const char *s);
int streq(const char *a, const char *b);
int str_prefix(const char *s, const char *prefix);
/* out = a b c (c may be NULL), cut to size - 1 characters; returns out. */
char *str_join(char *out, unsigned long size, const char *a, const char *b, const char *c);
/* Bootargs: the value of "key=..." (length in *len) or NULL; the value of
 * "key=N" (decimal or 0x hex, may be negative) or def; whether NAME is in
 * the comma-separated LIST of that length (1 when LIST is NULL). */
const char *bootarg_str(const char *args, const char *key, unsigned long *len);
uint64_t bootarg(const char *args, const char *key, uint64_t def);
int list_has(const char *list, unsigned long len, const char *name);

#define csr_read(csr) ({ uint64_t __v; __asm__ volatile("csrr %0, " #csr : "=r"(__v) :: "memory"); __v; })
#define csr_write(csr, v) __asm__ volatile("csrw " #csr ", %0" :: "rK"((uint64_t)(v)) : "memory")
#define csr_set(csr, v) __asm__ volatile("csrs " #csr ", %0" :: "rK"((uint64_t)(v)) : "memory")
#define csr_clear(csr, v) __asm__ volatile("csrc " #csr ", %0" :: "rK"((uint64_t)(v)) : "memory")

/* Filled by the trap handler. */
extern volatile uint64_t last_cause, last_tval, trap_count;
extern volatile uint64_t irq_count[16];

#include "rvnest/sbi.h"
#endif
