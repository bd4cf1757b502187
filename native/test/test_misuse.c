/* Misuse of the ABI: each call is refused with the right code and a message naming the cause, and no
 * memory is touched (guard bytes around caller buffers, surfaces checked unchanged). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ane_bridge.h"
#include "core_fixtures.h"
#include "test.h"

#define FILL 0xA5

static void expect_error(int code, const char *needle) {
    const char *msg = ane_bridge_last_error();
    CHECK_EQ_INT(code, ane_bridge_last_error_code());
    CHECK_MSG(msg && strstr(msg, needle), "message '%s' should mention '%s'", msg ? msg : "(null)", needle);
}

/* x + x on [1, 2, 1, 4] fp16: input and output are 16 bytes. */
static ANEKernelHandle *small_kernel(const char *tag) {
    char *mil = mil_add_self(2, 4, tag);
    ANEKernelHandle *k = ane_bridge_compile_dyn(mil, strlen(mil), 1, NULL, 0, NULL, 16);
    CHECK_MSG(k != NULL, "compile: %s", ane_bridge_last_error());
    free(mil);
    return k;
}

static int all_zero(const void *p, size_t n) {
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i]) return 0;
    return 1;
}

TEST(misuse_null_kernel_is_refused_by_every_function) {
    uint8_t *buf = guarded_alloc(16, FILL);
    float *fbuf = (float *)guarded_alloc(16, FILL);
    CHECK(!ane_bridge_eval(NULL));
    expect_error(ANE_ERR_INVALID_ARGUMENT, "eval: kernel is NULL");
    ane_bridge_write_input(NULL, 0, buf, 16);
    expect_error(ANE_ERR_INVALID_ARGUMENT, "write_input: kernel is NULL");
    ane_bridge_read_output(NULL, 0, buf, 16);
    expect_error(ANE_ERR_INVALID_ARGUMENT, "read_output: kernel is NULL");
    ane_bridge_write_weight(NULL, 0, buf, 16);
    expect_error(ANE_ERR_INVALID_ARGUMENT, "write_weight: kernel is NULL");
    ane_bridge_write_weight_f32(NULL, 0, fbuf, 4);
    expect_error(ANE_ERR_INVALID_ARGUMENT, "write_weight_f32: kernel is NULL");
    ane_bridge_write_input_f32(NULL, 0, fbuf, 4);
    expect_error(ANE_ERR_INVALID_ARGUMENT, "write_input_f32: kernel is NULL");
    ane_bridge_read_output_f32(NULL, 0, fbuf, 4);
    expect_error(ANE_ERR_INVALID_ARGUMENT, "read_output_f32: kernel is NULL");
    CHECK(guarded_untouched(buf, 16, FILL) && guarded_untouched((uint8_t *)fbuf, 16, FILL));
    CHECK_EQ_INT(-1, ane_bridge_surface_count(NULL, ANE_SURFACE_INPUT));
    expect_error(ANE_ERR_INVALID_ARGUMENT, "surface_count: kernel is NULL");
    CHECK_EQ_INT(0, ane_bridge_surface_size(NULL, ANE_SURFACE_INPUT, 0));
    expect_error(ANE_ERR_INVALID_ARGUMENT, "kernel is NULL");
    CHECK_EQ_INT(0, ane_bridge_surface_dtype(NULL, ANE_SURFACE_INPUT, 0));
    CHECK(ane_bridge_surface_pointer(NULL, ANE_SURFACE_INPUT, 0) == NULL);
    CHECK(ane_bridge_surface_lock(NULL, ANE_SURFACE_INPUT, 0, 0) == NULL);
    CHECK_EQ_INT(-1, ane_bridge_surface_unlock(NULL, ANE_SURFACE_INPUT, 0, 0));
    CHECK(ane_bridge_kernel_backend(NULL) == NULL);
    expect_error(ANE_ERR_INVALID_ARGUMENT, "kernel_backend: kernel is NULL");
    ANEKernelHandle *k = small_kernel("null_kernel");
    ane_bridge_copy_io(NULL, 0, k, 0);
    expect_error(ANE_ERR_INVALID_ARGUMENT, "copy_io (source): kernel is NULL");
    ane_bridge_copy_io(k, 0, NULL, 0);
    expect_error(ANE_ERR_INVALID_ARGUMENT, "copy_io (destination): kernel is NULL");
    CHECK_EQ_INT(-1, ane_bridge_alias_surface(NULL, ANE_SURFACE_OUTPUT, 0, k, ANE_SURFACE_INPUT, 0));
    expect_error(ANE_ERR_INVALID_ARGUMENT, "alias_surface (source): kernel is NULL");
    ane_bridge_free(NULL);
    CHECK_EQ_INT(ANE_OK, ane_bridge_last_error_code());
    ane_bridge_free(k);
    free(buf);
    free(fbuf);
}

TEST(misuse_bad_indices_and_kinds_are_refused) {
    ANEKernelHandle *k = small_kernel("bad_index");
    if (!k) return;
    uint8_t *buf = guarded_alloc(16, FILL);
    ane_bridge_write_input(k, 1, buf, 16);
    expect_error(ANE_ERR_INVALID_ARGUMENT, "write_input: input index 1 out of range (the kernel has 1 input)");
    ane_bridge_write_input(k, -1, buf, 16);
    expect_error(ANE_ERR_INVALID_ARGUMENT, "input index -1 out of range");
    ane_bridge_write_weight(k, 0, buf, 16);
    expect_error(ANE_ERR_INVALID_ARGUMENT, "weight index 0 out of range (the kernel has 0 weights)");
    ane_bridge_read_output(k, 2, buf, 16);
    expect_error(ANE_ERR_INVALID_ARGUMENT, "output index 2 out of range");
    CHECK(guarded_untouched(buf, 16, FILL));
    CHECK_EQ_INT(-1, ane_bridge_surface_count(k, 3));
    expect_error(ANE_ERR_INVALID_ARGUMENT, "unknown surface kind 3");
    CHECK_EQ_INT(0, ane_bridge_surface_size(k, -1, 0));
    expect_error(ANE_ERR_INVALID_ARGUMENT, "unknown surface kind -1");
    CHECK(ane_bridge_surface_pointer(k, ANE_SURFACE_OUTPUT, 1) == NULL);
    expect_error(ANE_ERR_INVALID_ARGUMENT, "surface_pointer: output index 1 out of range");
    CHECK(all_zero(ane_bridge_surface_pointer(k, ANE_SURFACE_INPUT, 0), 16));
    ane_bridge_free(k);
    free(buf);
}

TEST(misuse_oversize_writes_reads_and_copies_touch_nothing) {
    ANEKernelHandle *k = small_kernel("oversize");
    char *mil = mil_add_self(2, 2, "oversize_small");
    ANEKernelHandle *small = ane_bridge_compile_dyn(mil, strlen(mil), 1, NULL, 0, NULL, 8);
    free(mil);
    if (!k || !small) { ane_bridge_free(k); ane_bridge_free(small); CHECK(0); return; }
    uint8_t *buf = guarded_alloc(17, FILL);
    ane_bridge_write_input(k, 0, buf, 17);
    expect_error(ANE_ERR_INVALID_ARGUMENT, "write_input: 17 bytes do not fit input 0 ('x'), which holds 16 bytes");
    CHECK(all_zero(ane_bridge_surface_pointer(k, ANE_SURFACE_INPUT, 0), 16));
    ane_bridge_write_input_f32(k, 0, (const float *)buf, 9);
    expect_error(ANE_ERR_INVALID_ARGUMENT, "9 elements do not fit input 0 ('x'), which holds 8 fp16 elements");
    CHECK(all_zero(ane_bridge_surface_pointer(k, ANE_SURFACE_INPUT, 0), 16));
    ane_bridge_write_input_f32(k, 0, (const float *)buf, SIZE_MAX / 2);
    expect_error(ANE_ERR_INVALID_ARGUMENT, "do not fit input 0");
    ane_bridge_read_output(k, 0, buf, 17);
    expect_error(ANE_ERR_INVALID_ARGUMENT, "read_output: 17 bytes do not fit output 0 ('out')");
    ane_bridge_read_output_f32(k, 0, (float *)buf, 9);
    expect_error(ANE_ERR_INVALID_ARGUMENT, "read_output_f32: 9 elements do not fit output 0");
    ane_bridge_read_output(k, 0, buf, SIZE_MAX);
    expect_error(ANE_ERR_INVALID_ARGUMENT, "do not fit output 0");
    CHECK(guarded_untouched(buf, 17, FILL));
    ane_bridge_write_input(k, 0, NULL, 4);
    expect_error(ANE_ERR_INVALID_ARGUMENT, "write_input: data is NULL");
    /* copy between surfaces of 16 and 8 bytes, either way */
    uint16_t ones[8];
    for (int i = 0; i < 8; i++) ones[i] = 0x3c00;
    ane_bridge_write_input(k, 0, ones, 16);
    CHECK(ane_bridge_eval(k));
    ane_bridge_copy_io(k, 0, small, 0);
    expect_error(ANE_ERR_INVALID_ARGUMENT, "copy_io: source output 0 ('out') is 16 bytes, destination input 0 ('x') "
                 "is 8 bytes");
    CHECK(all_zero(ane_bridge_surface_pointer(small, ANE_SURFACE_INPUT, 0), 8));
    ane_bridge_copy_io(small, 0, k, 0);
    expect_error(ANE_ERR_INVALID_ARGUMENT, "is 8 bytes, destination input 0 ('x') is 16 bytes");
    ane_bridge_copy_io(k, 1, k, 0);
    expect_error(ANE_ERR_INVALID_ARGUMENT, "copy_io (source): output index 1 out of range");
    /* a shorter write fills the prefix only */
    ane_bridge_write_input(small, 0, ones, 4);
    CHECK_EQ_INT(ANE_OK, ane_bridge_last_error_code());
    const uint16_t *in = ane_bridge_surface_pointer(small, ANE_SURFACE_INPUT, 0);
    CHECK(in[0] == 0x3c00 && in[1] == 0x3c00 && in[2] == 0 && in[3] == 0);
    ane_bridge_free(k);
    ane_bridge_free(small);
    free(buf);
}


TEST(misuse_size_mismatch_at_compile_names_the_surface) {
    char *mil = mil_dyn_matmul(64, 64, 64);
    size_t len = strlen(mil);
    int before = ane_bridge_get_compile_count();
    size_t sizes[2] = { 8192, 4096 };
    CHECK(ane_bridge_compile_multi_weights(mil, len, NULL, NULL, NULL, 0, 2, sizes, 1, NULL) == NULL);
    expect_error(ANE_ERR_INVALID_ARGUMENT, "input 1 ('W'): expected 8192 bytes, got 4096");
    size_t in = 8192, w = 8192;
    CHECK(ane_bridge_compile_dyn(mil, len, 1, &in, 1, &w, 8190) == NULL);
    expect_error(ANE_ERR_INVALID_ARGUMENT, "output 0 ('out'): expected 8192 bytes, got 8190");
    w = 16384;
    CHECK(ane_bridge_compile_dyn(mil, len, 1, &in, 1, &w, 8192) == NULL);
    expect_error(ANE_ERR_INVALID_ARGUMENT, "weight 0 ('W'): expected 8192 bytes, got 16384");
    CHECK_EQ_INT(before, ane_bridge_get_compile_count());
    free(mil);
}

TEST(misuse_counts_that_disagree_with_the_signature) {
    char *mil = mil_dyn_matmul(64, 64, 64);
    size_t len = strlen(mil);
    CHECK(ane_bridge_compile_dyn(mil, len, 1, NULL, 0, NULL, 8192) == NULL);
    expect_error(ANE_ERR_INVALID_ARGUMENT, "the program has 2 parameters ('x', 'W') but n_inputs + n_weights = 1 + 0 = 1");
    CHECK(ane_bridge_compile_dyn_multi(mil, len, 1, NULL, 1, NULL, 2, NULL) == NULL);
    expect_error(ANE_ERR_INVALID_ARGUMENT, "the program returns 1 value ('out') but n_outputs = 2");
    CHECK(ane_bridge_compile_dyn_multi(mil, len, -1, NULL, 3, NULL, 1, NULL) == NULL);
    expect_error(ANE_ERR_INVALID_ARGUMENT, "n_inputs is negative (-1)");
    CHECK(ane_bridge_compile_ex(NULL, mil, len, NULL, NULL, NULL, 0, 2, NULL, 0, NULL, -3, NULL) == NULL);
    expect_error(ANE_ERR_INVALID_ARGUMENT, "n_outputs is negative (-3)");
    CHECK(ane_bridge_compile_ex(NULL, mil, len, NULL, NULL, NULL, 2, 2, NULL, 0, NULL, 1, NULL) == NULL);
    expect_error(ANE_ERR_INVALID_ARGUMENT, "weight_names is NULL with 2 weight files");
    CHECK(ane_bridge_compile_ex(NULL, mil, len, NULL, NULL, NULL, 0, 2, NULL, INT32_MAX, NULL, 1, NULL) == NULL);
    expect_error(ANE_ERR_INVALID_ARGUMENT, "n_inputs + n_weights = 2 + 2147483647 = 2147483649");
    free(mil);
}

TEST(misuse_null_or_empty_text_and_unknown_backend) {
    const char *before = ane_bridge_backend_name();
    CHECK(ane_bridge_compile_dyn(NULL, 10, 1, NULL, 0, NULL, 16) == NULL);
    expect_error(ANE_ERR_INVALID_ARGUMENT, "mil_text is NULL");
    CHECK(ane_bridge_compile(NULL, 0, NULL, 0, 1, NULL, 1, NULL) == NULL);
    expect_error(ANE_ERR_INVALID_ARGUMENT, "mil_text is NULL");
    CHECK(ane_bridge_compile_dyn("program(1.3)", 0, 1, NULL, 0, NULL, 16) == NULL);
    expect_error(ANE_ERR_INVALID_ARGUMENT, "mil_len is 0");
    char *mil = mil_add_self(2, 4, "unknown_backend");
    CHECK(ane_bridge_compile_ex("tpu", mil, strlen(mil), NULL, NULL, NULL, 0, 1, NULL, 0, NULL, 1, NULL) == NULL);
    expect_error(ANE_ERR_INVALID_ARGUMENT, "unknown backend 'tpu'");
    CHECK_EQ_INT(-1, ane_bridge_select_backend("tpu"));
    expect_error(ANE_ERR_INVALID_ARGUMENT, "unknown backend 'tpu'");
    CHECK_EQ_INT(-1, ane_bridge_select_backend(NULL));
    expect_error(ANE_ERR_INVALID_ARGUMENT, "backend name is NULL");
    if (!ane_bridge_backend_available("ane")) {
        CHECK(ane_bridge_compile_ex("ane", mil, strlen(mil), NULL, NULL, NULL, 0, 1, NULL, 0, NULL, 1, NULL) == NULL);
        expect_error(ANE_ERR_UNAVAILABLE, "ane backend");
    }
    CHECK(!strcmp(ane_bridge_backend_name(), before)); /* the failed selections changed nothing */
    free(mil);
}

TEST(misuse_compile_reports_syntax_errors_with_line_and_column) {
    const char *bad = "program(1.3)\n{\n    func main<ios18>(tensor<fp61, [1]> x) {\n    } -> (x);\n}\n";
    CHECK(ane_bridge_compile_dyn(bad, strlen(bad), 1, NULL, 0, NULL, 2) == NULL);
    CHECK_EQ_INT(ANE_ERR_COMPILE, ane_bridge_last_error_code());
    int line = 0, col = 0;
    CHECK_EQ_INT(1, ane_bridge_last_error_position(&line, &col));
    CHECK_EQ_INT(3, line);
    CHECK_EQ_INT(29, col);
    CHECK(strstr(ane_bridge_last_error(), "line 3, column 29: ") != NULL);
    CHECK(strstr(ane_bridge_last_error(), "fp61") != NULL);
    const char *text = "program(1.3)\n{\n    func main<ios18>(tensor<bool, [1, 4]> m) {\n    } -> (m);\n}\n";
    CHECK(ane_bridge_compile_dyn(text, strlen(text), 1, NULL, 0, NULL, 4) == NULL);
    expect_error(ANE_ERR_COMPILE, "parameter 'm' has dtype bool");
    CHECK_EQ_INT(1, ane_bridge_last_error_position(&line, NULL));
    CHECK_EQ_INT(3, line);
}

static const char *BLOB_MIL =
    "program(1.3)\n"
    "{\n"
    "    func main<ios18>(tensor<fp16, [1, 2]> x) {\n"
    "        tensor<fp16, [1, 2]> a = const()[name = string(\"a\"), val = tensor<fp16, [1, 2]>(BLOBFILE(path = "
    "string(\"@model_path/weights/weight.bin\"), offset = uint64(64)))];\n"
    "        tensor<fp16, [1, 2]> y = mul(x = x, y = a)[name = string(\"y\")];\n"
    "    } -> (y);\n"
    "}\n";

TEST(misuse_weight_names_must_stay_inside_model_path_and_exist) {
    const float w[2] = { 1, 2 };
    size_t wl;
    uint8_t *blob = ane_bridge_build_weight_blob(w, 1, 2, &wl);
    const uint8_t *datas[2] = { blob, blob };
    size_t lens[2] = { wl, wl };
    const char *escape[1] = { "@model_path/../x.bin" };
    CHECK(ane_bridge_compile_multi_weights(BLOB_MIL, strlen(BLOB_MIL), escape, datas, lens, 1, 1, NULL, 1, NULL) == NULL);
    expect_error(ANE_ERR_INVALID_ARGUMENT, "weight name '@model_path/../x.bin' has a '..' component");
    const char *absolute[1] = { "/tmp/weight.bin" };
    CHECK(ane_bridge_compile_multi_weights(BLOB_MIL, strlen(BLOB_MIL), absolute, datas, lens, 1, 1, NULL, 1, NULL) == NULL);
    expect_error(ANE_ERR_INVALID_ARGUMENT, "weight name '/tmp/weight.bin' must start with \"@model_path/\"");
    const char *twice[2] = { "@model_path/weights/weight.bin", "@model_path/weights/weight.bin" };
    CHECK(ane_bridge_compile_multi_weights(BLOB_MIL, strlen(BLOB_MIL), twice, datas, lens, 2, 1, NULL, 1, NULL) == NULL);
    expect_error(ANE_ERR_INVALID_ARGUMENT, "weight file '@model_path/weights/weight.bin' is given twice (files 0 and 1)");
    const char *other[1] = { "@model_path/weights/other.bin" };
    CHECK(ane_bridge_compile_multi_weights(BLOB_MIL, strlen(BLOB_MIL), other, datas, lens, 1, 1, NULL, 1, NULL) == NULL);
    expect_error(ANE_ERR_COMPILE, "the program reads BLOBFILE '@model_path/weights/weight.bin' but no weight file of "
                 "that name was given");
    CHECK(ane_bridge_compile(BLOB_MIL, strlen(BLOB_MIL), NULL, 0, 1, NULL, 1, NULL) == NULL);
    expect_error(ANE_ERR_COMPILE, "reads BLOBFILE '@model_path/weights/weight.bin'");
    CHECK(ane_bridge_compile(BLOB_MIL, strlen(BLOB_MIL), NULL, 12, 1, NULL, 1, NULL) == NULL);
    expect_error(ANE_ERR_INVALID_ARGUMENT, "weight_data is NULL with weight_len 12");
    const uint8_t *null_data[1] = { NULL };
    const char *ok_name[1] = { "@model_path/weights/weight.bin" };
    CHECK(ane_bridge_compile_multi_weights(BLOB_MIL, strlen(BLOB_MIL), ok_name, null_data, lens, 1, 1, NULL, 1, NULL) == NULL);
    expect_error(ANE_ERR_INVALID_ARGUMENT, "weight file '@model_path/weights/weight.bin': data is NULL with length");
    /* and the correct call works */
    ANEKernelHandle *k = ane_bridge_compile(BLOB_MIL, strlen(BLOB_MIL), blob, wl, 1, NULL, 1, NULL);
    CHECK_MSG(k != NULL, "compile: %s", ane_bridge_last_error());
    ane_bridge_free(k);
    ane_bridge_free_blob(blob);
}

TEST(misuse_unbalanced_realtime_end_is_refused) {
    ane_bridge_end_realtime();
    expect_error(ANE_ERR_INVALID_ARGUMENT, "end_realtime without a matching begin_realtime");
    ane_bridge_begin_realtime();
    ane_bridge_end_realtime();
    CHECK_EQ_INT(ANE_OK, ane_bridge_last_error_code());
    ane_bridge_end_realtime();
    expect_error(ANE_ERR_INVALID_ARGUMENT, "end_realtime without a matching begin_realtime");
}

TEST(misuse_write_weight_f32_beyond_the_weight_surface) {
    char *mil = mil_dyn_matmul(64, 64, 64);
    size_t len = strlen(mil);
    ANEKernelHandle *k = ane_bridge_compile_dyn(mil, len, 1, NULL, 1, NULL, 8192);
    CHECK(k != NULL);
    if (k) {
        float *w = calloc(4097, sizeof *w);
        w[0] = 1;
        ane_bridge_write_weight_f32(k, 0, w, 4097);
        expect_error(ANE_ERR_INVALID_ARGUMENT, "write_weight_f32: 4097 elements do not fit weight 0 ('W'), which "
                     "holds 4096 fp16 elements");
        CHECK(all_zero(ane_bridge_surface_pointer(k, ANE_SURFACE_WEIGHT, 0), 8192));
        ane_bridge_write_weight(k, 0, w, 8193);
        expect_error(ANE_ERR_INVALID_ARGUMENT, "write_weight: 8193 bytes do not fit weight 0 ('W')");
        CHECK(all_zero(ane_bridge_surface_pointer(k, ANE_SURFACE_WEIGHT, 0), 8192));
        free(w);
    }
    ane_bridge_free(k);
    free(mil);
}
