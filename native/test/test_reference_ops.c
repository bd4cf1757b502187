/* Every op of the reference backend through the public ABI, on tiny programs whose results are computed
 * by hand or by a naive loop here. */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "../bench/stories_layer.h"
#include "reference_harness.h"
#include "test.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ---- elementwise ----------------------------------------------------------------------------------- */

TEST(ref_add_broadcasts_channel_vector_over_sequence) {
    const char *mil = MIL_MAIN("tensor<fp16, [1, 2, 1, 3]> x, tensor<fp16, [1, 2, 1, 1]> b")
        "        tensor<fp16, [1, 2, 1, 3]> y = add(x = x, y = b)[name = string(\"y\")];\n" MIL_END("y");
    float x[] = {1, 2, 3, 4, 5, 6}, b[] = {10, 20}, out[6];
    const float *in[] = {x, b};
    size_t counts[] = {6, 2};
    float want[] = {11, 12, 13, 24, 25, 26};
    if (ref_run(mil, in, counts, 2, out, 6)) ref_check_all(want, out, 6, 0, "y");
}

TEST(ref_scalar_const_on_either_side) {
    const char *mil = MIL_MAIN("tensor<fp16, [3]> x")
        "        fp16 one = const()[name = string(\"one\"), val = fp16(1)];\n"
        "        fp16 half = const()[name = string(\"half\"), val = fp16(0.5)];\n"
        "        tensor<fp16, [3]> a = sub(x = one, y = x)[name = string(\"a\")];\n"
        "        tensor<fp16, [3]> y = mul(x = a, y = half)[name = string(\"y\")];\n" MIL_END("y");
    float x[] = {0.5f, 2, -1}, out[3];
    const float *in[] = {x};
    size_t counts[] = {3};
    float want[] = {0.25f, -0.5f, 1}; /* (1 - x) / 2 */
    if (ref_run(mil, in, counts, 1, out, 3)) ref_check_all(want, out, 3, 0, "y");
}

TEST(ref_div_pow_maximum_minimum) {
    const char *mil = MIL_MAIN("tensor<fp32, [2]> x, tensor<fp32, [2]> y")
        "        tensor<fp32, [2]> d = real_div(x = x, y = y);\n"
        "        tensor<fp32, [2]> p = pow(x = x, y = y);\n"
        "        tensor<fp32, [2]> hi = maximum(x = x, y = y);\n"
        "        tensor<fp32, [2]> lo = minimum(x = x, y = y);\n" MIL_END("d, p, hi, lo");
    float x[] = {1, 4}, y[] = {2, 0.5f};
    const float *in[] = {x, y};
    size_t counts[] = {2, 2};
    ANEKernelHandle *k = ref_compile(mil, 2, 4);
    if (k && ref_eval(k, in, counts, 2)) {
        ref_check_output(k, 0, (float[]){0.5f, 8}, 2, 0, "real_div");
        ref_check_output(k, 1, (float[]){1, 2}, 2, 1e-6, "pow");
        ref_check_output(k, 2, (float[]){2, 4}, 2, 0, "maximum");
        ref_check_output(k, 3, (float[]){1, 0.5f}, 2, 0, "minimum");
    }
    ane_bridge_free(k);
}

/* 2048 + 1 = 2049 is not an fp16 value: it rounds to even, 2048. Rounding after each op gives 2048 + 1 + 1 =
 * 2048; an fp32 chain gives 2050. */
TEST(ref_fp16_results_are_rounded_after_every_op) {
    const char *fp16_chain = MIL_MAIN("tensor<fp16, [1]> x")
        "        fp16 one = const()[name = string(\"one\"), val = fp16(1)];\n"
        "        tensor<fp16, [1]> a = add(x = x, y = one);\n"
        "        tensor<fp16, [1]> y = add(x = a, y = one);\n" MIL_END("y");
    const char *fp32_chain = MIL_MAIN("tensor<fp16, [1]> x")
        "        string f32 = const()[name = string(\"f32\"), val = string(\"fp32\")];\n"
        "        string f16 = const()[name = string(\"f16\"), val = string(\"fp16\")];\n"
        "        fp32 one = const()[name = string(\"one\"), val = fp32(1)];\n"
        "        tensor<fp32, [1]> x32 = cast(x = x, dtype = f32);\n"
        "        tensor<fp32, [1]> a = add(x = x32, y = one);\n"
        "        tensor<fp32, [1]> b = add(x = a, y = one);\n"
        "        tensor<fp16, [1]> y = cast(x = b, dtype = f16);\n" MIL_END("y");
    float x[] = {2048}, out[1];
    const float *in[] = {x};
    size_t counts[] = {1};
    if (ref_run(fp16_chain, in, counts, 1, out, 1)) CHECK_EQ_INT(2048, out[0]);
    if (ref_run(fp32_chain, in, counts, 1, out, 1)) CHECK_EQ_INT(2050, out[0]);
}

TEST(ref_int32_arithmetic_stays_integral) {
    const char *mil = MIL_MAIN("tensor<int32, [3]> x, tensor<int32, [3]> y")
        "        tensor<int32, [3]> q = real_div(x = x, y = y);\n" MIL_END("q");
    float x[] = {7, -7, 9}, y[] = {2, 2, 3}, out[3];
    const float *in[] = {x, y};
    size_t counts[] = {3, 3};
    float want[] = {3, -3, 3}; /* truncated toward zero */
    if (ref_run(mil, in, counts, 2, out, 3)) ref_check_all(want, out, 3, 0, "q");
}

static double sigmoid(double x) { return 1 / (1 + exp(-x)); }

TEST(ref_unary_activations_match_their_formulas) {
    const char *mil = MIL_MAIN("tensor<fp32, [6]> x")
        "        tensor<fp32, [6]> r = relu(x = x);\n"
        "        tensor<fp32, [6]> t = tanh(x = x);\n"
        "        tensor<fp32, [6]> e = exp(x = x);\n"
        "        tensor<fp32, [6]> s = sigmoid(x = x);\n"
        "        tensor<fp32, [6]> si = silu(x = x);\n"
        "        tensor<fp32, [6]> ge = gelu(x = x);\n"
        "        tensor<fp32, [6]> gt = gelu(x = x, mode = string(\"TANH_APPROXIMATION\"));\n"
        "        tensor<fp32, [6]> gs = gelu(x = x, mode = string(\"SIGMOID_APPROXIMATION\"));\n"
        "        tensor<fp32, [6]> id = identity(x = x);\n" MIL_END("r, t, e, s, si, ge, gt, gs, id");
    float x[] = {-2, -0.5f, 0, 0.5f, 2, 3};
    const float *in[] = {x};
    size_t counts[] = {6};
    ANEKernelHandle *k = ref_compile(mil, 1, 9);
    if (!k || !ref_eval(k, in, counts, 1)) goto done;
    float want[9][6];
    for (int i = 0; i < 6; i++) {
        double v = x[i];
        want[0][i] = (float)(v > 0 ? v : 0);
        want[1][i] = (float)tanh(v);
        want[2][i] = (float)exp(v);
        want[3][i] = (float)sigmoid(v);
        want[4][i] = (float)(v * sigmoid(v));
        want[5][i] = (float)(0.5 * v * (1 + erf(v / sqrt(2.0))));
        want[6][i] = (float)(0.5 * v * (1 + tanh(sqrt(2 / M_PI) * (v + 0.044715 * v * v * v))));
        want[7][i] = (float)(v * sigmoid(1.702 * v));
        want[8][i] = (float)v;
    }
    const char *names[] = {"relu", "tanh", "exp", "sigmoid", "silu", "gelu", "gelu_tanh", "gelu_sigmoid", "identity"};
    for (int j = 0; j < 9; j++) ref_check_output(k, j, want[j], 6, 4e-4, names[j]); /* exp(3) = 20.1: a few fp32 ulps */
done:
    ane_bridge_free(k);
}

TEST(ref_sqrt_and_rsqrt_with_epsilon) {
    const char *mil = MIL_MAIN("tensor<fp32, [3]> x")
        "        fp32 eps = const()[name = string(\"eps\"), val = fp32(0.5)];\n"
        "        tensor<fp32, [3]> s = sqrt(x = x);\n"
        "        tensor<fp32, [3]> r = rsqrt(x = x, epsilon = eps);\n" MIL_END("s, r");
    float x[] = {0.25f, 1, 4};
    const float *in[] = {x};
    size_t counts[] = {3};
    ANEKernelHandle *k = ref_compile(mil, 1, 2);
    if (k && ref_eval(k, in, counts, 1)) {
        ref_check_output(k, 0, (float[]){0.5f, 1, 2}, 3, 1e-6, "sqrt");
        ref_check_output(k, 1, (float[]){(float)(1 / sqrt(0.75)), (float)(1 / sqrt(1.5)), (float)(1 / sqrt(4.5))}, 3,
                         1e-6, "rsqrt");
    }
    ane_bridge_free(k);
}

/* fp32 -> fp16 rounds to nearest even, overflows to infinity and flushes tiny values; fp16 -> int32
 * truncates toward zero. */
TEST(ref_cast_fp32_io_rounds_to_fp16_and_truncates_to_int32) {
    const char *mil = MIL_MAIN("tensor<fp32, [5]> x")
        "        string f16 = const()[name = string(\"f16\"), val = string(\"fp16\")];\n"
        "        string f32 = const()[name = string(\"f32\"), val = string(\"fp32\")];\n"
        "        string i32 = const()[name = string(\"i32\"), val = string(\"int32\")];\n"
        "        tensor<fp16, [5]> h = cast(x = x, dtype = f16);\n"
        "        tensor<fp32, [5]> y = cast(x = h, dtype = f32);\n"
        "        tensor<int32, [5]> n = cast(x = h, dtype = i32);\n" MIL_END("y, n");
    float x[] = {0.1f, 65519, 65520, 1e-8f, -2.7f};
    const float *in[] = {x};
    size_t counts[] = {5};
    ANEKernelHandle *k = ref_compile(mil, 1, 2);
    if (k && ref_eval(k, in, counts, 1)) {
        float y[5], n[2];
        ref_read(k, 0, y, 5);
        float want[5];
        for (int i = 0; i < 5; i++) want[i] = (float)ref_fp16_round(x[i]);
        CHECK_NEAR(0.0999755859375, want[0], 0); /* the test's model agrees with the hand value */
        ref_check_all(want, y, 5, 0, "y");
        CHECK(isinf(y[2]) && y[2] > 0);
        ref_read(k, 1, n, 2);
        CHECK_EQ_INT(0, n[0]);
        CHECK_EQ_INT(65504, n[1]);
        int32_t raw[5];
        ane_bridge_read_output(k, 1, raw, sizeof raw);
        CHECK_EQ_INT(-2, raw[4]); /* fp16(-2.7) = -2.69921875 */
    }
    ane_bridge_free(k);
}

/* Integers travel as floats inside; at the int32 limits the surfaces still saturate to the limits. */
TEST(ref_int32_limits_pass_through_saturated) {
    const char *mil = MIL_MAIN("tensor<int32, [3]> x")
        "        tensor<int32, [3]> y = identity(x = x);\n"
        "        tensor<int32, [3]> z = add(x = x, y = int32(1));\n" MIL_END("y, z");
    ANEKernelHandle *k = ref_compile(mil, 1, 2);
    if (!k) return;
    int32_t x[] = {INT32_MAX, INT32_MIN, -7}, y[3], z[3];
    ane_bridge_write_input(k, 0, x, sizeof x);
    if (ane_bridge_eval(k)) {
        ane_bridge_read_output(k, 0, y, sizeof y);
        ane_bridge_read_output(k, 1, z, sizeof z);
        CHECK_EQ_INT(INT32_MAX, y[0]);
        CHECK_EQ_INT(INT32_MIN, y[1]);
        CHECK_EQ_INT(-7, y[2]);
        CHECK_EQ_INT(INT32_MAX, z[0]);
        CHECK_EQ_INT(INT32_MIN, z[1]); /* -2^31 + 1 has no float: the sum stays -2^31 */
        CHECK_EQ_INT(-6, z[2]);
    }
    ane_bridge_free(k);
}

/* ---- layout ---------------------------------------------------------------------------------------- */

static void iota(float *x, size_t n) {
    for (size_t i = 0; i < n; i++) x[i] = (float)i;
}

/* iOS17 reshape: a 0 copies the input dim at the same place counted from the right (1 beyond the input's
 * rank); -1 takes what is left. */
TEST(ref_reshape_zero_and_minus_one_entries) {
    const char *mil = MIL_MAIN("tensor<fp16, [2, 3, 4]> x, tensor<fp16, [2, 5]> z")
        "        tensor<int32, [2]> s1 = const()[name = string(\"s1\"), val = tensor<int32, [2]>([0, -1])];\n"
        "        tensor<fp16, [3, 8]> a = reshape(x = x, shape = s1);\n"
        "        tensor<fp16, [1, 1, 2, 5]> b = reshape(x = z, shape = tensor<int32, [4]>([1, 0, -1, 0]));\n"
        MIL_END("a, b");
    float x[24], z[10];
    iota(x, 24);
    iota(z, 10);
    const float *in[] = {x, z};
    size_t counts[] = {24, 10};
    ANEKernelHandle *k = ref_compile(mil, 2, 2);
    if (k && ref_eval(k, in, counts, 2)) {
        ref_check_output(k, 0, x, 24, 0, "a");
        ref_check_output(k, 1, z, 10, 0, "b");
    }
    ane_bridge_free(k);
}

TEST(ref_transpose_matches_naive_index_map) {
    const char *mil = MIL_MAIN("tensor<fp16, [2, 3, 4]> x")
        "        tensor<int32, [3]> p = const()[name = string(\"p\"), val = tensor<int32, [3]>([2, 0, 1])];\n"
        "        tensor<fp16, [4, 2, 3]> y = transpose(x = x, perm = p);\n" MIL_END("y");
    float x[24], out[24], want[24];
    iota(x, 24);
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 2; j++)
            for (int l = 0; l < 3; l++) want[(i * 2 + j) * 3 + l] = x[(j * 3 + l) * 4 + i];
    const float *in[] = {x};
    size_t counts[] = {24};
    if (ref_run(mil, in, counts, 1, out, 24)) ref_check_all(want, out, 24, 0, "y");
}

TEST(ref_slice_by_size_with_minus_one_to_end) {
    const char *mil = MIL_MAIN("tensor<fp16, [3, 4]> x")
        "        tensor<int32, [2]> b = const()[name = string(\"b\"), val = tensor<int32, [2]>([1, 1])];\n"
        "        tensor<int32, [2]> s = const()[name = string(\"s\"), val = tensor<int32, [2]>([-1, 2])];\n"
        "        tensor<fp16, [2, 2]> y = slice_by_size(x = x, begin = b, size = s);\n" MIL_END("y");
    float x[12], out[4];
    iota(x, 12);
    const float *in[] = {x};
    size_t counts[] = {12};
    if (ref_run(mil, in, counts, 1, out, 4)) ref_check_all((float[]){5, 6, 9, 10}, out, 4, 0, "y");
}

TEST(ref_slice_by_index_strides_masks_and_squeeze) {
    const char *mil = MIL_MAIN("tensor<fp16, [3, 4]> x")
        "        tensor<fp16, [2, 4]> r = slice_by_index(x = x, begin = tensor<int32, [2]>([0, 3]),"
        " end = tensor<int32, [2]>([3, 0]), stride = tensor<int32, [2]>([2, -1]),"
        " end_mask = tensor<bool, [2]>([false, true]));\n"
        "        tensor<fp16, [4]> row = slice_by_index(x = x, begin = tensor<int32, [2]>([-2, 0]),"
        " end = tensor<int32, [2]>([0, 4]), squeeze_mask = tensor<bool, [2]>([true, false]));\n"
        "        tensor<fp16, [3, 2]> c = slice_by_index(x = x, begin = tensor<int32, [2]>([0, 1]),"
        " end = tensor<int32, [2]>([9, -1]), begin_mask = tensor<bool, [2]>([true, false]));\n"
        MIL_END("r, row, c");
    float x[12];
    iota(x, 12);
    const float *in[] = {x};
    size_t counts[] = {12};
    ANEKernelHandle *k = ref_compile(mil, 1, 3);
    if (k && ref_eval(k, in, counts, 1)) {
        ref_check_output(k, 0, (float[]){3, 2, 1, 0, 11, 10, 9, 8}, 8, 0, "x[0:3:2, 3::-1]");
        ref_check_output(k, 1, (float[]){4, 5, 6, 7}, 4, 0, "x[-2]");
        ref_check_output(k, 2, (float[]){1, 2, 5, 6, 9, 10}, 6, 0, "x[:9, 1:-1]");
    }
    ane_bridge_free(k);
}

TEST(ref_concat_along_axis_and_interleaved) {
    const char *mil = MIL_MAIN("tensor<fp16, [2, 1]> a, tensor<fp16, [2, 2]> b, tensor<fp16, [2]> u,"
                               " tensor<fp16, [2]> v")
        "        int32 ax = const()[name = string(\"ax\"), val = int32(-1)];\n"
        "        bool no = const()[name = string(\"no\"), val = bool(false)];\n"
        "        tensor<fp16, [2, 3]> c = concat(values = (a, b), axis = ax, interleave = no);\n"
        "        tensor<fp16, [4]> i = concat(values = (u, v), axis = int32(0), interleave = bool(true));\n"
        MIL_END("c, i");
    float a[] = {1, 2}, b[] = {3, 4, 5, 6}, u[] = {10, 11}, v[] = {20, 21};
    const float *in[] = {a, b, u, v};
    size_t counts[] = {2, 4, 2, 2};
    ANEKernelHandle *k = ref_compile(mil, 4, 2);
    if (k && ref_eval(k, in, counts, 4)) {
        ref_check_output(k, 0, (float[]){1, 3, 4, 2, 5, 6}, 6, 0, "concat");
        ref_check_output(k, 1, (float[]){10, 20, 11, 21}, 4, 0, "interleave");
    }
    ane_bridge_free(k);
}

TEST(ref_split_by_count_and_by_sizes) {
    const char *mil = MIL_MAIN("tensor<fp16, [2, 3]> x")
        "        tensor<fp16, [1, 3]> a, tensor<fp16, [1, 3]> b = split(x = x, axis = int32(0),"
        " num_splits = int32(2));\n"
        "        tensor<int32, [2]> sz = const()[name = string(\"sz\"), val = tensor<int32, [2]>([1, 2])];\n"
        "        tensor<fp16, [2, 1]> c, tensor<fp16, [2, 2]> d = split(x = x, axis = int32(1), split_sizes = sz);\n"
        MIL_END("a, b, c, d");
    float x[6];
    iota(x, 6);
    const float *in[] = {x};
    size_t counts[] = {6};
    ANEKernelHandle *k = ref_compile(mil, 1, 4);
    if (k && ref_eval(k, in, counts, 1)) {
        ref_check_output(k, 0, (float[]){0, 1, 2}, 3, 0, "a");
        ref_check_output(k, 1, (float[]){3, 4, 5}, 3, 0, "b");
        ref_check_output(k, 2, (float[]){0, 3}, 2, 0, "c");
        ref_check_output(k, 3, (float[]){1, 2, 4, 5}, 4, 0, "d");
    }
    ane_bridge_free(k);
}

TEST(ref_gather_negative_indices_and_out_of_range_is_an_eval_error) {
    const char *mil = MIL_MAIN("tensor<fp16, [3, 2]> x, tensor<int32, [3]> i")
        "        tensor<fp16, [3, 2]> y = gather(x = x, indices = i, axis = int32(0));\n" MIL_END("y");
    float x[6];
    iota(x, 6);
    float idx[] = {2, -1, 0};
    const float *in[] = {x, idx};
    size_t counts[] = {6, 3};
    ANEKernelHandle *k = ref_compile(mil, 2, 1);
    if (!k) return;
    if (ref_eval(k, in, counts, 2)) ref_check_output(k, 0, (float[]){4, 5, 4, 5, 0, 1}, 6, 0, "gather");
    float bad[] = {0, 3, 1};
    ane_bridge_write_input_f32(k, 1, bad, 3);
    CHECK(!ane_bridge_eval(k));
    CHECK_EQ_INT(ANE_ERR_EVAL, ane_bridge_last_error_code());
    CHECK(ane_bridge_last_error() && strstr(ane_bridge_last_error(), "out of range"));
    ane_bridge_free(k);
}

TEST(ref_band_part_keeps_upper_triangle) {
    const char *mil = MIL_MAIN("tensor<fp16, [3, 3]> x")
        "        tensor<fp16, [3, 3]> y = band_part(x = x, lower = int32(0), upper = int32(-1));\n" MIL_END("y");
    float x[9], out[9];
    for (int i = 0; i < 9; i++) x[i] = (float)(i + 1);
    const float *in[] = {x};
    size_t counts[] = {9};
    if (ref_run(mil, in, counts, 1, out, 9)) ref_check_all((float[]){1, 2, 3, 0, 5, 6, 0, 0, 9}, out, 9, 0, "y");
}

/* ---- contractions ---------------------------------------------------------------------------------- */

TEST(ref_matmul_bare_true_transpose_rank1_and_batch_broadcast) {
    const char *mil = MIL_MAIN("tensor<fp16, [2, 3]> x, tensor<fp16, [2, 3]> y, tensor<fp16, [3]> v,"
                               " tensor<fp16, [3, 2]> m, tensor<fp16, [2, 1, 2]> bx, tensor<fp16, [2, 1]> by")
        "        tensor<fp16, [2, 2]> xy = matmul(x = x, y = y, transpose_y = true);\n"
        "        tensor<fp16, [2]> vm = matmul(x = v, y = m);\n"
        "        tensor<fp16, [2, 1, 1]> bb = matmul(x = bx, y = by);\n" MIL_END("xy, vm, bb");
    float x[] = {1, 2, 3, 4, 5, 6}, y[] = {1, 0, 1, 0, 1, 0}, v[] = {1, 2, 3}, m[] = {1, 0, 0, 1, 1, 1};
    float bx[] = {1, 2, 3, 4}, by[] = {1, 10};
    const float *in[] = {x, y, v, m, bx, by};
    size_t counts[] = {6, 6, 3, 6, 4, 2};
    ANEKernelHandle *k = ref_compile(mil, 6, 3);
    if (k && ref_eval(k, in, counts, 6)) {
        ref_check_output(k, 0, (float[]){4, 2, 10, 5}, 4, 0, "x @ y^T");
        ref_check_output(k, 1, (float[]){4, 5}, 2, 0, "v @ m");
        ref_check_output(k, 2, (float[]){21, 43}, 2, 0, "batched");
    }
    ane_bridge_free(k);
}

TEST(ref_linear_with_bias) {
    const char *mil = MIL_MAIN("tensor<fp32, [2, 3]> x, tensor<fp32, [2, 3]> w")
        "        tensor<fp32, [2]> b = const()[name = string(\"b\"), val = tensor<fp32, [2]>([0.5, -1])];\n"
        "        tensor<fp32, [2, 2]> y = linear(x = x, weight = w, bias = b);\n" MIL_END("y");
    float x[] = {1, 2, 3, 4, 5, 6}, w[] = {1, 1, 1, 0, 2, -1}, out[4];
    const float *in[] = {x, w};
    size_t counts[] = {6, 6};
    /* y[r][o] = sum_i x[r][i] w[o][i] + b[o] */
    float want[] = {6.5f, 0, 15.5f, 3};
    if (ref_run(mil, in, counts, 2, out, 4)) ref_check_all(want, out, 4, 0, "y");
}

/* Naive 2-D conv over x [1, C, H, W] with groups, strides, explicit pads (top, bottom, left, right) and
 * dilations, in double. */
static void naive_conv2d(const float *x, int C, int H, int W, const float *w, int O, int KH, int KW, int groups,
                         const int *stride, const int *pad, const int *dil, const float *bias, float *out, int OH,
                         int OW) {
    int cpg = C / groups, opg = O / groups;
    for (int o = 0; o < O; o++)
        for (int oh = 0; oh < OH; oh++)
            for (int ow = 0; ow < OW; ow++) {
                double acc = bias ? bias[o] : 0;
                for (int c = 0; c < cpg; c++)
                    for (int kh = 0; kh < KH; kh++)
                        for (int kw = 0; kw < KW; kw++) {
                            int ih = oh * stride[0] - pad[0] + kh * dil[0], iw = ow * stride[1] - pad[2] + kw * dil[1];
                            if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
                            int ci = (o / opg) * cpg + c;
                            acc += (double)w[((o * cpg + c) * KH + kh) * KW + kw] * x[(ci * H + ih) * W + iw];
                        }
                out[(o * OH + oh) * OW + ow] = (float)acc;
            }
}

TEST(ref_conv2d_groups_strides_custom_pad_dilation_bias) {
    /* H: (5 + 1 + 0 - 3) / 2 + 1 = 2; W: (5 + 2 + 1 - 5) / 1 + 1 = 4 */
    const char *mil = MIL_MAIN("tensor<fp32, [1, 4, 5, 5]> x, tensor<fp32, [4, 2, 3, 3]> w")
        "        tensor<int32, [2]> st = const()[name = string(\"st\"), val = tensor<int32, [2]>([2, 1])];\n"
        "        tensor<int32, [4]> pd = const()[name = string(\"pd\"), val = tensor<int32, [4]>([1, 0, 2, 1])];\n"
        "        tensor<int32, [2]> dl = const()[name = string(\"dl\"), val = tensor<int32, [2]>([1, 2])];\n"
        "        string pt = const()[name = string(\"pt\"), val = string(\"custom\")];\n"
        "        int32 gr = const()[name = string(\"gr\"), val = int32(2)];\n"
        "        tensor<fp32, [4]> b = const()[name = string(\"b\"), val = tensor<fp32, [4]>([1, 2, 3, 4])];\n"
        "        tensor<fp32, [1, 4, 2, 4]> y = conv(x = x, weight = w, bias = b, strides = st, pad_type = pt,"
        " pad = pd, dilations = dl, groups = gr);\n" MIL_END("y");
    float x[100], w[72], out[32], want[32], bias[] = {1, 2, 3, 4};
    for (int i = 0; i < 100; i++) x[i] = (float)((i * 7) % 11) - 5;
    for (int i = 0; i < 72; i++) w[i] = (float)((i * 5) % 7) - 3;
    naive_conv2d(x, 4, 5, 5, w, 4, 3, 3, 2, (int[]){2, 1}, (int[]){1, 0, 2, 1}, (int[]){1, 2}, bias, want, 2, 4);
    const float *in[] = {x, w};
    size_t counts[] = {100, 72};
    if (ref_run(mil, in, counts, 2, out, 32)) ref_check_all(want, out, 32, 1e-4, "y");
}

/* A kernel of 2 over 4 positions needs 1 pad: "same" puts it at the end, "same_lower" at the start. */
TEST(ref_conv1d_same_and_same_lower_padding) {
    const char *mil = MIL_MAIN("tensor<fp16, [1, 1, 4]> x")
        "        tensor<fp16, [1, 1, 2]> w = const()[name = string(\"w\"), val = tensor<fp16, [1, 1, 2]>([1, 10])];\n"
        "        tensor<fp16, [1, 1, 4]> s = conv(x = x, weight = w, pad_type = string(\"same\"));\n"
        "        tensor<fp16, [1, 1, 4]> l = conv(x = x, weight = w, pad_type = string(\"same_lower\"));\n"
        "        tensor<int32, [1]> st = const()[name = string(\"st\"), val = tensor<int32, [1]>([2])];\n"
        "        tensor<fp16, [1, 1, 2]> s2 = conv(x = x, weight = w, strides = st, pad_type = string(\"same\"));\n"
        MIL_END("s, l, s2");
    float x[] = {1, 2, 3, 4};
    const float *in[] = {x};
    size_t counts[] = {4};
    ANEKernelHandle *k = ref_compile(mil, 1, 3);
    if (k && ref_eval(k, in, counts, 1)) {
        ref_check_output(k, 0, (float[]){21, 32, 43, 4}, 4, 0, "same");
        ref_check_output(k, 1, (float[]){10, 21, 32, 43}, 4, 0, "same_lower");
        ref_check_output(k, 2, (float[]){21, 43}, 2, 0, "same, stride 2"); /* out 2, total pad 0 */
    }
    ane_bridge_free(k);
}

TEST(ref_conv3d_pointwise) {
    const char *mil = MIL_MAIN("tensor<fp16, [1, 2, 2, 1, 2]> x")
        "        tensor<fp16, [1, 2, 1, 1, 1]> w = const()[name = string(\"w\"),"
        " val = tensor<fp16, [1, 2, 1, 1, 1]>([2, -1])];\n"
        "        tensor<fp16, [1, 1, 2, 1, 2]> y = conv(x = x, weight = w);\n" MIL_END("y");
    float x[] = {1, 2, 3, 4, 10, 20, 30, 40}, out[4];
    const float *in[] = {x};
    size_t counts[] = {8};
    if (ref_run(mil, in, counts, 1, out, 4)) ref_check_all((float[]){-8, -16, -24, -32}, out, 4, 0, "y");
}

/* softmax(q k^T / sqrt(E) + mask) v, naively in double. mask: NULL, additive [L][S], or keep flags. */
static void naive_sdpa(const float *q, const float *k, const float *v, int L, int S, int E, const float *add,
                       const int *keep, float *out) {
    for (int l = 0; l < L; l++) {
        double sc[8], mx = -INFINITY, sum = 0;
        for (int s = 0; s < S; s++) {
            double d = 0;
            for (int e = 0; e < E; e++) d += (double)q[l * E + e] * k[s * E + e];
            sc[s] = d / sqrt((double)E) + (add ? add[l * S + s] : 0);
            if (keep && !keep[l * S + s]) sc[s] = -INFINITY;
            if (sc[s] > mx) mx = sc[s];
        }
        for (int s = 0; s < S; s++) sum += sc[s] = exp(sc[s] - mx);
        for (int e = 0; e < E; e++) {
            double acc = 0;
            for (int s = 0; s < S; s++) acc += sc[s] / sum * v[s * E + e];
            out[l * E + e] = (float)acc;
        }
    }
}

TEST(ref_sdpa_without_mask_with_additive_and_bool_masks) {
    const char *mil = MIL_MAIN("tensor<fp32, [1, 2, 2]> q, tensor<fp32, [1, 3, 2]> k, tensor<fp32, [1, 3, 2]> v,"
                               " tensor<fp32, [2, 3]> m")
        "        tensor<bool, [2, 3]> keep = const()[name = string(\"keep\"),"
        " val = tensor<bool, [2, 3]>([true, false, true, true, true, false])];\n"
        "        tensor<fp32, [1, 2, 2]> a = scaled_dot_product_attention(query = q, key = k, value = v);\n"
        "        tensor<fp32, [1, 2, 2]> b = scaled_dot_product_attention(query = q, key = k, value = v,"
        " attn_mask = m);\n"
        "        tensor<fp32, [1, 2, 2]> c = scaled_dot_product_attention(query = q, key = k, value = v,"
        " attn_mask = keep);\n" MIL_END("a, b, c");
    float q[] = {1, 0, 0.5f, -1}, kk[] = {1, 1, -1, 2, 0, 1}, v[] = {1, 2, 3, 4, 5, 6}, m[] = {0, -1, 0.5f, -2, 0, 0};
    int keep[] = {1, 0, 1, 1, 1, 0};
    const float *in[] = {q, kk, v, m};
    size_t counts[] = {4, 6, 6, 6};
    ANEKernelHandle *k = ref_compile(mil, 4, 3);
    if (k && ref_eval(k, in, counts, 4)) {
        float want[4];
        naive_sdpa(q, kk, v, 2, 3, 2, NULL, NULL, want);
        ref_check_output(k, 0, want, 4, 1e-5, "no mask");
        naive_sdpa(q, kk, v, 2, 3, 2, m, NULL, want);
        ref_check_output(k, 1, want, 4, 1e-5, "additive mask");
        naive_sdpa(q, kk, v, 2, 3, 2, NULL, keep, want);
        ref_check_output(k, 2, want, 4, 1e-5, "bool mask");
    }
    ane_bridge_free(k);
}

/* ---- over axes ------------------------------------------------------------------------------------- */

TEST(ref_softmax_along_last_and_first_axis) {
    const char *mil = MIL_MAIN("tensor<fp32, [2, 3]> x")
        "        tensor<fp32, [2, 3]> a = softmax(x = x, axis = int32(-1));\n"
        "        tensor<fp32, [2, 3]> b = softmax(x = x, axis = int32(0));\n" MIL_END("a, b");
    float x[] = {1, 2, 3, -1, 0, 5};
    const float *in[] = {x};
    size_t counts[] = {6};
    ANEKernelHandle *k = ref_compile(mil, 1, 2);
    if (k && ref_eval(k, in, counts, 1)) {
        float wa[6], wb[6];
        for (int r = 0; r < 2; r++) {
            double s = 0;
            for (int c = 0; c < 3; c++) s += exp(x[r * 3 + c]);
            for (int c = 0; c < 3; c++) wa[r * 3 + c] = (float)(exp(x[r * 3 + c]) / s);
        }
        for (int c = 0; c < 3; c++) {
            double s = exp(x[c]) + exp(x[3 + c]);
            wb[c] = (float)(exp(x[c]) / s);
            wb[3 + c] = (float)(exp(x[3 + c]) / s);
        }
        ref_check_output(k, 0, wa, 6, 1e-6, "axis -1");
        ref_check_output(k, 1, wb, 6, 1e-6, "axis 0");
    }
    ane_bridge_free(k);
}

TEST(ref_reductions_keep_dims_and_all_axes) {
    const char *mil = MIL_MAIN("tensor<fp16, [2, 3]> x")
        "        tensor<fp16, [2]> s = reduce_sum(x = x, axes = tensor<int32, [1]>([1]), keep_dims = bool(false));\n"
        "        tensor<fp16, [1, 3]> m = reduce_mean(x = x, axes = tensor<int32, [1]>([-2]),"
        " keep_dims = bool(true));\n"
        "        fp16 mx = reduce_max(x = x);\n" MIL_END("s, m, mx");
    float x[] = {1, 2, 3, 4, 5, 6};
    const float *in[] = {x};
    size_t counts[] = {6};
    ANEKernelHandle *k = ref_compile(mil, 1, 3);
    if (k && ref_eval(k, in, counts, 1)) {
        ref_check_output(k, 0, (float[]){6, 15}, 2, 0, "reduce_sum");
        ref_check_output(k, 1, (float[]){2.5f, 3.5f, 4.5f}, 3, 0, "reduce_mean");
        ref_check_output(k, 2, (float[]){6}, 1, 0, "reduce_max");
    }
    ane_bridge_free(k);
}

TEST(ref_layer_norm_with_gamma_beta_epsilon) {
    const char *mil = MIL_MAIN("tensor<fp32, [2, 4]> x")
        "        tensor<fp32, [4]> g = const()[name = string(\"g\"), val = tensor<fp32, [4]>([1, 2, 0.5, -1])];\n"
        "        tensor<fp32, [4]> b = const()[name = string(\"b\"), val = tensor<fp32, [4]>([0, 1, 0, 0.25])];\n"
        "        tensor<fp32, [2, 4]> y = layer_norm(x = x, axes = tensor<int32, [1]>([1]), gamma = g, beta = b,"
        " epsilon = fp32(0.001));\n" MIL_END("y");
    float x[] = {1, 2, 3, 4, -3, 0, 0, 7}, g[] = {1, 2, 0.5f, -1}, be[] = {0, 1, 0, 0.25f}, out[8], want[8];
    for (int r = 0; r < 2; r++) {
        double mean = 0, var = 0;
        for (int c = 0; c < 4; c++) mean += x[r * 4 + c] / 4.0;
        for (int c = 0; c < 4; c++) var += (x[r * 4 + c] - mean) * (x[r * 4 + c] - mean) / 4.0;
        for (int c = 0; c < 4; c++)
            want[r * 4 + c] = (float)((x[r * 4 + c] - mean) / sqrt(var + (double)0.001f) * g[c] + be[c]);
    }
    const float *in[] = {x};
    size_t counts[] = {8};
    if (ref_run(mil, in, counts, 1, out, 8)) ref_check_all(want, out, 8, 1e-5, "y");
}

/* ---- quantisation ---------------------------------------------------------------------------------- */

TEST(ref_quantize_rounds_half_even_clamps_and_dequantizes) {
    const char *mil = MIL_MAIN("tensor<fp16, [4]> x")
        "        fp16 sc = const()[name = string(\"sc\"), val = fp16(0.5)];\n"
        "        int8 zp = const()[name = string(\"zp\"), val = int8(3)];\n"
        "        string dt = const()[name = string(\"dt\"), val = string(\"int8\")];\n"
        "        tensor<int8, [4]> q = quantize(input = x, scale = sc, zero_point = zp, output_dtype = dt);\n"
        "        tensor<fp16, [4]> d = dequantize(input = q, scale = sc, zero_point = zp);\n" MIL_END("q, d");
    float x[] = {0.3f, -1, 100, 0.25f}; /* x / 0.5 = 0.6, -2, 200, 0.5 -> 1, -2, 200, 0 (half to even) */
    const float *in[] = {x};
    size_t counts[] = {4};
    ANEKernelHandle *k = ref_compile(mil, 1, 2);
    if (k && ref_eval(k, in, counts, 1)) {
        int8_t q[4];
        ane_bridge_read_output(k, 0, q, 4);
        CHECK_EQ_INT(4, q[0]);
        CHECK_EQ_INT(1, q[1]);
        CHECK_EQ_INT(127, q[2]);
        CHECK_EQ_INT(3, q[3]);
        ref_check_output(k, 1, (float[]){0.5f, -1, 62, 0}, 4, 0, "dequantize"); /* (q - 3) * 0.5 */
    }
    ane_bridge_free(k);
}

TEST(ref_quantize_per_axis_uint8) {
    const char *mil = MIL_MAIN("tensor<fp32, [2, 2]> x")
        "        tensor<fp32, [2]> sc = const()[name = string(\"sc\"), val = tensor<fp32, [2]>([0.5, 2])];\n"
        "        tensor<uint8, [2, 2]> q = quantize(input = x, scale = sc, axis = int32(0),"
        " output_dtype = string(\"uint8\"));\n" MIL_END("q");
    float x[] = {1, -4, 5, 600}, out[4];
    const float *in[] = {x};
    size_t counts[] = {4};
    if (ref_run(mil, in, counts, 1, out, 4)) ref_check_all((float[]){2, 0, 2, 255}, out, 4, 0, "q");
}

TEST(ref_constexpr_affine_dequantize_per_axis) {
    const char *mil = MIL_MAIN("tensor<fp16, [2]> x")
        "        tensor<fp16, [2, 2]> w = constexpr_affine_dequantize()[axis = int32(0), name = string(\"w\"),"
        " quantized_data = tensor<int8, [2, 2]>([1, 2, 3, 4]), scale = tensor<fp16, [2]>([0.5, 2]),"
        " zero_point = int8(1)];\n"
        "        tensor<fp16, [2]> y = matmul(x = w, y = x);\n" MIL_END("y");
    float x[] = {1, 1}, out[2];
    const float *in[] = {x};
    size_t counts[] = {1 * 2};
    /* w = [[0, 0.5], [4, 6]] */
    if (ref_run(mil, in, counts, 1, out, 2)) ref_check_all((float[]){0.5f, 10}, out, 2, 0, "y");
}

/* ---- programs as a whole --------------------------------------------------------------------------- */

TEST(ref_edge_shapes_rank1_and_size1_dims) {
    const char *mil = MIL_MAIN("tensor<fp16, [1, 1, 1, 1]> x, tensor<fp16, [5]> v")
        "        tensor<fp16, [1, 1, 1, 5]> y = mul(x = x, y = v);\n" MIL_END("y");
    float x[] = {-2}, v[] = {1, 2, 3, 4, 0.5f}, out[5];
    const float *in[] = {x, v};
    size_t counts[] = {1, 5};
    if (ref_run(mil, in, counts, 2, out, 5)) ref_check_all((float[]){-2, -4, -6, -8, -1}, out, 5, 0, "y");
}

/* A chain long enough that intermediate buffers are reused: each value must still be right. */
TEST(ref_long_chain_with_reused_buffers) {
    const char *mil = MIL_MAIN("tensor<fp32, [4]> x")
        "        tensor<fp32, [4]> a = add(x = x, y = x);\n"      /* 2x   */
        "        tensor<fp32, [4]> b = mul(x = a, y = x);\n"      /* 2x^2 */
        "        tensor<fp32, [4]> c = sub(x = b, y = a);\n"      /* 2x^2 - 2x */
        "        tensor<fp32, [4]> d = add(x = c, y = x);\n"      /* 2x^2 - x */
        "        tensor<fp32, [4]> e = mul(x = d, y = a);\n"      /* (2x^2 - x) 2x */
        "        tensor<fp32, [4]> f = sub(x = e, y = b);\n" MIL_END("f, c");
    float x[] = {1, 2, -1, 0.5f};
    const float *in[] = {x};
    size_t counts[] = {4};
    ANEKernelHandle *k = ref_compile(mil, 1, 2);
    if (k && ref_eval(k, in, counts, 1)) {
        float wf[4], wc[4];
        for (int i = 0; i < 4; i++) {
            double v = x[i];
            wf[i] = (float)((2 * v * v - v) * 2 * v - 2 * v * v);
            wc[i] = (float)(2 * v * v - 2 * v);
        }
        ref_check_output(k, 0, wf, 4, 1e-6, "f");
        ref_check_output(k, 1, wc, 4, 1e-6, "c");
    }
    ane_bridge_free(k);
}

/* Two kernels of one program share the compiled plan but never their buffers. */
TEST(ref_two_kernels_of_one_program_are_independent) {
    const char *mil = MIL_MAIN("tensor<fp16, [2]> x")
        "        tensor<fp16, [2]> a = mul(x = x, y = x);\n"
        "        tensor<fp16, [2]> y = add(x = a, y = x);\n" MIL_END("y");
    ANEKernelHandle *k1 = ref_compile(mil, 1, 1), *k2 = ref_compile(mil, 1, 1);
    float x1[] = {1, 2}, x2[] = {3, -1};
    const float *in1[] = {x1}, *in2[] = {x2};
    size_t counts[] = {2};
    if (k1 && k2 && ref_eval(k1, in1, counts, 1) && ref_eval(k2, in2, counts, 1)) {
        ref_check_output(k1, 0, (float[]){2, 6}, 2, 0, "k1");
        ref_check_output(k2, 0, (float[]){12, 0}, 2, 0, "k2");
    }
    ane_bridge_free(k1);
    ane_bridge_free(k2);
}

/* An output aliased onto the input of the same kernel: inputs are read before outputs are written. */
TEST(ref_output_aliasing_its_own_input) {
    const char *mil = MIL_MAIN("tensor<fp16, [3]> x")
        "        tensor<fp16, [3]> y = add(x = x, y = x);\n" MIL_END("y");
    ANEKernelHandle *k = ref_compile(mil, 1, 1);
    if (!k) return;
    float x[] = {1, -2, 0.25f};
    CHECK_EQ_INT(0, ane_bridge_alias_surface(k, ANE_SURFACE_OUTPUT, 0, k, ANE_SURFACE_INPUT, 0));
    ane_bridge_write_input_f32(k, 0, x, 3); /* now the output's memory too */
    CHECK(ane_bridge_eval(k));
    CHECK(ane_bridge_eval(k));
    ref_check_output(k, 0, (float[]){4, -8, 1}, 3, 0, "x * 4");
    ane_bridge_free(k);
}

/* A returned value may be a parameter or a constant as well as a step result. */
TEST(ref_outputs_naming_a_parameter_and_a_constant) {
    const char *mil = MIL_MAIN("tensor<fp16, [2]> x")
        "        tensor<fp16, [2]> c = const()[name = string(\"c\"), val = tensor<fp16, [2]>([0.5, -3])];\n"
        "        tensor<fp16, [2, 1]> r = reshape(x = c, shape = tensor<int32, [2]>([2, 1]));\n" MIL_END("x, c, r");
    float x[] = {7, 8};
    const float *in[] = {x};
    size_t counts[] = {2};
    ANEKernelHandle *k = ref_compile(mil, 1, 3);
    if (k && ref_eval(k, in, counts, 1)) {
        ref_check_output(k, 0, x, 2, 0, "x");
        ref_check_output(k, 1, (float[]){0.5f, -3}, 2, 0, "c");
        ref_check_output(k, 2, (float[]){0.5f, -3}, 2, 0, "r");
    }
    ane_bridge_free(k);
}

/* Kernels of one program evaluated at the same time from two threads: the shared plan is read-only. */
typedef struct thread_job {
    ANEKernelHandle *k;
    float scale;
    int failures;
} thread_job;

static void *eval_many(void *arg) {
    thread_job *job = arg;
    float x[64], w[64 * 64], y[64];
    for (int i = 0; i < 64; i++) x[i] = (float)(i % 8) * job->scale;
    for (int i = 0; i < 64 * 64; i++) w[i] = i / 64 == i % 64 ? 1.0f : 0.0f;
    ane_bridge_write_weight_f32(job->k, 0, w, 64 * 64);
    for (int round = 0; round < 50; round++) {
        ane_bridge_write_input_f32(job->k, 0, x, 64);
        if (!ane_bridge_eval(job->k)) job->failures++;
        ane_bridge_read_output_f32(job->k, 0, y, 64);
        for (int i = 0; i < 64; i++) job->failures += y[i] != x[i] + 1.0f;
    }
    return NULL;
}

TEST(ref_kernels_of_one_program_evaluate_concurrently) {
    const char *mil = MIL_MAIN("tensor<fp32, [1, 64]> x, tensor<fp32, [64, 64]> w")
        "        tensor<fp32, [1, 64]> m = matmul(x = x, y = w);\n"
        "        tensor<fp32, [1, 64]> y = add(x = m, y = fp32(1));\n" MIL_END("y");
    thread_job jobs[2] = {{NULL, 1.0f, 0}, {NULL, -2.0f, 0}};
    for (int t = 0; t < 2; t++)
        jobs[t].k = ane_bridge_compile_ex("reference", mil, strlen(mil), NULL, NULL, NULL, 0, 1, NULL, 1, NULL, 1,
                                          NULL);
    if (!jobs[0].k || !jobs[1].k) {
        test_fail(__FILE__, __LINE__, "compile failed: %s", ane_bridge_last_error());
    } else {
        pthread_t th[2];
        for (int t = 0; t < 2; t++) pthread_create(&th[t], NULL, eval_many, &jobs[t]);
        for (int t = 0; t < 2; t++) pthread_join(th[t], NULL);
        CHECK_EQ_INT(0, jobs[0].failures);
        CHECK_EQ_INT(0, jobs[1].failures);
    }
    ane_bridge_free(jobs[0].k);
    ane_bridge_free(jobs[1].k);
}

/* ---- a real-sized program ------------------------------------------------------------------------- */

/* One Stories110M layer (dim 768, hidden 2048, seq 256; native/bench times it) compiles and evaluates to
 * finite values filling its [1, 768, 1, 256] fp16 output. */
TEST(ref_stories110m_layer_compiles_and_evaluates_finite) {
    char *mil = stories_layer_mil("out");
    if (!mil) {
        test_fail(__FILE__, __LINE__, "program text too long");
        return;
    }
    ANEKernelHandle *k = ane_bridge_compile_ex("reference", mil, strlen(mil), NULL, NULL, NULL, 0, 1, NULL,
                                               STORIES_WEIGHTS, NULL, 1, NULL);
    free(mil);
    if (!k) {
        test_fail(__FILE__, __LINE__, "compile failed: %s", ane_bridge_last_error());
        return;
    }
    const size_t n = (size_t)STORIES_DIM * STORIES_SEQ;
    CHECK_EQ_INT(n * 2, ane_bridge_surface_size(k, ANE_SURFACE_OUTPUT, 0));
    float *out = malloc(n * sizeof(float));
    if (stories_layer_fill(k) != 0) {
        test_fail(__FILE__, __LINE__, "writing weights and input failed: %s", ane_bridge_last_error());
    } else if (!ane_bridge_eval(k)) {
        test_fail(__FILE__, __LINE__, "eval failed: %s", ane_bridge_last_error());
    } else {
        ref_read(k, 0, out, n);
        size_t bad = 0;
        while (bad < n && isfinite(out[bad])) bad++;
        CHECK_MSG(bad == n, "out[%zu] = %g", bad, bad < n ? out[bad] : 0.0);
    }
    free(out);
    ane_bridge_free(k);
}
