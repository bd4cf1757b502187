/* The compile cache and compile count: identical content compiles once, alive or freed; anything that
 * differs compiles again; idle entries are bounded; concurrent compiles are safe; at exit, idle programs
 * are freed. */
#include <pthread.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sys/wait.h>
#include <unistd.h>

#include "ane_bridge.h"
#include "backend.h"
#include "cache.h"
#include "core_fixtures.h"
#include "kernel.h"
#include "mil/mil.h"
#include "test.h"

static ANEKernelHandle *compile_tagged(const char *tag) {
    char *mil = mil_add_self(2, 8, tag);
    ANEKernelHandle *k = ane_bridge_compile_dyn(mil, strlen(mil), 1, NULL, 0, NULL, 32);
    CHECK_MSG(k != NULL, "compile %s: %s", tag, ane_bridge_last_error());
    free(mil);
    return k;
}

TEST(cache_identical_program_compiles_once_while_alive_and_after_free) {
    ane_bridge_reset_compile_count();
    CHECK_EQ_INT(0, ane_bridge_get_compile_count());
    ANEKernelHandle *a = compile_tagged("cache_once");
    CHECK_EQ_INT(1, ane_bridge_get_compile_count());
    ANEKernelHandle *b = compile_tagged("cache_once");
    CHECK_EQ_INT(1, ane_bridge_get_compile_count()); /* hit while a is alive */
    if (a && b) {
        /* a hit shares the program, never the surfaces */
        CHECK(ane_bridge_surface_pointer(a, ANE_SURFACE_INPUT, 0) != ane_bridge_surface_pointer(b, ANE_SURFACE_INPUT, 0));
        uint16_t xa[16], xb[16], out[16];
        for (int i = 0; i < 16; i++) { xa[i] = fp16_quarter(i); xb[i] = fp16_quarter(-3 * i); }
        ane_bridge_write_input(a, 0, xa, sizeof xa);
        ane_bridge_write_input(b, 0, xb, sizeof xb);
        CHECK(ane_bridge_eval(a));
        CHECK(ane_bridge_eval(b));
        ane_bridge_read_output(a, 0, out, sizeof out);
        for (int i = 0; i < 16; i++) CHECK_EQ_INT(fp16_quarter(2 * i), out[i]);
        ane_bridge_read_output(b, 0, out, sizeof out);
        for (int i = 0; i < 16; i++) CHECK_EQ_INT(fp16_quarter(-6 * i), out[i]);
    }
    ane_bridge_free(a);
    ane_bridge_free(b);
    ANEKernelHandle *c = compile_tagged("cache_once");
    CHECK_EQ_INT(1, ane_bridge_get_compile_count()); /* hit after both were freed */
    ANEKernelHandle *d = compile_tagged("cache_once_other");
    CHECK_EQ_INT(2, ane_bridge_get_compile_count()); /* other text: a real compile */
    ane_bridge_free(c);
    ane_bridge_free(d);
    ane_bridge_reset_compile_count();
    CHECK_EQ_INT(0, ane_bridge_get_compile_count());
}

static const char *BLOB_MIL =
    "program(1.3)\n"
    "{\n"
    "    func main<ios18>(tensor<fp16, [1, 2]> x) {\n"
    "        tensor<fp16, [1, 2]> a = const()[name = string(\"cache_blob\"), val = tensor<fp16, [1, 2]>(BLOBFILE(path "
    "= string(\"@model_path/weights/w.bin\"), offset = uint64(64)))];\n"
    "        tensor<fp16, [1, 2]> y = mul(x = x, y = a)[name = string(\"y\")];\n"
    "    } -> (y);\n"
    "}\n";

static ANEKernelHandle *compile_blob(const char *name, float w0, float w1) {
    const float w[2] = { w0, w1 };
    size_t len;
    uint8_t *blob = ane_bridge_build_weight_blob(w, 1, 2, &len);
    const uint8_t *datas[1] = { blob };
    const char *names[1] = { name };
    ANEKernelHandle *k = ane_bridge_compile_multi_weights(BLOB_MIL, strlen(BLOB_MIL), names, datas, &len, 1, 1,
                                                          NULL, 1, NULL);
    ane_bridge_free_blob(blob);
    return k;
}

TEST(cache_weight_bytes_are_part_of_the_key) {
    ane_bridge_reset_compile_count();
    ANEKernelHandle *a = compile_blob("@model_path/weights/w.bin", 2, 3);
    ANEKernelHandle *b = compile_blob("@model_path/weights/w.bin", 2, 5);
    ANEKernelHandle *c = compile_blob("@model_path/weights/w.bin", 2, 3);
    CHECK(a && b && c);
    CHECK_EQ_INT(2, ane_bridge_get_compile_count());
    if (a && b) {
        const float x[2] = { 1, 1 };
        float ya[2], yb[2];
        ane_bridge_write_input_f32(a, 0, x, 2);
        ane_bridge_write_input_f32(b, 0, x, 2);
        CHECK(ane_bridge_eval(a) && ane_bridge_eval(b));
        ane_bridge_read_output_f32(a, 0, ya, 2);
        ane_bridge_read_output_f32(b, 0, yb, 2);
        CHECK_NEAR(3, ya[1], 0);
        CHECK_NEAR(5, yb[1], 0);
    }
    ane_bridge_free(a);
    ane_bridge_free(b);
    ane_bridge_free(c);
}

TEST(cache_failed_compiles_do_not_count_and_are_not_cached) {
    const char *bad = "program(1.3)\n{\n    func main<ios18>(tensor<fp16, [1, 2]> x) {\n"
                      "        tensor<fp16, [1, 3]> y = add(x = x, y = x)[name = string(\"cache_bad\")];\n"
                      "    } -> (y);\n}\n";
    ane_bridge_reset_compile_count();
    for (int i = 0; i < 2; i++) {
        CHECK(ane_bridge_compile_dyn(bad, strlen(bad), 1, NULL, 0, NULL, 6) == NULL);
        CHECK_EQ_INT(ANE_ERR_COMPILE, ane_bridge_last_error_code());
        int line = 0;
        CHECK_EQ_INT(1, ane_bridge_last_error_position(&line, NULL));
        CHECK_EQ_INT(4, line);
    }
    CHECK_EQ_INT(0, ane_bridge_get_compile_count());
}

TEST(cache_keeps_a_bounded_number_of_idle_programs) {
    char tag[32];
    ane_bridge_reset_compile_count();
    for (int i = 0; i < 80; i++) {
        snprintf(tag, sizeof tag, "cache_lru_%d", i);
        ane_bridge_free(compile_tagged(tag));
    }
    CHECK_EQ_INT(80, ane_bridge_get_compile_count());
    ane_bridge_free(compile_tagged("cache_lru_79")); /* the most recently freed is still there */
    CHECK_EQ_INT(80, ane_bridge_get_compile_count());
    ane_bridge_free(compile_tagged("cache_lru_0"));  /* the oldest was evicted */
    CHECK_EQ_INT(81, ane_bridge_get_compile_count());
}

/* Two threads compile, run and free the same program over and over. */
static void *compile_loop(void *arg) {
    int *failures = arg;
    char *mil = mil_add_self(4, 4, "cache_threads");
    uint16_t x[16], out[16];
    for (int i = 0; i < 16; i++) x[i] = fp16_quarter(i + 1);
    for (int round = 0; round < 200; round++) {
        ANEKernelHandle *k = ane_bridge_compile_dyn(mil, strlen(mil), 1, NULL, 0, NULL, 32);
        if (!k) { (*failures)++; continue; }
        ane_bridge_write_input(k, 0, x, sizeof x);
        if (!ane_bridge_eval(k)) (*failures)++;
        ane_bridge_read_output(k, 0, out, sizeof out);
        for (int i = 0; i < 16; i++) *failures += out[i] != fp16_quarter(2 * (i + 1));
        ane_bridge_free(k);
    }
    free(mil);
    return NULL;
}

TEST(cache_concurrent_compiles_of_one_program_are_safe) {
    ane_bridge_reset_compile_count();
    pthread_t t[2];
    int failures[2] = { 0, 0 };
    for (int i = 0; i < 2; i++) pthread_create(&t[i], NULL, compile_loop, &failures[i]);
    for (int i = 0; i < 2; i++) pthread_join(t[i], NULL);
    CHECK_EQ_INT(0, failures[0] + failures[1]);
    int n = ane_bridge_get_compile_count();
    CHECK_MSG(n >= 1 && n <= 2, "%d compiles for one program", n); /* two only if both missed at once */
}

/* ---- process exit: idle programs are freed (the ANE backend unloads them), live ones are left ----------- */

/* Under LeakSanitizer: what the child below allocates is not a leak (it keeps a kernel live at exit). */
void __lsan_disable(void) __attribute__((weak));

static ane_backend exit_backend; /* the reference backend, writing one byte to a pipe per program freed */
static int exit_pipe[2];

static void program_free_and_tell(void *program) {
    ane_reference_backend.program_free(program);
    if (write(exit_pipe[1], "f", 1) != 1) _exit(3);
}

/* A program compiled on exit_backend under key_text; its kernel, or NULL. */
static ANEKernelHandle *compile_on_exit_backend(const char *key_text) {
    char *mil = mil_add_self(2, 8, key_text);
    mil_parse_error err = {0};
    mil_program *parsed = mil_parse(mil, strlen(mil), &err);
    ane_compile_input in = {.mil_text = mil, .mil_len = strlen(mil)};
    uint8_t key[32] = {0};
    memcpy(key, key_text, strlen(key_text) < 32 ? strlen(key_text) : 32);
    ane_cache_entry *entry = parsed ? ane_cache_compile(&exit_backend, key, parsed, &in) : NULL;
    free(mil);
    if (!entry) return NULL;
    return ane_kernel_create(entry, 1, 0, 1, (const size_t[]){32, 32}, (const int[]){ANE_DTYPE_FP16, ANE_DTYPE_FP16});
}

TEST(cache_frees_idle_programs_at_exit_and_leaves_live_ones) {
    exit_backend = ane_reference_backend;
    exit_backend.program_free = program_free_and_tell;
    CHECK_EQ_INT(0, pipe(exit_pipe));
    pid_t child = fork();
    if (child == 0) {
        close(exit_pipe[0]);
        if (__lsan_disable) __lsan_disable();
        ANEKernelHandle *idle = compile_on_exit_backend("exit hook: idle");
        ANEKernelHandle *live = compile_on_exit_backend("exit hook: live");
        if (!idle || !live) _exit(2);
        ane_bridge_free(idle); /* idle in the cache now; live stays in use */
        exit(0);               /* runs the exit hook */
    }
    close(exit_pipe[1]);
    char buf[8];
    ssize_t n = 0, r;
    while ((r = read(exit_pipe[0], buf + n, sizeof buf - (size_t)n)) > 0) n += r;
    close(exit_pipe[0]);
    int status = -1;
    waitpid(child, &status, 0);
    CHECK_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %d", status);
    CHECK_EQ_INT(1, n); /* the idle program, not the live one */
}
