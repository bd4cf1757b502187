/* The ops the reference backend runs, their operand names and handlers. const and
 * constexpr_affine_dequantize are compile-time values, handled by plan.c itself. */
#include <string.h>

#include "reference/plan.h"

static const ref_op_def ops[] = {
    {"add", "x y", ref_infer_binary},
    {"sub", "x y", ref_infer_binary},
    {"mul", "x y", ref_infer_binary},
    {"real_div", "x y", ref_infer_binary},
    {"pow", "x y", ref_infer_binary},
    {"maximum", "x y", ref_infer_binary},
    {"minimum", "x y", ref_infer_binary},
    {"relu", "x", ref_infer_unary},
    {"tanh", "x", ref_infer_unary},
    {"exp", "x", ref_infer_unary},
    {"sqrt", "x", ref_infer_unary},
    {"rsqrt", "x epsilon", ref_infer_unary},
    {"sigmoid", "x", ref_infer_unary},
    {"silu", "x", ref_infer_unary},
    {"gelu", "x mode", ref_infer_unary},
    {"cast", "x dtype", ref_infer_cast},
    {"identity", "x", ref_infer_identity},
    {"reshape", "x shape", ref_infer_reshape},
    {"transpose", "x perm", ref_infer_transpose},
    {"slice_by_size", "x begin size", ref_infer_slice_by_size},
    {"slice_by_index", "x begin end stride begin_mask end_mask squeeze_mask", ref_infer_slice_by_index},
    {"concat", "values axis interleave", ref_infer_concat},
    {"split", "x axis num_splits split_sizes", ref_infer_split},
    {"gather", "x indices axis batch_dims validate_indices", ref_infer_gather},
    {"band_part", "x lower upper", ref_infer_band_part},
    {"matmul", "x y transpose_x transpose_y", ref_infer_matmul},
    {"linear", "x weight bias", ref_infer_linear},
    {"conv", "x weight bias strides pad_type pad dilations groups", ref_infer_conv},
    {"scaled_dot_product_attention", "query key value attn_mask", ref_infer_sdpa},
    {"softmax", "x axis", ref_infer_softmax},
    {"reduce_sum", "x axes keep_dims", ref_infer_reduce},
    {"reduce_mean", "x axes keep_dims", ref_infer_reduce},
    {"reduce_max", "x axes keep_dims", ref_infer_reduce},
    {"layer_norm", "x axes gamma beta epsilon", ref_infer_layer_norm},
    {"quantize", "input scale zero_point axis output_dtype", ref_infer_quantize},
    {"dequantize", "input scale zero_point axis", ref_infer_dequantize},
};

const ref_op_def *ref_find_op(const char *name) {
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (strcmp(ops[i].name, name) == 0) return &ops[i];
    return NULL;
}
