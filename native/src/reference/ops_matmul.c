/* MIL matmul: batched GEMM with broadcast batch axes. */
#include "reference/ops_util.h"

int ref_matmul(const float *x, const ref_shape *xs, int transpose_x, const float *y, const ref_shape *ys,
               int transpose_y, float *out, const ref_shape *os) {
    int xr = xs->rank, yr = ys->rank, r = os->rank;
    int64_t M = os->dim[r - 2], N = os->dim[r - 1];
    int64_t K = transpose_x ? xs->dim[xr - 2] : xs->dim[xr - 1];
    int64_t lda = xs->dim[xr - 1], ldb = ys->dim[yr - 1];
    int64_t x_mat = xs->dim[xr - 2] * xs->dim[xr - 1], y_mat = ys->dim[yr - 2] * ys->dim[yr - 1];
    ref_shape xb = { .rank = xr - 2 }, yb = { .rank = yr - 2 }, ob = { .rank = r - 2 };
    for (int i = 0; i < xr - 2; i++) xb.dim[i] = xs->dim[i];
    for (int i = 0; i < yr - 2; i++) yb.dim[i] = ys->dim[i];
    for (int i = 0; i < r - 2; i++) ob.dim[i] = os->dim[i];
    int64_t batches = (int64_t)ref_shape_count(&ob);
    if (batches == 0 || M == 0 || N == 0) return 0;

    /* Every x batch against one shared y (a linear layer, a projection): one GEMM over all rows. */
    if (!transpose_x && ref_shape_count(&yb) == 1 && (int64_t)ref_shape_count(&xb) == batches)
        return ref_sgemm(0, transpose_y, batches * M, N, K, x, lda, y, ldb, out, N);
    ops_walk w = { .rank = ob.rank, .n = 2 };
    for (int i = 0; i < ob.rank; i++) w.dim[i] = ob.dim[i];
    ops_broadcast_strides(&xb, &ob, w.stride[0]);
    ops_broadcast_strides(&yb, &ob, w.stride[1]);
    for (int64_t b = 0; b < batches; b++) {
        int64_t off[2];
        ops_walk_offsets(&w, b, off);
        if (ref_sgemm(transpose_x, transpose_y, M, N, K, x + off[0] * x_mat, lda, y + off[1] * y_mat, ldb,
                      out + b * M * N, N))
            return -1;
    }
    return 0;
}
