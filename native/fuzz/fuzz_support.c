/* See fuzz_support.h. */
#include "fuzz_support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ane_bridge.h"
#include "mil/mil.h"

void fuzz_set_limits(void) {
    /* A conv is the most work per byte: out positions x kernel taps, both bounded by the kernel bytes. */
    ane_bridge_set_limit(ANE_LIMIT_SURFACE_BYTES, 64 << 10);
    ane_bridge_set_limit(ANE_LIMIT_KERNEL_BYTES, 128 << 10);
    ane_bridge_set_limit(ANE_LIMIT_CONSTANT_ELEMENTS, 16 << 10);
    ane_bridge_set_limit(ANE_LIMIT_STATEMENTS, 4096);
    ane_bridge_set_limit(ANE_LIMIT_LIST_ENTRIES, 16 << 10);
    ane_bridge_set_limit(ANE_LIMIT_NESTING_DEPTH, 64);
    ane_bridge_set_limit(ANE_LIMIT_IDLE_CACHE_BYTES, 1 << 20);
}

static void broken(const char *what, const char *after) {
    fprintf(stderr, "fuzz: after %s: %s\n", after, what);
    abort();
}

/* Valid UTF-8 without C0/C1 controls or DEL (what error.c promises). */
static int clean_utf8(const unsigned char *s) {
    while (*s) {
        unsigned c = *s, len = c < 0x80 ? 1 : c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3
                                        : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
        if (len == 0 || (len == 1 && (c < 0x20 || c == 0x7F))) return 0;
        uint32_t cp = len == 1 ? c : c & (0x7Fu >> len);
        for (unsigned i = 1; i < len; i++) {
            if ((s[i] & 0xC0) != 0x80) return 0;
            cp = cp << 6 | (s[i] & 0x3F);
        }
        if ((len == 2 && cp < 0xA0) || (len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
            (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
            return 0;
        s += len;
    }
    return 1;
}

void fuzz_check_error(const char *after) {
    const char *msg = ane_bridge_last_error();
    if (ane_bridge_last_error_code() == ANE_OK || !msg || !*msg) broken("a failure without an error", after);
    if (!clean_utf8((const unsigned char *)msg)) broken("an error message that is not clean UTF-8", after);
}

/* Inputs and weights get values that exercise signs, zero, fractions and large magnitudes. */
static void fill_surface(ANEKernelHandle *k, int kind, int idx) {
    size_t bytes = ane_bridge_surface_size(k, kind, idx);
    uint8_t *raw = ane_bridge_surface_lock(k, kind, idx, 0);
    if (!raw) broken("a surface that cannot be locked", "compile");
    int dtype = ane_bridge_surface_dtype(k, kind, idx);
    for (size_t i = 0; i < bytes; i++) raw[i] = (uint8_t)(i * 37u + 11u);
    if (dtype == ANE_DTYPE_FP16 || dtype == ANE_DTYPE_FP32) { /* finite values: no NaN bit patterns */
        size_t n = bytes / (dtype == ANE_DTYPE_FP16 ? 2 : 4);
        for (size_t i = 0; i < n; i++) {
            float v = (float)((long)(i % 17) - 8) * (i % 3 ? 0.25f : 3.0f);
            if (dtype == ANE_DTYPE_FP16) ane_bridge_fp32_to_fp16(&v, (uint16_t *)raw + i, 1);
            else memcpy(raw + 4 * i, &v, 4);
        }
    }
    if (ane_bridge_surface_unlock(k, kind, idx, 0) != 0) broken("a surface that cannot be unlocked", "compile");
}

static size_t elem_size(int dtype) {
    return dtype == ANE_DTYPE_FP16 ? 2 : dtype == ANE_DTYPE_INT8 || dtype == ANE_DTYPE_UINT8 ? 1 : 4;
}

static void read_outputs(ANEKernelHandle *k) {
    for (int j = 0; j < ane_bridge_surface_count(k, ANE_SURFACE_OUTPUT); j++) {
        size_t n = ane_bridge_surface_size(k, ANE_SURFACE_OUTPUT, j) /
                   elem_size(ane_bridge_surface_dtype(k, ANE_SURFACE_OUTPUT, j));
        float *out = malloc((n ? n : 1) * sizeof(float));
        ane_bridge_read_output_f32(k, j, out, n);
        if (ane_bridge_last_error_code() != ANE_OK) broken("an output that cannot be read", "eval");
        free(out);
    }
}

void fuzz_compile_and_run(const char *mil, size_t len, int n_files, const char **names, const uint8_t **datas,
                          const size_t *lens, unsigned split) {
    mil_program *p = mil_parse(mil, len, NULL); /* the counts the compile must be given */
    int n_params = p ? mil_param_count(p) : 0, n_outputs = p ? mil_output_count(p) : 1;
    mil_program_free(p);
    int n_weights = n_params ? (int)(split % (unsigned)(n_params + 1)) : 0;
    ANEKernelHandle *k = ane_bridge_compile_ex("reference", mil, len, names, datas, lens, n_files,
                                               n_params - n_weights, NULL, n_weights, NULL, n_outputs, NULL);
    if (!k) {
        fuzz_check_error("compile");
        return;
    }
    for (int i = 0; i < n_params - n_weights; i++) fill_surface(k, ANE_SURFACE_INPUT, i);
    for (int i = 0; i < n_weights; i++) fill_surface(k, ANE_SURFACE_WEIGHT, i);
    for (int round = 0; round < 2; round++) {
        if (ane_bridge_eval(k)) read_outputs(k);
        else fuzz_check_error("eval");
    }
    ane_bridge_free(k);
}

static uint32_t get_u32(const uint8_t *p) { return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }

int fuzz_unpack(const uint8_t *data, size_t size, const char **mil, size_t *mil_len, int max_files,
                char names_buf[][256], const char **names, const uint8_t **datas, size_t *lens) {
    size_t at = 0;
    *mil = (const char *)data;
    *mil_len = 0;
    if (size < 4) return 0;
    uint32_t n = get_u32(data);
    at = 4;
    *mil = (const char *)data + at;
    *mil_len = n < size - at ? n : size - at;
    at += *mil_len;
    int files = 0;
    while (files < max_files && at < size) {
        size_t name_len = data[at++];
        if (name_len > size - at) name_len = size - at;
        memcpy(names_buf[files], data + at, name_len);
        names_buf[files][name_len] = '\0';
        at += name_len;
        uint32_t data_len = size - at >= 4 ? get_u32(data + at) : 0;
        at += size - at >= 4 ? 4 : size - at;
        if (data_len > size - at) data_len = (uint32_t)(size - at);
        names[files] = names_buf[files];
        datas[files] = data + at;
        lens[files] = data_len;
        at += data_len;
        files++;
    }
    return files;
}
