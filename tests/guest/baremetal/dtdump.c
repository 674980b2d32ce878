/* Prints the device tree L1 receives (a1 at the entry into HS), byte for
 * byte, so that tests/guest/t-dt-native-vs-nested.sh can compare the tree
 * of a native machine with the one rvnest gives L1: its address, the
 * header's totalsize, then "dtb: OFFSET HEX" lines of 32 bytes each. */
#include "lib.h"

int main(unsigned long hartid, unsigned long fdt)
{
    (void)hartid;
    const unsigned char *p = (const unsigned char *)fdt;
    uint32_t total = be32(p + 4);
    print("dtdump: magic %x totalsize %d\n", (uint64_t)be32(p), (long)total);
    /* The address: where QEMU puts the tree natively (top of RAM, 2 MiB
     * aligned), which L1 can see too. */
    print("dtdump: at %x\n", (uint64_t)fdt);
    if (be32(p) != 0xd00dfeed || total > (1u << 20)) {
        print("dtdump: FAIL: no device tree\n");
        shutdown();
    }
    static const char hex[] = "0123456789abcdef";
    for (uint32_t off = 0; off < total; off += 32) {
        char buf[80];
        int n = 0;
        for (uint32_t i = off; i < off + 32 && i < total; i++) {
            buf[n++] = hex[p[i] >> 4];
            buf[n++] = hex[p[i] & 15];
        }
        buf[n] = 0;
        print("dtb: %x %s\n", (uint64_t)off, buf);
    }
    print("dtdump: done\n");
    shutdown();
    return 0;
}
