/* Data movement kernels: transpose, slice, concat, band_part, gather. */
#include "reference/ops_util.h"

#include <string.h>

enum { TILE = 32 };

/* out[r, c] = x[r + c*s] for an R x C block: a 2-D transpose, done in tiles so that both the strided reads
 * and the writes stay within a few cache lines. */
static void transpose_tiled(const float *x, int64_t s, int64_t R, int64_t C, float *out) {
    for (int64_t r0 = 0; r0 < R; r0 += TILE)
        for (int64_t c0 = 0; c0 < C; c0 += TILE)
            for (int64_t r = r0; r < r0 + TILE && r < R; r++)
                for (int64_t c = c0; c < c0 + TILE && c < C; c++) out[r * C + c] = x[r + c * s];
}

/* Copies the walk's elements (operand 0 = source offsets) into out in row-major walk order. */
static void copy_walk(const float *x, ops_walk *w, size_t count, float *out) {
    ops_walk_coalesce(w);
    int64_t inner = w->dim[w->rank - 1], s = w->stride[0][w->rank - 1];
    if (s != 1 && w->rank >= 2 && w->stride[0][w->rank - 2] == 1) {
        int64_t rows = w->dim[w->rank - 2], block = rows * inner;
        for (int64_t b = 0; b < (int64_t)count / block; b++) {
            int64_t off;
            ops_walk_offsets(w, b * block, &off);
            transpose_tiled(x + off, s, rows, inner, out + b * block);
        }
        return;
    }
    for (int64_t row = 0; row < (int64_t)count / inner; row++) {
        int64_t off;
        ops_walk_offsets(w, row * inner, &off);
        const float *src = x + off;
        float *dst = out + row * inner;
        if (s == 1) {
            memcpy(dst, src, (size_t)inner * sizeof(float));
        } else {
            for (int64_t i = 0; i < inner; i++) dst[i] = src[i * s];
        }
    }
}

void ref_transpose(const float *x, const ref_shape *s, const int *perm, float *out) {
    size_t count = ref_shape_count(s);
    if (count == 0) return;
    int64_t st[REF_MAX_RANK];
    ops_strides(s, st);
    ops_walk w = { .rank = s->rank, .n = 1 };
    for (int i = 0; i < s->rank; i++) {
        w.dim[i] = s->dim[perm[i]];
        w.stride[0][i] = st[perm[i]];
    }
    copy_walk(x, &w, count, out);
}

void ref_slice(const float *x, const ref_shape *s, const int64_t *begin, const int64_t *stride,
               float *out, const ref_shape *os) {
    size_t count = ref_shape_count(os);
    if (count == 0) return;
    int64_t st[REF_MAX_RANK], base = 0;
    ops_strides(s, st);
    ops_walk w = { .rank = os->rank, .n = 1 };
    for (int i = 0; i < os->rank; i++) {
        w.dim[i] = os->dim[i];
        w.stride[0][i] = st[i] * stride[i];
        base += begin[i] * st[i];
    }
    copy_walk(x + base, &w, count, out);
}

void ref_concat(const float *const *xs, const ref_shape *shapes, int n, int axis, int interleave,
                float *out) {
    int64_t outer = ops_dims_product(&shapes[0], 0, axis);
    int64_t inner = ops_dims_product(&shapes[0], axis + 1, shapes[0].rank);
    for (int64_t o = 0; o < outer; o++) {
        if (interleave) {
            int64_t d = shapes[0].dim[axis];
            for (int64_t j = 0; j < d; j++) {
                for (int t = 0; t < n; t++) {
                    memcpy(out, xs[t] + (o * d + j) * inner, (size_t)inner * sizeof(float));
                    out += inner;
                }
            }
        } else {
            for (int t = 0; t < n; t++) {
                int64_t chunk = shapes[t].dim[axis] * inner;
                memcpy(out, xs[t] + o * chunk, (size_t)chunk * sizeof(float));
                out += chunk;
            }
        }
    }
}

void ref_band_part(const float *x, const ref_shape *s, int64_t lower, int64_t upper, float *out) {
    int64_t rows = s->dim[s->rank - 2], cols = s->dim[s->rank - 1];
    int64_t mats = ops_dims_product(s, 0, s->rank - 2);
    for (int64_t b = 0; b < mats; b++) {
        for (int64_t m = 0; m < rows; m++) {
            for (int64_t n = 0; n < cols; n++) {
                int keep = (lower < 0 || m - n <= lower) && (upper < 0 || n - m <= upper);
                int64_t i = (b * rows + m) * cols + n;
                out[i] = keep ? x[i] : 0.0f;
            }
        }
    }
}

int ref_gather(const float *x, const ref_shape *xs, const float *idx, const ref_shape *is, int axis,
               float *out) {
    int64_t outer = ops_dims_product(xs, 0, axis), d = xs->dim[axis];
    int64_t inner = ops_dims_product(xs, axis + 1, xs->rank);
    int64_t n_idx = (int64_t)ref_shape_count(is);
    for (int64_t o = 0; o < outer; o++) {
        for (int64_t t = 0; t < n_idx; t++) {
            float v = idx[t];
            /* Checked as a float first: casting NaN or a huge value to an integer is undefined. */
            if (!(v >= (float)-d && v < (float)d)) return -1;
            int64_t i = (int64_t)v;
            if (i < 0) i += d;
            if (i < 0 || i >= d) return -1;
            memcpy(out, x + (o * d + i) * inner, (size_t)inner * sizeof(float));
            out += inner;
        }
    }
    return 0;
}
