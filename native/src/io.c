/* Copies between caller memory and surfaces. Every handle, index and size is checked before any memory
 * is touched; each access is bracketed by the backend's lock and unlock. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "dtype.h"
#include "error.h"
#include "fp16.h"
#include "kernel.h"

/* The surface (kind, idx) of k if `bytes` fit it and data is non-NULL when needed; else NULL with the
 * last error naming fn, the surface and both sizes. */
static ane_surface *checked(const ANEKernelHandle *k, int kind, int idx, const void *data, size_t bytes,
                            const char *fn) {
    ane_surface **slot = ane_kernel_slot(k, kind, idx, fn);
    if (!slot) return NULL;
    ane_surface *s = *slot;
    if (bytes > s->size) {
        ane_error_set(ANE_ERR_INVALID_ARGUMENT, "%s: %zu bytes do not fit %s %d ('%s'), which holds %zu bytes", fn,
                      bytes, ane_kind_name(kind), idx, ane_kernel_surface_name(k, kind, idx), s->size);
        return NULL;
    }
    if (!data && bytes > 0) {
        ane_error_set(ANE_ERR_INVALID_ARGUMENT, "%s: data is NULL", fn);
        return NULL;
    }
    return s;
}

/* As checked(), for count elements of the surface's own dtype. */
static ane_surface *checked_elements(const ANEKernelHandle *k, int kind, int idx, const void *data, size_t count,
                                     const char *fn) {
    ane_surface **slot = ane_kernel_slot(k, kind, idx, fn);
    if (!slot) return NULL;
    ane_surface *s = *slot;
    size_t elem = ane_dtype_size(s->dtype), capacity = s->size / elem;
    if (count > capacity) {
        ane_error_set(ANE_ERR_INVALID_ARGUMENT, "%s: %zu elements do not fit %s %d ('%s'), which holds %zu %s "
                      "elements", fn, count, ane_kind_name(kind), idx, ane_kernel_surface_name(k, kind, idx), capacity,
                      ane_dtype_name(s->dtype));
        return NULL;
    }
    return checked(k, kind, idx, data, count * elem, fn);
}

static void write_bytes(ANEKernelHandle *k, int kind, int idx, const void *data, size_t bytes, const char *fn) {
    ane_surface *s = checked(k, kind, idx, data, bytes, fn);
    if (!s || bytes == 0 || ane_surface_lock(s, 0, kind, idx, fn) != 0) return;
    memcpy(s->base, data, bytes);
    ane_surface_unlock(s, 0, kind, idx, fn);
}

/* Round to nearest even and saturate to [lo, hi]; NaN becomes 0. */
static double to_integer(float f, double lo, double hi) {
    double v = nearbyint((double)f);
    return v != v ? 0 : v < lo ? lo : v > hi ? hi : v;
}

static void write_floats(ANEKernelHandle *k, int kind, int idx, const float *data, size_t count, const char *fn) {
    ane_surface *s = checked_elements(k, kind, idx, data, count, fn);
    if (!s || count == 0 || ane_surface_lock(s, 0, kind, idx, fn) != 0) return;
    switch (s->dtype) {
    case ANE_DTYPE_FP16: ane_fp32_to_fp16(data, s->base, count); break;
    case ANE_DTYPE_FP32: memcpy(s->base, data, count * sizeof *data); break;
    case ANE_DTYPE_INT32:
        for (size_t i = 0; i < count; i++) ((int32_t *)s->base)[i] = (int32_t)to_integer(data[i], INT32_MIN, INT32_MAX);
        break;
    case ANE_DTYPE_INT8:
        for (size_t i = 0; i < count; i++) ((int8_t *)s->base)[i] = (int8_t)to_integer(data[i], INT8_MIN, INT8_MAX);
        break;
    default:
        for (size_t i = 0; i < count; i++) ((uint8_t *)s->base)[i] = (uint8_t)to_integer(data[i], 0, UINT8_MAX);
        break;
    }
    ane_surface_unlock(s, 0, kind, idx, fn);
}

void ane_bridge_write_input(ANEKernelHandle *kernel, int idx, const void *data, size_t bytes) {
    ane_error_clear();
    write_bytes(kernel, ANE_SURFACE_INPUT, idx, data, bytes, "write_input");
}

void ane_bridge_write_weight(ANEKernelHandle *kernel, int idx, const void *fp16_data, size_t bytes) {
    ane_error_clear();
    write_bytes(kernel, ANE_SURFACE_WEIGHT, idx, fp16_data, bytes, "write_weight");
}

void ane_bridge_write_weight_f32(ANEKernelHandle *kernel, int idx, const float *fp32_data, size_t count) {
    ane_error_clear();
    write_floats(kernel, ANE_SURFACE_WEIGHT, idx, fp32_data, count, "write_weight_f32");
}

void ane_bridge_write_input_f32(ANEKernelHandle *kernel, int idx, const float *data, size_t count) {
    ane_error_clear();
    write_floats(kernel, ANE_SURFACE_INPUT, idx, data, count, "write_input_f32");
}

void ane_bridge_read_output(ANEKernelHandle *kernel, int idx, void *data, size_t bytes) {
    ane_error_clear();
    const char *fn = "read_output";
    ane_surface *s = checked(kernel, ANE_SURFACE_OUTPUT, idx, data, bytes, fn);
    if (!s || bytes == 0 || ane_surface_lock(s, 1, ANE_SURFACE_OUTPUT, idx, fn) != 0) return;
    memcpy(data, s->base, bytes);
    ane_surface_unlock(s, 1, ANE_SURFACE_OUTPUT, idx, fn);
}

void ane_bridge_read_output_f32(ANEKernelHandle *kernel, int idx, float *data, size_t count) {
    ane_error_clear();
    const char *fn = "read_output_f32";
    ane_surface *s = checked_elements(kernel, ANE_SURFACE_OUTPUT, idx, data, count, fn);
    if (!s || count == 0 || ane_surface_lock(s, 1, ANE_SURFACE_OUTPUT, idx, fn) != 0) return;
    switch (s->dtype) {
    case ANE_DTYPE_FP16: ane_fp16_to_fp32(s->base, data, count); break;
    case ANE_DTYPE_FP32: memcpy(data, s->base, count * sizeof *data); break;
    case ANE_DTYPE_INT32: for (size_t i = 0; i < count; i++) data[i] = (float)((const int32_t *)s->base)[i]; break;
    case ANE_DTYPE_INT8: for (size_t i = 0; i < count; i++) data[i] = ((const int8_t *)s->base)[i]; break;
    default: for (size_t i = 0; i < count; i++) data[i] = ((const uint8_t *)s->base)[i]; break;
    }
    ane_surface_unlock(s, 1, ANE_SURFACE_OUTPUT, idx, fn);
}

void ane_bridge_copy_io(ANEKernelHandle *src, int src_out_idx, ANEKernelHandle *dst, int dst_in_idx) {
    ane_error_clear();
    const char *fn = "copy_io";
    ane_surface **from = ane_kernel_slot(src, ANE_SURFACE_OUTPUT, src_out_idx, "copy_io (source)");
    if (!from) return;
    ane_surface **to = ane_kernel_slot(dst, ANE_SURFACE_INPUT, dst_in_idx, "copy_io (destination)");
    if (!to) return;
    ane_surface *s = *from, *d = *to;
    if (s->size != d->size) {
        ane_error_set(ANE_ERR_INVALID_ARGUMENT, "copy_io: source output %d ('%s') is %zu bytes, destination input %d "
                      "('%s') is %zu bytes", src_out_idx, ane_kernel_surface_name(src, ANE_SURFACE_OUTPUT, src_out_idx),
                      s->size, dst_in_idx, ane_kernel_surface_name(dst, ANE_SURFACE_INPUT, dst_in_idx), d->size);
        return;
    }
    if (s == d) return; /* aliased: already the same memory */
    if (ane_surface_lock(s, 1, ANE_SURFACE_OUTPUT, src_out_idx, fn) != 0) return;
    if (ane_surface_lock(d, 0, ANE_SURFACE_INPUT, dst_in_idx, fn) != 0) {
        ane_surface_unlock(s, 1, ANE_SURFACE_OUTPUT, src_out_idx, fn);
        return;
    }
    memcpy(d->base, s->base, s->size);
    ane_surface_unlock(d, 0, ANE_SURFACE_INPUT, dst_in_idx, fn);
    ane_surface_unlock(s, 1, ANE_SURFACE_OUTPUT, src_out_idx, fn);
}
