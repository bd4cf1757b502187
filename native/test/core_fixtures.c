/* Helpers shared by the core's ABI tests (see core_fixtures.h). */
#include "core_fixtures.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"

#define GUARD_BYTES 64

char *corpus_read(const char *name, size_t *len) {
    const char *env = getenv("ANE4J_CORPUS_DIR");
    const char *dirs[] = { env, "../../shared/corpus/upstream-mil" };
    for (int d = 0; d < 2; d++) {
        if (!dirs[d]) continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dirs[d], name);
        FILE *f = fopen(path, "rb");
        if (!f) continue;
        fseek(f, 0, SEEK_END);
        long n = ftell(f);
        fseek(f, 0, SEEK_SET);
        char *text = malloc((size_t)n + 1);
        size_t got = fread(text, 1, (size_t)n, f);
        fclose(f);
        text[got] = '\0';
        *len = got;
        return text;
    }
    char reason[256];
    snprintf(reason, sizeof reason, "corpus file %s not found (set ANE4J_CORPUS_DIR)", name);
    test_skip(reason);
    return NULL;
}

static char *mil_self(const char *op, int rows, int cols, const char *tag) {
    char *buf = malloc(1024);
    snprintf(buf, 1024,
             "program(1.3)\n"
             "{\n"
             "    func main<ios18>(tensor<fp16, [1, %d, 1, %d]> x) {\n"
             "        tensor<fp16, [1, %d, 1, %d]> out = %s(x = x, y = x)[name = string(\"%s\")];\n"
             "    } -> (out);\n"
             "}\n",
             rows, cols, rows, cols, op, tag);
    return buf;
}

char *mil_add_self(int rows, int cols, const char *tag) { return mil_self("add", rows, cols, tag); }
char *mil_mul_self(int rows, int cols, const char *tag) { return mil_self("mul", rows, cols, tag); }

/* n/4 as binary16: sign, then normalise |n| < 2^11 to 1.f x 2^e, so 10 fraction bits hold it exactly. */
uint16_t fp16_quarter(int n) {
    if (n == 0) return 0;
    uint16_t sign = n < 0 ? 0x8000 : 0;
    unsigned m = (unsigned)(n < 0 ? -n : n);
    int e = 0;
    while (m >= 2u << e) e++;                 /* 2^e <= m < 2^(e+1) */
    unsigned frac = (m << 10 >> e) & 0x3ff;
    return (uint16_t)(sign | (unsigned)(e - 2 + 15) << 10 | frac);
}

uint8_t *guarded_alloc(size_t n, uint8_t fill) {
    uint8_t *b = malloc(n + GUARD_BYTES);
    memset(b, fill, n + GUARD_BYTES);
    return b;
}

int guarded_untouched(const uint8_t *buf, size_t n, uint8_t fill) {
    for (size_t i = 0; i < n + GUARD_BYTES; i++)
        if (buf[i] != fill) return 0;
    return 1;
}
