/* Linked into a copy of the C test runner with -Wl,--wrap for every compile entry point: each program the
 * tests compile is written to $ANE4J_FUZZ_SEEDS/mil (and, with its weight files, to .../weights in the
 * layout of fuzz_unpack), then compiled as usual. So the fuzzers start from every program the tests know,
 * including the Stories110M layer, and the seeds stay current with the tests. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ane_bridge.h"
#include "sha256.h"

/* libFuzzer's -max_len in run.sh. */
#define FUZZ_MAX_LEN 65536

static void put_u32(FILE *f, uint32_t v) {
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    fwrite(b, 1, 4, f);
}

/* Writes one seed, named by the SHA-256 of its content, into folder sub of $ANE4J_FUZZ_SEEDS: the MIL
 * alone, or with weight files in the layout of fuzz_unpack. */
static void write_seed(const char *sub, const char *mil, size_t len, const char **names, const uint8_t **datas,
                       const size_t *lens, int n_files) {
    const char *dir = getenv("ANE4J_FUZZ_SEEDS");
    if (!dir || !mil || len > FUZZ_MAX_LEN) return; /* the fuzzers would cut it short anyway */
    sha256_ctx c;
    uint8_t digest[32];
    sha256_init(&c);
    sha256_update(&c, mil, len);
    for (int i = 0; i < n_files; i++) {
        sha256_update(&c, names[i], strlen(names[i]));
        sha256_update(&c, datas[i], lens[i]);
    }
    sha256_final(&c, digest);
    char path[4096];
    int n = snprintf(path, sizeof path, "%s/%s/", dir, sub);
    for (int i = 0; i < 8; i++) n += snprintf(path + n, sizeof path - (size_t)n, "%02x", digest[i]);
    FILE *f = fopen(path, "wb");
    if (!f) return;
    if (n_files == 0) {
        fwrite(mil, 1, len, f);
    } else {
        put_u32(f, (uint32_t)len);
        fwrite(mil, 1, len, f);
        for (int i = 0; i < n_files; i++) {
            size_t name_len = strlen(names[i]) < 255 ? strlen(names[i]) : 255;
            fputc((int)name_len, f);
            fwrite(names[i], 1, name_len, f);
            put_u32(f, (uint32_t)lens[i]);
            fwrite(datas[i], 1, lens[i], f);
        }
    }
    fclose(f);
}

static void tap(const char *mil, size_t len, const char **names, const uint8_t **datas, const size_t *lens,
                int n_files) {
    int ok = n_files >= 0 && (n_files == 0 || (names && datas && lens));
    for (int i = 0; ok && i < n_files; i++) ok = names[i] && (datas[i] || lens[i] == 0);
    if (!ok) return; /* a misuse test: nothing worth seeding */
    write_seed("mil", mil, len, NULL, NULL, NULL, 0);
    if (n_files > 0) write_seed("weights", mil, len, names, datas, lens, n_files);
}

ANEKernelHandle *__real_ane_bridge_compile_ex(const char *, const char *, size_t, const char **, const uint8_t **,
                                              const size_t *, int, int, const size_t *, int, const size_t *, int,
                                              const size_t *);
ANEKernelHandle *__wrap_ane_bridge_compile_ex(const char *backend, const char *mil, size_t len, const char **names,
                                              const uint8_t **datas, const size_t *lens, int n_files, int n_inputs,
                                              const size_t *in_sizes, int n_weights, const size_t *w_sizes,
                                              int n_outputs, const size_t *out_sizes) {
    tap(mil, len, names, datas, lens, n_files);
    return __real_ane_bridge_compile_ex(backend, mil, len, names, datas, lens, n_files, n_inputs, in_sizes,
                                        n_weights, w_sizes, n_outputs, out_sizes);
}

ANEKernelHandle *__real_ane_bridge_compile(const char *, size_t, const uint8_t *, size_t, int, const size_t *, int,
                                           const size_t *);
ANEKernelHandle *__wrap_ane_bridge_compile(const char *mil, size_t len, const uint8_t *data, size_t data_len,
                                           int n_inputs, const size_t *in_sizes, int n_outputs,
                                           const size_t *out_sizes) {
    const char *name = "@model_path/weights/weight.bin";
    tap(mil, len, &name, &data, &data_len, data_len > 0 && data ? 1 : 0);
    return __real_ane_bridge_compile(mil, len, data, data_len, n_inputs, in_sizes, n_outputs, out_sizes);
}

ANEKernelHandle *__real_ane_bridge_compile_multi_weights(const char *, size_t, const char **, const uint8_t **,
                                                         const size_t *, int, int, const size_t *, int,
                                                         const size_t *);
ANEKernelHandle *__wrap_ane_bridge_compile_multi_weights(const char *mil, size_t len, const char **names,
                                                         const uint8_t **datas, const size_t *lens, int n_files,
                                                         int n_inputs, const size_t *in_sizes, int n_outputs,
                                                         const size_t *out_sizes) {
    tap(mil, len, names, datas, lens, n_files);
    return __real_ane_bridge_compile_multi_weights(mil, len, names, datas, lens, n_files, n_inputs, in_sizes,
                                                   n_outputs, out_sizes);
}

ANEKernelHandle *__real_ane_bridge_compile_dyn(const char *, size_t, int, const size_t *, int, const size_t *,
                                               size_t);
ANEKernelHandle *__wrap_ane_bridge_compile_dyn(const char *mil, size_t len, int n_inputs, const size_t *in_sizes,
                                               int n_weights, const size_t *w_sizes, size_t out_size) {
    tap(mil, len, NULL, NULL, NULL, 0);
    return __real_ane_bridge_compile_dyn(mil, len, n_inputs, in_sizes, n_weights, w_sizes, out_size);
}

ANEKernelHandle *__real_ane_bridge_compile_dyn_multi(const char *, size_t, int, const size_t *, int,
                                                     const size_t *, int, const size_t *);
ANEKernelHandle *__wrap_ane_bridge_compile_dyn_multi(const char *mil, size_t len, int n_inputs,
                                                     const size_t *in_sizes, int n_weights, const size_t *w_sizes,
                                                     int n_outputs, const size_t *out_sizes) {
    tap(mil, len, NULL, NULL, NULL, 0);
    return __real_ane_bridge_compile_dyn_multi(mil, len, n_inputs, in_sizes, n_weights, w_sizes, n_outputs,
                                               out_sizes);
}

/* Blob builder calls, in fuzz_blob's layout: u8 builder, i16 rows, i16 cols, the source elements. */
static void tap_blob(int which, const void *src, int rows, int cols, size_t elem) {
    const char *dir = getenv("ANE4J_FUZZ_SEEDS");
    if (!dir || !src || rows <= 0 || cols <= 0 || rows > 32767 || cols > 32767 || (size_t)rows * (size_t)cols > 4096)
        return;
    size_t n = 5 + (size_t)rows * (size_t)cols * elem;
    uint8_t *buf = malloc(n);
    if (!buf) return;
    buf[0] = (uint8_t)which;
    buf[1] = (uint8_t)rows;
    buf[2] = (uint8_t)(rows >> 8);
    buf[3] = (uint8_t)cols;
    buf[4] = (uint8_t)(cols >> 8);
    memcpy(buf + 5, src, n - 5);
    write_seed("blob", (const char *)buf, n, NULL, NULL, NULL, 0);
    free(buf);
}

uint8_t *__real_ane_bridge_build_weight_blob(const float *, int, int, size_t *);
uint8_t *__wrap_ane_bridge_build_weight_blob(const float *src, int rows, int cols, size_t *out_len) {
    tap_blob(0, src, rows, cols, sizeof(float));
    return __real_ane_bridge_build_weight_blob(src, rows, cols, out_len);
}

uint8_t *__real_ane_bridge_build_weight_blob_transposed(const float *, int, int, size_t *);
uint8_t *__wrap_ane_bridge_build_weight_blob_transposed(const float *src, int rows, int cols, size_t *out_len) {
    tap_blob(1, src, rows, cols, sizeof(float));
    return __real_ane_bridge_build_weight_blob_transposed(src, rows, cols, out_len);
}

uint8_t *__real_ane_bridge_build_weight_blob_int8(const int8_t *, int, int, size_t *);
uint8_t *__wrap_ane_bridge_build_weight_blob_int8(const int8_t *src, int rows, int cols, size_t *out_len) {
    tap_blob(2, src, rows, cols, 1);
    return __real_ane_bridge_build_weight_blob_int8(src, rows, cols, out_len);
}

uint8_t *__real_ane_bridge_build_weight_blob_quantized(const float *, int, int, float *, size_t *);
uint8_t *__wrap_ane_bridge_build_weight_blob_quantized(const float *src, int rows, int cols, float *out_scale,
                                                       size_t *out_len) {
    tap_blob(3, src, rows, cols, sizeof(float));
    return __real_ane_bridge_build_weight_blob_quantized(src, rows, cols, out_scale, out_len);
}
