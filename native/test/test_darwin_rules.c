/* The ANE backend's plain-C rules, everywhere: the order a request binds tensors in, the allocation each
 * surface gets, the compile budget and its ABI, and the capacities the core asks a backend for. Expected
 * orders and sizes are written out by hand. */
#include <string.h>

#include "ane_bridge.h"
#include "darwin/compile_budget.h"
#include "darwin/request_rules.h"
#include "cache.h"
#include "kernel.h"
#include "mil/mil.h"
#include "test.h"

static const ane_request_rules RULES = {.order_by_name = 1, .equal_allocations = 1,
                                        .min_allocation = ANE_REQUEST_MIN_ALLOCATION};

static void check_order(const ane_request_rules *r, const char *const *names, int n, const int *want) {
    int got[8];
    ane_request_order(r, names, n, got);
    for (int k = 0; k < n; k++)
        CHECK_MSG(got[k] == want[k], "position %d: expected tensor %d ('%s'), got %d ('%s')", k, want[k],
                  names[want[k]], got[k], names[got[k]]);
}

TEST(request_order_sorts_names_by_bytes) {
    /* Orion's LoRA program: declared (x, lora_A, lora_B), bound (lora_A, lora_B, x) */
    const char *lora[] = {"x", "lora_A", "lora_B"};
    check_order(&RULES, lora, 3, (const int[]){1, 2, 0});
    /* Orion's outputs: returned (q32, k32, v32), bound (k32, q32, v32) */
    const char *qkv[] = {"q32", "k32", "v32"};
    check_order(&RULES, qkv, 3, (const int[]){1, 0, 2});
    /* bytes, not letters: upper case sorts before lower case */
    const char *mixed[] = {"x", "W", "b"};
    check_order(&RULES, mixed, 3, (const int[]){1, 2, 0});
    /* a prefix sorts first; digits before letters */
    const char *prefix[] = {"ab", "a", "a1"};
    check_order(&RULES, prefix, 3, (const int[]){1, 2, 0});
}

TEST(request_order_keeps_declaration_order_for_equal_names_and_when_told_to) {
    const char *twice[] = {"y", "a", "y", "a"}; /* a program may return one value twice */
    check_order(&RULES, twice, 4, (const int[]){1, 3, 0, 2});
    ane_request_rules declared = RULES;
    declared.order_by_name = 0;
    const char *mixed[] = {"x", "W", "b"};
    check_order(&declared, mixed, 3, (const int[]){0, 1, 2});
    int none[1] = {-7};
    ane_request_order(&RULES, NULL, 0, none);
    CHECK_EQ_INT(-7, none[0]);
}

TEST(request_capacities_pad_every_tensor_of_a_group_to_the_largest_and_the_minimum) {
    size_t caps[3];
    /* small tensors: all at the 49,152-byte floor */
    ane_request_capacities(&RULES, (const size_t[]){2048, 64, 49151}, 3, caps);
    for (int i = 0; i < 3; i++) CHECK_EQ_INT(49152, caps[i]);
    /* one large tensor: everyone gets its size */
    ane_request_capacities(&RULES, (const size_t[]){3145728, 1536, 393216}, 3, caps);
    for (int i = 0; i < 3; i++) CHECK_EQ_INT(3145728, caps[i]);
    ane_request_capacities(&RULES, (const size_t[]){49153}, 1, caps);
    CHECK_EQ_INT(49153, caps[0]);
}

TEST(request_capacities_follow_the_rules_they_are_given) {
    size_t caps[2];
    ane_request_rules own = RULES;
    own.equal_allocations = 0;
    ane_request_capacities(&own, (const size_t[]){100000, 64}, 2, caps);
    CHECK_EQ_INT(100000, caps[0]);
    CHECK_EQ_INT(49152, caps[1]);
    own.min_allocation = 0;
    ane_request_capacities(&own, (const size_t[]){100000, 64}, 2, caps);
    CHECK_EQ_INT(100000, caps[0]);
    CHECK_EQ_INT(64, caps[1]);
    CHECK_EQ_INT(1, ane_request_rules_in_use.order_by_name);
    CHECK_EQ_INT(1, ane_request_rules_in_use.equal_allocations);
    CHECK_EQ_INT(49152, ane_request_rules_in_use.min_allocation);
}

/* ---- compile budget ---------------------------------------------------------------------------------- */

TEST(compile_budget_counts_compiles_and_refuses_the_one_past_the_limit) {
    ane_compile_budget b = ANE_COMPILE_BUDGET_INIT;
    CHECK_EQ_INT(110, b.limit);
    b.limit = 3;
    for (int i = 0; i < 3; i++) CHECK_EQ_INT(0, ane_compile_budget_take(&b));
    CHECK_EQ_INT(3, b.used);
    CHECK_EQ_INT(-1, ane_compile_budget_take(&b));
    CHECK_EQ_INT(3, b.used); /* a refused compile is not counted */
    CHECK_EQ_INT(ANE_ERR_COMPILE_BUDGET, ane_bridge_last_error_code());
    const char *msg = ane_bridge_last_error();
    CHECK(msg && strstr(msg, "3 of 3 compiles used"));
    CHECK(msg && strstr(msg, "Reuse kernels") && strstr(msg, "dynamic weight") && strstr(msg, "new process"));
    b.limit = 4; /* raising it lets one more through */
    CHECK_EQ_INT(0, ane_compile_budget_take(&b));
    b.limit = 0;
    CHECK_EQ_INT(-1, ane_compile_budget_take(&b));
}

TEST(compile_budget_abi_sets_and_reports_the_process_budget) {
    int saved = ane_bridge_get_compile_budget();
    CHECK_EQ_INT(ANE_OK, ane_bridge_last_error_code());
    int used = ane_bridge_get_compile_budget_used();
    CHECK(used >= 0);
    CHECK_EQ_INT(0, ane_bridge_set_compile_budget(7));
    CHECK_EQ_INT(7, ane_bridge_get_compile_budget());
    CHECK_EQ_INT(-1, ane_bridge_set_compile_budget(-1));
    CHECK_EQ_INT(ANE_ERR_INVALID_ARGUMENT, ane_bridge_last_error_code());
    CHECK(strstr(ane_bridge_last_error(), "negative (-1)") != NULL);
    CHECK_EQ_INT(7, ane_bridge_get_compile_budget());
    CHECK_EQ_INT(0, ane_bridge_set_compile_budget(saved));
    CHECK_EQ_INT(used, ane_bridge_get_compile_budget_used());
}

TEST(compile_budget_ignores_reference_compiles) {
    char mil[] = "program(1.3)\n{\n    func main<ios18>(tensor<fp16, [1, 2, 1, 2]> x) {\n"
                 "        tensor<fp16, [1, 2, 1, 2]> out = add(x = x, y = x)[name = string(\"budget_ref\")];\n"
                 "    } -> (out);\n}\n";
    int saved = ane_bridge_get_compile_budget(), used = ane_bridge_get_compile_budget_used();
    ane_bridge_set_compile_budget(0);
    ANEKernelHandle *k = ane_bridge_compile_ex("reference", mil, strlen(mil), NULL, NULL, NULL, 0, 1, NULL, 0,
                                               NULL, 1, NULL);
    CHECK_MSG(k != NULL, "compile: %s", ane_bridge_last_error());
    CHECK_EQ_INT(used, ane_bridge_get_compile_budget_used());
    ane_bridge_free(k);
    ane_bridge_set_compile_budget(saved);
}

/* ---- what the core asks a backend for ---------------------------------------------------------------- */

static ane_backend padded_backend; /* the reference backend, padded as the ANE backend pads */
static size_t allocated[8];
static int n_allocated;

static void padded_capacities(const size_t *sizes, int n, size_t *capacities) {
    ane_request_capacities(&RULES, sizes, n, capacities);
}

static int recording_alloc(ane_surface *s) {
    if (n_allocated < 8) allocated[n_allocated++] = s->capacity;
    return ane_reference_backend.surface_alloc(s);
}

TEST(kernels_allocate_the_capacities_their_backend_asks_for_and_show_tensor_sizes) {
    /* parameters x 64 B and b 16 B; outputs y 64 B and s 16 B */
    static const char mil[] =
        "program(1.3)\n{\n    func main<ios18>(tensor<fp16, [1, 4, 1, 8]> x, tensor<fp16, [1, 1, 1, 8]> b) {\n"
        "        tensor<fp16, [1, 4, 1, 8]> y = add(x = x, y = b)[name = string(\"capacity_probe\")];\n"
        "        tensor<int32, [1]> ax = const()[name = string(\"ax\"), val = tensor<int32, [1]>([1])];\n"
        "        bool kd = const()[name = string(\"kd\"), val = bool(true)];\n"
        "        tensor<fp16, [1, 1, 1, 8]> s = reduce_sum(x = y, axes = ax, keep_dims = kd)[name = string(\"s\")];\n"
        "    } -> (y, s);\n}\n";
    padded_backend = ane_reference_backend;
    padded_backend.surface_capacities = padded_capacities;
    padded_backend.surface_alloc = recording_alloc;
    mil_parse_error err = {0};
    mil_program *parsed = mil_parse(mil, sizeof mil - 1, &err);
    CHECK_MSG(parsed != NULL, "parse: %s", err.message);
    if (!parsed) return;
    ane_compile_input in = {.mil_text = mil, .mil_len = sizeof mil - 1};
    uint8_t key[32] = "test_darwin_rules: padded kernel";
    ane_cache_entry *entry = ane_cache_compile(&padded_backend, key, parsed, &in);
    CHECK_MSG(entry != NULL, "compile: %s", ane_bridge_last_error());
    if (!entry) return;
    n_allocated = 0;
    ANEKernelHandle *k = ane_kernel_create(entry, 2, 0, 2, (const size_t[]){64, 16, 64, 16},
                                           (const int[]){ANE_DTYPE_FP16, ANE_DTYPE_FP16, ANE_DTYPE_FP16,
                                                         ANE_DTYPE_FP16});
    CHECK_MSG(k != NULL, "kernel: %s", ane_bridge_last_error());
    if (!k) return;
    CHECK_EQ_INT(4, n_allocated);
    for (int i = 0; i < n_allocated; i++) CHECK_EQ_INT(49152, allocated[i]);
    CHECK_EQ_INT(64, ane_bridge_surface_size(k, ANE_SURFACE_INPUT, 0));
    CHECK_EQ_INT(16, ane_bridge_surface_size(k, ANE_SURFACE_INPUT, 1));
    CHECK_EQ_INT(64, ane_bridge_surface_size(k, ANE_SURFACE_OUTPUT, 0));
    CHECK_EQ_INT(16, ane_bridge_surface_size(k, ANE_SURFACE_OUTPUT, 1));
    ane_bridge_free(k);
}
