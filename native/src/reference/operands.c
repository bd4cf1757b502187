/* Operands of a statement: values by name or inline literal, configuration constants, type checks. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "reference/plan.h"

mil_pos ref_operand_pos(const mil_stmt *s, const char *key) {
    const mil_arg *a = mil_stmt_arg(s, key);
    return a ? a->pos : s->pos;
}

int ref_operand_error(const mil_stmt *s, const char *key, const char *fmt, ...) {
    char what[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    mil_pos pos = ref_operand_pos(s, key);
    ane_error_set_at(pos.line, pos.column, "%s: %s", s->op, what);
    return -1;
}

int ref_operand(ref_builder *b, const mil_stmt *s, const char *key, int required, int *id) {
    const mil_arg *a = mil_stmt_arg(s, key);
    *id = -1;
    if (!a) {
        if (!required) return 0;
        ane_error_set_at(s->pos.line, s->pos.column, "%s needs operand '%s'", s->op, key);
        return -1;
    }
    switch (a->kind) {
    case MIL_ARG_NAME:
        *id = ref_lookup(b, a->name);
        if (*id < 0) {
            ane_error_set_at(a->pos.line, a->pos.column, "'%s' is not defined before its use as %s of %s",
                             a->name, key, s->op);
            return -1;
        }
        return 0;
    case MIL_ARG_LITERAL:
        *id = ref_const_from_literal(b, "", a->pos, &a->literal);
        return *id < 0 ? -1 : 0;
    case MIL_ARG_TUPLE:
        break;
    }
    ane_error_set_at(a->pos.line, a->pos.column, "operand '%s' of %s must be one value, not a tuple", key, s->op);
    return -1;
}

int ref_operand_tuple(ref_builder *b, const mil_stmt *s, const char *key, int **ids, int *n) {
    const mil_arg *a = mil_stmt_arg(s, key);
    *ids = NULL;
    *n = 0;
    if (!a) {
        ane_error_set_at(s->pos.line, s->pos.column, "%s needs operand '%s'", s->op, key);
        return -1;
    }
    if (a->kind != MIL_ARG_TUPLE || a->n_names < 1) {
        ane_error_set_at(a->pos.line, a->pos.column, "operand '%s' of %s must be a tuple of names like (a, b)",
                         key, s->op);
        return -1;
    }
    *ids = malloc((size_t)a->n_names * sizeof(int));
    if (!*ids) {
        ane_error_set(ANE_ERR_OUT_OF_MEMORY, "out of memory while compiling");
        return -1;
    }
    for (int i = 0; i < a->n_names; i++) {
        (*ids)[i] = ref_lookup(b, a->names[i]);
        if ((*ids)[i] < 0) {
            ane_error_set_at(a->name_pos[i].line, a->name_pos[i].column,
                             "'%s' is not defined before its use in %s of %s", a->names[i], key, s->op);
            free(*ids);
            *ids = NULL;
            return -1;
        }
    }
    *n = a->n_names;
    return 0;
}

/* ---- configuration constants ----------------------------------------------------------------------- */

/* The constant value of operand key: 1 found (*v set), 0 absent and optional, -1 error. */
static int const_operand(ref_builder *b, const mil_stmt *s, const char *key, int required, const ref_value **v) {
    int id;
    if (ref_operand(b, s, key, required, &id)) return -1;
    if (id < 0) return 0;
    *v = &b->plan->values[id];
    if ((*v)->kind != REF_VAL_CONST) {
        mil_pos pos = ref_operand_pos(s, key);
        ane_error_set_at(pos.line, pos.column,
                         "operand '%s' of %s must be a compile-time constant (a const or a literal), "
                         "but '%s' is computed at run time", key, s->op, (*v)->name);
        return -1;
    }
    return 1;
}

/* Element i of a numeric constant: exact from the literal when there is one. */
static double const_number(const ref_value *v, size_t i) {
    if (v->lit && v->lit->values) return v->lit->values[i];
    return v->data[i];
}

static int const_elements(const mil_stmt *s, const char *key, const ref_value *v, int max, int *n) {
    mil_pos pos = ref_operand_pos(s, key);
    if (v->type.rank > 1) {
        ane_error_set_at(pos.line, pos.column, "operand '%s' of %s must be a scalar or a 1-D tensor", key, s->op);
        return -1;
    }
    int64_t count = mil_type_count(&v->type);
    if (count > max) {
        ane_error_set_at(pos.line, pos.column, "operand '%s' of %s has %lld values, at most %d allowed", key,
                         s->op, (long long)count, max);
        return -1;
    }
    *n = (int)count;
    return 0;
}

static int wrong_dtype(const mil_stmt *s, const char *key, const ref_value *v, const char *want) {
    mil_pos pos = ref_operand_pos(s, key);
    ane_error_set_at(pos.line, pos.column, "operand '%s' of %s must be %s, got %s", key, s->op, want,
                     mil_dtype_name(v->type.dtype));
    return -1;
}

int ref_const_ints(ref_builder *b, const mil_stmt *s, const char *key, int required, int64_t *out, int max,
                   int *n) {
    const ref_value *v;
    int rc = const_operand(b, s, key, required, &v);
    if (rc <= 0) return rc;
    if (!ref_is_int(v->type.dtype)) return wrong_dtype(s, key, v, "an integer constant");
    if (const_elements(s, key, v, max, n)) return -1;
    for (int i = 0; i < *n; i++) {
        double d = const_number(v, (size_t)i);
        if (d != floor(d) || fabs(d) > 9.0e15) return wrong_dtype(s, key, v, "an integer constant");
        out[i] = (int64_t)d;
    }
    return 1;
}

int ref_const_int(ref_builder *b, const mil_stmt *s, const char *key, int required, int64_t *out) {
    int64_t tmp[1];
    int n = 0;
    int rc = ref_const_ints(b, s, key, required, tmp, 1, &n);
    if (rc == 1 && n != 1) {
        mil_pos pos = ref_operand_pos(s, key);
        ane_error_set_at(pos.line, pos.column, "operand '%s' of %s must be one integer", key, s->op);
        return -1;
    }
    if (rc == 1) *out = tmp[0];
    return rc;
}

int ref_const_bools(ref_builder *b, const mil_stmt *s, const char *key, int required, int *out, int max,
                    int *n) {
    const ref_value *v;
    int rc = const_operand(b, s, key, required, &v);
    if (rc <= 0) return rc;
    if (v->type.dtype != MIL_BOOL) return wrong_dtype(s, key, v, "a bool constant");
    if (const_elements(s, key, v, max, n)) return -1;
    for (int i = 0; i < *n; i++) out[i] = const_number(v, (size_t)i) != 0;
    return 1;
}

int ref_const_bool(ref_builder *b, const mil_stmt *s, const char *key, int required, int *out) {
    int tmp[1];
    int n = 0;
    int rc = ref_const_bools(b, s, key, required, tmp, 1, &n);
    if (rc == 1 && n != 1) {
        mil_pos pos = ref_operand_pos(s, key);
        ane_error_set_at(pos.line, pos.column, "operand '%s' of %s must be one bool", key, s->op);
        return -1;
    }
    if (rc == 1) *out = tmp[0];
    return rc;
}

int ref_const_float(ref_builder *b, const mil_stmt *s, const char *key, int required, float *out) {
    const ref_value *v;
    int rc = const_operand(b, s, key, required, &v);
    if (rc <= 0) return rc;
    if (!ref_is_float(v->type.dtype)) return wrong_dtype(s, key, v, "an fp16 or fp32 constant");
    int n;
    if (const_elements(s, key, v, 1, &n)) return -1;
    if (n != 1) return wrong_dtype(s, key, v, "one number");
    *out = v->data[0]; /* already rounded to the constant's dtype */
    return 1;
}

int ref_const_string(ref_builder *b, const mil_stmt *s, const char *key, int required, const char **out) {
    const ref_value *v;
    int rc = const_operand(b, s, key, required, &v);
    if (rc <= 0) return rc;
    if (v->type.dtype != MIL_STRING || !v->lit || !v->lit->strings || v->lit->count != 1)
        return wrong_dtype(s, key, v, "a string constant");
    *out = v->lit->strings[0];
    return 1;
}

/* ---- types ----------------------------------------------------------------------------------------- */

ref_shape ref_shape_of(const mil_type *t) {
    ref_shape s;
    memset(&s, 0, sizeof s);
    s.rank = t->rank;
    for (int i = 0; i < t->rank; i++) s.dim[i] = t->dims[i];
    return s;
}

mil_type ref_tensor_type(mil_dtype dt, const ref_shape *s) {
    mil_type t;
    memset(&t, 0, sizeof t);
    t.dtype = dt;
    t.is_tensor = s->rank > 0;
    t.rank = s->rank;
    for (int i = 0; i < s->rank; i++) t.dims[i] = s->dim[i];
    return t;
}

/* A scalar and a rank-0 tensor are the same type (both spellings occur). */
int ref_type_equal(const mil_type *a, const mil_type *b) {
    if (a->dtype != b->dtype || a->rank != b->rank) return 0;
    for (int i = 0; i < a->rank; i++)
        if (a->dims[i] != b->dims[i]) return 0;
    return 1;
}

const char *ref_type_str(const mil_type *t, char *buf, size_t n) {
    if (!t->is_tensor) {
        snprintf(buf, n, "%s", mil_dtype_name(t->dtype));
        return buf;
    }
    size_t used = (size_t)snprintf(buf, n, "tensor<%s, [", mil_dtype_name(t->dtype));
    for (int i = 0; i < t->rank && used < n; i++)
        used += (size_t)snprintf(buf + used, n - used, "%s%lld", i ? ", " : "", (long long)t->dims[i]);
    if (used < n) snprintf(buf + used, n - used, "]>");
    return buf;
}

const mil_type *ref_type(const ref_builder *b, int id) { return &b->plan->values[id].type; }

int ref_is_float(mil_dtype dt) { return dt == MIL_FP16 || dt == MIL_FP32; }

int ref_is_int(mil_dtype dt) {
    return dt == MIL_INT32 || dt == MIL_INT8 || dt == MIL_UINT8 || dt == MIL_INT16 || dt == MIL_UINT16 ||
           dt == MIL_UINT64 || dt == MIL_UINT4;
}

int ref_require_float(ref_builder *b, const mil_stmt *s, const char *key, int id) {
    const ref_value *v = &b->plan->values[id];
    if (ref_is_float(v->type.dtype)) return 0;
    return wrong_dtype(s, key, v, "fp16 or fp32");
}

int ref_require_same_dtype(ref_builder *b, const mil_stmt *s, const char *ka, int a, const char *kb, int bid) {
    mil_dtype da = ref_type(b, a)->dtype, db = ref_type(b, bid)->dtype;
    if (da == db) return 0;
    mil_pos pos = ref_operand_pos(s, kb);
    ane_error_set_at(pos.line, pos.column, "operands '%s' (%s) and '%s' (%s) of %s must have the same dtype",
                     ka, mil_dtype_name(da), kb, mil_dtype_name(db), s->op);
    return -1;
}

int ref_axis(ref_builder *b, const mil_stmt *s, const char *key, int64_t a, int rank, int *out) {
    if (a < -rank || a >= rank) {
        mil_pos pos = ref_operand_pos(s, key);
        ane_error_set_at(pos.line, pos.column, "%s %lld of %s is out of range for rank %d", key, (long long)a,
                         s->op, rank);
        return -1;
    }
    *out = (int)(a < 0 ? a + rank : a);
    return 0;
}

int ref_dtype_from_name(const char *name) {
    static const struct { const char *name; mil_dtype dt; } names[] = {
        {"fp16", MIL_FP16}, {"fp32", MIL_FP32}, {"int32", MIL_INT32}, {"int8", MIL_INT8},
        {"uint8", MIL_UINT8}, {"int16", MIL_INT16}, {"uint16", MIL_UINT16}, {"bool", MIL_BOOL},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(names[i].name, name) == 0) return (int)names[i].dt;
    return -1;
}
