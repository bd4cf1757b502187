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

char *mil_dyn_matmul(int n, int k, int m) {
    char *buf = malloc(1024);
    snprintf(buf, 1024,
             "program(1.3)\n"
             "{\n"
             "    func main<ios18>(tensor<fp16, [1, %d, 1, %d]> x, tensor<fp16, [1, %d, %d]> W) {\n"
             "        tensor<int32, [3]> sh = const()[name = string(\"sh\"), val = tensor<int32, [3]>([1, %d, %d])];\n"
             "        tensor<fp16, [1, %d, %d]> x3 = reshape(shape = sh, x = x)[name = string(\"x3\")];\n"
             "        bool no = const()[name = string(\"no\"), val = bool(false)];\n"
             "        tensor<fp16, [1, %d, %d]> out = matmul(transpose_x = no, transpose_y = no, x = W, y = x3)"
             "[name = string(\"mm\")];\n"
             "    } -> (out);\n"
             "}\n",
             k, m, n, k, k, m, k, m, n, m);
    return buf;
}

const char *const MIL_CONV_FP32_IO =
    "program(1.3)\n"
    "{\n"
    "    func main<ios18>(tensor<fp32, [1, 4, 1, 2]> x) {\n"
    "        string valid = const()[name = string(\"valid\"), val = string(\"valid\")];\n"
    "        tensor<int32, [2]> ones = const()[name = string(\"ones\"), val = tensor<int32, [2]>([1, 1])];\n"
    "        tensor<int32, [4]> zeros = const()[name = string(\"zeros\"), val = tensor<int32, [4]>([0, 0, 0, 0])];\n"
    "        int32 one = const()[name = string(\"one\"), val = int32(1)];\n"
    "        string fp16 = const()[name = string(\"fp16\"), val = string(\"fp16\")];\n"
    "        tensor<fp16, [1, 4, 1, 2]> x16 = cast(dtype = fp16, x = x)[name = string(\"x16\")];\n"
    "        tensor<fp16, [3, 4, 1, 1]> W = const()[name = string(\"W\"), val = tensor<fp16, [3, 4, 1, 1]>(BLOBFILE("
    "path = string(\"@model_path/weights/weight.bin\"), offset = uint64(64)))];\n"
    "        tensor<fp16, [1, 3, 1, 2]> y16 = conv(dilations = ones, groups = one, pad = zeros, pad_type = valid, "
    "strides = ones, weight = W, x = x16)[name = string(\"conv\")];\n"
    "        string fp32 = const()[name = string(\"fp32\"), val = string(\"fp32\")];\n"
    "        tensor<fp32, [1, 3, 1, 2]> y = cast(dtype = fp32, x = y16)[name = string(\"y\")];\n"
    "    } -> (y);\n"
    "}\n";

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
