/* The ANE backend's request rules (see request_rules.h). */
#include "darwin/request_rules.h"

#include <string.h>

ane_request_rules ane_request_rules_in_use = {
    .order_by_name = 1,
    .equal_allocations = 1,
    .min_allocation = ANE_REQUEST_MIN_ALLOCATION,
};

void ane_request_order(const ane_request_rules *rules, const char *const *names, int n, int *order) {
    for (int i = 0; i < n; i++) order[i] = i;
    if (!rules->order_by_name) return;
    for (int i = 1; i < n; i++) { /* insertion sort: stable, and requests hold a handful of tensors */
        int moving = order[i], j = i;
        for (; j > 0 && strcmp(names[order[j - 1]], names[moving]) > 0; j--) order[j] = order[j - 1];
        order[j] = moving;
    }
}

void ane_request_capacities(const ane_request_rules *rules, const size_t *sizes, int n, size_t *capacities) {
    size_t largest = 0;
    for (int i = 0; i < n; i++)
        if (sizes[i] > largest) largest = sizes[i];
    for (int i = 0; i < n; i++) {
        size_t c = rules->equal_allocations ? largest : sizes[i];
        capacities[i] = c > rules->min_allocation ? c : rules->min_allocation;
    }
}
