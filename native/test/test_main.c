/* Runs every TEST registered by the linked test files; a name filter may be given as argv[1].
 * Every test starts with the default backend on "reference", also on a Mac with a Neural Engine: the general
 * tests use tiny tensors, int32 surfaces and compile-count arithmetic the ANE cannot honour, and the
 * hardware tests name "ane" themselves. ANE4J_BACKEND, when set, is left to choose instead. */
#include "test.h"

#include "ane_bridge.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TESTS 2048

static struct { const char *name, *file; test_fn fn; } tests[MAX_TESTS];
static int n_tests;
static int current_failed, current_skipped;

void test_register(const char *name, const char *file, test_fn fn) {
    if (n_tests == MAX_TESTS) { fprintf(stderr, "too many tests\n"); exit(2); }
    tests[n_tests].name = name;
    tests[n_tests].file = file;
    tests[n_tests].fn = fn;
    n_tests++;
}

void test_fail(const char *file, int line, const char *fmt, ...) {
    va_list ap;
    fprintf(stdout, "    %s:%d: ", file, line);
    va_start(ap, fmt);
    vfprintf(stdout, fmt, ap);
    va_end(ap);
    fputc('\n', stdout);
    current_failed = 1;
}

void test_skip(const char *reason) {
    fprintf(stdout, "    skipped: %s\n", reason);
    current_skipped = 1;
}

int main(int argc, char **argv) {
    const char *filter = argc > 1 ? argv[1] : NULL;
    int passed = 0, failed = 0, skipped = 0;
    for (int i = 0; i < n_tests; i++) {
        if (filter && !strstr(tests[i].name, filter) && !strstr(tests[i].file, filter)) continue;
        current_failed = current_skipped = 0;
        if (!getenv("ANE4J_BACKEND")) ane_bridge_select_backend("reference");
        tests[i].fn();
        if (current_failed) {
            failed++;
            printf("FAIL %s (%s)\n", tests[i].name, tests[i].file);
        } else if (current_skipped) {
            skipped++;
            printf("SKIP %s\n", tests[i].name);
        } else {
            passed++;
            printf("ok   %s\n", tests[i].name);
        }
        fflush(stdout);
    }
    printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
    return failed ? 1 : 0;
}
