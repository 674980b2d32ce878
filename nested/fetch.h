#ifndef RVNEST_NESTED_FETCH_H
#define RVNEST_NESTED_FETCH_H
#include <stdbool.h>
#include <stdint.h>
struct rvnest_vcpu;
bool rvnest_fetch_l1_insn(struct rvnest_vcpu *vc, uint64_t va, uint32_t *insn);
#endif
