/* Shared helpers of the core's ABI tests: small MIL programs, fp16 buffers, guards (corpus access is in
 * corpus.h). */
#ifndef ANE4J_CORE_FIXTURES_H
#define ANE4J_CORE_FIXTURES_H

#include <stddef.h>
#include <stdint.h>

/* A program "out = x + x" on tensor<fp16, [1, rows, 1, cols]> (malloc'd text). tag goes into the
 * statement's name, so a test can make its text unique and be sure its first compile is no cache hit. */
char *mil_add_self(int rows, int cols, const char *tag);
/* "out = x * x" on the same shape. */
char *mil_mul_self(int rows, int cols, const char *tag);

/* The upstream bridge's dynamic-weight matmul: out[1, n, m] = W[1, n, k] @ reshape(x[1, k, 1, m]) with
 * parameters x (activation) then W (weight), all fp16 (malloc'd text). */
char *mil_dyn_matmul(int n, int k, int m);

/* A 1x1 conv with fp32 I/O cast to fp16 inside: y[1, 3, 1, 2] = conv(x[1, 4, 1, 2], W[3, 4, 1, 1]), W a
 * BLOBFILE constant at "@model_path/weights/weight.bin", offset 64 (upstream's single-blob compile). */
extern const char *const MIL_CONV_FP32_IO;

/* binary16 bits of n / 4 for |n| < 2048 (exact), built field by field, independently of fp16.c. */
uint16_t fp16_quarter(int n);

/* Guarded buffers: n usable bytes followed by 64 guard bytes; guarded_untouched checks the guard is intact. */
uint8_t *guarded_alloc(size_t n, uint8_t fill);
int guarded_untouched(const uint8_t *buf, size_t n, uint8_t fill);

#endif
