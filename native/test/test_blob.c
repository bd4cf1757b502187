/* Weight blob builders checked byte by byte against layouts written out by hand, the validated reader,
 * and BLOBFILE path checks. */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ane_bridge.h"
#include "blob.h"
#include "error.h"
#include "test.h"

/* The 128 bytes before the payload of a single-tensor file: count 1, version 2, then the metadata record
 * (sentinel EF BE AD DE, data type, payload size, payload offset 128). */
static void expected_prefix(uint8_t out[128], uint8_t dtype, uint8_t payload_bytes) {
    memset(out, 0, 128);
    out[0] = 1;
    out[4] = 2;
    out[64] = 0xEF; out[65] = 0xBE; out[66] = 0xAD; out[67] = 0xDE;
    out[68] = dtype;
    out[72] = payload_bytes;
    out[80] = 128;
}

static void check_bytes(const uint8_t *got, const uint8_t *want, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (got[i] != want[i]) {
            CHECK_MSG(0, "byte %zu: 0x%02x, expected 0x%02x", i, got[i], want[i]);
            return;
        }
}

/* 2 x 3: 1, -2, 0.5 / 65504, 1e-8 (below half the smallest subnormal: 0), 3 */
static const float SRC[6] = { 1.0f, -2.0f, 0.5f, 65504.0f, 1e-8f, 3.0f };

TEST(blob_fp16_builder_writes_header_metadata_and_row_major_payload) {
    size_t len = 99;
    uint8_t *b = ane_bridge_build_weight_blob(SRC, 2, 3, &len);
    CHECK(b != NULL);
    CHECK_EQ_INT(140, len);
    uint8_t want[140];
    expected_prefix(want, 1, 12);
    const uint8_t payload[12] = { 0x00, 0x3C, 0x00, 0xC0, 0x00, 0x38, 0xFF, 0x7B, 0x00, 0x00, 0x00, 0x42 };
    memcpy(want + 128, payload, 12);
    if (b) check_bytes(b, want, 140);
    CHECK_EQ_INT(ANE_OK, ane_bridge_last_error_code());
    ane_bridge_free_blob(b);
}

TEST(blob_transposed_builder_stores_the_transpose) {
    size_t len = 0;
    uint8_t *b = ane_bridge_build_weight_blob_transposed(SRC, 2, 3, &len);
    CHECK_EQ_INT(140, len);
    uint8_t want[140];
    expected_prefix(want, 1, 12);
    /* column-major of the 2x3 source: 1, 65504, -2, 0, 0.5, 3 */
    const uint8_t payload[12] = { 0x00, 0x3C, 0xFF, 0x7B, 0x00, 0xC0, 0x00, 0x00, 0x00, 0x38, 0x00, 0x42 };
    memcpy(want + 128, payload, 12);
    if (b) check_bytes(b, want, 140);
    ane_bridge_free_blob(b);
}

TEST(blob_int8_builder_has_file_header_and_data_type_4) {
    const int8_t src[6] = { -128, -1, 0, 1, 64, 127 };
    size_t len = 0;
    uint8_t *b = ane_bridge_build_weight_blob_int8(src, 3, 2, &len);
    CHECK_EQ_INT(134, len);
    uint8_t want[134];
    expected_prefix(want, 4, 6);
    const uint8_t payload[6] = { 0x80, 0xFF, 0x00, 0x01, 0x40, 0x7F };
    memcpy(want + 128, payload, 6);
    if (b) check_bytes(b, want, 134);
    ane_bridge_free_blob(b);
}

TEST(blob_quantized_builder_scales_by_max_over_127_and_rounds_half_away) {
    /* max |x| = 63.5 -> scale 0.5; x / 0.5 = 127, -127, 2.5 -> 3, -0.5 -> -1, 0.4 -> 0, 20 */
    const float src[6] = { 63.5f, -63.5f, 1.25f, -0.25f, 0.2f, 10.0f };
    size_t len = 0;
    float scale = 0;
    uint8_t *b = ane_bridge_build_weight_blob_quantized(src, 1, 6, &scale, &len);
    CHECK_EQ_INT(134, len);
    CHECK_NEAR(0.5, scale, 0);
    uint8_t want[134];
    expected_prefix(want, 4, 6);
    const uint8_t payload[6] = { 127, (uint8_t)-127, 3, (uint8_t)-1, 0, 20 };
    memcpy(want + 128, payload, 6);
    if (b) check_bytes(b, want, 134);
    ane_bridge_free_blob(b);

    const float zeros[4] = { 0 };
    b = ane_bridge_build_weight_blob_quantized(zeros, 2, 2, &scale, &len);
    CHECK_NEAR(1.0, scale, 0);
    CHECK_EQ_INT(132, len);
    if (b) for (int i = 128; i < 132; i++) CHECK_EQ_INT(0, b[i]);
    ane_bridge_free_blob(b);

    /* The smallest subnormal over 127 underflows to 0: scale falls back to 1 and every value rounds to 0. */
    const float tiny[2] = { 0.0f, 1.4e-45f };
    b = ane_bridge_build_weight_blob_quantized(tiny, 1, 2, &scale, &len);
    CHECK_NEAR(1.0, scale, 0);
    if (b) CHECK(b[128] == 0 && b[129] == 0);
    ane_bridge_free_blob(b);
}

TEST(blob_builders_refuse_bad_arguments_with_null_and_zero_length) {
    size_t len = 77;
    float scale = 5;
    CHECK(ane_bridge_build_weight_blob(NULL, 2, 3, &len) == NULL);
    CHECK_EQ_INT(0, len);
    CHECK_EQ_INT(ANE_ERR_INVALID_ARGUMENT, ane_bridge_last_error_code());
    CHECK(strstr(ane_bridge_last_error(), "src is NULL") != NULL);
    len = 77;
    CHECK(ane_bridge_build_weight_blob(SRC, 0, 3, &len) == NULL);
    CHECK_EQ_INT(0, len);
    CHECK(strstr(ane_bridge_last_error(), "must be positive") != NULL);
    len = 77;
    CHECK(ane_bridge_build_weight_blob_transposed(SRC, 2, -3, &len) == NULL);
    CHECK_EQ_INT(0, len);
    CHECK(ane_bridge_build_weight_blob(SRC, 2, 3, NULL) == NULL);
    CHECK(strstr(ane_bridge_last_error(), "out_len is NULL") != NULL);
    len = 77;
    CHECK(ane_bridge_build_weight_blob_int8(NULL, 1, 1, &len) == NULL);
    CHECK_EQ_INT(0, len);
    len = 77;
    CHECK(ane_bridge_build_weight_blob_quantized(SRC, 2, 3, NULL, &len) == NULL);
    CHECK_EQ_INT(0, len);
    const float with_nan[2] = { 1.0f, NAN };
    len = 77;
    CHECK(ane_bridge_build_weight_blob_quantized(with_nan, 1, 2, &scale, &len) == NULL);
    CHECK_EQ_INT(0, len);
    CHECK(strstr(ane_bridge_last_error(), "src[1] is not finite") != NULL);
    CHECK_NEAR(5, scale, 0);
}

TEST(blob_builder_reports_an_allocation_it_cannot_make) {
#if TEST_UNDER_ASAN
    test_skip("AddressSanitizer aborts on a 4.6e18-byte allocation instead of returning NULL");
#else
    int8_t one = 1;
    size_t len = 77;
    CHECK(ane_bridge_build_weight_blob_int8(&one, INT_MAX, INT_MAX, &len) == NULL);
    CHECK_EQ_INT(0, len);
    CHECK_EQ_INT(ANE_ERR_OUT_OF_MEMORY, ane_bridge_last_error_code());
#endif
}

TEST(blob_tensor_finds_the_payload_of_built_files) {
    size_t len;
    uint8_t *b = ane_bridge_build_weight_blob(SRC, 2, 3, &len);
    const uint8_t *payload = NULL;
    CHECK_EQ_INT(0, ane_blob_tensor(b, len, "@model_path/weights/w.bin", 64, ANE_DTYPE_FP16, 12, &payload));
    CHECK(payload == b + 128);
    ane_bridge_free_blob(b);
}

/* Two tensors in one file the way upstream's multi-tensor builders lay them out: metadata at 64 and at
 * 64 + (64 + 4), payloads right after each record. */
TEST(blob_tensor_reads_the_second_tensor_of_a_multi_tensor_file) {
    uint8_t f[64 + 2 * (64 + 4)] = { 0 };
    f[0] = 1; f[4] = 2;
    for (int t = 0; t < 2; t++) {
        uint8_t *m = f + 64 + t * 68;
        m[0] = 0xEF; m[1] = 0xBE; m[2] = 0xAD; m[3] = 0xDE;
        m[4] = 1;
        m[8] = 4;
        m[16] = (uint8_t)(64 + t * 68 + 64);
        m[64] = (uint8_t)(10 + t);
    }
    const uint8_t *p = NULL;
    CHECK_EQ_INT(0, ane_blob_tensor(f, sizeof f, "w", 132, ANE_DTYPE_FP16, 4, &p));
    CHECK(p == f + 196);
    CHECK(p && p[0] == 11);
}

static void check_refused(const uint8_t *f, size_t len, uint64_t offset, int dtype, uint64_t bytes,
                          const char *needle) {
    const uint8_t *p = (const uint8_t *)1;
    ane_error_clear();
    CHECK_EQ_INT(-1, ane_blob_tensor(f, len, "@model_path/weights/w.bin", offset, dtype, bytes, &p));
    CHECK(p == (const uint8_t *)1);
    CHECK_EQ_INT(ANE_ERR_COMPILE, ane_error_last_code());
    const char *msg = ane_bridge_last_error();
    CHECK_MSG(msg && strstr(msg, needle) && strstr(msg, "w.bin"), "message '%s' should mention '%s'",
              msg ? msg : "(null)", needle);
}

TEST(blob_tensor_refuses_malformed_files_naming_the_cause) {
    size_t len;
    uint8_t *b = ane_bridge_build_weight_blob(SRC, 2, 3, &len);
    check_refused(b, 40, 64, ANE_DTYPE_FP16, 12, "shorter than its 64-byte header");
    check_refused(b, len, 64, ANE_DTYPE_INT8, 12, "data type 1 (fp16), expected 4 (int8)");
    check_refused(b, len, 64, ANE_DTYPE_FP16, 10, "holds 12 payload bytes, expected 10");
    check_refused(b, len, 128, ANE_DTYPE_FP16, 12, "no room for a 64-byte metadata record");
    check_refused(b, len, 0, ANE_DTYPE_FP16, 12, "no room for a 64-byte metadata record");
    check_refused(b, len, UINT64_MAX - 10, ANE_DTYPE_FP16, 12, "no room");
    check_refused(b, len, 66, ANE_DTYPE_FP16, 12, "expected sentinel 0xDEADBEEF");
    check_refused(b, len - 1, 64, ANE_DTYPE_FP16, 12, "outside the file");
    b[80] = 0xF0; b[87] = 0xFF;                     /* payload offset far past the end */
    check_refused(b, len, 64, ANE_DTYPE_FP16, 12, "outside the file");
    b[80] = 128; b[87] = 0;
    b[4] = 3;
    check_refused(b, len, 64, ANE_DTYPE_FP16, 12, "version 3, expected 2");
    ane_bridge_free_blob(b);
}

static void check_path(const char *path, int ok, const char *needle) {
    ane_error_clear();
    int r = ane_blob_check_path(path);
    CHECK_MSG(r == (ok ? 0 : -1), "'%s': %d", path ? path : "(null)", r);
    if (!ok) {
        CHECK_EQ_INT(ANE_ERR_INVALID_ARGUMENT, ane_error_last_code());
        const char *msg = ane_bridge_last_error();
        CHECK_MSG(msg && strstr(msg, needle), "'%s' message '%s' should mention '%s'", path ? path : "(null)",
                  msg ? msg : "(null)", needle);
    }
}

TEST(blob_check_path_keeps_names_inside_model_path) {
    check_path("@model_path/weights/weight.bin", 1, NULL);
    check_path("@model_path/w.bin", 1, NULL);
    check_path("@model_path/..w.bin", 1, NULL);
    check_path("@model_path/a..b/c", 1, NULL);
    check_path("@model_path/../x.bin", 0, "'..' component");
    check_path("@model_path/weights/../../x.bin", 0, "'..' component");
    check_path("@model_path/./x.bin", 0, "'.' component");
    check_path("/etc/passwd", 0, "must start with \"@model_path/\"");
    check_path("weights/w.bin", 0, "must start with");
    check_path("@model_path", 0, "must start with");
    check_path("@model_path/", 0, "empty path component");
    check_path("@model_path//etc/passwd", 0, "empty path component");
    check_path("@model_path/weights/", 0, "empty path component");
    check_path(NULL, 0, "NULL");
}

TEST(blob_check_path_reserves_the_model_folders_own_files) {
    check_path("@model_path/model.mil", 0, "reserved");
    check_path("@model_path/net.plist", 0, "reserved");
    check_path("@model_path/data", 0, "reserved");
    check_path("@model_path/data/w.bin", 0, "reserved");
    check_path("@model_path/net.plist/w.bin", 0, "reserved");
    check_path("@model_path/model.mil/a/b.bin", 0, "reserved");
    check_path("@model_path/weights/data", 1, NULL);
    check_path("@model_path/data.bin", 1, NULL);
    check_path("@model_path/dat/w.bin", 1, NULL);
    check_path("@model_path/datas/w.bin", 1, NULL);
}
