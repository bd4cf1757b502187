/* scaled_dot_product_attention: per batch, scores = q k^T / sqrt(E) + mask, softmax over keys, times v.
 * Query rows are processed in tiles so the score buffer stays bounded for long sequences. */
#include "reference/ops_util.h"

#include <math.h>
#include <stdlib.h>

enum { SCORE_BUDGET = 1 << 18 }; /* floats */

int ref_sdpa(const float *q, const ref_shape *qs, const float *k, const ref_shape *ks, const float *v,
             const ref_shape *vs, const float *mask, const ref_shape *ms, int mask_is_bool,
             float *out, const ref_shape *os) {
    int r = qs->rank;
    int64_t L = qs->dim[r - 2], E = qs->dim[r - 1], S = ks->dim[r - 2], Ev = vs->dim[r - 1];
    int64_t batches = ops_dims_product(qs, 0, r - 2);
    if (batches == 0 || L == 0 || Ev == 0) return 0;
    float scale = 1.0f / sqrtf((float)E);

    /* The mask seen through the full score shape [B..., L, S]. */
    ref_shape full = *qs;
    full.dim[r - 1] = S;
    ops_walk mw = { .rank = r, .n = 1 };
    for (int i = 0; i < r; i++) mw.dim[i] = full.dim[i];
    if (mask) ops_broadcast_strides(ms, &full, mw.stride[0]);
    int64_t mask_step = mw.stride[0][r - 1];

    int64_t tile = S > 0 && SCORE_BUDGET / S < L ? SCORE_BUDGET / S : L;
    if (tile < 1) tile = 1;
    float *scores = ops_alloc((size_t)(tile * (S > 0 ? S : 1)) * sizeof(float));
    if (!scores) return -1;
    int rc = 0;
    for (int64_t b = 0; b < batches && rc == 0; b++) {
        const float *kb = k + b * S * E, *vb = v + b * S * Ev;
        for (int64_t l0 = 0; l0 < L && rc == 0; l0 += tile) {
            int64_t rows = L - l0 < tile ? L - l0 : tile;
            rc = ref_sgemm(0, 1, rows, S, E, q + (b * L + l0) * E, E, kb, E, scores, S);
            if (rc) break;
            for (int64_t l = 0; l < rows; l++) {
                float *row = scores + l * S;
                int64_t moff = 0;
                if (mask) ops_walk_offsets(&mw, ((b * L) + l0 + l) * S, &moff);
                const float *m = mask ? mask + moff : NULL;
                if (!mask) {
                    for (int64_t s = 0; s < S; s++) row[s] *= scale;
                } else if (mask_is_bool) {
                    for (int64_t s = 0; s < S; s++) row[s] = m[s * mask_step] != 0.0f ? row[s] * scale : -INFINITY;
                } else {
                    for (int64_t s = 0; s < S; s++) row[s] = row[s] * scale + m[s * mask_step];
                }
            }
            /* In place, along the last axis (no scratch). A row masked out entirely becomes NaN, as softmax
             * of all -inf is. */
            ref_shape ss = { .rank = 2, .dim = { rows, S } };
            rc = ref_softmax(scores, &ss, 1, scores);
            if (rc == 0) rc = ref_sgemm(0, 0, rows, Ev, S, scores, S, vb, Ev, out + (b * L + l0) * Ev, Ev);
        }
    }
    free(scores);
    return rc;
}
