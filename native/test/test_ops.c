/* Tests of the reference backend's CPU kernels (reference/ops.h) against hand-computed values and naive
 * loops written here. */
#include "test.h"
#include "reference/ops.h"
#include "reference/sgemm.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <dlfcn.h>
#include <pthread.h>

/* Deterministic values in [-1, 1) (xorshift), so failures reproduce. */
static void fill_random(float *x, size_t n, uint32_t seed) {
    uint32_t s = seed * 2654435761u + 1u;
    for (size_t i = 0; i < n; i++) {
        s ^= s << 13; s ^= s >> 17; s ^= s << 5;
        x[i] = (float)(s >> 8) / (float)(1u << 23) - 1.0f;
    }
}

static float *random_array(size_t n, uint32_t seed) {
    float *x = malloc((n ? n : 1) * sizeof(float));
    fill_random(x, n, seed);
    return x;
}

static ref_shape shape(int rank, const int64_t *dims) {
    ref_shape s = { .rank = rank };
    for (int i = 0; i < rank; i++) s.dim[i] = dims[i];
    return s;
}
#define SHAPE(...) shape((int)(sizeof((int64_t[]){ __VA_ARGS__ }) / sizeof(int64_t)), (int64_t[]){ __VA_ARGS__ })

/* Coordinates of flat index i in shape s. */
static void unravel(size_t i, const ref_shape *s, int64_t *coord) {
    for (int d = s->rank - 1; d >= 0; d--) {
        coord[d] = (int64_t)(i % (size_t)s->dim[d]);
        i /= (size_t)s->dim[d];
    }
}

/* Flat index in s of the element that output coordinates (rank out_rank) read under broadcasting. */
static size_t broadcast_index(const int64_t *coord, int out_rank, const ref_shape *s) {
    size_t idx = 0;
    for (int d = 0; d < s->rank; d++) {
        int64_t c = coord[d + out_rank - s->rank];
        idx = idx * (size_t)s->dim[d] + (size_t)(s->dim[d] == 1 ? 0 : c);
    }
    return idx;
}

static void check_all_near(const float *expected, const float *actual, size_t n, double tol, const char *what) {
    for (size_t i = 0; i < n; i++) {
        if (!(fabs((double)expected[i] - (double)actual[i]) <= tol)) {
            test_fail(__FILE__, __LINE__, "%s: element %zu = %.9g, expected %.9g", what, i, actual[i], expected[i]);
            return;
        }
    }
}

/* ---- sgemm ---------------------------------------------------------------------------------------- */

typedef int (*gemm_fn)(int, int, int64_t, int64_t, int64_t, const float *, int64_t, const float *, int64_t,
                       float *, int64_t);

/* C = op(A) op(B) in double, the definition itself. */
static void naive_gemm(int ta, int tb, int64_t M, int64_t N, int64_t K, const float *A, int64_t lda,
                       const float *B, int64_t ldb, float *C, int64_t ldc) {
    for (int64_t i = 0; i < M; i++)
        for (int64_t j = 0; j < N; j++) {
            double acc = 0.0;
            for (int64_t p = 0; p < K; p++)
                acc += (double)(ta ? A[p * lda + i] : A[i * lda + p]) * (double)(tb ? B[j * ldb + p] : B[p * ldb + j]);
            C[i * ldc + j] = (float)acc;
        }
}

/* Runs gemm (or kernel k through sgemm_blocked when gemm is NULL) on one shape with padded leading
 * dimensions and checks every element, and that C's padding columns are untouched. */
static int check_gemm_case(gemm_fn gemm, const sgemm_kernel *k, int ta, int tb, int64_t M, int64_t N, int64_t K) {
    int64_t lda = (ta ? M : K) + 3, ldb = (tb ? K : N) + 2, ldc = N + 5;
    float *A = random_array((size_t)((ta ? K : M) * lda), 1), *B = random_array((size_t)((tb ? N : K) * ldb), 2);
    float *C = malloc((size_t)(M * ldc + 1) * sizeof(float)), *R = malloc((size_t)(M * ldc + 1) * sizeof(float));
    for (int64_t i = 0; i < M * ldc + 1; i++) C[i] = R[i] = 77.0f;
    int rc = gemm ? gemm(ta, tb, M, N, K, A, lda, B, ldb, C, ldc)
                  : sgemm_blocked(k, ta, tb, M, N, K, A, lda, B, ldb, C, ldc);
    naive_gemm(ta, tb, M, N, K, A, lda, B, ldb, R, ldc);
    int bad = rc != 0;
    CHECK_EQ_INT(0, rc);
    for (int64_t i = 0; i < M * ldc + 1 && !bad; i++) {
        if (fabsf(C[i] - R[i]) > 1e-4f * (float)(K + 1)) {
            test_fail(__FILE__, __LINE__, "%s ta=%d tb=%d M=%lld N=%lld K=%lld: C[%lld] = %g, expected %g",
                      k ? k->name : "ref_sgemm", ta, tb, (long long)M, (long long)N, (long long)K, (long long)i,
                      C[i], R[i]);
            bad = 1;
        }
    }
    free(A); free(B); free(C); free(R);
    return !bad;
}

static const int64_t gemm_sizes[] = { 1, 3, 17, 65, 130 };

static void check_gemm_sizes(gemm_fn gemm, const sgemm_kernel *k) {
    int n = (int)(sizeof gemm_sizes / sizeof gemm_sizes[0]);
    for (int ta = 0; ta < 2; ta++)
        for (int tb = 0; tb < 2; tb++)
            for (int a = 0; a < n; a++)
                for (int b = 0; b < n; b++)
                    for (int c = 0; c < n; c++)
                        if (!check_gemm_case(gemm, k, ta, tb, gemm_sizes[a], gemm_sizes[b], gemm_sizes[c])) return;
}

TEST(sgemm_every_builtin_kernel_matches_naive_product) {
    const sgemm_kernel *ks[8];
    int n = sgemm_kernels(ks, 8);
    CHECK(n >= 1);
    CHECK(strcmp(ks[n - 1]->name, "portable") == 0);
    for (int i = 0; i < n; i++) {
        CHECK(ks[i]->mr * ks[i]->nr <= SGEMM_MAX_TILE && ks[i]->nc % ks[i]->nr == 0);
        check_gemm_sizes(NULL, ks[i]);
        /* Sizes that cross every cache-block boundary (mc, kc, nc) with ragged remainders. */
        check_gemm_case(NULL, ks[i], 0, 0, ks[i]->mc + 7, ks[i]->nc + 5, ks[i]->kc + 3);
        check_gemm_case(NULL, ks[i], 1, 1, ks[i]->mc * 2 + 1, 33, ks[i]->kc * 2 + 9);
    }
}

TEST(sgemm_builtin_entry_point_matches_naive_product) {
    check_gemm_sizes(ref_sgemm_builtin, NULL);
}

TEST(sgemm_dispatch_matches_naive_product) {
    /* Exercises the CBLAS when one is installed, else the built-in kernel again. */
    printf("    cblas: %s\n", ref_cblas_name() ? ref_cblas_name() : "(none, built-in kernel)");
    CHECK_MSG(ref_cblas_name() || !getenv("ANE4J_TEST_REQUIRE_CBLAS"), /* set where CI installs one */
              "ANE4J_TEST_REQUIRE_CBLAS is set but no CBLAS was found");
    check_gemm_sizes(ref_sgemm, NULL);
    check_gemm_case(ref_sgemm, NULL, 0, 1, 256, 300, 280);
}

/* Set to anything but "" or "0" (how the library reads its switches). */
static int env_flag(const char *name) {
    const char *v = getenv(name);
    return v && *v && strcmp(v, "0") != 0;
}

/* Whether a library with cblas_sgemm can be loaded here: the test's own search. */
static int cblas_installed(void) {
    const char *names[] = {
#ifdef __APPLE__
        "/System/Library/Frameworks/Accelerate.framework/Accelerate",
#endif
        "libopenblas.so.0", "libopenblas.so", "libcblas.so.3", "libblas.so.3",
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        void *h = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
        int found = h && dlsym(h, "cblas_sgemm");
        if (h) dlclose(h);
        if (found) return 1;
    }
    return 0;
}

/* The built-in kernel wherever it has a vectorised x86 micro-kernel, else a CBLAS when one is installed;
 * ANE4J_CBLAS=1 forces an installed CBLAS, ANE4J_NO_CBLAS=1 (which wins) forbids it. The choice is made once
 * per process, so this runner checks the environment it was started with, then starts fresh copies of itself
 * for the other settings. */
TEST(sgemm_cblas_choice_follows_cpu_and_environment) {
    const char *chosen = ref_cblas_name(); /* first, so that the probe below does not load the CBLAS first */
    int vectorised = 0;
#if defined(__x86_64__) || defined(__i386__)
    vectorised = __builtin_cpu_supports("avx512f")
              || (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"));
#endif
    int want = !env_flag("ANE4J_NO_CBLAS") && (env_flag("ANE4J_CBLAS") || !vectorised) && cblas_installed();
    CHECK_MSG((chosen != NULL) == want, "ref_cblas_name() = %s, expected %s", chosen ? chosen : "NULL",
              want ? "a CBLAS" : "NULL");
    if (getenv("ANE4J_TEST_CHILD")) return;
    /* Each copy starts with both switches cleared, then sets the ones named. */
    static const struct { const char *env[4]; const char *label; } settings[] = {
        { { "ANE4J_NO_CBLAS", "ANE4J_TEST_CHILD=1", "ANE4J_CBLAS=1" }, "ANE4J_CBLAS=1" },
        { { "ANE4J_CBLAS", "ANE4J_TEST_CHILD=1", "ANE4J_NO_CBLAS=1" }, "ANE4J_NO_CBLAS=1" },
        { { "ANE4J_TEST_CHILD=1", "ANE4J_CBLAS=1", "ANE4J_NO_CBLAS=1" }, "both switches" },
        { { "ANE4J_CBLAS", "ANE4J_NO_CBLAS", "ANE4J_TEST_CHILD=1" }, "neither switch" },
    };
    for (size_t i = 0; i < sizeof settings / sizeof settings[0]; i++) {
        int status = test_run_self("sgemm_cblas_choice_follows_cpu_and_environment", settings[i].env);
        if (status < 0) {
            test_skip("re-running the test runner needs /proc/self/exe (Linux)");
            return;
        }
        CHECK_MSG(status == 0, "the choice was wrong in a runner started with %s (exit status %d)", settings[i].label,
                  status);
    }
}

typedef struct gemm_job { gemm_fn gemm; int ok; } gemm_job;

static void *gemm_job_run(void *arg) {
    gemm_job *job = arg;
    job->ok = 1;
    for (int rep = 0; rep < 3 && job->ok; rep++)
        job->ok = check_gemm_case(job->gemm, NULL, rep & 1, 1, 97, 130, 75 + rep);
    return NULL;
}

/* The library must be usable from several threads at once (Java callers run kernels concurrently). */
TEST(sgemm_concurrent_calls_from_several_threads) {
    gemm_job jobs[4] = { { ref_sgemm, 0 }, { ref_sgemm, 0 }, { ref_sgemm_builtin, 0 }, { ref_sgemm_builtin, 0 } };
    pthread_t th[4];
    for (int i = 0; i < 4; i++) CHECK(pthread_create(&th[i], NULL, gemm_job_run, &jobs[i]) == 0);
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        CHECK_MSG(jobs[i].ok, "thread %d computed a wrong product", i);
    }
}

TEST(sgemm_hand_computed_2x2) {
    const float A[] = { 1, 2, 3, 4 }, B[] = { 5, 6, 7, 8 };
    float C[4];
    ref_sgemm_builtin(0, 0, 2, 2, 2, A, 2, B, 2, C, 2);
    CHECK_NEAR(19, C[0], 0); CHECK_NEAR(22, C[1], 0); CHECK_NEAR(43, C[2], 0); CHECK_NEAR(50, C[3], 0);
    ref_sgemm_builtin(1, 1, 2, 2, 2, A, 2, B, 2, C, 2); /* A^T B^T = (B A)^T */
    CHECK_NEAR(23, C[0], 0); CHECK_NEAR(31, C[1], 0); CHECK_NEAR(34, C[2], 0); CHECK_NEAR(46, C[3], 0);
}

TEST(sgemm_empty_depth_writes_zeros) {
    float C[6] = { 9, 9, 9, 9, 9, 9 };
    const float A[1] = { 1 }, B[1] = { 1 };
    ref_sgemm_builtin(0, 0, 2, 3, 0, A, 1, B, 3, C, 3);
    for (int i = 0; i < 6; i++) CHECK_NEAR(0, C[i], 0);
    for (int i = 0; i < 6; i++) C[i] = 9;
    ref_sgemm(0, 0, 2, 3, 0, A, 1, B, 3, C, 3);
    for (int i = 0; i < 6; i++) CHECK_NEAR(0, C[i], 0);
}

/* ---- shapes and elementwise ------------------------------------------------------------------------ */

TEST(shape_count_and_broadcast_shape) {
    ref_shape scalar = { .rank = 0 }, a = SHAPE(2, 1, 4), b = SHAPE(3, 1), c = SHAPE(5), out;
    CHECK_EQ_INT(1, ref_shape_count(&scalar));
    CHECK_EQ_INT(8, ref_shape_count(&a));
    CHECK_EQ_INT(0, ref_broadcast_shape(&a, &b, &out));
    CHECK_EQ_INT(3, out.rank);
    CHECK_EQ_INT(2, out.dim[0]); CHECK_EQ_INT(3, out.dim[1]); CHECK_EQ_INT(4, out.dim[2]);
    CHECK_EQ_INT(0, ref_broadcast_shape(&scalar, &b, &out));
    CHECK_EQ_INT(2, out.rank); CHECK_EQ_INT(3, out.dim[0]); CHECK_EQ_INT(1, out.dim[1]);
    CHECK_EQ_INT(-1, ref_broadcast_shape(&a, &c, &out));
}

TEST(binary_ops_hand_computed) {
    const float x[] = { 1, -2, 3, 4 }, y[] = { 2, 4, -1, 0.5f };
    ref_shape s = SHAPE(4);
    float o[4];
    ref_binary(REF_ADD, x, &s, y, &s, o, &s);
    CHECK_NEAR(3, o[0], 0); CHECK_NEAR(2, o[1], 0); CHECK_NEAR(2, o[2], 0); CHECK_NEAR(4.5, o[3], 0);
    ref_binary(REF_SUB, x, &s, y, &s, o, &s);
    CHECK_NEAR(-1, o[0], 0); CHECK_NEAR(-6, o[1], 0); CHECK_NEAR(4, o[2], 0); CHECK_NEAR(3.5, o[3], 0);
    ref_binary(REF_MUL, x, &s, y, &s, o, &s);
    CHECK_NEAR(2, o[0], 0); CHECK_NEAR(-8, o[1], 0); CHECK_NEAR(-3, o[2], 0); CHECK_NEAR(2, o[3], 0);
    ref_binary(REF_DIV, x, &s, y, &s, o, &s);
    CHECK_NEAR(0.5, o[0], 0); CHECK_NEAR(-0.5, o[1], 0); CHECK_NEAR(-3, o[2], 0); CHECK_NEAR(8, o[3], 0);
    ref_binary(REF_POW, x, &s, y, &s, o, &s);
    CHECK_NEAR(1, o[0], 1e-6); CHECK_NEAR(16, o[1], 1e-5); CHECK_NEAR(1.0 / 3, o[2], 1e-6); CHECK_NEAR(2, o[3], 1e-6);
    ref_binary(REF_MAXIMUM, x, &s, y, &s, o, &s);
    CHECK_NEAR(2, o[0], 0); CHECK_NEAR(4, o[1], 0); CHECK_NEAR(3, o[2], 0); CHECK_NEAR(4, o[3], 0);
    ref_binary(REF_MINIMUM, x, &s, y, &s, o, &s);
    CHECK_NEAR(1, o[0], 0); CHECK_NEAR(-2, o[1], 0); CHECK_NEAR(-1, o[2], 0); CHECK_NEAR(0.5, o[3], 0);
}

TEST(binary_broadcast_row_column_and_scalar) {
    const float col[] = { 1, 2 }, row[] = { 10, 20, 30 }, two[] = { 2 };
    ref_shape cs = SHAPE(2, 1), rs = SHAPE(3), os = SHAPE(2, 3), scalar = { .rank = 0 };
    float o[6];
    ref_binary(REF_ADD, col, &cs, row, &rs, o, &os);
    const float sum[] = { 11, 21, 31, 12, 22, 32 };
    check_all_near(sum, o, 6, 0, "[2,1] + [3]");
    ref_binary(REF_SUB, row, &rs, col, &cs, o, &os);
    const float diff[] = { 9, 19, 29, 8, 18, 28 };
    check_all_near(diff, o, 6, 0, "[3] - [2,1]");
    ref_binary(REF_MUL, sum, &os, two, &scalar, o, &os);
    const float twice[] = { 22, 42, 62, 24, 44, 64 };
    check_all_near(twice, o, 6, 0, "[2,3] * scalar");
}

TEST(maximum_minimum_and_reduce_max_propagate_nan) {
    const float x[] = { NAN, 1, 2 }, y[] = { 0, NAN, 1 };
    ref_shape s = SHAPE(3);
    float o[3];
    ref_binary(REF_MAXIMUM, x, &s, y, &s, o, &s);
    CHECK(isnan(o[0]) && isnan(o[1]));
    CHECK_NEAR(2, o[2], 0);
    ref_binary(REF_MINIMUM, x, &s, y, &s, o, &s);
    CHECK(isnan(o[0]) && isnan(o[1]));
    CHECK_NEAR(1, o[2], 0);
    ref_reduce(REF_REDUCE_MAX, y, &s, 1u, o);
    CHECK(isnan(o[0]));
    ref_reduce(REF_REDUCE_MIN, x, &s, 1u, o);
    CHECK(isnan(o[0]));
}

/* Broadcasting in several axes at once against an index-by-index evaluation. */
TEST(binary_broadcast_rank4_matches_naive) {
    ref_shape xs = SHAPE(2, 1, 5, 7), ys = SHAPE(3, 1, 1), os;
    CHECK_EQ_INT(0, ref_broadcast_shape(&xs, &ys, &os));
    size_t n = ref_shape_count(&os);
    CHECK_EQ_INT(2 * 3 * 5 * 7, n);
    float *x = random_array(ref_shape_count(&xs), 3), *y = random_array(ref_shape_count(&ys), 4);
    float *o = malloc(n * sizeof(float)), *e = malloc(n * sizeof(float));
    for (size_t i = 0; i < n; i++) {
        int64_t c[REF_MAX_RANK];
        unravel(i, &os, c);
        e[i] = x[broadcast_index(c, os.rank, &xs)] - y[broadcast_index(c, os.rank, &ys)];
    }
    ref_binary(REF_SUB, x, &xs, y, &ys, o, &os);
    check_all_near(e, o, n, 0, "[2,1,5,7] - [3,1,1]");
    free(x); free(y); free(o); free(e);
}

TEST(binary_output_may_alias_input) {
    float x[] = { 1, 2, 3, 4, 5, 6 };
    const float y[] = { 10, 100 };
    ref_shape xs = SHAPE(3, 2), ys = SHAPE(2);
    ref_binary(REF_MUL, x, &xs, y, &ys, x, &xs);
    const float e[] = { 10, 200, 30, 400, 50, 600 };
    check_all_near(e, x, 6, 0, "in place");
}

TEST(unary_ops_match_definitions) {
    const float x[] = { -3.0f, -1.0f, -0.25f, 0.0f, 0.5f, 2.0f };
    float o[6];
    for (int i = 0; i < 6; i++) {
        double v = x[i];
        struct { ref_unop op; double expected; } cases[] = {
            { REF_IDENTITY, v },
            { REF_RELU, v > 0 ? v : 0 },
            { REF_TANH, tanh(v) },
            { REF_EXP, exp(v) },
            { REF_SIGMOID, 1 / (1 + exp(-v)) },
            { REF_SILU, v / (1 + exp(-v)) },
            { REF_GELU_EXACT, 0.5 * v * (1 + erf(v / sqrt(2.0))) },
            { REF_GELU_TANH, 0.5 * v * (1 + tanh(sqrt(2 / M_PI) * (v + 0.044715 * v * v * v))) },
            { REF_GELU_SIGMOID, v / (1 + exp(-1.702 * v)) },
            { REF_NEG, -v },
            { REF_ABS, fabs(v) },
        };
        for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
            ref_unary(cases[c].op, x, o, 6, 0.0f);
            CHECK_MSG(fabs(o[i] - cases[c].expected) <= 1e-6 * (1 + fabs(cases[c].expected)),
                      "op %d at x=%g: got %.9g, expected %.9g", (int)cases[c].op, v, o[i], cases[c].expected);
        }
    }
    /* GELU EXACT at 1: 0.5 * (1 + erf(1/sqrt 2)) = 0.8413447460685429 */
    const float one = 1.0f;
    ref_unary(REF_GELU_EXACT, &one, o, 1, 0.0f);
    CHECK_NEAR(0.841344746, o[0], 1e-6);
}

/* exp has a vectorised path of its own: check it across the whole float range, 2 ulp at most (results
 * below FLT_MIN may be flushed to 0). */
TEST(unary_exp_accurate_over_float_range_and_special_values) {
    enum { N = 200001 };
    float *x = malloc(N * sizeof(float)), *o = malloc(N * sizeof(float));
    for (int i = 0; i < N; i++) x[i] = -103.9f + (88.7f + 103.9f) * (float)i / (float)(N - 1);
    ref_unary(REF_EXP, x, o, N, 0.0f);
    for (int i = 0; i < N; i++) {
        double e = exp((double)x[i]);
        double tol = e < 1.1754943508222875e-38 ? 1.1754943508222875e-38 : 2.4e-7 * e;
        if (!(fabs(o[i] - e) <= tol)) {
            test_fail(__FILE__, __LINE__, "exp(%.9g) = %.9g, expected %.9g", x[i], o[i], e);
            break;
        }
    }
    const float special[] = { NAN, INFINITY, -INFINITY, 89.0f, -110.0f, 0.0f, -0.0f, 1.0f };
    float so[8];
    ref_unary(REF_EXP, special, so, 8, 0.0f);
    CHECK(isnan(so[0]));
    CHECK(isinf(so[1]) && so[1] > 0);
    CHECK_NEAR(0, so[2], 0);
    CHECK(isinf(so[3]) && so[3] > 0);
    CHECK_NEAR(0, so[4], 0);
    CHECK_NEAR(1, so[5], 0);
    CHECK_NEAR(1, so[6], 0);
    CHECK_NEAR(2.718281828, so[7], 3e-7);
    free(x); free(o);
}

TEST(unary_sqrt_and_rsqrt_with_epsilon) {
    float x[] = { 4.0f, 0.0f, 2.25f };
    float o[3];
    ref_unary(REF_SQRT, x, o, 3, 0.0f);
    CHECK_NEAR(2, o[0], 0); CHECK_NEAR(0, o[1], 0); CHECK_NEAR(1.5, o[2], 0);
    ref_unary(REF_RSQRT, x, o, 3, 0.25f); /* 1/sqrt(x + 0.25) */
    CHECK_NEAR(1 / sqrt(4.25), o[0], 1e-7); CHECK_NEAR(2, o[1], 1e-7); CHECK_NEAR(1 / sqrt(2.5), o[2], 1e-7);
    ref_unary(REF_NEG, x, x, 3, 0.0f); /* in place */
    CHECK_NEAR(-4, x[0], 0); CHECK_NEAR(-2.25, x[2], 0);
}

/* ---- matmul and conv ------------------------------------------------------------------------------ */

/* out[b..., i, j] = sum_p X(b, i, p) Y(b, p, j) with broadcast batch axes, by coordinates. */
static void naive_matmul(const float *x, const ref_shape *xs, int tx, const float *y, const ref_shape *ys, int ty,
                         float *out, const ref_shape *os) {
    int r = os->rank;
    int64_t K = tx ? xs->dim[xs->rank - 2] : xs->dim[xs->rank - 1];
    for (size_t i = 0; i < ref_shape_count(os); i++) {
        int64_t c[REF_MAX_RANK], cx[REF_MAX_RANK], cy[REF_MAX_RANK];
        unravel(i, os, c);
        double acc = 0;
        for (int64_t p = 0; p < K; p++) {
            memcpy(cx, c, sizeof c);
            memcpy(cy, c, sizeof c);
            cx[r - 2] = tx ? p : c[r - 2]; cx[r - 1] = tx ? c[r - 2] : p;
            cy[r - 2] = ty ? c[r - 1] : p; cy[r - 1] = ty ? p : c[r - 1];
            acc += (double)x[broadcast_index(cx, r, xs)] * y[broadcast_index(cy, r, ys)];
        }
        out[i] = (float)acc;
    }
}

static void check_matmul(ref_shape xs, int tx, ref_shape ys, int ty, ref_shape os) {
    size_t n = ref_shape_count(&os);
    float *x = random_array(ref_shape_count(&xs), 5), *y = random_array(ref_shape_count(&ys), 6);
    float *o = malloc(n * sizeof(float)), *e = malloc(n * sizeof(float));
    naive_matmul(x, &xs, tx, y, &ys, ty, e, &os);
    ref_matmul(x, &xs, tx, y, &ys, ty, o, &os);
    check_all_near(e, o, n, 1e-5, "matmul");
    free(x); free(y); free(o); free(e);
}

TEST(matmul_hand_computed) {
    const float x[] = { 1, 2, 3, 4, 5, 6 }, y[] = { 1, 0, 0, 1, 1, 1 }; /* [2,3] x [3,2] */
    ref_shape xs = SHAPE(2, 3), ys = SHAPE(3, 2), os = SHAPE(2, 2);
    float o[4];
    ref_matmul(x, &xs, 0, y, &ys, 0, o, &os);
    const float e[] = { 4, 5, 10, 11 };
    check_all_near(e, o, 4, 0, "[2,3]x[3,2]");
}

TEST(matmul_batch_broadcast_and_transposes) {
    check_matmul(SHAPE(2, 1, 3, 4), 0, SHAPE(3, 4, 5), 0, SHAPE(2, 3, 3, 5));
    check_matmul(SHAPE(2, 1, 4, 3), 1, SHAPE(3, 5, 4), 1, SHAPE(2, 3, 3, 5));
    check_matmul(SHAPE(4, 3), 0, SHAPE(2, 5, 3), 1, SHAPE(2, 4, 5));
    check_matmul(SHAPE(2, 3, 17, 65), 0, SHAPE(65, 3), 0, SHAPE(2, 3, 17, 3)); /* one shared y: folded rows */
    check_matmul(SHAPE(3, 65, 17), 1, SHAPE(1, 65, 1), 0, SHAPE(3, 17, 1));
}

/* Direct convolution by definition, any rank 1-3. */
static void naive_conv(const float *x, const ref_shape *xs, const float *w, const ref_shape *ws, const float *bias,
                       const int64_t *st, const int64_t *pad, const int64_t *dil, int64_t groups, float *out,
                       const ref_shape *os) {
    int nd = xs->rank - 2;
    int64_t C = xs->dim[1], O = os->dim[1], Cg = C / groups, Og = O / groups;
    ref_shape ks = { .rank = nd }, xsp = { .rank = nd };
    for (int d = 0; d < nd; d++) { ks.dim[d] = ws->dim[2 + d]; xsp.dim[d] = xs->dim[2 + d]; }
    for (size_t i = 0; i < ref_shape_count(os); i++) {
        int64_t c[REF_MAX_RANK];
        unravel(i, os, c);
        int64_t n = c[0], o = c[1], g = o / Og;
        double acc = bias ? bias[o] : 0;
        for (int64_t ci = 0; ci < Cg; ci++) {
            for (size_t kk = 0; kk < ref_shape_count(&ks); kk++) {
                int64_t k[REF_MAX_RANK];
                unravel(kk, &ks, k);
                size_t xi = (size_t)(n * C + g * Cg + ci);
                int inside = 1;
                for (int d = 0; d < nd; d++) {
                    int64_t p = c[2 + d] * st[d] - pad[2 * d] + k[d] * dil[d];
                    if (p < 0 || p >= xsp.dim[d]) inside = 0;
                    xi = xi * (size_t)xsp.dim[d] + (size_t)p;
                }
                if (inside) acc += (double)x[xi] * w[(o * Cg + ci) * (int64_t)ref_shape_count(&ks) + (int64_t)kk];
            }
        }
        out[i] = (float)acc;
    }
}

static void check_conv(ref_shape xs, ref_shape ws, int64_t groups, const int64_t *st, const int64_t *pad,
                       const int64_t *dil, int with_bias) {
    int nd = xs.rank - 2;
    ref_shape os = { .rank = xs.rank, .dim = { xs.dim[0], ws.dim[0] } };
    for (int d = 0; d < nd; d++)
        os.dim[2 + d] = (xs.dim[2 + d] + pad[2 * d] + pad[2 * d + 1] - (ws.dim[2 + d] - 1) * dil[d] - 1) / st[d] + 1;
    size_t n = ref_shape_count(&os);
    float *x = random_array(ref_shape_count(&xs), 7), *w = random_array(ref_shape_count(&ws), 8);
    float *b = with_bias ? random_array((size_t)ws.dim[0], 9) : NULL;
    float *o = malloc(n * sizeof(float)), *e = malloc(n * sizeof(float));
    naive_conv(x, &xs, w, &ws, b, st, pad, dil, groups, e, &os);
    ref_conv(x, &xs, w, &ws, b, st, pad, dil, groups, o, &os);
    check_all_near(e, o, n, 1e-4, "conv");
    free(x); free(w); free(b); free(o); free(e);
}

TEST(conv1d_hand_computed) {
    /* x = [1 2 3 4], w = [1 0 -1], pad 1 each side: out[i] = x[i-1] - x[i+1] */
    const float x[] = { 1, 2, 3, 4 }, w[] = { 1, 0, -1 }, bias[] = { 0.5f };
    ref_shape xs = SHAPE(1, 1, 4), ws = SHAPE(1, 1, 3), os = SHAPE(1, 1, 4);
    const int64_t st[] = { 1 }, pad[] = { 1, 1 }, dil[] = { 1 };
    float o[4];
    ref_conv(x, &xs, w, &ws, bias, st, pad, dil, 1, o, &os);
    const float e[] = { -2 + 0.5f, 1 - 3 + 0.5f, 2 - 4 + 0.5f, 3 + 0.5f };
    check_all_near(e, o, 4, 1e-6, "conv1d");
}

TEST(conv_pointwise_is_gemm) {
    const int64_t st[] = { 1, 1 }, pad[] = { 0, 0, 0, 0 }, dil[] = { 1, 1 };
    check_conv(SHAPE(2, 12, 3, 5), SHAPE(8, 12, 1, 1), 1, st, pad, dil, 1);
    check_conv(SHAPE(1, 12, 3, 5), SHAPE(8, 3, 1, 1), 4, st, pad, dil, 0);
}

TEST(conv_groups_strides_pads_dilations_1d_2d_3d) {
    const int64_t st1[] = { 2 }, pad1[] = { 1, 2 }, dil1[] = { 2 };
    check_conv(SHAPE(2, 6, 17), SHAPE(4, 3, 3), 2, st1, pad1, dil1, 1);
    const int64_t st2[] = { 1, 2 }, pad2[] = { 1, 1, 0, 2 }, dil2[] = { 1, 2 };
    check_conv(SHAPE(1, 4, 7, 9), SHAPE(6, 2, 3, 2), 2, st2, pad2, dil2, 1);
    const int64_t st2b[] = { 2, 2 }, pad2b[] = { 0, 0, 0, 0 }, dil2b[] = { 1, 1 };
    check_conv(SHAPE(1, 3, 8, 8), SHAPE(3, 1, 3, 3), 3, st2b, pad2b, dil2b, 0); /* depthwise */
    const int64_t st3[] = { 1, 2, 1 }, pad3[] = { 1, 0, 1, 1, 0, 1 }, dil3[] = { 1, 1, 2 };
    check_conv(SHAPE(2, 2, 4, 5, 6), SHAPE(3, 2, 2, 3, 2), 1, st3, pad3, dil3, 1);
    /* 1024 patch rows x 2000 outputs exceed the im2col budget (2^20 floats): two column tiles. */
    const int64_t st4[] = { 1 }, pad4[] = { 0, 0 }, dil4[] = { 1 };
    check_conv(SHAPE(1, 256, 2003), SHAPE(2, 256, 4), 1, st4, pad4, dil4, 1);
}

/* ---- softmax, reduce, layer_norm ------------------------------------------------------------------- */

TEST(softmax_hand_computed_and_max_subtracted) {
    const float x[] = { 0, 1, 2, 1000, 1000, 1000 }; /* exp(1000) overflows without the max shift */
    ref_shape s = SHAPE(2, 3);
    float o[6];
    ref_softmax(x, &s, 1, o);
    double z = 1 + exp(1) + exp(2);
    const float e[] = { (float)(1 / z), (float)(exp(1) / z), (float)(exp(2) / z), 1.0f / 3, 1.0f / 3, 1.0f / 3 };
    check_all_near(e, o, 6, 1e-6, "softmax last axis");
    ref_softmax(x, &s, 0, o); /* columns: (0, 1000) -> (0, 1) */
    const float e0[] = { 0, 0, 0, 1, 1, 1 };
    check_all_near(e0, o, 6, 1e-6, "softmax axis 0");
}

TEST(softmax_every_axis_matches_naive) {
    ref_shape s = SHAPE(3, 4, 5);
    size_t n = ref_shape_count(&s);
    float *x = random_array(n, 10), *o = malloc(n * sizeof(float)), *e = malloc(n * sizeof(float));
    for (int axis = 0; axis < 3; axis++) {
        for (size_t i = 0; i < n; i++) {
            int64_t c[REF_MAX_RANK];
            unravel(i, &s, c);
            double z = 0;
            for (int64_t k = 0; k < s.dim[axis]; k++) {
                int64_t ck[REF_MAX_RANK];
                memcpy(ck, c, sizeof c);
                ck[axis] = k;
                z += exp(x[(ck[0] * 4 + ck[1]) * 5 + ck[2]]);
            }
            e[i] = (float)(exp(x[i]) / z);
        }
        ref_softmax(x, &s, axis, o);
        check_all_near(e, o, n, 1e-6, "softmax");
    }
    free(x); free(o); free(e);
}

TEST(reduce_ops_and_masks_hand_computed) {
    const float x[] = { 1, 2, 3, 4, 5, 6 }; /* [2,3] */
    ref_shape s = SHAPE(2, 3);
    float o[6];
    ref_reduce(REF_REDUCE_SUM, x, &s, 2u, o);
    CHECK_NEAR(6, o[0], 0); CHECK_NEAR(15, o[1], 0);
    ref_reduce(REF_REDUCE_SUM, x, &s, 1u, o);
    CHECK_NEAR(5, o[0], 0); CHECK_NEAR(7, o[1], 0); CHECK_NEAR(9, o[2], 0);
    ref_reduce(REF_REDUCE_MEAN, x, &s, 3u, o);
    CHECK_NEAR(3.5, o[0], 0);
    ref_reduce(REF_REDUCE_MAX, x, &s, 1u, o);
    CHECK_NEAR(4, o[0], 0); CHECK_NEAR(5, o[1], 0); CHECK_NEAR(6, o[2], 0);
    ref_reduce(REF_REDUCE_MIN, x, &s, 2u, o);
    CHECK_NEAR(1, o[0], 0); CHECK_NEAR(4, o[1], 0);
    ref_reduce(REF_REDUCE_PROD, x, &s, 2u, o);
    CHECK_NEAR(6, o[0], 0); CHECK_NEAR(120, o[1], 0);
    const float neg[] = { -3, -1, -2 };
    ref_shape ns = SHAPE(3);
    ref_reduce(REF_REDUCE_MAX, neg, &ns, 1u, o);
    CHECK_NEAR(-1, o[0], 0);
}

/* Reduction over non-adjacent axes (0 and 2 of [3,4,5]) against a naive sum. */
TEST(reduce_non_adjacent_axes_matches_naive) {
    ref_shape s = SHAPE(3, 4, 5);
    float *x = random_array(ref_shape_count(&s), 11);
    float o[4], mx[4];
    ref_reduce(REF_REDUCE_SUM, x, &s, 5u, o);
    ref_reduce(REF_REDUCE_MAX, x, &s, 5u, mx);
    for (int j = 0; j < 4; j++) {
        double sum = 0, m = -INFINITY;
        for (int i = 0; i < 3; i++)
            for (int k = 0; k < 5; k++) {
                float v = x[(i * 4 + j) * 5 + k];
                sum += v;
                m = v > m ? v : m;
            }
        CHECK_NEAR(sum, o[j], 1e-5);
        CHECK_NEAR(m, mx[j], 0);
    }
    free(x);
}

TEST(layer_norm_last_axis_hand_computed) {
    /* rows (1,2,3) and (2,4,6): means 2 and 4, variances 2/3 and 8/3 */
    const float x[] = { 1, 2, 3, 2, 4, 6 }, gamma[] = { 1, 2, 3 }, beta[] = { 0, 1, -1 };
    ref_shape s = SHAPE(2, 3);
    float o[6];
    ref_layer_norm(x, &s, 2u, gamma, beta, 0.0f, o);
    double a = 1 / sqrt(2.0 / 3);
    const float e[] = { (float)(-a), 1, (float)(3 * a - 1), (float)(-a), 1, (float)(3 * a - 1) };
    check_all_near(e, o, 6, 1e-5, "layer_norm");
    ref_layer_norm(x, &s, 2u, NULL, NULL, 1.0f, o); /* eps 1: row 0 = (x - 2) / sqrt(2/3 + 1) */
    CHECK_NEAR(-1 / sqrt(5.0 / 3), o[0], 1e-6);
    CHECK_NEAR(0, o[1], 1e-6);
}

TEST(layer_norm_non_adjacent_axes_matches_naive) {
    ref_shape s = SHAPE(3, 2, 4); /* normalise over axes 0 and 2; gamma/beta are [3,4] */
    float *x = random_array(24, 12), *gamma = random_array(12, 13), *beta = random_array(12, 14);
    float o[24], e[24];
    for (int j = 0; j < 2; j++) {
        double mean = 0, var = 0;
        for (int i = 0; i < 3; i++) for (int k = 0; k < 4; k++) mean += x[(i * 2 + j) * 4 + k];
        mean /= 12;
        for (int i = 0; i < 3; i++) for (int k = 0; k < 4; k++) {
            double d = x[(i * 2 + j) * 4 + k] - mean;
            var += d * d;
        }
        var /= 12;
        for (int i = 0; i < 3; i++) for (int k = 0; k < 4; k++) {
            int idx = (i * 2 + j) * 4 + k;
            e[idx] = (float)((x[idx] - mean) / sqrt(var + 1e-5) * gamma[i * 4 + k] + beta[i * 4 + k]);
        }
    }
    ref_layer_norm(x, &s, 5u, gamma, beta, 1e-5f, o);
    check_all_near(e, o, 24, 1e-5, "layer_norm axes {0,2}");
    free(x); free(gamma); free(beta);
}

/* ---- layout ---------------------------------------------------------------------------------------- */

TEST(transpose_2d_hand_computed) {
    const float x[] = { 1, 2, 3, 4, 5, 6 }; /* [2,3] */
    ref_shape s = SHAPE(2, 3);
    const int perm[] = { 1, 0 };
    float o[6];
    ref_transpose(x, &s, perm, o);
    const float e[] = { 1, 4, 2, 5, 3, 6 };
    check_all_near(e, o, 6, 0, "transpose");
}

TEST(transpose_rank4_perms_match_naive) {
    ref_shape s = SHAPE(2, 3, 4, 5);
    float *x = random_array(120, 15);
    float o[120], e[120];
    const int perms[][4] = { { 0, 2, 1, 3 }, { 3, 2, 1, 0 }, { 1, 0, 3, 2 }, { 0, 1, 2, 3 }, { 2, 3, 0, 1 } };
    for (size_t p = 0; p < sizeof perms / sizeof perms[0]; p++) {
        ref_shape os = { .rank = 4 };
        for (int d = 0; d < 4; d++) os.dim[d] = s.dim[perms[p][d]];
        for (size_t i = 0; i < 120; i++) {
            int64_t c[REF_MAX_RANK], src[4];
            unravel(i, &os, c);
            for (int d = 0; d < 4; d++) src[perms[p][d]] = c[d];
            e[i] = x[((src[0] * 3 + src[1]) * 4 + src[2]) * 5 + src[3]];
        }
        ref_transpose(x, &s, perms[p], o);
        check_all_near(e, o, 120, 0, "transpose perm");
    }
    free(x);
}

TEST(transpose_matrix_larger_than_tiles_matches_naive) {
    ref_shape s = SHAPE(3, 70, 45);
    const int perm[] = { 0, 2, 1 };
    size_t n = ref_shape_count(&s);
    float *x = random_array(n, 23), *o = malloc(n * sizeof(float)), *e = malloc(n * sizeof(float));
    for (int b = 0; b < 3; b++)
        for (int i = 0; i < 45; i++)
            for (int j = 0; j < 70; j++) e[(b * 45 + i) * 70 + j] = x[(b * 70 + j) * 45 + i];
    ref_transpose(x, &s, perm, o);
    check_all_near(e, o, n, 0, "transpose [3,70,45] -> [3,45,70]");
    free(x); free(o); free(e);
}

TEST(slice_strided_and_negative_stride) {
    float x[20];
    for (int i = 0; i < 20; i++) x[i] = (float)i; /* [4,5] */
    ref_shape s = SHAPE(4, 5);
    const int64_t begin[] = { 1, 4 }, stride[] = { 2, -2 };
    ref_shape os = SHAPE(2, 3); /* rows 1, 3; columns 4, 2, 0 */
    float o[6];
    ref_slice(x, &s, begin, stride, o, &os);
    const float e[] = { 9, 7, 5, 19, 17, 15 };
    check_all_near(e, o, 6, 0, "slice");
    const int64_t b2[] = { 3, 1 }, s2[] = { -1, 1 };
    ref_shape os2 = SHAPE(4, 2); /* all rows reversed, columns 1..2 */
    float o2[8];
    ref_slice(x, &s, b2, s2, o2, &os2);
    const float e2[] = { 16, 17, 11, 12, 6, 7, 1, 2 };
    check_all_near(e2, o2, 8, 0, "slice reversed rows");
}

TEST(concat_axes_and_interleave) {
    const float a[] = { 1, 2, 3, 4 }, b[] = { 5, 6, 7, 8 }, c[] = { 9, 10 }; /* a, b [2,2]; c [2,1] */
    ref_shape shapes[] = { SHAPE(2, 2), SHAPE(2, 2), SHAPE(2, 1) };
    const float *xs[] = { a, b, c };
    float o[10];
    ref_concat(xs, shapes, 3, 1, 0, o);
    const float e1[] = { 1, 2, 5, 6, 9, 3, 4, 7, 8, 10 };
    check_all_near(e1, o, 10, 0, "concat axis 1");
    ref_concat(xs, shapes, 2, 0, 0, o);
    const float e0[] = { 1, 2, 3, 4, 5, 6, 7, 8 };
    check_all_near(e0, o, 8, 0, "concat axis 0");
    ref_concat(xs, shapes, 2, 1, 1, o); /* a[:,0] b[:,0] a[:,1] b[:,1] per row */
    const float ei1[] = { 1, 5, 2, 6, 3, 7, 4, 8 };
    check_all_near(ei1, o, 8, 0, "concat interleave axis 1");
    ref_concat(xs, shapes, 2, 0, 1, o); /* rows a0 b0 a1 b1 */
    const float ei0[] = { 1, 2, 5, 6, 3, 4, 7, 8 };
    check_all_near(ei0, o, 8, 0, "concat interleave axis 0");
}

TEST(band_part_lower_upper_and_whole) {
    float x[2 * 3 * 4];
    for (int i = 0; i < 24; i++) x[i] = (float)(i + 1);
    ref_shape s = SHAPE(2, 3, 4);
    float o[24];
    /* keep (m, n) with m - n <= 1 and n - m <= 0: the diagonal and one sub-diagonal */
    ref_band_part(x, &s, 1, 0, o);
    for (int b = 0; b < 2; b++)
        for (int m = 0; m < 3; m++)
            for (int n = 0; n < 4; n++) {
                int i = (b * 3 + m) * 4 + n;
                CHECK_NEAR((m - n == 0 || m - n == 1) ? x[i] : 0.0f, o[i], 0);
            }
    ref_band_part(x, &s, 0, -1, o); /* upper triangle */
    CHECK_NEAR(0, o[4], 0); CHECK_NEAR(6, o[5], 0); CHECK_NEAR(4, o[3], 0); CHECK_NEAR(0, o[9], 0);
    ref_band_part(x, &s, -1, -1, o);
    check_all_near(x, o, 24, 0, "band_part whole");
}

TEST(gather_negative_indices_and_axis) {
    const float x[] = { 1, 2, 3, 4, 5, 6 }; /* [3,2] */
    ref_shape xs = SHAPE(3, 2);
    const float idx[] = { 2, -3, -1 };
    ref_shape is = SHAPE(3);
    float o[6];
    CHECK_EQ_INT(0, ref_gather(x, &xs, idx, &is, 0, o));
    const float e0[] = { 5, 6, 1, 2, 5, 6 };
    check_all_near(e0, o, 6, 0, "gather axis 0");
    const float idx2[] = { 1, 0, -1, 1 };
    ref_shape is2 = SHAPE(2, 2);
    float o2[12];
    CHECK_EQ_INT(0, ref_gather(x, &xs, idx2, &is2, 1, o2)); /* out [3, 2, 2] */
    const float e1[] = { 2, 1, 2, 2, 4, 3, 4, 4, 6, 5, 6, 6 };
    check_all_near(e1, o2, 12, 0, "gather axis 1");
}

TEST(gather_out_of_range_index_fails) {
    const float x[] = { 1, 2, 3 };
    ref_shape xs = SHAPE(3), is = SHAPE(1);
    float o[1] = { 42 };
    const float bad[] = { 3, -4, NAN, 1e30f };
    for (int i = 0; i < 4; i++) {
        CHECK_EQ_INT(-1, ref_gather(x, &xs, &bad[i], &is, 0, o));
        CHECK_NEAR(42, o[0], 0);
    }
}

/* ---- attention ------------------------------------------------------------------------------------- */

/* softmax(q k^T / sqrt(E) + mask) v by definition, in double. mask is [L, S] here (shared by batches) or NULL. */
static void naive_sdpa(const float *q, const float *k, const float *v, int64_t B, int64_t L, int64_t S, int64_t E,
                       int64_t Ev, const float *mask, int is_bool, float *out) {
    for (int64_t b = 0; b < B; b++)
        for (int64_t l = 0; l < L; l++) {
            double w[64], mx = -INFINITY, z = 0;
            for (int64_t s = 0; s < S; s++) {
                double d = 0;
                for (int64_t e = 0; e < E; e++) d += (double)q[(b * L + l) * E + e] * k[(b * S + s) * E + e];
                d /= sqrt((double)E);
                if (mask && is_bool) d = mask[l * S + s] != 0 ? d : -INFINITY;
                else if (mask) d += mask[l * S + s];
                w[s] = d;
                mx = d > mx ? d : mx;
            }
            for (int64_t s = 0; s < S; s++) { w[s] = exp(w[s] - mx); z += w[s]; }
            for (int64_t e = 0; e < Ev; e++) {
                double acc = 0;
                for (int64_t s = 0; s < S; s++) acc += w[s] / z * v[(b * S + s) * Ev + e];
                out[(b * L + l) * Ev + e] = (float)acc;
            }
        }
}

TEST(sdpa_hand_computed_single_key_pair) {
    /* Two keys with equal scores weight the values equally. */
    const float q[] = { 1, 0 }, k[] = { 0, 1, 0, -1 }, v[] = { 2, 4, 6, 8 };
    ref_shape qs = SHAPE(1, 2), ks = SHAPE(2, 2), vs = SHAPE(2, 2), os = SHAPE(1, 2);
    float o[2];
    ref_sdpa(q, &qs, k, &ks, v, &vs, NULL, NULL, 0, o, &os);
    CHECK_NEAR(4, o[0], 1e-6); CHECK_NEAR(6, o[1], 1e-6);
}

TEST(sdpa_matches_naive_without_and_with_masks) {
    const int64_t B = 2, H = 3, L = 5, S = 7, E = 8, Ev = 6;
    ref_shape qs = SHAPE(B, H, L, E), ks = SHAPE(B, H, S, E), vs = SHAPE(B, H, S, Ev), os = SHAPE(B, H, L, Ev);
    float *q = random_array((size_t)(B * H * L * E), 16), *k = random_array((size_t)(B * H * S * E), 17);
    float *v = random_array((size_t)(B * H * S * Ev), 18), *fmask = random_array((size_t)(L * S), 19);
    size_t n = (size_t)(B * H * L * Ev);
    float *o = malloc(n * sizeof(float)), *e = malloc(n * sizeof(float)), bmask[5 * 7];
    for (int64_t l = 0; l < L; l++)
        for (int64_t s = 0; s < S; s++) bmask[l * S + s] = s <= l + 1 ? 1.0f : 0.0f; /* causal-like */

    naive_sdpa(q, k, v, B * H, L, S, E, Ev, NULL, 0, e);
    ref_sdpa(q, &qs, k, &ks, v, &vs, NULL, NULL, 0, o, &os);
    check_all_near(e, o, n, 1e-5, "sdpa no mask");

    ref_shape ms = SHAPE(L, S); /* broadcast over [B, H] */
    naive_sdpa(q, k, v, B * H, L, S, E, Ev, fmask, 0, e);
    ref_sdpa(q, &qs, k, &ks, v, &vs, fmask, &ms, 0, o, &os);
    check_all_near(e, o, n, 1e-5, "sdpa additive mask");

    ref_shape ms4 = SHAPE(1, 1, L, S);
    naive_sdpa(q, k, v, B * H, L, S, E, Ev, bmask, 1, e);
    ref_sdpa(q, &qs, k, &ks, v, &vs, bmask, &ms4, 1, o, &os);
    check_all_near(e, o, n, 1e-5, "sdpa bool mask");
    free(q); free(k); free(v); free(fmask); free(o); free(e);
}

TEST(sdpa_per_batch_mask_broadcast_over_rows) {
    /* mask [B, 1, 1, S]: each batch masks its own keys, the same for every head and query row. */
    const int64_t B = 2, H = 2, L = 3, S = 4, E = 4, Ev = 2;
    ref_shape qs = SHAPE(B, H, L, E), ks = SHAPE(B, H, S, E), vs = SHAPE(B, H, S, Ev), os = SHAPE(B, H, L, Ev);
    ref_shape ms = SHAPE(B, 1, 1, S);
    float *q = random_array((size_t)(B * H * L * E), 20), *k = random_array((size_t)(B * H * S * E), 21);
    float *v = random_array((size_t)(B * H * S * Ev), 22);
    const float mask[] = { 0, 0, -1e9f, -1e9f, 0, -1e9f, 0, -1e9f };
    float o[2 * 2 * 3 * 2], e[2 * 2 * 3 * 2];
    for (int64_t b = 0; b < B; b++) {
        float full[3 * 4];
        for (int64_t l = 0; l < L; l++) for (int64_t s = 0; s < S; s++) full[l * S + s] = mask[b * S + s];
        naive_sdpa(q + b * H * L * E, k + b * H * S * E, v + b * H * S * Ev, H, L, S, E, Ev, full, 0,
                   e + b * H * L * Ev);
    }
    ref_sdpa(q, &qs, k, &ks, v, &vs, mask, &ms, 0, o, &os);
    check_all_near(e, o, 24, 1e-5, "sdpa [B,1,1,S] mask");
    free(q); free(k); free(v);
}

/* ---- quantization ---------------------------------------------------------------------------------- */

TEST(quantize_rounds_half_to_even_and_clamps) {
    const float x[] = { 2.5f, 3.5f, -2.5f, 0.5f, 1.5f, 2.4f, 300.0f, -300.0f, -0.5f };
    ref_shape s = SHAPE(9);
    const float one = 1.0f;
    float o[9];
    ref_quantize(x, &s, 0, &one, NULL, 1, -128, 127, o);
    const float e[] = { 2, 4, -2, 0, 2, 2, 127, -128, 0 };
    check_all_near(e, o, 9, 0, "quantize int8");
    const float scale = 0.5f, zp = 10.0f; /* x / 0.5 + 10, uint8 range */
    ref_quantize(x, &s, 0, &scale, &zp, 1, 0, 255, o);
    const float e2[] = { 15, 17, 5, 11, 13, 15, 255, 0, 9 };
    check_all_near(e2, o, 9, 0, "quantize uint8 with zero point");
}

TEST(quantize_and_dequantize_per_axis) {
    const float x[] = { 1, 2, 3, 4, 5, 6 }; /* [2,3], params along axis 1 */
    ref_shape s = SHAPE(2, 3);
    const float scale[] = { 1, 2, 4 }, zp[] = { 0, 1, -1 };
    float q[6], d[6];
    ref_quantize(x, &s, 1, scale, zp, 3, -128, 127, q);
    /* 1/1+0, 2/2+1, 3/4-1 = 0.75 -> 1 - 1, 4/1, 5/2 = 2.5 -> 2, +1, 6/4 = 1.5 -> 2, -1 */
    const float eq[] = { 1, 2, 0, 4, 3, 1 };
    check_all_near(eq, q, 6, 0, "quantize per axis");
    ref_dequantize(q, &s, 1, scale, zp, 3, d);
    const float ed[] = { 1, 2, 4, 4, 4, 8 };
    check_all_near(ed, d, 6, 0, "dequantize per axis");
    const float rows_scale[] = { 0.5f, 2 };
    ref_dequantize(x, &s, 0, rows_scale, NULL, 2, d);
    const float er[] = { 0.5f, 1, 1.5f, 8, 10, 12 };
    check_all_near(er, d, 6, 0, "dequantize axis 0");
}
