/* libFuzzer target: the weight blob builders. Each built file is read back with the validating reader
 * and its payload compared with the source values. Input: u8 builder, i16 rows, i16 cols (little-endian),
 * then the source elements (floats or int8). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ane_bridge.h"
#include "blob.h"
#include "fp16.h"

static void broken(const char *what) {
    fprintf(stderr, "fuzz_blob: %s\n", what);
    abort();
}

/* The fp16 bits the builders must store for v (the library's scalar conversion is checked by its tests). */
static uint16_t fp16_of(float v) { return ane_fp16_from_float(v); }

static uint16_t payload_u16(const uint8_t *p, size_t i) { return (uint16_t)(p[2 * i] | p[2 * i + 1] << 8); }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 5) return 0;
    int which = data[0] % 4;
    int rows = (int16_t)(data[1] | data[2] << 8), cols = (int16_t)(data[3] | data[4] << 8);
    const uint8_t *rest = data + 5;
    size_t avail = size - 5, elem = which == 2 ? 1 : sizeof(float);
    /* Positive sizes must fit the source (the builders trust their caller for that); others are refused. */
    if (rows > 0 && cols > 0 && (size_t)rows * (size_t)cols > avail / elem) {
        if (avail / elem == 0) return 0;
        cols = (int)(cols < (int)(avail / elem) ? cols : (int)(avail / elem));
        rows = (int)(avail / elem / (size_t)cols);
    }
    void *src = malloc(avail ? avail : 1);
    memcpy(src, rest, avail);
    size_t len = 12345;
    float scale = -1;
    uint8_t *blob = which == 0 ? ane_bridge_build_weight_blob(src, rows, cols, &len)
                  : which == 1 ? ane_bridge_build_weight_blob_transposed(src, rows, cols, &len)
                  : which == 2 ? ane_bridge_build_weight_blob_int8(src, rows, cols, &len)
                               : ane_bridge_build_weight_blob_quantized(src, rows, cols, &scale, &len);
    if (!blob) {
        if (len != 0 || ane_bridge_last_error_code() == ANE_OK) broken("a refused build without out_len 0 and error");
        free(src);
        return 0;
    }
    if (rows <= 0 || cols <= 0) broken("a blob built for non-positive sizes");
    size_t n = (size_t)rows * (size_t)cols, bytes = n * (which < 2 ? 2 : 1);
    const uint8_t *payload;
    if (ane_blob_tensor(blob, len, "fuzz", 64, which < 2 ? ANE_DTYPE_FP16 : ANE_DTYPE_INT8, bytes, &payload) != 0)
        broken("a built blob the reader refuses");
    const float *f = src;
    if (which == 3 && !(scale > 0 && isfinite(scale))) broken("quantized scale is not positive and finite");
    for (size_t i = 0; i < n; i++) {
        size_t r = i / (size_t)cols, c = i % (size_t)cols;
        if (which == 0 && payload_u16(payload, i) != fp16_of(f[i]) && !isnan(f[i])) broken("fp16 payload differs");
        if (which == 1 && payload_u16(payload, c * (size_t)rows + r) != fp16_of(f[i]) && !isnan(f[i]))
            broken("transposed payload differs");
        if (which == 2 && (int8_t)payload[i] != ((const int8_t *)src)[i]) broken("int8 payload differs");
        if (which == 3) {
            float q = roundf(f[i] / scale);
            if ((int8_t)payload[i] != (int8_t)(q > 127 ? 127 : q < -128 ? -128 : q)) broken("quantized payload differs");
        }
    }
    ane_bridge_free_blob(blob);
    free(src);
    return 0;
}
