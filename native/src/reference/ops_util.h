/* Helpers shared by the reference kernels (internal to ops_*.c and sgemm*.c). */
#ifndef ANE4J_REF_OPS_UTIL_H
#define ANE4J_REF_OPS_UTIL_H

#include "reference/ops.h"

/* A walk visits the elements of a dims array in row-major order, tracking for each of up to
 * OPS_WALK_MAX operands an element offset (strides may be 0 to broadcast, or negative). */
#define OPS_WALK_MAX 3
typedef struct ops_walk {
    int rank, n;
    int64_t dim[REF_MAX_RANK];
    int64_t stride[OPS_WALK_MAX][REF_MAX_RANK];
} ops_walk;

/* Row-major element strides of s. */
void ops_strides(const ref_shape *s, int64_t *stride);
/* Strides of s seen through the broadcast shape os (right-aligned; size-1 and missing axes get 0). */
void ops_broadcast_strides(const ref_shape *s, const ref_shape *os, int64_t *stride);
/* Drops size-1 dims and merges neighbours contiguous in every operand, so inner loops get long. Leaves
 * rank >= 1. */
void ops_walk_coalesce(ops_walk *w);
/* Offsets of every operand at element `index` of the walk (row-major over w->dim). */
void ops_walk_offsets(const ops_walk *w, int64_t index, int64_t *off);
/* out[i] = exp(x[i]) (out may be x), vectorised where the CPU allows, within 2 ulp; results below FLT_MIN
 * may be flushed to 0. */
void ops_exp_array(const float *x, float *out, size_t n);
/* Product of dims [from, to). */
int64_t ops_dims_product(const ref_shape *s, int from, int to);
/* 64-byte aligned malloc (release with free) for kernel scratch. NULL when out of memory, after recording
 * the size for ref_scratch_failed_bytes(). */
void *ops_alloc(size_t bytes);
/* Test hook: the next n calls of ops_alloc succeed (when memory allows) and every later one fails, until
 * the hook is set again; n < 0 (the default) turns the hook off. */
void ref_ops_fail_allocations_after(long n);

#endif
