/* Facts about ane_dtype codes. */
#include "dtype.h"

#include "ane_bridge.h"

const char *ane_dtype_name(int dtype) {
    switch (dtype) {
    case ANE_DTYPE_FP16: return "fp16";
    case ANE_DTYPE_FP32: return "fp32";
    case ANE_DTYPE_UINT8: return "uint8";
    case ANE_DTYPE_INT8: return "int8";
    case ANE_DTYPE_INT32: return "int32";
    default: return "unknown";
    }
}

size_t ane_dtype_size(int dtype) {
    switch (dtype) {
    case ANE_DTYPE_FP16: return 2;
    case ANE_DTYPE_FP32: case ANE_DTYPE_INT32: return 4;
    case ANE_DTYPE_UINT8: case ANE_DTYPE_INT8: return 1;
    default: return 0;
    }
}
