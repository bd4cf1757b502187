/* Instances of a plan and their evaluation: surfaces in, steps, surfaces out. This file allocates nothing
 * per eval; each step is one kernel call on whole tensors. A kernel that cannot get its scratch memory
 * fails the eval (ANE_ERR_OUT_OF_MEMORY) and leaves the instance as usable as before. */
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "fp16.h"
#include "reference/plan.h"

typedef struct ref_instance {
    const ref_plan *plan;
    float *arena;          /* parameters and step results, laid out by the plan */
    float **ptr;           /* every value's elements */
    const float **inputs;  /* concat scratch: max_inputs pointers and shapes */
    ref_shape *shapes;
} ref_instance;

void ref_instance_free(void *instance) {
    ref_instance *in = instance;
    if (!in) return;
    free(in->arena);
    free(in->ptr);
    free(in->inputs);
    free(in->shapes);
    free(in);
}

/* Surfaces are read at every eval, so an instance does not depend on which ones are bound. */
void *ref_instance_bind(void *plan, void *previous, ane_surface *const *params, int n_params,
                        ane_surface *const *outputs, int n_outputs) {
    const ref_plan *p = plan;
    if (n_params != p->n_params || n_outputs != p->n_outputs) {
        ane_error_set(ANE_ERR_INVALID_ARGUMENT, "the program has %d parameters and %d outputs, got %d and %d",
                      p->n_params, p->n_outputs, n_params, n_outputs);
        return NULL;
    }
    if (previous) return previous;
    ref_instance *in = calloc(1, sizeof *in);
    size_t arena_bytes = (p->arena_floats * sizeof(float) + 63) / 64 * 64;
    int n_scratch = p->max_inputs > 0 ? p->max_inputs : 1;
    if (in) {
        in->plan = p;
        in->arena = aligned_alloc(64, arena_bytes ? arena_bytes : 64); /* every element is written before read */
        in->ptr = calloc((size_t)(p->n_values > 0 ? p->n_values : 1), sizeof(float *));
        in->inputs = calloc((size_t)n_scratch, sizeof(float *));
        in->shapes = calloc((size_t)n_scratch, sizeof(ref_shape));
    }
    if (!in || !in->arena || !in->ptr || !in->inputs || !in->shapes) {
        ref_instance_free(in);
        ane_error_set(ANE_ERR_OUT_OF_MEMORY, "out of memory for a reference instance (%zu bytes)", arena_bytes);
        return NULL;
    }
    for (int i = 0; i < p->n_values; i++) { /* a view's base always comes first */
        const ref_value *v = &p->values[i];
        in->ptr[i] = v->kind == REF_VAL_CONST  ? v->data
                     : v->kind == REF_VAL_VIEW ? in->ptr[v->base]
                                               : in->arena + v->offset;
    }
    return in;
}

/* ---- surfaces ------------------------------------------------------------------------------------- */

static size_t surface_elem(int dtype) {
    switch (dtype) {
    case ANE_DTYPE_FP16: return 2;
    case ANE_DTYPE_FP32:
    case ANE_DTYPE_INT32: return 4;
    case ANE_DTYPE_INT8:
    case ANE_DTYPE_UINT8: return 1;
    default: return 0;
    }
}

/* The surface must be able to hold the value: refuse rather than read or write past it. */
static int check_surface(const ane_surface *s, const ref_value *v, const char *what, int idx, size_t *n) {
    *n = (size_t)mil_type_count(&v->type);
    size_t elem = surface_elem(s->dtype);
    if (!s->base || !elem || s->size < *n * elem) {
        ane_error_set(ANE_ERR_INVALID_ARGUMENT, "%s surface %d ('%s') holds %zu bytes of dtype %d, needs %zu elements",
                      what, idx, v->name, s->size, s->dtype, *n);
        return -1;
    }
    return 0;
}

static void read_surface(const ane_surface *s, float *dst, size_t n) {
    switch (s->dtype) {
    case ANE_DTYPE_FP16: ane_fp16_to_fp32(s->base, dst, n); break;
    case ANE_DTYPE_FP32: memcpy(dst, s->base, n * sizeof(float)); break;
    case ANE_DTYPE_INT32:
        for (size_t i = 0; i < n; i++) dst[i] = (float)((const int32_t *)s->base)[i];
        break;
    case ANE_DTYPE_INT8:
        for (size_t i = 0; i < n; i++) dst[i] = (float)((const int8_t *)s->base)[i];
        break;
    default: /* ANE_DTYPE_UINT8 */
        for (size_t i = 0; i < n; i++) dst[i] = (float)((const uint8_t *)s->base)[i];
        break;
    }
}

static float clampf(float v, float lo, float hi) { return v != v ? 0.0f : v < lo ? lo : v > hi ? hi : v; }

/* Saturating: INT32_MAX has no float, 2^31 and above stand for it. */
static int32_t to_int32(float v) {
    return v != v ? 0 : v >= 2147483648.0f ? INT32_MAX : v <= -2147483648.0f ? INT32_MIN : (int32_t)v;
}

static void write_surface(ane_surface *s, const float *src, size_t n) {
    switch (s->dtype) {
    case ANE_DTYPE_FP16: ane_fp32_to_fp16(src, s->base, n); break;
    case ANE_DTYPE_FP32: memcpy(s->base, src, n * sizeof(float)); break;
    case ANE_DTYPE_INT32:
        for (size_t i = 0; i < n; i++) ((int32_t *)s->base)[i] = to_int32(src[i]);
        break;
    case ANE_DTYPE_INT8:
        for (size_t i = 0; i < n; i++) ((int8_t *)s->base)[i] = (int8_t)clampf(src[i], -128.0f, 127.0f);
        break;
    default: /* ANE_DTYPE_UINT8 */
        for (size_t i = 0; i < n; i++) ((uint8_t *)s->base)[i] = (uint8_t)clampf(src[i], 0.0f, 255.0f);
        break;
    }
}

/* ---- steps ---------------------------------------------------------------------------------------- */

/* x[i] += bias[i % n] for every row of n. */
static void add_rows(float *x, size_t rows, const float *bias, size_t n) {
    for (size_t r = 0; r < rows; r++)
        for (size_t j = 0; j < n; j++) x[r * n + j] += bias[j];
}

static int run_step(ref_instance *in, const ref_step *st) {
    const float *a = in->ptr[st->in[0]];
    const float *b = st->n_in > 1 && st->in[1] >= 0 ? in->ptr[st->in[1]] : NULL;
    const float *c = st->n_in > 2 && st->in[2] >= 0 ? in->ptr[st->in[2]] : NULL;
    const float *d = st->n_in > 3 && st->in[3] >= 0 ? in->ptr[st->in[3]] : NULL;
    float *out = in->ptr[st->out];
    const ref_shape *s = st->shape;
    int oom = 0; /* the kernels' -1: out of memory */
    switch (st->op) {
    case REF_OP_BINARY: ref_binary((ref_binop)st->sub, a, &s[0], b, &s[1], out, &st->out_shape); break;
    case REF_OP_UNARY: ref_unary((ref_unop)st->sub, a, out, ref_shape_count(&s[0]), st->f0); break;
    case REF_OP_CAST: memcpy(out, a, ref_shape_count(&s[0]) * sizeof(float)); break; /* + rounding below */
    case REF_OP_MATMUL: oom = ref_matmul(a, &s[0], st->flag0, b, &s[1], st->flag1, out, &st->out_shape); break;
    case REF_OP_LINEAR: {
        /* x [rows, Din] times weight [Dout, Din] transposed */
        int64_t dout = s[1].dim[0];
        oom = ref_sgemm(0, 1, st->i0, dout, st->i1, a, st->i1, b, st->i1, out, dout);
        if (!oom && c) add_rows(out, (size_t)st->i0, c, (size_t)dout);
        break;
    }
    case REF_OP_CONV:
        oom = ref_conv(a, &s[0], b, &s[1], c, st->v1, st->v0, st->v2, st->i0, out, &st->out_shape);
        break;
    case REF_OP_SOFTMAX: oom = ref_softmax(a, &s[0], st->axis, out); break;
    case REF_OP_REDUCE: ref_reduce((ref_reduce_op)st->sub, a, &s[0], st->mask, out); break;
    case REF_OP_TRANSPOSE: ref_transpose(a, &s[0], st->perm, out); break;
    case REF_OP_SLICE: ref_slice(a, &s[0], st->v0, st->v1, out, &st->out_shape); break;
    case REF_OP_CONCAT:
        for (int i = 0; i < st->n_in; i++) {
            in->inputs[i] = in->ptr[st->in[i]];
            in->shapes[i] = ref_shape_of(&in->plan->values[st->in[i]].type);
        }
        ref_concat(in->inputs, in->shapes, st->n_in, st->axis, st->flag0, out);
        break;
    case REF_OP_SDPA:
        oom = ref_sdpa(a, &s[0], b, &s[1], c, &s[2], d, &s[3], st->flag0, out, &st->out_shape);
        break;
    case REF_OP_LAYER_NORM: oom = ref_layer_norm(a, &s[0], st->mask, b, c, st->f0, out); break;
    case REF_OP_BAND_PART: ref_band_part(a, &s[0], st->i0, st->i1, out); break;
    case REF_OP_GATHER:
        if (ref_gather(a, &s[0], b, &s[1], st->axis, out)) {
            ane_error_set(ANE_ERR_EVAL, "gather '%s' (line %d): an index is out of range for axis %d of size %lld",
                          in->plan->values[st->out].name, st->pos.line, st->axis, (long long)s[0].dim[st->axis]);
            return -1;
        }
        break;
    case REF_OP_QUANTIZE: ref_quantize(a, &s[0], st->axis, b, c, st->i0, st->f0, st->f1, out); break;
    case REF_OP_DEQUANTIZE: ref_dequantize(a, &s[0], st->axis, b, c, st->i0, out); break;
    }
    if (oom) {
        ane_error_set(ANE_ERR_OUT_OF_MEMORY, "%s '%s' (line %d): out of memory allocating %zu bytes of scratch",
                      st->op_name, in->plan->values[st->out].name, st->pos.line, ref_scratch_failed_bytes());
        return -1;
    }
    if (st->round) {
        const mil_type *t = &in->plan->values[st->out].type;
        ref_round_to_dtype(t->dtype, out, (size_t)mil_type_count(t));
    }
    return 0;
}

int ref_instance_eval(void *instance, ane_surface *const *params, int n_params,
                      ane_surface *const *outputs, int n_outputs) {
    ref_instance *in = instance;
    const ref_plan *p = in->plan;
    if (n_params != p->n_params || n_outputs != p->n_outputs) {
        ane_error_set(ANE_ERR_INVALID_ARGUMENT, "the program has %d parameters and %d outputs, got %d and %d",
                      p->n_params, p->n_outputs, n_params, n_outputs);
        return -1;
    }
    size_t n;
    for (int i = 0; i < n_outputs; i++)
        if (check_surface(outputs[i], &p->values[p->output_values[i]], "output", i, &n)) return -1;
    for (int i = 0; i < n_params; i++) {
        int id = p->param_values[i];
        if (check_surface(params[i], &p->values[id], "input", i, &n)) return -1;
        read_surface(params[i], in->ptr[id], n);
    }
    for (int k = 0; k < p->n_steps; k++)
        if (run_step(in, &p->steps[k])) return -1;
    /* Only now: an output surface may be the memory of an input. */
    for (int j = 0; j < n_outputs; j++) {
        int id = p->output_values[j];
        write_surface(outputs[j], in->ptr[id], (size_t)mil_type_count(&p->values[id].type));
    }
    return 0;
}
