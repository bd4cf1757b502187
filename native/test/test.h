/* Minimal C test harness: TEST(name) registers a test; CHECK* record failures and keep going.
 * All test files link into one runner (test_main.c) that prints "N passed, M failed". */
#ifndef ANE4J_TEST_H
#define ANE4J_TEST_H

#include <math.h>
#include <stdio.h>

/* 1 in builds with AddressSanitizer, where address-space limits and huge allocations behave differently. */
#if defined(__SANITIZE_ADDRESS__)
#define TEST_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TEST_UNDER_ASAN 1
#endif
#endif
#ifndef TEST_UNDER_ASAN
#define TEST_UNDER_ASAN 0
#endif

typedef void (*test_fn)(void);
void test_register(const char *name, const char *file, test_fn fn);
void test_fail(const char *file, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void test_skip(const char *reason);

/* Runs this test runner again in a fresh process, running only the tests matching `filter`, with its standard
 * output discarded and its environment changed by `env` (NULL-terminated; "NAME=value" sets, a bare "NAME"
 * removes). Under user-mode emulation (make TARGET=...) the child runs under the same emulator, named by
 * ANE4J_TEST_EMULATOR. Returns the child's exit status as a shell reports it (127: it could not be started,
 * 128 + n: killed by signal n), or -1 when this platform cannot re-run the runner (it is found through
 * /proc/self/exe: Linux only). */
int test_run_self(const char *filter, const char *const *env);

#define TEST(name)                                                                  \
    static void name(void);                                                         \
    __attribute__((constructor)) static void register_##name(void) {               \
        test_register(#name, __FILE__, name);                                       \
    }                                                                               \
    static void name(void)

#define CHECK(cond)                                                                 \
    do { if (!(cond)) test_fail(__FILE__, __LINE__, "CHECK(%s)", #cond); } while (0)

#define CHECK_MSG(cond, ...)                                                        \
    do { if (!(cond)) test_fail(__FILE__, __LINE__, __VA_ARGS__); } while (0)

#define CHECK_EQ_INT(expected, actual)                                              \
    do { long long e_ = (long long)(expected), a_ = (long long)(actual);            \
         if (e_ != a_) test_fail(__FILE__, __LINE__, "%s: expected %lld, got %lld", #actual, e_, a_); \
    } while (0)

/* |expected - actual| <= tol */
#define CHECK_NEAR(expected, actual, tol)                                           \
    do { double e_ = (double)(expected), a_ = (double)(actual);                     \
         if (!(fabs(e_ - a_) <= (tol)))                                             \
             test_fail(__FILE__, __LINE__, "%s: expected %.9g, got %.9g (tol %g)", #actual, e_, a_, (double)(tol)); \
    } while (0)

#endif
