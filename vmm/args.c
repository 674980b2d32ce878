/* rvnest-vmm: command-line parsing (portable, unit-tested on the host). */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "vmm.h"

void print_usage(FILE *f)
{
    fprintf(f,
        "usage: " VMM_NAME " --kernel FILE [options]\n"
        "Runs a RISC-V guest under KVM (/dev/kvm).\n"
        "\n"
        "  -k, --kernel FILE       Linux Image, ELF or raw binary to boot (required)\n"
        "  -i, --initrd FILE       initramfs to pass to the kernel\n"
        "  -a, --append STR        kernel command line (e.g. \"console=hvc0\")\n"
        "  -m, --mem SIZE          guest RAM, e.g. 256M or 1G (default 256M, min 32M)\n"
        "  -c, --cpus N            number of vCPUs, 1-%d (default 1)\n"
        "      --kernel-format F   auto|image|elf|bin (default auto: Image or ELF)\n"
        "      --timeout SECS      stop the guest and fail after SECS seconds\n"
        "      --no-reboot         exit (status 2) when the guest asks for a reboot\n"
        "      --dtb-out FILE      also write the generated device tree to FILE\n"
        "      --dirty-log MS      log dirty pages of guest RAM from the start and collect\n"
        "                          the log every MS milliseconds (0: log, collect nothing)\n"
        "      --dirty-log-mode M  auto|get|clear: KVM_GET_DIRTY_LOG alone (get) or with\n"
        "                          KVM_CLEAR_DIRTY_LOG (clear); auto: clear if KVM offers it\n"
        "  -s, --stats             print boot time and exit counters at the end\n"
        "  -h, --help              this text\n"
        "  -V, --version           print the version\n"
        "\n"
        "Exit status: 0 guest powered off, 1 runtime error or guest failure,\n"
        "2 bad arguments or guest reboot with --no-reboot, 124 timeout.\n",
        GUEST_MAX_CPUS);
}

int parse_size(const char *s, uint64_t *out)
{
    if (!s || !*s || *s == '-' || *s == '+')
        return -1;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s)
        return -1;
    unsigned shift = 0;
    switch (*end) {
    case '\0': break;
    case 'k': case 'K': shift = 10; end++; break;
    case 'm': case 'M': shift = 20; end++; break;
    case 'g': case 'G': shift = 30; end++; break;
    default: return -1;
    }
    if (shift && (*end == 'i' || *end == 'I') && (end[1] == 'B' || end[1] == 'b'))
        end += 2;           /* accept "MiB" */
    else if (shift && (*end == 'B' || *end == 'b'))
        end++;              /* accept "MB" as MiB */
    if (*end != '\0' || v == 0)
        return -1;
    if (shift && v > (UINT64_MAX >> shift))
        return -1;
    *out = (uint64_t)v << shift;
    return 0;
}

/* Formats a one-line error message into err; returns -1. */
int fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

static int parse_uint(const char *s, unsigned min, unsigned max, unsigned *out)
{
    if (!s || *s < '0' || *s > '9')
        return -1;
    errno = 0;
    char *end;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || *end || v < min || v > max)
        return -1;
    *out = (unsigned)v;
    return 0;
}

enum { OPT_FORMAT = 256, OPT_TIMEOUT, OPT_NO_REBOOT, OPT_DTB_OUT, OPT_DIRTY_LOG, OPT_DIRTY_LOG_MODE };

int parse_args(int argc, char **argv, struct vmm_options *opts, char *err, size_t errlen)
{
    static const struct option longopts[] = {
        { "kernel", required_argument, NULL, 'k' },
        { "initrd", required_argument, NULL, 'i' },
        { "append", required_argument, NULL, 'a' },
        { "mem", required_argument, NULL, 'm' },
        { "cpus", required_argument, NULL, 'c' },
        { "kernel-format", required_argument, NULL, OPT_FORMAT },
        { "timeout", required_argument, NULL, OPT_TIMEOUT },
        { "no-reboot", no_argument, NULL, OPT_NO_REBOOT },
        { "dtb-out", required_argument, NULL, OPT_DTB_OUT },
        { "dirty-log", required_argument, NULL, OPT_DIRTY_LOG },
        { "dirty-log-mode", required_argument, NULL, OPT_DIRTY_LOG_MODE },
        { "stats", no_argument, NULL, 's' },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },
        { NULL, 0, NULL, 0 },
    };
    *opts = (struct vmm_options){
        .append = "", .mem_size = 256ULL << 20, .cpus = 1, .format = KERNEL_AUTO,
    };
    /* Reset getopt so that the parser can be called more than once (tests). */
    optind = 0;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":k:i:a:m:c:shV", longopts, NULL)) != -1) {
        switch (c) {
        case 'k': opts->kernel = optarg; break;
        case 'i': opts->initrd = optarg; break;
        case 'a': opts->append = optarg; break;
        case 'm':
            if (parse_size(optarg, &opts->mem_size))
                return fail(err, errlen, "invalid --mem '%s': expected a size like 256M or 1G", optarg);
            break;
        case 'c':
            if (parse_uint(optarg, 1, GUEST_MAX_CPUS, &opts->cpus))
                return fail(err, errlen, "invalid --cpus '%s': expected 1 to %d", optarg, GUEST_MAX_CPUS);
            break;
        case OPT_FORMAT:
            if (!strcmp(optarg, "auto")) opts->format = KERNEL_AUTO;
            else if (!strcmp(optarg, "image")) opts->format = KERNEL_IMAGE;
            else if (!strcmp(optarg, "elf")) opts->format = KERNEL_ELF;
            else if (!strcmp(optarg, "bin")) opts->format = KERNEL_BIN;
            else return fail(err, errlen, "invalid --kernel-format '%s': expected auto, image, elf or bin", optarg);
            break;
        case OPT_TIMEOUT:
            if (parse_uint(optarg, 1, 86400, &opts->timeout_s))
                return fail(err, errlen, "invalid --timeout '%s': expected seconds, 1 to 86400", optarg);
            break;
        case OPT_NO_REBOOT: opts->no_reboot = true; break;
        case OPT_DTB_OUT: opts->dtb_out = optarg; break;
        case OPT_DIRTY_LOG:
            if (parse_uint(optarg, 0, 600000, &opts->dirty_log_ms))
                return fail(err, errlen, "invalid --dirty-log '%s': expected milliseconds, 0 to 600000", optarg);
            opts->dirty_log = true;
            break;
        case OPT_DIRTY_LOG_MODE:
            if (!strcmp(optarg, "auto")) opts->dirty_log_mode = DIRTY_LOG_AUTO;
            else if (!strcmp(optarg, "get")) opts->dirty_log_mode = DIRTY_LOG_GET;
            else if (!strcmp(optarg, "clear")) opts->dirty_log_mode = DIRTY_LOG_CLEAR;
            else return fail(err, errlen, "invalid --dirty-log-mode '%s': expected auto, get or clear", optarg);
            break;
        case 's': opts->stats = true; break;
        case 'h': opts->help = true; return 0;
        case 'V': opts->version = true; return 0;
        case ':':
            return fail(err, errlen, "option '%s' needs a value", argv[optind - 1]);
        default:
            return fail(err, errlen, "unknown option '%s' (try --help)", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return fail(err, errlen, "unexpected argument '%s' (try --help)", argv[optind]);
    if (!opts->kernel || !*opts->kernel)
        return fail(err, errlen, "no kernel given: use --kernel FILE (try --help)");
    if (opts->mem_size < GUEST_MEM_MIN)
        return fail(err, errlen, "too little memory: --mem %" PRIu64 "K is below the minimum of %lluM",
                    opts->mem_size >> 10, GUEST_MEM_MIN >> 20);
    if (opts->mem_size > (GUEST_RAM_BASE << 6))
        return fail(err, errlen, "too much memory: --mem is limited to %lluG",
                    (GUEST_RAM_BASE << 6) >> 30);
    if (opts->mem_size & 0xfff)
        return fail(err, errlen, "invalid --mem: must be a multiple of 4K");
    return 0;
}
