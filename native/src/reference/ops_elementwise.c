/* Elementwise kernels: broadcasting binary ops and unary activations. */
#include "reference/ops_util.h"

#include <math.h>

int ref_broadcast_shape(const ref_shape *a, const ref_shape *b, ref_shape *out) {
    int rank = a->rank > b->rank ? a->rank : b->rank;
    ref_shape r = { .rank = rank };
    for (int i = 0; i < rank; i++) {
        int ia = i - (rank - a->rank), ib = i - (rank - b->rank);
        int64_t da = ia < 0 ? 1 : a->dim[ia], db = ib < 0 ? 1 : b->dim[ib];
        if (da != db && da != 1 && db != 1) return -1;
        r.dim[i] = da == 1 ? db : da;
    }
    *out = r;
    return 0;
}

/* One row of the broadcast walk: sx / sy are 0 (broadcast) or 1. maximum / minimum propagate NaN. */
static void binary_row(ref_binop op, const float *x, int64_t sx, const float *y, int64_t sy, float *out,
                       int64_t n) {
    switch (op) {
    case REF_ADD: for (int64_t i = 0; i < n; i++) out[i] = x[i * sx] + y[i * sy]; break;
    case REF_SUB: for (int64_t i = 0; i < n; i++) out[i] = x[i * sx] - y[i * sy]; break;
    case REF_MUL: for (int64_t i = 0; i < n; i++) out[i] = x[i * sx] * y[i * sy]; break;
    case REF_DIV: for (int64_t i = 0; i < n; i++) out[i] = x[i * sx] / y[i * sy]; break;
    case REF_POW: for (int64_t i = 0; i < n; i++) out[i] = powf(x[i * sx], y[i * sy]); break;
    case REF_MAXIMUM:
        for (int64_t i = 0; i < n; i++) { float a = x[i * sx], b = y[i * sy]; out[i] = a > b || a != a ? a : b; }
        break;
    case REF_MINIMUM:
        for (int64_t i = 0; i < n; i++) { float a = x[i * sx], b = y[i * sy]; out[i] = a < b || a != a ? a : b; }
        break;
    }
}

void ref_binary(ref_binop op, const float *x, const ref_shape *xs, const float *y, const ref_shape *ys,
                float *out, const ref_shape *os) {
    size_t count = ref_shape_count(os);
    if (count == 0) return;
    ops_walk w = { .rank = os->rank, .n = 2 };
    for (int i = 0; i < os->rank; i++) w.dim[i] = os->dim[i];
    ops_broadcast_strides(xs, os, w.stride[0]);
    ops_broadcast_strides(ys, os, w.stride[1]);
    ops_walk_coalesce(&w);
    int64_t inner = w.dim[w.rank - 1], sx = w.stride[0][w.rank - 1], sy = w.stride[1][w.rank - 1];
    for (int64_t row = 0; row < (int64_t)count / inner; row++) {
        int64_t off[2];
        ops_walk_offsets(&w, row * inner, off);
        binary_row(op, x + off[0], sx, y + off[1], sy, out + row * inner, inner);
    }
}

/* The logistic family: out = num / (1 + exp(-z)) with num = 1 (sigmoid) or x, and z = x, 1.702 x, or the
 * tanh-GELU argument 2 sqrt(2/pi) (x + 0.044715 x^3) (as 0.5 (1 + tanh u) = sigmoid(2u)). The exps go through
 * ops_exp_array a block at a time. */
static void logistic(ref_unop op, const float *x, float *out, size_t n) {
    const float two_sqrt_2_over_pi = 1.59576912161f;
    float t[256];
    for (size_t i0 = 0; i0 < n; i0 += 256) {
        size_t m = n - i0 < 256 ? n - i0 : 256;
        const float *xb = x + i0;
        for (size_t j = 0; j < m; j++) {
            float v = xb[j];
            t[j] = op == REF_GELU_SIGMOID ? -1.702f * v
                 : op == REF_GELU_TANH ? -two_sqrt_2_over_pi * (v + 0.044715f * v * v * v) : -v;
        }
        ops_exp_array(t, t, m);
        for (size_t j = 0; j < m; j++) out[i0 + j] = (op == REF_SIGMOID ? 1.0f : xb[j]) / (1.0f + t[j]);
    }
}

void ref_unary(ref_unop op, const float *x, float *out, size_t n, float param) {
    const float sqrt_half = 0.70710678118654752f;
    switch (op) {
    case REF_IDENTITY: for (size_t i = 0; i < n; i++) out[i] = x[i]; break;
    case REF_RELU: for (size_t i = 0; i < n; i++) out[i] = x[i] > 0.0f ? x[i] : 0.0f; break;
    case REF_TANH: for (size_t i = 0; i < n; i++) out[i] = tanhf(x[i]); break;
    case REF_EXP: ops_exp_array(x, out, n); break;
    case REF_SQRT: for (size_t i = 0; i < n; i++) out[i] = sqrtf(x[i]); break;
    case REF_RSQRT: for (size_t i = 0; i < n; i++) out[i] = 1.0f / sqrtf(x[i] + param); break;
    case REF_SIGMOID: case REF_SILU: case REF_GELU_SIGMOID: case REF_GELU_TANH: logistic(op, x, out, n); break;
    case REF_GELU_EXACT:
        for (size_t i = 0; i < n; i++) out[i] = 0.5f * x[i] * (1.0f + erff(x[i] * sqrt_half));
        break;
    case REF_NEG: for (size_t i = 0; i < n; i++) out[i] = -x[i]; break;
    case REF_ABS: for (size_t i = 0; i < n; i++) out[i] = fabsf(x[i]); break;
    }
}
