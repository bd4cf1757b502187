/* CPU kernels of the reference backend: one function per op, plain float32 arrays.
 *
 * Every tensor is a contiguous row-major float array with a ref_shape. Integer and int8 tensors are held
 * as floats too (exact for the values MIL programs use); rounding results to fp16 is the executor's job
 * (ane_round_to_fp16), not the kernels'. Kernels accumulate in fp32. Output buffers never alias inputs
 * unless a function says so. Shapes are checked by the executor before a kernel runs: kernels trust them.
 *
 * Kernels that need scratch memory return int: 0, or -1 when it could not be allocated. The output is then
 * undefined and nothing else has changed (the kernel can simply be run again); ref_scratch_failed_bytes()
 * tells the calling thread the size of the allocation that failed. The library runs inside other
 * processes (a JVM), so running out of memory is an error to report, never a reason to abort. */
#ifndef ANE4J_REF_OPS_H
#define ANE4J_REF_OPS_H

#include <stddef.h>
#include <stdint.h>

#define REF_MAX_RANK 8

typedef struct ref_shape {
    int rank;                     /* 0 = scalar (one element) */
    int64_t dim[REF_MAX_RANK];
} ref_shape;

size_t ref_shape_count(const ref_shape *s);

/* Bytes of the calling thread's last scratch allocation that failed (see above). */
size_t ref_scratch_failed_bytes(void);

/* NumPy broadcasting of a and b (align right, size-1 stretches). 0, or -1 if incompatible. */
int ref_broadcast_shape(const ref_shape *a, const ref_shape *b, ref_shape *out);

typedef enum ref_binop {
    REF_ADD, REF_SUB, REF_MUL, REF_DIV, REF_POW, REF_MAXIMUM, REF_MINIMUM
} ref_binop;
/* out = x op y with broadcasting; os is the broadcast shape. out may alias x or y when its shape equals
 * theirs. */
void ref_binary(ref_binop op, const float *x, const ref_shape *xs, const float *y, const ref_shape *ys,
                float *out, const ref_shape *os);

typedef enum ref_unop {
    REF_IDENTITY, REF_RELU, REF_TANH, REF_EXP, REF_SQRT, REF_RSQRT, REF_SIGMOID, REF_SILU,
    REF_GELU_EXACT, REF_GELU_TANH, REF_GELU_SIGMOID, REF_NEG, REF_ABS
} ref_unop;
/* out[i] = op(x[i]); param is epsilon for REF_RSQRT (1/sqrt(x + eps)), unused otherwise. out may alias x. */
void ref_unary(ref_unop op, const float *x, float *out, size_t n, float param);

/* C[M,N] = op(A)[M,K] * op(B)[K,N] (overwrites C). ta/tb: A is stored [K,M] / B is stored [N,K].
 * lda/ldb/ldc are row strides. -1 when the built-in kernel cannot get its packing buffer (C untouched).
 * Uses the blocked, vectorised built-in kernel where it has an AVX2+FMA or AVX-512 micro-kernel (AVX-512:
 * 1.8x single-threaded OpenBLAS, AVX2: about equal); elsewhere (Apple Silicon, x86 without AVX2) a CBLAS
 * found at run time when there is one (Accelerate, OpenBLAS), else the built-in portable kernel. */
int ref_sgemm(int ta, int tb, int64_t M, int64_t N, int64_t K, const float *A, int64_t lda,
              const float *B, int64_t ldb, float *C, int64_t ldc);
/* The built-in kernel only (for tests and benchmarks comparing both paths). */
int ref_sgemm_builtin(int ta, int tb, int64_t M, int64_t N, int64_t K, const float *A, int64_t lda,
                      const float *B, int64_t ldb, float *C, int64_t ldc);
/* Name of the CBLAS ref_sgemm uses ("libopenblas.so.0", ...) or NULL when it uses the built-in kernel.
 * Chosen once per process; the environment overrides the choice: ANE4J_NO_CBLAS=1 never uses a CBLAS,
 * ANE4J_CBLAS=1 uses one whenever one is found (for comparisons); ANE4J_NO_CBLAS wins when both are set. */
const char *ref_cblas_name(void);

/* MIL matmul: ranks >= 2 (the executor promotes rank-1 operands), transpose flags swap the last two axes
 * of that operand, batch axes broadcast. os = [batch..., M, N]. 0, or -1 out of memory. */
int ref_matmul(const float *x, const ref_shape *xs, int transpose_x, const float *y, const ref_shape *ys,
               int transpose_y, float *out, const ref_shape *os);

/* MIL conv with 1 to 3 spatial dims: x [N, C, *S], w [O, C/groups, *K], bias [O] or NULL.
 * strides/dilations have one entry per spatial dim; pad has 2 per spatial dim (begin, end), already
 * resolved from pad_type by the executor. os = [N, O, *out_spatial]. 0, or -1 out of memory. */
int ref_conv(const float *x, const ref_shape *xs, const float *w, const ref_shape *ws, const float *bias,
             const int64_t *strides, const int64_t *pad, const int64_t *dilations, int64_t groups,
             float *out, const ref_shape *os);

/* softmax along axis (0 <= axis < rank), max-subtracted. out may be x. 0, or -1 out of memory, which
 * cannot happen when the axes after `axis` all have size 1 (e.g. axis is the last one). */
int ref_softmax(const float *x, const ref_shape *s, int axis, float *out);

typedef enum ref_reduce_op { REF_REDUCE_SUM, REF_REDUCE_MEAN, REF_REDUCE_MAX, REF_REDUCE_MIN,
                             REF_REDUCE_PROD } ref_reduce_op;
/* Reduce over the axes whose bit is set in axes_mask; out has s's shape with those axes set to 1
 * (keep_dims layout; the executor drops them when keep_dims is false). */
void ref_reduce(ref_reduce_op op, const float *x, const ref_shape *s, unsigned axes_mask, float *out);

/* out.shape[i] = s.dim[perm[i]]. */
void ref_transpose(const float *x, const ref_shape *s, const int *perm, float *out);

/* out[i...] = x[begin + i*stride] per axis, os given (stride may be negative). Covers slice_by_size,
 * slice_by_index and split. */
void ref_slice(const float *x, const ref_shape *s, const int64_t *begin, const int64_t *stride,
               float *out, const ref_shape *os);

/* Concatenate n tensors of equal rank along axis. interleave (all shapes equal): along axis the output
 * takes index 0 of every input in turn, then index 1 of every input, ... (MIL concat(interleave=true)). */
void ref_concat(const float *const *xs, const ref_shape *shapes, int n, int axis, int interleave,
                float *out);

/* (x - mean) / sqrt(var + eps) * gamma + beta over the axes in axes_mask; gamma/beta (NULL = 1 / 0) are
 * laid out with the shape x.shape[axes] (the normalised axes, in order). 0, or -1 out of memory. */
int ref_layer_norm(const float *x, const ref_shape *s, unsigned axes_mask, const float *gamma,
                   const float *beta, float eps, float *out);

/* softmax(q k^T / sqrt(E) + mask) v. q [B..., L, E], k [B..., S, E], v [B..., S, Ev], batch axes equal;
 * mask NULL or broadcastable to [B..., L, S]; mask_is_bool: nonzero = keep, zero = -inf. os = [B..., L, Ev].
 * 0, or -1 out of memory. */
int ref_sdpa(const float *q, const ref_shape *qs, const float *k, const ref_shape *ks, const float *v,
             const ref_shape *vs, const float *mask, const ref_shape *ms, int mask_is_bool,
             float *out, const ref_shape *os);

/* band_part on the last two axes: keep (m, n) when (lower < 0 || m - n <= lower) && (upper < 0 ||
 * n - m <= upper), else 0. */
void ref_band_part(const float *x, const ref_shape *s, int64_t lower, int64_t upper, float *out);

/* gather along axis: out shape = x.shape[:axis] + idx.shape + x.shape[axis+1:]. Negative indices count
 * from the end. Returns 0, or -1 (out untouched beyond what was written) on an index out of range. */
int ref_gather(const float *x, const ref_shape *xs, const float *idx, const ref_shape *is, int axis,
               float *out);

/* quantize: out = clamp(round_half_even(x / scale) + zero_point, qmin, qmax);
 * dequantize: out = (x - zero_point) * scale.
 * scale / zero_point (zero_point NULL = 0) hold n_params values: 1 (per tensor) or s.dim[axis]. */
void ref_quantize(const float *x, const ref_shape *s, int axis, const float *scale, const float *zero_point,
                  int64_t n_params, float qmin, float qmax, float *out);
void ref_dequantize(const float *x, const ref_shape *s, int axis, const float *scale,
                    const float *zero_point, int64_t n_params, float *out);

#endif
