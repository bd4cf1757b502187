/* The built-in SGEMM: GotoBLAS/BLIS-style blocking. B is packed into kc x nc panels of nr-wide slivers,
 * A into mc x kc blocks of mr-tall slivers, and a micro-kernel multiplies one A sliver by one B sliver
 * into an mr x nr tile of C held in registers. Edge tiles go through a small buffer so the micro-kernel
 * always runs full tiles (packing pads with zeros). */
#include "reference/ops_util.h"
#include "reference/sgemm.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

enum { PORTABLE_MR = 4, PORTABLE_NR = 8 };

/* Plain loops over a fixed-size tile that GCC / Clang vectorise (SSE / NEON); 4 x 8 keeps the accumulators
 * within the 16 SSE registers. */
static void micro_portable(int64_t kc, const float *a, const float *b, float *c, int64_t ldc, int accumulate) {
    float t[PORTABLE_MR][PORTABLE_NR] = { { 0 } };
    for (int64_t p = 0; p < kc; p++) {
#pragma GCC unroll 8
        for (int i = 0; i < PORTABLE_MR; i++) {
            float ai = a[p * PORTABLE_MR + i];
#pragma GCC unroll 8
            for (int j = 0; j < PORTABLE_NR; j++) t[i][j] += ai * b[p * PORTABLE_NR + j];
        }
    }
    for (int i = 0; i < PORTABLE_MR; i++) {
        for (int j = 0; j < PORTABLE_NR; j++) c[i * ldc + j] = (accumulate ? c[i * ldc + j] : 0.0f) + t[i][j];
    }
}

static const sgemm_kernel kernel_portable = {
    "portable", PORTABLE_MR, PORTABLE_NR, 128, 256, 1024, micro_portable, NULL
};

int sgemm_kernels(const sgemm_kernel **out, int max) {
    int n = 0;
#if defined(__x86_64__) || defined(__i386__)
    if (n < max && __builtin_cpu_supports("avx512f")) out[n++] = &sgemm_kernel_avx512;
    if (n < max && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) out[n++] = &sgemm_kernel_avx2;
#endif
    if (n < max) out[n++] = &kernel_portable;
    return n;
}

/* Rows [0, h) x depth [0, k) of a matrix stored along depth (element (r, p) at src[r*rs + p]) into
 * dst[p*w + r]: a transpose, by 8x8 blocks when the kernel has a vectorised one. */
static void pack_transposed(const float *src, int64_t rs, int64_t h, int64_t k, int w, sgemm_transpose8_fn t8,
                            float *dst) {
    int64_t r0 = 0;
    for (; t8 && r0 + 8 <= h; r0 += 8) {
        int64_t p = 0;
        for (; p + 8 <= k; p += 8) t8(src + r0 * rs + p, rs, dst + p * w + r0, w);
        for (; p < k; p++)
            for (int64_t r = r0; r < r0 + 8; r++) dst[p * w + r] = src[r * rs + p];
    }
    for (int64_t r = r0; r < h; r++)
        for (int64_t p = 0; p < k; p++) dst[p * w + r] = src[r * rs + p];
}

/* Packs rows [0, rows) x depth [0, k) of a matrix whose element (r, p) is src[r*rs + p*cs] into slivers of
 * w rows: dst[(s*k + p)*w + r] = element (s*w + r, p), zero past the last row. */
static void pack(const float *src, int64_t rs, int64_t cs, int64_t rows, int64_t k, int w, sgemm_transpose8_fn t8,
                 float *dst) {
    for (int64_t s0 = 0; s0 < rows; s0 += w, dst += k * w) {
        int64_t h = rows - s0 < w ? rows - s0 : w;
        const float *blk = src + s0 * rs;
        if (cs == 1) {
            pack_transposed(blk, rs, h, k, w, t8, dst);
        } else if (rs == 1) { /* the sliver's rows are adjacent: one contiguous piece per depth step */
            for (int64_t p = 0; p < k; p++) memcpy(dst + p * w, blk + p * cs, (size_t)h * sizeof(float));
        } else {
            for (int64_t p = 0; p < k; p++)
                for (int64_t r = 0; r < h; r++) dst[p * w + r] = blk[r * rs + p * cs];
        }
        for (int64_t p = 0; h < w && p < k; p++)
            for (int64_t r = h; r < w; r++) dst[p * w + r] = 0.0f;
    }
}

/* The packing buffer of each thread is kept between calls and freed when the thread exits. Allocating it
 * per call was measured to make mid-size products up to 2.5x slower: glibc returns large freed blocks to
 * the OS, and the fresh pages fault in again on every call. */
typedef struct pack_cache { float *buf; size_t cap; } pack_cache;
static pthread_key_t pack_key;
static pthread_once_t pack_key_once = PTHREAD_ONCE_INIT;
static int pack_key_ok;

static void free_pack_cache(void *p) {
    pack_cache *c = p;
    free(c->buf);
    free(c);
}

/* Fails only when out of memory or out of keys (PTHREAD_KEYS_MAX); SGEMM then has no buffer to offer. */
static void make_pack_key(void) { pack_key_ok = pthread_key_create(&pack_key, free_pack_cache) == 0; }

/* The calling thread's buffer of at least `floats`, or NULL (the cache stays consistent for the next
 * call). */
static float *pack_buffer(size_t floats) {
    pthread_once(&pack_key_once, make_pack_key);
    pack_cache *c = pack_key_ok ? pthread_getspecific(pack_key) : NULL;
    if (!c) {
        c = pack_key_ok ? ops_alloc(sizeof *c) : NULL;
        if (!c) return NULL;
        *c = (pack_cache){ NULL, 0 };
        if (pthread_setspecific(pack_key, c) != 0) {
            free(c);
            return NULL;
        }
    }
    if (floats > c->cap) {
        free(c->buf);
        c->buf = ops_alloc(floats * sizeof(float));
        c->cap = c->buf ? floats : 0;
    }
    return c->buf;
}

/* C tile (mr x nr, or the h x w corner that fits) from one A and one B sliver. */
static void tile(const sgemm_kernel *k, int64_t kc, const float *a, const float *b, float *c, int64_t ldc,
                 int64_t h, int64_t w, int accumulate) {
    if (h == k->mr && w == k->nr) {
        k->micro(kc, a, b, c, ldc, accumulate);
        return;
    }
    float t[SGEMM_MAX_TILE] = { 0 };
    for (int64_t i = 0; i < h; i++)
        for (int64_t j = 0; j < w; j++) t[i * k->nr + j] = accumulate ? c[i * ldc + j] : 0.0f;
    k->micro(kc, a, b, t, k->nr, 1);
    for (int64_t i = 0; i < h; i++)
        for (int64_t j = 0; j < w; j++) c[i * ldc + j] = t[i * k->nr + j];
}

int sgemm_blocked(const sgemm_kernel *k, int ta, int tb, int64_t M, int64_t N, int64_t K, const float *A,
                  int64_t lda, const float *B, int64_t ldb, float *C, int64_t ldc) {
    if (M <= 0 || N <= 0) return 0;
    if (K <= 0) {
        for (int64_t i = 0; i < M; i++) memset(C + i * ldc, 0, (size_t)N * sizeof(float));
        return 0;
    }
    /* Element (i, p) of op(A) is A[i*a_rs + p*a_cs]; element (p, j) of op(B) is B[j*b_rs + p*b_cs]. */
    int64_t a_rs = ta ? 1 : lda, a_cs = ta ? lda : 1;
    int64_t b_rs = tb ? ldb : 1, b_cs = tb ? 1 : ldb;
    int64_t mc_max = M < k->mc ? M : k->mc, kc_max = K < k->kc ? K : k->kc, nc_max = N < k->nc ? N : k->nc;
    int64_t mc_pad = (mc_max + k->mr - 1) / k->mr * k->mr, nc_pad = (nc_max + k->nr - 1) / k->nr * k->nr;
    float *pa = pack_buffer((size_t)(mc_pad * kc_max + kc_max * nc_pad));
    if (!pa) return -1;
    float *pb = pa + mc_pad * kc_max;
    for (int64_t jc = 0; jc < N; jc += k->nc) {
        int64_t nc = N - jc < k->nc ? N - jc : k->nc;
        for (int64_t pc = 0; pc < K; pc += k->kc) {
            int64_t kc = K - pc < k->kc ? K - pc : k->kc;
            pack(B + jc * b_rs + pc * b_cs, b_rs, b_cs, nc, kc, k->nr, k->transpose8, pb);
            for (int64_t ic = 0; ic < M; ic += k->mc) {
                int64_t mc = M - ic < k->mc ? M - ic : k->mc;
                pack(A + ic * a_rs + pc * a_cs, a_rs, a_cs, mc, kc, k->mr, k->transpose8, pa);
                for (int64_t jr = 0; jr < nc; jr += k->nr) {
                    for (int64_t ir = 0; ir < mc; ir += k->mr) {
                        int64_t h = mc - ir < k->mr ? mc - ir : k->mr, w = nc - jr < k->nr ? nc - jr : k->nr;
                        tile(k, kc, pa + ir * kc, pb + jr * kc, C + (ic + ir) * ldc + jc + jr, ldc, h, w, pc > 0);
                    }
                }
            }
        }
    }
    return 0;
}

int ref_sgemm_builtin(int ta, int tb, int64_t M, int64_t N, int64_t K, const float *A, int64_t lda,
                      const float *B, int64_t ldb, float *C, int64_t ldc) {
    const sgemm_kernel *k;
    sgemm_kernels(&k, 1);
    return sgemm_blocked(k, ta, tb, M, N, K, A, lda, B, ldb, C, ldc);
}
