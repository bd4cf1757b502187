/* Built-in SGEMM internals: a blocked driver around register-tile micro-kernels (internal to the
 * reference backend; tests use it to exercise every kernel the CPU supports). */
#ifndef ANE4J_REF_SGEMM_H
#define ANE4J_REF_SGEMM_H

#include <stdint.h>

/* Every kernel's mr * nr is at most this (edge tiles are staged in a buffer of this size). */
#define SGEMM_MAX_TILE 512

/* c[i*ldc + j] (+)= sum_p a[p*mr + i] * b[p*nr + j] over a full mr x nr tile; overwrite unless accumulate. */
typedef void (*sgemm_micro_fn)(int64_t kc, const float *a, const float *b, float *c, int64_t ldc,
                               int accumulate);

/* dst[p*ld + r] = src[r*rs + p] for r, p < 8: the 8x8 transpose that packing a matrix stored along the
 * depth axis (A as given, B transposed) comes down to. */
typedef void (*sgemm_transpose8_fn)(const float *src, int64_t rs, float *dst, int64_t ld);

typedef struct sgemm_kernel {
    const char *name;
    int mr, nr;             /* register tile */
    int64_t mc, kc, nc;     /* cache blocks: A block mc x kc (L2), B panel kc x nc (L3), nc % nr == 0 */
    sgemm_micro_fn micro;
    sgemm_transpose8_fn transpose8; /* vectorised 8x8 transpose, or NULL for plain loops */
} sgemm_kernel;

/* Kernels usable on this CPU, fastest first (the last is the portable one). Returns how many. */
int sgemm_kernels(const sgemm_kernel **out, int max);

/* ref_sgemm_builtin with an explicit kernel: 0, or -1 when the packing buffer cannot be allocated (C
 * untouched). */
int sgemm_blocked(const sgemm_kernel *k, int ta, int tb, int64_t M, int64_t N, int64_t K, const float *A,
                  int64_t lda, const float *B, int64_t ldb, float *C, int64_t ldc);

#if defined(__x86_64__) || defined(__i386__)
extern const sgemm_kernel sgemm_kernel_avx2, sgemm_kernel_avx512;
#endif

#endif
