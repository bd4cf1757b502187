/* Parse, check and compile take time linear in the size of the program, whatever its shape: many
 * statements, arguments, attributes, functions, results, outputs, weight files, BLOBFILE paths, chained
 * views. Each shape is compiled at n and 8n; linear work grows about 8 times, quadratic work 64 times, and
 * the test allows 32 (CPU time of this thread, the best of five runs, so other processes count little; a
 * shape past it is measured again, up to three times, since cache sizes and page faults on fresh memory
 * make single measures noisy).
 * The lookups are also counted: the probes of the hash maps must grow in proportion too, which no timing
 * noise affects. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ane_bridge.h"
#include "reference_harness.h"
#include "strmap.h"
#include "test.h"

enum { GROWTH = 8, ALLOWED_RATIO = 32, RUNS = 5, ATTEMPTS = 3 };

/* A growable text. */
typedef struct text { char *s; size_t len, cap; } text;

static void add(text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(text *t, const char *fmt, ...) {
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(t->s + t->len, t->cap - t->len, fmt, ap);
        va_end(ap);
        if (t->len + (size_t)n < t->cap) {
            t->len += (size_t)n;
            return;
        }
        t->cap = t->cap * 2 + (size_t)n + 256;
        t->s = realloc(t->s, t->cap);
    }
}

/* One shape: writes a program of size n (unique per run, so no compile is a cache hit) and its weight
 * files, if any. */
typedef struct shape {
    const char *name;
    int n;          /* the small size; the large one is GROWTH * n */
    int n_inputs;
    void (*write)(text *t, int n, int run, int *n_files, char ***names, uint8_t ***datas, size_t **lens);
} shape;

#define HEAD "program(1.3)\n{\n    func main<ios18>(tensor<fp16, [1, 4]> x%d) {\n"

static void many_statements(text *t, int n, int run, int *nf, char ***names, uint8_t ***datas, size_t **lens) {
    add(t, HEAD, run);
    add(t, "        tensor<fp16, [1, 4]> v0 = relu(x = x%d);\n", run);
    for (int i = 1; i < n; i++) add(t, "        tensor<fp16, [1, 4]> v%d = relu(x = v%d);\n", i, i - 1);
    add(t, "    } -> (v%d);\n}\n", n - 1);
}

static void chained_views(text *t, int n, int run, int *nf, char ***names, uint8_t ***datas, size_t **lens) {
    add(t, HEAD, run);
    add(t, "        tensor<int32, [2]> s = const()[name = string(\"s\"), val = tensor<int32, [2]>([4, 1])];\n");
    add(t, "        tensor<int32, [2]> r = const()[name = string(\"r\"), val = tensor<int32, [2]>([1, 4])];\n");
    add(t, "        tensor<fp16, [1, 4]> v0 = relu(x = x%d);\n", run);
    for (int i = 1; i < n; i++)
        add(t, "        tensor<fp16, [%s]> v%d = reshape(x = v%d, shape = %s);\n", i % 2 ? "4, 1" : "1, 4", i, i - 1,
            i % 2 ? "s" : "r");
    add(t, "        tensor<fp16, [1, 4]> y = relu(x = v%d);\n    } -> (y);\n}\n", n - 1 - (n - 1) % 2);
}

static void many_arguments(text *t, int n, int run, int *nf, char ***names, uint8_t ***datas, size_t **lens) {
    add(t, HEAD "        tensor<fp16, [1, 4]> y = relu(x = x%d", run, run);
    for (int i = 0; i < n; i++) add(t, ", k%d = x%d", i, run);
    add(t, ");\n    } -> (y);\n}\n");
}

static void many_attributes(text *t, int n, int run, int *nf, char ***names, uint8_t ***datas, size_t **lens) {
    add(t, HEAD "        tensor<fp16, [1, 4]> y = relu(x = x%d)[name = string(\"y\")", run, run);
    for (int i = 0; i < n; i++) add(t, ", a%d = int32(%d)", i, i);
    add(t, "];\n    } -> (y);\n}\n");
}

static void many_functions(text *t, int n, int run, int *nf, char ***names, uint8_t ***datas, size_t **lens) {
    add(t, HEAD "        tensor<fp16, [1, 4]> y = relu(x = x%d);\n    } -> (y);\n", run, run);
    for (int i = 0; i < n; i++) add(t, "    func f%d<ios18>(tensor<fp16, [1]> a) {\n    } -> (a);\n", i);
    add(t, "}\n");
}

/* One statement with n results (refused after parsing: split makes at most 64). */
static void many_results(text *t, int n, int run, int *nf, char ***names, uint8_t ***datas, size_t **lens) {
    add(t, HEAD "        tensor<fp16, [1, 4]> r0", run);
    for (int i = 1; i < n; i++) add(t, ", tensor<fp16, [1, 4]> r%d", i);
    add(t, " = split(x = x%d, axis = int32(0), num_splits = int32(%d));\n    } -> (r0);\n}\n", run, n);
}

static void many_outputs(text *t, int n, int run, int *nf, char ***names, uint8_t ***datas, size_t **lens) {
    add(t, HEAD, run);
    for (int i = 0; i < n; i++) add(t, "        tensor<fp16, [1, 4]> v%d = relu(x = x%d);\n", i, run);
    add(t, "    } -> (v0");
    for (int i = 1; i < n; i++) add(t, ", v%d", i);
    add(t, ");\n}\n");
}

/* n BLOBFILE constants, each from its own weight file. */
static void many_weight_files(text *t, int n, int run, int *nf, char ***names, uint8_t ***datas, size_t **lens) {
    add(t, HEAD, run);
    *nf = n;
    *names = malloc((size_t)n * sizeof **names);
    *datas = malloc((size_t)n * sizeof **datas);
    *lens = malloc((size_t)n * sizeof **lens);
    const uint16_t one[4] = {0x3C00, 0x3C00, 0x3C00, 0x3C00};
    for (int i = 0; i < n; i++) {
        (*names)[i] = malloc(48);
        snprintf((*names)[i], 48, "@model_path/weights/w%d.bin", i);
        (*datas)[i] = ref_blob_file(ANE_DTYPE_FP16, one, sizeof one, &(*lens)[i]);
        add(t, "        tensor<fp16, [1, 4]> c%d = const()[name = string(\"c%d\"), val = tensor<fp16, [1, 4]>(BLOBFILE("
            "path = string(\"%s\"), offset = uint64(64)))];\n", i, i, (*names)[i]);
    }
    add(t, "        tensor<fp16, [1, 4]> y = add(x = x%d, y = c%d);\n    } -> (y);\n}\n", run, n - 1);
}

/* One BLOBFILE path read by n constants (the distinct-path set of the parser). */
static void one_path_many_times(text *t, int n, int run, int *nf, char ***names, uint8_t ***datas, size_t **lens) {
    add(t, HEAD, run);
    *nf = 1;
    *names = malloc(sizeof **names);
    *datas = malloc(sizeof **datas);
    *lens = malloc(sizeof **lens);
    const uint16_t one[4] = {0x3C00, 0x3C00, 0x3C00, 0x3C00};
    (*names)[0] = strdup("@model_path/weights/w.bin");
    (*datas)[0] = ref_blob_file(ANE_DTYPE_FP16, one, sizeof one, &(*lens)[0]);
    for (int i = 0; i < n; i++)
        add(t, "        tensor<fp16, [1, 4]> c%d = const()[name = string(\"c%d\"), val = tensor<fp16, [1, 4]>(BLOBFILE("
            "path = string(\"@model_path/weights/w.bin\"), offset = uint64(64)))];\n", i, i);
    add(t, "        tensor<fp16, [1, 4]> y = add(x = x%d, y = c%d);\n    } -> (y);\n}\n", run, n - 1);
}

static double thread_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The best CPU time of RUNS compiles of size n, and the hash-map probes of the last one. Whether each
 * compiles does not matter (many_arguments is refused for its unknown operands after parsing). */
static double cost(const shape *sh, int n, uint64_t *probes) {
    static int run;
    double best = 1e30;
    for (int r = 0; r < RUNS; r++) {
        text t = {malloc(4096), 0, 4096};
        int nf = 0;
        char **names = NULL;
        uint8_t **datas = NULL;
        size_t *lens = NULL;
        sh->write(&t, n, ++run, &nf, &names, &datas, &lens);
        int n_outputs = sh->write == many_outputs ? n : 1;
        uint64_t p0 = ane_strmap_probes();
        double t0 = thread_seconds();
        ANEKernelHandle *k = ane_bridge_compile_ex("reference", t.s, t.len, (const char **)names,
                                                   (const uint8_t **)datas, lens, nf, sh->n_inputs, NULL, 0, NULL,
                                                   n_outputs, NULL);
        ane_bridge_free(k);
        double dt = thread_seconds() - t0;
        *probes = ane_strmap_probes() - p0;
        if (dt < best) best = dt;
        for (int i = 0; i < nf; i++) {
            free(names[i]);
            free(datas[i]);
        }
        free(names);
        free(datas);
        free(lens);
        free(t.s);
    }
    return best;
}

/* A ratio past the bound is measured again, up to ATTEMPTS times: noise passes, quadratic work never does. */
static void check_linear(const shape *sh) {
    uint64_t small_probes = 0, large_probes = 0;
    double ratio = 1e30;
    for (int attempt = 0; attempt < ATTEMPTS && ratio >= ALLOWED_RATIO; attempt++) {
        double small = cost(sh, sh->n, &small_probes), large = cost(sh, GROWTH * sh->n, &large_probes);
        ratio = large / (small > 1e-6 ? small : 1e-6);
        printf("    %s: n = %d: %.1f ms, %d: %.1f ms (x%.1f); hash probes %llu -> %llu\n", sh->name, sh->n,
               small * 1e3, GROWTH * sh->n, large * 1e3, ratio, (unsigned long long)small_probes,
               (unsigned long long)large_probes);
    }
    CHECK_MSG(ratio < ALLOWED_RATIO, "%s: %d times the size took %.1f times as long", sh->name, GROWTH, ratio);
    CHECK_MSG(large_probes <= 2 * GROWTH * (small_probes + 16), "%s: probes grew from %llu to %llu", sh->name,
              (unsigned long long)small_probes, (unsigned long long)large_probes);
}

#define LINEAR_TEST(fn, n, inputs)                                                                            \
    TEST(linear_time_##fn) {                                                                                  \
        const shape sh = {#fn, n, inputs, fn};                                                                \
        check_linear(&sh);                                                                                    \
    }

/* The small sizes take a few milliseconds each, so that timer and cache noise stay small beside them. */
LINEAR_TEST(many_statements, 4000, 1)
LINEAR_TEST(chained_views, 4000, 1)
LINEAR_TEST(many_arguments, 16000, 1)
LINEAR_TEST(many_attributes, 16000, 1)
LINEAR_TEST(many_functions, 8000, 1)
LINEAR_TEST(many_results, 8000, 1)
LINEAR_TEST(many_outputs, 4000, 1)
LINEAR_TEST(many_weight_files, 2000, 1)
LINEAR_TEST(one_path_many_times, 4000, 1)
