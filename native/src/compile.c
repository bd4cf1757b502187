/* The compile path every compile function shares: argument checks, parse, signature checks, BLOBFILE
 * checks, compile cache, kernel creation. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends.h"
#include "blob.h"
#include "cache.h"
#include "error.h"
#include "kernel.h"
#include "limit.h"
#include "mil/mil_ast.h"
#include "strmap.h"

/* The name upstream's single-blob ane_bridge_compile gives its weight file. */
#define UPSTREAM_WEIGHT_NAME "@model_path/weights/weight.bin"

typedef struct compile_request {
    const char *backend;
    const char *mil_text;
    size_t mil_len;
    const char **weight_names;
    const uint8_t **weight_datas;
    const size_t *weight_lens;
    int n_weight_files;
    int n_inputs, n_weights, n_outputs;
    const size_t *input_sizes, *weight_sizes, *output_sizes; /* each may be NULL: derived */
} compile_request;

static int check_count(const char *what, int n) {
    if (n >= 0) return 0;
    ane_error_set(ANE_ERR_INVALID_ARGUMENT, "%s is negative (%d)", what, n);
    return -1;
}

/* Weight names are checked and indexed (name -> file) into *files. */
static int check_arguments(const compile_request *r, ane_strmap *files) {
    if (!r->mil_text) {
        ane_error_set(ANE_ERR_INVALID_ARGUMENT, "mil_text is NULL");
        return -1;
    }
    if (r->mil_len == 0) {
        ane_error_set(ANE_ERR_INVALID_ARGUMENT, "mil_len is 0: the program is empty");
        return -1;
    }
    if (check_count("n_weight_files", r->n_weight_files) || check_count("n_inputs", r->n_inputs) ||
        check_count("n_weights", r->n_weights) || check_count("n_outputs", r->n_outputs))
        return -1;
    if (r->n_weight_files > 0 && (!r->weight_names || !r->weight_datas || !r->weight_lens)) {
        ane_error_set(ANE_ERR_INVALID_ARGUMENT, "%s is NULL with %d weight files",
                      !r->weight_names ? "weight_names" : !r->weight_datas ? "weight_datas" : "weight_lens",
                      r->n_weight_files);
        return -1;
    }
    if (r->n_weight_files > ane_limit_get(ANE_LIMIT_LIST_ENTRIES)) {
        char limit[ANE_LIMIT_TEXT_MAX];
        ane_error_set(ANE_ERR_INVALID_ARGUMENT, "%d weight files %s", r->n_weight_files,
                      ane_limit_exceeded(ANE_LIMIT_LIST_ENTRIES, limit, sizeof limit));
        return -1;
    }
    for (int i = 0; i < r->n_weight_files; i++) {
        if (ane_blob_check_path(r->weight_names[i]) != 0) return -1;
        if (!r->weight_datas[i] && r->weight_lens[i] > 0) {
            ane_error_set(ANE_ERR_INVALID_ARGUMENT, "weight file '%s': data is NULL with length %zu",
                          r->weight_names[i], r->weight_lens[i]);
            return -1;
        }
        int64_t first;
        int rc = ane_strmap_put(files, r->weight_names[i], strlen(r->weight_names[i]), i, &first);
        if (rc < 0) {
            ane_error_set(ANE_ERR_OUT_OF_MEMORY, "cannot index %d weight files", r->n_weight_files);
            return -1;
        }
        if (rc == 0) {
            ane_error_set(ANE_ERR_INVALID_ARGUMENT, "weight file '%s' is given twice (files %lld and %d)",
                          r->weight_names[i], (long long)first, i);
            return -1;
        }
    }
    return 0;
}

/* "'x', 'W'" (shortened with ", ..." when long): what the program declares, for count mismatches. */
static void name_list(char *buf, size_t cap, int n, const char *(*name)(const mil_program *, int),
                      const mil_program *p) {
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < n; i++) {
        int w = snprintf(buf + used, cap - used, "%s'%s'", i ? ", " : "", name(p, i));
        if (w < 0 || (size_t)w >= cap - used) {
            size_t at = used < cap - 6 ? used : cap - 6;
            snprintf(buf + at, cap - at, "%s...", at ? ", " : "");
            return;
        }
        used += (size_t)w;
    }
}

static int surface_dtype(mil_dtype dt) {
    switch (dt) {
    case MIL_FP16: return ANE_DTYPE_FP16;
    case MIL_FP32: return ANE_DTYPE_FP32;
    case MIL_INT32: return ANE_DTYPE_INT32;
    case MIL_INT8: return ANE_DTYPE_INT8;
    case MIL_UINT8: return ANE_DTYPE_UINT8;
    default: return 0;
    }
}

/* The surface a parameter or output of type t needs (what: "parameter"/"output", for messages).
 * Returns 0, or -1 with an ANE_ERR_COMPILE at pos. */
static int surface_of_type(const mil_type *t, const char *what, const char *name, mil_pos pos, size_t *bytes,
                           int *dtype) {
    *dtype = surface_dtype(t->dtype);
    if (!*dtype) {
        ane_error_set_at(pos.line, pos.column, "%s '%s' has dtype %s; surfaces hold fp16, fp32, int32, int8 or "
                         "uint8", what, name, mil_dtype_name(t->dtype));
        return -1;
    }
    int64_t count = mil_type_count(t);
    int overflow = count < 0 || __builtin_mul_overflow((size_t)count, mil_dtype_size(t->dtype), bytes);
    if (overflow || *bytes > (uint64_t)ane_limit_get(ANE_LIMIT_SURFACE_BYTES)) {
        char need[32], why[ANE_LIMIT_TEXT_MAX];
        snprintf(need, sizeof need, overflow ? "more than 2^64" : "%zu", *bytes);
        ane_error_set_at(pos.line, pos.column, "%s '%s' needs %s bytes, which %s", what, name, need,
                         ane_limit_exceeded(ANE_LIMIT_SURFACE_BYTES, why, sizeof why));
        return -1;
    }
    return 0;
}

static int check_counts(const compile_request *r, const mil_program *p) {
    char names[160];
    int n_params = mil_param_count(p), n_outputs = mil_output_count(p);
    if ((long long)r->n_inputs + r->n_weights != n_params) {
        name_list(names, sizeof names, n_params, mil_param_name, p);
        ane_error_set(ANE_ERR_INVALID_ARGUMENT, "the program has %d parameter%s (%s) but n_inputs + n_weights = "
                      "%d + %d = %lld", n_params, n_params == 1 ? "" : "s", names, r->n_inputs, r->n_weights,
                      (long long)r->n_inputs + r->n_weights);
        return -1;
    }
    if (r->n_outputs != n_outputs) {
        name_list(names, sizeof names, n_outputs, mil_output_name, p);
        ane_error_set(ANE_ERR_INVALID_ARGUMENT, "the program returns %d value%s (%s) but n_outputs = %d", n_outputs,
                      n_outputs == 1 ? "" : "s", names, r->n_outputs);
        return -1;
    }
    return 0;
}

/* Fill sizes/dtypes (parameters, then outputs) from the signature and check the caller's sizes and the
 * limits: each surface, and all of them together, before any is allocated. */
static int check_surfaces(const compile_request *r, const mil_program *p, size_t *sizes, int *dtypes) {
    const mil_function *f = mil_main(p);
    int n_params = mil_param_count(p), n_outputs = mil_output_count(p);
    uint64_t total = 0, kernel_limit = (uint64_t)ane_limit_get(ANE_LIMIT_KERNEL_BYTES);
    for (int i = 0; i < n_params + n_outputs; i++) {
        int is_param = i < n_params, j = is_param ? i : i - n_params;
        const char *name = is_param ? mil_param_name(p, j) : mil_output_name(p, j);
        const mil_type *t = is_param ? mil_param_type(p, j) : mil_output_type(p, j);
        mil_pos pos = is_param ? f->params[j].pos : f->output_pos[j];
        if (surface_of_type(t, is_param ? "parameter" : "output", name, pos, &sizes[i], &dtypes[i]) != 0) return -1;
        int kind = !is_param ? ANE_SURFACE_OUTPUT : j < r->n_inputs ? ANE_SURFACE_INPUT : ANE_SURFACE_WEIGHT;
        int idx = kind == ANE_SURFACE_WEIGHT ? j - r->n_inputs : j;
        const size_t *given = kind == ANE_SURFACE_INPUT ? r->input_sizes
                            : kind == ANE_SURFACE_WEIGHT ? r->weight_sizes : r->output_sizes;
        if (given && given[idx] != sizes[i]) {
            ane_error_set(ANE_ERR_INVALID_ARGUMENT, "%s %d ('%s'): expected %zu bytes, got %zu", ane_kind_name(kind),
                          idx, name, sizes[i], given[idx]);
            return -1;
        }
        total += sizes[i]; /* each is at most the surface limit, and there are fewer than 2^31 */
        if (total > kernel_limit) {
            char why[ANE_LIMIT_TEXT_MAX];
            ane_error_set_at(pos.line, pos.column, "the surfaces up to %s '%s' need %llu bytes together, which %s",
                             is_param ? "parameter" : "output", name, (unsigned long long)total,
                             ane_limit_exceeded(ANE_LIMIT_KERNEL_BYTES, why, sizeof why));
            return -1;
        }
    }
    return 0;
}

static int check_blobfiles(const mil_program *p, const ane_strmap *files) {
    for (int i = 0; i < mil_blobfile_count(p); i++) {
        const char *path = mil_blobfile_path(p, i);
        if (ane_strmap_get(files, path, strlen(path)) < 0) {
            ane_error_set(ANE_ERR_COMPILE, "the program reads BLOBFILE '%s' but no weight file of that name was "
                          "given", path);
            return -1;
        }
    }
    return 0;
}

/* The memory a kernel of entry holds beyond its surfaces must fit the kernel limit with them: checked on
 * cache hits too, since the program may have been compiled under a higher limit. */
static int check_kernel_bytes(const ane_cache_entry *e, const size_t *sizes, int n_surfaces) {
    uint64_t total = (uint64_t)e->backend_bytes + e->instance_bytes;
    for (int i = 0; i < n_surfaces; i++) total += sizes[i];
    if (total <= (uint64_t)ane_limit_get(ANE_LIMIT_KERNEL_BYTES)) return 0;
    char why[ANE_LIMIT_TEXT_MAX];
    ane_error_set_at(0, 0, "the kernel needs %llu bytes for its surfaces, constants and working memory, which %s",
                     (unsigned long long)total, ane_limit_exceeded(ANE_LIMIT_KERNEL_BYTES, why, sizeof why));
    return -1;
}

static ANEKernelHandle *compile_indexed(const compile_request *r, ane_strmap *files) {
    if (check_arguments(r, files) != 0) return NULL;
    const ane_backend *b = ane_backends_resolve(r->backend);
    if (!b) return NULL;

    ane_compile_input in = {
        .mil_text = r->mil_text, .mil_len = r->mil_len, .program = NULL,
        .n_weight_files = r->n_weight_files, .weight_names = r->weight_names,
        .weight_datas = r->weight_datas, .weight_lens = r->weight_lens,
    };
    uint8_t key[32];
    ane_cache_key(b, &in, key);
    ane_cache_entry *entry = ane_cache_acquire(key);
    mil_program *parsed = NULL;
    if (!entry) {
        mil_parse_error err = { 0 };
        parsed = mil_parse(r->mil_text, r->mil_len, &err);
        if (!parsed) {
            ane_error_set_at(err.line, err.column, "%s", err.message);
            return NULL;
        }
    }
    const mil_program *p = entry ? entry->program : parsed;

    ANEKernelHandle *k = NULL;
    size_t *sizes = NULL;
    int *dtypes = NULL;
    if (check_counts(r, p) == 0) {
        int n_surfaces = r->n_inputs + r->n_weights + r->n_outputs; /* bounded by the program's counts */
        sizes = calloc((size_t)n_surfaces + 1, sizeof *sizes);
        dtypes = calloc((size_t)n_surfaces + 1, sizeof *dtypes);
        if (!sizes || !dtypes)
            ane_error_set(ANE_ERR_OUT_OF_MEMORY, "cannot allocate %d surface descriptions", n_surfaces);
        else if (check_surfaces(r, p, sizes, dtypes) == 0 && check_blobfiles(p, files) == 0) {
            if (!entry) {
                entry = ane_cache_compile(b, key, parsed, &in); /* owns parsed from here on */
                parsed = NULL;
            }
            if (entry && check_kernel_bytes(entry, sizes, n_surfaces) == 0) {
                k = ane_kernel_create(entry, r->n_inputs, r->n_weights, r->n_outputs, sizes, dtypes);
                entry = NULL; /* the kernel took the reference, or released it */
            }
        }
    }
    if (entry) ane_cache_release(entry);
    mil_program_free(parsed);
    free(sizes);
    free(dtypes);
    return k;
}

static ANEKernelHandle *compile(const compile_request *r) {
    ane_strmap files = ANE_STRMAP_INIT;
    ANEKernelHandle *k = compile_indexed(r, &files);
    ane_strmap_free(&files);
    return k;
}



ANEKernelHandle *ane_bridge_compile_ex(const char *backend, const char *mil_text, size_t mil_len,
                                       const char **weight_names, const uint8_t **weight_datas,
                                       const size_t *weight_lens, int n_weight_files,
                                       int n_inputs, const size_t *input_sizes,
                                       int n_weights, const size_t *weight_sizes,
                                       int n_outputs, const size_t *output_sizes) {
    ane_error_clear();
    compile_request r = {
        .backend = backend, .mil_text = mil_text, .mil_len = mil_len, .weight_names = weight_names,
        .weight_datas = weight_datas, .weight_lens = weight_lens, .n_weight_files = n_weight_files,
        .n_inputs = n_inputs, .n_weights = n_weights, .n_outputs = n_outputs,
        .input_sizes = input_sizes, .weight_sizes = weight_sizes, .output_sizes = output_sizes,
    };
    return compile(&r);
}

ANEKernelHandle *ane_bridge_compile(const char *mil_text, size_t mil_len, const uint8_t *weight_data,
                                    size_t weight_len, int n_inputs, const size_t *input_sizes, int n_outputs,
                                    const size_t *output_sizes) {
    ane_error_clear();
    if (!weight_data && weight_len > 0) {
        ane_error_set(ANE_ERR_INVALID_ARGUMENT, "weight_data is NULL with weight_len %zu", weight_len);
        return NULL;
    }
    const char *name = UPSTREAM_WEIGHT_NAME;
    compile_request r = {
        .mil_text = mil_text, .mil_len = mil_len, .weight_names = &name, .weight_datas = &weight_data,
        .weight_lens = &weight_len, .n_weight_files = weight_len > 0 ? 1 : 0,
        .n_inputs = n_inputs, .n_outputs = n_outputs, .input_sizes = input_sizes, .output_sizes = output_sizes,
    };
    return compile(&r);
}

ANEKernelHandle *ane_bridge_compile_multi_weights(const char *mil_text, size_t mil_len, const char **weight_names,
                                                  const uint8_t **weight_datas, const size_t *weight_lens,
                                                  int n_weights, int n_inputs, const size_t *input_sizes,
                                                  int n_outputs, const size_t *output_sizes) {
    ane_error_clear();
    compile_request r = {
        .mil_text = mil_text, .mil_len = mil_len, .weight_names = weight_names, .weight_datas = weight_datas,
        .weight_lens = weight_lens, .n_weight_files = n_weights,
        .n_inputs = n_inputs, .n_outputs = n_outputs, .input_sizes = input_sizes, .output_sizes = output_sizes,
    };
    return compile(&r);
}

ANEKernelHandle *ane_bridge_compile_dyn(const char *mil_text, size_t mil_len, int n_inputs,
                                        const size_t *input_sizes, int n_weights, const size_t *weight_sizes,
                                        size_t output_size) {
    ane_error_clear();
    compile_request r = {
        .mil_text = mil_text, .mil_len = mil_len,
        .n_inputs = n_inputs, .n_weights = n_weights, .n_outputs = 1,
        .input_sizes = input_sizes, .weight_sizes = weight_sizes, .output_sizes = &output_size,
    };
    return compile(&r);
}

ANEKernelHandle *ane_bridge_compile_dyn_multi(const char *mil_text, size_t mil_len, int n_inputs,
                                              const size_t *input_sizes, int n_weights, const size_t *weight_sizes,
                                              int n_outputs, const size_t *output_sizes) {
    ane_error_clear();
    compile_request r = {
        .mil_text = mil_text, .mil_len = mil_len,
        .n_inputs = n_inputs, .n_weights = n_weights, .n_outputs = n_outputs,
        .input_sizes = input_sizes, .weight_sizes = weight_sizes, .output_sizes = output_sizes,
    };
    return compile(&r);
}
