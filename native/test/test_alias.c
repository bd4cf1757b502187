/* Surface aliasing: one kernel's output surface is another's input, with no copy. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ane_bridge.h"
#include "core_fixtures.h"
#include "test.h"

#define R 4
#define C 8
#define COUNT (R * C)
#define BYTES (COUNT * 2)

static ANEKernelHandle *compile_text(char *mil) {
    ANEKernelHandle *k = ane_bridge_compile_dyn(mil, strlen(mil), 1, NULL, 0, NULL, BYTES);
    CHECK_MSG(k != NULL, "compile: %s", ane_bridge_last_error());
    free(mil);
    return k;
}

/* x[i] = (i - 16) / 4 */
static void write_ramp(ANEKernelHandle *k) {
    uint16_t x[COUNT];
    for (int i = 0; i < COUNT; i++) x[i] = fp16_quarter(i - 16);
    ane_bridge_write_input(k, 0, x, sizeof x);
    CHECK_EQ_INT(ANE_OK, ane_bridge_last_error_code());
}

/* Output i of k must be f(i - 16) / 4 for f given in quarters: want[i] quarters. */
static void check_output(ANEKernelHandle *k, const int *want_quarters) {
    uint16_t out[COUNT];
    ane_bridge_read_output(k, 0, out, sizeof out);
    for (int i = 0; i < COUNT; i++)
        if (out[i] != fp16_quarter(want_quarters[i])) {
            CHECK_MSG(0, "out[%d] = 0x%04x, expected %d/4", i, out[i], want_quarters[i]);
            return;
        }
}

/* (2x)^2 = 4x^2 in quarters: x = q/4 -> 4 q^2 / 16 = q^2 / 4, i.e. q^2 quarters. */
static void composed(int *want) {
    for (int i = 0; i < COUNT; i++) want[i] = (i - 16) * (i - 16);
}

TEST(alias_output_as_next_input_composes_without_copy) {
    ANEKernelHandle *k1 = compile_text(mil_add_self(R, C, "alias_add"));
    ANEKernelHandle *k2 = compile_text(mil_mul_self(R, C, "alias_mul"));
    if (!k1 || !k2) { ane_bridge_free(k1); ane_bridge_free(k2); return; }
    void *k2_old_input = ane_bridge_surface_pointer(k2, ANE_SURFACE_INPUT, 0);
    CHECK_EQ_INT(0, ane_bridge_alias_surface(k1, ANE_SURFACE_OUTPUT, 0, k2, ANE_SURFACE_INPUT, 0));
    CHECK_EQ_INT(ANE_OK, ane_bridge_last_error_code());
    void *shared = ane_bridge_surface_pointer(k1, ANE_SURFACE_OUTPUT, 0);
    CHECK(ane_bridge_surface_pointer(k2, ANE_SURFACE_INPUT, 0) == shared);
    CHECK(shared != k2_old_input);
    write_ramp(k1);
    CHECK(ane_bridge_eval(k1));
    CHECK(ane_bridge_eval(k2));
    int want[COUNT];
    composed(want);
    check_output(k2, want);
    /* Aliasing again to the same surface is a no-op success. */
    CHECK_EQ_INT(0, ane_bridge_alias_surface(k1, ANE_SURFACE_OUTPUT, 0, k2, ANE_SURFACE_INPUT, 0));
    ane_bridge_free(k1);
    ane_bridge_free(k2);
}

TEST(alias_freeing_the_source_kernel_first_keeps_the_destination_working) {
    ANEKernelHandle *k1 = compile_text(mil_add_self(R, C, "alias_free_add"));
    ANEKernelHandle *k2 = compile_text(mil_mul_self(R, C, "alias_free_mul"));
    if (!k1 || !k2) { ane_bridge_free(k1); ane_bridge_free(k2); return; }
    CHECK_EQ_INT(0, ane_bridge_alias_surface(k1, ANE_SURFACE_OUTPUT, 0, k2, ANE_SURFACE_INPUT, 0));
    write_ramp(k1);
    CHECK(ane_bridge_eval(k1));
    ane_bridge_free(k1); /* the shared surface lives on in k2 */
    CHECK(ane_bridge_eval(k2));
    int want[COUNT];
    composed(want);
    check_output(k2, want);
    /* k2 keeps using the surface it now owns alone */
    write_ramp(k2);
    CHECK(ane_bridge_eval(k2));
    for (int i = 0; i < COUNT; i++) want[i] = (i - 16) * (i - 16) / 4; /* x^2 with x = q/4: q^2/16 = (q^2/4)/4 */
    uint16_t out[COUNT];
    ane_bridge_read_output(k2, 0, out, sizeof out);
    for (int i = 0; i < COUNT; i++) {
        int q = i - 16;
        if (q * q % 4 == 0) CHECK_EQ_INT(fp16_quarter(want[i]), out[i]); /* the exactly representable ones */
    }
    ane_bridge_free(k2);
}

TEST(alias_output_onto_its_own_input_feeds_back_across_evals) {
    ANEKernelHandle *k = compile_text(mil_add_self(R, C, "alias_feedback"));
    if (!k) return;
    CHECK_EQ_INT(0, ane_bridge_alias_surface(k, ANE_SURFACE_OUTPUT, 0, k, ANE_SURFACE_INPUT, 0));
    write_ramp(k);
    CHECK(ane_bridge_eval(k)); /* 2x, written over x */
    CHECK(ane_bridge_eval(k)); /* 4x */
    CHECK(ane_bridge_eval(k)); /* 8x */
    int want[COUNT];
    for (int i = 0; i < COUNT; i++) want[i] = 8 * (i - 16);
    check_output(k, want);
    ane_bridge_free(k);
}

TEST(alias_chain_of_three_kernels_and_free_in_any_order) {
    ANEKernelHandle *k[3] = { compile_text(mil_add_self(R, C, "alias_chain")),
                              compile_text(mil_add_self(R, C, "alias_chain")),
                              compile_text(mil_add_self(R, C, "alias_chain")) };
    if (!k[0] || !k[1] || !k[2]) { for (int i = 0; i < 3; i++) ane_bridge_free(k[i]); return; }
    CHECK_EQ_INT(0, ane_bridge_alias_surface(k[0], ANE_SURFACE_OUTPUT, 0, k[1], ANE_SURFACE_INPUT, 0));
    CHECK_EQ_INT(0, ane_bridge_alias_surface(k[1], ANE_SURFACE_OUTPUT, 0, k[2], ANE_SURFACE_INPUT, 0));
    write_ramp(k[0]);
    for (int i = 0; i < 3; i++) CHECK(ane_bridge_eval(k[i]));
    int want[COUNT];
    for (int i = 0; i < COUNT; i++) want[i] = 8 * (i - 16);
    check_output(k[2], want);
    ane_bridge_free(k[1]); /* the middle one: both of its surfaces are still held by a neighbour */
    write_ramp(k[0]);
    CHECK(ane_bridge_eval(k[0]));
    uint16_t *mid = ane_bridge_surface_pointer(k[2], ANE_SURFACE_INPUT, 0);
    CHECK_EQ_INT(fp16_quarter(4 * 4), mid[20]); /* still 4x from before, not k0's fresh 2x */
    CHECK(ane_bridge_eval(k[2]));
    check_output(k[2], want);
    ane_bridge_free(k[0]);
    ane_bridge_free(k[2]);
}

TEST(alias_refuses_size_or_dtype_mismatch_bad_slots_and_locked_destinations) {
    ANEKernelHandle *k1 = compile_text(mil_add_self(R, C, "alias_refuse"));
    char *mil = mil_add_self(R, C / 2, "alias_refuse_half");
    ANEKernelHandle *half = ane_bridge_compile_dyn(mil, strlen(mil), 1, NULL, 0, NULL, BYTES / 2);
    free(mil);
    if (!k1 || !half) { ane_bridge_free(k1); ane_bridge_free(half); CHECK(0); return; }
    void *before = ane_bridge_surface_pointer(half, ANE_SURFACE_INPUT, 0);
    CHECK_EQ_INT(-1, ane_bridge_alias_surface(k1, ANE_SURFACE_OUTPUT, 0, half, ANE_SURFACE_INPUT, 0));
    CHECK_EQ_INT(ANE_ERR_INVALID_ARGUMENT, ane_bridge_last_error_code());
    CHECK(strstr(ane_bridge_last_error(), "source output 0 ('out') is 64 bytes, destination input 0 ('x') is 32 bytes"));
    CHECK(ane_bridge_surface_pointer(half, ANE_SURFACE_INPUT, 0) == before);
    /* 64 bytes of fp32 [1, 16] cannot stand in for 64 bytes of fp16 [1, 4, 1, 8] */
    const char *fp32 = "program(1.3)\n{\n    func main<ios18>(tensor<fp32, [1, 16]> x) {\n"
                       "        tensor<fp32, [1, 16]> y = add(x = x, y = x)[name = string(\"alias_fp32\")];\n"
                       "    } -> (y);\n}\n";
    ANEKernelHandle *f = ane_bridge_compile_dyn(fp32, strlen(fp32), 1, NULL, 0, NULL, 64);
    CHECK(f != NULL);
    CHECK_EQ_INT(-1, ane_bridge_alias_surface(f, ANE_SURFACE_OUTPUT, 0, k1, ANE_SURFACE_INPUT, 0));
    CHECK(strstr(ane_bridge_last_error(), "source output 0 ('y') holds fp32, destination input 0 ('x') holds fp16"));
    ane_bridge_free(f);
    CHECK_EQ_INT(-1, ane_bridge_alias_surface(k1, ANE_SURFACE_WEIGHT, 0, k1, ANE_SURFACE_INPUT, 0));
    CHECK(strstr(ane_bridge_last_error(), "alias_surface (source): weight index 0 out of range"));
    CHECK_EQ_INT(-1, ane_bridge_alias_surface(k1, ANE_SURFACE_OUTPUT, 0, k1, 7, 0));
    CHECK(strstr(ane_bridge_last_error(), "alias_surface (destination): unknown surface kind 7"));
    CHECK(ane_bridge_surface_lock(k1, ANE_SURFACE_INPUT, 0, 1) != NULL);
    CHECK_EQ_INT(-1, ane_bridge_alias_surface(k1, ANE_SURFACE_OUTPUT, 0, k1, ANE_SURFACE_INPUT, 0));
    CHECK(strstr(ane_bridge_last_error(), "destination input 0 is locked for CPU access"));
    CHECK_EQ_INT(0, ane_bridge_surface_unlock(k1, ANE_SURFACE_INPUT, 0, 1));
    ane_bridge_free(k1);
    ane_bridge_free(half);
}
