/* Element transfers (surface_write / surface_read): ranges inside any surface, raw or converted from and
 * to fp32, every misuse refused before memory is touched; and surface_needs_lock. Expected fp16 bits come
 * from fp16_quarter (built field by field, not from fp16.c). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ane_bridge.h"
#include "core_fixtures.h"
#include "test.h"

#define FILL 0xA5

/* out = x + x on [1, 2, 1, 4] fp16: 8 elements in and out. */
static ANEKernelHandle *eight_element_kernel(const char *tag) {
    char *mil = mil_add_self(2, 4, tag);
    ANEKernelHandle *k = ane_bridge_compile_ex("reference", mil, strlen(mil), NULL, NULL, NULL, 0, 1, NULL, 0, NULL,
                                               1, NULL);
    CHECK_MSG(k != NULL, "compile: %s", ane_bridge_last_error());
    free(mil);
    return k;
}

static void expect_error(const char *needle) {
    const char *msg = ane_bridge_last_error();
    CHECK_EQ_INT(ANE_ERR_INVALID_ARGUMENT, ane_bridge_last_error_code());
    CHECK_MSG(msg && strstr(msg, needle), "message '%s' should mention '%s'", msg ? msg : "(null)", needle);
}

TEST(transfer_write_converts_fp32_into_a_range_and_leaves_the_rest) {
    ANEKernelHandle *k = eight_element_kernel("transfer_write_range");
    if (!k) return;
    const float values[3] = { 1.25f, -2.5f, 0.75f };
    CHECK_EQ_INT(0, ane_bridge_surface_write(k, ANE_SURFACE_INPUT, 0, 2, values, ANE_DTYPE_FP32, 3));
    CHECK_EQ_INT(ANE_OK, ane_bridge_last_error_code());
    const uint16_t *x = ane_bridge_surface_pointer(k, ANE_SURFACE_INPUT, 0);
    const uint16_t expected[8] = { 0, 0, fp16_quarter(5), fp16_quarter(-10), fp16_quarter(3), 0, 0, 0 };
    for (int i = 0; i < 8; i++) CHECK_MSG(x[i] == expected[i], "x[%d] = 0x%04x, expected 0x%04x", i, x[i], expected[i]);
    ane_bridge_free(k);
}

TEST(transfer_write_copies_raw_fp16_into_a_range) {
    ANEKernelHandle *k = eight_element_kernel("transfer_write_raw");
    if (!k) return;
    const uint16_t bits[2] = { 0x3c00, 0xc000 }; /* 1, -2 */
    CHECK_EQ_INT(0, ane_bridge_surface_write(k, ANE_SURFACE_INPUT, 0, 6, bits, ANE_DTYPE_FP16, 2));
    const uint16_t *x = ane_bridge_surface_pointer(k, ANE_SURFACE_INPUT, 0);
    CHECK_EQ_INT(0x3c00, x[6]);
    CHECK_EQ_INT(0xc000, x[7]);
    CHECK_EQ_INT(0, x[5]);
    ane_bridge_free(k);
}

TEST(transfer_read_converts_a_range_of_an_input_or_output_to_fp32) {
    ANEKernelHandle *k = eight_element_kernel("transfer_read_range");
    if (!k) return;
    float x[8];
    for (int i = 0; i < 8; i++) x[i] = (float)(i - 3) / 4;
    ane_bridge_write_input_f32(k, 0, x, 8);
    CHECK(ane_bridge_eval(k));
    float in[3] = { 0 }, out[3] = { 0 };
    CHECK_EQ_INT(0, ane_bridge_surface_read(k, ANE_SURFACE_INPUT, 0, 4, in, ANE_DTYPE_FP32, 3));
    CHECK_EQ_INT(0, ane_bridge_surface_read(k, ANE_SURFACE_OUTPUT, 0, 4, out, ANE_DTYPE_FP32, 3));
    for (int i = 0; i < 3; i++) {
        CHECK_NEAR((i + 1) / 4.0, in[i], 0);
        CHECK_NEAR((i + 1) / 2.0, out[i], 0);
    }
    uint16_t raw[2] = { 0 };
    CHECK_EQ_INT(0, ane_bridge_surface_read(k, ANE_SURFACE_OUTPUT, 0, 0, raw, ANE_DTYPE_FP16, 2));
    CHECK_EQ_INT(fp16_quarter(-6), raw[0]); /* 2 * -3/4 */
    CHECK_EQ_INT(fp16_quarter(-4), raw[1]);
    ane_bridge_free(k);
}

TEST(transfer_refuses_ranges_past_the_end_and_touches_nothing) {
    ANEKernelHandle *k = eight_element_kernel("transfer_ranges");
    if (!k) return;
    uint8_t *buf = guarded_alloc(64, FILL);
    CHECK_EQ_INT(-1, ane_bridge_surface_write(k, ANE_SURFACE_INPUT, 0, 6, buf, ANE_DTYPE_FP32, 3));
    expect_error("surface_write: 3 elements from element 6 on do not fit input 0 ('x'), which holds 8 fp16 elements");
    CHECK_EQ_INT(-1, ane_bridge_surface_write(k, ANE_SURFACE_INPUT, 0, 9, buf, ANE_DTYPE_FP16, 0));
    expect_error("from element 9 on do not fit input 0");
    CHECK_EQ_INT(-1, ane_bridge_surface_write(k, ANE_SURFACE_INPUT, 0, 1, buf, ANE_DTYPE_FP16, SIZE_MAX));
    expect_error("do not fit input 0");
    CHECK_EQ_INT(-1, ane_bridge_surface_read(k, ANE_SURFACE_OUTPUT, 0, 0, buf, ANE_DTYPE_FP16, 9));
    expect_error("surface_read: 9 elements do not fit output 0 ('out')");
    CHECK(guarded_untouched(buf, 64, FILL));
    const uint8_t *x = ane_bridge_surface_pointer(k, ANE_SURFACE_INPUT, 0);
    for (int i = 0; i < 16; i++) CHECK_EQ_INT(0, x[i]);
    free(buf);
    ane_bridge_free(k);
}

TEST(transfer_refuses_other_dtypes_null_data_and_bad_surfaces) {
    ANEKernelHandle *k = eight_element_kernel("transfer_misuse");
    if (!k) return;
    uint8_t *buf = guarded_alloc(64, FILL);
    CHECK_EQ_INT(-1, ane_bridge_surface_write(k, ANE_SURFACE_INPUT, 0, 0, buf, ANE_DTYPE_INT8, 4));
    expect_error("surface_write: input 0 ('x') holds fp16; the caller's values must be fp16 or fp32, not int8");
    CHECK_EQ_INT(-1, ane_bridge_surface_read(k, ANE_SURFACE_OUTPUT, 0, 0, buf, 99, 4));
    expect_error("not unknown");
    CHECK_EQ_INT(-1, ane_bridge_surface_write(k, ANE_SURFACE_INPUT, 0, 0, NULL, ANE_DTYPE_FP32, 1));
    expect_error("surface_write: data is NULL");
    CHECK_EQ_INT(-1, ane_bridge_surface_write(k, ANE_SURFACE_WEIGHT, 0, 0, buf, ANE_DTYPE_FP32, 1));
    expect_error("weight index 0 out of range");
    CHECK_EQ_INT(-1, ane_bridge_surface_read(NULL, ANE_SURFACE_OUTPUT, 0, 0, buf, ANE_DTYPE_FP32, 1));
    expect_error("surface_read: kernel is NULL");
    CHECK(guarded_untouched(buf, 64, FILL));
    CHECK_EQ_INT(0, ane_bridge_surface_write(k, ANE_SURFACE_INPUT, 0, 8, NULL, ANE_DTYPE_FP32, 0));
    CHECK_EQ_INT(ANE_OK, ane_bridge_last_error_code());
    free(buf);
    ane_bridge_free(k);
}

TEST(transfer_reference_surfaces_need_no_lock) {
    ANEKernelHandle *k = eight_element_kernel("transfer_needs_lock");
    if (!k) return;
    CHECK_EQ_INT(0, ane_bridge_surface_needs_lock(k));
    CHECK_EQ_INT(-1, ane_bridge_surface_needs_lock(NULL));
    expect_error("surface_needs_lock: kernel is NULL");
    /* The ABI lock still works and is still counted on a backend that needs none. */
    CHECK(ane_bridge_surface_lock(k, ANE_SURFACE_INPUT, 0, 0) != NULL);
    CHECK_EQ_INT(0, ane_bridge_surface_unlock(k, ANE_SURFACE_INPUT, 0, 0));
    CHECK_EQ_INT(-1, ane_bridge_surface_unlock(k, ANE_SURFACE_INPUT, 0, 0));
    ane_bridge_free(k);
}
