/* One Stories110M transformer layer as a MIL program, shared by the native benchmark (which times it) and
 * the tests (which check that a real-sized program compiles and runs). */
#ifndef ANE4J_STORIES_LAYER_H
#define ANE4J_STORIES_LAYER_H

#include <stddef.h>

#include "ane_bridge.h"

enum { STORIES_DIM = 768, STORIES_HIDDEN = 2048, STORIES_SEQ = 256, STORIES_HEADS = 12, STORIES_WEIGHTS = 9 };

/* The layer as the upstream static kernels write it: input x [1, DIM, 1, SEQ], then the 9 weights as dynamic
 * weight parameters (rms_att, rms_ffn, wq, wk, wv, wo, w1, w3, w2), one output [1, DIM, 1, SEQ], all fp16.
 * out_name names the last statement: the compile cache keys on the text, so distinct names force real
 * compiles. malloc'd, NUL-terminated; NULL when out_name is too long. */
char *stories_layer_mil(const char *out_name);

/* Fills a compiled layer with fixed values: RMSNorm gains 1, projection weights in [-0.03, 0.03),
 * activations in [-1, 1). 0, or -1 when the bridge refused a write (its last error says why). */
int stories_layer_fill(ANEKernelHandle *k);

#endif
