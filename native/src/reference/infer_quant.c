/* quantize / dequantize (iOS17): affine int8 / uint8 quantisation, per tensor or along one axis. */
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "reference/plan.h"

/* scale (required) and zero_point (optional, -1) operands, axis (optional) and the number of per-axis
 * parameters: the axis size when scale or zero_point is a vector, else 1. */
static int quant_operands(ref_builder *b, const mil_stmt *s, const ref_shape *xs, int *scale, int *zp,
                          int *axis, int64_t *n) {
    int64_t a = 0;
    int has_axis;
    if (ref_operand(b, s, "scale", 1, scale) || ref_operand(b, s, "zero_point", 0, zp) ||
        (has_axis = ref_const_int(b, s, "axis", 0, &a)) < 0)
        return -1;
    int vector = mil_type_count(ref_type(b, *scale)) > 1 || (*zp >= 0 && mil_type_count(ref_type(b, *zp)) > 1);
    *axis = 0;
    *n = 1;
    if (!has_axis) return vector ? ref_operand_error(s, "scale", "a per-axis scale or zero_point needs axis") : 0;
    if (ref_axis(b, s, "axis", a, xs->rank, axis)) return -1;
    if (vector) *n = xs->dim[*axis];
    return 0;
}

/* Constant id (scale or zero_point; -1 = absent = zeros) expanded to n values as a new constant, so the
 * kernel sees one value per index of the axis (or one). Returns the new value's id or -1. */
static int expand_const(ref_builder *b, const mil_stmt *s, const char *key, int id, int64_t n) {
    const ref_value *v = id >= 0 ? &b->plan->values[id] : NULL;
    int64_t count = v ? mil_type_count(&v->type) : 1;
    if (v && v->kind != REF_VAL_CONST) return ref_operand_error(s, key, "%s must be a compile-time constant", key);
    if (v && (v->type.rank > 1 || (count != 1 && count != n)))
        return ref_operand_error(s, key, "%s must hold one value, or one per index of axis", key);
    mil_type t = {.dtype = MIL_FP32, .is_tensor = 1, .rank = 1, .dims = {n}};
    int c = ref_new_const(b, "", ref_operand_pos(s, key), &t);
    if (c < 0) return -1;
    float *data = b->plan->values[c].data;
    v = id >= 0 ? &b->plan->values[id] : NULL; /* the table may have moved */
    for (int64_t i = 0; i < n; i++) data[i] = v ? v->data[count == 1 ? 0 : i] : 0.0f;
    return c;
}

int ref_infer_quantize(ref_builder *b, const mil_stmt *s, const int *res, mil_type *inferred) {
    int x, axis;
    int64_t n;
    const char *out_name;
    if (ref_operand(b, s, "input", 1, &x) || ref_require_float(b, s, "input", x) ||
        ref_const_string(b, s, "output_dtype", 1, &out_name) < 0)
        return -1;
    int out = ref_dtype_from_name(out_name);
    if (out != MIL_INT8 && out != MIL_UINT8)
        return ref_operand_error(s, "output_dtype", "output_dtype must be \"int8\" or \"uint8\", got \"%s\"", out_name);
    ref_shape xs = ref_shape_of(ref_type(b, x));
    int scale, zp;
    if (quant_operands(b, s, &xs, &scale, &zp, &axis, &n)) return -1;
    mil_dtype scale_dt = ref_type(b, scale)->dtype, zp_dt = zp >= 0 ? ref_type(b, zp)->dtype : (mil_dtype)out;
    if (scale_dt != ref_type(b, x)->dtype)
        return ref_operand_error(s, "scale", "scale must have the input's dtype %s, got %s",
                                 mil_dtype_name(ref_type(b, x)->dtype), mil_dtype_name(scale_dt));
    if (zp_dt != (mil_dtype)out)
        return ref_operand_error(s, "zero_point", "zero_point must be %s like output_dtype, got %s", out_name,
                                 mil_dtype_name(zp_dt));
    if ((scale = expand_const(b, s, "scale", scale, n)) < 0 || (zp = expand_const(b, s, "zero_point", zp, n)) < 0)
        return -1;
    ref_step *st = ref_new_step(b, REF_OP_QUANTIZE, s, 3, res[0]);
    if (!st) return -1;
    st->in[0] = x;
    st->in[1] = scale;
    st->in[2] = zp;
    st->shape[0] = xs;
    st->axis = axis;
    st->i0 = n;
    st->f0 = out == MIL_INT8 ? -128.0f : 0.0f;
    st->f1 = out == MIL_INT8 ? 127.0f : 255.0f;
    *inferred = ref_tensor_type((mil_dtype)out, &xs);
    return 0;
}

int ref_infer_dequantize(ref_builder *b, const mil_stmt *s, const int *res, mil_type *inferred) {
    int x, axis;
    int64_t n;
    if (ref_operand(b, s, "input", 1, &x)) return -1;
    mil_dtype in_dt = ref_type(b, x)->dtype;
    if (in_dt != MIL_INT8 && in_dt != MIL_UINT8)
        return ref_operand_error(s, "input", "input must be int8 or uint8, got %s", mil_dtype_name(in_dt));
    ref_shape xs = ref_shape_of(ref_type(b, x));
    int scale, zp;
    if (quant_operands(b, s, &xs, &scale, &zp, &axis, &n)) return -1;
    mil_dtype scale_dt = ref_type(b, scale)->dtype, zp_dt = zp >= 0 ? ref_type(b, zp)->dtype : in_dt;
    if (!ref_is_float(scale_dt))
        return ref_operand_error(s, "scale", "scale must be fp16 or fp32, got %s", mil_dtype_name(scale_dt));
    if (zp_dt != in_dt)
        return ref_operand_error(s, "zero_point", "zero_point must have the input's dtype %s, got %s",
                                 mil_dtype_name(in_dt), mil_dtype_name(zp_dt));
    if ((scale = expand_const(b, s, "scale", scale, n)) < 0 || (zp = expand_const(b, s, "zero_point", zp, n)) < 0)
        return -1;
    ref_step *st = ref_new_step(b, REF_OP_DEQUANTIZE, s, 3, res[0]);
    if (!st) return -1;
    st->in[0] = x;
    st->in[1] = scale;
    st->in[2] = zp;
    st->shape[0] = xs;
    st->axis = axis;
    st->i0 = n;
    *inferred = ref_tensor_type(scale_dt, &xs);
    return 0;
}
