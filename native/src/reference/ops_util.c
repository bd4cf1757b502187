/* Strided walks over tensors and scratch allocation for the reference kernels. */
#include "reference/ops_util.h"

#include <stdatomic.h>
#include <stdlib.h>

size_t ref_shape_count(const ref_shape *s) {
    size_t n = 1;
    for (int i = 0; i < s->rank; i++) n *= (size_t)s->dim[i];
    return n;
}

int64_t ops_dims_product(const ref_shape *s, int from, int to) {
    int64_t n = 1;
    for (int i = from; i < to; i++) n *= s->dim[i];
    return n;
}

void ops_strides(const ref_shape *s, int64_t *stride) {
    int64_t st = 1;
    for (int i = s->rank - 1; i >= 0; i--) {
        stride[i] = st;
        st *= s->dim[i];
    }
}

void ops_broadcast_strides(const ref_shape *s, const ref_shape *os, int64_t *stride) {
    int64_t own[REF_MAX_RANK];
    ops_strides(s, own);
    int lead = os->rank - s->rank;
    for (int i = 0; i < os->rank; i++) {
        int j = i - lead;
        stride[i] = (j < 0 || s->dim[j] == 1) ? 0 : own[j];
    }
}

void ops_walk_coalesce(ops_walk *w) {
    int r = 0;
    for (int i = 0; i < w->rank; i++) {
        if (w->dim[i] == 1) continue;
        int merge = r > 0;
        for (int k = 0; k < w->n && merge; k++)
            merge = w->stride[k][r - 1] == w->stride[k][i] * w->dim[i];
        if (merge) {
            w->dim[r - 1] *= w->dim[i];
            for (int k = 0; k < w->n; k++) w->stride[k][r - 1] = w->stride[k][i];
        } else {
            w->dim[r] = w->dim[i];
            for (int k = 0; k < w->n; k++) w->stride[k][r] = w->stride[k][i];
            r++;
        }
    }
    if (r == 0) {
        w->dim[0] = 1;
        for (int k = 0; k < w->n; k++) w->stride[k][0] = 0;
        r = 1;
    }
    w->rank = r;
}

void ops_walk_offsets(const ops_walk *w, int64_t index, int64_t *off) {
    for (int k = 0; k < w->n; k++) off[k] = 0;
    for (int i = w->rank - 1; i >= 0 && index > 0; i--) {
        int64_t q = index / w->dim[i], c = index - q * w->dim[i];
        for (int k = 0; k < w->n; k++) off[k] += c * w->stride[k][i];
        index = q;
    }
}

static _Atomic long allocations_left = -1; /* the test hook: < 0 = off */
static __thread size_t failed_bytes;

void ref_ops_fail_allocations_after(long n) { atomic_store(&allocations_left, n < 0 ? -1 : n); }

/* Takes one allocation from the hook's allowance; 0 when none is left. */
static int hook_allows(void) {
    long left = atomic_load_explicit(&allocations_left, memory_order_relaxed);
    while (left > 0 && !atomic_compare_exchange_weak(&allocations_left, &left, left - 1)) {}
    return left != 0;
}

void *ops_alloc(size_t bytes) {
    void *p = NULL;
    if (!hook_allows() || posix_memalign(&p, 64, bytes ? bytes : 1) != 0) {
        failed_bytes = bytes;
        return NULL;
    }
    return p;
}

size_t ref_scratch_failed_bytes(void) { return failed_bytes; }
