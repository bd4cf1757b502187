/* Kernel handles: a cached program, the backend instance bound to it, and reference-counted surfaces
 * for its inputs, dynamic weights and outputs. */
#ifndef ANE4J_KERNEL_H
#define ANE4J_KERNEL_H

#include "backend.h"
#include "cache.h"

struct ANEKernelHandle {
    const ane_backend *backend;
    ane_cache_entry *entry;
    void *instance;
    int n_inputs, n_weights, n_outputs;
    ane_surface **params;  /* n_inputs activations, then n_weights dynamic weights: the MIL parameters */
    ane_surface **outputs; /* n_outputs returned values */
};

/* A kernel for entry with fresh zeroed surfaces: sizes[i] / dtypes[i] for the n_inputs + n_weights
 * parameters, then the n_outputs outputs. Takes over the entry reference (released on failure). Returns
 * NULL with the last error set on failure. */
ANEKernelHandle *ane_kernel_create(ane_cache_entry *entry, int n_inputs, int n_weights, int n_outputs,
                                   const size_t *sizes, const int *dtypes);

/* The slot of surface (kind, idx), or NULL with ANE_ERR_INVALID_ARGUMENT naming fn, for a NULL kernel, an
 * unknown kind or an index out of range. */
ane_surface **ane_kernel_slot(const ANEKernelHandle *k, int kind, int idx, const char *fn);

/* "input", "weight" or "output"; and the MIL name of surface (kind, idx) of a valid slot. */
const char *ane_kind_name(int kind);
const char *ane_kernel_surface_name(const ANEKernelHandle *k, int kind, int idx);

/* Surfaces: a new one (reference count 1) of size bytes in capacity bytes of memory, or NULL with the
 * last error set; retain / release (the last release frees it through its backend). */
ane_surface *ane_surface_new(const ane_backend *b, size_t size, size_t capacity, int dtype);
void ane_surface_retain(ane_surface *s);
void ane_surface_release(ane_surface *s);

/* Bracket CPU access to s, surface (kind, idx) of a kernel, through its backend. On failure -1, with the
 * last error naming fn and the surface. The ABI's outstanding-lock counts are the caller's business. */
int ane_surface_lock(ane_surface *s, int read_only, int kind, int idx, const char *fn);
int ane_surface_unlock(ane_surface *s, int read_only, int kind, int idx, const char *fn);

#endif
