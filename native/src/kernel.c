/* Kernel handles: creation from a cached program, surface slots, eval, free. */
#include "kernel.h"

#include <stdlib.h>

#include "error.h"

static void kernel_free(ANEKernelHandle *k) {
    int n_params = k->n_inputs + k->n_weights;
    if (k->instance) k->backend->instance_free(k->instance);
    for (int i = 0; k->params && i < n_params; i++)
        if (k->params[i]) ane_surface_release(k->params[i]);
    for (int i = 0; k->outputs && i < k->n_outputs; i++)
        if (k->outputs[i]) ane_surface_release(k->outputs[i]);
    ane_cache_release(k->entry);
    free(k->params);
    free(k->outputs);
    free(k);
}

/* The bytes b allocates for each surface of a group (parameters, or outputs) of tensors of these sizes. */
static void surface_capacities(const ane_backend *b, const size_t *sizes, int n, size_t *capacities) {
    if (b->surface_capacities) {
        b->surface_capacities(sizes, n, capacities);
        return;
    }
    for (int i = 0; i < n; i++) capacities[i] = sizes[i];
}

ANEKernelHandle *ane_kernel_create(ane_cache_entry *entry, int n_inputs, int n_weights, int n_outputs,
                                   const size_t *sizes, const int *dtypes) {
    const ane_backend *b = entry->backend;
    int n_params = n_inputs + n_weights;
    ANEKernelHandle *k = calloc(1, sizeof *k);
    if (!k) {
        ane_error_set(ANE_ERR_OUT_OF_MEMORY, "cannot allocate a kernel handle");
        ane_cache_release(entry);
        return NULL;
    }
    k->backend = b;
    k->entry = entry;
    k->n_inputs = n_inputs;
    k->n_weights = n_weights;
    k->n_outputs = n_outputs;
    k->params = calloc((size_t)n_params + 1, sizeof *k->params);
    k->outputs = calloc((size_t)n_outputs + 1, sizeof *k->outputs);
    if (!k->params || !k->outputs) {
        ane_error_set(ANE_ERR_OUT_OF_MEMORY, "cannot allocate the surface tables of a kernel");
        kernel_free(k);
        return NULL;
    }
    size_t *capacities = calloc((size_t)n_params + n_outputs + 1, sizeof *capacities);
    if (!capacities) {
        ane_error_set(ANE_ERR_OUT_OF_MEMORY, "cannot allocate the surface tables of a kernel");
        kernel_free(k);
        return NULL;
    }
    surface_capacities(b, sizes, n_params, capacities);
    surface_capacities(b, sizes + n_params, n_outputs, capacities + n_params);
    for (int i = 0; i < n_params + n_outputs; i++) {
        ane_surface *s = ane_surface_new(b, sizes[i], capacities[i], dtypes[i]);
        if (!s) {
            free(capacities);
            kernel_free(k);
            return NULL;
        }
        if (i < n_params) k->params[i] = s; else k->outputs[i - n_params] = s;
    }
    free(capacities);
    k->instance = b->instance_bind(entry->backend_program, NULL, k->params, n_params, k->outputs, n_outputs);
    if (!k->instance) {
        ane_error_set_fallback(ANE_ERR_INTERNAL, "the %s backend could not bind the kernel's surfaces", b->name);
        kernel_free(k);
        return NULL;
    }
    return k;
}

const char *ane_kind_name(int kind) {
    switch (kind) {
    case ANE_SURFACE_INPUT: return "input";
    case ANE_SURFACE_WEIGHT: return "weight";
    case ANE_SURFACE_OUTPUT: return "output";
    default: return "unknown kind";
    }
}

/* Number of surfaces of a valid kind. */
static int kind_count(const ANEKernelHandle *k, int kind) {
    return kind == ANE_SURFACE_INPUT ? k->n_inputs : kind == ANE_SURFACE_WEIGHT ? k->n_weights : k->n_outputs;
}

/* k is non-NULL and kind is known; else -1 with ANE_ERR_INVALID_ARGUMENT naming fn. */
static int check_kind(const ANEKernelHandle *k, int kind, const char *fn) {
    if (!k) {
        ane_error_set(ANE_ERR_INVALID_ARGUMENT, "%s: kernel is NULL", fn);
        return -1;
    }
    if (kind != ANE_SURFACE_INPUT && kind != ANE_SURFACE_WEIGHT && kind != ANE_SURFACE_OUTPUT) {
        ane_error_set(ANE_ERR_INVALID_ARGUMENT, "%s: unknown surface kind %d (0 input, 1 weight, 2 output)", fn,
                      kind);
        return -1;
    }
    return 0;
}

ane_surface **ane_kernel_slot(const ANEKernelHandle *k, int kind, int idx, const char *fn) {
    if (check_kind(k, kind, fn) != 0) return NULL;
    int n = kind_count(k, kind);
    if (idx < 0 || idx >= n) {
        ane_error_set(ANE_ERR_INVALID_ARGUMENT, "%s: %s index %d out of range (the kernel has %d %s%s)", fn,
                      ane_kind_name(kind), idx, n, ane_kind_name(kind), n == 1 ? "" : "s");
        return NULL;
    }
    if (kind == ANE_SURFACE_OUTPUT) return &k->outputs[idx];
    return &k->params[kind == ANE_SURFACE_INPUT ? idx : k->n_inputs + idx];
}

const char *ane_kernel_surface_name(const ANEKernelHandle *k, int kind, int idx) {
    if (kind == ANE_SURFACE_OUTPUT) return mil_output_name(k->entry->program, idx);
    return mil_param_name(k->entry->program, kind == ANE_SURFACE_INPUT ? idx : k->n_inputs + idx);
}

bool ane_bridge_eval(ANEKernelHandle *kernel) {
    ane_error_clear();
    if (!kernel) {
        ane_error_set(ANE_ERR_INVALID_ARGUMENT, "eval: kernel is NULL");
        return false;
    }
    const ane_backend *b = kernel->backend;
    if (b->instance_eval(kernel->instance, kernel->params, kernel->n_inputs + kernel->n_weights, kernel->outputs,
                         kernel->n_outputs) != 0) {
        ane_error_set_fallback(ANE_ERR_EVAL, "the %s backend failed to evaluate", b->name);
        return false;
    }
    return true;
}

void ane_bridge_free(ANEKernelHandle *kernel) {
    ane_error_clear();
    if (kernel) kernel_free(kernel);
}

const char *ane_bridge_kernel_backend(const ANEKernelHandle *kernel) {
    ane_error_clear();
    if (!kernel) {
        ane_error_set(ANE_ERR_INVALID_ARGUMENT, "kernel_backend: kernel is NULL");
        return NULL;
    }
    return kernel->backend->name;
}

int ane_bridge_surface_count(const ANEKernelHandle *kernel, int kind) {
    ane_error_clear();
    return check_kind(kernel, kind, "surface_count") == 0 ? kind_count(kernel, kind) : -1;
}
