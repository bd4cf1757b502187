/* See corpus.h. */
#include "corpus.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ane_bridge.h"
#include "test.h"

char *read_whole_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *buf = NULL;
    long n = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
    if (n >= 0 && fseek(f, 0, SEEK_SET) == 0) buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    if (!buf) return NULL;
    buf[n] = '\0';
    *len = (size_t)n;
    return buf;
}

const char *corpus_dir(void) {
    static char dir[1024];
    const char *env = getenv("ANE4J_CORPUS_DIR");
    snprintf(dir, sizeof dir, "%s", env && *env ? env : "../../shared/corpus/upstream-mil");
    char manifest[1100];
    snprintf(manifest, sizeof manifest, "%s/MANIFEST.tsv", dir);
    struct stat st;
    if (stat(manifest, &st) != 0) {
        char reason[1200];
        snprintf(reason, sizeof reason, "MIL corpus not found at %s (set ANE4J_CORPUS_DIR)", dir);
        test_skip(reason);
        return NULL;
    }
    return dir;
}

char *corpus_read(const char *name, size_t *len) {
    const char *dir = corpus_dir();
    if (!dir) return NULL;
    char path[2048];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char *text = read_whole_file(path, len);
    if (!text) test_fail(__FILE__, __LINE__, "cannot read corpus file %s", path);
    return text;
}

char *corpus_read_optional(const char *name, size_t *len) {
    const char *env = getenv("ANE4J_CORPUS_DIR");
    char path[2048];
    snprintf(path, sizeof path, "%s/%s", env && *env ? env : "../../shared/corpus/upstream-mil", name);
    return read_whole_file(path, len);
}

/* ---- MANIFEST.tsv ---------------------------------------------------------------------------------- */

/* Splits line at tabs into exactly 4 columns (in place); 0, or -1 for another count. */
static int split_columns(char *line, char *cols[4]) {
    size_t n = strlen(line);
    if (n > 0 && line[n - 1] == '\r') line[n - 1] = '\0';
    int k = 0;
    for (char *p = line; p; k++) {
        if (k == 4) return -1;
        cols[k] = p;
        p = strchr(p, '\t');
        if (p) *p++ = '\0';
    }
    return k == 4 ? 0 : -1;
}

int corpus_manifest(char **text, corpus_row *rows, int max) {
    size_t len;
    *text = corpus_read("MANIFEST.tsv", &len);
    if (!*text) return -1;
    int n = 0;
    char *save;
    strtok_r(*text, "\n", &save); /* header */
    for (char *line = strtok_r(NULL, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *cols[4];
        if (n == max || split_columns(line, cols) != 0) {
            test_fail(__FILE__, __LINE__, "MANIFEST.tsv row %d: %s", n + 1,
                      n == max ? "more rows than expected" : "not 4 tab-separated columns");
            free(*text);
            *text = NULL;
            return -1;
        }
        rows[n++] = (corpus_row){cols[0], cols[1], cols[2], cols[3]};
    }
    return n;
}

/* The entry of len bytes at text into s; 0, or -1 when malformed. */
static int parse_spec(const char *text, size_t len, corpus_spec *s) {
    const char *end = text + len, *open = memchr(text, '[', len), *colon = NULL;
    for (const char *p = text; p < (open ? open : end); p++)
        if (*p == ':') colon = p;
    if (!colon || !open || end[-1] != ']' || (size_t)(colon - text) >= sizeof s->name ||
        (size_t)(open - colon - 1) >= sizeof s->dtype)
        return -1;
    memcpy(s->name, text, (size_t)(colon - text));
    s->name[colon - text] = '\0';
    memcpy(s->dtype, colon + 1, (size_t)(open - colon - 1));
    s->dtype[open - colon - 1] = '\0';
    s->count = 1;
    for (const char *p = open + 1; p < end - 1;) {
        char *next;
        long long d = strtoll(p, &next, 10);
        if (next == p || d <= 0 || (*next != ',' && *next != ']')) return -1;
        s->count *= d;
        p = next + 1;
    }
    return 0;
}

int corpus_specs(const char *column, corpus_spec *out, int max) {
    if (strcmp(column, "-") == 0) return 0;
    int n = 0;
    for (const char *p = column; *p;) {
        size_t len = strcspn(p, " ");
        if (n == max || parse_spec(p, len, &out[n]) != 0) return -1;
        n++;
        p += len;
        p += strspn(p, " ");
    }
    return n;
}

/* ---- synthesised weight files ---------------------------------------------------------------------- */

float corpus_random(uint32_t *state) {
    *state = *state * 1664525u + 1013904223u;
    return (float)(*state >> 8) / (float)(1u << 23) - 1.0f;
}

static void put_le(uint8_t *p, uint64_t v, int bytes) {
    for (int i = 0; i < bytes; i++) p[i] = (uint8_t)(v >> (8 * i));
}

/* Blob storage v2 data type codes and element sizes; 0 for a dtype the corpus does not use in weights. */
static int blob_code(const char *dtype) {
    return !strcmp(dtype, "fp16") ? 1 : !strcmp(dtype, "fp32") ? 2 : !strcmp(dtype, "int8") ? 4 : 0;
}

static size_t blob_elem_bytes(int code) { return code == 1 ? 2 : code == 2 ? 4 : 1; }

/* The file for the path before '@' in name: an existing one, or a new empty one; -1 when full. */
static int file_for(corpus_weights *w, const char *name, size_t path_len) {
    for (int f = 0; f < w->n; f++)
        if (strlen(w->paths[f]) == path_len && strncmp(w->paths[f], name, path_len) == 0) return f;
    if (w->n == CORPUS_MAX_FILES || path_len >= sizeof w->paths[0]) return -1;
    memcpy(w->paths[w->n], name, path_len);
    w->paths[w->n][path_len] = '\0';
    w->names[w->n] = w->paths[w->n];
    return w->n++;
}

/* Adds one reference: its metadata record at its offset, its payload right after. Returns the index of
 * its file, or -1. */
static int add_tensor(corpus_weights *w, const corpus_spec *b, uint32_t *rng) {
    const char *at = strrchr(b->name, '@');
    int code = blob_code(b->dtype);
    if (!at || !code) return -1;
    char *end;
    unsigned long long offset = strtoull(at + 1, &end, 10);
    if (end == at + 1 || *end || offset < 64) return -1; /* the file header owns the first 64 bytes */
    int f = file_for(w, b->name, (size_t)(at - b->name));
    if (f < 0) return -1;
    size_t payload = (size_t)b->count * blob_elem_bytes(code), size = (size_t)offset + 64 + payload;
    if (size > w->lens[f]) {
        uint8_t *grown = realloc(w->datas[f], size);
        if (!grown) return -1;
        memset(grown + w->lens[f], 0, size - w->lens[f]);
        w->datas[f] = grown;
        w->lens[f] = size;
    }
    uint8_t *meta = w->datas[f] + offset, *data = meta + 64;
    put_le(meta, 0xDEADBEEFu, 4);
    put_le(meta + 4, (uint64_t)code, 4);
    put_le(meta + 8, payload, 8);
    put_le(meta + 16, offset + 64, 8);
    for (int64_t i = 0; i < b->count; i++) {
        float v = 0.5f * corpus_random(rng);
        if (code == 1) {
            uint16_t h;
            ane_bridge_fp32_to_fp16(&v, &h, 1);
            put_le(data + 2 * i, h, 2);
        } else if (code == 2) {
            memcpy(data + 4 * i, &v, 4);
        } else {
            data[i] = (uint8_t)(int8_t)lrintf(16.0f * v);
        }
    }
    return f;
}

int corpus_weights_build(const char *blobs_column, corpus_weights *w) {
    memset(w, 0, sizeof *w);
    corpus_spec refs[CORPUS_MAX_FILES * 4];
    int n = corpus_specs(blobs_column, refs, CORPUS_MAX_FILES * 4);
    uint32_t rng = 777, tensors[CORPUS_MAX_FILES] = {0};
    int ok = n >= 0;
    for (int i = 0; ok && i < n; i++) {
        int f = add_tensor(w, &refs[i], &rng);
        ok = f >= 0;
        if (ok) tensors[f]++;
    }
    if (!ok) {
        corpus_weights_free(w);
        return -1;
    }
    for (int f = 0; f < w->n; f++) { /* the file header: tensor count, version */
        put_le(w->datas[f], tensors[f], 4);
        put_le(w->datas[f] + 4, 2, 4);
    }
    return 0;
}

void corpus_weights_free(corpus_weights *w) {
    for (int f = 0; f < w->n; f++) free(w->datas[f]);
    memset(w, 0, sizeof *w);
}
