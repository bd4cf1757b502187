/* Process-wide limits: values, defaults, the ABI accessors and the wording of limit errors. */
#include "limit.h"

#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>

#include "cache.h"
#include "error.h"

/* Each limit once: name after ANE_LIMIT_, unit, default, smallest and largest value. */
#define LIMITS(X)                                                                     \
    X(SURFACE_BYTES, "bytes", INT64_C(1) << 30, 1, INT64_MAX)                         \
    X(KERNEL_BYTES, "bytes", INT64_C(4) << 30, 1, INT64_MAX)                          \
    X(CONSTANT_ELEMENTS, "elements", INT64_C(1) << 28, 1, INT64_MAX)                  \
    X(STATEMENTS, "statements", 100000, 1, INT32_MAX)                                 \
    X(NESTING_DEPTH, "levels", 64, 1, INT32_MAX)                                      \
    X(LIST_ENTRIES, "entries", INT64_C(1) << 20, 1, INT32_MAX)                        \
    X(IDLE_CACHE_BYTES, "bytes", INT64_C(512) << 20, 0, INT64_MAX)

typedef struct limit_def {
    const char *name; /* without the ANE_LIMIT_ prefix: also the Java constant */
    const char *unit;
    int64_t default_value, min, max;
} limit_def;

#define DEF(id, unit, dflt, lo, hi) [ANE_LIMIT_##id] = {#id, unit, dflt, lo, hi},
static const limit_def defs[] = {LIMITS(DEF)};
#define N_LIMITS ((int)(sizeof defs / sizeof defs[0]))

#define VALUE(id, unit, dflt, lo, hi) [ANE_LIMIT_##id] = dflt,
static _Atomic int64_t values[N_LIMITS] = {LIMITS(VALUE)};

int64_t ane_limit_get(ane_limit which) { return atomic_load_explicit(&values[which], memory_order_relaxed); }

const char *ane_limit_exceeded(ane_limit which, char *buf, size_t n) {
    const limit_def *d = &defs[which];
    snprintf(buf, n, "exceeds ANE_LIMIT_%s = %" PRId64 " %s (raise it with ane_bridge_set_limit, in Java "
             "Limit.%s.set)", d->name, ane_limit_get(which), d->unit, d->name);
    return buf;
}

static int known(int limit, const char *fn) {
    if (limit >= 0 && limit < N_LIMITS) return 1;
    ane_error_set(ANE_ERR_INVALID_ARGUMENT, "%s: unknown limit %d (0 to %d)", fn, limit, N_LIMITS - 1);
    return 0;
}

int64_t ane_bridge_get_limit(int limit) {
    ane_error_clear();
    return known(limit, "get_limit") ? ane_limit_get((ane_limit)limit) : -1;
}

int64_t ane_bridge_default_limit(int limit) {
    ane_error_clear();
    return known(limit, "default_limit") ? defs[limit].default_value : -1;
}

int ane_bridge_set_limit(int limit, int64_t value) {
    ane_error_clear();
    if (!known(limit, "set_limit")) return -1;
    const limit_def *d = &defs[limit];
    if (value < d->min || value > d->max) {
        ane_error_set(ANE_ERR_INVALID_ARGUMENT, "set_limit: ANE_LIMIT_%s must be between %" PRId64 " and %" PRId64 ", got %" PRId64,
                      d->name, d->min, d->max, value);
        return -1;
    }
    atomic_store(&values[limit], value);
    if (limit == ANE_LIMIT_IDLE_CACHE_BYTES) ane_cache_trim();
    return 0;
}
