/* A whole Stories110M-sized model (12 layers: dim 768, hidden 2048, 12 heads, seq 256, 7.08M weights per
 * layer) with every weight a BLOBFILE constant compiles and runs under the default limits: the limits
 * refuse hostile programs, not real ones. The weights are zeros except the RMSNorm gains (1), so the
 * model is the identity on its input, which the test checks exactly. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "reference_harness.h"
#include "test.h"

enum { LAYERS = 12, D = 768, H = 2048, S = 256, HEADS = 12, HD = D / HEADS, TENSORS = 9 };

/* The tensors of one layer's weight file, in order: name, rows, cols (fp16 [rows, cols, 1, 1]). */
static const struct { const char *name; int rows, cols; } tensors[TENSORS] = {
    {"rms1", 1, D}, {"rms2", 1, D}, {"wq", D, D}, {"wk", D, D}, {"wv", D, D},
    {"wo", D, D},   {"w1", H, D},   {"w3", H, D}, {"w2", D, H},
};

/* Offset of tensor t's 64-byte record in a layer file (records follow each other with their payloads). */
static uint64_t record_offset(int t) {
    uint64_t off = 64;
    for (int i = 0; i < t; i++) off += 64 + (uint64_t)tensors[i].rows * (uint64_t)tensors[i].cols * 2;
    return off;
}

static void put_u32(uint8_t *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i)); }
static void put_u64(uint8_t *p, uint64_t v) { for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i)); }

/* A layer's weight file (blob storage v2, nine fp16 tensors): projections zero, RMSNorm gains one. */
static uint8_t *layer_file(size_t *len) {
    *len = (size_t)record_offset(TENSORS);
    uint8_t *f = calloc(1, *len);
    put_u32(f, TENSORS);
    put_u32(f + 4, 2);
    for (int t = 0; t < TENSORS; t++) {
        uint8_t *r = f + record_offset(t);
        uint64_t bytes = (uint64_t)tensors[t].rows * (uint64_t)tensors[t].cols * 2;
        put_u32(r, 0xDEADBEEFu);
        put_u32(r + 4, ANE_DTYPE_FP16);
        put_u64(r + 8, bytes);
        put_u64(r + 16, record_offset(t) + 64);
        for (uint64_t i = 0; t < 2 && i < bytes; i += 2) r[64 + i + 1] = 0x3C; /* fp16 1.0 = 0x3C00 */
    }
    return f;
}

typedef struct text { char *s; size_t len, cap; } text;

static void emit(text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void emit(text *t, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(t->s + t->len, t->cap - t->len, fmt, ap);
    va_end(ap);
    t->len += (size_t)n < t->cap - t->len ? (size_t)n : 0;
}

static char *model_mil(void) {
    text t = {malloc(1 << 20), 0, 1 << 20};
    emit(&t, "program(1.3)\n{\n    func main<ios18>(tensor<fp16, [1, %d, 1, %d]> x0) {\n", D, S);
    emit(&t, "        tensor<int32, [1]> ax = const()[name = string(\"ax\"), val = tensor<int32, [1]>([1])];\n"
             "        bool kd = const()[name = string(\"kd\"), val = bool(true)];\n"
             "        fp16 invd = const()[name = string(\"invd\"), val = fp16(0.001302)];\n"
             "        fp16 eps = const()[name = string(\"eps\"), val = fp16(0.00001)];\n"
             "        fp16 nh = const()[name = string(\"nh\"), val = fp16(-0.5)];\n"
             "        tensor<int32, [4]> hs = const()[name = string(\"hs\"), val = tensor<int32, [4]>([1, %d, %d, %d])];\n"
             "        tensor<int32, [4]> pm = const()[name = string(\"pm\"), val = tensor<int32, [4]>([0, 1, 3, 2])];\n"
             "        tensor<int32, [4]> os = const()[name = string(\"os\"), val = tensor<int32, [4]>([1, %d, 1, %d])];\n",
         HEADS, HD, S, D, S);
    for (int l = 0; l < LAYERS; l++) {
        for (int w = 0; w < TENSORS; w++)
            emit(&t, "        tensor<fp16, [%d, %d, 1, 1]> %s_%d = const()[name = string(\"%s_%d\"), val = tensor<fp16, "
                     "[%d, %d, 1, 1]>(BLOBFILE(path = string(\"@model_path/weights/layer%d.bin\"), offset = "
                     "uint64(%llu)))];\n", tensors[w].rows, tensors[w].cols, tensors[w].name, l, tensors[w].name, l,
                 tensors[w].rows, tensors[w].cols, l, (unsigned long long)record_offset(w));
        for (int r = 1; r <= 2; r++) { /* RMSNorm before attention, then before the FFN */
            char in[16];
            snprintf(in, sizeof in, r == 1 ? "x%d" : "a%d", l);
            emit(&t, "        tensor<fp16, [1, %d, 1, %d]> sq%d_%d = mul(x = %s, y = %s);\n", D, S, r, l, in, in);
            emit(&t, "        tensor<fp16, [1, 1, 1, %d]> ss%d_%d = reduce_sum(x = sq%d_%d, axes = ax, keep_dims = kd);\n",
                 S, r, l, r, l);
            emit(&t, "        tensor<fp16, [1, 1, 1, %d]> sa%d_%d = mul(x = ss%d_%d, y = invd);\n", S, r, l, r, l);
            emit(&t, "        tensor<fp16, [1, 1, 1, %d]> sb%d_%d = add(x = sa%d_%d, y = eps);\n", S, r, l, r, l);
            emit(&t, "        tensor<fp16, [1, 1, 1, %d]> rr%d_%d = pow(x = sb%d_%d, y = nh);\n", S, r, l, r, l);
            emit(&t, "        tensor<fp16, [1, %d, 1, %d]> xr%d_%d = mul(x = %s, y = rr%d_%d);\n", D, S, r, l, in, r, l);
            emit(&t, "        tensor<fp16, [1, %d, 1, %d]> xn%d_%d = mul(x = xr%d_%d, y = rms%d_%d);\n", D, S, r, l, r, l,
                 r, l);
            if (r == 2) break;
            static const char *const qkv[] = {"q", "k", "v"};
            for (int i = 0; i < 3; i++) {
                emit(&t, "        tensor<fp16, [1, %d, 1, %d]> %sf_%d = conv(x = xn1_%d, weight = w%s_%d);\n", D, S,
                     qkv[i], l, l, qkv[i], l);
                emit(&t, "        tensor<fp16, [1, %d, %d, %d]> %s4_%d = reshape(x = %sf_%d, shape = hs);\n", HEADS, HD,
                     S, qkv[i], l, qkv[i], l);
                emit(&t, "        tensor<fp16, [1, %d, %d, %d]> %s_%d = transpose(x = %s4_%d, perm = pm);\n", HEADS, S,
                     HD, qkv[i], l, qkv[i], l);
            }
            emit(&t, "        tensor<fp16, [1, %d, %d, %d]> at_%d = scaled_dot_product_attention(query = q_%d, key = "
                     "k_%d, value = v_%d);\n", HEADS, S, HD, l, l, l, l);
            emit(&t, "        tensor<fp16, [1, %d, %d, %d]> att_%d = transpose(x = at_%d, perm = pm);\n", HEADS, HD, S,
                 l, l);
            emit(&t, "        tensor<fp16, [1, %d, 1, %d]> af_%d = reshape(x = att_%d, shape = os);\n", D, S, l, l);
            emit(&t, "        tensor<fp16, [1, %d, 1, %d]> o_%d = conv(x = af_%d, weight = wo_%d);\n", D, S, l, l, l);
            emit(&t, "        tensor<fp16, [1, %d, 1, %d]> a%d = add(x = x%d, y = o_%d);\n", D, S, l, l, l);
        }
        emit(&t, "        tensor<fp16, [1, %d, 1, %d]> h1_%d = conv(x = xn2_%d, weight = w1_%d);\n", H, S, l, l, l);
        emit(&t, "        tensor<fp16, [1, %d, 1, %d]> h3_%d = conv(x = xn2_%d, weight = w3_%d);\n", H, S, l, l, l);
        emit(&t, "        tensor<fp16, [1, %d, 1, %d]> sg_%d = sigmoid(x = h1_%d);\n", H, S, l, l);
        emit(&t, "        tensor<fp16, [1, %d, 1, %d]> si_%d = mul(x = h1_%d, y = sg_%d);\n", H, S, l, l, l);
        emit(&t, "        tensor<fp16, [1, %d, 1, %d]> gg_%d = mul(x = si_%d, y = h3_%d);\n", H, S, l, l, l);
        emit(&t, "        tensor<fp16, [1, %d, 1, %d]> f_%d = conv(x = gg_%d, weight = w2_%d);\n", D, S, l, l, l);
        emit(&t, "        tensor<fp16, [1, %d, 1, %d]> x%d = add(x = a%d, y = f_%d);\n", D, S, l + 1, l, l);
    }
    emit(&t, "    } -> (x%d);\n}\n", LAYERS);
    return t.len + 1 < t.cap ? t.s : NULL;
}

TEST(stories110m_twelve_layers_with_blobfile_weights_compile_and_run_under_the_default_limits) {
    char *mil = model_mil();
    CHECK_MSG(mil != NULL, "the program text did not fit its buffer");
    if (!mil) return;
    size_t len;
    uint8_t *file = layer_file(&len); /* the same file for every layer: zeros and ones */
    char names_buf[LAYERS][48];
    const char *names[LAYERS];
    const uint8_t *datas[LAYERS];
    size_t lens[LAYERS];
    for (int l = 0; l < LAYERS; l++) {
        snprintf(names_buf[l], sizeof names_buf[l], "@model_path/weights/layer%d.bin", l);
        names[l] = names_buf[l];
        datas[l] = file;
        lens[l] = len;
    }
    ane_bridge_set_limit(ANE_LIMIT_IDLE_CACHE_BYTES, 0); /* an empty cache: what is idle later is this program */
    ane_bridge_set_limit(ANE_LIMIT_IDLE_CACHE_BYTES, ane_bridge_default_limit(ANE_LIMIT_IDLE_CACHE_BYTES));
    ANEKernelHandle *k = ref_compile_files(mil, 1, 1, LAYERS, names, datas, lens);
    if (k) {
        /* Zero projections: every residual branch adds 0, so the model passes its input through. */
        float *x = malloc(sizeof(float) * D * S), *y = malloc(sizeof(float) * D * S);
        for (size_t i = 0; i < (size_t)D * S; i++) x[i] = (float)((int)(i % 61) - 30) / 8.0f; /* exact in fp16 */
        const float *in[] = {x};
        size_t counts[] = {(size_t)D * S};
        if (ref_eval(k, in, counts, 1) && ref_read(k, 0, y, (size_t)D * S)) ref_check_all(x, y, (size_t)D * S, 0, "y");
        free(x);
        free(y);
        ane_bridge_free(k);
        printf("    12 layers: %.1f MB of weight files, the compiled program holds %.1f MB (kernel limit %lld MB)\n",
               LAYERS * len / 1e6, ane_cache_idle_bytes() / 1e6, (long long)(ane_bridge_get_limit(ANE_LIMIT_KERNEL_BYTES) >> 20));
        ane_bridge_set_limit(ANE_LIMIT_IDLE_CACHE_BYTES, 0); /* do not keep 340 MB for the other tests */
        ane_bridge_set_limit(ANE_LIMIT_IDLE_CACHE_BYTES, ane_bridge_default_limit(ANE_LIMIT_IDLE_CACHE_BYTES));
    }
    free(file);
    free(mil);
}
