/* Compile-time values: literals, BLOBFILE weights and constexpr_affine_dequantize. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blob.h"
#include "error.h"
#include "fp16.h"
#include "reference/plan.h"

static void round_to_int(float *x, size_t n, float lo, float hi) {
    for (size_t i = 0; i < n; i++) {
        float v = x[i] != x[i] ? 0.0f : truncf(x[i]);
        x[i] = v < lo ? lo : v > hi ? hi : v;
    }
}

void ref_round_to_dtype(mil_dtype dt, float *x, size_t n) {
    switch (dt) {
    case MIL_FP16: ane_round_to_fp16(x, n); break;
    case MIL_INT32: round_to_int(x, n, -2147483648.0f, 2147483648.0f); break; /* 2^31: written as INT32_MAX */
    case MIL_INT16: round_to_int(x, n, -32768.0f, 32767.0f); break;
    case MIL_UINT16: round_to_int(x, n, 0.0f, 65535.0f); break;
    case MIL_INT8: round_to_int(x, n, -128.0f, 127.0f); break;
    case MIL_UINT8: round_to_int(x, n, 0.0f, 255.0f); break;
    case MIL_UINT4: round_to_int(x, n, 0.0f, 15.0f); break;
    case MIL_UINT64: round_to_int(x, n, 0.0f, 1.8e19f); break;
    case MIL_BOOL:
        for (size_t i = 0; i < n; i++) x[i] = x[i] != 0.0f;
        break;
    case MIL_FP32:
    case MIL_STRING: break;
    }
}

/* ---- BLOBFILE -------------------------------------------------------------------------------------- */

static int blob_dtype(mil_dtype dt) {
    switch (dt) {
    case MIL_FP16: return ANE_DTYPE_FP16;
    case MIL_FP32: return ANE_DTYPE_FP32;
    case MIL_UINT8: return ANE_DTYPE_UINT8;
    case MIL_INT8: return ANE_DTYPE_INT8;
    case MIL_INT32: return ANE_DTYPE_INT32;
    default: return 0;
    }
}

static void decode_payload(mil_dtype dt, const uint8_t *p, float *out, size_t n) {
    switch (dt) {
    case MIL_FP16: {
        uint16_t halves[1024]; /* the payload need not be 2-byte aligned: copied out a chunk at a time */
        for (size_t i = 0; i < n; i += 1024) {
            size_t m = n - i < 1024 ? n - i : 1024;
            memcpy(halves, p + 2 * i, m * 2);
            ane_fp16_to_fp32(halves, out + i, m);
        }
        break;
    }
    case MIL_FP32: memcpy(out, p, n * 4); break;
    case MIL_INT32:
        for (size_t i = 0; i < n; i++) {
            int32_t v;
            memcpy(&v, p + 4 * i, 4);
            out[i] = (float)v;
        }
        break;
    case MIL_INT8:
        for (size_t i = 0; i < n; i++) out[i] = (float)(int8_t)p[i];
        break;
    default: /* MIL_UINT8, the only other blob_dtype() */
        for (size_t i = 0; i < n; i++) out[i] = (float)p[i];
        break;
    }
}

/* Repeat a blob error with the literal's position (ane_blob_tensor does not know it). */
static int blob_error_at(mil_pos pos) {
    char msg[512];
    const char *m = ane_bridge_last_error();
    snprintf(msg, sizeof msg, "%s", m ? m : "bad BLOBFILE");
    ane_error_set_at(pos.line, pos.column, "%s", msg);
    return -1;
}

/* The payload of a BLOBFILE literal of count elements, checked against its weight file before anything
 * is allocated for it. */
static int blob_payload(ref_builder *b, const mil_literal *lit, size_t count, const uint8_t **payload) {
    const ane_compile_input *in = b->input;
    mil_pos pos = lit->pos;
    int code = blob_dtype(lit->type.dtype);
    if (!code) {
        ane_error_set_at(pos.line, pos.column, "BLOBFILE tensors of dtype %s are not supported",
                         mil_dtype_name(lit->type.dtype));
        return -1;
    }
    int64_t f = ane_strmap_get(&b->files, lit->blob_path, strlen(lit->blob_path));
    if (f < 0) {
        ane_error_set_at(pos.line, pos.column, "weight file '%s' was not given", lit->blob_path);
        return -1;
    }
    size_t elem = mil_dtype_size(lit->type.dtype);
    if (count > SIZE_MAX / elem) {
        ane_error_set_at(pos.line, pos.column, "BLOBFILE tensor too large");
        return -1;
    }
    if (ane_blob_tensor(in->weight_datas[f], in->weight_lens[f], lit->blob_path, lit->blob_offset, code,
                        (uint64_t)(count * elem), payload))
        return blob_error_at(pos);
    return 0;
}

/* ---- literals -------------------------------------------------------------------------------------- */

int ref_const_from_literal(ref_builder *b, const char *name, mil_pos pos, const mil_literal *lit) {
    if (lit->form == MIL_LIT_DICT) {
        ane_error_set_at(lit->pos.line, lit->pos.column, "a dict cannot be used as a value");
        return -1;
    }
    int64_t count = mil_type_count(&lit->type);
    const uint8_t *payload = NULL;
    if (count < 0) {
        ane_error_set_at(lit->pos.line, lit->pos.column, "literal has too many elements");
        return -1;
    }
    if (lit->form == MIL_LIT_BLOBFILE) {
        if (blob_payload(b, lit, (size_t)count, &payload)) return -1;
    } else if (lit->type.dtype != MIL_STRING && (!lit->values || lit->count != (size_t)count)) {
        ane_error_set_at(lit->pos.line, lit->pos.column, "literal has %zu values, its type holds %lld",
                         lit->values ? lit->count : (size_t)0, (long long)count);
        return -1;
    }
    if (lit->type.dtype == MIL_STRING) { /* strings stay in the AST: configuration, never data */
        ref_value *v = ref_new_value(b, name, pos, &lit->type, REF_VAL_CONST);
        if (!v) return -1;
        v->lit = lit;
        return b->plan->n_values - 1;
    }
    int id = ref_new_const(b, name, pos, &lit->type);
    if (id < 0) return -1;
    ref_value *v = &b->plan->values[id];
    if (payload) {
        decode_payload(lit->type.dtype, payload, v->data, (size_t)count);
    } else {
        for (int64_t i = 0; i < count; i++) v->data[i] = (float)lit->values[i];
        v->lit = lit;
    }
    ref_round_to_dtype(lit->type.dtype, v->data, (size_t)count);
    return id;
}

/* ---- constexpr_affine_dequantize ------------------------------------------------------------------- */

static const mil_literal *attr_literal(const mil_stmt *s, const char *key) {
    const mil_attr *a = mil_stmt_attr(s, key);
    if (!a) ane_error_set_at(s->pos.line, s->pos.column, "%s needs attribute '%s'", s->op, key);
    return a ? &a->value : NULL;
}

/* scale / zero_point: one value, or one per index of axis; expanded to n per-axis values. */
static int per_axis(const mil_stmt *s, const char *key, const ref_value *v, int64_t n, float *out) {
    int64_t count = mil_type_count(&v->type);
    if (v->type.rank > 1 || (count != 1 && count != n)) {
        const mil_attr *a = mil_stmt_attr(s, key);
        ane_error_set_at(a->pos.line, a->pos.column, "%s of %s must hold 1 or %lld values (the axis size), got %lld",
                         key, s->op, (long long)n, (long long)count);
        return -1;
    }
    for (int64_t i = 0; i < n; i++) out[i] = v->data[count == 1 ? 0 : i];
    return 0;
}

int ref_constexpr_affine_dequantize(ref_builder *b, const mil_stmt *s, int res, mil_type *inferred) {
    static const char *const keys[] = {"name", "quantized_data", "zero_point", "scale", "axis"};
    if (s->n_args > 0) {
        ane_error_set_at(s->args[0].pos.line, s->args[0].pos.column,
                         "%s takes its operands in the attribute block, not as arguments", s->op);
        return -1;
    }
    for (int i = 0; i < s->n_attrs; i++) {
        int known = 0;
        for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) known |= strcmp(s->attrs[i].key, keys[k]) == 0;
        if (!known) {
            ane_error_set_at(s->attrs[i].pos.line, s->attrs[i].pos.column, "%s has no attribute '%s'", s->op,
                             s->attrs[i].key);
            return -1;
        }
    }
    const mil_literal *lq = attr_literal(s, "quantized_data"), *lz = attr_literal(s, "zero_point");
    const mil_literal *ls = attr_literal(s, "scale"), *la = attr_literal(s, "axis");
    if (!lq || !lz || !ls || !la) return -1;
    const mil_attr *aq = mil_stmt_attr(s, "quantized_data"), *as = mil_stmt_attr(s, "scale");
    const mil_attr *aa = mil_stmt_attr(s, "axis"), *az = mil_stmt_attr(s, "zero_point");
    if (lq->type.dtype != MIL_INT8 && lq->type.dtype != MIL_UINT8) {
        ane_error_set_at(aq->pos.line, aq->pos.column, "quantized_data of %s must be int8 or uint8, got %s",
                         s->op, mil_dtype_name(lq->type.dtype));
        return -1;
    }
    if (!ref_is_float(ls->type.dtype)) {
        ane_error_set_at(as->pos.line, as->pos.column, "scale of %s must be fp16 or fp32, got %s", s->op,
                         mil_dtype_name(ls->type.dtype));
        return -1;
    }
    if (lz->type.dtype != lq->type.dtype && lz->type.dtype != MIL_FP32) {
        ane_error_set_at(az->pos.line, az->pos.column, "zero_point of %s must be %s or fp32, got %s", s->op,
                         mil_dtype_name(lq->type.dtype), mil_dtype_name(lz->type.dtype));
        return -1;
    }
    if (la->type.dtype != MIL_INT32 || mil_type_count(&la->type) != 1 || !la->values) {
        ane_error_set_at(aa->pos.line, aa->pos.column, "axis of %s must be one int32", s->op);
        return -1;
    }
    int q = ref_const_from_literal(b, "", aq->pos, lq);
    int z = q < 0 ? -1 : ref_const_from_literal(b, "", az->pos, lz);
    int sc = z < 0 ? -1 : ref_const_from_literal(b, "", as->pos, ls);
    if (sc < 0) return -1;
    const mil_type *qt = &lq->type;
    int64_t a = (int64_t)la->values[0];
    if (a < -qt->rank || a >= qt->rank) {
        ane_error_set_at(aa->pos.line, aa->pos.column, "axis %lld of %s is out of range for rank %d", (long long)a,
                         s->op, qt->rank);
        return -1;
    }
    int axis = (int)(a < 0 ? a + qt->rank : a);
    int64_t n = qt->dims[axis];
    size_t count = (size_t)mil_type_count(qt);
    const ref_value *vals = b->plan->values;
    float *scale = malloc((size_t)n * sizeof(float)), *zp = malloc((size_t)n * sizeof(float));
    int rc = !scale || !zp ? -1 : 0;
    if (rc) ane_error_set(ANE_ERR_OUT_OF_MEMORY, "out of memory for %s", s->op);
    if (rc == 0) rc = per_axis(s, "scale", &vals[sc], n, scale);
    if (rc == 0) rc = per_axis(s, "zero_point", &vals[z], n, zp);
    ref_shape qs = ref_shape_of(qt);
    *inferred = ref_tensor_type(ls->type.dtype, &qs);
    inferred->is_tensor = 1;
    /* Filled only when declared as inferred (else the caller reports the difference): the result's storage
     * is sized by its declared type. */
    float *out = rc == 0 && ref_type_equal(&vals[res].type, inferred) ? ref_alloc_const(b, res) : NULL;
    if (out) {
        ref_dequantize(b->plan->values[q].data, &qs, axis, scale, zp, n, out);
        ref_round_to_dtype(ls->type.dtype, out, count);
    } else if (rc == 0 && ref_type_equal(&vals[res].type, inferred)) {
        rc = -1;
    }
    free(scale);
    free(zp);
    return rc;
}
