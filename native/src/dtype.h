/* Facts about surface / blob element types (ane_dtype codes). */
#ifndef ANE4J_DTYPE_H
#define ANE4J_DTYPE_H

#include <stddef.h>

/* "fp16", "fp32", "uint8", "int8", "int32", or "unknown". */
const char *ane_dtype_name(int dtype);
/* Bytes per element, 0 for an unknown code. */
size_t ane_dtype_size(int dtype);

#endif
