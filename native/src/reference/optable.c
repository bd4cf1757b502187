/* The ops the reference backend runs, their operand names and handlers. const and
 * constexpr_affine_dequantize are compile-time values, handled by plan.c itself. */
#include <string.h>

#include "reference/plan.h"

static const ref_op_def ops[] = {
    {"add", "x y", ref_infer_binary, 0},
    {"sub", "x y", ref_infer_binary, 0},
    {"mul", "x y", ref_infer_binary, 0},
    {"real_div", "x y", ref_infer_binary, 0},
    {"pow", "x y", ref_infer_binary, 0},
    {"maximum", "x y", ref_infer_binary, 0},
    {"minimum", "x y", ref_infer_binary, 0},
    {"relu", "x", ref_infer_unary, 0},
    {"tanh", "x", ref_infer_unary, 0},
    {"exp", "x", ref_infer_unary, 0},
    {"sqrt", "x", ref_infer_unary, 0},
    {"rsqrt", "x epsilon", ref_infer_unary, 0},
    {"sigmoid", "x", ref_infer_unary, 0},
    {"silu", "x", ref_infer_unary, 0},
    {"gelu", "x mode", ref_infer_unary, 0},
    {"cast", "x dtype", ref_infer_cast, 0},
    {"identity", "x", ref_infer_identity, 0},
    {"reshape", "x shape", ref_infer_reshape, 0},
    {"transpose", "x perm", ref_infer_transpose, 0},
    {"slice_by_size", "x begin size", ref_infer_slice_by_size, 0},
    {"slice_by_index", "x begin end stride begin_mask end_mask squeeze_mask", ref_infer_slice_by_index, 0},
    {"concat", "values axis interleave", ref_infer_concat, 0},
    {"split", "x axis num_splits split_sizes", ref_infer_split, 1},
    {"gather", "x indices axis batch_dims validate_indices", ref_infer_gather, 0},
    {"band_part", "x lower upper", ref_infer_band_part, 0},
    {"matmul", "x y transpose_x transpose_y", ref_infer_matmul, 0},
    {"linear", "x weight bias", ref_infer_linear, 0},
    {"conv", "x weight bias strides pad_type pad dilations groups", ref_infer_conv, 0},
    {"scaled_dot_product_attention", "query key value attn_mask", ref_infer_sdpa, 0},
    {"softmax", "x axis", ref_infer_softmax, 0},
    {"reduce_sum", "x axes keep_dims", ref_infer_reduce, 0},
    {"reduce_mean", "x axes keep_dims", ref_infer_reduce, 0},
    {"reduce_max", "x axes keep_dims", ref_infer_reduce, 0},
    {"layer_norm", "x axes gamma beta epsilon", ref_infer_layer_norm, 0},
    {"quantize", "input scale zero_point axis output_dtype", ref_infer_quantize, 0},
    {"dequantize", "input scale zero_point axis", ref_infer_dequantize, 0},
};

const ref_op_def *ref_find_op(const char *name) {
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (strcmp(ops[i].name, name) == 0) return &ops[i];
    return NULL;
}
