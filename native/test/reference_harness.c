/* See reference_harness.h. */
#include "reference_harness.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"

ANEKernelHandle *ref_compile_files(const char *mil, int n_inputs, int n_outputs, int n_files, const char **names,
                                   const uint8_t **datas, const size_t *lens) {
    ANEKernelHandle *k = ane_bridge_compile_ex("reference", mil, strlen(mil), names, datas, lens, n_files, n_inputs,
                                               NULL, 0, NULL, n_outputs, NULL);
    if (!k) {
        int line = 0, col = 0;
        ane_bridge_last_error_position(&line, &col);
        test_fail(__FILE__, __LINE__, "compile failed (code %d, at %d:%d): %s", ane_bridge_last_error_code(), line,
                  col, ane_bridge_last_error() ? ane_bridge_last_error() : "(no message)");
    }
    return k;
}

ANEKernelHandle *ref_compile(const char *mil, int n_inputs, int n_outputs) {
    return ref_compile_files(mil, n_inputs, n_outputs, 0, NULL, NULL, NULL);
}

int ref_compile_error(const char *mil, int n_inputs, int n_outputs, int n_files, const char **names,
                      const uint8_t **datas, const size_t *lens) {
    ANEKernelHandle *k = ane_bridge_compile_ex("reference", mil, strlen(mil), names, datas, lens, n_files, n_inputs,
                                               NULL, 0, NULL, n_outputs, NULL);
    if (k) {
        ane_bridge_free(k);
        return 0;
    }
    return ane_bridge_last_error_code();
}

int ref_eval(ANEKernelHandle *k, const float *const *inputs, const size_t *counts, int n_inputs) {
    for (int i = 0; i < n_inputs; i++) {
        ane_bridge_write_input_f32(k, i, inputs[i], counts[i]);
        if (ane_bridge_last_error_code() != ANE_OK) {
            test_fail(__FILE__, __LINE__, "write_input_f32(%d): %s", i, ane_bridge_last_error());
            return 0;
        }
    }
    if (!ane_bridge_eval(k)) {
        test_fail(__FILE__, __LINE__, "eval failed: %s", ane_bridge_last_error());
        return 0;
    }
    return 1;
}

int ref_read(ANEKernelHandle *k, int j, float *out, size_t count) {
    ane_bridge_read_output_f32(k, j, out, count);
    if (ane_bridge_last_error_code() == ANE_OK) return 1;
    test_fail(__FILE__, __LINE__, "read_output_f32(%d): %s", j, ane_bridge_last_error());
    return 0;
}

int ref_run(const char *mil, const float *const *inputs, const size_t *counts, int n_inputs, float *out,
            size_t out_count) {
    ANEKernelHandle *k = ref_compile(mil, n_inputs, 1);
    if (!k) return 0;
    int ok = ref_eval(k, inputs, counts, n_inputs);
    if (ok) ref_read(k, 0, out, out_count);
    ane_bridge_free(k);
    return ok;
}

void ref_check_all(const float *want, const float *got, size_t n, double tol, const char *what) {
    for (size_t i = 0; i < n; i++) {
        int same_inf = isinf(want[i]) && want[i] == got[i];
        if (!same_inf && !(fabs((double)want[i] - (double)got[i]) <= tol)) {
            test_fail(__FILE__, __LINE__, "%s[%zu]: expected %.9g, got %.9g (tol %g)", what, i, want[i], got[i], tol);
            return;
        }
    }
}

void ref_check_output(ANEKernelHandle *k, int j, const float *want, size_t n, double tol, const char *what) {
    float *got = malloc(n * sizeof(float));
    if (ref_read(k, j, got, n)) ref_check_all(want, got, n, tol, what);
    free(got);
}

double ref_fp16_round(double x) {
    if (x == 0 || isnan(x) || isinf(x)) return x;
    int e;
    frexp(x, &e);            /* |x| = m * 2^e, 0.5 <= m < 1: 11 significant bits means a quantum of 2^(e-11) */
    int q = e - 11 < -24 ? -24 : e - 11; /* subnormals: fixed quantum 2^-24 */
    double r = ldexp(nearbyint(ldexp(x, -q)), q); /* nearbyint rounds ties to even */
    return fabs(r) > 65504 ? copysign(INFINITY, x) : r;
}

static void put_u32(uint8_t *p, uint32_t v) {
    for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}

static void put_u64(uint8_t *p, uint64_t v) {
    for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
}

uint8_t *ref_blob_file(uint32_t dtype_code, const void *payload, size_t payload_bytes, size_t *len) {
    *len = 128 + payload_bytes;
    uint8_t *f = calloc(1, *len);
    put_u32(f, 1);
    put_u32(f + 4, 2);
    put_u32(f + 64, 0xDEADBEEFu);
    put_u32(f + 68, dtype_code);
    put_u64(f + 72, payload_bytes);
    put_u64(f + 80, 128);
    memcpy(f + 128, payload, payload_bytes);
    return f;
}
