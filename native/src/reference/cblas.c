/* ref_sgemm: the built-in kernel, or a CBLAS found at run time (dlopen, no link dependency) where the
 * built-in kernel has only its portable micro-kernel. On x86-64 the AVX-512 kernel measured 188 GFLOP/s
 * against 104 for single-threaded OpenBLAS (make bench, 256x768x768), the AVX2 kernel 96 (against an
 * OpenBLAS using AVX-512 itself), so there a CBLAS is used only when ANE4J_CBLAS=1 asks for it. The choice
 * is made once per process. An OpenBLAS that the search loads is set to one thread, so the library stays
 * single-threaded by default; one the process had loaded already keeps its settings. */
#include "reference/ops.h"
#include "reference/sgemm.h"

#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

enum { CBLAS_ROW_MAJOR = 101, CBLAS_NO_TRANS = 111, CBLAS_TRANS = 112 };
typedef void (*cblas_sgemm_fn)(int order, int ta, int tb, int m, int n, int k, float alpha, const float *a,
                               int lda, const float *b, int ldb, float beta, float *c, int ldc);

static const char *const candidates[] = {
#ifdef __APPLE__
    "/System/Library/Frameworks/Accelerate.framework/Accelerate",
#endif
    "libopenblas.so.0", "libopenblas.so", "libcblas.so.3", "libblas.so.3",
};

static pthread_once_t search_once = PTHREAD_ONCE_INIT;
static cblas_sgemm_fn cblas_sgemm_ptr;
static const char *cblas_name;

/* Set to anything but "" or "0". */
static int env_flag(const char *name) {
    const char *v = getenv(name);
    return v && *v && strcmp(v, "0") != 0;
}

/* Whether the fastest built-in kernel is the portable one (the only kernel this CPU can run). */
static int builtin_is_portable(void) {
    const sgemm_kernel *ks[2];
    return sgemm_kernels(ks, 2) == 1;
}

static void search_cblas(void) {
    if (env_flag("ANE4J_NO_CBLAS")) return;
    if (!env_flag("ANE4J_CBLAS") && !builtin_is_portable()) return;
    for (size_t i = 0; i < sizeof candidates / sizeof candidates[0]; i++) {
        void *probe = dlopen(candidates[i], RTLD_NOW | RTLD_NOLOAD);
        int was_loaded = probe != NULL;
        if (probe) dlclose(probe);
        void *h = dlopen(candidates[i], RTLD_NOW | RTLD_LOCAL);
        if (!h) continue;
        cblas_sgemm_fn f = (cblas_sgemm_fn)dlsym(h, "cblas_sgemm");
        if (!f) {
            dlclose(h);
            continue;
        }
        void (*set_threads)(int) = (void (*)(int))dlsym(h, "openblas_set_num_threads");
        if (set_threads && !was_loaded) set_threads(1);
        cblas_sgemm_ptr = f;
        cblas_name = candidates[i];
        return; /* the handle stays open for the life of the process */
    }
}

const char *ref_cblas_name(void) {
    pthread_once(&search_once, search_cblas);
    return cblas_name;
}

/* CBLAS takes int sizes and rejects leading dimensions below the row length; such calls use the built-in
 * kernel instead of making the BLAS print an error and return. */
static int cblas_can_take(int ta, int tb, int64_t M, int64_t N, int64_t K, int64_t lda, int64_t ldb,
                          int64_t ldc) {
    int64_t a_cols = ta ? M : K, b_cols = tb ? K : N;
    return M <= INT_MAX && N <= INT_MAX && K <= INT_MAX && lda <= INT_MAX && ldb <= INT_MAX && ldc <= INT_MAX
        && lda >= (a_cols > 1 ? a_cols : 1) && ldb >= (b_cols > 1 ? b_cols : 1) && ldc >= (N > 1 ? N : 1);
}

int ref_sgemm(int ta, int tb, int64_t M, int64_t N, int64_t K, const float *A, int64_t lda,
              const float *B, int64_t ldb, float *C, int64_t ldc) {
    if (M > 0 && N > 0 && K > 0 && ref_cblas_name() && cblas_can_take(ta, tb, M, N, K, lda, ldb, ldc)) {
        cblas_sgemm_ptr(CBLAS_ROW_MAJOR, ta ? CBLAS_TRANS : CBLAS_NO_TRANS, tb ? CBLAS_TRANS : CBLAS_NO_TRANS,
                        (int)M, (int)N, (int)K, 1.0f, A, (int)lda, B, (int)ldb, 0.0f, C, (int)ldc);
        return 0;
    }
    return ref_sgemm_builtin(ta, tb, M, N, K, A, lda, B, ldb, C, ldc);
}
