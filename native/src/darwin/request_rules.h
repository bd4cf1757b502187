/* How the Neural Engine reads the surfaces of a request, as the ANE backend allocates and binds them. Each
 * rule comes from reports of other projects that drive the same private framework (sources below and in
 * README.md "Assumptions"); none has been verified on a Mac by ane4j yet. The rules live here, in one
 * place, so that one line changes if the hardware says otherwise. Plain C: built and tested everywhere.
 *
 *   order      The request binds inputs in ascending byte order of their MIL parameter names and outputs
 *              in ascending byte order of their returned variable names, not in declaration order (mechramc/
 *              Orion docs/ane_constraints.md §3 and §13: all 6 permutations of 3 inputs tried on M4 Max, only
 *              the sorted one correct; AmiraniLabs/libane src/runtime/ane_runtime.mm ane_execute_multi
 *              sorts with std::string's operator<, i.e. by bytes).
 *   equal      Every input surface of one request has the same allocation size, likewise every output
 *              surface; otherwise eval fails with status 0x1d (Orion §2 and §12; libane refuses mismatched
 *              sizes before eval). The ANE reads each tensor packed from offset 0 whatever the allocation
 *              (Orion §14), so padding goes at the end.
 *   minimum    Allocations under 49,152 bytes failed at eval with 0x1d (Orion §4, one machine).
 *
 * The ABI and Java keep declaration order and tensor sizes; only the backend's request and allocations
 * follow these rules. */
#ifndef ANE4J_DARWIN_REQUEST_RULES_H
#define ANE4J_DARWIN_REQUEST_RULES_H

#include <stddef.h>

/* Orion §4: [768, 16] fp16 was the smallest surface that evaluated. */
#define ANE_REQUEST_MIN_ALLOCATION ((size_t)49152)

typedef struct ane_request_rules {
    int order_by_name;     /* 1: sorted by name (above); 0: declaration order                           */
    int equal_allocations; /* 1: one allocation size per group (the largest tensor); 0: each its own    */
    size_t min_allocation; /* no allocation is smaller than this                                         */
} ane_request_rules;

/* The rules the backend follows. Not an API: only the hardware tests change them, to observe what the
 * hardware does without one of them. */
extern ane_request_rules ane_request_rules_in_use;

/* order[k] = the declaration index of the tensor that goes at position k of the request (n >= 0). Ties
 * (equal names) keep declaration order. */
void ane_request_order(const ane_request_rules *rules, const char *const *names, int n, int *order);

/* capacities[i] = the bytes to allocate for tensor i of a group (a kernel's inputs, or its outputs) whose
 * tensors take sizes[0..n-1] bytes: never less than sizes[i]. */
void ane_request_capacities(const ane_request_rules *rules, const size_t *sizes, int n, size_t *capacities);

#endif
