/* MIL blob storage v2 weight files (layout in blob.h): the four upstream builders and the validated
 * reader the reference backend loads BLOBFILE constants with. All fields are written little-endian
 * byte by byte, so the files are the same on every host. */
#include "blob.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dtype.h"
#include "error.h"
#include "fp16.h"

#define BLOB_HEADER_BYTES 64
#define BLOB_METADATA_BYTES 64
#define BLOB_PAYLOAD_OFFSET (BLOB_HEADER_BYTES + BLOB_METADATA_BYTES)
#define BLOB_VERSION 2u
#define MODEL_PATH_PREFIX "@model_path/"

static void put_u32(uint8_t *p, uint32_t v) {
    for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}

static void put_u64(uint8_t *p, uint64_t v) {
    for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get_u32(const uint8_t *p) {
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) v |= (uint32_t)p[i] << (8 * i);
    return v;
}

static uint64_t get_u64(const uint8_t *p) {
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v |= (uint64_t)p[i] << (8 * i);
    return v;
}

/* A zeroed single-tensor file for rows x cols elements of elem_size bytes, header and metadata filled.
 * Checks the arguments every builder shares; on failure returns NULL with the last error set. */
static uint8_t *blob_new(const char *fn, const void *src, int rows, int cols, size_t elem_size,
                         uint32_t dtype, size_t *out_len) {
    if (!out_len) {
        ane_error_set(ANE_ERR_INVALID_ARGUMENT, "%s: out_len is NULL", fn);
        return NULL;
    }
    *out_len = 0;
    if (!src) {
        ane_error_set(ANE_ERR_INVALID_ARGUMENT, "%s: src is NULL", fn);
        return NULL;
    }
    if (rows <= 0 || cols <= 0) {
        ane_error_set(ANE_ERR_INVALID_ARGUMENT, "%s: rows and cols must be positive, got %d x %d", fn, rows,
                      cols);
        return NULL;
    }
    size_t count, payload, total;
    if (__builtin_mul_overflow((size_t)rows, (size_t)cols, &count) ||
        __builtin_mul_overflow(count, elem_size, &payload) ||
        __builtin_add_overflow(payload, (size_t)BLOB_PAYLOAD_OFFSET, &total)) {
        ane_error_set(ANE_ERR_INVALID_ARGUMENT, "%s: %d x %d elements overflow the size of a blob", fn, rows,
                      cols);
        return NULL;
    }
    uint8_t *buf = calloc(1, total);
    if (!buf) {
        ane_error_set(ANE_ERR_OUT_OF_MEMORY, "%s: cannot allocate %zu bytes", fn, total);
        return NULL;
    }
    put_u32(buf + 0, 1);                                  /* tensor count */
    put_u32(buf + 4, BLOB_VERSION);
    uint8_t *meta = buf + BLOB_HEADER_BYTES;
    put_u32(meta + 0, ANE_BLOB_SENTINEL);
    put_u32(meta + 4, dtype);
    put_u64(meta + 8, payload);
    put_u64(meta + 16, BLOB_PAYLOAD_OFFSET);
    *out_len = total;
    return buf;
}

/* Little-endian fp16 payload element i. */
static void put_fp16(uint8_t *payload, size_t i, uint16_t h) {
    payload[2 * i] = (uint8_t)h;
    payload[2 * i + 1] = (uint8_t)(h >> 8);
}

uint8_t *ane_bridge_build_weight_blob(const float *src, int rows, int cols, size_t *out_len) {
    ane_error_clear();
    uint8_t *buf = blob_new("build_weight_blob", src, rows, cols, 2, ANE_DTYPE_FP16, out_len);
    if (!buf) return NULL;
    uint8_t *payload = buf + BLOB_PAYLOAD_OFFSET;
    size_t n = (size_t)rows * (size_t)cols;
    uint16_t chunk[256];
    for (size_t i = 0; i < n; i += 256) {
        size_t m = n - i < 256 ? n - i : 256;
        ane_fp32_to_fp16(src + i, chunk, m);
        for (size_t j = 0; j < m; j++) put_fp16(payload, i + j, chunk[j]);
    }
    return buf;
}

uint8_t *ane_bridge_build_weight_blob_transposed(const float *src, int rows, int cols, size_t *out_len) {
    ane_error_clear();
    uint8_t *buf = blob_new("build_weight_blob_transposed", src, rows, cols, 2, ANE_DTYPE_FP16, out_len);
    if (!buf) return NULL;
    uint8_t *payload = buf + BLOB_PAYLOAD_OFFSET;
    for (size_t r = 0; r < (size_t)rows; r++)
        for (size_t c = 0; c < (size_t)cols; c++)
            put_fp16(payload, c * (size_t)rows + r, ane_fp16_from_float(src[r * (size_t)cols + c]));
    return buf;
}

uint8_t *ane_bridge_build_weight_blob_int8(const int8_t *src, int rows, int cols, size_t *out_len) {
    ane_error_clear();
    uint8_t *buf = blob_new("build_weight_blob_int8", src, rows, cols, 1, ANE_DTYPE_INT8, out_len);
    if (!buf) return NULL;
    memcpy(buf + BLOB_PAYLOAD_OFFSET, src, (size_t)rows * (size_t)cols);
    return buf;
}

uint8_t *ane_bridge_build_weight_blob_quantized(const float *src, int rows, int cols, float *out_scale,
                                                size_t *out_len) {
    ane_error_clear();
    const char *fn = "build_weight_blob_quantized";
    if (out_len) *out_len = 0;
    if (!out_scale) {
        ane_error_set(ANE_ERR_INVALID_ARGUMENT, "%s: out_scale is NULL", fn);
        return NULL;
    }
    uint8_t *buf = blob_new(fn, src, rows, cols, 1, ANE_DTYPE_INT8, out_len);
    if (!buf) return NULL;
    size_t n = (size_t)rows * (size_t)cols;
    float max_abs = 0.0f;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(src[i])) {
            ane_error_set(ANE_ERR_INVALID_ARGUMENT, "%s: src[%zu] is not finite (%g)", fn, i, (double)src[i]);
            free(buf);
            *out_len = 0;
            return NULL;
        }
        if (fabsf(src[i]) > max_abs) max_abs = fabsf(src[i]);
    }
    /* 1 when max/127 is 0: all zeros, or so tiny the division underflows (x/0 must never happen). */
    float scale = max_abs / 127.0f;
    if (scale == 0.0f) scale = 1.0f;
    int8_t *q = (int8_t *)(buf + BLOB_PAYLOAD_OFFSET);
    for (size_t i = 0; i < n; i++) {
        float v = roundf(src[i] / scale);
        q[i] = (int8_t)(v > 127.0f ? 127.0f : v < -128.0f ? -128.0f : v);
    }
    *out_scale = scale;
    return buf;
}

void ane_bridge_free_blob(void *ptr) {
    ane_error_clear();
    free(ptr);
}

int ane_blob_tensor(const uint8_t *file, size_t len, const char *name, uint64_t offset, int dtype,
                    uint64_t payload_bytes, const uint8_t **payload) {
    if (!file || len < BLOB_HEADER_BYTES) {
        ane_error_set(ANE_ERR_COMPILE, "weight file '%s' is %zu bytes, shorter than its 64-byte header", name,
                      file ? len : 0);
        return -1;
    }
    uint32_t version = get_u32(file + 4);
    if (version != BLOB_VERSION) {
        ane_error_set(ANE_ERR_COMPILE, "weight file '%s' has blob storage version %u, expected 2", name, version);
        return -1;
    }
    if (offset < BLOB_HEADER_BYTES || offset > len || len - offset < BLOB_METADATA_BYTES) {
        ane_error_set(ANE_ERR_COMPILE,
                      "weight file '%s' (%zu bytes) has no room for a 64-byte metadata record at offset %llu",
                      name, len, (unsigned long long)offset);
        return -1;
    }
    const uint8_t *meta = file + offset;
    uint32_t sentinel = get_u32(meta + 0);
    if (sentinel != ANE_BLOB_SENTINEL) {
        ane_error_set(ANE_ERR_COMPILE, "weight file '%s': no metadata record at offset %llu (found 0x%08X, "
                      "expected sentinel 0xDEADBEEF)", name, (unsigned long long)offset, sentinel);
        return -1;
    }
    uint32_t stored_dtype = get_u32(meta + 4);
    if (stored_dtype != (uint32_t)dtype) {
        ane_error_set(ANE_ERR_COMPILE, "weight file '%s' at offset %llu holds data type %u (%s), expected %d (%s)",
                      name, (unsigned long long)offset, stored_dtype, ane_dtype_name((int)stored_dtype), dtype,
                      ane_dtype_name(dtype));
        return -1;
    }
    uint64_t size = get_u64(meta + 8);
    if (size != payload_bytes) {
        ane_error_set(ANE_ERR_COMPILE, "weight file '%s' at offset %llu holds %llu payload bytes, expected %llu",
                      name, (unsigned long long)offset, (unsigned long long)size,
                      (unsigned long long)payload_bytes);
        return -1;
    }
    uint64_t data = get_u64(meta + 16);
    if (data < BLOB_HEADER_BYTES || data > len || len - data < size) {
        ane_error_set(ANE_ERR_COMPILE, "weight file '%s' (%zu bytes): payload of %llu bytes at offset %llu is "
                      "outside the file", name, len, (unsigned long long)size, (unsigned long long)data);
        return -1;
    }
    *payload = file + data;
    return 0;
}

/* A character a weight name may hold: a portable file name character. */
static int is_name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
           c == '-';
}

const char *ane_blob_path_problem(const char *path, char *why, size_t n) {
    size_t prefix = strlen(MODEL_PATH_PREFIX);
    if (strncmp(path, MODEL_PATH_PREFIX, prefix) != 0) {
        snprintf(why, n, "must start with \"" MODEL_PATH_PREFIX "\"");
        return why;
    }
    /* The ANE framework keeps these files at the top of a model's folder; a weight must not replace them,
     * nor need a folder of their name ("@model_path/data/w.bin"). */
    static const char *const reserved[] = {"model.mil", "net.plist", "data"};
    size_t first = strcspn(path + prefix, "/");
    for (size_t r = 0; r < sizeof reserved / sizeof reserved[0]; r++)
        if (first == strlen(reserved[r]) && !strncmp(path + prefix, reserved[r], first)) {
            snprintf(why, n, "is reserved: the compiled model keeps its own %s there", reserved[r]);
            return why;
        }
    /* Each '/'-separated component after the prefix must be a plain file or folder name. */
    for (const char *c = path + prefix;; c++) {
        size_t len = strcspn(c, "/");
        if (len == 0) {
            snprintf(why, n, "has an empty path component");
            return why;
        }
        size_t dots = strspn(c, ".");
        if (dots >= len) {
            snprintf(why, n, "has a '%.*s' component; names must stay inside " MODEL_PATH_PREFIX, (int)len, c);
            return why;
        }
        for (size_t i = 0; i < len; i++)
            if (!is_name_char(c[i])) {
                unsigned char b = (unsigned char)c[i];
                snprintf(why, n, "holds %s 0x%02X; names are made of letters, digits and ._-/",
                         b < 0x80 ? "the character" : "the byte", b);
                return why;
            }
        c += len;
        if (*c == '\0') return NULL;
    }
}

int ane_blob_check_path(const char *path) {
    if (!path) {
        ane_error_set(ANE_ERR_INVALID_ARGUMENT, "weight name is NULL");
        return -1;
    }
    char why[128];
    if (!ane_blob_path_problem(path, why, sizeof why)) return 0;
    ane_error_set(ANE_ERR_INVALID_ARGUMENT, "weight name '%s' %s", path, why);
    return -1;
}
