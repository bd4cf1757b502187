/* The upstream bridge's test scenarios and the ane4j additions, through the public ABI on the
 * reference backend. Expected values are worked out by hand or by naive loops here. */
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ane_bridge.h"
#include "core_fixtures.h"
#include "corpus.h"
#include "test.h"

#define N 64 /* the upstream test's 64 x 64 x 64 dynamic matmul */
#define BYTES ((size_t)N * N * 2)

/* x[k][m] = ((k * 64 + m) % 199 - 99) / 4: distinct, exact in fp16, and exact when doubled or tripled. */
static int x_quarters(int k, int m) { return (k * N + m) % 199 - 99; }

static ANEKernelHandle *compile_dyn_matmul(void) {
    char *mil = mil_dyn_matmul(N, N, N);
    size_t in = BYTES, w = BYTES;
    ANEKernelHandle *k = ane_bridge_compile_dyn(mil, strlen(mil), 1, &in, 1, &w, BYTES);
    CHECK_MSG(k != NULL, "compile_dyn: %s", ane_bridge_last_error());
    free(mil);
    return k;
}

static void write_x(ANEKernelHandle *k) {
    uint16_t x[N * N];
    for (int r = 0; r < N; r++)
        for (int c = 0; c < N; c++) x[r * N + c] = fp16_quarter(x_quarters(r, c));
    ane_bridge_write_input(k, 0, x, sizeof x);
    CHECK_EQ_INT(ANE_OK, ane_bridge_last_error_code());
}

/* W = scale * I in raw fp16. */
static void write_scaled_identity(ANEKernelHandle *k, int scale) {
    uint16_t w[N * N] = { 0 };
    for (int i = 0; i < N; i++) w[i * N + i] = fp16_quarter(4 * scale);
    ane_bridge_write_weight(k, 0, w, sizeof w);
    CHECK_EQ_INT(ANE_OK, ane_bridge_last_error_code());
}

/* out[n][m] must be scale * x[n][m], bit for bit. */
static void check_scaled_x(ANEKernelHandle *k, int scale) {
    uint16_t out[N * N];
    ane_bridge_read_output(k, 0, out, sizeof out);
    CHECK_EQ_INT(ANE_OK, ane_bridge_last_error_code());
    int bad = 0;
    for (int r = 0; r < N && bad < 3; r++)
        for (int c = 0; c < N && bad < 3; c++) {
            uint16_t want = fp16_quarter(scale * x_quarters(r, c));
            if (out[r * N + c] != want) {
                bad++;
                CHECK_MSG(0, "out[%d][%d] = 0x%04x, expected 0x%04x (%d/4)", r, c, out[r * N + c], want,
                          scale * x_quarters(r, c));
            }
        }
}

TEST(abi_dynamic_matmul_with_identity_weight_returns_x) {
    ANEKernelHandle *k = compile_dyn_matmul();
    if (!k) return;
    CHECK(!strcmp(ane_bridge_kernel_backend(k), ane_bridge_backend_name()));
    write_x(k);
    write_scaled_identity(k, 1);
    CHECK(ane_bridge_eval(k));
    check_scaled_x(k, 1);
    ane_bridge_free(k);
}

TEST(abi_rewriting_the_weight_doubles_the_output_without_recompiling) {
    ANEKernelHandle *k = compile_dyn_matmul();
    if (!k) return;
    write_x(k);
    write_scaled_identity(k, 1);
    CHECK(ane_bridge_eval(k));
    int compiles = ane_bridge_get_compile_count();
    write_scaled_identity(k, 2);
    CHECK(ane_bridge_eval(k));
    check_scaled_x(k, 2);
    CHECK_EQ_INT(compiles, ane_bridge_get_compile_count());
    ane_bridge_free(k);
}

TEST(abi_write_weight_f32_converts_into_the_fp16_weight_surface) {
    ANEKernelHandle *k = compile_dyn_matmul();
    if (!k) return;
    float *w = calloc(N * N, sizeof *w);
    for (int i = 0; i < N; i++) w[i * N + i] = 3.0f;
    write_x(k);
    ane_bridge_write_weight_f32(k, 0, w, N * N);
    CHECK_EQ_INT(ANE_OK, ane_bridge_last_error_code());
    const uint16_t *raw = ane_bridge_surface_pointer(k, ANE_SURFACE_WEIGHT, 0);
    CHECK_EQ_INT(0x4200, raw[0]);     /* 3.0 */
    CHECK_EQ_INT(0x0000, raw[1]);
    CHECK(ane_bridge_eval(k));
    check_scaled_x(k, 3);
    float out[N * N];
    ane_bridge_read_output_f32(k, 0, out, N * N);
    CHECK_NEAR(3.0 * x_quarters(5, 7) / 4.0, out[5 * N + 7], 0);
    free(w);
    ane_bridge_free(k);
}

TEST(abi_copy_io_chains_two_x_plus_x_kernels_into_4x) {
    char *mil = mil_add_self(32, 32, "copy_chain");
    size_t sz = 32 * 32 * 2;
    ANEKernelHandle *k1 = ane_bridge_compile_dyn(mil, strlen(mil), 1, &sz, 0, NULL, sz);
    ANEKernelHandle *k2 = ane_bridge_compile_dyn(mil, strlen(mil), 1, &sz, 0, NULL, sz);
    CHECK(k1 && k2);
    if (k1 && k2) {
        uint16_t x[32 * 32], out[32 * 32];
        for (int i = 0; i < 32 * 32; i++) x[i] = fp16_quarter(i % 200 - 100);
        ane_bridge_write_input(k1, 0, x, sz);
        CHECK(ane_bridge_eval(k1));
        ane_bridge_copy_io(k1, 0, k2, 0);
        CHECK_EQ_INT(ANE_OK, ane_bridge_last_error_code());
        CHECK(ane_bridge_eval(k2));
        ane_bridge_read_output(k2, 0, out, sz);
        for (int i = 0; i < 32 * 32; i++)
            if (out[i] != fp16_quarter(4 * (i % 200 - 100))) {
                CHECK_MSG(0, "out[%d] = 0x%04x, expected 4 * %d/4", i, out[i], i % 200 - 100);
                break;
            }
    }
    ane_bridge_free(k1);
    ane_bridge_free(k2);
    free(mil);
}

TEST(abi_eval_inside_nested_realtime_brackets) {
    ANEKernelHandle *k = compile_dyn_matmul();
    if (!k) return;
    write_x(k);
    write_scaled_identity(k, 1);
    ane_bridge_begin_realtime();
    CHECK_EQ_INT(ANE_OK, ane_bridge_last_error_code());
    ane_bridge_begin_realtime();
    CHECK(ane_bridge_eval(k));
    ane_bridge_end_realtime();
    CHECK(ane_bridge_eval(k));
    ane_bridge_end_realtime();
    CHECK_EQ_INT(ANE_OK, ane_bridge_last_error_code());
    check_scaled_x(k, 1);
    ane_bridge_free(k);
}

/* Upstream's single-blob compile: a 1x1 conv with fp32 I/O whose weight file must be named
 * "@model_path/weights/weight.bin" (the program of the corpus's sample 04). */
TEST(abi_upstream_compile_with_one_weight_blob_runs_the_conv_sample) {
    size_t len, wlen;
    const char *mil = MIL_CONV_FP32_IO;
    const float W[12] = { 1, 0, 0, 0, 0.5f, 0.5f, 0, 0, 1, -1, 1, -1 };
    uint8_t *blob = ane_bridge_build_weight_blob(W, 3, 4, &wlen);
    char *sample = corpus_read_optional("samples/04_conv_blobfile_in4_out3_sp2.weight.bin", &len);
    if (sample) {
        CHECK_EQ_INT(152, wlen);
        CHECK(len == wlen && !memcmp(sample, blob, wlen)); /* the sample's bytes were made independently */
    }
    size_t in = 32, out = 24;
    ANEKernelHandle *k = ane_bridge_compile(mil, strlen(mil), blob, wlen, 1, &in, 1, &out);
    CHECK_MSG(k != NULL, "compile: %s", ane_bridge_last_error());
    if (k) {
        CHECK_EQ_INT(ANE_DTYPE_FP32, ane_bridge_surface_dtype(k, ANE_SURFACE_INPUT, 0));
        const float x[8] = { 1, -1, 2, 0.5f, 3, 4, -2, 1 };
        float y[6];
        ane_bridge_write_input(k, 0, x, sizeof x);
        CHECK(ane_bridge_eval(k));
        ane_bridge_read_output(k, 0, y, sizeof y);
        const float want[6] = { 1, -1, 1.5f, -0.25f, 4, 1.5f };
        for (int i = 0; i < 6; i++) CHECK_NEAR(want[i], y[i], 0);
    }
    ane_bridge_free(k);
    ane_bridge_free_blob(blob);
    free(sample);
}

static const char *TWO_BLOBS =
    "program(1.3)\n"
    "{\n"
    "    func main<ios18>(tensor<fp16, [1, 4]> x) {\n"
    "        tensor<fp16, [1, 4]> a = const()[name = string(\"a\"), val = tensor<fp16, [1, 4]>(BLOBFILE(path = "
    "string(\"@model_path/weights/a.bin\"), offset = uint64(64)))];\n"
    "        tensor<fp16, [1, 4]> b = const()[name = string(\"b\"), val = tensor<fp16, [1, 4]>(BLOBFILE(path = "
    "string(\"@model_path/weights/b.bin\"), offset = uint64(64)))];\n"
    "        tensor<fp16, [1, 4]> ax = mul(x = x, y = a)[name = string(\"ax\")];\n"
    "        tensor<fp16, [1, 4]> y = add(x = ax, y = b)[name = string(\"y\")];\n"
    "    } -> (y);\n"
    "}\n";

TEST(abi_compile_multi_weights_reads_each_named_file) {
    const float a[4] = { 1, 2, -1, 0.5f }, b[4] = { 10, 20, 30, 40 };
    size_t la, lb;
    uint8_t *ba = ane_bridge_build_weight_blob(a, 1, 4, &la), *bb = ane_bridge_build_weight_blob(b, 1, 4, &lb);
    const char *names[2] = { "@model_path/weights/b.bin", "@model_path/weights/a.bin" }; /* any order */
    const uint8_t *datas[2] = { bb, ba };
    const size_t lens[2] = { lb, la };
    ANEKernelHandle *k = ane_bridge_compile_multi_weights(TWO_BLOBS, strlen(TWO_BLOBS), names, datas, lens, 2, 1,
                                                          NULL, 1, NULL);
    CHECK_MSG(k != NULL, "compile_multi_weights: %s", ane_bridge_last_error());
    ane_bridge_free_blob(ba); /* the library copied what it needs */
    ane_bridge_free_blob(bb);
    if (k) {
        const float x[4] = { 3, 4, 5, 6 };
        float y[4];
        ane_bridge_write_input_f32(k, 0, x, 4);
        CHECK(ane_bridge_eval(k));
        ane_bridge_read_output_f32(k, 0, y, 4);
        CHECK_NEAR(13, y[0], 0);  /* 3*1 + 10 */
        CHECK_NEAR(28, y[1], 0);  /* 4*2 + 20 */
        CHECK_NEAR(25, y[2], 0);  /* 5*-1 + 30 */
        CHECK_NEAR(43, y[3], 0);  /* 6*0.5 + 40 */
    }
    ane_bridge_free(k);
}

static const char *TWO_OUTPUTS =
    "program(1.3)\n"
    "{\n"
    "    func main<ios18>(tensor<fp16, [2, 3]> x, tensor<fp32, [2, 3]> w) {\n"
    "        string to16 = const()[name = string(\"to16\"), val = string(\"fp16\")];\n"
    "        tensor<fp16, [2, 3]> w16 = cast(dtype = to16, x = w)[name = string(\"c\")];\n"
    "        tensor<fp16, [2, 3]> s = add(x = x, y = w16)[name = string(\"s\")];\n"
    "        tensor<fp16, [2, 3]> p = mul(x = x, y = w16)[name = string(\"p\")];\n"
    "    } -> (s, p);\n"
    "}\n";

TEST(abi_compile_dyn_multi_derives_sizes_and_returns_every_output) {
    ANEKernelHandle *k = ane_bridge_compile_dyn_multi(TWO_OUTPUTS, strlen(TWO_OUTPUTS), 1, NULL, 1, NULL, 2, NULL);
    CHECK_MSG(k != NULL, "compile_dyn_multi: %s", ane_bridge_last_error());
    if (!k) return;
    CHECK_EQ_INT(1, ane_bridge_surface_count(k, ANE_SURFACE_INPUT));
    CHECK_EQ_INT(1, ane_bridge_surface_count(k, ANE_SURFACE_WEIGHT));
    CHECK_EQ_INT(2, ane_bridge_surface_count(k, ANE_SURFACE_OUTPUT));
    CHECK_EQ_INT(12, ane_bridge_surface_size(k, ANE_SURFACE_INPUT, 0));
    CHECK_EQ_INT(24, ane_bridge_surface_size(k, ANE_SURFACE_WEIGHT, 0));
    CHECK_EQ_INT(12, ane_bridge_surface_size(k, ANE_SURFACE_OUTPUT, 1));
    CHECK_EQ_INT(ANE_DTYPE_FP16, ane_bridge_surface_dtype(k, ANE_SURFACE_INPUT, 0));
    CHECK_EQ_INT(ANE_DTYPE_FP32, ane_bridge_surface_dtype(k, ANE_SURFACE_WEIGHT, 0));
    const float x[6] = { 1, 2, 3, 4, 5, 6 }, w[6] = { 0.5f, -1, 2, 0, 10, -3 };
    ane_bridge_write_input_f32(k, 0, x, 6);
    ane_bridge_write_weight_f32(k, 0, w, 6);
    const float *raw_w = ane_bridge_surface_pointer(k, ANE_SURFACE_WEIGHT, 0);
    CHECK_NEAR(-3, raw_w[5], 0);      /* an fp32 surface gets the floats as they are */
    CHECK(ane_bridge_eval(k));
    float s[6], p[6];
    ane_bridge_read_output_f32(k, 0, s, 6);
    ane_bridge_read_output_f32(k, 1, p, 6);
    for (int i = 0; i < 6; i++) {
        CHECK_NEAR(x[i] + w[i], s[i], 0);
        CHECK_NEAR(x[i] * w[i], p[i], 0);
    }
    ane_bridge_free(k);
}

TEST(abi_surfaces_are_zeroed_aligned_and_lockable) {
    char *mil = mil_add_self(3, 5, "surfaces");
    ANEKernelHandle *k = ane_bridge_compile_ex("reference", mil, strlen(mil), NULL, NULL, NULL, 0, 1, NULL, 0, NULL,
                                               1, NULL);
    CHECK(k != NULL);
    if (k) {
        CHECK_EQ_INT(0, ane_bridge_surface_count(k, ANE_SURFACE_WEIGHT));
        CHECK_EQ_INT(30, ane_bridge_surface_size(k, ANE_SURFACE_INPUT, 0));
        uint8_t *in = ane_bridge_surface_pointer(k, ANE_SURFACE_INPUT, 0);
        CHECK(in && (uintptr_t)in % 64 == 0);
        for (int i = 0; in && i < 30; i++) CHECK_EQ_INT(0, in[i]);
        uint16_t *w = ane_bridge_surface_lock(k, ANE_SURFACE_INPUT, 0, 0);
        CHECK((void *)w == (void *)in);
        CHECK(ane_bridge_surface_lock(k, ANE_SURFACE_INPUT, 0, 0) == (void *)in); /* nests */
        for (int i = 0; i < 15; i++) w[i] = fp16_quarter(i);
        CHECK_EQ_INT(0, ane_bridge_surface_unlock(k, ANE_SURFACE_INPUT, 0, 0));
        CHECK_EQ_INT(0, ane_bridge_surface_unlock(k, ANE_SURFACE_INPUT, 0, 0));
        CHECK(ane_bridge_eval(k));
        const uint16_t *o = ane_bridge_surface_lock(k, ANE_SURFACE_OUTPUT, 0, 1);
        CHECK(o != NULL);
        for (int i = 0; o && i < 15; i++) CHECK_EQ_INT(fp16_quarter(2 * i), o[i]);
        CHECK_EQ_INT(0, ane_bridge_surface_unlock(k, ANE_SURFACE_OUTPUT, 0, 1));
        CHECK_EQ_INT(-1, ane_bridge_surface_unlock(k, ANE_SURFACE_OUTPUT, 0, 1));
        CHECK(strstr(ane_bridge_last_error(), "not locked for reading") != NULL);
    }
    ane_bridge_free(k);
    free(mil);
}

/* MAJOR.MINOR.PATCH, then optionally -QUALIFIER of letters, digits and dots (e.g. 0.1.0-SNAPSHOT). */
static void check_version_format(const char *v) {
    const char *p = v;
    for (int part = 0; part < 3; part++) {
        const char *digits = p;
        while (*p >= '0' && *p <= '9') p++;
        int ok = p > digits && (part == 2 || *p++ == '.');
        CHECK_MSG(ok, "version \"%s\" is not MAJOR.MINOR.PATCH[-QUALIFIER]", v);
        if (!ok) return;
    }
    if (*p == '-' && p[1]) p += strspn(p + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.") + 1;
    CHECK_MSG(*p == '\0', "version \"%s\" is not MAJOR.MINOR.PATCH[-QUALIFIER]", v);
}

TEST(abi_version_backends_and_init) {
    CHECK_EQ_INT(0, ane_bridge_init());
    CHECK_EQ_INT(0, ane_bridge_init());
    check_version_format(ane_bridge_version());
    const char *expected = getenv("ANE4J_EXPECTED_VERSION"); /* make test passes the version it built */
    if (expected) CHECK_MSG(!strcmp(expected, ane_bridge_version()), "version %s, built as %s", ane_bridge_version(), expected);
    CHECK_EQ_INT(ANE_BRIDGE_ABI_VERSION, ane_bridge_abi_version());
    CHECK_EQ_INT(1, ane_bridge_backend_available("reference"));
    CHECK_EQ_INT(1, ane_bridge_backend_available("auto"));
    CHECK_EQ_INT(ANE_OK, ane_bridge_last_error_code());
    CHECK_EQ_INT(0, ane_bridge_backend_available("gpu"));
    CHECK_EQ_INT(ANE_ERR_INVALID_ARGUMENT, ane_bridge_last_error_code());
    CHECK(strstr(ane_bridge_last_error(), "unknown backend 'gpu'") != NULL);
    CHECK_EQ_INT(0, ane_bridge_select_backend("auto"));
    CHECK(!strcmp(ane_bridge_backend_name(), ane_bridge_backend_available("ane") ? "ane" : "reference"));
    CHECK_EQ_INT(0, ane_bridge_select_backend("reference"));
    CHECK(!strcmp("reference", ane_bridge_backend_name()));
}

TEST(abi_a_successful_call_clears_the_last_error) {
    ane_bridge_eval(NULL);
    CHECK_EQ_INT(ANE_ERR_INVALID_ARGUMENT, ane_bridge_last_error_code());
    CHECK(ane_bridge_last_error() != NULL);
    CHECK_EQ_INT(ANE_ERR_INVALID_ARGUMENT, ane_bridge_last_error_code()); /* reading does not clear */
    CHECK_EQ_INT(0, ane_bridge_get_compile_count() < 0);
    CHECK_EQ_INT(ANE_OK, ane_bridge_last_error_code());
    CHECK(ane_bridge_last_error() == NULL);
    int line = -1, col = -1;
    CHECK_EQ_INT(0, ane_bridge_last_error_position(&line, &col));
    CHECK_EQ_INT(0, line);
    CHECK_EQ_INT(0, col);
}

/* Each thread sees only its own last error. The threads take turns through a shared step counter
 * (no pthread_barrier: macOS lacks it). */
typedef struct thread_result { int code_after_fail, code_after_ok; const char *msg; } thread_result;
static pthread_mutex_t step_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t step_cond = PTHREAD_COND_INITIALIZER;
static int step;

static void wait_for_step(int s) {
    pthread_mutex_lock(&step_mutex);
    while (step < s) pthread_cond_wait(&step_cond, &step_mutex);
    pthread_mutex_unlock(&step_mutex);
}

static void next_step(void) {
    pthread_mutex_lock(&step_mutex);
    step++;
    pthread_cond_broadcast(&step_cond);
    pthread_mutex_unlock(&step_mutex);
}

static void *fail_then_wait(void *arg) {
    thread_result *r = arg;
    ane_bridge_select_backend("no-such-backend");
    next_step();      /* step 1: the other thread succeeds now */
    wait_for_step(2);
    r->code_after_fail = ane_bridge_last_error_code();
    r->msg = ane_bridge_last_error();
    return NULL;
}

static void *wait_then_succeed(void *arg) {
    thread_result *r = arg;
    wait_for_step(1);
    ane_bridge_get_compile_count();
    r->code_after_ok = ane_bridge_last_error_code();
    next_step();      /* step 2 */
    return NULL;
}

TEST(abi_last_error_is_per_thread) {
    thread_result a = { -1, -1, NULL }, b = { -1, -1, NULL };
    pthread_t ta, tb;
    step = 0;
    pthread_create(&ta, NULL, fail_then_wait, &a);
    pthread_create(&tb, NULL, wait_then_succeed, &b);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    CHECK_EQ_INT(ANE_ERR_INVALID_ARGUMENT, a.code_after_fail);
    CHECK_EQ_INT(ANE_OK, b.code_after_ok);
    CHECK(a.msg && strstr(a.msg, "no-such-backend"));
}

static const char *INTEGER_IO =
    "program(1.3)\n"
    "{\n"
    "    func main<ios18>(tensor<int8, [6]> q, tensor<int32, [6]> i, tensor<uint8, [6]> u) {\n"
    "    } -> (q, i, u);\n"
    "}\n";

TEST(abi_float_writes_round_half_even_and_saturate_into_integer_surfaces) {
    ANEKernelHandle *k = ane_bridge_compile_dyn_multi(INTEGER_IO, strlen(INTEGER_IO), 3, NULL, 0, NULL, 3, NULL);
    CHECK_MSG(k != NULL, "compile: %s", ane_bridge_last_error());
    if (!k) return;
    CHECK_EQ_INT(ANE_DTYPE_INT8, ane_bridge_surface_dtype(k, ANE_SURFACE_INPUT, 0));
    CHECK_EQ_INT(ANE_DTYPE_INT32, ane_bridge_surface_dtype(k, ANE_SURFACE_INPUT, 1));
    CHECK_EQ_INT(ANE_DTYPE_UINT8, ane_bridge_surface_dtype(k, ANE_SURFACE_INPUT, 2));
    CHECK_EQ_INT(24, ane_bridge_surface_size(k, ANE_SURFACE_INPUT, 1));
    const float v[6] = { 2.5f, -2.5f, 3.5f, 1e10f, -1e10f, NAN };
    for (int s = 0; s < 3; s++) ane_bridge_write_input_f32(k, s, v, 6);
    CHECK_EQ_INT(ANE_OK, ane_bridge_last_error_code());
    const int8_t *q = ane_bridge_surface_pointer(k, ANE_SURFACE_INPUT, 0);
    const int32_t *i = ane_bridge_surface_pointer(k, ANE_SURFACE_INPUT, 1);
    const uint8_t *u = ane_bridge_surface_pointer(k, ANE_SURFACE_INPUT, 2);
    const int want_q[6] = { 2, -2, 4, 127, -128, 0 }, want_u[6] = { 2, 0, 4, 255, 0, 0 };
    const long long want_i[6] = { 2, -2, 4, 2147483647LL, -2147483648LL, 0 };
    for (int e = 0; e < 6; e++) {
        CHECK_EQ_INT(want_q[e], q[e]);
        CHECK_EQ_INT(want_i[e], i[e]);
        CHECK_EQ_INT(want_u[e], u[e]);
    }
    CHECK(ane_bridge_eval(k));
    float out[6];
    ane_bridge_read_output_f32(k, 0, out, 6);
    for (int e = 0; e < 6; e++) CHECK_NEAR(want_q[e], out[e], 0);
    ane_bridge_read_output_f32(k, 1, out, 6);
    for (int e = 0; e < 6; e++)
        if (e != 3) CHECK_NEAR(want_i[e], out[e], 0); /* INT32_MAX has no float; the backend rounds it */
    ane_bridge_read_output_f32(k, 2, out, 6);
    for (int e = 0; e < 6; e++) CHECK_NEAR(want_u[e], out[e], 0);
    ane_bridge_free(k);
}
