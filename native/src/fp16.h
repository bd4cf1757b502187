/* binary16 <-> binary32 conversion, round to nearest even, vectorised where the CPU allows
 * (F16C / AVX-512 on x86-64, chosen at run time; NEON on arm64). */
#ifndef ANE4J_FP16_H
#define ANE4J_FP16_H

#include <stddef.h>
#include <stdint.h>

void ane_fp32_to_fp16(const float *src, uint16_t *dst, size_t n);
void ane_fp16_to_fp32(const uint16_t *src, float *dst, size_t n);
/* x[i] = (float)(fp16)x[i]: what storing a result as fp16 does to it. */
void ane_round_to_fp16(float *x, size_t n);
/* Scalar versions, exact reference semantics (used by tests and tails). */
uint16_t ane_fp16_from_float(float f);
float ane_fp16_to_float(uint16_t h);

#endif
