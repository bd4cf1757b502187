/* MIL parser: the external corpus (signatures checked against MANIFEST.tsv), every literal form,
 * exact error positions and messages, and robustness against truncated and corrupted text. */
#include "mil/mil_ast.h"
#include "core_fixtures.h"
#include "corpus.h"
#include "test.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Parses a copy in a buffer of exactly len bytes, so ASan catches any read past the end. */
static mil_program *parse_n(const char *text, size_t len, mil_parse_error *err) {
    char *copy = malloc(len ? len : 1);
    memcpy(copy, text, len);
    mil_program *p = mil_parse(copy, len, err);
    free(copy);
    return p;
}

static mil_program *parse(const char *text, mil_parse_error *err) { return parse_n(text, strlen(text), err); }

static mil_program *parse_ok(const char *text) {
    mil_parse_error err;
    mil_program *p = parse(text, &err);
    CHECK_MSG(p != NULL, "parse failed at %d:%d: %s", err.line, err.column, err.message);
    return p;
}

/* The program below with STMTS as the body of main: x is a [1, 4] fp16 parameter, y is returned. */
#define HEADER "program(1.3)\n{\n    func main<ios18>(tensor<fp16, [1, 4]> x) {\n"
#define FOOTER "    } -> (y);\n}\n"

/* ---- the corpus against MANIFEST.tsv ----------------------------------------------------------- */

/* The test's own dtype spelling, independent of mil_dtype_name. */
static const char *dtype_text(mil_dtype dt) {
    switch (dt) {
    case MIL_FP16: return "fp16";
    case MIL_FP32: return "fp32";
    case MIL_INT32: return "int32";
    case MIL_INT8: return "int8";
    case MIL_UINT8: return "uint8";
    case MIL_UINT4: return "uint4";
    case MIL_BOOL: return "bool";
    case MIL_STRING: return "string";
    case MIL_UINT64: return "uint64";
    case MIL_INT16: return "int16";
    case MIL_UINT16: return "uint16";
    }
    return "?";
}

/* MANIFEST spelling of a type: fp16[1,64,1,64]. */
static void append_type(char *buf, size_t n, const mil_type *t) {
    size_t used = strlen(buf);
    used += (size_t)snprintf(buf + used, n - used, "%s", dtype_text(t->dtype));
    if (!t->is_tensor) return;
    used += (size_t)snprintf(buf + used, n - used, "[");
    for (int i = 0; i < t->rank && used < n; i++)
        used += (size_t)snprintf(buf + used, n - used, i ? ",%lld" : "%lld", (long long)t->dims[i]);
    if (used < n) snprintf(buf + used, n - used, "]");
}

static void append_sep(char *buf, size_t n) {
    if (*buf) strncat(buf, " ", n - strlen(buf) - 1);
}

static void append_blobfile(char *buf, size_t n, const mil_literal *l) {
    if (l->form != MIL_LIT_BLOBFILE) return;
    append_sep(buf, n);
    size_t used = strlen(buf);
    snprintf(buf + used, n - used, "%s@%llu:", l->blob_path, (unsigned long long)l->blob_offset);
    append_type(buf, n, &l->type);
}

/* The MANIFEST columns (inputs, outputs, BLOBFILE references) rebuilt from the AST. */
static void describe_program(const mil_program *p, char *in, char *out, char *blobs, size_t n) {
    const mil_function *f = mil_main(p);
    in[0] = out[0] = blobs[0] = '\0';
    for (int i = 0; i < f->n_params; i++) {
        append_sep(in, n);
        snprintf(in + strlen(in), n - strlen(in), "%s:", f->params[i].name);
        append_type(in, n, &f->params[i].type);
    }
    for (int i = 0; i < mil_output_count(p); i++) {
        append_sep(out, n);
        snprintf(out + strlen(out), n - strlen(out), "%s:", mil_output_name(p, i));
        append_type(out, n, mil_output_type(p, i));
    }
    for (int s = 0; s < f->n_stmts; s++) {
        for (int a = 0; a < f->stmts[s].n_args; a++)
            if (f->stmts[s].args[a].kind == MIL_ARG_LITERAL) append_blobfile(blobs, n, &f->stmts[s].args[a].literal);
        for (int a = 0; a < f->stmts[s].n_attrs; a++) append_blobfile(blobs, n, &f->stmts[s].attrs[a].value);
    }
    if (!blobs[0]) snprintf(blobs, n, "-");
}

/* Distinct paths of a MANIFEST BLOBFILE column, in order: the expected program->blob_paths. */
static int manifest_paths(const char *blobs, char paths[][256], int max) {
    int n = 0;
    char copy[4096];
    snprintf(copy, sizeof copy, "%s", blobs);
    for (char *save, *ref = strtok_r(copy, " ", &save); ref; ref = strtok_r(NULL, " ", &save)) {
        char *colon = strrchr(ref, ':');
        if (!colon) continue;
        *colon = '\0';
        char *at = strrchr(ref, '@');
        if (!at || at == ref) continue;
        *at = '\0';
        int seen = 0;
        for (int i = 0; i < n; i++) seen |= strcmp(paths[i], ref) == 0;
        if (!seen && n < max) snprintf(paths[n++], 256, "%s", ref);
    }
    return n;
}

/* Checks the corpus file name (a program, or a sample copied from one) against the MANIFEST row r. */
static void check_against_manifest(const char *name, const corpus_row *r) {
    size_t len;
    char *text = corpus_read(name, &len);
    if (!text) return;
    mil_parse_error err;
    mil_program *p = parse_n(text, len, &err);
    free(text);
    CHECK_MSG(p != NULL, "%s:%d:%d: %s", name, err.line, err.column, err.message);
    if (!p) return;
    static char in[4096], out[4096], blobs[4096];
    describe_program(p, in, out, blobs, sizeof in);
    CHECK_MSG(strcmp(in, r->inputs) == 0, "%s inputs: expected '%s', got '%s'", name, r->inputs, in);
    CHECK_MSG(strcmp(out, r->outputs) == 0, "%s outputs: expected '%s', got '%s'", name, r->outputs, out);
    CHECK_MSG(strcmp(blobs, r->blobs) == 0, "%s BLOBFILEs: expected '%s', got '%s'", name, r->blobs, blobs);
    char paths[16][256];
    int n = manifest_paths(r->blobs, paths, 16);
    CHECK_EQ_INT(n, mil_blobfile_count(p));
    for (int i = 0; i < n && i < mil_blobfile_count(p); i++)
        CHECK_MSG(strcmp(paths[i], mil_blobfile_path(p, i)) == 0, "%s blob path %d: expected %s, got %s", name, i,
                  paths[i], mil_blobfile_path(p, i));
    mil_program_free(p);
}

/* Corpus files a and b hold the same bytes. */
static int files_equal(const char *a, const char *b) {
    size_t la, lb;
    char *ta = corpus_read(a, &la), *tb = corpus_read(b, &lb);
    int eq = ta && tb && la == lb && memcmp(ta, tb, la) == 0;
    free(ta);
    free(tb);
    return eq;
}

TEST(corpus_programs_parse_and_match_manifest) {
    char *text;
    static corpus_row rows[128];
    int n = corpus_manifest(&text, rows, 128);
    if (n < 0) return;
    for (int i = 0; i < n; i++) check_against_manifest(rows[i].file, &rows[i]);
    free(text);
    CHECK_EQ_INT(55, n);
}

/* Every .mil file in samples/ parses; each is a copy of a corpus program, checked against that row. */
TEST(corpus_samples_parse_and_match_manifest) {
    char *text;
    static corpus_row rows[128];
    int n_rows = corpus_manifest(&text, rows, 128);
    if (n_rows < 0) return;
    char sdir[2048];
    snprintf(sdir, sizeof sdir, "%s/samples", corpus_dir());
    DIR *d = opendir(sdir);
    CHECK(d != NULL);
    int samples = 0;
    for (struct dirent *e; d && (e = readdir(d));) {
        size_t n = strlen(e->d_name);
        if (n < 4 || strcmp(e->d_name + n - 4, ".mil") != 0) continue;
        char sample[512];
        snprintf(sample, sizeof sample, "samples/%s", e->d_name);
        int matched = 0;
        for (int i = 0; i < n_rows && !matched; i++) {
            if (files_equal(sample, rows[i].file)) {
                check_against_manifest(sample, &rows[i]);
                matched = 1;
            }
        }
        CHECK_MSG(matched, "sample %s is not a copy of any MANIFEST program", e->d_name);
        samples++;
    }
    if (d) closedir(d);
    free(text);
    CHECK_EQ_INT(5, samples);
}

/* ---- literal forms ----------------------------------------------------------------------------- */

static const mil_stmt *stmt_named(const mil_program *p, const char *name) {
    const mil_function *f = mil_main(p);
    for (int i = 0; i < f->n_stmts; i++)
        for (int r = 0; r < f->stmts[i].n_results; r++)
            if (strcmp(f->stmts[i].result_names[r], name) == 0) return &f->stmts[i];
    return NULL;
}

/* The val attribute of the const defining name. */
static const mil_literal *const_val(const mil_program *p, const char *name) {
    const mil_stmt *s = stmt_named(p, name);
    const mil_attr *a = s ? mil_stmt_attr(s, "val") : NULL;
    CHECK_MSG(a != NULL, "no const val for %s", name);
    return a ? &a->value : NULL;
}

TEST(mil_parse_scalar_literals_short_spelling) {
    mil_program *p = parse_ok(HEADER
        "        fp16 h = const()[name = string(\"h\"), val = fp16(0x1p-3)];\n"
        "        fp16 hn = const()[name=string(\"hn\"),val=fp16(-0x1.8p1)];\n"
        "        fp16 e = const()[name = string(\"e\"), val = fp16(1e-05)];\n"
        "        fp32 e2 = const()[name = string(\"e2\"), val = fp32(2.5E+2)];\n"
        "        fp16 d = const()[name = string(\"d\"), val = fp16(0.088388)];\n"
        "        fp16 n = const()[name = string(\"n\"), val = fp16(-1)];\n"
        "        int32 i = const()[name = string(\"i\"), val = int32(-1)];\n"
        "        int32 big = const()[name = string(\"big\"), val = int32(-2147483648)];\n"
        "        int8 z = const()[name = string(\"z\"), val = int8(-128)];\n"
        "        uint64 u = const()[name = string(\"u\"), val = uint64(144)];\n"
        "        bool b = const()[name = string(\"b\"), val = bool(true)];\n"
        "        bool bf = const()[name = string(\"bf\"), val = bool(false)];\n"
        "        string s = const()[name = string(\"s\"), val = string(\"TANH_APPROXIMATION\")];\n"
        "        tensor<fp16, [1, 4]> y = relu(x = x)[name = string(\"y\")];\n"
        FOOTER);
    if (!p) return;
    struct { const char *name; mil_dtype dt; double v; } want[] = {
        {"h", MIL_FP16, 0.125}, {"hn", MIL_FP16, -3.0}, {"e", MIL_FP16, 0.00001}, {"e2", MIL_FP32, 250.0},
        {"d", MIL_FP16, 0.088388}, {"n", MIL_FP16, -1.0}, {"i", MIL_INT32, -1.0}, {"big", MIL_INT32, -2147483648.0},
        {"z", MIL_INT8, -128.0}, {"u", MIL_UINT64, 144.0}, {"b", MIL_BOOL, 1.0}, {"bf", MIL_BOOL, 0.0},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        const mil_literal *l = const_val(p, want[i].name);
        if (!l) continue;
        CHECK_EQ_INT(MIL_LIT_SCALAR, l->form);
        CHECK_EQ_INT(want[i].dt, l->type.dtype);
        CHECK_EQ_INT(0, l->type.is_tensor);
        CHECK_EQ_INT(1, l->count);
        CHECK_MSG(l->values && l->values[0] == want[i].v, "%s: expected %.17g, got %.17g", want[i].name, want[i].v,
                  l->values ? l->values[0] : -999.0);
    }
    const mil_literal *s = const_val(p, "s");
    CHECK(s && s->strings && s->count == 1 && strcmp(s->strings[0], "TANH_APPROXIMATION") == 0 && !s->values);
    const mil_stmt *st = stmt_named(p, "s");
    CHECK(st && st->result_types[0].dtype == MIL_STRING && !st->result_types[0].is_tensor);
    mil_program_free(p);
}

/* A 105-character number (longer than any fixed scratch buffer would hold) and the largest fp16
 * spelling that does not round to infinity. */
TEST(mil_parse_long_numbers_and_fp16_range_edge) {
    char zeros[100], text[1024];
    memset(zeros, '0', sizeof zeros - 1);
    zeros[sizeof zeros - 1] = '\0';
    snprintf(text, sizeof text, HEADER
             "        fp32 one = const()[name = string(\"one\"), val = fp32(0.%s1e100)];\n"
             "        fp16 mx = const()[name = string(\"mx\"), val = fp16(-65519.99)];\n"
             "        tensor<fp16, [1, 4]> y = relu(x = x)[name = string(\"y\")];\n" FOOTER, zeros);
    mil_program *p = parse_ok(text);
    if (!p) return;
    CHECK(const_val(p, "one")->values[0] == 1.0);
    CHECK(const_val(p, "mx")->values[0] == -65519.99);
    mil_program_free(p);
}

TEST(mil_parse_verbose_rank0_tensor_scalars) {
    mil_program *p = parse_ok("program(1.0)\n"
        "[buildInfo = dict<tensor<string, []>, tensor<string, []>>({{\"coremlc-version\", \"3505.4.1\"}})]\n"
        "{\n    func main<ios16>(tensor<fp16, [1, 4]> x) {\n"
        "        tensor<int32, []> g = const()[name = tensor<string, []>(\"g\"), val = tensor<int32, []>(12)];\n"
        "        tensor<bool, []> t = const()[name = tensor<string, []>(\"t\"), val = tensor<bool, []>(false)];\n"
        "        tensor<string, []> pt = const()[name = tensor<string, []>(\"pt\"), val = tensor<string, []>(\"valid\")];\n"
        "        tensor<fp16, [4, 4]> W = const()[name = tensor<string, []>(\"W\"), val = tensor<fp16, [4, 4]>(BLOBFILE("
        "path = tensor<string, []>(\"@model_path/weights/weight.bin\"), offset = tensor<uint64, []>(64)))];\n"
        "        tensor<fp16, [1, 4]> y = relu(x = x)[name = tensor<string, []>(\"y\")];\n"
        FOOTER);
    if (!p) return;
    CHECK(strcmp(p->version, "1.0") == 0);
    CHECK(strcmp(mil_main(p)->opset, "ios16") == 0);
    const mil_literal *g = const_val(p, "g");
    CHECK(g && g->form == MIL_LIT_SCALAR && g->type.is_tensor == 1 && g->type.rank == 0 && g->count == 1 &&
          g->values[0] == 12.0);
    const mil_literal *t = const_val(p, "t");
    CHECK(t && t->type.dtype == MIL_BOOL && t->count == 1 && t->values[0] == 0.0);
    const mil_literal *pt = const_val(p, "pt");
    CHECK(pt && pt->type.dtype == MIL_STRING && pt->count == 1 && strcmp(pt->strings[0], "valid") == 0);
    const mil_literal *w = const_val(p, "W");
    CHECK(w && w->form == MIL_LIT_BLOBFILE && strcmp(w->blob_path, "@model_path/weights/weight.bin") == 0 &&
          w->blob_offset == 64);
    const mil_attr *name = mil_stmt_attr(stmt_named(p, "g"), "name");
    CHECK(name && name->value.type.is_tensor && strcmp(name->value.strings[0], "g") == 0);
    CHECK_EQ_INT(1, p->n_attrs);
    CHECK(p->attrs[0].value.form == MIL_LIT_DICT && p->attrs[0].value.n_pairs == 1 &&
          strcmp(p->attrs[0].value.dict_keys[0], "coremlc-version") == 0 &&
          strcmp(p->attrs[0].value.dict_values[0], "3505.4.1") == 0);
    mil_program_free(p);
}

TEST(mil_parse_list_literals) {
    mil_program *p = parse_ok(HEADER
        "        tensor<int32, [4]> perm = const()[name=string(\"perm\"),val=tensor<int32,[4]>([0,1,3,2])];\n"
        "        tensor<int32, [2]> st = const()[name = string(\"st\"), val = tensor<int32, [2]>([1, 1])];\n"
        "        tensor<int32, [1]> ax = const()[name = string(\"ax\"), val = tensor<int32, [1]>([-1])];\n"
        "        tensor<fp16, [1, 1, 3, 3]> m = const()[name = string(\"m\"), val = tensor<fp16, [1, 1, 3, 3]>("
        "[0, -65504, -65504, 0, 0, -65504, 0, 0, 0])];\n"
        "        tensor<fp32, [3]> f = const()[name = string(\"f\"), val = tensor<fp32, [3]>([0x1p-1, 1e-05, -2.5])];\n"
        "        tensor<string, [2]> ss = const()[name = string(\"ss\"), val = tensor<string, [2]>([\"a\", \"b\"])];\n"
        "        tensor<bool, [2]> bb = const()[name = string(\"bb\"), val = tensor<bool, [2]>([true, false])];\n"
        "        tensor<fp16, [1, 4]> y = relu(x = x)[name = string(\"y\")];\n"
        FOOTER);
    if (!p) return;
    const mil_literal *perm = const_val(p, "perm");
    CHECK(perm && perm->form == MIL_LIT_LIST && perm->count == 4 && perm->type.rank == 1 && perm->type.dims[0] == 4);
    if (perm && perm->count == 4) {
        double want[] = {0, 1, 3, 2};
        for (int i = 0; i < 4; i++) CHECK_NEAR(want[i], perm->values[i], 0);
    }
    const mil_literal *st = const_val(p, "st");
    CHECK(st && st->count == 2 && st->values[0] == 1 && st->values[1] == 1);
    const mil_literal *ax = const_val(p, "ax");
    CHECK(ax && ax->count == 1 && ax->values[0] == -1);
    const mil_literal *m = const_val(p, "m");
    CHECK(m && m->count == 9 && m->type.rank == 4 && m->type.dtype == MIL_FP16);
    if (m && m->count == 9) {
        double want[] = {0, -65504, -65504, 0, 0, -65504, 0, 0, 0};
        for (int i = 0; i < 9; i++) CHECK_NEAR(want[i], m->values[i], 0);
    }
    const mil_literal *f = const_val(p, "f");
    CHECK(f && f->count == 3 && f->values[0] == 0.5 && f->values[1] == 1e-05 && f->values[2] == -2.5);
    const mil_literal *ss = const_val(p, "ss");
    CHECK(ss && ss->count == 2 && strcmp(ss->strings[0], "a") == 0 && strcmp(ss->strings[1], "b") == 0);
    const mil_literal *bb = const_val(p, "bb");
    CHECK(bb && bb->count == 2 && bb->values[0] == 1 && bb->values[1] == 0);
    mil_program_free(p);
}

TEST(mil_parse_blobfile_paths_offsets_and_distinct_list) {
    mil_program *p = parse_ok(HEADER
        "        tensor<fp16, [4, 4, 1, 1]> W0 = const()[name = string(\"W0\"), val = tensor<fp16, [4, 4, 1, 1]>("
        "BLOBFILE(path = string(\"@model_path/weights/weight.bin\"), offset = uint64(64)))];\n"
        "        tensor<fp16, [1, 4, 1, 2]> r = const()[name=string(\"r\"),val=tensor<fp16,[1,4,1,2]>("
        "BLOBFILE(path=string(\"@model_path/weights/rope.bin\"),offset=uint64(64)))];\n"
        "        tensor<int8, [4, 4, 1, 1]> W1 = const()[name = string(\"W1\"), val = tensor<int8, [4, 4, 1, 1]>("
        "BLOBFILE(path = string(\"@model_path/weights/weight.bin\"), offset = uint64(18446744073709551615)))];\n"
        "        tensor<fp16, [1, 4]> y = relu(x = x)[name = string(\"y\")];\n"
        FOOTER);
    if (!p) return;
    const mil_literal *w0 = const_val(p, "W0"), *r = const_val(p, "r"), *w1 = const_val(p, "W1");
    CHECK(w0 && w0->form == MIL_LIT_BLOBFILE && w0->blob_offset == 64 && w0->type.dims[0] == 4 &&
          strcmp(w0->blob_path, "@model_path/weights/weight.bin") == 0);
    CHECK(r && strcmp(r->blob_path, "@model_path/weights/rope.bin") == 0 && r->blob_offset == 64);
    CHECK(w1 && w1->type.dtype == MIL_INT8 && w1->blob_offset == UINT64_MAX);
    CHECK_EQ_INT(2, mil_blobfile_count(p));
    CHECK(strcmp(mil_blobfile_path(p, 0), "@model_path/weights/weight.bin") == 0);
    CHECK(strcmp(mil_blobfile_path(p, 1), "@model_path/weights/rope.bin") == 0);
    CHECK(mil_blobfile_path(p, 2) == NULL);
    mil_program_free(p);
}

TEST(mil_parse_build_info_dict) {
    mil_program *p = parse_ok("program(1.3)\n"
        "[buildInfo = dict<string, string>({{\"coremlc-component-MIL\", \"3510.2.1\"}, {\"coremlc-version\", "
        "\"3505.4.1\"}, {\"coremltools-component-milinternal\", \"\"}, {\"coremltools-version\", \"9.0\"}})]\n"
        "{\n    func main<ios18>(tensor<fp16, [1, 4]> x) {\n    } -> (x);\n}\n");
    if (!p) return;
    CHECK_EQ_INT(1, p->n_attrs);
    const mil_literal *d = &p->attrs[0].value;
    CHECK(strcmp(p->attrs[0].key, "buildInfo") == 0);
    CHECK(d->form == MIL_LIT_DICT && d->type.dtype == MIL_STRING && !d->type.is_tensor);
    CHECK_EQ_INT(4, d->n_pairs);
    if (d->n_pairs == 4) {
        CHECK(strcmp(d->dict_keys[0], "coremlc-component-MIL") == 0 && strcmp(d->dict_values[0], "3510.2.1") == 0);
        CHECK(strcmp(d->dict_keys[2], "coremltools-component-milinternal") == 0 && d->dict_values[2][0] == '\0');
        CHECK(strcmp(d->dict_keys[3], "coremltools-version") == 0 && strcmp(d->dict_values[3], "9.0") == 0);
    }
    /* A parameter may be returned directly. */
    const mil_type *out = mil_output_type(p, 0);
    CHECK(out && out->is_tensor && out->dtype == MIL_FP16 && out->rank == 2 && out->dims[0] == 1 && out->dims[1] == 4);
    mil_program_free(p);
}

static int column_of(const char *line, const char *marker) { return 1 + (int)(strstr(line, marker) - line); }

#define CONCAT_LINE \
    "        tensor<fp16, [1, 12]> c = concat(axis = ax, interleave = false, values = (a, x, a))[name = string(\"c\")];\n"

TEST(mil_parse_arguments_bare_bool_tuple_inline_literal_and_no_attributes) {
    mil_program *p = parse_ok(HEADER
        "        int32 ax = const()[name = string(\"ax\"), val = int32(1)];\n"
        "        tensor<fp16, [1, 4]> a = relu(x = x);\n"
        CONCAT_LINE
        "        tensor<fp16, [1, 4]> g = gelu(mode = string(\"TANH_APPROXIMATION\"), x = a);\n"
        "        tensor<fp16, [4, 4]> mm = matmul(transpose_x = true, transpose_y = bool(false), x = x, y = x);\n"
        "        tensor<fp16, [1, 4]> y = add(x = g, y = a);\n"
        FOOTER);
    if (!p) return;
    const mil_stmt *a = stmt_named(p, "a");
    CHECK(a && a->n_attrs == 0 && a->attrs == NULL && strcmp(a->op, "relu") == 0 && a->n_args == 1);
    CHECK(a && a->args[0].kind == MIL_ARG_NAME && strcmp(a->args[0].name, "x") == 0);
    const mil_stmt *c = stmt_named(p, "c");
    const mil_arg *values = c ? mil_stmt_arg(c, "values") : NULL;
    CHECK(values && values->kind == MIL_ARG_TUPLE && values->n_names == 3);
    if (values && values->n_names == 3) {
        CHECK(strcmp(values->names[0], "a") == 0 && strcmp(values->names[1], "x") == 0 &&
              strcmp(values->names[2], "a") == 0);
        CHECK_EQ_INT(6, values->name_pos[0].line);
        CHECK_EQ_INT(column_of(CONCAT_LINE, "(a, x") + 1, values->name_pos[0].column);
        CHECK_EQ_INT(column_of(CONCAT_LINE, "x, a)"), values->name_pos[1].column);
    }
    const mil_arg *il = c ? mil_stmt_arg(c, "interleave") : NULL;
    CHECK(il && il->kind == MIL_ARG_LITERAL && il->literal.type.dtype == MIL_BOOL && il->literal.count == 1 &&
          il->literal.values[0] == 0);
    CHECK(c && mil_stmt_arg(c, "missing") == NULL && mil_stmt_attr(c, "val") == NULL);
    const mil_arg *mode = mil_stmt_arg(stmt_named(p, "g"), "mode");
    CHECK(mode && mode->kind == MIL_ARG_LITERAL && strcmp(mode->literal.strings[0], "TANH_APPROXIMATION") == 0);
    const mil_stmt *mm = stmt_named(p, "mm");
    const mil_arg *tx = mil_stmt_arg(mm, "transpose_x"), *ty = mil_stmt_arg(mm, "transpose_y");
    CHECK(tx && tx->kind == MIL_ARG_LITERAL && tx->literal.form == MIL_LIT_SCALAR &&
          tx->literal.type.dtype == MIL_BOOL && !tx->literal.type.is_tensor && tx->literal.values[0] == 1);
    CHECK(ty && ty->kind == MIL_ARG_LITERAL && ty->literal.values[0] == 0);
    mil_program_free(p);
}

#define SPLIT_LINE \
    "        tensor<fp16, [1, 1]> a, tensor<fp16, [1, 3]> b = split(split_sizes = sp, x = x)[name = string(\"s\")];\n"

TEST(mil_parse_multiple_results_in_one_statement) {
    mil_program *p = parse_ok("program(1.3)\n{\n    func main<ios18>(tensor<fp16, [1, 4]> x) {\n"
        "        tensor<int32, [2]> sp = const()[name = string(\"sp\"), val = tensor<int32, [2]>([1, 3])];\n"
        SPLIT_LINE
        "    } -> (b, a);\n}\n");
    if (!p) return;
    const mil_stmt *s = stmt_named(p, "b");
    CHECK(s && s->n_results == 2);
    if (s && s->n_results == 2) {
        CHECK(strcmp(s->result_names[0], "a") == 0 && strcmp(s->result_names[1], "b") == 0);
        CHECK(s->result_types[0].dims[1] == 1 && s->result_types[1].dims[1] == 3);
        CHECK_EQ_INT(5, s->result_pos[1].line);
        CHECK_EQ_INT(column_of(SPLIT_LINE, "> b") + 2, s->result_pos[1].column);
        CHECK_EQ_INT(column_of(SPLIT_LINE, "split"), s->pos.column);
    }
    CHECK_EQ_INT(2, mil_output_count(p));
    CHECK(strcmp(mil_output_name(p, 0), "b") == 0 && mil_output_type(p, 0)->dims[1] == 3);
    CHECK(strcmp(mil_output_name(p, 1), "a") == 0 && mil_output_type(p, 1)->dims[1] == 1);
    CHECK(mil_output_name(p, 2) == NULL && mil_output_type(p, -1) == NULL);
    mil_program_free(p);
}

TEST(mil_parse_functions_main_first_and_function_attributes_skipped) {
    mil_program *p = parse_ok("program(1.5)\n{\n"
        "    func helper<ios18>(tensor<fp32, [2]> a) {\n    } -> (a);\n"
        "    func main<ios18>(tensor<fp16, [1, 3, 8, 8]> img, tensor<fp16, [2, 2]> w)"
        "[FlexibleShapeInformation = tuple<tensor<string, []>, dict<tensor<string, []>, tensor<string, []>>>>("
        "((\"DefaultShapes\", {{\"img\", [1, 3, 8, 8]}}), (\"RangeDims\", {{\"img\", [[1, 1], [3, 3]]}})))] {\n"
        "        tensor<fp16, [1, 3, 8, 8]> y = relu(x = img)[name = string(\"y\")];\n"
        "    } -> (y);\n"
        "    func other<ios18>(tensor<fp16, [4]> y) {\n    } -> (y);\n}\n");
    if (!p) return;
    CHECK(strcmp(p->version, "1.5") == 0);
    CHECK_EQ_INT(3, p->n_functions);
    CHECK(strcmp(mil_main(p)->name, "main") == 0);
    CHECK(strcmp(p->functions[1].name, "helper") == 0 && strcmp(p->functions[2].name, "other") == 0);
    CHECK_EQ_INT(2, mil_param_count(p));
    CHECK(strcmp(mil_param_name(p, 0), "img") == 0 && strcmp(mil_param_name(p, 1), "w") == 0);
    const mil_type *t = mil_param_type(p, 0);
    CHECK(t && t->is_tensor && t->rank == 4 && t->dtype == MIL_FP16 && t->dims[1] == 3 && t->dims[3] == 8);
    CHECK(mil_param_name(p, 2) == NULL && mil_param_type(p, 2) == NULL);
    CHECK_EQ_INT(5, mil_main(p)->pos.line);
    CHECK_EQ_INT(5, mil_main(p)->pos.column);
    mil_program_free(p);
}

TEST(mil_parse_compact_and_spaced_styles_give_the_same_program) {
    const char *compact = "program(1.3){func main<ios18>(tensor<fp16,[1,4,1,2]>x){tensor<int32,[2]>s=const()"
                          "[name=string(\"s\"),val=tensor<int32,[2]>([4,2])];tensor<fp16,[4,2]>y=reshape(shape=s,x=x)"
                          "[name=string(\"y\")];}->(y);}";
    const char *spaced = "program ( 1.3 )\n{\n\tfunc main < ios18 > ( tensor < fp16 , [ 1 , 4 , 1 , 2 ] > x ) {\r\n"
                         "\t\ttensor<int32, [2]> s = const() [ name = string ( \"s\" ) , val = tensor<int32, [2]>"
                         "( [ 4 , 2 ] ) ] ;\n\t\ttensor<fp16, [4, 2]> y = reshape ( shape = s , x = x ) "
                         "[ name = string(\"y\") ] ;\n\t} -> ( y ) ;\n}\n";
    mil_program *a = parse_ok(compact), *b = parse_ok(spaced);
    if (a && b) {
        for (mil_program *p = a; p; p = p == a ? b : NULL) {
            CHECK_EQ_INT(2, mil_main(p)->n_stmts);
            const mil_literal *s = const_val(p, "s");
            CHECK(s && s->count == 2 && s->values[0] == 4 && s->values[1] == 2);
            const mil_stmt *y = stmt_named(p, "y");
            CHECK(y && strcmp(y->op, "reshape") == 0 && y->n_args == 2 && y->n_attrs == 1);
            CHECK(mil_output_type(p, 0)->rank == 2 && mil_output_type(p, 0)->dims[0] == 4);
            CHECK(mil_param_type(p, 0)->rank == 4 && mil_param_type(p, 0)->dims[2] == 1);
        }
    }
    mil_program_free(a);
    mil_program_free(b);
}

TEST(mil_parse_string_escapes_and_identifier_characters) {
    mil_program *p = parse_ok(HEADER
        "        string s = const()[name = string(\"q\\\"uote\\\\back\\nnl\\ttab\"), val = string(\"it\\'s\")];\n"
        "        tensor<fp16, [1, 4]> _v@2 = relu(x = x)[name = string(\"a@b\")];\n"
        "        tensor<fp16, [1, 4]> y = relu(x = _v@2)[name = string(\"y\")];\n"
        FOOTER);
    if (!p) return;
    const mil_attr *name = mil_stmt_attr(stmt_named(p, "s"), "name");
    CHECK(name && strcmp(name->value.strings[0], "q\"uote\\back\nnl\ttab") == 0);
    CHECK(strcmp(const_val(p, "s")->strings[0], "it's") == 0);
    CHECK(strcmp(stmt_named(p, "y")->args[0].name, "_v@2") == 0);
    mil_program_free(p);
}

TEST(mil_parse_records_positions) {
    mil_program *p = parse_ok(HEADER
        "        tensor<fp16, [1, 4]> y = relu(x = x)[name = string(\"y\")];\n"
        FOOTER);
    if (!p) return;
    const mil_function *f = mil_main(p);
    CHECK_EQ_INT(3, f->params[0].pos.line);
    CHECK_EQ_INT(43, f->params[0].pos.column);
    const mil_stmt *s = &f->stmts[0];
    CHECK_EQ_INT(4, s->pos.line);
    CHECK_EQ_INT(34, s->pos.column); /* "relu" */
    CHECK_EQ_INT(30, s->result_pos[0].column);
    CHECK_EQ_INT(43, s->args[0].pos.column);
    CHECK_EQ_INT(46, s->attrs[0].pos.column);
    CHECK_EQ_INT(53, s->attrs[0].value.pos.column);
    CHECK_EQ_INT(5, f->output_pos[0].line);
    CHECK_EQ_INT(11, f->output_pos[0].column);
    mil_program_free(p);
}

TEST(mil_type_helpers) {
    CHECK_EQ_INT(2, mil_dtype_size(MIL_FP16));
    CHECK_EQ_INT(4, mil_dtype_size(MIL_FP32));
    CHECK_EQ_INT(4, mil_dtype_size(MIL_INT32));
    CHECK_EQ_INT(1, mil_dtype_size(MIL_INT8));
    CHECK_EQ_INT(1, mil_dtype_size(MIL_UINT8));
    CHECK_EQ_INT(0, mil_dtype_size(MIL_UINT4));
    CHECK_EQ_INT(8, mil_dtype_size(MIL_UINT64));
    CHECK_EQ_INT(2, mil_dtype_size(MIL_INT16));
    CHECK_EQ_INT(2, mil_dtype_size(MIL_UINT16));
    CHECK(strcmp(mil_dtype_name(MIL_FP16), "fp16") == 0 && strcmp(mil_dtype_name(MIL_UINT64), "uint64") == 0);
    mil_type t = {MIL_FP16, 1, 4, {1, 768, 1, 256}};
    CHECK_EQ_INT(196608, mil_type_count(&t));
    mil_type scalar = {MIL_INT32, 0, 0, {0}};
    CHECK_EQ_INT(1, mil_type_count(&scalar));
    mil_type huge = {MIL_FP16, 1, 3, {INT64_C(1) << 40, INT64_C(1) << 40, 2}};
    CHECK_EQ_INT(-1, mil_type_count(&huge));
}

/* ---- errors ------------------------------------------------------------------------------------ */

/* One bad statement as line 4 of HEADER .. FOOTER; the error is at column 9 + the offset of marker
 * in stmt (+ skip), found by searching the text, not by the parser. */
static const struct {
    const char *stmt, *marker;
    int skip;
    const char *message;
} stmt_errors[] = {
    {"tensor<fp61, [1, 4]> y = relu(x = x)[name = string(\"y\")];", "fp61", 0, "unknown dtype 'fp61'"},
    {"tensor<fp16, [1, 4]> y = matmul(x = x, y = x;", ";", 0,
     "expected ')' to close the argument list of 'matmul', found ';'"},
    {"fp16 y = const()[name = string(\"y\"), val = fp16(1.2.3)];", "1.2.3", 0, "malformed number '1.2.3'"},
    {"fp16 y = const()[name = string(\"y\"), val = fp16(12abc)];", "12abc", 0, "malformed number '12abc'"},
    {"fp16 y = const()[name = string(\"y\"), val = fp16(0x10)];", "0x10", 0, "malformed number '0x10'"},
    {"fp16 y = const()[name = string(\"y\"), val = fp16(1e999)];", "1e999", 0, "value '1e999' is out of range for fp16"},
    {"fp16 y = const()[name = string(\"y\"), val = fp16(65520)];", "65520", 0, "value '65520' is out of range for fp16"},
    {"fp32 y = const()[name = string(\"y\"), val = fp32(-3.5e38)];", "-3.5e38", 0,
     "value '-3.5e38' is out of range for fp32"},
    {"string y = const()[name = string(\"y\n", "\"y", 0, "unterminated string"},
    {"string y = const()[name = string(\"a\\qb\")];", "\\q", 0, "unknown escape sequence '\\q'"},
    {"tensor<fp16, [1, 4]> y = relu(x = foo)[name = string(\"y\")];", "foo", 0, "use of undefined value 'foo'"},
    {"tensor<fp16, [1, 4]> y = relu(x = y)[name = string(\"y\")];", "y)", 0,
     "'y' is used by the statement that defines it"},
    {"tensor<fp16, [1, 4]> x = relu(x = x)[name = string(\"y\")];", "x =", 0,
     "redefinition of 'x' (first defined at line 3, column 43)"},
    {"tensor<int32, [4]> y = const()[name = string(\"y\"), val = tensor<int32, [4]>([1, 2, 3])];", "[1, 2", 0,
     "literal has 3 values but tensor<int32, [4]> needs 4"},
    {"tensor<fp16, [1, 2]> y = const()[name = string(\"y\"), val = tensor<fp16, [1, 2]>([1, 2, 3])];", "[1, 2, 3", 0,
     "literal has 3 values but tensor<fp16, [1, 2]> needs 2"},
    {"tensor<fp16, [1, ?]> y = relu(x = x)[name = string(\"y\")];", "?", 0,
     "dynamic dimension '?' is not supported: dimensions must be static positive integers"},
    {"tensor<fp16, [1, -4]> y = relu(x = x)[name = string(\"y\")];", "-4", 0,
     "dimension must be a positive integer, found '-4'"},
    {"tensor<fp16, [1, 0]> y = relu(x = x)[name = string(\"y\")];", "0]", 0,
     "dimension must be a positive integer, found '0'"},
    {"tensor<fp16, [1, 4]> y = relu(x = x) # comment", "#", 0, "unexpected character '#'"},
    {"tensor<fp16, [1, 4]> y = relu(x = x, x = x);", ", x", 2, "duplicate argument 'x' of 'relu'"},
    {"int32 y = const()[name = string(\"y\"), val = int32(1.5)];", "1.5", 0, "int32 value must be an integer, found '1.5'"},
    {"int32 y = const()[name = string(\"y\"), val = int32(2147483648)];", "2147483648", 0,
     "value '2147483648' is out of range for int32"},
    {"int8 y = const()[name = string(\"y\"), val = int8(200)];", "200", 0, "value '200' is out of range for int8"},
    {"tensor<int32, [1]> y = const()[name = string(\"y\"), val = tensor<int32, [1]>(5)];", "5)", 0,
     "expected '[' or BLOBFILE for a tensor<int32, [1]> literal, found '5'"},
    {"tensor<fp16, [1, 4]> y = relu(x = 1);", "1)", 0,
     "expected a value name, a literal or a tuple for argument 'x' of 'relu', found '1'"},
    {"tensor<fp16, [2, 4]> y = concat(values = (x, zz));", "zz", 0, "use of undefined value 'zz'"},
    {"tensor<fp16, [4, 4]> y = const()[name = string(\"W\"), val = tensor<fp16, [4, 4]>(BLOBFILE(path = "
     "string(\"@model_path/w.bin\"), offset = int32(64)))];", "int32(64", 0, "BLOBFILE offset must be a uint64 literal"},
    {"bool y = const()[name = string(\"y\"), val = bool(1)];", "1)", 0, "expected true or false, found '1'"},
    {"tensor<fp16, [1, 4]> y = relu(x = x)[name = string(\"y\"), name = string(\"z\")];", "name = string(\"z", 0,
     "duplicate attribute 'name' of 'relu'"},
    {"tensor<fp16, [1, 4]> y, tensor<fp16, [1, 4]> y = split(x = x);", "y =", 0,
     "redefinition of 'y' (first defined at line 4, column 30)"},
    {"tensor<fp16, [1, 2, 3, 4, 5, 6, 7, 8, 9]> y = relu(x = x);", "9", 0, "tensor rank exceeds the maximum of 8"},
    {"dict<string, string> y = relu(x = x);", "dict", 0, "a dict type is only allowed for literals"},
    {"y = relu(x = x);", "y", 0, "missing the type of result 'y'"},
    {"tensor<fp16, [1, 4]> y = relu(x = x)[name = string(\"y\")]; ;", "; ;", 2,
     "expected a statement or '}' to close the body of function 'main', found ';'"},
};

/* Expects a parse error at the line and column of the first occurrence of marker in text at or after
 * from, moved right by skip bytes: the position comes from searching the text, not from the parser. */
static void check_error_from(const char *text, const char *from, const char *marker, int skip, const char *message) {
    const char *at = strstr(from, marker);
    CHECK_MSG(at != NULL, "bad test case: '%s' not in '%s'", marker, text);
    if (!at) return;
    at += skip;
    int line = 1, column = 1;
    for (const char *c = text; c < at; c++) {
        if (*c == '\n') {
            line++;
            column = 1;
        } else {
            column++;
        }
    }
    mil_parse_error err;
    mil_program *p = parse(text, &err);
    CHECK_MSG(p == NULL, "parsed, expected '%s': %s", message, text);
    mil_program_free(p);
    if (p) return;
    CHECK_MSG(err.line == line && err.column == column && strcmp(err.message, message) == 0,
              "expected %d:%d '%s', got %d:%d '%s'", line, column, message, err.line, err.column, err.message);
}

static void check_error_at(const char *text, const char *marker, int skip, const char *message) {
    check_error_from(text, text, marker, skip, message);
}

TEST(mil_parse_errors_in_statements_name_line_column_and_cause) {
    for (size_t i = 0; i < sizeof stmt_errors / sizeof stmt_errors[0]; i++) {
        char text[1024];
        snprintf(text, sizeof text, HEADER "        %s\n" FOOTER, stmt_errors[i].stmt);
        check_error_from(text, text + strlen(HEADER), stmt_errors[i].marker, stmt_errors[i].skip,
                         stmt_errors[i].message);
    }
}

TEST(mil_parse_errors_in_program_structure) {
    const char *body = "        tensor<fp16, [1, 4]> y = relu(x = x)[name = string(\"y\")];\n";
    char text[1024];
    check_error_at("", "", 0, "empty input: expected 'program'");
    check_error_at("\n  ", "  ", 2, "empty input: expected 'program'");
    check_error_at("func main<ios18>() {} -> (x);", "func", 0,
                   "expected 'program' at the start of the text, found 'func'");
    check_error_at("program(abc)", "abc", 0, "expected a version such as 1.3 in program(...), found 'abc'");
    check_error_at("program(1.3)\n{\n}\n", "}", 0, "expected 'func' to start a function, found '}'");
    snprintf(text, sizeof text, HEADER "        tensor<fp16, [1, 4]> y = relu(x = x)[name = string(\"y\")]\n" FOOTER);
    check_error_at(text, "} ->", 0, "expected ';' after the statement defining 'y', found '}'");
    snprintf(text, sizeof text, HEADER "%s    } (y);\n}\n", body);
    check_error_at(text, "(y);", 0, "expected '->' after the body of function 'main', found '('");
    snprintf(text, sizeof text, HEADER "%s    } -> (z);\n}\n", body);
    check_error_at(text, "z)", 0, "use of undefined value 'z'");
    snprintf(text, sizeof text, HEADER "%s    } -> (y)\n}\n", body);
    check_error_at(text, "(y)\n", 4, "expected ';' after the output list of function 'main', found '}'");
    snprintf(text, sizeof text, HEADER "%s" FOOTER "} junk", body);
    check_error_at(text, "} junk", 0, "unexpected '}' after the end of the program");
    snprintf(text, sizeof text, HEADER "%s    } -> (y);\n} junk\n", body);
    check_error_at(text, "junk", 0, "unexpected 'junk' after the end of the program");
    snprintf(text, sizeof text, HEADER "%s    } -> (y);\n", body);
    check_error_at(text, "(y);\n", 5, "expected 'func' or '}' to close the program body, found end of input");
    snprintf(text, sizeof text, HEADER "%s", body);
    check_error_at(text, "];\n", 3,
                   "expected a statement or '}' to close the body of function 'main', found end of input");
    check_error_at("program(1.3) { func main<ios18>(tensor<fp16, [4]> x {", "x {", 2,
                   "expected ')' to close the parameter list of function 'main', found '{'");
    check_error_at("program(1.3) { func main<ios18>(tensor<fp16, [4]> x, fp16 x) {} -> (x); }", "fp16 x", 5,
                   "redefinition of 'x' (first defined at line 1, column 51)");
    check_error_at("program(1.3) { func f<ios18>() {} -> (); }", "-> ()", 4, "expected a value name, found ')'");
    check_error_at("program(1.3) { func f<ios18>(fp16 a) {} -> (a); func f<ios18>(fp16 a) {} -> (a); }", "; func f", 7,
                   "redefinition of function 'f'");
    check_error_at("program(1.3) [a = string(\"abc", "\"", 0, "unterminated string");
    check_error_at("program(1.3) [a = dict<string, string>({{\"k\", 1}})] {", "1}", 0,
                   "expected a string value in the dict entry, found '1'");
    check_error_at("program(1.3) [a = dict<string, int32>({})] {", "dict", 0, "dict keys and values must be strings");
    check_error_at("program(1.3) { func main<ios18>(tensor<fp16, [4]> x)[a = (", "[a", 0,
                   "unterminated attribute block of function 'main'");
    check_error_at("program(1.3)\x01", "\x01", 0, "unexpected character (byte 0x01)");
    check_error_at("program(1.3) {\n\xc3\xa9", "\xc3", 0, "unexpected character (byte 0xc3)");
    check_error_at("program(1.3) { func main<ios18>(fp16 a) { fp16 b = relu(x = a)[val = fp16(1), ; } -> (b); }",
                   ", ;", 2, "expected an attribute name in the attributes of 'relu', found ';'");
}

/* ---- robustness -------------------------------------------------------------------------------- */

/* Every strict prefix of a program that ends before its final '}' is rejected with a position inside
 * the text; longer prefixes (only trailing whitespace missing) parse. */
static void check_prefixes(const char *name, const char *text, size_t len) {
    size_t complete = len;
    while (complete > 0 && text[complete - 1] != '}') complete--;
    int wrong = 0;
    for (size_t n = 0; n < len && wrong < 5; n++) {
        mil_parse_error err = {0};
        mil_program *p = parse_n(text, n, &err);
        if ((p != NULL) != (n >= complete) || (!p && (err.line < 1 || err.column < 1 || !err.message[0]))) {
            test_fail(__FILE__, __LINE__, "%s truncated to %zu bytes: %s (%d:%d %s)", name, n,
                      p ? "accepted" : "rejected", err.line, err.column, err.message);
            wrong++;
        }
        mil_program_free(p);
    }
}

TEST(mil_parse_rejects_every_truncation_of_the_test_programs) {
    char *dyn = mil_dyn_matmul(8, 4, 2);
    check_prefixes("dynamic matmul", dyn, strlen(dyn));
    check_prefixes("fp32 conv", MIL_CONV_FP32_IO, strlen(MIL_CONV_FP32_IO));
    free(dyn);
}

TEST(mil_parse_rejects_every_truncation_of_corpus_programs) {
    if (!corpus_dir()) return;
    const char *files[] = {"static_sdpa_fwd_taps.mil", "pr6_conv_fp32io.mil", "milgen_qkv_dim4_sp2.mil",
                           "int8_w8a8_ch4_sp2_d2.mil", "sdpa5_t2_inlinemask.mil"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        size_t len;
        char *text = corpus_read(files[i], &len);
        if (text) check_prefixes(files[i], text, len);
        free(text);
    }
}

/* Random byte edits (deterministic) must never crash or leak; most are rejected. */
static void check_corruptions(const char *text, size_t len) {
    const char alphabet[] = "(){}[]<>,;=-?\"\\.0123456789xpe abcz@_\n\x01\xff";
    uint32_t seed = 12345;
    int rejected = 0;
    char *copy = malloc(len);
    for (int round = 0; round < 3000; round++) {
        memcpy(copy, text, len);
        for (int k = 0; k < 1 + round % 3; k++) {
            seed = seed * 1664525u + 1013904223u;
            size_t at = (seed >> 8) % len;
            seed = seed * 1664525u + 1013904223u;
            copy[at] = alphabet[(seed >> 8) % (sizeof alphabet - 1)];
        }
        mil_parse_error err;
        mil_program *p = parse_n(copy, len, &err);
        if (!p) {
            rejected++;
            CHECK(err.line >= 1 && err.column >= 1 && err.message[0]);
        }
        mil_program_free(p);
    }
    free(copy);
    CHECK(rejected > 1000);
}

TEST(mil_parse_survives_corrupted_programs) {
    check_corruptions(MIL_CONV_FP32_IO, strlen(MIL_CONV_FP32_IO));
}

TEST(mil_parse_survives_corrupted_corpus_programs) {
    size_t len;
    char *text = corpus_read("sdpa5_t3_blobmask.mil", &len);
    CHECK(!text || len > 0);
    if (text && len > 0) check_corruptions(text, len);
    free(text);
}

TEST(mil_parse_null_error_pointer_and_program) {
    CHECK(mil_parse("garbage", 7, NULL) == NULL);
    mil_program_free(NULL);
    CHECK_EQ_INT(0, mil_param_count(NULL));
    CHECK(mil_main(NULL) == NULL);
}
