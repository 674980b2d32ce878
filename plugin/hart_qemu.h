#ifndef RVNEST_PLUGIN_HART_QEMU_H
#define RVNEST_PLUGIN_HART_QEMU_H

#include <glib.h>
#include "rvnest/hart.h"

struct qemu_plugin_register;

struct qemu_hart {
    struct rvnest_hart h;             /* first: the engine sees only this */
    struct qemu_plugin_register *gpr[32], *pc, *priv;
    struct qemu_plugin_register *csr[4096];
    GByteArray *buf, *mem;
};

bool qemu_hart_init(struct qemu_hart *q, unsigned index, char *err, size_t errlen);

#endif
