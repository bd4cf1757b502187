/* Out of memory during eval: the kernels' scratch allocations are made to fail one after another (the
 * ops_util test hook); every failure must come back as a failed eval with ANE_ERR_OUT_OF_MEMORY naming the
 * op, leave the output surfaces alone, and the same kernel must evaluate correctly afterwards. */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "reference/ops_util.h"
#include "reference_harness.h"
#include "test.h"

enum { MAX_IN = 3, MAX_OUT = 4, MAX_FAILURES = 16 };

typedef struct oom_case {
    const char *op, *mil;
    int n_inputs;
    const float *inputs[MAX_IN];
    size_t counts[MAX_IN];
    size_t n_out;
    float want[MAX_OUT];
    int gemm_only;              /* its only scratch is SGEMM's packing buffer, which a CBLAS does not need */
    const char *first_message;  /* the message of the first failure, when given */
} oom_case;

static int all_zero(const float *x, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (x[i] != 0.0f) return 0;
    return 1;
}

/* Allocation n fails, for n = 0, 1, ... until an eval gets through; then once more with the hook off. Runs
 * in a thread of its own, so SGEMM's per-thread packing buffer is allocated during these evals too. */
static void *run_case(void *arg) {
    const oom_case *c = arg;
    ANEKernelHandle *k = ref_compile(c->mil, c->n_inputs, 1);
    if (!k) return NULL;
    for (int i = 0; i < c->n_inputs; i++) ane_bridge_write_input_f32(k, i, c->inputs[i], c->counts[i]);
    int failures = 0;
    for (long n = 0; n < MAX_FAILURES; n++) {
        ref_ops_fail_allocations_after(n);
        int ok = ane_bridge_eval(k);
        ref_ops_fail_allocations_after(-1);
        if (ok) break;
        failures++;
        const char *msg = ane_bridge_last_error();
        CHECK_EQ_INT(ANE_ERR_OUT_OF_MEMORY, ane_bridge_last_error_code());
        CHECK_MSG(msg && strstr(msg, c->op) && strstr(msg, "out of memory") && strstr(msg, " bytes"),
                  "allocation %ld: message '%s' should name %s and the bytes", n, msg ? msg : "", c->op);
        if (n == 0 && c->first_message)
            CHECK_MSG(msg && strcmp(msg, c->first_message) == 0, "message '%s', expected '%s'", msg ? msg : "",
                      c->first_message);
        float got[MAX_OUT];
        ref_read(k, 0, got, c->n_out);
        CHECK_MSG(all_zero(got, c->n_out), "allocation %ld: a failed eval wrote the output surface", n);
    }
    CHECK_MSG(failures < MAX_FAILURES, "%s still failing after %d allocations", c->op, MAX_FAILURES);
    if (!c->gemm_only || !ref_cblas_name())
        CHECK_MSG(failures > 0, "%s evaluated without any scratch allocation to fail", c->op);
    float got[MAX_OUT];
    if (ref_eval(k, c->inputs, c->counts, c->n_inputs)) {
        ref_read(k, 0, got, c->n_out);
        ref_check_all(c->want, got, c->n_out, 1e-6, c->op);
    }
    ane_bridge_free(k);
    return NULL;
}

static void check_case(const oom_case *c) {
    pthread_t th;
    CHECK(pthread_create(&th, NULL, run_case, (void *)c) == 0);
    pthread_join(th, NULL);
}

TEST(oom_conv_eval_fails_cleanly_then_recovers) {
    static const float x[] = { 1, 2, 3, 4 };
    const oom_case c = {
        .op = "conv",
        .mil = MIL_MAIN("tensor<fp32, [1, 1, 4]> x")
            "        tensor<fp32, [1, 1, 2]> w = const()[name = string(\"w\"),"
            " val = tensor<fp32, [1, 1, 2]>([1, 10])];\n"
            "        tensor<fp32, [1, 1, 3]> y = conv(x = x, weight = w, pad_type = string(\"valid\"));\n" MIL_END("y"),
        .n_inputs = 1, .inputs = { x }, .counts = { 4 },
        .n_out = 3, .want = { 21, 32, 43 }, /* x[i] + 10 x[i + 1] */
        /* im2col first: 2 taps x 3 output positions of floats */
        .first_message = "conv 'y' (line 5): out of memory allocating 24 bytes of scratch",
    };
    check_case(&c);
}

TEST(oom_softmax_along_an_outer_axis_fails_cleanly_then_recovers) {
    static const float x[] = { 1, 2, 1, 0 };
    double e2 = exp(2.0);
    const oom_case c = {
        .op = "softmax",
        .mil = MIL_MAIN("tensor<fp32, [2, 2]> x")
            "        tensor<fp32, [2, 2]> y = softmax(x = x, axis = int32(0));\n" MIL_END("y"),
        .n_inputs = 1, .inputs = { x }, .counts = { 4 },
        .n_out = 4, .want = { 0.5f, (float)(e2 / (e2 + 1)), 0.5f, (float)(1 / (e2 + 1)) },
        /* a max and a sum for each of the 2 columns */
        .first_message = "softmax 'y' (line 4): out of memory allocating 16 bytes of scratch",
    };
    check_case(&c);
}

TEST(oom_layer_norm_fails_cleanly_then_recovers) {
    static const float x[] = { 1, 2, 3, 4 };
    double sd = sqrt(1.25 + 0.25); /* variance 1.25, epsilon 0.25 */
    const oom_case c = {
        .op = "layer_norm",
        .mil = MIL_MAIN("tensor<fp32, [1, 4]> x")
            "        tensor<fp32, [1, 4]> y = layer_norm(x = x, axes = tensor<int32, [1]>([1]),"
            " epsilon = fp32(0.25));\n" MIL_END("y"),
        .n_inputs = 1, .inputs = { x }, .counts = { 4 },
        .n_out = 4, .want = { (float)(-1.5 / sd), (float)(-0.5 / sd), (float)(0.5 / sd), (float)(1.5 / sd) },
    };
    check_case(&c);
}

TEST(oom_sdpa_fails_cleanly_then_recovers) {
    static const float q[] = { 0, 0 }, k[] = { 1, 2, 3, 4 }, v[] = { 1, 2, 3, 4 };
    const oom_case c = {
        .op = "scaled_dot_product_attention",
        .mil = MIL_MAIN("tensor<fp32, [1, 1, 2]> q, tensor<fp32, [1, 2, 2]> k, tensor<fp32, [1, 2, 2]> v")
            "        tensor<fp32, [1, 1, 2]> y = scaled_dot_product_attention(query = q, key = k, value = v);\n"
            MIL_END("y"),
        .n_inputs = 3, .inputs = { q, k, v }, .counts = { 2, 4, 4 },
        .n_out = 2, .want = { 2, 3 }, /* q = 0: equal weights, the mean of v's rows */
    };
    check_case(&c);
}

TEST(oom_matmul_fails_cleanly_then_recovers) {
    static const float x[] = { 1, 2, 3, 4 }, y[] = { 5, 6, 7, 8 };
    const oom_case c = {
        .op = "matmul",
        .mil = MIL_MAIN("tensor<fp32, [2, 2]> x, tensor<fp32, [2, 2]> y")
            "        tensor<fp32, [2, 2]> z = matmul(x = x, y = y);\n" MIL_END("z"),
        .n_inputs = 2, .inputs = { x, y }, .counts = { 4, 4 },
        .n_out = 4, .want = { 19, 22, 43, 50 },
        .gemm_only = 1,
    };
    check_case(&c);
}

TEST(oom_linear_fails_cleanly_then_recovers) {
    static const float x[] = { 1, 2 }, w[] = { 1, 1, 0, 2 };
    const oom_case c = {
        .op = "linear",
        .mil = MIL_MAIN("tensor<fp32, [1, 2]> x, tensor<fp32, [2, 2]> w")
            "        tensor<fp32, [2]> b = const()[name = string(\"b\"), val = tensor<fp32, [2]>([0.5, -1])];\n"
            "        tensor<fp32, [1, 2]> y = linear(x = x, weight = w, bias = b);\n" MIL_END("y"),
        .n_inputs = 2, .inputs = { x, w }, .counts = { 2, 4 },
        .n_out = 2, .want = { 3.5f, 3 }, /* (1 + 2 + 0.5, 0 + 4 - 1) */
        .gemm_only = 1,
    };
    check_case(&c);
}

/* ---- the kernels themselves ------------------------------------------------------------------------ */

static void *sgemm_without_memory(void *arg) {
    int *rc = arg;
    const float A[] = { 1, 2, 3, 4 }, B[] = { 5, 6, 7, 8 };
    float C[4] = { -1, -1, -1, -1 };
    ref_ops_fail_allocations_after(0);
    rc[0] = ref_sgemm_builtin(0, 0, 2, 2, 2, A, 2, B, 2, C, 2);
    ref_ops_fail_allocations_after(-1);
    rc[1] = C[0] == -1 && C[1] == -1 && C[2] == -1 && C[3] == -1;
    rc[2] = ref_sgemm_builtin(0, 0, 2, 2, 2, A, 2, B, 2, C, 2);
    rc[3] = C[0] == 19 && C[1] == 22 && C[2] == 43 && C[3] == 50;
    return NULL;
}

/* In a new thread, whose packing buffer does not exist yet. */
TEST(oom_sgemm_without_a_packing_buffer_fails_and_leaves_c_untouched) {
    int rc[4] = { 0 };
    pthread_t th;
    CHECK(pthread_create(&th, NULL, sgemm_without_memory, rc) == 0);
    pthread_join(th, NULL);
    CHECK_EQ_INT(-1, rc[0]);
    CHECK_MSG(rc[1], "C was written by a failed SGEMM");
    CHECK_EQ_INT(0, rc[2]);
    CHECK_MSG(rc[3], "SGEMM gave a wrong product once memory was back");
}

/* Along the last axis (what attention uses) softmax needs no scratch; along an outer one it asks for a
 * max and a sum per group. */
TEST(oom_softmax_needs_scratch_only_along_an_outer_axis) {
    const float x[] = { 0, 0, 0, 0, 0, 0 };
    float out[6];
    ref_shape s = { .rank = 2, .dim = { 2, 3 } };
    ref_ops_fail_allocations_after(0);
    int last = ref_softmax(x, &s, 1, out), outer = ref_softmax(x, &s, 0, out);
    size_t bytes = ref_scratch_failed_bytes();
    ref_ops_fail_allocations_after(-1);
    CHECK_EQ_INT(-1, outer);
    CHECK_EQ_INT(3 * 2 * sizeof(float), bytes); /* 3 columns */
    CHECK_EQ_INT(0, last);
    CHECK_EQ_INT(0, ref_softmax(x, &s, 1, out));
    for (int i = 0; i < 6; i++) CHECK_NEAR(1.0 / 3, out[i], 1e-7);
}
