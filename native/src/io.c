/* Copies between caller memory and surfaces. Every handle, index and size is checked before any memory
 * is touched; each access is bracketed by the backend's lock and unlock. */
#include <math.h>
#include <stdio.h>
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

/* count floats stored as dtype at dst: fp16 rounded to nearest even, integers rounded and saturated. */
static void floats_to(int dtype, void *dst, const float *src, size_t count) {
    switch (dtype) {
    case ANE_DTYPE_FP16: ane_fp32_to_fp16(src, dst, count); break;
    case ANE_DTYPE_FP32: memcpy(dst, src, count * sizeof *src); break;
    case ANE_DTYPE_INT32:
        for (size_t i = 0; i < count; i++) ((int32_t *)dst)[i] = (int32_t)to_integer(src[i], INT32_MIN, INT32_MAX);
        break;
    case ANE_DTYPE_INT8:
        for (size_t i = 0; i < count; i++) ((int8_t *)dst)[i] = (int8_t)to_integer(src[i], INT8_MIN, INT8_MAX);
        break;
    default:
        for (size_t i = 0; i < count; i++) ((uint8_t *)dst)[i] = (uint8_t)to_integer(src[i], 0, UINT8_MAX);
        break;
    }
}

/* count values of dtype at src as floats (exact for every dtype but large int32). */
static void floats_from(int dtype, const void *src, float *dst, size_t count) {
    switch (dtype) {
    case ANE_DTYPE_FP16: ane_fp16_to_fp32(src, dst, count); break;
    case ANE_DTYPE_FP32: memcpy(dst, src, count * sizeof *dst); break;
    case ANE_DTYPE_INT32: for (size_t i = 0; i < count; i++) dst[i] = (float)((const int32_t *)src)[i]; break;
    case ANE_DTYPE_INT8: for (size_t i = 0; i < count; i++) dst[i] = ((const int8_t *)src)[i]; break;
    default: for (size_t i = 0; i < count; i++) dst[i] = ((const uint8_t *)src)[i]; break;
    }
}

/* Moves count elements between data, held as data_dtype (the surface's own dtype: copied; fp32: converted),
 * and surface (kind, idx) of k from element first on, under one lock. Every argument is checked first;
 * returns 0, or -1 with the last error naming fn and nothing moved. */
static int transfer(ANEKernelHandle *k, int kind, int idx, size_t first, void *data, int data_dtype, size_t count,
                    int writing, const char *fn) {
    ane_surface **slot = ane_kernel_slot(k, kind, idx, fn);
    if (!slot) return -1;
    ane_surface *s = *slot;
    size_t elem = ane_dtype_size(s->dtype), elements = s->size / elem;
    if (data_dtype != s->dtype && data_dtype != ANE_DTYPE_FP32) {
        ane_error_set(ANE_ERR_INVALID_ARGUMENT, "%s: %s %d ('%s') holds %s; the caller's values must be %s or fp32, "
                      "not %s", fn, ane_kind_name(kind), idx, ane_kernel_surface_name(k, kind, idx),
                      ane_dtype_name(s->dtype), ane_dtype_name(s->dtype), ane_dtype_name(data_dtype));
        return -1;
    }
    if (first > elements || count > elements - first) {
        char from[48] = "";
        if (first > 0) snprintf(from, sizeof from, " from element %zu on", first);
        ane_error_set(ANE_ERR_INVALID_ARGUMENT, "%s: %zu elements%s do not fit %s %d ('%s'), which holds %zu %s "
                      "elements", fn, count, from, ane_kind_name(kind), idx, ane_kernel_surface_name(k, kind, idx),
                      elements, ane_dtype_name(s->dtype));
        return -1;
    }
    if (count == 0) return 0;
    if (!data) {
        ane_error_set(ANE_ERR_INVALID_ARGUMENT, "%s: data is NULL", fn);
        return -1;
    }
    if (ane_surface_lock(s, !writing, kind, idx, fn) != 0) return -1;
    char *at = (char *)s->base + first * elem;
    if (data_dtype == s->dtype) memcpy(writing ? at : data, writing ? data : at, count * elem);
    else if (writing) floats_to(s->dtype, at, data, count);
    else floats_from(s->dtype, at, data, count);
    return ane_surface_unlock(s, !writing, kind, idx, fn);
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
    transfer(kernel, ANE_SURFACE_WEIGHT, idx, 0, (void *)fp32_data, ANE_DTYPE_FP32, count, 1, "write_weight_f32");
}

void ane_bridge_write_input_f32(ANEKernelHandle *kernel, int idx, const float *data, size_t count) {
    ane_error_clear();
    transfer(kernel, ANE_SURFACE_INPUT, idx, 0, (void *)data, ANE_DTYPE_FP32, count, 1, "write_input_f32");
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
    transfer(kernel, ANE_SURFACE_OUTPUT, idx, 0, data, ANE_DTYPE_FP32, count, 0, "read_output_f32");
}

int ane_bridge_surface_write(ANEKernelHandle *kernel, int kind, int idx, size_t first, const void *src, int src_dtype,
                             size_t count) {
    ane_error_clear();
    return transfer(kernel, kind, idx, first, (void *)src, src_dtype, count, 1, "surface_write");
}

int ane_bridge_surface_read(ANEKernelHandle *kernel, int kind, int idx, size_t first, void *dst, int dst_dtype,
                            size_t count) {
    ane_error_clear();
    return transfer(kernel, kind, idx, first, dst, dst_dtype, count, 0, "surface_read");
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
