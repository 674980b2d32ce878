/* CSR names for messages; the plugin's register table overrides this. */
#include <stddef.h>
#include "rvnest/csr.h"

__attribute__((weak)) const char *rvnest_csr_name(unsigned csr)
{
    (void)csr;
    return NULL;
}
