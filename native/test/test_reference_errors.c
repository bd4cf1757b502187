/* Programs the reference backend must refuse at compile time, each with a clear message at the line and
 * column of the cause. */
#include <stdlib.h>
#include <string.h>

#include "reference_harness.h"
#include "test.h"

/* 1-based column of the first `needle` on 1-based line `line` of text, found here by plain search. */
static int column_of(const char *text, int line, const char *needle) {
    const char *p = text;
    for (int l = 1; l < line && p; l++) {
        p = strchr(p, '\n');
        if (p) p++;
    }
    if (!p) return -1;
    const char *end = strchr(p, '\n'), *hit = strstr(p, needle);
    if (!hit || (end && hit > end)) return -1;
    return (int)(hit - p) + 1;
}

/* Compile mil (with optional weight files) expecting ANE_ERR_COMPILE at (line, col) with a message
 * containing each of the given fragments. */
static void expect_compile_error(const char *mil, int n_inputs, int n_files, const char **names,
                                 const uint8_t **datas, const size_t *lens, int line, int col,
                                 const char *fragment1, const char *fragment2) {
    int code = ref_compile_error(mil, n_inputs, 1, n_files, names, datas, lens);
    CHECK_EQ_INT(ANE_ERR_COMPILE, code);
    if (code != ANE_ERR_COMPILE) return;
    int l = 0, c = 0;
    CHECK_EQ_INT(1, ane_bridge_last_error_position(&l, &c));
    CHECK_EQ_INT(line, l);
    CHECK_EQ_INT(col, c);
    const char *msg = ane_bridge_last_error();
    CHECK_MSG(msg && strstr(msg, fragment1), "message '%s' lacks '%s'", msg ? msg : "", fragment1);
    if (fragment2) CHECK_MSG(msg && strstr(msg, fragment2), "message '%s' lacks '%s'", msg ? msg : "", fragment2);
}

static void expect_error(const char *mil, int n_inputs, int line, const char *needle, const char *fragment1,
                         const char *fragment2) {
    expect_compile_error(mil, n_inputs, 0, NULL, NULL, NULL, line, column_of(mil, line, needle), fragment1,
                         fragment2);
}

TEST(ref_error_declared_type_differs_from_inferred) {
    const char *mil = MIL_MAIN("tensor<fp16, [1, 4]> x")
        "        tensor<fp16, [1, 5]> y = add(x = x, y = x);\n" MIL_END("y");
    /* the position of the declared result */
    expect_error(mil, 1, 4, "y =", "declared tensor<fp16, [1, 5]>", "gives tensor<fp16, [1, 4]>");
}

TEST(ref_error_declared_dtype_differs_from_inferred) {
    const char *mil = MIL_MAIN("tensor<fp16, [2]> x")
        "        tensor<fp32, [2]> y = relu(x = x);\n" MIL_END("y");
    expect_error(mil, 1, 4, "y =", "declared tensor<fp32, [2]>", "gives tensor<fp16, [2]>");
}

TEST(ref_error_unsupported_op_at_its_name) {
    const char *mil = MIL_MAIN("tensor<fp16, [2]> x")
        "        tensor<fp16, [2]> a = relu(x = x);\n"
        "        tensor<fp16, [2]> y = frobnicate(x = a);\n" MIL_END("y");
    expect_error(mil, 1, 5, "frobnicate", "unsupported op 'frobnicate'", NULL);
}

TEST(ref_error_configuration_operand_computed_at_run_time) {
    const char *mil = MIL_MAIN("tensor<fp16, [2, 3]> x, tensor<int32, [1]> ax")
        "        tensor<fp16, [2]> y = reduce_sum(x = x, axes = ax);\n" MIL_END("y");
    expect_error(mil, 2, 4, "ax)", "operand 'axes' of reduce_sum must be a compile-time constant", "'ax'");
}

TEST(ref_error_operands_of_different_dtypes) {
    const char *mil = MIL_MAIN("tensor<fp16, [2]> x, tensor<fp32, [2]> z")
        "        tensor<fp16, [2]> y = mul(x = x, y = z);\n" MIL_END("y");
    expect_error(mil, 2, 4, "z)", "same dtype", "fp32");
}

TEST(ref_error_reshape_changes_the_element_count) {
    const char *mil = MIL_MAIN("tensor<fp16, [2, 3]> x")
        "        tensor<int32, [2]> s = const()[name = string(\"s\"), val = tensor<int32, [2]>([4, 2])];\n"
        "        tensor<fp16, [4, 2]> y = reshape(x = x, shape = s);\n" MIL_END("y");
    expect_error(mil, 1, 5, "s)", "reshape of 6 elements into a shape of 8 elements", NULL);
}

TEST(ref_error_reshape_minus_one_cannot_divide) {
    const char *mil = MIL_MAIN("tensor<fp16, [2, 3]> x")
        "        tensor<fp16, [4, 2]> y = reshape(x = x, shape = tensor<int32, [2]>([4, -1]));\n" MIL_END("y");
    expect_error(mil, 1, 4, "tensor<int32", "-1", NULL);
}

TEST(ref_error_name_used_before_definition) {
    const char *mil = MIL_MAIN("tensor<fp16, [2]> x")
        "        tensor<fp16, [2]> y = add(x = x, y = later);\n"
        "        tensor<fp16, [2]> later = relu(x = x);\n" MIL_END("y");
    expect_error(mil, 1, 4, "later", "'later'", "undefined");
}

TEST(ref_error_unknown_and_missing_operands) {
    const char *unknown = MIL_MAIN("tensor<fp16, [2]> x")
        "        tensor<fp16, [2]> y = add(x = x, z = x);\n" MIL_END("y");
    expect_error(unknown, 1, 4, "x);", "add has no operand 'z'", NULL);
    const char *missing = MIL_MAIN("tensor<fp16, [2]> x")
        "        tensor<fp16, [2]> y = add(x = x);\n" MIL_END("y");
    expect_error(missing, 1, 4, "add", "add needs operand 'y'", NULL);
}

TEST(ref_error_shapes_that_do_not_fit) {
    const char *bcast = MIL_MAIN("tensor<fp16, [2, 3]> x, tensor<fp16, [2]> z")
        "        tensor<fp16, [2, 3]> y = add(x = x, y = z);\n" MIL_END("y");
    expect_error(bcast, 2, 4, "add", "cannot broadcast", "tensor<fp16, [2]>");
    const char *mm = MIL_MAIN("tensor<fp16, [2, 3]> x, tensor<fp16, [2, 3]> z")
        "        tensor<fp16, [2, 3]> y = matmul(x = x, y = z);\n" MIL_END("y");
    expect_error(mm, 2, 4, "z)", "inner dimensions 3 (x) and 2 (y) differ", NULL);
    const char *conv = MIL_MAIN("tensor<fp16, [1, 4, 1, 2]> x, tensor<fp16, [3, 2, 1, 1]> w")
        "        tensor<fp16, [1, 3, 1, 2]> y = conv(x = x, weight = w);\n" MIL_END("y");
    expect_error(conv, 2, 4, "w)", "weight has 2 input channels per group, x needs 4", NULL);
}

TEST(ref_error_constant_gather_index_out_of_range) {
    const char *mil = MIL_MAIN("tensor<fp16, [3, 2]> x")
        "        tensor<fp16, [1, 2]> y = gather(x = x, indices = tensor<int32, [1]>([3]));\n" MIL_END("y");
    expect_error(mil, 1, 4, "tensor<int32", "out of range", NULL);
}

TEST(ref_error_split_result_count) {
    const char *mil = MIL_MAIN("tensor<fp16, [6]> x")
        "        tensor<fp16, [2]> a, tensor<fp16, [4]> y = split(x = x, axis = int32(0), num_splits = int32(3));\n"
        MIL_END("y");
    expect_error(mil, 1, 4, "split", "3 pieces", "2 results");
}

TEST(ref_error_second_result_of_a_single_result_op) {
    const char *mil = MIL_MAIN("tensor<fp16, [2]> x")
        "        tensor<fp16, [2]> a, tensor<fp16, [2]> y = add(x = x, y = x);\n" MIL_END("y");
    expect_error(mil, 1, 4, "y =", "add has exactly one result", NULL);
}

TEST(ref_error_unknown_mode_and_dtype_strings) {
    const char *gelu = MIL_MAIN("tensor<fp16, [2]> x")
        "        tensor<fp16, [2]> y = gelu(x = x, mode = string(\"FAST\"));\n" MIL_END("y");
    expect_error(gelu, 1, 4, "string(", "gelu mode 'FAST' is unknown", NULL);
    const char *cast = MIL_MAIN("tensor<fp16, [2]> x")
        "        tensor<fp16, [2]> y = cast(x = x, dtype = string(\"fp8\"));\n" MIL_END("y");
    expect_error(cast, 1, 4, "string(", "unknown dtype 'fp8'", NULL);
}

/* Strings have no elements: moving them was once a NULL read at eval time. */
TEST(ref_error_data_op_on_a_string_tensor) {
    const char *named = MIL_MAIN("tensor<fp16, [2]> x")
        "        tensor<string, [2]> s = const()[name = string(\"s\"), val = tensor<string, [2]>([\"a\", \"b\"])];\n"
        "        tensor<string, [2]> t = transpose(x = s, perm = tensor<int32, [1]>([0]));\n"
        "        tensor<fp16, [2]> y = relu(x = x);\n" MIL_END("y");
    expect_error(named, 1, 5, "transpose", "transpose cannot compute on the string value 's'", NULL);
    const char *literal = MIL_MAIN("tensor<fp16, [2]> x")
        "        tensor<string, [1]> t = gather(x = tensor<string, [2]>([\"a\", \"b\"]), "
        "indices = tensor<int32, [1]>([0]));\n"
        "        tensor<fp16, [2]> y = relu(x = x);\n" MIL_END("y");
    expect_error(literal, 1, 4, "gather", "gather cannot compute on a string literal", NULL);
}

/* ---- BLOBFILE weights ------------------------------------------------------------------------------ */

static const char *blob_mil(void) {
    return MIL_MAIN("tensor<fp16, [4]> x")
        "        tensor<fp16, [4]> w = const()[name = string(\"w\"), val = tensor<fp16, [4]>(BLOBFILE("
        "path = string(\"@model_path/weights/w.bin\"), offset = uint64(64)))];\n"
        "        tensor<fp16, [4]> y = mul(x = x, y = w);\n" MIL_END("y");
}

static const uint16_t ones_fp16[4] = {0x3c00, 0x3c00, 0x3c00, 0x3c00};

static void expect_blob_error(const uint8_t *file, size_t len, const char *fragment) {
    const char *names[] = {"@model_path/weights/w.bin"};
    const uint8_t *datas[] = {file};
    size_t lens[] = {len};
    const char *mil = blob_mil();
    expect_compile_error(mil, 1, 1, names, datas, lens, 4, column_of(mil, 4, "tensor<fp16, [4]>(BLOBFILE"), fragment,
                         NULL);
}

TEST(ref_blobfile_well_formed_is_read) {
    size_t len;
    uint8_t *file = ref_blob_file(1, ones_fp16, sizeof ones_fp16, &len);
    const char *names[] = {"@model_path/weights/w.bin"};
    const uint8_t *datas[] = {file};
    size_t lens[] = {len};
    ANEKernelHandle *k = ref_compile_files(blob_mil(), 1, 1, 1, names, datas, lens);
    free(file);
    float x[] = {1, 2, 3, 4}, out[4];
    const float *in[] = {x};
    size_t counts[] = {4};
    if (k && ref_eval(k, in, counts, 1)) {
        ref_read(k, 0, out, 4);
        ref_check_all(x, out, 4, 0, "x * 1");
    }
    ane_bridge_free(k);
}

TEST(ref_blobfile_bad_sentinel) {
    size_t len;
    uint8_t *file = ref_blob_file(1, ones_fp16, sizeof ones_fp16, &len);
    file[64] = 0xEE;
    expect_blob_error(file, len, "sentinel");
    free(file);
}

TEST(ref_blobfile_dtype_differs_from_the_declared_type) {
    size_t len;
    uint8_t *file = ref_blob_file(2 /* fp32 */, ones_fp16, sizeof ones_fp16, &len);
    expect_blob_error(file, len, "type");
    free(file);
}

TEST(ref_blobfile_payload_past_the_end_of_the_file) {
    size_t len;
    uint8_t *file = ref_blob_file(1, ones_fp16, sizeof ones_fp16, &len);
    expect_blob_error(file, len - 2, "w.bin"); /* the payload's last element is cut off */
    free(file);
}

TEST(ref_blobfile_payload_size_differs_from_the_declared_shape) {
    size_t len;
    uint8_t *file = ref_blob_file(1, ones_fp16, 6, &len); /* 3 elements where [4] is declared */
    expect_blob_error(file, len, "w.bin");
    free(file);
}
