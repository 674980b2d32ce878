/* rvnest-vmm: a small KVM userspace for RISC-V guests (entry point). */
#include <stdio.h>

#include "vmm.h"

int main(int argc, char **argv)
{
    struct vmm_options opts;
    char err[512];
    setvbuf(stdout, NULL, _IONBF, 0);
    if (parse_args(argc, argv, &opts, err, sizeof(err))) {
        fprintf(stderr, VMM_NAME ": %s\n", err);
        return 2;
    }
    if (opts.help) {
        print_usage(stdout);
        return 0;
    }
    if (opts.version) {
        printf(VMM_NAME " " VMM_VERSION "\n");
        return 0;
    }
    return vm_run(&opts);
}
