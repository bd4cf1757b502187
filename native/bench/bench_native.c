/* Native baseline numbers for the reference backend: SGEMM (built-in kernels, ref_sgemm, single-threaded
 * OpenBLAS when installed), fp16 conversion, the GEMMs of one Stories110M layer, and that whole layer
 * compiled and evaluated through the ABI, so the GEMMs' share of a layer shows. Every figure is the
 * median of several timed runs after a warm-up run, followed by the best run in brackets: on a busy machine
 * the median drifts with the load, the best run much less. */
#include "ane_bridge.h"
#include "fp16.h"
#include "fp16_paths.h"
#include "reference/ops.h"
#include "reference/sgemm.h"
#include "stories_layer.h"

#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

enum { RUNS = 11 };

typedef void (*cblas_sgemm_fn)(int, int, int, int, int, int, float, const float *, int, const float *, int, float,
                               float *, int);

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

typedef struct timing { double median, best; } timing; /* seconds */

static timing summarise(double *t, int n) {
    qsort(t, (size_t)n, sizeof *t, cmp_double);
    return (timing){ t[n / 2], t[0] };
}

static float *random_floats(size_t n, uint32_t seed) {
    float *x = malloc(n * sizeof(float));
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1664525u + 1013904223u;
        x[i] = (float)(seed >> 8) / (float)(1u << 23) - 1.0f;
    }
    return x;
}

/* One SGEMM implementation under test: exactly one of builtin kernel / function / cblas is set. */
typedef struct gemm_impl {
    const sgemm_kernel *kernel;
    int (*fn)(int, int, int64_t, int64_t, int64_t, const float *, int64_t, const float *, int64_t, float *, int64_t);
    cblas_sgemm_fn cblas;
} gemm_impl;

static void run_gemm(const gemm_impl *g, int tb, int64_t M, int64_t N, int64_t K, const float *A, const float *B,
                     float *C) {
    int64_t ldb = tb ? K : N;
    if (g->kernel) sgemm_blocked(g->kernel, 0, tb, M, N, K, A, K, B, ldb, C, N);
    else if (g->fn) g->fn(0, tb, M, N, K, A, K, B, ldb, C, N);
    else g->cblas(101, 111, tb ? 112 : 111, (int)M, (int)N, (int)K, 1.0f, A, (int)K, B, (int)ldb, 0.0f, C, (int)N);
}

/* C[M,N] = A[M,K] op(B). */
static timing time_gemm(const gemm_impl *g, int tb, int64_t M, int64_t N, int64_t K) {
    float *A = random_floats((size_t)(M * K), 1), *B = random_floats((size_t)(K * N), 2);
    float *C = malloc((size_t)(M * N) * sizeof(float));
    double t[RUNS];
    run_gemm(g, tb, M, N, K, A, B, C);
    for (int r = 0; r < RUNS; r++) {
        double t0 = now_s();
        run_gemm(g, tb, M, N, K, A, B, C);
        t[r] = now_s() - t0;
    }
    free(A); free(B); free(C);
    return summarise(t, RUNS);
}

static cblas_sgemm_fn open_openblas_single_thread(void) {
    const char *names[] = { "libopenblas.so.0", "libopenblas.so", "libopenblas.dylib" };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        void *h = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
        if (!h) continue;
        cblas_sgemm_fn f = (cblas_sgemm_fn)dlsym(h, "cblas_sgemm");
        void (*set_threads)(int) = (void (*)(int))dlsym(h, "openblas_set_num_threads");
        if (f && set_threads) {
            set_threads(1);
            return f;
        }
        dlclose(h);
    }
    return NULL;
}

/* OpenBLAS picks its kernels once, when loaded, from OPENBLAS_CORETYPE or the CPU. So each instruction set is
 * timed in a child process that sets the variable, loads OpenBLAS and reports through a pipe. coretype NULL:
 * OpenBLAS's own choice. Returns 0 with *t set, or -1 when OpenBLAS is missing or the child failed. */
static int time_openblas(const char *coretype, int64_t M, int64_t N, int64_t K, timing *t) {
    int fd[2];
    if (pipe(fd) != 0) return -1;
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        close(fd[0]);
        if (coretype) setenv("OPENBLAS_CORETYPE", coretype, 1);
        cblas_sgemm_fn f = open_openblas_single_thread();
        timing r = { -1, -1 };
        if (f) {
            gemm_impl g = { .cblas = f };
            r = time_gemm(&g, 0, M, N, K);
        }
        ssize_t w = write(fd[1], &r, sizeof r);
        _exit(w == (ssize_t)sizeof r ? 0 : 1);
    }
    close(fd[1]);
    ssize_t got = read(fd[0], t, sizeof *t);
    close(fd[0]);
    int status;
    waitpid(pid, &status, 0);
    return got == (ssize_t)sizeof *t && t->median > 0 ? 0 : -1;
}

static void print_gflops(const char *what, double flop, timing t, const char *note) {
    printf("  %-24s %7.1f (%5.1f)%s\n", what, flop / t.median * 1e-9, flop / t.best * 1e-9, note);
}

/* Each built-in kernel against single-threaded OpenBLAS forced to the same instruction set (its Haswell
 * kernels are AVX2 + FMA, its SkylakeX ones AVX-512), and OpenBLAS's own choice for this CPU. */
static void bench_sgemm(void) {
    const int64_t M = 256, N = 768, K = 768;
    double flop = 2.0 * (double)M * (double)N * (double)K;
    printf("sgemm %lldx%lldx%lld (M x N x K), GFLOP/s, median (best) of %d:\n", (long long)M, (long long)N,
           (long long)K, RUNS);
    const sgemm_kernel *ks[8];
    int nk = sgemm_kernels(ks, 8);
    timing built[8];
    for (int i = 0; i < nk; i++) {
        gemm_impl g = { .kernel = ks[i] };
        built[i] = time_gemm(&g, 0, M, N, K);
        char what[32];
        snprintf(what, sizeof what, "built-in %s", ks[i]->name);
        print_gflops(what, flop, built[i], i == 0 ? "  <- ref_sgemm_builtin (the kernel that runs here)" : "");
    }
    gemm_impl dispatch = { .fn = ref_sgemm };
    char note[96];
    snprintf(note, sizeof note, "  (%s)", ref_cblas_name() ? ref_cblas_name() : "built-in kernel");
    print_gflops("ref_sgemm", flop, time_gemm(&dispatch, 0, M, N, K), note);
    timing t;
    if (time_openblas(NULL, M, N, K, &t) != 0) {
        printf("  OpenBLAS                 not installed (apt-get install libopenblas0-pthread)\n");
        return;
    }
    print_gflops("OpenBLAS 1 thread, own", flop, t, "  (OpenBLAS's choice for this CPU)");
    for (int i = 0; i < nk; i++) {
        const char *coretype = !strcmp(ks[i]->name, "avx512") ? "SkylakeX" : !strcmp(ks[i]->name, "avx2") ? "Haswell" : NULL;
        if (!coretype || time_openblas(coretype, M, N, K, &t) != 0) continue;
        char what[40];
        snprintf(what, sizeof what, "OpenBLAS 1 thread, %s", coretype);
        print_gflops(what, flop, t, "");
        printf("  built-in %s / OpenBLAS %s = %.2f (best runs: %.2f), goal >= 1.0: %s\n", ks[i]->name, coretype,
               t.median / built[i].median, t.best / built[i].best, t.median / built[i].median >= 1.0 ? "holds" : "MISSES");
    }
}

/* Seconds per element of one conversion direction. */
static timing time_convert(int to_half, int naive, size_t n) {
    float *f = random_floats(n, 3);
    uint16_t *h = malloc(n * sizeof(uint16_t));
    ane_bridge_fp32_to_fp16(f, h, n);
    double t[RUNS];
    for (int r = -1; r < RUNS; r++) {
        double t0 = now_s();
        if (to_half && naive) for (size_t i = 0; i < n; i++) h[i] = ane_fp16_from_float(f[i]);
        else if (to_half) ane_bridge_fp32_to_fp16(f, h, n);
        else if (naive) for (size_t i = 0; i < n; i++) f[i] = ane_fp16_to_float(h[i]);
        else ane_bridge_fp16_to_fp32(h, f, n);
        if (r >= 0) t[r] = (now_s() - t0) / (double)n;
    }
    free(f); free(h);
    return summarise(t, RUNS);
}

static void bench_fp16(void) {
    const ane_fp16_path *paths;
    ane_fp16_paths(&paths);
    printf("fp16 conversion (%s path), ns/element, median (best) of %d; naive = scalar loop over ane_fp16_from_float / "
           "ane_fp16_to_float:\n", paths[0].name, RUNS);
    const size_t sizes[] = { 4096, 1u << 20 };
    for (int s = 0; s < 2; s++) {
        for (int to_half = 1; to_half >= 0; to_half--) {
            timing fast = time_convert(to_half, 0, sizes[s]), naive = time_convert(to_half, 1, sizes[s]);
            printf("  %7zu elements %s: %6.3f (%6.3f)   naive %6.3f (%6.3f)\n", sizes[s],
                   to_half ? "fp32->fp16" : "fp16->fp32", fast.median * 1e9, fast.best * 1e9, naive.median * 1e9,
                   naive.best * 1e9);
        }
    }
}

/* The matrix products of one Stories110M layer (dim 768, hidden 2048, seq 256) as linear layers
 * (x [seq, in] times W [out, in] transposed), timed with the built-in kernel and with ref_sgemm. Returns
 * ref_sgemm's time for all 7: the sums of the medians and of the best runs, in seconds. */
static timing bench_layer_gemms(void) {
    const int64_t seq = 256, dim = 768, hidden = 2048;
    struct { const char *name; int64_t n, k; int count; } pieces[] = {
        { "q/k/v/o projection 256x768x768", dim, dim, 4 },
        { "ffn w1/w3 256x2048x768", hidden, dim, 2 },
        { "ffn w2 256x768x2048", dim, hidden, 1 },
    };
    gemm_impl builtin = { .fn = ref_sgemm_builtin }, dispatch = { .fn = ref_sgemm };
    double total_b = 0;
    timing total_d = { 0, 0 };
    printf("Stories110M layer GEMMs at seq %lld, ms, median (best) of %d:      built-in   |   ref_sgemm\n",
           (long long)seq, RUNS);
    for (size_t i = 0; i < sizeof pieces / sizeof pieces[0]; i++) {
        timing tb = time_gemm(&builtin, 1, seq, pieces[i].n, pieces[i].k);
        timing td = time_gemm(&dispatch, 1, seq, pieces[i].n, pieces[i].k);
        printf("  %-32s x%d  %7.3f (%7.3f) | %7.3f (%7.3f)\n", pieces[i].name, pieces[i].count, tb.median * 1e3,
               tb.best * 1e3, td.median * 1e3, td.best * 1e3);
        total_b += tb.median * pieces[i].count;
        total_d.median += td.median * pieces[i].count;
        total_d.best += td.best * pieces[i].count;
    }
    printf("  %-32s     %7.3f           | %7.3f\n", "all 7 GEMMs (sum of medians)", total_b * 1e3,
           total_d.median * 1e3);

    /* Causal attention of the same layer: 12 heads of 64, through ref_sdpa. */
    const int64_t heads = 12, hd = 64;
    ref_shape qs = { 4, { 1, heads, seq, hd } }, ms = { 2, { seq, seq } };
    size_t nq = (size_t)(heads * seq * hd);
    float *q = random_floats(nq, 4), *k = random_floats(nq, 5), *v = random_floats(nq, 6);
    float *o = malloc(nq * sizeof(float)), *mask = malloc((size_t)(seq * seq) * sizeof(float));
    for (int64_t l = 0; l < seq; l++)
        for (int64_t s = 0; s < seq; s++) mask[l * seq + s] = s <= l ? 1.0f : 0.0f;
    double t[RUNS];
    for (int r = -1; r < RUNS; r++) {
        double t0 = now_s();
        ref_sdpa(q, &qs, k, &qs, v, &qs, mask, &ms, 1, o, &qs);
        if (r >= 0) t[r] = now_s() - t0;
    }
    timing ts = summarise(t, RUNS);
    printf("  %-32s     %7.3f (%7.3f)   ref_sdpa\n", "causal sdpa 12 heads 256x64", ts.median * 1e3, ts.best * 1e3);
    free(q); free(k); free(v); free(o); free(mask);
    return total_d;
}

/* The whole layer on the reference backend through the ABI: compiles (each of a distinct text, so none is a
 * compile-cache hit) and evals, beside gemms, the time its 7 projection GEMMs take alone. */
static void bench_layer_abi(timing gemms) {
    double tc[RUNS], te[RUNS];
    ANEKernelHandle *k = NULL;
    int compiles = ane_bridge_get_compile_count();
    for (int r = 0; r < RUNS; r++) {
        char name[32];
        snprintf(name, sizeof name, "out_%d", r);
        char *mil = stories_layer_mil(name);
        ane_bridge_free(k);
        double t0 = now_s();
        k = ane_bridge_compile_ex("reference", mil, strlen(mil), NULL, NULL, NULL, 0, 1, NULL, STORIES_WEIGHTS, NULL,
                                  1, NULL);
        tc[r] = now_s() - t0;
        free(mil);
        if (!k) {
            printf("  layer compile failed: %s\n", ane_bridge_last_error());
            return;
        }
    }
    compiles = ane_bridge_get_compile_count() - compiles;
    if (stories_layer_fill(k) != 0) {
        printf("  layer fill failed: %s\n", ane_bridge_last_error());
        ane_bridge_free(k);
        return;
    }
    for (int r = -1; r < RUNS; r++) {
        double t0 = now_s();
        if (!ane_bridge_eval(k)) {
            printf("  layer eval failed: %s\n", ane_bridge_last_error());
            ane_bridge_free(k);
            return;
        }
        if (r >= 0) te[r] = now_s() - t0;
    }
    ane_bridge_free(k);
    timing c = summarise(tc, RUNS), e = summarise(te, RUNS);
    printf("Stories110M layer through the ABI (reference backend), ms, median (best) of %d:\n", RUNS);
    printf("  %-32s     %7.3f (%7.3f)   %d real compiles\n", "compile", c.median * 1e3, c.best * 1e3, compiles);
    printf("  %-32s     %7.3f (%7.3f)\n", "eval", e.median * 1e3, e.best * 1e3);
    printf("  the 7 GEMMs alone (ref_sgemm) take %.0f%% of an eval (best runs: %.0f%%)\n",
           100.0 * gemms.median / e.median, 100.0 * gemms.best / e.best);
    printf("  layer eval / its 7 GEMMs = %.2f (best runs: %.2f), goal <= 1.10: %s\n", e.median / gemms.median,
           e.best / gemms.best, e.median / gemms.median <= 1.10 ? "holds" : "MISSES");
}

int main(void) {
    printf("ane4j native benchmark (single thread)\n");
    ref_cblas_name(); /* let ref_sgemm's search run first; OpenBLAS itself only loads in child processes */
    bench_sgemm();
    bench_fp16();
    bench_layer_abi(bench_layer_gemms());
    return 0;
}
