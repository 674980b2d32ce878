/* Plugin options, in QEMU's "-plugin file.so,key=value" convention. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "plugin/options.h"

static int parse_bool(const char *val, bool *out)
{
    static const char *const yes[] = { "on", "yes", "true" }, *const no[] = { "off", "no", "false" };
    for (int i = 0; i < 3; i++) {
        if (!strcmp(val, yes[i])) { *out = true; return 0; }
        if (!strcmp(val, no[i])) { *out = false; return 0; }
    }
    return -1;
}

int rvnest_parse_options(int argc, char **argv, struct plugin_options *o, char *err, size_t errlen)
{
    memset(o, 0, sizeof(*o));
    o->engine.l0_mem = RVNEST_DEFAULT_L0_MEM;
    for (int i = 0; i < argc; i++) {
        char *eq = strchr(argv[i], '=');
        if (!eq) {
            snprintf(err, errlen, "rvnest: option '%s' needs a value (key=value); options: %s",
                     argv[i], RVNEST_OPTIONS_HELP);
            return -1;
        }
        size_t klen = (size_t)(eq - argv[i]);
        const char *val = eq + 1;
#define KEY(k) (klen == strlen(k) && !strncmp(argv[i], k, klen))
        bool *flag = KEY("quiet") ? &o->engine.quiet : KEY("audit") ? &o->audit
                   : KEY("trace") ? &o->engine.trace : NULL;
        if (flag) {
            if (parse_bool(val, flag)) {
                snprintf(err, errlen, "rvnest: option '%.*s' takes on or off, not '%s'", (int)klen, argv[i], val);
                return -1;
            }
        } else if (KEY("shadow-prefetch") || KEY("shadow-large")) {
            bool on;
            if (parse_bool(val, &on)) {
                snprintf(err, errlen, "rvnest: option '%.*s' takes on or off, not '%s'", (int)klen, argv[i], val);
                return -1;
            }
            if (KEY("shadow-prefetch"))
                o->engine.shadow_prefetch_off = !on;
            else
                o->engine.shadow_large_off = !on;
        } else if (KEY("nacl") || KEY("nacl-csr") || KEY("nacl-hfence") || KEY("nacl-sret") ||
                   KEY("nacl-autoswap")) {
            /* nacl-<feature>=off: that feature probes 0 (SBI spec, NACL
             * feature ids 0-3 in this order) */
            static const char *const feat[] = { "nacl-csr", "nacl-hfence", "nacl-sret", "nacl-autoswap" };
            bool on;
            if (parse_bool(val, &on)) {
                snprintf(err, errlen, "rvnest: option '%.*s' takes on or off, not '%s'", (int)klen, argv[i], val);
                return -1;
            }
            if (KEY("nacl")) {
                o->engine.nacl_off = !on;
            } else {
                for (unsigned f = 0; f < 4; f++)
                    if (KEY(feat[f]))
                        o->engine.nacl_features_off = on ? o->engine.nacl_features_off & ~(1u << f)
                                                         : o->engine.nacl_features_off | (1u << f);
            }
        } else if (KEY("l0-mem")) {
            char *end;
            errno = 0;
            unsigned long long mib = strtoull(val, &end, 10);
            if (errno || end == val || *end || mib < 2 || mib % 2 || mib > 4096) {
                snprintf(err, errlen, "rvnest: l0-mem='%s' must be a whole number of MiB, even, from 2 to 4096", val);
                return -1;
            }
            o->engine.l0_mem = mib << 20;
        } else if (KEY("shadow-mem")) {
            char *end;
            errno = 0;
            unsigned long long mib = strtoull(val, &end, 10);
            if (errno || end == val || *end || !mib || (mib & (mib - 1)) || mib > 2048) {
                snprintf(err, errlen, "rvnest: shadow-mem='%s' must be a power of two MiB, from 1 to 2048", val);
                return -1;
            }
            o->engine.shadow_mem = mib << 20;
        } else if (KEY("l1-mem")) {
            char *end;
            errno = 0;
            unsigned long long mib = strtoull(val, &end, 10);
            if (errno || end == val || *end || mib < 64 || mib > (1ull << 24)) {
                snprintf(err, errlen, "rvnest: l1-mem='%s' must be a whole number of MiB, at least 64", val);
                return -1;
            }
            o->engine.l1_mem = mib << 20;
        } else if (KEY("stats")) {
            if (!*val) {
                snprintf(err, errlen, "rvnest: stats= needs a file name");
                return -1;
            }
            o->engine.stats_path = val;
        } else {
            snprintf(err, errlen, "rvnest: unknown option '%.*s'; options: %s", (int)klen, argv[i],
                     RVNEST_OPTIONS_HELP);
            return -1;
        }
#undef KEY
    }
    if (o->engine.shadow_mem && o->engine.shadow_mem * 2 > o->engine.l0_mem) {
        snprintf(err, errlen, "rvnest: shadow-mem=%llu needs l0-mem of at least %llu (the pool is aligned to its size inside L0 memory)",
                 (unsigned long long)(o->engine.shadow_mem >> 20),
                 (unsigned long long)(o->engine.shadow_mem >> 19));
        return -1;
    }
    return 0;
}
