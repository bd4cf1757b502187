/* The parsed program: accessors for "main", dtype facts, and freeing (also of half-built programs,
 * which the parser leaves behind on errors: every count covers exactly the initialised elements). */
#include "mil_ast.h"

#include <stdlib.h>
#include <string.h>

static const char *const dtype_names[] = {
    [MIL_FP16] = "fp16",   [MIL_FP32] = "fp32",     [MIL_INT32] = "int32", [MIL_INT8] = "int8",
    [MIL_UINT8] = "uint8", [MIL_UINT4] = "uint4",   [MIL_BOOL] = "bool",   [MIL_STRING] = "string",
    [MIL_UINT64] = "uint64", [MIL_INT16] = "int16", [MIL_UINT16] = "uint16",
};

/* bool is one byte per element; uint4 packs two per byte and string has no fixed size, so both are 0. */
static const size_t dtype_sizes[] = {
    [MIL_FP16] = 2,  [MIL_FP32] = 4,   [MIL_INT32] = 4,  [MIL_INT8] = 1,  [MIL_UINT8] = 1, [MIL_UINT4] = 0,
    [MIL_BOOL] = 1,  [MIL_STRING] = 0, [MIL_UINT64] = 8, [MIL_INT16] = 2, [MIL_UINT16] = 2,
};

#define N_DTYPES (sizeof dtype_names / sizeof dtype_names[0])

const char *mil_dtype_name(mil_dtype dt) {
    return (unsigned)dt < N_DTYPES ? dtype_names[dt] : "unknown";
}

size_t mil_dtype_size(mil_dtype dt) {
    return (unsigned)dt < N_DTYPES ? dtype_sizes[dt] : 0;
}

int64_t mil_type_count(const mil_type *t) {
    int64_t n = 1;
    for (int i = 0; i < t->rank; i++) {
        if (t->dims[i] < 0 || (t->dims[i] > 0 && n > INT64_MAX / t->dims[i])) return -1;
        n *= t->dims[i];
    }
    return n;
}

/* ---- lookups ----------------------------------------------------------------------------------- */

const mil_function *mil_main(const mil_program *p) {
    return p && p->n_functions > 0 ? &p->functions[0] : NULL;
}

const mil_arg *mil_stmt_arg(const mil_stmt *s, const char *key) {
    for (int i = 0; i < s->n_args; i++)
        if (strcmp(s->args[i].key, key) == 0) return &s->args[i];
    return NULL;
}

const mil_attr *mil_stmt_attr(const mil_stmt *s, const char *key) {
    for (int i = 0; i < s->n_attrs; i++)
        if (strcmp(s->attrs[i].key, key) == 0) return &s->attrs[i];
    return NULL;
}

int mil_param_count(const mil_program *p) {
    const mil_function *f = mil_main(p);
    return f ? f->n_params : 0;
}

const char *mil_param_name(const mil_program *p, int i) {
    const mil_function *f = mil_main(p);
    return f && i >= 0 && i < f->n_params ? f->params[i].name : NULL;
}

const mil_type *mil_param_type(const mil_program *p, int i) {
    const mil_function *f = mil_main(p);
    return f && i >= 0 && i < f->n_params ? &f->params[i].type : NULL;
}

int mil_output_count(const mil_program *p) {
    const mil_function *f = mil_main(p);
    return f ? f->n_outputs : 0;
}

const char *mil_output_name(const mil_program *p, int i) {
    const mil_function *f = mil_main(p);
    return f && i >= 0 && i < f->n_outputs ? f->outputs[i] : NULL;
}

const mil_type *mil_output_type(const mil_program *p, int i) {
    const mil_function *f = mil_main(p);
    return f && i >= 0 && i < f->n_outputs ? &f->output_types[i] : NULL;
}

int mil_blobfile_count(const mil_program *p) {
    return p ? p->n_blob_paths : 0;
}

const char *mil_blobfile_path(const mil_program *p, int i) {
    return p && i >= 0 && i < p->n_blob_paths ? p->blob_paths[i] : NULL;
}

/* ---- freeing ----------------------------------------------------------------------------------- */

static void free_strings(char **s, size_t n) {
    for (size_t i = 0; i < n; i++) free(s[i]);
    free(s);
}

static void free_literal(mil_literal *l) {
    free(l->values);
    if (l->strings) free_strings(l->strings, l->count);
    free(l->blob_path);
    free_strings(l->dict_keys, (size_t)l->n_pairs);
    free_strings(l->dict_values, (size_t)l->n_pairs);
}

static void free_attrs(mil_attr *a, int n) {
    for (int i = 0; i < n; i++) {
        free(a[i].key);
        free_literal(&a[i].value);
    }
    free(a);
}

static void free_stmt(mil_stmt *s) {
    free(s->result_types);
    free_strings(s->result_names, (size_t)s->n_results);
    free(s->result_pos);
    free(s->op);
    for (int i = 0; i < s->n_args; i++) {
        mil_arg *a = &s->args[i];
        free(a->key);
        free(a->name);
        free_literal(&a->literal);
        free_strings(a->names, (size_t)a->n_names);
        free(a->name_pos);
    }
    free(s->args);
    free_attrs(s->attrs, s->n_attrs);
}

static void free_function(mil_function *f) {
    free(f->name);
    free(f->opset);
    for (int i = 0; i < f->n_params; i++) free(f->params[i].name);
    free(f->params);
    for (int i = 0; i < f->n_stmts; i++) free_stmt(&f->stmts[i]);
    free(f->stmts);
    free_strings(f->outputs, (size_t)f->n_outputs);
    free(f->output_pos);
    free(f->output_types);
}

void mil_program_free(mil_program *p) {
    if (!p) return;
    free(p->version);
    free_attrs(p->attrs, p->n_attrs);
    for (int i = 0; i < p->n_functions; i++) free_function(&p->functions[i]);
    free(p->functions);
    free_strings(p->blob_paths, (size_t)p->n_blob_paths);
    free(p);
}
