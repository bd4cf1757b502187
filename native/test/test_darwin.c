/* The ANE backend through the bridge ABI.
 * Everywhere: when "ane" is not usable (not in this build, or no Neural Engine reachable) it is refused
 * with ANE_ERR_UNAVAILABLE and a reason, the default stays on "reference", and "auto" runs there.
 * On Apple Silicon with ANE4J_HARDWARE=1 (otherwise skipped with the reason): dynamic matmul against a
 * naive product, weight rewrites without recompiling, an aliased chain, realtime, the persistent compile
 * cache seen from a second process (programs written here), and every corpus program (ANE4J_CORPUS_DIR)
 * on both backends within fp16 tolerance. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#if defined(__APPLE__)
#include <mach-o/dyld.h>
#endif

#include "ane_bridge.h"
#include "corpus.h"
#include "darwin/files.h"
#include "test.h"

extern char **environ;

/* Programs in the upstream MIL dialect, written here so the Neural Engine tests need no corpus. The
 * buildInfo line is what the ANE compiler expects to see. */
#define MIL_HEADER                                                                                      \
    "program(1.3)\n"                                                                                      \
    "[buildInfo = dict<string, string>({{\"coremlc-component-MIL\", \"3510.2.1\"}, "                       \
    "{\"coremlc-version\", \"3505.4.1\"}, {\"coremltools-component-milinternal\", \"\"}, "                \
    "{\"coremltools-version\", \"9.0\"}})]\n{\n"

/* out = x + x on tensor<fp16, [1, rows, 1, cols]>; name (the statement's) lets a test make its text unique. */
static size_t mil_add_self(char *buf, size_t cap, int rows, int cols, const char *name) {
    int n = snprintf(buf, cap,
                     MIL_HEADER "    func main<ios18>(tensor<fp16, [1, %d, 1, %d]> x) {\n"
                                "        tensor<fp16, [1,%d,1,%d]> out = add(x=x,y=x)[name=string(\"%s\")];\n"
                                "    } -> (out);\n}\n",
                     rows, cols, rows, cols, name);
    CHECK(n > 0 && (size_t)n < cap);
    return (size_t)n;
}

/* out[1,n,m] = W[1,n,k] @ x, with x a [1,k,1,m] input and W a second parameter: a dynamic weight. */
static size_t mil_dyn_matmul(char *buf, size_t cap, int n, int k, int m) {
    int len = snprintf(buf, cap,
                       MIL_HEADER "    func main<ios18>(tensor<fp16, [1, %d, 1, %d]> x, tensor<fp16, [1, %d, %d]> W) {\n"
                                  "        tensor<int32, [3]> sh = const()[name=string(\"sh\"), "
                                  "val=tensor<int32, [3]>([1,%d,%d])];\n"
                                  "        tensor<fp16, [1,%d,%d]> x3 = reshape(shape=sh,x=x)[name=string(\"rx\")];\n"
                                  "        bool bF = const()[name=string(\"bF\"), val=bool(false)];\n"
                                  "        tensor<fp16, [1,%d,%d]> out = matmul(transpose_x=bF,transpose_y=bF,x=W,y=x3)"
                                  "[name=string(\"mm\")];\n"
                                  "    } -> (out);\n}\n",
                       k, m, n, k, k, m, k, m, n, m);
    CHECK(len > 0 && (size_t)len < cap);
    return (size_t)len;
}

static ANEKernelHandle *compile_on(const char *backend, const char *mil, size_t len, int n_inputs,
                                   int n_weights) {
    return ane_bridge_compile_ex(backend, mil, len, NULL, NULL, NULL, 0, n_inputs, NULL, n_weights, NULL, 1,
                                 NULL);
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
    char mil[1024];
    size_t len = mil_add_self(mil, sizeof mil, 4, 8, "out");
    int before = ane_bridge_get_compile_count();
    ANEKernelHandle *k = compile_on("ane", mil, len, 1, 0);
    CHECK(k == NULL);
    CHECK_EQ_INT(ANE_ERR_UNAVAILABLE, ane_bridge_last_error_code());
    CHECK(ane_bridge_last_error() != NULL);
    CHECK_EQ_INT(before, ane_bridge_get_compile_count());
    ane_bridge_free(k);
}

TEST(auto_compiles_and_runs_on_reference) {
    if (!fallback_applies()) return;
    CHECK_EQ_INT(0, ane_bridge_select_backend("auto"));
    char mil[1024];
    size_t len = mil_add_self(mil, sizeof mil, 4, 8, "out");
    const char *backends[2] = {"auto", NULL}; /* NULL: the process default */
    for (int b = 0; b < 2; b++) {
        ANEKernelHandle *k = compile_on(backends[b], mil, len, 1, 0);
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
}

/* ---- hardware --------------------------------------------------------------------------------------- */

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

/* x[k][m] and W[n][k] of the 64x64x64 upstream bridge matmul: multiples of 1/8 and 1/16, exact in fp16. */
static void matmul_operands(float *x, float *w) {
    for (int k = 0; k < 64; k++)
        for (int m = 0; m < 64; m++) x[k * 64 + m] = (float)((k * 7 + m * 3) % 17 - 8) / 8.0f;
    for (int n = 0; n < 64; n++)
        for (int k = 0; k < 64; k++) w[n * 64 + k] = (float)((n * 5 + k * 11) % 13 - 6) / 16.0f;
}

/* The 64x64x64 dynamic matmul of the upstream bridge test, on the Neural Engine. */
static ANEKernelHandle *compile_matmul64(void) {
    char mil[2048];
    size_t len = mil_dyn_matmul(mil, sizeof mil, 64, 64, 64);
    ANEKernelHandle *k = compile_on("ane", mil, len, 1, 1);
    CHECK_MSG(k != NULL, "compile: %s", ane_bridge_last_error());
    return k;
}

TEST(hw_dynamic_matmul_matches_a_naive_product) {
    if (!hardware()) return;
    ANEKernelHandle *k = compile_matmul64();
    if (!k) return;
    CHECK(strcmp(ane_bridge_kernel_backend(k), "ane") == 0);
    static float x[4096], w[4096], out[4096];
    matmul_operands(x, w);
    ane_bridge_write_input_f32(k, 0, x, 4096);
    ane_bridge_write_weight_f32(k, 0, w, 4096);
    CHECK_MSG(ane_bridge_eval(k), "eval: %s", ane_bridge_last_error());
    ane_bridge_read_output_f32(k, 0, out, 4096);
    int bad = 0;
    for (int n = 0; n < 64; n++)
        for (int m = 0; m < 64; m++) {
            double want = 0;
            for (int kk = 0; kk < 64; kk++) want += (double)w[n * 64 + kk] * x[kk * 64 + m];
            if (fabs(want - out[n * 64 + m]) > 0.01 * fabs(want) + 0.02 && bad++ < 5)
                CHECK_MSG(0, "out[%d][%d] = %g, expected %g", n, m, out[n * 64 + m], want);
        }
    ane_bridge_free(k);
}

TEST(hw_dynamic_weight_rewrites_change_results_without_recompiling) {
    if (!hardware()) return;
    ANEKernelHandle *k = compile_matmul64();
    if (!k) return;
    int compiles = ane_bridge_get_compile_count();
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
    ane_bridge_free(k);
}

/* x + x on [1, 32, 1, 32], the shape of the upstream copy_io test. */
static ANEKernelHandle *compile_scale2(void) {
    char mil[1024];
    size_t len = mil_add_self(mil, sizeof mil, 32, 32, "out");
    ANEKernelHandle *k = compile_on("ane", mil, len, 1, 0);
    CHECK_MSG(k != NULL, "compile: %s", ane_bridge_last_error());
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
    for (int r = 0; r < 10; r++) CHECK(ane_bridge_eval(k));
    ane_bridge_end_realtime();
    CHECK_EQ_INT(ANE_OK, ane_bridge_last_error_code());
    ane_bridge_read_output_f32(k, 0, y, 1024);
    for (int i = 0; i < 1024; i += 17) CHECK_NEAR(2.0 * x[i], y[i], 0.0);
    ane_bridge_free(k);
}

/* ---- persistent compile cache, seen from a second process ------------------------------------------- */

/* Compile x + x on [1, 48, 1, 32] under a statement name no other test uses (so this process has not
 * compiled it before), check 2x, and return how many real compiles that took (-1 on failure). */
static int compile_cache_probe(void) {
    char mil[1024];
    size_t len = mil_add_self(mil, sizeof mil, 48, 32, "ane4j_disk_cache_probe");
    int before = ane_bridge_get_compile_count();
    ANEKernelHandle *k = compile_on("ane", mil, len, 1, 0);
    CHECK_MSG(k != NULL, "compile: %s", ane_bridge_last_error());
    if (!k) return -1;
    int compiles = ane_bridge_get_compile_count() - before;
    float x[1536], y[1536];
    for (int i = 0; i < 1536; i++) x[i] = (float)(i % 32) / 8.0f;
    ane_bridge_write_input_f32(k, 0, x, 1536);
    CHECK_MSG(ane_bridge_eval(k), "eval: %s", ane_bridge_last_error());
    ane_bridge_read_output_f32(k, 0, y, 1536);
    for (int i = 0; i < 1536; i += 13) CHECK_NEAR(2.0 * x[i], y[i], 0.0);
    ane_bridge_free(k);
    return compiles;
}

/* The child half: run by hw_compile_cache_survives_the_process in a fresh process. */
TEST(hw_compile_cache_child) {
    if (!getenv("ANE4J_CACHE_CHILD")) {
        test_skip("runs only as the second process of hw_compile_cache_survives_the_process");
        return;
    }
    if (!hardware()) return;
    CHECK_EQ_INT(0, compile_cache_probe()); /* restored from the cache the parent filled */
}

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

/* Run this test runner again with only hw_compile_cache_child, the cache folder and its output in files. */
static int run_child(const char *cache_dir, const char *log) {
    char self[1024];
    if (self_path(self, sizeof self) != 0) return -1;
    setenv("ANE4J_ANE_CACHE_DIR", cache_dir, 1);
    setenv("ANE4J_CACHE_CHILD", "1", 1);
    posix_spawn_file_actions_t io;
    posix_spawn_file_actions_init(&io);
    posix_spawn_file_actions_addopen(&io, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_adddup2(&io, 1, 2);
    char *argv[] = {self, "hw_compile_cache_child", NULL};
    pid_t pid;
    int rc = posix_spawn(&pid, self, &io, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&io);
    unsetenv("ANE4J_CACHE_CHILD");
    if (rc != 0) return -1;
    int status;
    if (waitpid(pid, &status, 0) != pid) return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(hw_compile_cache_survives_the_process) {
    if (getenv("ANE4J_CACHE_CHILD")) {
        test_skip("this is the second process");
        return;
    }
    if (!hardware()) return;
    char root[512], cache[600], log[600], entry[700];
    snprintf(root, sizeof root, "%s/ane4j-cache-test-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(root)) {
        CHECK_MSG(0, "mkdtemp: %s", strerror(errno));
        return;
    }
    snprintf(cache, sizeof cache, "%s/cache", root);
    snprintf(log, sizeof log, "%s/child.log", root);
    char *saved = getenv("ANE4J_ANE_CACHE_DIR") ? strdup(getenv("ANE4J_ANE_CACHE_DIR")) : NULL;
    setenv("ANE4J_ANE_CACHE_DIR", cache, 1);

    CHECK_EQ_INT(1, compile_cache_probe()); /* a real compile, which fills the empty cache */
    int entries = 0;
    struct stat st;
    DIR *d = opendir(cache);
    for (struct dirent *e; d && (e = readdir(d)) != NULL;) {
        if (e->d_name[0] == '.') continue;
        entries++;
        int n = snprintf(entry, sizeof entry, "%s/%s/net.plist", cache, e->d_name);
        CHECK_MSG(n < (int)sizeof entry && stat(entry, &st) == 0 && st.st_size > 0,
                  "no net.plist in cache entry %s", e->d_name);
    }
    if (d) closedir(d);
    CHECK_EQ_INT(1, entries);

    int status = run_child(cache, log);
    if (status != 0) {
        CHECK_MSG(0, "the second process failed (status %d); its output:", status);
        char line[512];
        FILE *f = fopen(log, "r");
        while (f && fgets(line, sizeof line, f)) printf("      | %s", line);
        if (f) fclose(f);
    }
    if (saved) setenv("ANE4J_ANE_CACHE_DIR", saved, 1); else unsetenv("ANE4J_ANE_CACHE_DIR");
    free(saved);
    ane_files_remove_tree(root);
}

/* ---- every corpus program on both backends ---------------------------------------------------------- */

static size_t dtype_bytes(int dtype) {
    switch (dtype) {
    case ANE_DTYPE_FP16: return 2;
    case ANE_DTYPE_FP32: case ANE_DTYPE_INT32: return 4;
    case ANE_DTYPE_INT8: case ANE_DTYPE_UINT8: return 1;
    default: return 0;
    }
}

/* Run one program on a backend with the given weight files and inputs from a fixed seed; the outputs (as
 * floats) go to outs[j] (malloc'd) and their counts to counts[j]. NULL result: refused (message set). */
static ANEKernelHandle *run_on(const char *backend, const char *mil, size_t len, corpus_weights *w,
                               int n_inputs, int n_outputs, float **outs, size_t *counts) {
    ANEKernelHandle *k = ane_bridge_compile_ex(backend, mil, len, w->names, (const uint8_t **)w->datas, w->lens,
                                               w->n, n_inputs, NULL, 0, NULL, n_outputs, NULL);
    if (!k) return NULL;
    uint32_t rng = 12345;
    for (int i = 0; i < n_inputs; i++) {
        int dtype = ane_bridge_surface_dtype(k, ANE_SURFACE_INPUT, i);
        size_t n = ane_bridge_surface_size(k, ANE_SURFACE_INPUT, i) / dtype_bytes(dtype);
        float *x = malloc(n * sizeof *x);
        for (size_t e = 0; e < n; e++) {
            float v = corpus_random(&rng);
            x[e] = dtype == ANE_DTYPE_FP16 || dtype == ANE_DTYPE_FP32 ? v : roundf(4.0f * v);
        }
        ane_bridge_write_input_f32(k, i, x, n);
        free(x);
    }
    if (!ane_bridge_eval(k)) {
        ane_bridge_free(k);
        return NULL;
    }
    for (int j = 0; j < n_outputs; j++) {
        int dtype = ane_bridge_surface_dtype(k, ANE_SURFACE_OUTPUT, j);
        counts[j] = ane_bridge_surface_size(k, ANE_SURFACE_OUTPUT, j) / dtype_bytes(dtype);
        outs[j] = malloc(counts[j] * sizeof(float));
        ane_bridge_read_output_f32(k, j, outs[j], counts[j]);
    }
    return k;
}

/* ANE output within 3% of the reference output's largest magnitude (at least 1): fp16 keeps ~3 digits and
 * the ANE accumulates in its own order. NaN must meet NaN. Returns the number of mismatches reported. */
static int compare_outputs(const char *file, int j, const float *ref, const float *ane, size_t n) {
    double scale = 1;
    for (size_t i = 0; i < n; i++)
        if (isfinite(ref[i]) && fabs(ref[i]) > scale) scale = fabs(ref[i]);
    for (size_t i = 0; i < n; i++) {
        int same = isnan(ref[i]) ? isnan(ane[i]) : fabs((double)ref[i] - ane[i]) <= 0.03 * scale;
        if (!same) {
            CHECK_MSG(0, "%s output %d[%zu]: ane %g, reference %g (tolerance %g)", file, j, i, ane[i], ref[i],
                      0.03 * scale);
            return 1;
        }
    }
    return 0;
}

TEST(hw_corpus_programs_agree_with_the_reference_backend) {
    if (!hardware()) return;
    char *text;
    static corpus_row rows[128];
    int n_rows = corpus_manifest(&text, rows, 128);
    if (n_rows < 0) return;
    int compared = 0, ane_refused = 0, ref_refused = 0;
    for (int r = 0; r < n_rows; r++) {
        const char *file = rows[r].file;
        size_t len;
        char *mil = corpus_read(file, &len);
        if (!mil) break;
        corpus_spec ins[16], outs[8];
        int n_in = corpus_specs(rows[r].inputs, ins, 16), n_out = corpus_specs(rows[r].outputs, outs, 8);
        corpus_weights w;
        int ok = n_in >= 0 && n_out >= 0 && corpus_weights_build(rows[r].blobs, &w) == 0;
        CHECK_MSG(ok, "%s: cannot read its MANIFEST row", file);
        float *ref_out[8] = {0}, *ane_out[8] = {0};
        size_t ref_n[8], ane_n[8];
        ANEKernelHandle *kr = NULL, *ka = NULL;
        if (ok) {
            kr = run_on("reference", mil, len, &w, n_in, n_out, ref_out, ref_n);
            if (!kr) {
                ref_refused++;
                printf("    reference refused %s: %s\n", file, ane_bridge_last_error());
            } else {
                ka = run_on("ane", mil, len, &w, n_in, n_out, ane_out, ane_n);
                if (!ka) {
                    ane_refused++;
                    printf("    ane refused %s: %s\n", file, ane_bridge_last_error());
                } else {
                    compared++;
                    for (int j = 0; j < n_out; j++) {
                        CHECK_EQ_INT(ref_n[j], ane_n[j]);
                        if (ref_n[j] == ane_n[j]) compare_outputs(file, j, ref_out[j], ane_out[j], ref_n[j]);
                    }
                }
            }
            corpus_weights_free(&w);
        }
        for (int j = 0; j < 8; j++) {
            free(ref_out[j]);
            free(ane_out[j]);
        }
        ane_bridge_free(kr);
        ane_bridge_free(ka);
        free(mil);
    }
    printf("    corpus: %d programs compared, %d refused by the ane backend, %d by the reference backend\n",
           compared, ane_refused, ref_refused);
    CHECK(compared > 0);
    free(text);
}
