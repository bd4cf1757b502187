/* Kernels that reduce over a set of axes: reduce_*, softmax, layer_norm.
 *
 * Every pass walks x in memory order. Operand 0 of the walk is the index of the element's group (its
 * position with the reduced axes removed, i.e. where its statistic lives); operand 1 is its index within
 * the group's reduced axes (where its gamma / beta live). The innermost row then either stays in one group
 * (reducing along the last axis: group stride 0) or runs across consecutive groups (reducing along an outer
 * axis: group stride 1), so both layouts stream through memory. */
#include "reference/ops_util.h"

#include <math.h>
#include <stdlib.h>

typedef struct reduce_walk {
    ops_walk w;
    int64_t n_groups, n_red, rows, inner;
} reduce_walk;

static void reduce_walk_init(const ref_shape *s, unsigned mask, reduce_walk *rw) {
    ref_shape kept = *s, red = *s;
    for (int i = 0; i < s->rank; i++) {
        if ((mask >> i) & 1u) kept.dim[i] = 1;
        else red.dim[i] = 1;
    }
    rw->w = (ops_walk){ .rank = s->rank, .n = 2 };
    for (int i = 0; i < s->rank; i++) rw->w.dim[i] = s->dim[i];
    /* Broadcasting kept / red back to s gives exactly the strides wanted (0 on the other axes). */
    ops_broadcast_strides(&kept, s, rw->w.stride[0]);
    ops_broadcast_strides(&red, s, rw->w.stride[1]);
    ops_walk_coalesce(&rw->w);
    rw->n_groups = (int64_t)ref_shape_count(&kept);
    rw->n_red = (int64_t)ref_shape_count(&red);
    rw->inner = rw->w.dim[rw->w.rank - 1];
    rw->rows = (int64_t)ref_shape_count(s) / rw->inner;
}

static int64_t group_stride(const reduce_walk *rw) { return rw->w.stride[0][rw->w.rank - 1]; }
static int64_t red_stride(const reduce_walk *rw) { return rw->w.stride[1][rw->w.rank - 1]; }

/* max / min that propagate NaN like sum does */
static float max_nan(float acc, float v) { return v > acc || v != v ? v : acc; }
static float min_nan(float acc, float v) { return v < acc || v != v ? v : acc; }

static float combine(ref_reduce_op op, float acc, float v) {
    switch (op) {
    case REF_REDUCE_PROD: return acc * v;
    case REF_REDUCE_MAX: return max_nan(acc, v);
    case REF_REDUCE_MIN: return min_nan(acc, v);
    default: return acc + v;
    }
}

static float identity_of(ref_reduce_op op) {
    switch (op) {
    case REF_REDUCE_PROD: return 1.0f;
    case REF_REDUCE_MAX: return -INFINITY;
    case REF_REDUCE_MIN: return INFINITY;
    default: return 0.0f;
    }
}

/* One row reduced with 8 partial accumulators: eight independent chains instead of one keep the FP units
 * busy (and fix the summation order, independent of the CPU). */
static float reduce_row(ref_reduce_op op, const float *x, int64_t n) {
    float part[8];
    for (int j = 0; j < 8; j++) part[j] = identity_of(op);
    int64_t i = 0;
    /* One loop per op, so that each is straight-line code over the 8 lanes. */
    switch (op) {
    case REF_REDUCE_PROD:
        for (; i + 8 <= n; i += 8)
            for (int j = 0; j < 8; j++) part[j] *= x[i + j];
        break;
    case REF_REDUCE_MAX:
        for (; i + 8 <= n; i += 8)
            for (int j = 0; j < 8; j++) part[j] = max_nan(part[j], x[i + j]);
        break;
    case REF_REDUCE_MIN:
        for (; i + 8 <= n; i += 8)
            for (int j = 0; j < 8; j++) part[j] = min_nan(part[j], x[i + j]);
        break;
    default:
        for (; i + 8 <= n; i += 8)
            for (int j = 0; j < 8; j++) part[j] += x[i + j];
        break;
    }
    for (; i < n; i++) part[0] = combine(op, part[0], x[i]);
    float r = part[0];
    for (int j = 1; j < 8; j++) r = combine(op, r, part[j]);
    return r;
}

/* Sum of (x[i] - m)^2 over a row, the same way. */
static float sum_sq_dev_row(const float *x, int64_t n, float m) {
    float part[8] = { 0 };
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (int j = 0; j < 8; j++) part[j] += (x[i + j] - m) * (x[i + j] - m);
    for (; i < n; i++) part[0] += (x[i] - m) * (x[i] - m);
    float s = 0.0f;
    for (int j = 0; j < 8; j++) s += part[j];
    return s;
}

/* acc[g] = acc[g] op x for every element x of the tensor, g its group. */
static void accumulate(ref_reduce_op op, const float *x, const reduce_walk *rw, float *acc) {
    int64_t gs = group_stride(rw), n = rw->inner;
    for (int64_t row = 0; row < rw->rows; row++) {
        int64_t off[2];
        ops_walk_offsets(&rw->w, row * n, off);
        const float *xr = x + row * n;
        float *a = acc + off[0];
        if (gs == 0) { /* the whole row in one group */
            a[0] = combine(op, a[0], reduce_row(op, xr, n));
        } else {
            for (int64_t j = 0; j < n; j++) a[j] = combine(op, a[j], xr[j]);
        }
    }
}

void ref_reduce(ref_reduce_op op, const float *x, const ref_shape *s, unsigned axes_mask, float *out) {
    reduce_walk rw;
    reduce_walk_init(s, axes_mask, &rw);
    for (int64_t g = 0; g < rw.n_groups; g++) out[g] = identity_of(op);
    if (rw.n_red == 0) { /* empty reduction: the identity (mean of nothing is NaN) */
        if (op == REF_REDUCE_MEAN) for (int64_t g = 0; g < rw.n_groups; g++) out[g] = NAN;
        return;
    }
    if (rw.n_groups == 0) return;
    accumulate(op, x, &rw, out);
    if (op == REF_REDUCE_MEAN)
        for (int64_t g = 0; g < rw.n_groups; g++) out[g] /= (float)rw.n_red;
}

/* Softmax of one contiguous row, without scratch. out may be x. */
static void softmax_row(const float *x, float *out, int64_t n) {
    float m = reduce_row(REF_REDUCE_MAX, x, n);
    for (int64_t j = 0; j < n; j++) out[j] = x[j] - m;
    ops_exp_array(out, out, (size_t)n);
    float inv = 1.0f / reduce_row(REF_REDUCE_SUM, out, n);
    for (int64_t j = 0; j < n; j++) out[j] *= inv;
}

int ref_softmax(const float *x, const ref_shape *s, int axis, float *out) {
    if (ref_shape_count(s) == 0) return 0;
    if (ops_dims_product(s, axis + 1, s->rank) == 1) { /* the axis is innermost: one row per softmax */
        int64_t n = s->dim[axis], rows = ops_dims_product(s, 0, axis);
        for (int64_t r = 0; r < rows; r++) softmax_row(x + r * n, out + r * n, n);
        return 0;
    }
    /* An outer axis: each row of the walk runs across consecutive groups (group stride 1), whose max and
     * sum are kept in scratch. out may be x: each element is read before it is written. */
    reduce_walk rw;
    reduce_walk_init(s, 1u << axis, &rw);
    float *mx = ops_alloc((size_t)rw.n_groups * 2 * sizeof(float));
    if (!mx) return -1;
    float *sum = mx + rw.n_groups;
    for (int64_t g = 0; g < rw.n_groups; g++) mx[g] = -INFINITY, sum[g] = 0.0f;
    accumulate(REF_REDUCE_MAX, x, &rw, mx);
    int64_t n = rw.inner;
    for (int64_t row = 0; row < rw.rows; row++) {
        int64_t off[2];
        ops_walk_offsets(&rw.w, row * n, off);
        const float *xr = x + row * n, *m = mx + off[0];
        float *orow = out + row * n;
        for (int64_t j = 0; j < n; j++) orow[j] = xr[j] - m[j];
        ops_exp_array(orow, orow, (size_t)n);
    }
    accumulate(REF_REDUCE_SUM, out, &rw, sum);
    for (int64_t g = 0; g < rw.n_groups; g++) sum[g] = 1.0f / sum[g];
    for (int64_t row = 0; row < rw.rows; row++) {
        int64_t off[2];
        ops_walk_offsets(&rw.w, row * n, off);
        float *orow = out + row * n;
        const float *inv = sum + off[0];
        for (int64_t j = 0; j < n; j++) orow[j] *= inv[j];
    }
    free(mx);
    return 0;
}

int ref_layer_norm(const float *x, const ref_shape *s, unsigned axes_mask, const float *gamma,
                   const float *beta, float eps, float *out) {
    reduce_walk rw;
    reduce_walk_init(s, axes_mask, &rw);
    if (rw.n_red == 0 || rw.n_groups == 0) return 0;
    float *mean = ops_alloc((size_t)rw.n_groups * 2 * sizeof(float));
    if (!mean) return -1;
    float *inv = mean + rw.n_groups;
    for (int64_t g = 0; g < rw.n_groups; g++) mean[g] = 0.0f, inv[g] = 0.0f;
    accumulate(REF_REDUCE_SUM, x, &rw, mean);
    for (int64_t g = 0; g < rw.n_groups; g++) mean[g] /= (float)rw.n_red;
    int64_t gs = group_stride(&rw), rs = red_stride(&rw), n = rw.inner;
    /* Variance from the centred values (two passes): no cancellation when |mean| >> stddev. */
    for (int64_t row = 0; row < rw.rows; row++) {
        int64_t off[2];
        ops_walk_offsets(&rw.w, row * n, off);
        const float *xr = x + row * n, *m = mean + off[0];
        float *v = inv + off[0];
        if (gs == 0) {
            v[0] += sum_sq_dev_row(xr, n, m[0]);
            continue;
        }
        for (int64_t j = 0; j < n; j++) {
            float d = xr[j] - m[j];
            v[j] += d * d;
        }
    }
    for (int64_t g = 0; g < rw.n_groups; g++) inv[g] = 1.0f / sqrtf(inv[g] / (float)rw.n_red + eps);
    for (int64_t row = 0; row < rw.rows; row++) {
        int64_t off[2];
        ops_walk_offsets(&rw.w, row * n, off);
        const float *xr = x + row * n, *m = mean + off[0], *iv = inv + off[0];
        float *orow = out + row * n;
        for (int64_t j = 0; j < n; j++) {
            float v = (xr[j] - m[j * gs]) * iv[j * gs];
            if (gamma) v *= gamma[off[1] + j * rs];
            if (beta) v += beta[off[1] + j * rs];
            orow[j] = v;
        }
    }
    free(mean);
    return 0;
}
