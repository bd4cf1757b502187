/* The ANE backend through the bridge ABI.
 * Everywhere: when "ane" is not usable (not in this build, or no Neural Engine reachable) it is refused
 * with ANE_ERR_UNAVAILABLE and a reason, the default stays on "reference", and "auto" runs there.
 * On Apple Silicon with ANE4J_HARDWARE=1 (otherwise skipped with the reason): the upstream bridge
 * scenarios, then one test per assumption of src/darwin/README.md ("Assumptions"). Each checks results
 * against values computed here (naive products, hand arithmetic, the reference backend) and, where the
 * backend follows a rule the hardware was only reported to need, also runs once without the rule and
 * prints a "finding:" line saying what the hardware did then, so one run tells the possibilities apart.
 * Programs whose compile is counted carry a fresh tag, so the suite passes when run twice; all of them
 * together stay far inside the compile budget. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#if defined(__APPLE__)
#include <mach-o/dyld.h>
#endif

#include "../bench/stories_layer.h"
#include "ane_bridge.h"
#include "backend.h"
#include "corpus.h"
#include "darwin/request_rules.h"
#include "mil/mil.h"
#include "test.h"

extern char **environ;

/* Programs in the upstream MIL dialect, written here so the Neural Engine tests need no corpus. The
 * buildInfo line is what the ANE compiler expects to see. */
#define MIL_HEADER                                                                                      \
    "program(1.3)\n"                                                                                      \
    "[buildInfo = dict<string, string>({{\"coremlc-component-MIL\", \"3510.2.1\"}, "                       \
    "{\"coremlc-version\", \"3505.4.1\"}, {\"coremltools-component-milinternal\", \"\"}, "                \
    "{\"coremltools-version\", \"9.0\"}})]\n{\n"
#define MIL_CAP 8192

/* malloc'd MIL text from a format after MIL_HEADER; a test failure (and NULL) when it does not fit. */
__attribute__((format(printf, 1, 2))) static char *mil_text(const char *fmt, ...) {
    char *buf = malloc(MIL_CAP);
    memcpy(buf, MIL_HEADER, sizeof MIL_HEADER);
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf + sizeof MIL_HEADER - 1, MIL_CAP - sizeof MIL_HEADER + 1, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= MIL_CAP - sizeof MIL_HEADER + 1) {
        CHECK_MSG(0, "test program does not fit %d bytes", MIL_CAP);
        free(buf);
        return NULL;
    }
    return buf;
}

/* out = x + x on tensor<fp16, [1, rows, 1, cols]>; name (the statement's) makes the text unique. */
static char *mil_add_self(int rows, int cols, const char *name) {
    return mil_text("    func main<ios18>(tensor<fp16, [1, %d, 1, %d]> x) {\n"
                    "        tensor<fp16, [1,%d,1,%d]> out = add(x=x,y=x)[name=string(\"%s\")];\n"
                    "    } -> (out);\n}\n",
                    rows, cols, rows, cols, name);
}

/* out[1,n,m] = W[1,n,k] @ x (+ b[1,n,m] when with_bias), x a [1,k,1,m] input. Parameters are declared
 * x, W (, b): neither in byte order (W, b, x) nor in case-insensitive order (b, W, x). */
static char *mil_affine(int n, int k, int m, int with_bias, const char *name) {
    char bias_param[64] = "", bias_op[160] = "";
    if (with_bias) {
        snprintf(bias_param, sizeof bias_param, ", tensor<fp16, [1, %d, %d]> b", n, m);
        snprintf(bias_op, sizeof bias_op, "        tensor<fp16, [1,%d,%d]> out = add(x=mm,y=b)[name=string(\"%s\")];\n",
                 n, m, name);
    }
    return mil_text("    func main<ios18>(tensor<fp16, [1, %d, 1, %d]> x, tensor<fp16, [1, %d, %d]> W%s) {\n"
                    "        tensor<int32, [3]> sh = const()[name=string(\"sh\"), val=tensor<int32, [3]>([1,%d,%d])];\n"
                    "        tensor<fp16, [1,%d,%d]> x3 = reshape(shape=sh,x=x)[name=string(\"rx\")];\n"
                    "        bool bF = const()[name=string(\"bF\"), val=bool(false)];\n"
                    "        tensor<fp16, [1,%d,%d]> %s = matmul(transpose_x=bF,transpose_y=bF,x=W,y=x3)"
                    "[name=string(\"%s\")];\n%s"
                    "    } -> (out);\n}\n",
                    k, m, n, k, bias_param, k, m, k, m, n, m, with_bias ? "mm" : "out", with_bias ? "mm" : name,
                    bias_op);
}

/* Returns (y, a), not in byte order: y = x + x on [1, c, 1, s], a = the sums over channels, [1, 1, 1, s]. */
static char *mil_sum_and_double(int c, int s, const char *name) {
    return mil_text("    func main<ios18>(tensor<fp16, [1, %d, 1, %d]> x) {\n"
                    "        tensor<fp16, [1,%d,1,%d]> y = add(x=x,y=x)[name=string(\"%s\")];\n"
                    "        tensor<int32, [1]> ax = const()[name=string(\"ax\"), val=tensor<int32, [1]>([1])];\n"
                    "        bool kd = const()[name=string(\"kd\"), val=bool(true)];\n"
                    "        tensor<fp16, [1,1,1,%d]> a = reduce_sum(x=x,axes=ax,keep_dims=kd)[name=string(\"a\")];\n"
                    "    } -> (y, a);\n}\n",
                    c, s, c, s, name, s);
}

static ANEKernelHandle *compile_on(const char *backend, const char *mil, int n_inputs, int n_weights,
                                   int n_outputs) {
    return ane_bridge_compile_ex(backend, mil, strlen(mil), NULL, NULL, NULL, 0, n_inputs, NULL, n_weights, NULL,
                                 n_outputs, NULL);
}

/* A statement name no earlier compile used, in this run or an earlier one (the ANE daemon may outlive a
 * process): what makes a compile count. */
static void fresh_tag(char *buf, size_t cap, const char *what) {
    static int counter;
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    snprintf(buf, cap, "%s_%ld_%d_%lld_%ld", what, (long)getpid(), counter++, (long long)now.tv_sec, now.tv_nsec);
}

/* ---- fallback: "ane" not usable --------------------------------------------------------------------- */

/* 1 when "ane" must be unusable here; on a Mac where it is usable, skip. */
static int fallback_applies(void) {
#if defined(ANE4J_HAVE_DARWIN_BACKEND)
    if (ane_bridge_backend_available("ane")) {
        test_skip("the ane backend is usable here, so there is no fallback to check");
        return 0;
    }
#endif
    return 1;
}

TEST(ane_unavailable_says_why) {
    if (!fallback_applies()) return;
    CHECK_EQ_INT(0, ane_bridge_backend_available("ane"));
    CHECK_EQ_INT(ANE_ERR_UNAVAILABLE, ane_bridge_last_error_code());
    const char *why = ane_bridge_last_error();
    CHECK(why != NULL && strstr(why, "ane") != NULL);
    CHECK_EQ_INT(1, ane_bridge_backend_available("auto"));
    CHECK_EQ_INT(1, ane_bridge_backend_available("reference"));
}

TEST(selecting_ane_fails_and_leaves_the_default_on_reference) {
    if (!fallback_applies()) return;
    CHECK_EQ_INT(0, ane_bridge_select_backend("reference"));
    CHECK_EQ_INT(-1, ane_bridge_select_backend("ane"));
    CHECK_EQ_INT(ANE_ERR_UNAVAILABLE, ane_bridge_last_error_code());
    CHECK(ane_bridge_last_error() != NULL);
    CHECK(strcmp(ane_bridge_backend_name(), "reference") == 0);
    CHECK_EQ_INT(0, ane_bridge_select_backend("auto"));
    CHECK(strcmp(ane_bridge_backend_name(), "reference") == 0);
}

TEST(compiling_on_ane_fails_as_unavailable) {
    if (!fallback_applies()) return;
    char *mil = mil_add_self(4, 8, "out");
    int before = ane_bridge_get_compile_count(), used = ane_bridge_get_compile_budget_used();
    ANEKernelHandle *k = compile_on("ane", mil, 1, 0, 1);
    CHECK(k == NULL);
    CHECK_EQ_INT(ANE_ERR_UNAVAILABLE, ane_bridge_last_error_code());
    CHECK(ane_bridge_last_error() != NULL);
    CHECK_EQ_INT(before, ane_bridge_get_compile_count());
    CHECK_EQ_INT(used, ane_bridge_get_compile_budget_used());
    ane_bridge_free(k);
    free(mil);
}

TEST(auto_compiles_and_runs_on_reference) {
    if (!fallback_applies()) return;
    CHECK_EQ_INT(0, ane_bridge_select_backend("auto"));
    char *mil = mil_add_self(4, 8, "out");
    const char *backends[2] = {"auto", NULL}; /* NULL: the process default */
    for (int b = 0; b < 2; b++) {
        ANEKernelHandle *k = compile_on(backends[b], mil, 1, 0, 1);
        CHECK(k != NULL);
        if (!k) continue;
        CHECK(strcmp(ane_bridge_kernel_backend(k), "reference") == 0);
        float x[32], y[32];
        for (int i = 0; i < 32; i++) x[i] = 0.5f * (float)i - 8.0f; /* exact in fp16, and so is 2x */
        ane_bridge_write_input_f32(k, 0, x, 32);
        CHECK(ane_bridge_eval(k));
        ane_bridge_read_output_f32(k, 0, y, 32);
        for (int i = 0; i < 32; i++) CHECK_NEAR(2.0 * x[i], y[i], 0.0);
        ane_bridge_free(k);
    }
    free(mil);
}

/* ---- hardware helpers ------------------------------------------------------------------------------- */

/* 1 when the Neural Engine tests should run; otherwise skips with the reason. */
static int hardware(void) {
    const char *flag = getenv("ANE4J_HARDWARE");
    if (!flag || strcmp(flag, "1") != 0) {
        test_skip("Neural Engine tests run with ANE4J_HARDWARE=1 on Apple Silicon");
        return 0;
    }
    if (!ane_bridge_backend_available("ane")) {
        char why[600];
        const char *msg = ane_bridge_last_error();
        snprintf(why, sizeof why, "ANE4J_HARDWARE=1 but %s", msg ? msg : "the ane backend is unavailable");
        test_skip(why);
        return 0;
    }
    return 1;
}

/* Multiples of 1/8 (and below) in [-1, 1], exact in fp16 and asymmetric: v(i) != v(j) for most i, j. */
static void pattern(float *v, size_t n, int a, int b, int mod, float scale) {
    for (size_t i = 0; i < n; i++) v[i] = (float)((long)((i * (size_t)a + (size_t)b) % (size_t)mod) - mod / 2) * scale;
}

/* Largest |got - want| relative to max(1, |want|), over n values. */
static double worst_error(const float *got, const float *want, size_t n) {
    double worst = 0;
    for (size_t i = 0; i < n; i++) {
        double e = fabs((double)got[i] - want[i]) / fmax(1.0, fabs(want[i]));
        if (!(e <= worst)) worst = e; /* NaN counts as the worst */
    }
    return worst;
}

/* out[n][m] = sum_k w[n][k] x[k][m] (+ b[n][m]), accumulated in double. */
static void naive_affine(const float *w, const float *x, const float *b, int n, int k, int m, float *out) {
    for (int i = 0; i < n; i++)
        for (int j = 0; j < m; j++) {
            double acc = b ? b[i * m + j] : 0;
            for (int t = 0; t < k; t++) acc += (double)w[i * k + t] * x[t * m + j];
            out[i * m + j] = (float)acc;
        }
}

/* Run fn with the backend's request rules changed by change(), then put them back. */
static void with_rules(void (*change)(ane_request_rules *), void (*fn)(void *), void *arg) {
    ane_request_rules saved = ane_request_rules_in_use;
    change(&ane_request_rules_in_use);
    fn(arg);
    ane_request_rules_in_use = saved;
}

/* ---- the upstream bridge scenarios ------------------------------------------------------------------ */

/* x[k][m] and W[n][k] of the 64x64x64 upstream bridge matmul: multiples of 1/8 and 1/16, exact in fp16. */
static void matmul_operands(float *x, float *w) {
    for (int k = 0; k < 64; k++)
        for (int m = 0; m < 64; m++) x[k * 64 + m] = (float)((k * 7 + m * 3) % 17 - 8) / 8.0f;
    for (int n = 0; n < 64; n++)
        for (int k = 0; k < 64; k++) w[n * 64 + k] = (float)((n * 5 + k * 11) % 13 - 6) / 16.0f;
}

/* The 64x64x64 dynamic matmul of the upstream bridge test, on the Neural Engine. */
static ANEKernelHandle *compile_matmul64(void) {
    char *mil = mil_affine(64, 64, 64, 0, "mm");
    ANEKernelHandle *k = mil ? compile_on("ane", mil, 1, 1, 1) : NULL;
    CHECK_MSG(k != NULL, "compile: %s", ane_bridge_last_error());
    free(mil);
    return k;
}

TEST(hw_dynamic_matmul_matches_a_naive_product) {
    if (!hardware()) return;
    ANEKernelHandle *k = compile_matmul64();
    if (!k) return;
    CHECK(strcmp(ane_bridge_kernel_backend(k), "ane") == 0);
    static float x[4096], w[4096], out[4096], want[4096];
    matmul_operands(x, w);
    ane_bridge_write_input_f32(k, 0, x, 4096);
    ane_bridge_write_weight_f32(k, 0, w, 4096);
    CHECK_MSG(ane_bridge_eval(k), "eval: %s", ane_bridge_last_error());
    ane_bridge_read_output_f32(k, 0, out, 4096);
    naive_affine(w, x, NULL, 64, 64, 64, want);
    double e = worst_error(out, want, 4096);
    CHECK_MSG(e <= 0.02, "worst relative error %g against the naive product", e);
    ane_bridge_free(k);
}

TEST(hw_dynamic_weight_rewrites_change_results_without_recompiling) {
    if (!hardware()) return;
    ANEKernelHandle *k = compile_matmul64();
    if (!k) return;
    int compiles = ane_bridge_get_compile_count(), used = ane_bridge_get_compile_budget_used();
    static float x[4096], w[4096], out[4096];
    static uint16_t w16[4096];
    matmul_operands(x, w);
    ane_bridge_write_input_f32(k, 0, x, 4096);
    for (float scale = 1; scale <= 3; scale++) {
        memset(w, 0, sizeof w);
        for (int i = 0; i < 64; i++) w[i * 64 + i] = scale; /* W = scale * I, so out = scale * x */
        if (scale == 2) {                                   /* raw fp16 path once, f32 path otherwise */
            ane_bridge_fp32_to_fp16(w, w16, 4096);
            ane_bridge_write_weight(k, 0, w16, sizeof w16);
        } else {
            ane_bridge_write_weight_f32(k, 0, w, 4096);
        }
        CHECK_MSG(ane_bridge_eval(k), "eval: %s", ane_bridge_last_error());
        ane_bridge_read_output_f32(k, 0, out, 4096);
        for (int i = 0; i < 4096; i += 97) CHECK_NEAR(scale * x[i], out[i], 1e-3);
    }
    CHECK_EQ_INT(compiles, ane_bridge_get_compile_count());
    CHECK_EQ_INT(used, ane_bridge_get_compile_budget_used());
    ane_bridge_free(k);
}

/* x + x on [1, 32, 1, 32] (2 KiB, under the 48 KiB floor), the shape of the upstream copy_io test. */
static ANEKernelHandle *compile_scale2(void) {
    char *mil = mil_add_self(32, 32, "out");
    ANEKernelHandle *k = compile_on("ane", mil, 1, 0, 1);
    CHECK_MSG(k != NULL, "compile: %s", ane_bridge_last_error());
    free(mil);
    return k;
}

TEST(hw_aliased_chain_passes_results_without_copies) {
    if (!hardware()) return;
    ANEKernelHandle *k1 = compile_scale2(), *k2 = k1 ? compile_scale2() : NULL;
    if (k1 && k2) {
        CHECK_EQ_INT(0, ane_bridge_alias_surface(k1, ANE_SURFACE_OUTPUT, 0, k2, ANE_SURFACE_INPUT, 0));
        CHECK(ane_bridge_surface_pointer(k1, ANE_SURFACE_OUTPUT, 0) ==
              ane_bridge_surface_pointer(k2, ANE_SURFACE_INPUT, 0));
        float x[1024], y[1024];
        for (int i = 0; i < 1024; i++) x[i] = (float)(i % 64 - 32) / 16.0f;
        ane_bridge_write_input_f32(k1, 0, x, 1024);
        CHECK(ane_bridge_eval(k1));
        CHECK(ane_bridge_eval(k2));
        ane_bridge_read_output_f32(k2, 0, y, 1024);
        for (int i = 0; i < 1024; i += 31) CHECK_NEAR(4.0 * x[i], y[i], 0.0);
        ane_bridge_free(k1); /* the shared surface lives on in k2 */
        k1 = NULL;
        for (int i = 0; i < 1024; i++) x[i] = (float)(i % 16) / 4.0f;
        ane_bridge_write_input_f32(k2, 0, x, 1024);
        CHECK_MSG(ane_bridge_eval(k2), "eval after freeing k1: %s", ane_bridge_last_error());
        ane_bridge_read_output_f32(k2, 0, y, 1024);
        for (int i = 0; i < 1024; i += 31) CHECK_NEAR(2.0 * x[i], y[i], 0.0);
    }
    ane_bridge_free(k1);
    ane_bridge_free(k2);
}

TEST(hw_realtime_bracket_keeps_results) {
    if (!hardware()) return;
    ANEKernelHandle *k = compile_scale2();
    if (!k) return;
    float x[1024], y[1024];
    for (int i = 0; i < 1024; i++) x[i] = (float)(i % 8) - 4.0f;
    ane_bridge_write_input_f32(k, 0, x, 1024);
    ane_bridge_begin_realtime();
    CHECK_EQ_INT(ANE_OK, ane_bridge_last_error_code());
    for (int r = 0; r < 10; r++) CHECK(ane_bridge_eval(k));
    ane_bridge_end_realtime();
    CHECK_EQ_INT(ANE_OK, ane_bridge_last_error_code());
    ane_bridge_read_output_f32(k, 0, y, 1024);
    for (int i = 0; i < 1024; i += 17) CHECK_NEAR(2.0 * x[i], y[i], 0.0);
    /* a second bracket: end was sent for the first begin whatever begin returned */
    ane_bridge_begin_realtime();
    CHECK(ane_bridge_eval(k));
    ane_bridge_end_realtime();
    CHECK_EQ_INT(ANE_OK, ane_bridge_last_error_code());
    ane_bridge_free(k);
}

/* ---- surfaces in a request: order, equal allocations, the floor ------------------------------------- */

/* W @ x + b with x [1,K,1,M] 64 KiB, W [1,N,K] 96 KiB, b [1,N,M] 12 KiB: three sizes, two above the floor. */
enum { AF_N = 96, AF_K = 512, AF_M = 64 };

typedef struct affine_case {
    float *x, *w, *b;  /* declared order: x, W, b */
    float *want, *got; /* [AF_N * AF_M] */
    int bound[3];      /* the declared index at each position of the request, as the rules said */
    int ok;            /* eval succeeded */
    char error[300];   /* its message otherwise */
} affine_case;

static const char *const AF_NAMES[3] = {"x", "W", "b"};

static const size_t AF_COUNT[3] = {(size_t)AF_K * AF_M, (size_t)AF_N * AF_K, (size_t)AF_N * AF_M};

static void affine_eval(void *arg) {
    affine_case *c = arg;
    char *mil = mil_affine(AF_N, AF_K, AF_M, 1, "affine");
    ANEKernelHandle *k = mil ? compile_on("ane", mil, 3, 0, 1) : NULL;
    free(mil);
    c->ok = 0;
    if (!k) {
        snprintf(c->error, sizeof c->error, "compile: %s", ane_bridge_last_error());
        return;
    }
    ane_request_order(&ane_request_rules_in_use, AF_NAMES, 3, c->bound);
    const float *in[3] = {c->x, c->w, c->b};
    for (int i = 0; i < 3; i++) ane_bridge_write_input_f32(k, i, in[i], AF_COUNT[i]);
    c->ok = ane_bridge_eval(k);
    if (c->ok) ane_bridge_read_output_f32(k, 0, c->got, (size_t)AF_N * AF_M);
    else snprintf(c->error, sizeof c->error, "%s", ane_bridge_last_error());
    ane_bridge_free(k);
}

/* The result of x, W, b when each parameter reads the first elements of the tensor at its position of the
 * request (zero beyond it), for the order the request was built in (as_bound) and the order the hardware
 * takes (as_read). */
static void affine_as_read(const affine_case *c, const int *as_bound, const int *as_read, float *out) {
    const float *data[3] = {c->x, c->w, c->b};
    float *param[3];
    for (int pos = 0; pos < 3; pos++) {
        int p = as_read[pos], t = as_bound[pos]; /* parameter p reads tensor t */
        param[p] = calloc(AF_COUNT[p], sizeof(float));
        memcpy(param[p], data[t], (AF_COUNT[p] < AF_COUNT[t] ? AF_COUNT[p] : AF_COUNT[t]) * sizeof(float));
    }
    naive_affine(param[1], param[0], param[2], AF_N, AF_K, AF_M, out);
    for (int p = 0; p < 3; p++) free(param[p]);
}

/* The order the hardware read c's surfaces in (declaration, byte or case-insensitive order of the names),
 * found by which one explains its output. */
static const char *explain_affine(const affine_case *c) {
    static const struct { const char *what; int order[3]; } hypotheses[] = {
        {"declaration order (x, W, b)", {0, 1, 2}},
        {"byte order of the names (W, b, x)", {1, 2, 0}},
        {"case-insensitive order of the names (b, W, x)", {2, 1, 0}},
    };
    float *sim = malloc((size_t)AF_N * AF_M * sizeof(float));
    const char *found = "none of declaration, byte or case-insensitive order";
    for (size_t h = 0; h < sizeof hypotheses / sizeof hypotheses[0]; h++) {
        affine_as_read(c, c->bound, hypotheses[h].order, sim);
        if (worst_error(c->got, sim, (size_t)AF_N * AF_M) <= 0.02) {
            found = hypotheses[h].what;
            break;
        }
    }
    free(sim);
    return found;
}

static void affine_setup(affine_case *c) {
    c->x = malloc(AF_COUNT[0] * sizeof(float));
    c->w = malloc(AF_COUNT[1] * sizeof(float));
    c->b = malloc(AF_COUNT[2] * sizeof(float));
    c->want = malloc((size_t)AF_N * AF_M * sizeof(float));
    c->got = malloc((size_t)AF_N * AF_M * sizeof(float));
    pattern(c->x, AF_COUNT[0], 7, 3, 17, 1.0f / 8);
    pattern(c->w, AF_COUNT[1], 5, 1, 13, 1.0f / 64);
    pattern(c->b, AF_COUNT[2], 3, 2, 11, 1.0f / 4);
    naive_affine(c->w, c->x, c->b, AF_N, AF_K, AF_M, c->want);
}

static void affine_teardown(affine_case *c) {
    free(c->x);
    free(c->w);
    free(c->b);
    free(c->want);
    free(c->got);
}

static void declaration_order(ane_request_rules *r) { r->order_by_name = 0; }
static void unequal_allocations(ane_request_rules *r) { r->equal_allocations = 0; }
static void no_floor(ane_request_rules *r) { r->min_allocation = 0; }

TEST(hw_inputs_bind_in_the_byte_order_of_their_names) {
    if (!hardware()) return;
    affine_case c;
    affine_setup(&c);
    affine_eval(&c);
    CHECK_MSG(c.ok, "eval: %s", c.error);
    double e = c.ok ? worst_error(c.got, c.want, (size_t)AF_N * AF_M) : 1;
    CHECK_MSG(e <= 0.02, "x, W, b bound in byte order of the names: worst relative error %g; the output is what "
              "the hardware makes of reading them in %s", e, explain_affine(&c));
    with_rules(declaration_order, affine_eval, &c);
    if (c.ok)
        printf("    finding: bound in declaration order, the hardware read the inputs in %s\n", explain_affine(&c));
    else
        printf("    finding: bound in declaration order, eval failed: %s\n", c.error);
    affine_teardown(&c);
}

TEST(hw_inputs_of_unequal_allocations_are_padded_to_one_size) {
    if (!hardware()) return;
    affine_case c;
    affine_setup(&c);
    affine_eval(&c); /* x 64 KiB, W 96 KiB, b 12 KiB: all allocated 96 KiB */
    CHECK_MSG(c.ok && worst_error(c.got, c.want, (size_t)AF_N * AF_M) <= 0.02, "padded to one allocation: %s",
              c.ok ? "wrong results" : c.error);
    with_rules(unequal_allocations, affine_eval, &c);
    if (c.ok)
        printf("    finding: with allocations of 64, 96 and 48 KiB the eval succeeded, %s\n",
               worst_error(c.got, c.want, (size_t)AF_N * AF_M) <= 0.02 ? "with right results"
                                                                      : "with wrong results");
    else
        printf("    finding: with allocations of 64, 96 and 48 KiB the eval failed: %s\n", c.error);
    affine_teardown(&c);
}

/* y = x + x [1,64,1,512] (64 KiB) and a = channel sums [1,1,1,512] (1 KiB), returned as (y, a). */
enum { SD_C = 64, SD_S = 512 };

typedef struct outputs_case {
    float x[SD_C * SD_S], y[SD_C * SD_S], a[SD_S];
    int ok;
    char error[300];
} outputs_case;

static void outputs_eval(void *arg) {
    outputs_case *c = arg;
    char *mil = mil_sum_and_double(SD_C, SD_S, "y");
    ANEKernelHandle *k = mil ? compile_on("ane", mil, 1, 0, 2) : NULL;
    free(mil);
    c->ok = 0;
    if (!k) {
        snprintf(c->error, sizeof c->error, "compile: %s", ane_bridge_last_error());
        return;
    }
    ane_bridge_write_input_f32(k, 0, c->x, SD_C * SD_S);
    c->ok = ane_bridge_eval(k);
    if (c->ok) {
        ane_bridge_read_output_f32(k, 0, c->y, SD_C * SD_S);
        ane_bridge_read_output_f32(k, 1, c->a, SD_S);
    } else {
        snprintf(c->error, sizeof c->error, "%s", ane_bridge_last_error());
    }
    ane_bridge_free(k);
}

/* 1 when y holds 2x and a the channel sums. */
static int outputs_right(const outputs_case *c) {
    for (int i = 0; i < SD_C * SD_S; i++)
        if (c->y[i] != 2 * c->x[i]) return 0;
    for (int s = 0; s < SD_S; s++) {
        double sum = 0;
        for (int ch = 0; ch < SD_C; ch++) sum += c->x[ch * SD_S + s];
        if (fabs(c->a[s] - sum) > 0.01 * fmax(1, fabs(sum))) return 0;
    }
    return 1;
}

/* 1 when the outputs came back swapped: y's surface begins with the sums, a's with 2x. */
static int outputs_swapped(const outputs_case *c) {
    for (int s = 0; s < SD_S; s++)
        if (c->a[s] != 2 * c->x[s]) return 0;
    return 1;
}

TEST(hw_outputs_bind_in_the_byte_order_of_their_names) {
    if (!hardware()) return;
    static outputs_case c;
    for (int i = 0; i < SD_C * SD_S; i++) c.x[i] = (float)((i * 7 + i / SD_S) % 9 - 4) / 8.0f;
    outputs_eval(&c);
    CHECK_MSG(c.ok, "eval: %s", c.error);
    CHECK_MSG(!c.ok || outputs_right(&c), "outputs (y, a) bound as (a, y): wrong results%s",
              outputs_swapped(&c) ? ", and they are exactly swapped: the hardware writes in return order" : "");
    with_rules(declaration_order, outputs_eval, &c);
    printf("    finding: bound in return order (y, a), %s\n",
           !c.ok ? c.error : outputs_right(&c) ? "the outputs were right" : outputs_swapped(&c)
                                                                              ? "the outputs came back swapped"
                                                                              : "the outputs were wrong");
    with_rules(unequal_allocations, outputs_eval, &c);
    printf("    finding: with output allocations of 64 and 48 KiB, %s\n",
           !c.ok ? c.error : outputs_right(&c) ? "the outputs were right" : "the outputs were wrong");
}

typedef struct small_case {
    int ok;
    char error[300];
    float x[1024], y[1024];
} small_case;

static void small_eval(void *arg) {
    small_case *c = arg;
    ANEKernelHandle *k = compile_scale2();
    c->ok = 0;
    if (!k) return;
    ane_bridge_write_input_f32(k, 0, c->x, 1024);
    c->ok = ane_bridge_eval(k);
    if (c->ok) ane_bridge_read_output_f32(k, 0, c->y, 1024);
    else snprintf(c->error, sizeof c->error, "%s", ane_bridge_last_error());
    ane_bridge_free(k);
}

TEST(hw_a_tensor_under_48_kib_evaluates_in_a_padded_surface) {
    if (!hardware()) return;
    static small_case c;
    for (int i = 0; i < 1024; i++) c.x[i] = (float)(i % 23 - 11) / 4.0f;
    small_eval(&c);
    CHECK_MSG(c.ok, "a 2 KiB tensor in a 48 KiB surface: %s", c.error);
    for (int i = 0; c.ok && i < 1024; i++) CHECK_NEAR(2.0 * c.x[i], c.y[i], 0.0);
    with_rules(no_floor, small_eval, &c);
    int right = c.ok;
    for (int i = 0; right && i < 1024; i++) right = c.y[i] == 2 * c.x[i];
    printf("    finding: a 2 KiB tensor in a 2 KiB surface %s%s\n", c.ok ? "evaluated" : "failed: ",
           c.ok ? (right ? " with right results" : " with wrong results") : c.error);
}

/* A chain whose surfaces are padded differently: k1's output (2 KiB, in 48 KiB) becomes the input of a
 * kernel whose inputs are padded to its 64 KiB weight, so the ANE backend binds it through a staging
 * surface of that size. */
TEST(hw_aliasing_between_differently_padded_kernels_keeps_results) {
    if (!hardware()) return;
    enum { N = 1024, K = 32, M = 32 };
    char *mil = mil_affine(N, K, M, 0, "wide");
    ANEKernelHandle *k1 = compile_scale2(), *k2 = mil ? compile_on("ane", mil, 1, 1, 1) : NULL;
    free(mil);
    CHECK_MSG(k2 != NULL, "compile: %s", ane_bridge_last_error());
    if (k1 && k2) {
        CHECK_EQ_INT(0, ane_bridge_alias_surface(k1, ANE_SURFACE_OUTPUT, 0, k2, ANE_SURFACE_INPUT, 0));
        static float x[K * M], x2[K * M], w[N * K], want[N * M], got[N * M];
        pattern(x, K * M, 7, 1, 15, 1.0f / 8);
        pattern(w, N * K, 3, 5, 13, 1.0f / 16);
        for (int i = 0; i < K * M; i++) x2[i] = 2 * x[i];
        naive_affine(w, x2, NULL, N, K, M, want);
        ane_bridge_write_input_f32(k1, 0, x, K * M);
        ane_bridge_write_weight_f32(k2, 0, w, N * K);
        CHECK_MSG(ane_bridge_eval(k1), "eval k1: %s", ane_bridge_last_error());
        CHECK_MSG(ane_bridge_eval(k2), "eval k2: %s", ane_bridge_last_error());
        ane_bridge_read_output_f32(k2, 0, got, N * M);
        double e = worst_error(got, want, N * M);
        CHECK_MSG(e <= 0.02, "W @ (2x) through the alias: worst relative error %g", e);
    }
    ane_bridge_free(k1);
    ane_bridge_free(k2);
}

/* ---- the compile budget ----------------------------------------------------------------------------- */

TEST(hw_compiles_past_the_budget_are_refused_and_held_programs_still_serve) {
    if (!hardware()) return;
    char tag[96];
    fresh_tag(tag, sizeof tag, "budget_held");
    char *held_mil = mil_add_self(8, 64, tag);
    fresh_tag(tag, sizeof tag, "budget_refused");
    char *refused_mil = mil_add_self(8, 64, tag);
    int saved = ane_bridge_get_compile_budget();
    ANEKernelHandle *held = compile_on("ane", held_mil, 1, 0, 1);
    CHECK_MSG(held != NULL, "compile: %s", ane_bridge_last_error());
    int used = ane_bridge_get_compile_budget_used(), compiles = ane_bridge_get_compile_count();
    CHECK(used >= 1);
    ane_bridge_set_compile_budget(used);

    ANEKernelHandle *k = compile_on("ane", refused_mil, 1, 0, 1);
    CHECK(k == NULL);
    CHECK_EQ_INT(ANE_ERR_COMPILE_BUDGET, ane_bridge_last_error_code());
    const char *msg = ane_bridge_last_error();
    CHECK_MSG(msg && strstr(msg, "compile budget"), "message: %s", msg ? msg : "(none)");
    CHECK_EQ_INT(used, ane_bridge_get_compile_budget_used());
    CHECK_EQ_INT(compiles, ane_bridge_get_compile_count());

    ANEKernelHandle *again = compile_on("ane", held_mil, 1, 0, 1); /* the process's cache: no compile */
    CHECK_MSG(again != NULL, "an identical program past the budget: %s", ane_bridge_last_error());
    ane_bridge_free(again);
    ane_bridge_free(held);
    ane_bridge_set_compile_budget(saved);
    printf("    finding: %d ANE compiles used in this process so far, budget %d\n",
           ane_bridge_get_compile_budget_used(), saved);
    free(held_mil);
    free(refused_mil);
}

/* ---- the daemon's cache ----------------------------------------------------------------------------- */

#if defined(ANE4J_HAVE_DARWIN_BACKEND)
/* Compile, load, unload mil on the ANE backend itself, around the process's compile cache: what the backend
 * does for a second model object of a program. Returns 1 when it loaded; *did_compile says whether it
 * called the compiler. */
static int backend_load_once(const char *mil, int *did_compile) {
    mil_parse_error err = {0};
    mil_program *parsed = mil_parse(mil, strlen(mil), &err);
    CHECK_MSG(parsed != NULL, "parse: %s", err.message);
    if (!parsed) return 0;
    ane_compile_input in = {.mil_text = mil, .mil_len = strlen(mil), .program = parsed};
    void *program = ane_darwin_backend.program_compile(&in, did_compile);
    CHECK_MSG(program != NULL, "backend compile: %s", ane_bridge_last_error());
    if (program) ane_darwin_backend.program_free(program);
    mil_program_free(parsed);
    return program != NULL;
}
#endif

TEST(hw_a_program_the_daemon_holds_loads_without_compiling) {
    if (!hardware()) return;
#if defined(ANE4J_HAVE_DARWIN_BACKEND)
    char tag[96];
    fresh_tag(tag, sizeof tag, "daemon_holds");
    char *mil = mil_add_self(16, 64, tag);
    ANEKernelHandle *k = compile_on("ane", mil, 1, 0, 1);
    CHECK_MSG(k != NULL, "compile: %s", ane_bridge_last_error());
    if (k) {
        int saved = ane_bridge_get_compile_budget(), used = ane_bridge_get_compile_budget_used();
        ane_bridge_set_compile_budget(used); /* a compile now would be refused */
        int did_compile = -1;
        int loaded = backend_load_once(mil, &did_compile);
        CHECK_MSG(loaded && did_compile == 0,
                  "a second model of a loaded program should load without compiling (compiledModelExists); "
                  "it %s", loaded ? "compiled" : "failed");
        CHECK_EQ_INT(used, ane_bridge_get_compile_budget_used());
        ane_bridge_set_compile_budget(saved);
        /* the second model was unloaded again: does the first still evaluate? */
        float x[1024], y[1024];
        for (int i = 0; i < 1024; i++) x[i] = (float)(i % 13 - 6) / 2.0f;
        ane_bridge_write_input_f32(k, 0, x, 1024);
        int ok = ane_bridge_eval(k);
        if (ok) ane_bridge_read_output_f32(k, 0, y, 1024);
        int right = ok;
        for (int i = 0; right && i < 1024; i++) right = y[i] == 2 * x[i];
        printf("    finding: after unloading a second model of the same program, the first %s\n",
               right ? "still evaluates correctly" : ok ? "evaluates wrongly" : ane_bridge_last_error());
    }
    ane_bridge_free(k);
    free(mil);
#endif
}

/* ---- second processes ------------------------------------------------------------------------------- */

static int self_path(char *out, uint32_t cap) {
#if defined(__APPLE__)
    return _NSGetExecutablePath(out, &cap) == 0 ? 0 : -1;
#else
    ssize_t n = readlink("/proc/self/exe", out, cap - 1);
    if (n < 0) return -1;
    out[n] = '\0';
    return 0;
#endif
}

/* Run this test runner again with only the test named test and env_name=env_value, its output in log.
 * Returns its exit status, or -1; on failure its output is printed. */
static int run_child(const char *test, const char *env_name, const char *env_value, const char *log) {
    char self[1024];
    if (self_path(self, sizeof self) != 0) return -1;
    setenv(env_name, env_value, 1);
    posix_spawn_file_actions_t io;
    posix_spawn_file_actions_init(&io);
    posix_spawn_file_actions_addopen(&io, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_adddup2(&io, 1, 2);
    char *argv[] = {self, (char *)test, NULL};
    pid_t pid;
    int rc = posix_spawn(&pid, self, &io, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&io);
    unsetenv(env_name);
    int status = -1;
    if (rc == 0 && waitpid(pid, &status, 0) == pid) status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    char line[512];
    FILE *f = fopen(log, "r");
    while (f && fgets(line, sizeof line, f))
        if (status != 0 || strstr(line, "finding:")) printf("      | %s", line);
    if (f) fclose(f);
    unlink(log);
    return rc == 0 ? status : -1;
}

/* In the second process: the tag its parent test passed in env, or NULL after skipping (anywhere else, or
 * without a usable Neural Engine). */
static const char *child_tag(const char *env, const char *parent) {
    const char *tag = getenv(env);
    if (!tag) {
        char why[200];
        snprintf(why, sizeof why, "runs only as the second process of %s", parent);
        test_skip(why);
        return NULL;
    }
    return hardware() ? tag : NULL;
}

/* In the parent test: 1 when it may run here (not in its own second process, and with a Neural Engine). */
static int parent_runs(const char *env) {
    if (getenv(env)) {
        test_skip("this is the second process");
        return 0;
    }
    return hardware();
}

static void log_path(char *out, size_t cap, const char *what) {
    snprintf(out, cap, "%s/ane4j-%s-%ld.log", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", what, (long)getpid());
}

#define TWIN_ENV "ANE4J_TEST_TWIN"

/* out = x + x on [1, 16, 1, 64] under the tag in the environment; 2x checked. Returns the real compiles. */
static int twin_compile_and_check(const char *tag, ANEKernelHandle **kept) {
    char *mil = mil_add_self(16, 64, tag);
    int before = ane_bridge_get_compile_budget_used();
    ANEKernelHandle *k = compile_on("ane", mil, 1, 0, 1);
    free(mil);
    CHECK_MSG(k != NULL, "compile: %s", ane_bridge_last_error());
    if (!k) return -1;
    float x[1024], y[1024];
    for (int i = 0; i < 1024; i++) x[i] = (float)(i % 29 - 14) / 8.0f;
    ane_bridge_write_input_f32(k, 0, x, 1024);
    CHECK_MSG(ane_bridge_eval(k), "eval: %s", ane_bridge_last_error());
    ane_bridge_read_output_f32(k, 0, y, 1024);
    for (int i = 0; i < 1024; i += 7) CHECK_NEAR(2.0 * x[i], y[i], 0.0);
    *kept = k;
    return ane_bridge_get_compile_budget_used() - before;
}

/* The second process of hw_two_processes_use_one_program_at_once. */
TEST(hw_twin_child) {
    const char *tag = child_tag(TWIN_ENV, "hw_two_processes_use_one_program_at_once");
    if (!tag) return;
    ANEKernelHandle *k = NULL;
    int compiles = twin_compile_and_check(tag, &k);
    printf("    finding: a second process %s the program another process holds loaded\n",
           compiles == 0 ? "loaded without compiling" : "compiled again");
    ane_bridge_free(k); /* idle in the cache: unloaded at exit, which deletes the shared folder */
}

TEST(hw_two_processes_use_one_program_at_once) {
    if (!parent_runs(TWIN_ENV)) return;
    char tag[96], log[600];
    fresh_tag(tag, sizeof tag, "twin");
    ANEKernelHandle *k = NULL;
    CHECK_EQ_INT(1, twin_compile_and_check(tag, &k));
    if (!k) return;
    log_path(log, sizeof log, "twin");
    int status = run_child("hw_twin_child", TWIN_ENV, tag, log);
    CHECK_MSG(status == 0, "the second process failed (status %d)", status);
    /* the other process unloaded the program and its folder is gone: the loaded one must not need it */
    float x[1024], y[1024];
    for (int i = 0; i < 1024; i++) x[i] = (float)(i % 5) - 2.0f;
    ane_bridge_write_input_f32(k, 0, x, 1024);
    CHECK_MSG(ane_bridge_eval(k), "eval after the other process unloaded: %s", ane_bridge_last_error());
    ane_bridge_read_output_f32(k, 0, y, 1024);
    for (int i = 0; i < 1024; i += 7) CHECK_NEAR(2.0 * x[i], y[i], 0.0);
    ane_bridge_free(k);
}

/* The folder NSTemporaryDirectory() names for this user. */
static void temporary_folder(char *out, size_t cap) {
#if defined(_CS_DARWIN_USER_TEMP_DIR)
    if (confstr(_CS_DARWIN_USER_TEMP_DIR, out, cap) > 0 && out[0]) return;
#endif
    snprintf(out, cap, "%s", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
}

/* 1 for the names the backend leaves in the temporary folder: model folders (the framework's 194-character
 * identifiers: hex digests joined by '_') and ".ane4j-<identifier>.lock". */
static int is_model_entry(const char *name) {
    const char *id = strncmp(name, ".ane4j-", 7) == 0 ? name + 7 : name;
    size_t n = strspn(id, "0123456789ABCDEFabcdef_");
    return n >= 128 && (id[n] == '\0' || strcmp(id + n, ".lock") == 0);
}

/* The model entries in dir, as one '\n'-separated string (malloc'd). */
static char *model_entries(const char *dir) {
    size_t cap = 4096, used = 0;
    char *list = calloc(cap, 1);
    DIR *d = opendir(dir);
    for (struct dirent *e; d && (e = readdir(d)) != NULL;) {
        if (!is_model_entry(e->d_name)) continue;
        size_t n = strlen(e->d_name);
        if (used + n + 2 > cap) list = realloc(list, cap = 2 * cap + n);
        memcpy(list + used, e->d_name, n);
        used += n;
        list[used++] = '\n';
        list[used] = '\0';
    }
    if (d) closedir(d);
    return list;
}

#define LEAVES_ENV "ANE4J_TEST_LEAVES"

/* The second process of hw_a_process_leaves_no_model_folders_behind: compiles, frees, exits. */
TEST(hw_leaves_child) {
    const char *tag = child_tag(LEAVES_ENV, "hw_a_process_leaves_no_model_folders_behind");
    if (!tag) return;
    char name[128];
    for (int i = 0; i < 2; i++) {
        snprintf(name, sizeof name, "%s_%d", tag, i);
        char *mil = mil_add_self(4, 128, name);
        ANEKernelHandle *k = compile_on("ane", mil, 1, 0, 1);
        CHECK_MSG(k != NULL, "compile: %s", ane_bridge_last_error());
        CHECK(k && ane_bridge_eval(k));
        ane_bridge_free(k); /* idle in the cache, on the ANE, until the exit hook unloads it */
        free(mil);
    }
}

TEST(hw_a_process_leaves_no_model_folders_behind) {
    if (!parent_runs(LEAVES_ENV)) return;
    char tmp[1024], tag[96], log[600];
    temporary_folder(tmp, sizeof tmp);
    fresh_tag(tag, sizeof tag, "leaves");
    char *before = model_entries(tmp);
    log_path(log, sizeof log, "leaves");
    int status = run_child("hw_leaves_child", LEAVES_ENV, tag, log);
    CHECK_MSG(status == 0, "the second process failed (status %d)", status);
    char *after = model_entries(tmp);
    for (char *line = after, *end; *line; line = end + 1) {
        end = strchr(line, '\n');
        *end = '\0';
        CHECK_MSG(strstr(before, line) != NULL, "left in %s after the process exited: %s", tmp, line);
    }
    free(before);
    free(after);
}

/* ---- the project's own programs on both backends ---------------------------------------------------- */

typedef struct own_program {
    const char *what;
    char *mil;
    int n_inputs, n_weights, n_outputs;
    const char *weight_name; /* one BLOBFILE weight file, or NULL */
    uint8_t *weight;
    size_t weight_len;
    int (*fill)(ANEKernelHandle *); /* NULL: inputs from a fixed random sequence */
    int may_refuse;                 /* the ANE compiler may reject it (dynamic conv weights) */
} own_program;

/* A weight file of one fp16 tensor of rows x cols values in [-0.5, 0.5). */
static void own_weight(own_program *p, const char *name, int rows, int cols) {
    float *v = malloc((size_t)rows * cols * sizeof(float));
    uint32_t rng = 777;
    for (int i = 0; i < rows * cols; i++) v[i] = corpus_random(&rng) / 2;
    p->weight_name = name;
    p->weight = ane_bridge_build_weight_blob(v, rows, cols, &p->weight_len);
    free(v);
}

/* The programs: every request shape the rules touch (several inputs of several sizes out of order, several
 * outputs out of order), BLOBFILE weights in the model folder, and the project's Stories110M layer. */
static int own_programs(own_program *p) {
    int n = 0;
    p[n++] = (own_program){.what = "add_self", .mil = mil_add_self(32, 32, "own_add"), .n_inputs = 1, .n_outputs = 1};
    p[n++] = (own_program){.what = "dynamic matmul", .mil = mil_affine(64, 64, 64, 0, "own_mm"), .n_inputs = 1,
                           .n_weights = 1, .n_outputs = 1};
    p[n++] = (own_program){.what = "affine x, W, b", .mil = mil_affine(48, 64, 32, 1, "own_affine"), .n_inputs = 3,
                           .n_outputs = 1};
    p[n++] = (own_program){.what = "outputs (y, a)", .mil = mil_sum_and_double(32, 64, "own_y"), .n_inputs = 1,
                           .n_outputs = 2};
    p[n] = (own_program){.what = "1x1 conv with a BLOBFILE weight", .n_inputs = 1, .n_outputs = 1,
                         .mil = mil_text("    func main<ios18>(tensor<fp16, [1, 64, 1, 32]> x) {\n"
                                  "        string pt = const()[name=string(\"pt\"), val=string(\"valid\")];\n"
                                  "        tensor<int32, [2]> st = const()[name=string(\"st\"), val=tensor<int32, [2]>([1,1])];\n"
                                  "        tensor<int32, [4]> pd = const()[name=string(\"pd\"), val=tensor<int32, [4]>([0,0,0,0])];\n"
                                  "        tensor<int32, [2]> dl = const()[name=string(\"dl\"), val=tensor<int32, [2]>([1,1])];\n"
                                  "        int32 gr = const()[name=string(\"gr\"), val=int32(1)];\n"
                                  "        tensor<fp16, [48, 64, 1, 1]> W = const()[name=string(\"W\"), val=tensor<fp16, [48, 64, 1, 1]>"
                                  "(BLOBFILE(path=string(\"@model_path/weights/conv.bin\"), offset=uint64(64)))];\n"
                                  "        tensor<fp16, [1, 48, 1, 32]> y = conv(dilations=dl,groups=gr,pad=pd,pad_type=pt,"
                                  "strides=st,weight=W,x=x)[name=string(\"own_conv\")];\n"
                                  "    } -> (y);\n}\n")};
    own_weight(&p[n++], "@model_path/weights/conv.bin", 48, 64);
    p[n] = (own_program){.what = "RMSNorm with a BLOBFILE gain", .n_inputs = 1, .n_outputs = 1,
                         .mil = mil_text("    func main<ios18>(tensor<fp16, [1, 64, 1, 32]> x) {\n"
                                  "        tensor<fp16, [1,64,1,32]> sq = mul(x=x,y=x)[name=string(\"sq\")];\n"
                                  "        tensor<int32, [1]> ax = const()[name=string(\"ax\"), val=tensor<int32, [1]>([1])];\n"
                                  "        bool kd = const()[name=string(\"kd\"), val=bool(true)];\n"
                                  "        tensor<fp16, [1,1,1,32]> ss = reduce_sum(x=sq,axes=ax,keep_dims=kd)[name=string(\"ss\")];\n"
                                  "        fp16 inv = const()[name=string(\"inv\"), val=fp16(0.015625)];\n"
                                  "        tensor<fp16, [1,1,1,32]> ms = mul(x=ss,y=inv)[name=string(\"ms\")];\n"
                                  "        fp16 eps = const()[name=string(\"eps\"), val=fp16(0.00001)];\n"
                                  "        tensor<fp16, [1,1,1,32]> me = add(x=ms,y=eps)[name=string(\"me\")];\n"
                                  "        fp16 nh = const()[name=string(\"nh\"), val=fp16(-0.5)];\n"
                                  "        tensor<fp16, [1,1,1,32]> rr = pow(x=me,y=nh)[name=string(\"rr\")];\n"
                                  "        tensor<fp16, [1,64,1,32]> xr = mul(x=x,y=rr)[name=string(\"xr\")];\n"
                                  "        tensor<fp16, [1,64,1,1]> g = const()[name=string(\"g\"), val=tensor<fp16, [1,64,1,1]>"
                                  "(BLOBFILE(path=string(\"@model_path/weights/gain.bin\"), offset=uint64(64)))];\n"
                                  "        tensor<fp16, [1,64,1,32]> out = mul(x=xr,y=g)[name=string(\"own_rms\")];\n"
                                  "    } -> (out);\n}\n")};
    own_weight(&p[n++], "@model_path/weights/gain.bin", 1, 64);
    p[n++] = (own_program){.what = "softmax over channels", .n_inputs = 1, .n_outputs = 1,
                           .mil = mil_text("    func main<ios18>(tensor<fp16, [1, 64, 1, 32]> x) {\n"
                                    "        int32 ax = const()[name=string(\"ax\"), val=int32(1)];\n"
                                    "        tensor<fp16, [1,64,1,32]> out = softmax(axis=ax,x=x)[name=string(\"own_sm\")];\n"
                                    "    } -> (out);\n}\n")};
    p[n++] = (own_program){.what = "attention q, k, v", .n_inputs = 3, .n_outputs = 1,
                           .mil = mil_text("    func main<ios18>(tensor<fp16, [1, 2, 16, 32]> q, tensor<fp16, [1, 2, 16, 32]> k, "
                                    "tensor<fp16, [1, 2, 16, 32]> v) {\n"
                                    "        tensor<fp16, [1, 2, 16, 32]> att = scaled_dot_product_attention(query=q,key=k,value=v)"
                                    "[name=string(\"own_sdpa\")];\n"
                                    "    } -> (att);\n}\n")};
    p[n++] = (own_program){.what = "Stories110M layer (dynamic weights)", .mil = stories_layer_mil("own_stories"),
                           .n_inputs = 1, .n_weights = STORIES_WEIGHTS, .n_outputs = 1, .fill = stories_layer_fill,
                           .may_refuse = 1};
    return n;
}

static size_t dtype_bytes(int dtype) {
    switch (dtype) {
    case ANE_DTYPE_FP16: return 2;
    case ANE_DTYPE_FP32: case ANE_DTYPE_INT32: return 4;
    case ANE_DTYPE_INT8: case ANE_DTYPE_UINT8: return 1;
    default: return 0;
    }
}

/* Run p on a backend; its outputs (as floats) go to outs[j] (malloc'd), their counts to counts[j]. NULL:
 * refused (message set). */
static ANEKernelHandle *run_on(const char *backend, const own_program *p, float **outs, size_t *counts) {
    const char *names[1] = {p->weight_name};
    const uint8_t *datas[1] = {p->weight};
    size_t lens[1] = {p->weight_len};
    ANEKernelHandle *k = ane_bridge_compile_ex(backend, p->mil, strlen(p->mil), names, datas, lens,
                                               p->weight_name ? 1 : 0, p->n_inputs, NULL, p->n_weights, NULL,
                                               p->n_outputs, NULL);
    if (!k) return NULL;
    if (p->fill) {
        if (p->fill(k) != 0) {
            ane_bridge_free(k);
            return NULL;
        }
    } else {
        uint32_t rng = 12345;
        for (int i = 0; i < p->n_inputs; i++) {
            size_t n = ane_bridge_surface_size(k, ANE_SURFACE_INPUT, i) / 2;
            float *x = malloc(n * sizeof *x);
            for (size_t e = 0; e < n; e++) x[e] = corpus_random(&rng);
            ane_bridge_write_input_f32(k, i, x, n);
            free(x);
        }
    }
    if (!ane_bridge_eval(k)) {
        ane_bridge_free(k);
        return NULL;
    }
    for (int j = 0; j < p->n_outputs; j++) {
        int dtype = ane_bridge_surface_dtype(k, ANE_SURFACE_OUTPUT, j);
        counts[j] = ane_bridge_surface_size(k, ANE_SURFACE_OUTPUT, j) / dtype_bytes(dtype);
        outs[j] = malloc(counts[j] * sizeof(float));
        ane_bridge_read_output_f32(k, j, outs[j], counts[j]);
    }
    return k;
}

/* ANE output within 3% of the reference output's largest magnitude (at least 1): fp16 keeps ~3 digits and
 * the ANE accumulates in its own order. NaN must meet NaN. */
static void compare_outputs(const char *what, int j, const float *ref, const float *ane, size_t n) {
    double scale = 1;
    for (size_t i = 0; i < n; i++)
        if (isfinite(ref[i]) && fabs(ref[i]) > scale) scale = fabs(ref[i]);
    for (size_t i = 0; i < n; i++) {
        int same = isnan(ref[i]) ? isnan(ane[i]) : fabs((double)ref[i] - ane[i]) <= 0.03 * scale;
        if (!same) {
            CHECK_MSG(0, "%s output %d[%zu]: ane %g, reference %g (tolerance %g)", what, j, i, ane[i], ref[i],
                      0.03 * scale);
            return;
        }
    }
}

TEST(hw_own_programs_agree_with_the_reference_backend) {
    if (!hardware()) return;
    own_program programs[16];
    int n = own_programs(programs), compared = 0;
    for (int i = 0; i < n; i++) {
        own_program *p = &programs[i];
        float *ref_out[4] = {0}, *ane_out[4] = {0};
        size_t ref_n[4], ane_n[4];
        ANEKernelHandle *kr = p->mil ? run_on("reference", p, ref_out, ref_n) : NULL;
        CHECK_MSG(kr != NULL, "%s on the reference backend: %s", p->what, ane_bridge_last_error());
        ANEKernelHandle *ka = kr ? run_on("ane", p, ane_out, ane_n) : NULL;
        if (kr && !ka) {
            if (p->may_refuse) printf("    finding: the ANE refused %s: %s\n", p->what, ane_bridge_last_error());
            else CHECK_MSG(0, "%s on the ANE: %s", p->what, ane_bridge_last_error());
        }
        if (ka) {
            compared++;
            for (int j = 0; j < p->n_outputs; j++) {
                CHECK_EQ_INT(ref_n[j], ane_n[j]);
                if (ref_n[j] == ane_n[j]) compare_outputs(p->what, j, ref_out[j], ane_out[j], ref_n[j]);
            }
        }
        for (int j = 0; j < 4; j++) {
            free(ref_out[j]);
            free(ane_out[j]);
        }
        ane_bridge_free(kr);
        ane_bridge_free(ka);
        free(p->mil);
        ane_bridge_free_blob(p->weight);
    }
    printf("    %d of %d programs compared\n", compared, n);
}
