/* The reference backend's compiled form of a MIL program (a "plan") and its instances.
 *
 * Compiling walks main's statements once. Every name (parameter, statement result, inline literal)
 * becomes a value; const and constexpr statements are evaluated on the spot; every other op is type
 * checked against its declared result type and becomes one or more steps that call a kernel of ops.h.
 * Values are float arrays (ops.h): a constant's array belongs to the plan; parameters and step results
 * live in a per-instance arena at offsets fixed by the plan; reshape and identity results are views
 * of another value's storage. The plan is immutable after compile and shared by all instances. */
#ifndef ANE4J_REF_PLAN_H
#define ANE4J_REF_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "backend.h"
#include "mil/mil_ast.h"
#include "reference/ops.h"
#include "strmap.h"

typedef enum ref_value_kind {
    REF_VAL_PARAM, /* function parameter: copied from its surface into the arena at each eval */
    REF_VAL_CONST, /* known at compile time: data (numbers) and/or lit (exact numbers, strings) */
    REF_VAL_TEMP,  /* written by a step into the arena */
    REF_VAL_VIEW   /* the same elements as value `base`, another shape */
} ref_value_kind;

typedef struct ref_value {
    const char *name;       /* as written; "" for inline literals */
    mil_pos pos;
    mil_type type;          /* declared type */
    ref_value_kind kind;
    int param;              /* PARAM: parameter index */
    float *data;            /* CONST: element values (owned), NULL for strings */
    const mil_literal *lit; /* CONST written as a literal: exact values and strings (AST-owned) */
    int base;               /* VIEW */
    size_t offset;          /* PARAM, TEMP: float offset in the instance arena */
} ref_value;

typedef enum ref_opcode {
    REF_OP_BINARY, REF_OP_UNARY, REF_OP_CAST, REF_OP_MATMUL, REF_OP_LINEAR, REF_OP_CONV, REF_OP_SOFTMAX,
    REF_OP_REDUCE, REF_OP_TRANSPOSE, REF_OP_SLICE, REF_OP_CONCAT, REF_OP_SDPA, REF_OP_LAYER_NORM,
    REF_OP_BAND_PART, REF_OP_GATHER, REF_OP_QUANTIZE, REF_OP_DEQUANTIZE
} ref_opcode;

/* One kernel call (exec.c). Inputs in order, shape[i] = input i's shape as the kernel sees it, and:
 *   BINARY     sub = ref_binop, out_shape = broadcast shape
 *   UNARY      sub = ref_unop, f0 = rsqrt epsilon
 *   MATMUL     flag0/flag1 = transpose x/y, shapes with rank-1 operands promoted, out_shape unsqueezed
 *   LINEAR     i0 = rows of x, i1 = D_in, shape[1] = weight; in[2] = bias or -1
 *   CONV       v0 = pads (begin, end per spatial axis), v1 = strides, v2 = dilations, i0 = groups
 *   SOFTMAX    axis;  REDUCE: sub = ref_reduce_op, mask = reduced axes;  LAYER_NORM: mask, f0 = epsilon
 *   TRANSPOSE  perm;  SLICE: v0 = begin, v1 = stride, out_shape before squeezing;  CONCAT: axis, flag0 =
 *              interleave (shapes come from the inputs' types);  BAND_PART: i0 = lower, i1 = upper
 *   SDPA       flag0 = the mask (in[3], or -1) is bool;  GATHER: axis
 *   QUANTIZE / DEQUANTIZE  in[1], in[2] = scale, zero point (i0 values each), axis, f0/f1 = clamp range */
typedef struct ref_step {
    ref_opcode op;
    const char *op_name;    /* for eval-time messages */
    mil_pos pos;
    int n_in;
    int *in;                /* value ids; -1 for an absent optional operand */
    int out;                /* value id of the result */
    int round;              /* round the result to its declared dtype after the kernel */
    int sub;                /* ref_binop / ref_unop / ref_reduce_op */
    ref_shape shape[4];     /* operand shapes as the kernel sees them */
    ref_shape out_shape;    /* result shape as the kernel sees it (before squeezing) */
    int64_t v0[2 * REF_MAX_RANK], v1[REF_MAX_RANK], v2[REF_MAX_RANK];
    int perm[REF_MAX_RANK];
    int axis;
    unsigned mask;
    int flag0, flag1;
    int64_t i0, i1;
    float f0, f1;
} ref_step;

typedef struct ref_plan {
    const mil_program *ast; /* owned by the core, outlives the plan */
    int n_values;
    ref_value *values;
    int n_steps;
    ref_step *steps;
    int n_params;
    int *param_values;      /* value id of parameter i */
    int n_outputs;
    int *output_values;     /* value id of returned value j */
    size_t arena_floats;    /* per-instance storage for parameters and step results */
    int max_inputs;         /* largest step n_in (concat pointer table) */
    size_t held_bytes;      /* heap memory the plan holds: constants, values, steps */
    size_t instance_bytes;  /* heap memory each instance adds: arena and tables */
} ref_plan;

/* ---- plan.c: building ---------------------------------------------------------------------------- */

typedef struct ref_builder {
    ref_plan *plan;
    const ane_compile_input *input;
    int cap_values, cap_steps;
    ane_strmap names;       /* defined name -> value id */
    ane_strmap files;       /* weight file name -> index in input */
    uint64_t kernel_bytes;  /* surfaces + plan->held_bytes so far: checked against the limit as it grows */
    uint64_t kernel_limit;  /* ANE_LIMIT_KERNEL_BYTES when the compile began */
} ref_builder;

/* Append a value / step (zeroed except the given fields); NULL when out of memory or past the kernel
 * limit (error set). Pointers stay valid only until the next append. */
ref_value *ref_new_value(ref_builder *b, const char *name, mil_pos pos, const mil_type *type,
                         ref_value_kind kind);
ref_step *ref_new_step(ref_builder *b, ref_opcode op, const mil_stmt *s, int n_in, int out);
/* The `data` of constant value id (its element count of floats, uninitialised, owned by the plan),
 * counted against the limits before it is allocated. NULL on failure (error set). */
float *ref_alloc_const(ref_builder *b, int id);
/* A new constant value of the given type with its data allocated as above. Returns its id or -1. */
int ref_new_const(ref_builder *b, const char *name, mil_pos pos, const mil_type *type);
/* Make value res a view of x's storage (reshape, identity, a cast to the same dtype). */
void ref_make_view(ref_builder *b, int res, int x);
/* Counts bytes of plan memory against the kernel limit; -1 (error at pos naming `what`) past it. */
int ref_charge(ref_builder *b, uint64_t bytes, mil_pos pos, const char *what);
/* Value id of an earlier name, or -1. */
int ref_lookup(const ref_builder *b, const char *name);

/* ---- consts.c: compile-time values ---------------------------------------------------------------- */

/* Round x[0..n) to what dtype can hold (fp16 rounding; integers truncated toward zero and saturated;
 * bool 0/1). */
void ref_round_to_dtype(mil_dtype dt, float *x, size_t n);
/* A const value from a literal (inline or const statement), BLOBFILE read and checked. Returns its
 * id or -1 (error set). */
int ref_const_from_literal(ref_builder *b, const char *name, mil_pos pos, const mil_literal *lit);
/* Build the value of a constexpr_affine_dequantize statement into result value id `res`. */
int ref_constexpr_affine_dequantize(ref_builder *b, const mil_stmt *s, int res, mil_type *inferred);

/* ---- operands.c: operands of a statement ---------------------------------------------------------- */

/* Value id of operand `key`: a name defined earlier or an inline literal. Absent: -1, which is an error
 * when required. Returns 0 or -1 (error set). */
int ref_operand(ref_builder *b, const mil_stmt *s, const char *key, int required, int *id);
/* Operand `key` as a tuple of names (concat values). *ids is malloc'ed. */
int ref_operand_tuple(ref_builder *b, const mil_stmt *s, const char *key, int **ids, int *n);
/* Where operand key is written (the statement's op when absent). */
mil_pos ref_operand_pos(const mil_stmt *s, const char *key);
/* A compile error at operand key, "<op>: <message>". Returns -1. */
int ref_operand_error(const mil_stmt *s, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Configuration operands: must be compile-time constants. Each returns 1 when present, 0 when absent
 * and optional (output untouched), -1 on error (absent and required, not constant, wrong type). */
int ref_const_ints(ref_builder *b, const mil_stmt *s, const char *key, int required, int64_t *out,
                   int max, int *n);
int ref_const_int(ref_builder *b, const mil_stmt *s, const char *key, int required, int64_t *out);
int ref_const_bools(ref_builder *b, const mil_stmt *s, const char *key, int required, int *out, int max,
                    int *n);
int ref_const_bool(ref_builder *b, const mil_stmt *s, const char *key, int required, int *out);
int ref_const_float(ref_builder *b, const mil_stmt *s, const char *key, int required, float *out);
int ref_const_string(ref_builder *b, const mil_stmt *s, const char *key, int required, const char **out);

/* Type helpers. */
ref_shape ref_shape_of(const mil_type *t);
mil_type ref_tensor_type(mil_dtype dt, const ref_shape *s);
int ref_type_equal(const mil_type *a, const mil_type *b);
/* "tensor<fp16, [1, 2]>" or "fp16" into buf. */
const char *ref_type_str(const mil_type *t, char *buf, size_t n);
const mil_type *ref_type(const ref_builder *b, int id);
int ref_is_float(mil_dtype dt);
int ref_is_int(mil_dtype dt);
/* Error unless operand `key` (value id) has a floating dtype. */
int ref_require_float(ref_builder *b, const mil_stmt *s, const char *key, int id);
/* Error unless operands ka and kb share a dtype (no promotion). */
int ref_require_same_dtype(ref_builder *b, const mil_stmt *s, const char *ka, int a, const char *kb, int bid);
/* Normalise axis a of a rank-r tensor (negative counts from the end); error if out of range. */
int ref_axis(ref_builder *b, const mil_stmt *s, const char *key, int64_t a, int rank, int *out);
/* A mil_dtype named by a MIL dtype string ("fp16", "int8", ...); -1 when unknown. */
int ref_dtype_from_name(const char *name);

/* ---- op handlers (infer_*.c): check operands, compute the result types into inferred[], emit steps --- */

typedef int (*ref_infer_fn)(ref_builder *b, const mil_stmt *s, const int *res, mil_type *inferred);

typedef struct ref_op_def {
    const char *name;
    const char *keys;       /* accepted operand names, space-separated */
    ref_infer_fn infer;
    int many_results;       /* split: any number of results; every other op has one */
} ref_op_def;

/* The op table (optable.c); NULL when the op is unknown. */
const ref_op_def *ref_find_op(const char *name);

int ref_infer_binary(ref_builder *b, const mil_stmt *s, const int *res, mil_type *inferred);
int ref_infer_unary(ref_builder *b, const mil_stmt *s, const int *res, mil_type *inferred);
int ref_infer_cast(ref_builder *b, const mil_stmt *s, const int *res, mil_type *inferred);
int ref_infer_identity(ref_builder *b, const mil_stmt *s, const int *res, mil_type *inferred);
int ref_infer_reshape(ref_builder *b, const mil_stmt *s, const int *res, mil_type *inferred);
int ref_infer_transpose(ref_builder *b, const mil_stmt *s, const int *res, mil_type *inferred);
int ref_infer_slice_by_size(ref_builder *b, const mil_stmt *s, const int *res, mil_type *inferred);
int ref_infer_slice_by_index(ref_builder *b, const mil_stmt *s, const int *res, mil_type *inferred);
int ref_infer_concat(ref_builder *b, const mil_stmt *s, const int *res, mil_type *inferred);
int ref_infer_split(ref_builder *b, const mil_stmt *s, const int *res, mil_type *inferred);
int ref_infer_gather(ref_builder *b, const mil_stmt *s, const int *res, mil_type *inferred);
int ref_infer_band_part(ref_builder *b, const mil_stmt *s, const int *res, mil_type *inferred);
int ref_infer_matmul(ref_builder *b, const mil_stmt *s, const int *res, mil_type *inferred);
int ref_infer_linear(ref_builder *b, const mil_stmt *s, const int *res, mil_type *inferred);
int ref_infer_conv(ref_builder *b, const mil_stmt *s, const int *res, mil_type *inferred);
int ref_infer_sdpa(ref_builder *b, const mil_stmt *s, const int *res, mil_type *inferred);
int ref_infer_softmax(ref_builder *b, const mil_stmt *s, const int *res, mil_type *inferred);
int ref_infer_reduce(ref_builder *b, const mil_stmt *s, const int *res, mil_type *inferred);
int ref_infer_layer_norm(ref_builder *b, const mil_stmt *s, const int *res, mil_type *inferred);
int ref_infer_quantize(ref_builder *b, const mil_stmt *s, const int *res, mil_type *inferred);
int ref_infer_dequantize(ref_builder *b, const mil_stmt *s, const int *res, mil_type *inferred);

/* ---- plan.c / exec.c: the backend functions ------------------------------------------------------- */

void *ref_plan_compile(const ane_compile_input *in, int *did_compile);
void ref_plan_free(void *plan);
void ref_plan_memory(const void *plan, size_t *held, size_t *per_instance);
void *ref_instance_bind(void *plan, void *previous, ane_surface *const *params, int n_params,
                        ane_surface *const *outputs, int n_outputs);
int ref_instance_eval(void *instance, ane_surface *const *params, int n_params,
                      ane_surface *const *outputs, int n_outputs);
void ref_instance_free(void *instance);

#endif
