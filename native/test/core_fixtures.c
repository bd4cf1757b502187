/* Helpers shared by the core's ABI tests (see core_fixtures.h). */
#include "core_fixtures.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GUARD_BYTES 64

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
