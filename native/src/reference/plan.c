/* Compile: walk main's statements once, building values and steps (see plan.h), then lay out the
 * per-instance arena, reusing the storage of results nobody reads any more. */
#include "reference/plan.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

/* Far beyond any memory, and small enough that sizes in bytes never overflow. */
#define MAX_ELEMENTS ((int64_t)1 << 40)

/* ---- growing arrays -------------------------------------------------------------------------------- */

static int grow(void **items, int *cap, int need, size_t item_size) {
    if (need <= *cap) return 0;
    int cap2 = *cap ? *cap * 2 : 64;
    while (cap2 < need) cap2 *= 2;
    void *p = realloc(*items, (size_t)cap2 * item_size);
    if (!p) {
        ane_error_set(ANE_ERR_OUT_OF_MEMORY, "out of memory while compiling");
        return -1;
    }
    memset((char *)p + (size_t)*cap * item_size, 0, (size_t)(cap2 - *cap) * item_size);
    *items = p;
    *cap = cap2;
    return 0;
}

ref_value *ref_new_value(ref_builder *b, const char *name, mil_pos pos, const mil_type *type,
                         ref_value_kind kind) {
    ref_plan *p = b->plan;
    int64_t count = mil_type_count(type);
    if (count < 0 || count > MAX_ELEMENTS) {
        ane_error_set_at(pos.line, pos.column, "'%s' has too many elements for the reference backend", name);
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

ref_step *ref_new_step(ref_builder *b, ref_opcode op, const mil_stmt *s, int n_in, int out) {
    ref_plan *p = b->plan;
    if (grow((void **)&p->steps, &b->cap_steps, p->n_steps + 1, sizeof(ref_step))) return NULL;
    int *in = calloc((size_t)(n_in > 0 ? n_in : 1), sizeof(int));
    if (!in) {
        ane_error_set(ANE_ERR_OUT_OF_MEMORY, "out of memory while compiling");
        return NULL;
    }
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

static size_t hash_name(const char *s) {
    size_t h = 1469598103934665603u; /* FNV-1a */
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

int ref_lookup(const ref_builder *b, const char *name) {
    size_t mask = b->table_size - 1;
    for (size_t i = hash_name(name) & mask;; i = (i + 1) & mask) {
        int id = b->table[i];
        if (id < 0) return -1;
        if (strcmp(b->plan->values[id].name, name) == 0) return id;
    }
}

/* Make value id findable by its name; a second definition of a name is an error. */
static int define_name(ref_builder *b, int id) {
    const ref_value *v = &b->plan->values[id];
    size_t mask = b->table_size - 1;
    size_t i = hash_name(v->name) & mask;
    for (; b->table[i] >= 0; i = (i + 1) & mask) {
        const ref_value *old = &b->plan->values[b->table[i]];
        if (strcmp(old->name, v->name) == 0) {
            ane_error_set_at(v->pos.line, v->pos.column, "'%s' is already defined (line %d)", v->name,
                             old->pos.line);
            return -1;
        }
    }
    b->table[i] = id;
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

/* Free blocks of the arena, sorted by offset, never adjacent (merged). */
typedef struct arena_block { size_t off, size; } arena_block;
typedef struct arena {
    arena_block *free;
    int n_free, cap_free;
    size_t top;
} arena;

static size_t round_up16(size_t n) { return (n + 15) / 16 * 16; } /* 64-byte units */

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
        a->top = off + size;
        return off;
    }
    size_t off = a->top;
    a->top += size;
    return off;
}

static int arena_release(arena *a, size_t off, size_t size) {
    if (grow((void **)&a->free, &a->cap_free, a->n_free + 1, sizeof(arena_block))) return -1;
    int i = 0;
    while (i < a->n_free && a->free[i].off < off) i++;
    memmove(&a->free[i + 1], &a->free[i], (size_t)(a->n_free - i) * sizeof(arena_block));
    a->free[i] = (arena_block){off, size};
    a->n_free++;
    if (i + 1 < a->n_free && a->free[i].off + a->free[i].size == a->free[i + 1].off) {
        a->free[i].size += a->free[i + 1].size;
        memmove(&a->free[i + 1], &a->free[i + 2], (size_t)(a->n_free - i - 2) * sizeof(arena_block));
        a->n_free--;
    }
    if (i > 0 && a->free[i - 1].off + a->free[i - 1].size == a->free[i].off) {
        a->free[i - 1].size += a->free[i].size;
        memmove(&a->free[i], &a->free[i + 1], (size_t)(a->n_free - i - 1) * sizeof(arena_block));
        a->n_free--;
    }
    return 0;
}

static int storage_root(const ref_plan *p, int id) {
    while (p->values[id].kind == REF_VAL_VIEW) id = p->values[id].base;
    return id;
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

    arena a = {0};
    int rc = 0;
    for (int i = 0; i < p->n_params; i++) {
        ref_value *v = &p->values[p->param_values[i]];
        v->offset = arena_alloc(&a, value_floats(v));
    }
    for (int s = 0; s < p->n_steps && rc == 0; s++) {
        const ref_step *st = &p->steps[s];
        ref_value *out = &p->values[st->out];
        out->offset = arena_alloc(&a, value_floats(out));
        if (last[st->out] < s) rc = arena_release(&a, out->offset, value_floats(out));
        for (int k = 0; k < st->n_in && rc == 0; k++) {
            if (st->in[k] < 0) continue;
            int r = storage_root(p, st->in[k]);
            if (p->values[r].kind == REF_VAL_TEMP && last[r] == s) {
                last[r] = -2; /* released once even when read twice by this step */
                rc = arena_release(&a, p->values[r].offset, value_floats(&p->values[r]));
            }
        }
    }
    p->arena_floats = a.top;
    free(a.free);
    free(last);
    return rc;
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

void *ref_plan_compile(const ane_compile_input *in, int *did_compile) {
    *did_compile = 0;
    const mil_function *f = mil_main(in->program);
    if (!f) {
        ane_error_set_at(0, 0, "the program has no function");
        return NULL;
    }
    ref_plan *p = calloc(1, sizeof *p);
    ref_builder b = {.plan = p, .input = in};
    size_t names = (size_t)f->n_params + 16;
    for (int i = 0; i < f->n_stmts; i++) names += (size_t)(f->stmts[i].n_results > 0 ? f->stmts[i].n_results : 0);
    b.table_size = 64;
    while (b.table_size < names * 2) b.table_size *= 2;
    b.table = malloc(b.table_size * sizeof(int));
    if (!p || !b.table) {
        ane_error_set(ANE_ERR_OUT_OF_MEMORY, "out of memory while compiling");
        free(b.table);
        free(p);
        return NULL;
    }
    for (size_t i = 0; i < b.table_size; i++) b.table[i] = -1;
    p->ast = in->program;

    int rc = compile_params(&b, f);
    for (int i = 0; i < f->n_stmts && rc == 0; i++) rc = compile_stmt(&b, &f->stmts[i]);
    if (rc == 0) rc = compile_outputs(&b, f);
    if (rc == 0) rc = layout_arena(p);
    free(b.table);
    if (rc) {
        ref_plan_free(p);
        return NULL;
    }
    *did_compile = 1;
    return p;
}
