/* The interface between the shared core and a backend. The core owns handles, surfaces' bookkeeping,
 * argument checks, errors, the compile count and the compile cache; a backend only compiles, binds,
 * evaluates and frees. A backend reports failures with ane_error_set() and returns NULL / -1. */
#ifndef ANE4J_BACKEND_H
#define ANE4J_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#include "ane_bridge.h"
#include "mil/mil.h"

/* One shared-memory buffer. Allocated by a backend, reference-counted by the core (aliasing lets
 * several kernels hold the same surface). */
typedef struct ane_surface {
    const struct ane_backend *backend; /* who allocated it */
    size_t size;                       /* bytes, exactly what the MIL signature implies  */
    size_t capacity;                   /* bytes to allocate: size, or more (see surface_capacities) */
    int dtype;                         /* ane_dtype                                        */
    void *base;                        /* stable CPU address, 64-byte aligned, zeroed      */
    void *impl;                        /* backend's object (IOSurfaceRef on darwin)        */
    int refcount;                      /* kernels holding it; guarded by the core          */
    int read_locks, write_locks;       /* outstanding CPU locks                            */
} ane_surface;

/* What a compile is given. Weight files are BLOBFILE contents keyed by the path as written in MIL. */
typedef struct ane_compile_input {
    const char *mil_text;
    size_t mil_len;
    const mil_program *program; /* parsed by the core; lives as long as the compiled program */
    int n_weight_files;
    const char *const *weight_names;
    const uint8_t *const *weight_datas;
    const size_t *weight_lens;
} ane_compile_input;

typedef struct ane_backend {
    const char *name; /* "reference", "ane" */

    /* 1 when usable on this machine; otherwise 0 with the reason in the last error. Called once. */
    int (*probe)(void);

    /* Compile a program (immutable, shareable by many kernels; cached by the core by content hash).
     * *did_compile = 1 when a real compile happened (counted by ane_bridge_get_compile_count), 0 when the
     * backend reused one it could still reach (the ANE daemon may hold a compiled program). The weight
     * arrays are only valid during the call. */
    void *(*program_compile)(const ane_compile_input *in, int *did_compile);
    void (*program_free)(void *program);

    /* Optional: capacities[i] = the bytes to allocate for surface i of a group (a kernel's parameters, or
     * its outputs) whose tensors take sizes[0..n-1] bytes, at least sizes[i] (the ANE wants equal, padded
     * allocations). NULL: every surface gets its own size. */
    void (*surface_capacities)(const size_t *sizes, int n, size_t *capacities);

    /* Surfaces: allocate s->capacity bytes (s->size, s->capacity, s->dtype set by the core), zeroed and
     * 64-byte aligned, setting s->base and s->impl. The tensor is s->size bytes at s->base; the rest is
     * padding nobody writes. Lock/unlock bracket CPU access; both NULL when the memory is plain CPU memory
     * that needs no lock (the core then skips them, and tells callers so through surface_needs_lock). */
    int (*surface_alloc)(ane_surface *s);
    void (*surface_free)(ane_surface *s);
    int (*surface_lock)(ane_surface *s, int read_only);
    int (*surface_unlock)(ane_surface *s, int read_only);

    /* An instance binds a program to surfaces: params[i] for function parameter i (activations, then
     * dynamic weights), outputs[j] for returned value j. bind is called at creation with previous == NULL
     * and again after aliasing replaced a surface, with the instance it returned before; it returns the
     * (possibly same) instance to use from then on, or NULL on failure (previous stays valid). */
    void *(*instance_bind)(void *program, void *previous, ane_surface *const *params, int n_params,
                           ane_surface *const *outputs, int n_outputs);
    int (*instance_eval)(void *instance, ane_surface *const *params, int n_params,
                         ane_surface *const *outputs, int n_outputs);
    void (*instance_free)(void *instance);

    /* Realtime bracket; may be NULL when the backend has none. */
    void (*begin_realtime)(void);
    void (*end_realtime)(void);

    /* Heap memory a compiled program holds (constants, plan) and that each instance of it adds (working
     * memory), for the kernel-bytes limit and the idle-cache bound. NULL: the core counts the weight file
     * bytes as held, nothing per instance. */
    void (*program_memory)(const void *program, size_t *held, size_t *per_instance);
} ane_backend;

/* The backends compiled into this library. */
extern const ane_backend ane_reference_backend;
#if defined(ANE4J_HAVE_DARWIN_BACKEND)
extern const ane_backend ane_darwin_backend;
#endif

#endif
