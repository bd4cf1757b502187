/* Tests of the reference backend's CPU kernels (reference/ops.h) against hand-computed values and naive
 * loops written here. */
#include "test.h"
#include "reference/ops.h"
#include "reference/sgemm.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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

/* ---- sgemm ---------------------------------------------------------------------------------------- */

typedef void (*gemm_fn)(int, int, int64_t, int64_t, int64_t, const float *, int64_t, const float *, int64_t,
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
    if (gemm) gemm(ta, tb, M, N, K, A, lda, B, ldb, C, ldc);
    else sgemm_blocked(k, ta, tb, M, N, K, A, lda, B, ldb, C, ldc);
    naive_gemm(ta, tb, M, N, K, A, lda, B, ldb, R, ldc);
    int bad = 0;
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
    check_gemm_sizes(ref_sgemm, NULL);
    check_gemm_case(ref_sgemm, NULL, 0, 1, 256, 300, 280);
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
