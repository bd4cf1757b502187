/* See stories_layer.h. */
#include "stories_layer.h"

#include <stdio.h>
#include <stdlib.h>

enum { D = STORIES_DIM, H = STORIES_HIDDEN, S = STORIES_SEQ, NH = STORIES_HEADS, HD = D / NH, MIL_CAP = 16384 };

char *stories_layer_mil(const char *out_name) {
    char *m = malloc(MIL_CAP);
    size_t n = 0, cap = MIL_CAP;
#define EMIT(...) n += (size_t)snprintf(m + n, n < cap ? cap - n : 0, __VA_ARGS__)
    EMIT("program(1.3)\n{\n    func main<ios18>(tensor<fp16, [1, %d, 1, %d]> x, tensor<fp16, [1, %d, 1, 1]> rw1, "
         "tensor<fp16, [1, %d, 1, 1]> rw2, tensor<fp16, [%d, %d, 1, 1]> wq, tensor<fp16, [%d, %d, 1, 1]> wk, "
         "tensor<fp16, [%d, %d, 1, 1]> wv, tensor<fp16, [%d, %d, 1, 1]> wo, tensor<fp16, [%d, %d, 1, 1]> w1, "
         "tensor<fp16, [%d, %d, 1, 1]> w3, tensor<fp16, [%d, %d, 1, 1]> w2) {\n",
         D, S, D, D, D, D, D, D, D, D, D, D, H, D, H, D, D, H);
    EMIT("        tensor<int32, [1]> ax = const()[name = string(\"ax\"), val = tensor<int32, [1]>([1])];\n"
         "        bool kd = const()[name = string(\"kd\"), val = bool(true)];\n"
         "        fp16 invd = const()[name = string(\"invd\"), val = fp16(0.001302)];\n"
         "        fp16 eps = const()[name = string(\"eps\"), val = fp16(0.00001)];\n"
         "        fp16 nh = const()[name = string(\"nh\"), val = fp16(-0.5)];\n"
         "        fp16 sc = const()[name = string(\"sc\"), val = fp16(0.125)];\n"
         "        tensor<int32, [4]> hs = const()[name = string(\"hs\"), val = tensor<int32, [4]>([1, %d, %d, %d])];\n"
         "        tensor<int32, [4]> pm = const()[name = string(\"pm\"), val = tensor<int32, [4]>([0, 1, 3, 2])];\n"
         "        tensor<int32, [4]> os = const()[name = string(\"os\"), val = tensor<int32, [4]>([1, %d, 1, %d])];\n",
         NH, HD, S, D, S);
    for (int r = 1; r <= 2; r++) { /* RMSNorm before attention, then before the FFN */
        const char *in = r == 1 ? "x" : "x2";
        EMIT("        tensor<fp16, [1, %d, 1, %d]> sq%d = mul(x = %s, y = %s);\n", D, S, r, in, in);
        EMIT("        tensor<fp16, [1, 1, 1, %d]> ss%d = reduce_sum(x = sq%d, axes = ax, keep_dims = kd);\n", S, r, r);
        EMIT("        tensor<fp16, [1, 1, 1, %d]> sa%d = mul(x = ss%d, y = invd);\n", S, r, r);
        EMIT("        tensor<fp16, [1, 1, 1, %d]> sb%d = add(x = sa%d, y = eps);\n", S, r, r);
        EMIT("        tensor<fp16, [1, 1, 1, %d]> rr%d = pow(x = sb%d, y = nh);\n", S, r, r);
        EMIT("        tensor<fp16, [1, %d, 1, %d]> xr%d = mul(x = %s, y = rr%d);\n", D, S, r, in, r);
        EMIT("        tensor<fp16, [1, %d, 1, %d]> xn%d = mul(x = xr%d, y = rw%d);\n", D, S, r, r, r);
        if (r == 2) break;
        const char *t[] = {"q", "k", "v"};
        for (int i = 0; i < 3; i++) {
            EMIT("        tensor<fp16, [1, %d, 1, %d]> %sf = conv(x = xn1, weight = w%s);\n", D, S, t[i], t[i]);
            EMIT("        tensor<fp16, [1, %d, %d, %d]> %s4 = reshape(x = %sf, shape = hs);\n", NH, HD, S, t[i], t[i]);
            EMIT("        tensor<fp16, [1, %d, %d, %d]> %s = transpose(x = %s4, perm = pm);\n", NH, S, HD, t[i], t[i]);
        }
        EMIT("        tensor<fp16, [1, %d, %d, %d]> s1 = matmul(x = q, y = k, transpose_y = true);\n", NH, S, S);
        EMIT("        tensor<fp16, [1, %d, %d, %d]> s2 = mul(x = s1, y = sc);\n", NH, S, S);
        EMIT("        tensor<fp16, [1, %d, %d, %d]> p = softmax(x = s2, axis = int32(-1));\n", NH, S, S);
        EMIT("        tensor<fp16, [1, %d, %d, %d]> a = matmul(x = p, y = v);\n", NH, S, HD);
        EMIT("        tensor<fp16, [1, %d, %d, %d]> at = transpose(x = a, perm = pm);\n", NH, HD, S);
        EMIT("        tensor<fp16, [1, %d, 1, %d]> af = reshape(x = at, shape = os);\n", D, S);
        EMIT("        tensor<fp16, [1, %d, 1, %d]> o = conv(x = af, weight = wo);\n", D, S);
        EMIT("        tensor<fp16, [1, %d, 1, %d]> x2 = add(x = x, y = o);\n", D, S);
    }
    EMIT("        tensor<fp16, [1, %d, 1, %d]> h1 = conv(x = xn2, weight = w1);\n", H, S);
    EMIT("        tensor<fp16, [1, %d, 1, %d]> h3 = conv(x = xn2, weight = w3);\n", H, S);
    EMIT("        tensor<fp16, [1, %d, 1, %d]> sg = sigmoid(x = h1);\n", H, S);
    EMIT("        tensor<fp16, [1, %d, 1, %d]> si = mul(x = h1, y = sg);\n", H, S);
    EMIT("        tensor<fp16, [1, %d, 1, %d]> g = mul(x = si, y = h3);\n", H, S);
    EMIT("        tensor<fp16, [1, %d, 1, %d]> f = conv(x = g, weight = w2);\n", D, S);
    EMIT("        tensor<fp16, [1, %d, 1, %d]> out = add(x = x2, y = f)[name = string(\"%s\")];\n", D, S, out_name);
    EMIT("    } -> (out);\n}\n");
#undef EMIT
    if (n >= cap) {
        free(m);
        return NULL;
    }
    return m;
}

int stories_layer_fill(ANEKernelHandle *k) {
    const size_t counts[STORIES_WEIGHTS] = {D, D, (size_t)D * D, (size_t)D * D, (size_t)D * D, (size_t)D * D,
                                            (size_t)H * D, (size_t)H * D, (size_t)D * H};
    float *buf = malloc(sizeof(float) * H * D); /* the largest weight; the input is smaller */
    int ok = 1;
    for (int w = 0; w < STORIES_WEIGHTS && ok; w++) {
        for (size_t i = 0; i < counts[w]; i++)
            buf[i] = w < 2 ? 1.0f : (float)((i * 2654435761u) % 1000) * 6e-5f - 0.03f;
        ane_bridge_write_weight_f32(k, w, buf, counts[w]);
        ok = ane_bridge_last_error_code() == ANE_OK;
    }
    if (ok) {
        for (size_t i = 0; i < (size_t)D * S; i++) buf[i] = (float)((i * 40503u) % 1000) / 500.0f - 1.0f;
        ane_bridge_write_input_f32(k, 0, buf, (size_t)D * S);
        ok = ane_bridge_last_error_code() == ANE_OK;
    }
    free(buf);
    return ok ? 0 : -1;
}
