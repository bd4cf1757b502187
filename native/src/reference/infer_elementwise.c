/* Elementwise ops: binary with broadcasting, unary activations, cast, identity. */
#include <string.h>

#include "error.h"
#include "reference/plan.h"

static int require_numeric(const mil_stmt *s, const char *key, const mil_type *t) {
    if (t->dtype != MIL_STRING && t->dtype != MIL_BOOL) return 0;
    mil_pos pos = ref_operand_pos(s, key);
    ane_error_set_at(pos.line, pos.column, "operand '%s' of %s must be numeric, got %s", key, s->op,
                     mil_dtype_name(t->dtype));
    return -1;
}

int ref_infer_binary(ref_builder *b, const mil_stmt *s, const int *res, mil_type *inferred) {
    static const struct { const char *name; ref_binop op; } ops[] = {
        {"add", REF_ADD}, {"sub", REF_SUB}, {"mul", REF_MUL}, {"real_div", REF_DIV},
        {"pow", REF_POW}, {"maximum", REF_MAXIMUM}, {"minimum", REF_MINIMUM},
    };
    int x, y;
    if (ref_operand(b, s, "x", 1, &x) || ref_operand(b, s, "y", 1, &y)) return -1;
    if (require_numeric(s, "x", ref_type(b, x)) || require_numeric(s, "y", ref_type(b, y))) return -1;
    if (ref_require_same_dtype(b, s, "x", x, "y", y)) return -1;
    ref_shape xs = ref_shape_of(ref_type(b, x)), ys = ref_shape_of(ref_type(b, y)), os;
    if (ref_broadcast_shape(&xs, &ys, &os)) {
        char tx[160], ty[160];
        ane_error_set_at(s->pos.line, s->pos.column, "%s cannot broadcast x %s with y %s", s->op,
                         ref_type_str(ref_type(b, x), tx, sizeof tx), ref_type_str(ref_type(b, y), ty, sizeof ty));
        return -1;
    }
    ref_step *st = ref_new_step(b, REF_OP_BINARY, s, 2, res[0]);
    if (!st) return -1;
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (strcmp(ops[i].name, s->op) == 0) st->sub = (int)ops[i].op;
    st->in[0] = x;
    st->in[1] = y;
    st->shape[0] = xs;
    st->shape[1] = ys;
    st->out_shape = os;
    *inferred = ref_tensor_type(ref_type(b, x)->dtype, &os);
    return 0;
}

static int gelu_mode(ref_builder *b, const mil_stmt *s, int *op) {
    const char *mode = "EXACT";
    if (ref_const_string(b, s, "mode", 0, &mode) < 0) return -1;
    if (strcmp(mode, "EXACT") == 0) *op = REF_GELU_EXACT;
    else if (strcmp(mode, "TANH_APPROXIMATION") == 0) *op = REF_GELU_TANH;
    else if (strcmp(mode, "SIGMOID_APPROXIMATION") == 0) *op = REF_GELU_SIGMOID;
    else {
        mil_pos pos = ref_operand_pos(s, "mode");
        ane_error_set_at(pos.line, pos.column,
                         "gelu mode '%s' is unknown (EXACT, TANH_APPROXIMATION or SIGMOID_APPROXIMATION)", mode);
        return -1;
    }
    return 0;
}

int ref_infer_unary(ref_builder *b, const mil_stmt *s, const int *res, mil_type *inferred) {
    static const struct { const char *name; ref_unop op; } ops[] = {
        {"relu", REF_RELU}, {"tanh", REF_TANH}, {"exp", REF_EXP}, {"sqrt", REF_SQRT},
        {"rsqrt", REF_RSQRT}, {"sigmoid", REF_SIGMOID}, {"silu", REF_SILU}, {"gelu", REF_GELU_EXACT},
    };
    int x;
    if (ref_operand(b, s, "x", 1, &x) || ref_require_float(b, s, "x", x)) return -1;
    int op = REF_IDENTITY;
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (strcmp(ops[i].name, s->op) == 0) op = (int)ops[i].op;
    float eps = 1e-12f; /* coremltools' default; it underflows to 0 when given as fp16 */
    if (op == REF_RSQRT && ref_const_float(b, s, "epsilon", 0, &eps) < 0) return -1;
    if (op == REF_GELU_EXACT && gelu_mode(b, s, &op)) return -1;
    ref_step *st = ref_new_step(b, REF_OP_UNARY, s, 1, res[0]);
    if (!st) return -1;
    st->in[0] = x;
    st->sub = op;
    st->f0 = eps;
    st->shape[0] = ref_shape_of(ref_type(b, x));
    *inferred = *ref_type(b, x);
    return 0;
}

int ref_infer_identity(ref_builder *b, const mil_stmt *s, const int *res, mil_type *inferred) {
    int x;
    if (ref_operand(b, s, "x", 1, &x)) return -1;
    ref_make_view(b, res[0], x);
    *inferred = *ref_type(b, x);
    return 0;
}

int ref_infer_cast(ref_builder *b, const mil_stmt *s, const int *res, mil_type *inferred) {
    int x;
    const char *name;
    if (ref_operand(b, s, "x", 1, &x) || ref_const_string(b, s, "dtype", 1, &name) < 0) return -1;
    if (ref_type(b, x)->dtype == MIL_STRING) {
        mil_pos pos = ref_operand_pos(s, "x");
        ane_error_set_at(pos.line, pos.column, "cast cannot convert a string");
        return -1;
    }
    int dt = ref_dtype_from_name(name);
    if (dt < 0) {
        mil_pos pos = ref_operand_pos(s, "dtype");
        ane_error_set_at(pos.line, pos.column, "cast to unknown dtype '%s'", name);
        return -1;
    }
    *inferred = *ref_type(b, x);
    inferred->dtype = (mil_dtype)dt;
    if (dt == (int)ref_type(b, x)->dtype) { /* nothing to convert */
        ref_make_view(b, res[0], x);
        return 0;
    }
    ref_step *st = ref_new_step(b, REF_OP_CAST, s, 1, res[0]);
    if (!st) return -1;
    st->in[0] = x;
    st->shape[0] = ref_shape_of(ref_type(b, x));
    return 0;
}
