/* Contractions: matmul, linear, conv, scaled_dot_product_attention. */
#include <string.h>

#include "error.h"
#include "reference/plan.h"

/* s with 1s prepended up to rank r. */
static ref_shape pad_rank(const ref_shape *s, int r) {
    ref_shape o = {.rank = r};
    int k = r - s->rank;
    for (int i = 0; i < r; i++) o.dim[i] = i < k ? 1 : s->dim[i - k];
    return o;
}

/* ---- matmul ---------------------------------------------------------------------------------------- */

int ref_infer_matmul(ref_builder *b, const mil_stmt *s, const int *res, mil_type *inferred) {
    int x, y, tx = 0, ty = 0;
    if (ref_operand(b, s, "x", 1, &x) || ref_operand(b, s, "y", 1, &y) ||
        ref_const_bool(b, s, "transpose_x", 0, &tx) < 0 || ref_const_bool(b, s, "transpose_y", 0, &ty) < 0)
        return -1;
    const mil_type *xt = ref_type(b, x), *yt = ref_type(b, y);
    if (xt->dtype != MIL_INT32 && ref_require_float(b, s, "x", x)) return -1;
    if (ref_require_same_dtype(b, s, "x", x, "y", y)) return -1;
    if (xt->rank < 1 || yt->rank < 1) return ref_operand_error(s, "x", "x and y must have rank 1 or more (%d, %d)",
                                                         xt->rank, yt->rank);
    /* NumPy: a rank-1 x is a row [1, K], a rank-1 y a column [K, 1]; the added axis is dropped after. */
    ref_shape xs = ref_shape_of(xt), ys = ref_shape_of(yt);
    int x_vec = xs.rank == 1, y_vec = ys.rank == 1;
    if (x_vec) { xs = pad_rank(&xs, 2); tx = 0; }
    if (y_vec) { ys.rank = 2; ys.dim[1] = 1; ty = 0; }
    int64_t M = xs.dim[xs.rank - 2 + tx], Kx = xs.dim[xs.rank - 1 - tx];
    int64_t Ky = ys.dim[ys.rank - 2 + ty], N = ys.dim[ys.rank - 1 - ty];
    if (Kx != Ky) return ref_operand_error(s, "y", "inner dimensions %lld (x) and %lld (y) differ", (long long)Kx,
                                                   (long long)Ky);
    ref_shape xb = {.rank = xs.rank - 2}, yb = {.rank = ys.rank - 2}, ob;
    memcpy(xb.dim, xs.dim, sizeof(int64_t) * (size_t)xb.rank);
    memcpy(yb.dim, ys.dim, sizeof(int64_t) * (size_t)yb.rank);
    if (ref_broadcast_shape(&xb, &yb, &ob))
        return ref_operand_error(s, "y", "batch axes of x (rank %d) and y (rank %d) do not broadcast", xs.rank,
                           ys.rank);
    ref_shape os = ob;
    os.rank = ob.rank + 2;
    os.dim[ob.rank] = M;
    os.dim[ob.rank + 1] = N;
    ref_step *st = ref_new_step(b, REF_OP_MATMUL, s, 2, res[0]);
    if (!st) return -1;
    st->in[0] = x;
    st->in[1] = y;
    st->shape[0] = pad_rank(&xs, os.rank);
    st->shape[1] = pad_rank(&ys, os.rank);
    st->flag0 = tx;
    st->flag1 = ty;
    st->out_shape = os;
    ref_shape declared = os;
    if (y_vec) declared.rank--;
    if (x_vec) {
        declared.dim[declared.rank - (y_vec ? 1 : 2)] = declared.dim[declared.rank - 1];
        declared.rank--;
    }
    *inferred = ref_tensor_type(xt->dtype, &declared);
    return 0;
}

/* ---- linear ---------------------------------------------------------------------------------------- */

int ref_infer_linear(ref_builder *b, const mil_stmt *s, const int *res, mil_type *inferred) {
    int x, w, bias;
    if (ref_operand(b, s, "x", 1, &x) || ref_operand(b, s, "weight", 1, &w) || ref_operand(b, s, "bias", 0, &bias))
        return -1;
    if (ref_require_float(b, s, "x", x) || ref_require_float(b, s, "weight", w)) return -1;
    if (bias >= 0 && ref_require_same_dtype(b, s, "weight", w, "bias", bias)) return -1;
    const mil_type *xt = ref_type(b, x), *wt = ref_type(b, w);
    if (xt->rank < 1) return ref_operand_error(s, "x", "x must have rank 1 or more (got %d)", xt->rank);
    if (wt->rank != 2) return ref_operand_error(s, "weight", "weight must be [D_out, D_in] (got rank %d)",
                                          wt->rank);
    int64_t din = xt->dims[xt->rank - 1], dout = wt->dims[0];
    if (wt->dims[1] != din) return ref_operand_error(s, "weight", "weight has D_in %lld, x has %lld",
                                                            (long long)wt->dims[1], (long long)din);
    if (bias >= 0) {
        const mil_type *bt = ref_type(b, bias);
        if (bt->rank != 1 || bt->dims[0] != dout)
            return ref_operand_error(s, "bias", "bias must be [%lld] (got rank %d)", (long long)dout, bt->rank);
    }
    ref_step *st = ref_new_step(b, REF_OP_LINEAR, s, 3, res[0]);
    if (!st) return -1;
    st->in[0] = x;
    st->in[1] = w;
    st->in[2] = bias;
    st->i0 = mil_type_count(xt) / din; /* rows */
    st->i1 = din;
    st->shape[1] = ref_shape_of(wt);
    ref_shape os = ref_shape_of(xt);
    os.dim[os.rank - 1] = dout;
    st->out_shape = os;
    *inferred = ref_tensor_type(xt->dtype, &os);
    return 0;
}

/* ---- conv ------------------------------------------------------------------------------------------ */

/* Resolve pad_type into explicit (begin, end) pads and compute the output size of every spatial axis. */
static int conv_spatial(ref_builder *b, const mil_stmt *s, const ref_shape *xs, const ref_shape *ws, int nsp,
                        const int64_t *strides, const int64_t *dil, int64_t *pad, ref_shape *os) {
    const char *pad_type = "valid";
    if (ref_const_string(b, s, "pad_type", 0, &pad_type) < 0) return -1;
    int custom = strcmp(pad_type, "custom") == 0, same = strcmp(pad_type, "same") == 0;
    int same_lower = strcmp(pad_type, "same_lower") == 0;
    if (!custom && !same && !same_lower && strcmp(pad_type, "valid") != 0) {
        mil_pos pos = ref_operand_pos(s, "pad_type");
        ane_error_set_at(pos.line, pos.column, "conv pad_type '%s' is unknown (valid, same, same_lower, custom)",
                         pad_type);
        return -1;
    }
    int64_t given[2 * REF_MAX_RANK] = {0};
    int n = 2 * nsp;
    if (ref_const_ints(b, s, "pad", 0, given, 2 * REF_MAX_RANK, &n) < 0) return -1;
    if (n != 2 * nsp) return ref_operand_error(s, "pad", "pad needs %d entries, got %d", 2 * nsp, n);
    for (int i = 0; i < nsp; i++) {
        /* Checked: dilations, strides and pads come from the program and may be as large as 9e15. */
        int64_t d = xs->dim[2 + i], eff, lo = 0, hi = 0, padded;
        if (__builtin_mul_overflow(ws->dim[2 + i] - 1, dil[i], &eff) || eff >= INT64_MAX / 4)
            return ref_operand_error(s, "dilations", "dilation %lld on spatial axis %d spreads the kernel of size "
                                     "%lld past 2^61 elements", (long long)dil[i], i, (long long)ws->dim[2 + i]);
        eff += 1;
        if (custom) {
            lo = given[2 * i];
            hi = given[2 * i + 1];
            if (lo < 0 || hi < 0) return ref_operand_error(s, "pad", "pads must not be negative (%lld, %lld)",
                                                           (long long)lo, (long long)hi);
        } else if (same || same_lower) {
            int64_t out = (d + strides[i] - 1) / strides[i]; /* d, strides[i] <= 2^61: no overflow */
            int64_t total = (out - 1) * strides[i] + eff - d; /* below d + stride + eff */
            if (total < 0) total = 0;
            lo = same ? total / 2 : total - total / 2;
            hi = total - lo;
        }
        if (__builtin_add_overflow(d, lo, &padded) || __builtin_add_overflow(padded, hi, &padded))
            return ref_operand_error(s, "pad", "pads %lld and %lld on spatial axis %d make it longer than 2^63",
                                     (long long)lo, (long long)hi, i);
        if (padded < eff)
            return ref_operand_error(s, "weight", "the dilated kernel (%lld) is larger than the padded input (%lld)",
                                     (long long)eff, (long long)padded);
        pad[2 * i] = lo;
        pad[2 * i + 1] = hi;
        os->dim[2 + i] = (padded - eff) / strides[i] + 1;
    }
    return 0;
}

/* strides / dilations: one positive entry per spatial axis, 1s when absent. */
static int conv_steps(ref_builder *b, const mil_stmt *s, const char *key, int nsp, int64_t *out) {
    int n = nsp;
    for (int i = 0; i < nsp; i++) out[i] = 1;
    if (ref_const_ints(b, s, key, 0, out, REF_MAX_RANK, &n) < 0) return -1;
    if (n != nsp) return ref_operand_error(s, key, "needs one entry per spatial axis (%d), got %d", nsp, n);
    for (int i = 0; i < nsp; i++)
        if (out[i] < 1) return ref_operand_error(s, key, "entries must be positive (got %lld)", (long long)out[i]);
    return 0;
}

int ref_infer_conv(ref_builder *b, const mil_stmt *s, const int *res, mil_type *inferred) {
    int x, w, bias;
    int64_t groups = 1;
    if (ref_operand(b, s, "x", 1, &x) || ref_operand(b, s, "weight", 1, &w) || ref_operand(b, s, "bias", 0, &bias) ||
        ref_const_int(b, s, "groups", 0, &groups) < 0)
        return -1;
    if (ref_require_float(b, s, "x", x) || ref_require_float(b, s, "weight", w)) return -1;
    if (bias >= 0 && ref_require_same_dtype(b, s, "weight", w, "bias", bias)) return -1;
    ref_shape xs = ref_shape_of(ref_type(b, x)), ws = ref_shape_of(ref_type(b, w));
    int nsp = xs.rank - 2;
    if (nsp < 1 || nsp > 3) return ref_operand_error(s, "x", "x must be [N, C, spatial...] with 1 to 3 spatial axes "
                                                       "(rank %d)", xs.rank);
    if (ws.rank != xs.rank)
        return ref_operand_error(s, "weight", "weight has rank %d, x has rank %d", ws.rank, xs.rank);
    if (groups < 1 || xs.dim[1] % groups || ws.dim[0] % groups)
        return ref_operand_error(s, "groups", "groups %lld must divide the input and output channels",
                                 (long long)groups);
    int64_t channels;
    if (__builtin_mul_overflow(ws.dim[1], groups, &channels) || channels != xs.dim[1])
        return ref_operand_error(s, "weight", "weight has %lld input channels per group, x needs %lld",
                                 (long long)ws.dim[1], (long long)(xs.dim[1] / groups));
    if (bias >= 0) {
        const mil_type *bt = ref_type(b, bias);
        if (bt->rank != 1 || bt->dims[0] != ws.dim[0])
            return ref_operand_error(s, "bias", "bias must be [%lld] (got rank %d)", (long long)ws.dim[0], bt->rank);
    }
    ref_shape os = xs;
    os.dim[1] = ws.dim[0];
    ref_step *st = ref_new_step(b, REF_OP_CONV, s, 3, res[0]); /* operands below add values, never steps */
    if (!st || conv_steps(b, s, "strides", nsp, st->v1) || conv_steps(b, s, "dilations", nsp, st->v2) ||
        conv_spatial(b, s, &xs, &ws, nsp, st->v1, st->v2, st->v0, &os))
        return -1;
    st->in[0] = x;
    st->in[1] = w;
    st->in[2] = bias;
    st->shape[0] = xs;
    st->shape[1] = ws;
    st->i0 = groups;
    st->out_shape = os;
    *inferred = ref_tensor_type(ref_type(b, x)->dtype, &os);
    return 0;
}

/* ---- scaled_dot_product_attention ------------------------------------------------------------------ */

int ref_infer_sdpa(ref_builder *b, const mil_stmt *s, const int *res, mil_type *inferred) {
    int q, k, v, mask;
    if (ref_operand(b, s, "query", 1, &q) || ref_operand(b, s, "key", 1, &k) || ref_operand(b, s, "value", 1, &v) ||
        ref_operand(b, s, "attn_mask", 0, &mask))
        return -1;
    if (ref_require_float(b, s, "query", q) || ref_require_same_dtype(b, s, "query", q, "key", k) ||
        ref_require_same_dtype(b, s, "query", q, "value", v))
        return -1;
    int mask_is_bool = mask >= 0 && ref_type(b, mask)->dtype == MIL_BOOL;
    if (mask >= 0 && !mask_is_bool && ref_require_same_dtype(b, s, "query", q, "attn_mask", mask)) return -1;
    ref_shape qs = ref_shape_of(ref_type(b, q)), ks = ref_shape_of(ref_type(b, k)), vs = ref_shape_of(ref_type(b, v));
    int r = qs.rank;
    if (r < 2 || ks.rank != r || vs.rank != r)
        return ref_operand_error(s, "key", "query, key and value must have one rank >= 2 (%d, %d)", r,
                                 ks.rank);
    for (int i = 0; i < r - 2; i++)
        if (ks.dim[i] != qs.dim[i] || vs.dim[i] != qs.dim[i])
            return ref_operand_error(s, "key", "batch axis %d of query, key and value differs", i);
    if (ks.dim[r - 1] != qs.dim[r - 1])
        return ref_operand_error(s, "key", "key has E = %lld, query has %lld", (long long)ks.dim[r - 1],
                                 (long long)qs.dim[r - 1]);
    if (vs.dim[r - 2] != ks.dim[r - 2])
        return ref_operand_error(s, "value", "value has S = %lld, key has %lld", (long long)vs.dim[r - 2],
                                 (long long)ks.dim[r - 2]);
    ref_shape scores = qs, ms = {0}, joined;
    scores.dim[r - 1] = ks.dim[r - 2];
    if (mask >= 0) {
        ms = ref_shape_of(ref_type(b, mask));
        if (ref_broadcast_shape(&ms, &scores, &joined) || joined.rank != r ||
            memcmp(joined.dim, scores.dim, sizeof(int64_t) * (size_t)r) != 0)
            return ref_operand_error(s, "attn_mask", "attn_mask does not broadcast to [..., L, S]");
    }
    ref_step *st = ref_new_step(b, REF_OP_SDPA, s, 4, res[0]);
    if (!st) return -1;
    st->in[0] = q;
    st->in[1] = k;
    st->in[2] = v;
    st->in[3] = mask;
    st->shape[0] = qs;
    st->shape[1] = ks;
    st->shape[2] = vs;
    st->shape[3] = ms;
    st->flag0 = mask_is_bool;
    ref_shape os = qs;
    os.dim[r - 1] = vs.dim[r - 1];
    st->out_shape = os;
    *inferred = ref_tensor_type(ref_type(b, q)->dtype, &os);
    return 0;
}
