/* Surfaces: reference counts (aliasing shares one surface between kernels), CPU locks, the accessors,
 * and aliasing itself. One mutex guards every surface's counts: surfaces cross kernels, so two threads
 * each using their own kernel may still share one. */
#include <pthread.h>
#include <stdlib.h>

#include "dtype.h"
#include "error.h"
#include "kernel.h"

static pthread_mutex_t surface_mutex = PTHREAD_MUTEX_INITIALIZER;

ane_surface *ane_surface_new(const ane_backend *b, size_t size, size_t capacity, int dtype) {
    ane_surface *s = calloc(1, sizeof *s);
    if (!s) {
        ane_error_set(ANE_ERR_OUT_OF_MEMORY, "cannot allocate a surface record");
        return NULL;
    }
    s->backend = b;
    s->size = size;
    s->capacity = capacity;
    s->dtype = dtype;
    s->refcount = 1;
    if (b->surface_alloc(s) != 0) {
        ane_error_set_fallback(ANE_ERR_OUT_OF_MEMORY, "the %s backend could not allocate a surface of %zu bytes",
                               b->name, capacity);
        free(s);
        return NULL;
    }
    return s;
}

void ane_surface_retain(ane_surface *s) {
    pthread_mutex_lock(&surface_mutex);
    s->refcount++;
    pthread_mutex_unlock(&surface_mutex);
}

void ane_surface_release(ane_surface *s) {
    pthread_mutex_lock(&surface_mutex);
    int last = --s->refcount == 0;
    pthread_mutex_unlock(&surface_mutex);
    if (last) {
        s->backend->surface_free(s);
        free(s);
    }
}

int ane_surface_lock(ane_surface *s, int read_only, int kind, int idx, const char *fn) {
    if (!s->backend->surface_lock || s->backend->surface_lock(s, read_only != 0) == 0) return 0;
    ane_error_set_fallback(ANE_ERR_INTERNAL, "%s: the %s backend could not lock %s %d", fn, s->backend->name,
                           ane_kind_name(kind), idx);
    return -1;
}

int ane_surface_unlock(ane_surface *s, int read_only, int kind, int idx, const char *fn) {
    if (!s->backend->surface_unlock || s->backend->surface_unlock(s, read_only != 0) == 0) return 0;
    ane_error_set_fallback(ANE_ERR_INTERNAL, "%s: the %s backend could not unlock %s %d", fn, s->backend->name,
                           ane_kind_name(kind), idx);
    return -1;
}

size_t ane_bridge_surface_size(const ANEKernelHandle *kernel, int kind, int idx) {
    ane_error_clear();
    ane_surface **slot = ane_kernel_slot(kernel, kind, idx, "surface_size");
    return slot ? (*slot)->size : 0;
}

int ane_bridge_surface_dtype(const ANEKernelHandle *kernel, int kind, int idx) {
    ane_error_clear();
    ane_surface **slot = ane_kernel_slot(kernel, kind, idx, "surface_dtype");
    return slot ? (*slot)->dtype : 0;
}

void *ane_bridge_surface_pointer(const ANEKernelHandle *kernel, int kind, int idx) {
    ane_error_clear();
    ane_surface **slot = ane_kernel_slot(kernel, kind, idx, "surface_pointer");
    return slot ? (*slot)->base : NULL;
}

int ane_bridge_surface_needs_lock(const ANEKernelHandle *kernel) {
    ane_error_clear();
    if (!kernel) {
        ane_error_set(ANE_ERR_INVALID_ARGUMENT, "surface_needs_lock: kernel is NULL");
        return -1;
    }
    return kernel->backend->surface_lock != NULL;
}

void *ane_bridge_surface_lock(ANEKernelHandle *kernel, int kind, int idx, int read_only) {
    ane_error_clear();
    ane_surface **slot = ane_kernel_slot(kernel, kind, idx, "surface_lock");
    if (!slot) return NULL;
    ane_surface *s = *slot;
    if (ane_surface_lock(s, read_only, kind, idx, "surface_lock") != 0) return NULL;
    pthread_mutex_lock(&surface_mutex);
    if (read_only) s->read_locks++; else s->write_locks++;
    pthread_mutex_unlock(&surface_mutex);
    return s->base;
}

int ane_bridge_surface_unlock(ANEKernelHandle *kernel, int kind, int idx, int read_only) {
    ane_error_clear();
    ane_surface **slot = ane_kernel_slot(kernel, kind, idx, "surface_unlock");
    if (!slot) return -1;
    ane_surface *s = *slot;
    pthread_mutex_lock(&surface_mutex);
    int *locks = read_only ? &s->read_locks : &s->write_locks;
    int was_locked = *locks > 0;
    if (was_locked) (*locks)--;
    pthread_mutex_unlock(&surface_mutex);
    if (!was_locked) {
        ane_error_set(ANE_ERR_INVALID_ARGUMENT, "surface_unlock: %s %d is not locked for %s", ane_kind_name(kind),
                      idx, read_only ? "reading" : "writing");
        return -1;
    }
    return ane_surface_unlock(s, read_only, kind, idx, "surface_unlock");
}

int ane_bridge_alias_surface(ANEKernelHandle *src, int src_kind, int src_idx, ANEKernelHandle *dst, int dst_kind,
                             int dst_idx) {
    ane_error_clear();
    ane_surface **from = ane_kernel_slot(src, src_kind, src_idx, "alias_surface (source)");
    if (!from) return -1;
    ane_surface **to = ane_kernel_slot(dst, dst_kind, dst_idx, "alias_surface (destination)");
    if (!to) return -1;
    ane_surface *s = *from, *old = *to;
    if (s == old) return 0;
    if (src->backend != dst->backend) {
        ane_error_set(ANE_ERR_INVALID_ARGUMENT, "alias_surface: the source kernel runs on %s, the destination on "
                      "%s; aliasing needs one backend", src->backend->name, dst->backend->name);
        return -1;
    }
    if (s->size != old->size) {
        ane_error_set(ANE_ERR_INVALID_ARGUMENT, "alias_surface: source %s %d ('%s') is %zu bytes, destination %s %d "
                      "('%s') is %zu bytes", ane_kind_name(src_kind), src_idx,
                      ane_kernel_surface_name(src, src_kind, src_idx), s->size, ane_kind_name(dst_kind), dst_idx,
                      ane_kernel_surface_name(dst, dst_kind, dst_idx), old->size);
        return -1;
    }
    /* Same bytes but another element type would change what the destination program reads. */
    if (s->dtype != old->dtype) {
        ane_error_set(ANE_ERR_INVALID_ARGUMENT, "alias_surface: source %s %d ('%s') holds %s, destination %s %d "
                      "('%s') holds %s", ane_kind_name(src_kind), src_idx,
                      ane_kernel_surface_name(src, src_kind, src_idx), ane_dtype_name(s->dtype),
                      ane_kind_name(dst_kind), dst_idx, ane_kernel_surface_name(dst, dst_kind, dst_idx),
                      ane_dtype_name(old->dtype));
        return -1;
    }
    pthread_mutex_lock(&surface_mutex);
    int locked = old->read_locks + old->write_locks > 0;
    pthread_mutex_unlock(&surface_mutex);
    if (locked) {
        ane_error_set(ANE_ERR_INVALID_ARGUMENT, "alias_surface: destination %s %d is locked for CPU access; unlock "
                      "it before replacing it", ane_kind_name(dst_kind), dst_idx);
        return -1;
    }
    ane_surface_retain(s);
    *to = s;
    void *instance = dst->backend->instance_bind(dst->entry->backend_program, dst->instance, dst->params,
                                                 dst->n_inputs + dst->n_weights, dst->outputs, dst->n_outputs);
    if (!instance) {
        *to = old;
        ane_surface_release(s);
        ane_error_set_fallback(ANE_ERR_INTERNAL, "alias_surface: the %s backend could not rebind the destination "
                               "kernel", dst->backend->name);
        return -1;
    }
    dst->instance = instance;
    ane_surface_release(old);
    return 0;
}
