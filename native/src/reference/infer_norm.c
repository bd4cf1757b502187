/* Ops over axes: softmax, reductions, layer_norm. */
#include <string.h>

#include "error.h"
#include "reference/plan.h"

/* The axes operand as a bit mask over a rank-r tensor; absent = all axes. */
static int axes_mask(ref_builder *b, const mil_stmt *s, int rank, unsigned *mask) {
    int64_t axes[MIL_MAX_RANK];
    int n = 0;
    int rc = ref_const_ints(b, s, "axes", 0, axes, MIL_MAX_RANK, &n);
    if (rc < 0) return -1;
    if (rc == 0) {
        *mask = (1u << rank) - 1;
        return 0;
    }
    if (n == 0) return ref_operand_error(s, "axes", "axes must not be empty");
    *mask = 0;
    for (int i = 0; i < n; i++) {
        int a;
        if (ref_axis(b, s, "axes", axes[i], rank, &a)) return -1;
        if (*mask & (1u << a)) return ref_operand_error(s, "axes", "axis %d is listed twice", a);
        *mask |= 1u << a;
    }
    return 0;
}

int ref_infer_softmax(ref_builder *b, const mil_stmt *s, const int *res, mil_type *inferred) {
    int x, axis;
    int64_t axis64 = -1;
    if (ref_operand(b, s, "x", 1, &x) || ref_require_float(b, s, "x", x) ||
        ref_const_int(b, s, "axis", 0, &axis64) < 0)
        return -1;
    const mil_type *t = ref_type(b, x);
    if (t->rank < 1) return ref_operand_error(s, "x", "x must have rank 1 or more");
    if (ref_axis(b, s, "axis", axis64, t->rank, &axis)) return -1;
    ref_step *st = ref_new_step(b, REF_OP_SOFTMAX, s, 1, res[0]);
    if (!st) return -1;
    st->in[0] = x;
    st->shape[0] = ref_shape_of(t);
    st->axis = axis;
    *inferred = *t;
    return 0;
}

int ref_infer_reduce(ref_builder *b, const mil_stmt *s, const int *res, mil_type *inferred) {
    int x, keep = 0;
    unsigned mask;
    if (ref_operand(b, s, "x", 1, &x) || ref_const_bool(b, s, "keep_dims", 0, &keep) < 0) return -1;
    mil_type tv = *ref_type(b, x); /* a copy: inline literal operands may move the values array */
    const mil_type *t = &tv;
    if (!ref_is_float(t->dtype) && t->dtype != MIL_INT32)
        return ref_operand_error(s, "x", "x must be fp16, fp32 or int32, got %s", mil_dtype_name(t->dtype));
    if (t->rank < 1) return ref_operand_error(s, "x", "x must have rank 1 or more");
    if (axes_mask(b, s, t->rank, &mask)) return -1;
    ref_step *st = ref_new_step(b, REF_OP_REDUCE, s, 1, res[0]);
    if (!st) return -1;
    st->in[0] = x;
    st->shape[0] = ref_shape_of(t);
    st->mask = mask;
    st->sub = strcmp(s->op, "reduce_sum") == 0    ? REF_REDUCE_SUM
              : strcmp(s->op, "reduce_mean") == 0 ? REF_REDUCE_MEAN
                                                  : REF_REDUCE_MAX;
    ref_shape os = {0};
    for (int i = 0; i < t->rank; i++) {
        if (!(mask & (1u << i))) os.dim[os.rank++] = t->dims[i];
        else if (keep) os.dim[os.rank++] = 1;
    }
    *inferred = ref_tensor_type(t->dtype, &os);
    return 0;
}

/* gamma / beta: data shaped like x's normalised axes, in order. */
static int check_affine(ref_builder *b, const mil_stmt *s, const char *key, int id, int x, const mil_type *t,
                        unsigned mask) {
    if (id < 0) return 0;
    if (ref_require_same_dtype(b, s, "x", x, key, id)) return -1;
    const mil_type *g = ref_type(b, id);
    int k = 0, ok = 1;
    for (int i = 0; i < t->rank; i++)
        if (mask & (1u << i)) ok &= k < g->rank && g->dims[k++] == t->dims[i];
    if (!ok || k != g->rank)
        return ref_operand_error(s, key, "%s must have the shape of x's normalised axes", key);
    return 0;
}

int ref_infer_layer_norm(ref_builder *b, const mil_stmt *s, const int *res, mil_type *inferred) {
    int x, gamma, beta;
    float eps = 1e-5f;
    unsigned mask;
    if (ref_operand(b, s, "x", 1, &x) || ref_require_float(b, s, "x", x) || ref_operand(b, s, "gamma", 0, &gamma) ||
        ref_operand(b, s, "beta", 0, &beta) || ref_const_float(b, s, "epsilon", 0, &eps) < 0)
        return -1;
    mil_type tv = *ref_type(b, x); /* a copy: inline literal operands may move the values array */
    const mil_type *t = &tv;
    if (t->rank < 1) return ref_operand_error(s, "x", "x must have rank 1 or more");
    if (axes_mask(b, s, t->rank, &mask) || check_affine(b, s, "gamma", gamma, x, t, mask) ||
        check_affine(b, s, "beta", beta, x, t, mask))
        return -1;
    ref_step *st = ref_new_step(b, REF_OP_LAYER_NORM, s, 3, res[0]);
    if (!st) return -1;
    st->in[0] = x;
    st->in[1] = gamma;
    st->in[2] = beta;
    st->shape[0] = ref_shape_of(t);
    st->mask = mask;
    st->f0 = eps;
    *inferred = *t;
    return 0;
}
