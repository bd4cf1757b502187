/* Compile: walk main's statements once, building values and steps (see plan.h), then lay out the
 * per-instance arena, reusing the storage of results nobody reads any more. */
#include "reference/plan.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "limit.h"

/* Heap bookkeeping a block costs beyond its size, counted into the plan's memory. */
#define ALLOC_OVERHEAD 16

/* ---- growing arrays -------------------------------------------------------------------------------- */

static int grow(void **items, int *cap, int need, size_t item_size) {
    if (need <= *cap) return 0;
    int cap2 = *cap ? *cap : 8;
    while (cap2 < need) cap2 = cap2 > INT_MAX / 2 ? INT_MAX : cap2 * 2;
    void *p = cap2 >= need ? realloc(*items, (size_t)cap2 * item_size) : NULL;
    if (!p) {
        ane_error_set(ANE_ERR_OUT_OF_MEMORY, "out of memory while compiling");
        return -1;
    }
    memset((char *)p + (size_t)*cap * item_size, 0, (size_t)(cap2 - *cap) * item_size);
    *items = p;
    *cap = cap2;
    return 0;
}

int ref_charge(ref_builder *b, uint64_t bytes, mil_pos pos, const char *what) {
    b->plan->held_bytes += bytes;
    if (!__builtin_add_overflow(b->kernel_bytes, bytes, &b->kernel_bytes) && b->kernel_bytes <= b->kernel_limit)
        return 0;
    char why[ANE_LIMIT_TEXT_MAX];
    ane_error_set_at(pos.line, pos.column, "%s needs %llu bytes, bringing the kernel to %llu bytes, which %s", what,
                     (unsigned long long)bytes, (unsigned long long)b->kernel_bytes,
                     ane_limit_exceeded(ANE_LIMIT_KERNEL_BYTES, why, sizeof why));
    b->kernel_bytes = UINT64_MAX; /* stays past the limit */
    return -1;
}

/* Bytes of the float array a value of type t needs, or UINT64_MAX when that overflows. */
static uint64_t float_bytes(const mil_type *t) {
    int64_t count = mil_type_count(t);
    uint64_t bytes;
    return count < 0 || __builtin_mul_overflow((uint64_t)count, sizeof(float), &bytes) ? UINT64_MAX : bytes;
}

ref_value *ref_new_value(ref_builder *b, const char *name, mil_pos pos, const mil_type *type,
                         ref_value_kind kind) {
    ref_plan *p = b->plan;
    /* Every value is stored somewhere in the kernel: one that cannot fit it is refused before layout. */
    uint64_t bytes = float_bytes(type);
    if (bytes > b->kernel_limit) {
        char need[32], why[ANE_LIMIT_TEXT_MAX];
        snprintf(need, sizeof need, bytes == UINT64_MAX ? "more than 2^64" : "%llu", (unsigned long long)bytes);
        ane_error_set_at(pos.line, pos.column, "'%s' needs %s bytes, which %s", *name ? name : "this literal", need,
                         ane_limit_exceeded(ANE_LIMIT_KERNEL_BYTES, why, sizeof why));
        return NULL;
    }
    if (grow((void **)&p->values, &b->cap_values, p->n_values + 1, sizeof(ref_value))) return NULL;
    ref_value *v = &p->values[p->n_values++];
    memset(v, 0, sizeof *v);
    v->name = name;
    v->pos = pos;
    v->type = *type;
    v->kind = kind;
    v->base = -1;
    return v;
}

float *ref_alloc_const(ref_builder *b, int id) {
    ref_value *v = &b->plan->values[id];
    const char *name = *v->name ? v->name : "here";
    int64_t count = mil_type_count(&v->type), max = ane_limit_get(ANE_LIMIT_CONSTANT_ELEMENTS);
    if (count > max) {
        char why[ANE_LIMIT_TEXT_MAX];
        ane_error_set_at(v->pos.line, v->pos.column, "the constant '%s' has %lld elements, which %s", name,
                         (long long)count, ane_limit_exceeded(ANE_LIMIT_CONSTANT_ELEMENTS, why, sizeof why));
        return NULL;
    }
    uint64_t bytes = float_bytes(&v->type); /* fits: ref_new_value checked it against the kernel limit */
    if (ref_charge(b, bytes + ALLOC_OVERHEAD, v->pos, name)) return NULL;
    v->data = malloc(bytes ? (size_t)bytes : 1);
    if (!v->data) ane_error_set(ANE_ERR_OUT_OF_MEMORY, "out of memory for the constant '%s' of %lld elements", name,
                                (long long)count);
    return v->data;
}

int ref_new_const(ref_builder *b, const char *name, mil_pos pos, const mil_type *type) {
    if (!ref_new_value(b, name, pos, type, REF_VAL_CONST)) return -1;
    int id = b->plan->n_values - 1;
    return ref_alloc_const(b, id) ? id : -1;
}

static int storage_root(const ref_plan *p, int id) {
    while (p->values[id].kind == REF_VAL_VIEW) id = p->values[id].base;
    return id;
}

/* Views point at their storage directly, so chains of reshapes cost nothing to follow. */
void ref_make_view(ref_builder *b, int res, int x) {
    ref_value *v = &b->plan->values[res];
    v->kind = REF_VAL_VIEW;
    v->base = storage_root(b->plan, x);
}

ref_step *ref_new_step(ref_builder *b, ref_opcode op, const mil_stmt *s, int n_in, int out) {
    ref_plan *p = b->plan;
    if (grow((void **)&p->steps, &b->cap_steps, p->n_steps + 1, sizeof(ref_step))) return NULL;
    int *in = calloc((size_t)(n_in > 0 ? n_in : 1), sizeof(int));
    if (!in) {
        ane_error_set(ANE_ERR_OUT_OF_MEMORY, "out of memory while compiling");
        return NULL;
    }
    p->held_bytes += (size_t)(n_in > 0 ? n_in : 1) * sizeof(int) + ALLOC_OVERHEAD;
    ref_step *st = &p->steps[p->n_steps++];
    memset(st, 0, sizeof *st);
    st->op = op;
    st->op_name = s->op;
    st->pos = s->pos;
    st->n_in = n_in;
    st->in = in;
    st->out = out;
    st->round = 1;
    if (n_in > p->max_inputs) p->max_inputs = n_in;
    return st;
}

/* ---- names ----------------------------------------------------------------------------------------- */

int ref_lookup(const ref_builder *b, const char *name) {
    return (int)ane_strmap_get(&b->names, name, strlen(name));
}

/* Make value id findable by its name; a second definition of a name is an error. */
static int define_name(ref_builder *b, int id) {
    const ref_value *v = &b->plan->values[id];
    int64_t first;
    int rc = ane_strmap_put(&b->names, v->name, strlen(v->name), id, &first);
    if (rc < 0) {
        ane_error_set(ANE_ERR_OUT_OF_MEMORY, "out of memory while compiling");
        return -1;
    }
    if (rc == 0) {
        ane_error_set_at(v->pos.line, v->pos.column, "'%s' is already defined (line %d)", v->name,
                         b->plan->values[first].pos.line);
        return -1;
    }
    return 0;
}

/* ---- statements ------------------------------------------------------------------------------------ */

static int check_declared(const mil_stmt *s, int i, const mil_type *declared, const mil_type *inferred) {
    if (ref_type_equal(declared, inferred)) return 0;
    char d[160], t[160];
    ane_error_set_at(s->result_pos[i].line, s->result_pos[i].column, "'%s' is declared %s but %s gives %s",
                     s->result_names[i], ref_type_str(declared, d, sizeof d), s->op,
                     ref_type_str(inferred, t, sizeof t));
    return -1;
}

static int compile_const(ref_builder *b, const mil_stmt *s) {
    const mil_attr *val = mil_stmt_attr(s, "val");
    if (!val) {
        ane_error_set_at(s->pos.line, s->pos.column, "const '%s' has no val attribute", s->result_names[0]);
        return -1;
    }
    if (check_declared(s, 0, &s->result_types[0], &val->value.type)) return -1;
    int id = ref_const_from_literal(b, s->result_names[0], s->result_pos[0], &val->value);
    return id < 0 ? -1 : define_name(b, id);
}

/* Every operand of s must be one the op knows: a misspelt operand would otherwise be silently ignored. */
static int check_keys(const mil_stmt *s, const char *keys) {
    for (int i = 0; i < s->n_args; i++) {
        const char *k = s->args[i].key;
        size_t n = strlen(k);
        const char *p = keys;
        int found = 0;
        while (*p && !found) {
            size_t m = strcspn(p, " ");
            found = m == n && strncmp(p, k, n) == 0;
            p += m;
            while (*p == ' ') p++;
        }
        if (!found) {
            ane_error_set_at(s->args[i].pos.line, s->args[i].pos.column, "%s has no operand '%s' (it takes: %s)",
                             s->op, k, keys);
            return -1;
        }
    }
    return 0;
}

/* Strings are configuration (modes, dtypes), never data: they have no elements a kernel could read. */
static int check_step_inputs(const ref_builder *b, const mil_stmt *s, int first_step) {
    const ref_plan *p = b->plan;
    for (int k = first_step; k < p->n_steps; k++)
        for (int i = 0; i < p->steps[k].n_in; i++) {
            int id = p->steps[k].in[i];
            if (id >= 0 && p->values[id].type.dtype == MIL_STRING) {
                const char *n = p->values[id].name; /* "" for an inline literal */
                ane_error_set_at(s->pos.line, s->pos.column, "%s cannot compute on %s%s%s", s->op,
                                 *n ? "the string value '" : "a string literal", n, *n ? "'" : "");
                return -1;
            }
        }
    return 0;
}

static int compile_stmt(ref_builder *b, const mil_stmt *s) {
    if (s->n_results < 1) {
        ane_error_set_at(s->pos.line, s->pos.column, "%s has no result", s->op);
        return -1;
    }
    int is_const = strcmp(s->op, "const") == 0;
    int is_constexpr = strcmp(s->op, "constexpr_affine_dequantize") == 0;
    const ref_op_def *def = is_const || is_constexpr ? NULL : ref_find_op(s->op);
    if (!is_const && !is_constexpr && !def) {
        ane_error_set_at(s->pos.line, s->pos.column, "unsupported op '%s'", s->op);
        return -1;
    }
    if (s->n_results != 1 && !(def && def->many_results)) {
        ane_error_set_at(s->result_pos[1].line, s->result_pos[1].column, "%s has exactly one result", s->op);
        return -1;
    }
    if (is_const) return compile_const(b, s);

    int first = b->plan->n_values;
    int res[64];
    mil_type inferred[64];
    if (s->n_results > 64) {
        ane_error_set_at(s->pos.line, s->pos.column, "%s has too many results (%d, at most 64)", s->op,
                         s->n_results);
        return -1;
    }
    for (int i = 0; i < s->n_results; i++) {
        ref_value_kind kind = is_constexpr ? REF_VAL_CONST : REF_VAL_TEMP;
        if (!ref_new_value(b, s->result_names[i], s->result_pos[i], &s->result_types[i], kind)) return -1;
        res[i] = first + i;
        memset(&inferred[i], 0, sizeof inferred[i]);
    }
    if (is_constexpr) {
        if (ref_constexpr_affine_dequantize(b, s, res[0], &inferred[0])) return -1;
    } else {
        int first_step = b->plan->n_steps;
        if (check_keys(s, def->keys)) return -1;
        if (def->infer(b, s, res, inferred) || check_step_inputs(b, s, first_step)) return -1;
    }
    for (int i = 0; i < s->n_results; i++) {
        if (check_declared(s, i, &s->result_types[i], &inferred[i])) return -1;
        if (define_name(b, res[i])) return -1;
    }
    return 0;
}

/* The core has already checked that every parameter and returned value has a surface dtype. */
static int compile_params(ref_builder *b, const mil_function *f) {
    ref_plan *p = b->plan;
    p->n_params = f->n_params;
    p->param_values = calloc((size_t)(f->n_params > 0 ? f->n_params : 1), sizeof(int));
    if (!p->param_values) {
        ane_error_set(ANE_ERR_OUT_OF_MEMORY, "out of memory while compiling");
        return -1;
    }
    for (int i = 0; i < f->n_params; i++) {
        const mil_param *prm = &f->params[i];
        ref_value *v = ref_new_value(b, prm->name, prm->pos, &prm->type, REF_VAL_PARAM);
        if (!v) return -1;
        v->param = i;
        p->param_values[i] = p->n_values - 1;
        if (define_name(b, p->n_values - 1)) return -1;
    }
    return 0;
}

static int compile_outputs(ref_builder *b, const mil_function *f) {
    ref_plan *p = b->plan;
    p->n_outputs = f->n_outputs;
    p->output_values = calloc((size_t)(f->n_outputs > 0 ? f->n_outputs : 1), sizeof(int));
    if (!p->output_values) {
        ane_error_set(ANE_ERR_OUT_OF_MEMORY, "out of memory while compiling");
        return -1;
    }
    for (int j = 0; j < f->n_outputs; j++) {
        mil_pos pos = f->output_pos[j];
        int id = ref_lookup(b, f->outputs[j]);
        if (id < 0) {
            ane_error_set_at(pos.line, pos.column, "returned value '%s' is not defined", f->outputs[j]);
            return -1;
        }
        p->output_values[j] = id;
    }
    return 0;
}

/* ---- arena layout ---------------------------------------------------------------------------------- */

/* Free blocks of the arena, sorted by offset, never adjacent (merged). At most MAX_FREE_BLOCKS are
 * tracked, so each allocation and release costs a bounded amount of work and layout stays linear in the
 * program; a block released when the list is full (and next to none of it) is simply not reused. */
enum { MAX_FREE_BLOCKS = 64 };
typedef struct arena_block { size_t off, size; } arena_block;
typedef struct arena {
    arena_block free[MAX_FREE_BLOCKS];
    int n_free;
    size_t top; /* SIZE_MAX once the layout no longer fits a size_t: refused by the caller */
} arena;

static size_t round_up16(size_t n) { return n > SIZE_MAX - 15 ? SIZE_MAX : (n + 15) / 16 * 16; } /* 64 bytes */

static size_t saturating_add(size_t a, size_t b) { return a > SIZE_MAX - b ? SIZE_MAX : a + b; }

static size_t arena_alloc(arena *a, size_t size) {
    for (int i = 0; i < a->n_free; i++) {
        arena_block *f = &a->free[i];
        if (f->size < size) continue;
        size_t off = f->off;
        f->off += size;
        f->size -= size;
        if (f->size == 0) {
            memmove(f, f + 1, (size_t)(a->n_free - i - 1) * sizeof *f);
            a->n_free--;
        }
        return off;
    }
    /* A free block at the top grows instead of leaving a hole below the new block. */
    if (a->n_free > 0 && a->free[a->n_free - 1].off + a->free[a->n_free - 1].size == a->top) {
        size_t off = a->free[--a->n_free].off;
        a->top = saturating_add(off, size);
        return off;
    }
    size_t off = a->top;
    a->top = saturating_add(a->top, size);
    return off;
}

static void arena_release(arena *a, size_t off, size_t size) {
    int i = 0;
    while (i < a->n_free && a->free[i].off < off) i++;
    int joins_before = i > 0 && a->free[i - 1].off + a->free[i - 1].size == off;
    int joins_after = i < a->n_free && off + size == a->free[i].off;
    if (joins_before && joins_after) {
        a->free[i - 1].size += size + a->free[i].size;
        memmove(&a->free[i], &a->free[i + 1], (size_t)(a->n_free - i - 1) * sizeof(arena_block));
        a->n_free--;
    } else if (joins_before) {
        a->free[i - 1].size += size;
    } else if (joins_after) {
        a->free[i].off = off;
        a->free[i].size += size;
    } else if (a->n_free < MAX_FREE_BLOCKS) {
        memmove(&a->free[i + 1], &a->free[i], (size_t)(a->n_free - i) * sizeof(arena_block));
        a->free[i] = (arena_block){off, size};
        a->n_free++;
    }
}

static size_t value_floats(const ref_value *v) { return round_up16((size_t)mil_type_count(&v->type)); }

/* Parameters get fixed places; a step result lives from its step to the last step reading it (or
 * forever when returned). */
static int layout_arena(ref_plan *p) {
    int *last = malloc((size_t)(p->n_values > 0 ? p->n_values : 1) * sizeof(int));
    if (!last) {
        ane_error_set(ANE_ERR_OUT_OF_MEMORY, "out of memory while compiling");
        return -1;
    }
    for (int i = 0; i < p->n_values; i++) last[i] = -1;
    for (int s = 0; s < p->n_steps; s++)
        for (int k = 0; k < p->steps[s].n_in; k++)
            if (p->steps[s].in[k] >= 0) last[storage_root(p, p->steps[s].in[k])] = s;
    for (int j = 0; j < p->n_outputs; j++) last[storage_root(p, p->output_values[j])] = INT_MAX;

    arena a = {.n_free = 0};
    for (int i = 0; i < p->n_params; i++) {
        ref_value *v = &p->values[p->param_values[i]];
        v->offset = arena_alloc(&a, value_floats(v));
    }
    for (int s = 0; s < p->n_steps; s++) {
        const ref_step *st = &p->steps[s];
        ref_value *out = &p->values[st->out];
        out->offset = arena_alloc(&a, value_floats(out));
        if (last[st->out] < s) arena_release(&a, out->offset, value_floats(out));
        for (int k = 0; k < st->n_in; k++) {
            if (st->in[k] < 0) continue;
            int r = storage_root(p, st->in[k]);
            if (p->values[r].kind == REF_VAL_TEMP && last[r] == s) {
                last[r] = -2; /* released once even when read twice by this step */
                arena_release(&a, p->values[r].offset, value_floats(&p->values[r]));
            }
        }
    }
    p->arena_floats = a.top;
    free(last);
    return 0;
}

/* The memory each instance will allocate (exec.c), counted with the rest against the kernel limit. */
static int check_instance_memory(ref_builder *b) {
    ref_plan *p = b->plan;
    size_t tables = (size_t)(p->n_values + 1) * sizeof(float *) +
                    (size_t)(p->max_inputs + 1) * (sizeof(float *) + sizeof(ref_shape)) + 4 * ALLOC_OVERHEAD;
    size_t arena = p->arena_floats > SIZE_MAX / sizeof(float) - 64 ? SIZE_MAX : p->arena_floats * sizeof(float) + 64;
    p->instance_bytes = saturating_add(arena, tables);
    uint64_t total;
    if (!__builtin_add_overflow(b->kernel_bytes, (uint64_t)p->instance_bytes, &total) && total <= b->kernel_limit &&
        p->instance_bytes < SIZE_MAX)
        return 0;
    char need[32], why[ANE_LIMIT_TEXT_MAX];
    snprintf(need, sizeof need, p->instance_bytes == SIZE_MAX ? "more than 2^64" : "%zu", p->instance_bytes);
    ane_error_set_at(0, 0, "the kernel needs %llu bytes for its surfaces, constants and plan and %s bytes of "
                     "working memory for its intermediate values, which together %s",
                     (unsigned long long)b->kernel_bytes, need,
                     ane_limit_exceeded(ANE_LIMIT_KERNEL_BYTES, why, sizeof why));
    return -1;
}

/* ---- entry points ---------------------------------------------------------------------------------- */

void ref_plan_free(void *plan) {
    ref_plan *p = plan;
    if (!p) return;
    for (int i = 0; i < p->n_values; i++) free(p->values[i].data);
    for (int s = 0; s < p->n_steps; s++) free(p->steps[s].in);
    free(p->values);
    free(p->steps);
    free(p->param_values);
    free(p->output_values);
    free(p);
}

void ref_plan_memory(const void *plan, size_t *held, size_t *per_instance) {
    const ref_plan *p = plan;
    *held = p->held_bytes;
    *per_instance = p->instance_bytes;
}

/* Bytes of the surfaces of main's parameters and outputs (checked against the limits by the core). */
static uint64_t surface_bytes(const mil_function *f) {
    uint64_t total = 0;
    for (int i = 0; i < f->n_params + f->n_outputs; i++) {
        const mil_type *t = i < f->n_params ? &f->params[i].type : &f->output_types[i - f->n_params];
        total += (uint64_t)mil_type_count(t) * mil_dtype_size(t->dtype);
    }
    return total;
}

/* Index the weight files by name for the BLOBFILE constants. */
static int index_files(ref_builder *b) {
    const ane_compile_input *in = b->input;
    for (int i = 0; i < in->n_weight_files; i++)
        if (ane_strmap_put(&b->files, in->weight_names[i], strlen(in->weight_names[i]), i, NULL) < 0) {
            ane_error_set(ANE_ERR_OUT_OF_MEMORY, "out of memory while compiling");
            return -1;
        }
    return 0;
}

void *ref_plan_compile(const ane_compile_input *in, int *did_compile) {
    *did_compile = 0;
    const mil_function *f = mil_main(in->program);
    if (!f) {
        ane_error_set_at(0, 0, "the program has no function");
        return NULL;
    }
    ref_plan *p = calloc(1, sizeof *p);
    if (!p) {
        ane_error_set(ANE_ERR_OUT_OF_MEMORY, "out of memory while compiling");
        return NULL;
    }
    ref_builder b = {.plan = p, .input = in, .names = ANE_STRMAP_INIT, .files = ANE_STRMAP_INIT,
                     .kernel_bytes = surface_bytes(f), .kernel_limit = (uint64_t)ane_limit_get(ANE_LIMIT_KERNEL_BYTES)};
    p->ast = in->program;

    int rc = index_files(&b);
    if (rc == 0) rc = compile_params(&b, f);
    for (int i = 0; i < f->n_stmts && rc == 0; i++) rc = compile_stmt(&b, &f->stmts[i]);
    if (rc == 0) rc = compile_outputs(&b, f);
    if (rc == 0) rc = layout_arena(p);
    uint64_t tables = sizeof *p + (uint64_t)b.cap_values * sizeof(ref_value) + (uint64_t)b.cap_steps * sizeof(ref_step) +
                      (uint64_t)(p->n_params + p->n_outputs + 2) * sizeof(int) + 5 * ALLOC_OVERHEAD;
    if (rc == 0) rc = ref_charge(&b, tables, (mil_pos){0, 0}, "the plan's tables");
    if (rc == 0) rc = check_instance_memory(&b);
    ane_strmap_free(&b.names);
    ane_strmap_free(&b.files);
    if (rc) {
        ref_plan_free(p);
        return NULL;
    }
    *did_compile = 1;
    return p;
}
