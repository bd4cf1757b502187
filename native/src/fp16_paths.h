/* The conversion paths behind fp16.h, exposed so tests and benchmarks can check each one against the
 * scalar reference, not only the one the dispatcher picks. */
#ifndef ANE4J_FP16_PATHS_H
#define ANE4J_FP16_PATHS_H

#include <stddef.h>
#include <stdint.h>

typedef struct ane_fp16_path {
    const char *name; /* "avx512f", "f16c", "neon", "scalar" */
    void (*to_fp16)(const float *src, uint16_t *dst, size_t n);
    void (*to_fp32)(const uint16_t *src, float *dst, size_t n);
    void (*round)(float *x, size_t n);
} ane_fp16_path;

/* The paths this CPU supports, best first (the first is the one fp16.h uses; "scalar" is last). */
int ane_fp16_paths(const ane_fp16_path **paths);

#endif
