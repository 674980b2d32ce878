#ifndef RVNEST_PLUGIN_OPTIONS_H
#define RVNEST_PLUGIN_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include "rvnest/engine.h"

struct plugin_options {
    struct rvnest_options engine;
    bool audit;
};

/* Parses QEMU's "-plugin librvnest.so,key=value,..." arguments. Returns 0,
 * or -1 with a one-line message naming the bad key or value in err. */
int rvnest_parse_options(int argc, char **argv, struct plugin_options *o, char *err, size_t errlen);

#define RVNEST_OPTIONS_HELP \
    "l0-mem=MiB (even, default 8), shadow-mem=MiB (power of two, at most l0-mem/2; default l0-mem/2), l1-mem=MiB (RAM given to L1; L0 lives above it), stats=FILE (JSON), quiet=on|off, audit=on|off, trace=on|off, nacl=on|off (SBI nested acceleration, default on), nacl-csr|nacl-hfence|nacl-sret|nacl-autoswap=on|off (each NACL feature, default on), shadow-prefetch=on|off (shadow leaf for the fault L1 just handled made at L2's entry, default on), shadow-large=on|off (2 MiB shadow leaves where L1's leaf and its RAM allow, default on)"

#endif
