/* MIL conv (1 to 3 spatial dims) lowered to GEMM: per image and group, out[Og, P] = W[Og, Cg*Kp] * col,
 * where col[Cg*Kp, P] holds the input patch of every output position (im2col). A 1x1 kernel with stride 1
 * and no padding needs no col: the input itself is the [Cg, P] operand. */
#include "reference/ops_util.h"

#include <stdlib.h>

/* Bound on the im2col buffer (floats); wider outputs are processed in column tiles. */
enum { COL_BUDGET = 1 << 20 };

typedef struct conv_geom {
    int nd;
    int64_t in[3], kern[3], out[3], stride[3], pad_begin[3], dil[3];
    int64_t in_size, kern_size, out_size;
} conv_geom;

static void unravel(int64_t index, const int64_t *dims, int nd, int64_t *coord) {
    for (int d = nd - 1; d >= 0; d--) {
        coord[d] = index % dims[d];
        index /= dims[d];
    }
}

/* col[row, t] for output positions [t0, t0 + cols); rows are (channel, kernel offset) pairs of the group's
 * channels starting at x. Taps that fall in the padding read as 0. */
static void im2col(const conv_geom *g, const float *x, int64_t channels, int64_t t0, int64_t cols, float *col) {
    for (int64_t c = 0; c < channels; c++) {
        const float *xc = x + c * g->in_size;
        for (int64_t kk = 0; kk < g->kern_size; kk++) {
            int64_t k[3] = { 0, 0, 0 }, o[3] = { 0, 0, 0 };
            unravel(kk, g->kern, g->nd, k);
            unravel(t0, g->out, g->nd, o);
            float *dst = col + (c * g->kern_size + kk) * cols;
            for (int64_t t = 0; t < cols; t++) {
                int64_t off = 0;
                int inside = 1;
                /* i cannot overflow (the planner bounds the padded extent); off is formed only from indices
                 * inside the input, since a tap far in the padding times a row length could. */
                for (int d = 0; d < g->nd && inside; d++) {
                    int64_t i = o[d] * g->stride[d] - g->pad_begin[d] + k[d] * g->dil[d];
                    inside = i >= 0 && i < g->in[d];
                    off = off * g->in[d] + i;
                }
                dst[t] = inside ? xc[off] : 0.0f;
                for (int d = g->nd - 1; d >= 0 && ++o[d] == g->out[d]; d--) o[d] = 0;
            }
        }
    }
}

int ref_conv(const float *x, const ref_shape *xs, const float *w, const ref_shape *ws, const float *bias,
             const int64_t *strides, const int64_t *pad, const int64_t *dilations, int64_t groups,
             float *out, const ref_shape *os) {
    conv_geom g = { .nd = xs->rank - 2, .in_size = 1, .kern_size = 1, .out_size = 1 };
    int pointwise = 1;
    for (int d = 0; d < g.nd; d++) {
        g.in[d] = xs->dim[2 + d];
        g.kern[d] = ws->dim[2 + d];
        g.out[d] = os->dim[2 + d];
        g.stride[d] = strides[d];
        g.pad_begin[d] = pad[2 * d];
        g.dil[d] = dilations[d];
        g.in_size *= g.in[d];
        g.kern_size *= g.kern[d];
        g.out_size *= g.out[d];
        pointwise &= g.kern[d] == 1 && g.stride[d] == 1 && pad[2 * d] == 0 && pad[2 * d + 1] == 0;
    }
    int64_t batch = xs->dim[0], C = xs->dim[1], O = os->dim[1];
    int64_t Cg = C / groups, Og = O / groups, rows = Cg * g.kern_size;
    if (batch == 0 || O == 0 || g.out_size == 0) return 0;

    int64_t tile_cols = rows > 0 && COL_BUDGET / rows < g.out_size ? COL_BUDGET / rows : g.out_size;
    if (tile_cols < 1) tile_cols = 1;
    float *col = pointwise ? NULL : ops_alloc((size_t)(rows * tile_cols) * sizeof(float));
    if (!pointwise && !col) return -1;
    int rc = 0;
    for (int64_t n = 0; n < batch && rc == 0; n++) {
        for (int64_t gi = 0; gi < groups && rc == 0; gi++) {
            const float *xg = x + (n * C + gi * Cg) * g.in_size, *wg = w + gi * Og * rows;
            float *og = out + (n * O + gi * Og) * g.out_size;
            if (pointwise) {
                rc = ref_sgemm(0, 0, Og, g.out_size, Cg, wg, Cg, xg, g.in_size, og, g.out_size);
                continue;
            }
            for (int64_t t0 = 0; t0 < g.out_size && rc == 0; t0 += tile_cols) {
                int64_t cols = g.out_size - t0 < tile_cols ? g.out_size - t0 : tile_cols;
                im2col(&g, xg, Cg, t0, cols, col);
                rc = ref_sgemm(0, 0, Og, cols, rows, wg, rows, col, cols, og + t0, g.out_size);
            }
        }
    }
    free(col);
    if (rc || !bias) return rc;
    for (int64_t n = 0; n < batch; n++)
        for (int64_t o = 0; o < O; o++) {
            float *row = out + (n * O + o) * g.out_size;
            for (int64_t t = 0; t < g.out_size; t++) row[t] += bias[o];
        }
    return 0;
}
