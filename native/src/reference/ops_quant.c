/* quantize / dequantize with a per-tensor or per-axis scale and zero point. */
#include "reference/ops_util.h"

#include <math.h>

/* Ties go to the even neighbour, independent of the FPU rounding mode. */
static float round_half_even(float v) {
    float f = floorf(v), d = v - f;
    if (d > 0.5f || (d == 0.5f && fmodf(f, 2.0f) != 0.0f)) return f + 1.0f;
    return f;
}

/* Index into scale / zero_point for element i: 0 per tensor, else its coordinate along axis. */
static int64_t param_index(size_t i, int64_t n_params, int64_t inner) {
    return n_params == 1 ? 0 : (int64_t)(i / (size_t)inner) % n_params;
}

void ref_quantize(const float *x, const ref_shape *s, int axis, const float *scale, const float *zero_point,
                  int64_t n_params, float qmin, float qmax, float *out) {
    size_t n = ref_shape_count(s);
    int64_t inner = n_params == 1 ? 1 : ops_dims_product(s, axis + 1, s->rank);
    for (size_t i = 0; i < n; i++) {
        int64_t p = param_index(i, n_params, inner);
        float q = round_half_even(x[i] / scale[p]) + (zero_point ? zero_point[p] : 0.0f);
        out[i] = q < qmin ? qmin : q > qmax ? qmax : q;
    }
}

void ref_dequantize(const float *x, const ref_shape *s, int axis, const float *scale,
                    const float *zero_point, int64_t n_params, float *out) {
    size_t n = ref_shape_count(s);
    int64_t inner = n_params == 1 ? 1 : ops_dims_product(s, axis + 1, s->rank);
    for (size_t i = 0; i < n; i++) {
        int64_t p = param_index(i, n_params, inner);
        out[i] = (x[i] - (zero_point ? zero_point[p] : 0.0f)) * scale[p];
    }
}
