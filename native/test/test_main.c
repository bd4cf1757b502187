/* Runs every TEST registered by the linked test files, or those the arguments select (see selected()).
 * Every test starts with the default backend on "reference", also on a Mac with a Neural Engine: the general
 * tests use tiny tensors, int32 surfaces and compile-count arithmetic the ANE cannot honour, and the
 * hardware tests name "ane" themselves. ANE4J_BACKEND, when set, is left to choose instead. */
#include "test.h"

#include "ane_bridge.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

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

int test_run_self(const char *filter, const char *const *env) {
#ifdef __linux__
    char self[4096]; /* under qemu-user this is the emulated program, not the emulator */
    ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
    if (len < 0) return 127;
    self[len] = '\0';
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        int devnull = open("/dev/null", O_WRONLY);
        if (devnull >= 0) dup2(devnull, STDOUT_FILENO); /* keep the parent's summary line the only one */
        for (const char *const *e = env; e && *e; e++) {
            const char *eq = strchr(*e, '=');
            if (!eq) { unsetenv(*e); continue; }
            char name[256];
            snprintf(name, sizeof name, "%.*s", (int)(eq - *e), *e);
            setenv(name, eq + 1, 1);
        }
        const char *emulator = getenv("ANE4J_TEST_EMULATOR");
        if (emulator && *emulator) execlp(emulator, emulator, self, filter, (char *)NULL);
        else execl(self, self, filter, (char *)NULL);
        _exit(127);
    }
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) != pid) return 127;
    return WIFEXITED(status) ? WEXITSTATUS(status) : WIFSIGNALED(status) ? 128 + WTERMSIG(status) : 127;
#else
    (void)filter; (void)env;
    return -1;
#endif
}

/* Each argument is part of a test's name or file: test i runs when it matches a plain argument (or there is
 * none) and no argument written -PART. */
static int selected(int i, int argc, char **argv) {
    int includes = 0, included = 0;
    for (int a = 1; a < argc; a++) {
        int exclude = argv[a][0] == '-';
        const char *part = argv[a] + exclude;
        int match = strstr(tests[i].name, part) || strstr(tests[i].file, part);
        if (exclude && match) return 0;
        if (!exclude) { includes++; included |= match; }
    }
    return !includes || included;
}

int main(int argc, char **argv) {
    int passed = 0, failed = 0, skipped = 0;
    for (int i = 0; i < n_tests; i++) {
        if (!selected(i, argc, argv)) continue;
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
