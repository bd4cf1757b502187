/* Recursive-descent parser for the MIL text dialect (grammar: upstream-bridge-and-mil.md section 1.9,
 * plus the coremlc forms of peers-and-ane-constraints.md section 2.2). Builds the AST of mil_ast.h and
 * resolves names as it goes. Every node is linked into the program before it is filled in, so on any
 * error mil_program_free releases everything built so far.
 *
 * Beyond section 1.9 it accepts: several results per statement (tensor<..> a, tensor<..> b = split(..)),
 * function attributes after the parameter list (skipped, any balanced content), the int16/uint16 dtypes
 * and identifiers with '@'. Stricter than section 1.9: dimensions are positive, literal values must fit
 * their dtype (fp16 below 65520 in magnitude), names are defined before use and once, argument and
 * attribute keys are unique, strings end on their line and know only the escapes \\ \" \' \n \t \r,
 * BLOBFILE takes path then offset (a uint64). Not accepted: comments, inf/nan, nested lists, tuple or
 * list types, dicts of non-strings, literals inside tuples, dict types for parameters or results.
 *
 * Work and memory are linear in the text: names, keys, functions and BLOBFILE paths are found through
 * hash maps, and the limits of ane_bridge.h bound statements, list entries, nesting and constant sizes
 * before anything is allocated for them. */
#include "lexer.h"
#include "mil_ast.h"

#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blob.h"
#include "limit.h"
#include "strmap.h"

#define MIL_DTYPE_COUNT (MIL_UINT16 + 1)

/* Heap bookkeeping a block costs beyond its size, counted into mil_program.bytes. */
#define ALLOC_OVERHEAD 16

typedef struct parser {
    mil_lexer lx;
    mil_token cur, next;
    mil_program *prog;
    mil_parse_error *err;
    int failed;
    mil_function *fn;      /* the function being parsed */
    /* Names defined so far in fn -> their definition: ((statement + 1) << 32) | result index, statement
     * -1 for a parameter (result index = parameter index). The statement being parsed is fn->n_stmts - 1. */
    ane_strmap names;
    ane_strmap keys;       /* keys of the argument or attribute list being parsed */
    ane_strmap functions;  /* function names */
    ane_strmap blob_paths; /* distinct BLOBFILE paths */
    int open_stmt;         /* the statement whose operands are being parsed, or -1 */
    int64_t statements;    /* parsed so far, every function */
    int64_t max_list, max_statements, max_nesting, max_constant; /* the limits when parsing began */
} parser;

/* ---- errors ------------------------------------------------------------------------------------ */

static int fail_at(parser *p, int line, int column, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int fail_at(parser *p, int line, int column, const char *fmt, ...) {
    if (p->failed) return 0;
    p->failed = 1;
    p->err->line = line;
    p->err->column = column;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->err->message, sizeof p->err->message, fmt, ap);
    va_end(ap);
    return 0;
}

/* Lexemes and names are shown at most this long in messages. */
#define SHOWN 48
static int shown(size_t len) { return len > SHOWN ? SHOWN : (int)len; }

static int fail_lexical(parser *p, const mil_token *t) {
    unsigned char c = (unsigned char)t->start[0];
    if (t->show_text && t->len == 1 && (c < 0x20 || c > 0x7e))
        return fail_at(p, t->line, t->column, "%s (byte 0x%02x)", t->error, c);
    if (t->show_text) return fail_at(p, t->line, t->column, "%s '%.*s'", t->error, shown(t->len), t->start);
    return fail_at(p, t->line, t->column, "%s", t->error);
}

static void describe(const mil_token *t, char *buf, size_t n) {
    if (t->kind == TOK_EOF) snprintf(buf, n, "end of input");
    else if (t->kind == TOK_STRING) snprintf(buf, n, "string %.*s", shown(t->len), t->start);
    else snprintf(buf, n, "'%.*s'", shown(t->len), t->start);
}

/* "expected <what>, found <current token>", or the lexical error the current token carries. */
static int fail_expected(parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail_expected(parser *p, const char *fmt, ...) {
    if (p->cur.kind == TOK_ERROR) return fail_lexical(p, &p->cur);
    char what[160], found[80];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    describe(&p->cur, found, sizeof found);
    return fail_at(p, p->cur.line, p->cur.column, "expected %s, found %s", what, found);
}

static int fail_token(parser *p, const mil_token *t, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail_token(parser *p, const mil_token *t, const char *fmt, ...) {
    if (p->failed) return 0;
    char msg[sizeof p->err->message];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return fail_at(p, t->line, t->column, "%s", msg);
}

static int out_of_memory(parser *p) { return fail_at(p, p->cur.line, p->cur.column, "out of memory"); }

/* ---- tokens ------------------------------------------------------------------------------------ */

static void advance(parser *p) {
    p->cur = p->next;
    p->next = mil_lexer_next(&p->lx);
}

static mil_pos pos_of(const mil_token *t) { return (mil_pos){t->line, t->column}; }

/* t is the identifier `word` (a keyword). */
static int is_word(const mil_token *t, const char *word) {
    return t->kind == TOK_IDENT && t->len == strlen(word) && memcmp(t->start, word, t->len) == 0;
}

/* Consumes a token of the given kind (stored in *out when out is not NULL) or fails with "expected ...". */
static int expect(parser *p, mil_tok_kind kind, mil_token *out, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int expect(parser *p, mil_tok_kind kind, mil_token *out, const char *fmt, ...) {
    if (p->cur.kind != kind) {
        char what[160];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(what, sizeof what, fmt, ap);
        va_end(ap);
        return fail_expected(p, "%s", what);
    }
    if (out) *out = p->cur;
    advance(p);
    return 1;
}

static int accept(parser *p, mil_tok_kind kind) {
    if (p->cur.kind != kind) return 0;
    advance(p);
    return 1;
}

/* Counts bytes the AST now holds (see mil_program.bytes). */
static void account(parser *p, size_t bytes) { p->prog->bytes += bytes + ALLOC_OVERHEAD; }

static char *copy_token(parser *p, const mil_token *t) {
    char *s = malloc(t->len + 1);
    if (!s) {
        out_of_memory(p);
        return NULL;
    }
    memcpy(s, t->start, t->len);
    s[t->len] = '\0';
    account(p, t->len + 1);
    return s;
}

static char *copy_string(parser *p, const char *str) {
    char *s = strdup(str);
    if (!s) out_of_memory(p);
    else account(p, strlen(s) + 1);
    return s;
}

/* The decoded content of a string token (mil_token_string), counted. */
static char *token_string(parser *p, const mil_token *t) {
    char *s = mil_token_string(t);
    if (!s) out_of_memory(p);
    else account(p, t->len);
    return s;
}

/* "exceeds ANE_LIMIT_... (raise it ...)" for messages; the buffer is the caller's. */
static const char *exceeds(ane_limit which, char *buf) { return ane_limit_exceeded(which, buf, ANE_LIMIT_TEXT_MAX); }

/* ---- growable arrays --------------------------------------------------------------------------- */

/* Appends one zeroed element to the array whose address is array_field (a T ** into the AST) and which
 * holds n, refusing to grow it past max entries (the list-entries limit, or another limit the caller
 * checked). The capacity is implied by n (the next power of two), so the AST needs no capacity fields;
 * most arrays hold one or two elements, so none is over-allocated. Returns the new element, or NULL
 * (error set) on failure. The field is read and written with memcpy: any T * may be stored there,
 * and accessing it through a void * lvalue would break strict aliasing. */
static void *push_max(parser *p, void *array_field, size_t n, size_t size, int64_t max) {
    char *items;
    memcpy(&items, array_field, sizeof items);
    if ((int64_t)n >= max || n >= INT_MAX) {
        char limit[ANE_LIMIT_TEXT_MAX];
        fail_at(p, p->cur.line, p->cur.column, "this list has more than %lld entries, which %s", (long long)n,
                exceeds(ANE_LIMIT_LIST_ENTRIES, limit));
        return NULL;
    }
    if ((n & (n - 1)) == 0) { /* n is 0 or a power of two: full */
        size_t cap = n == 0 ? 1 : 2 * n;
        if (cap > SIZE_MAX / size) {
            out_of_memory(p);
            return NULL;
        }
        char *grown = realloc(items, cap * size);
        if (!grown) {
            out_of_memory(p);
            return NULL;
        }
        account(p, (cap - n) * size);
        items = grown;
        memcpy(array_field, &items, sizeof items);
    }
    memset(items + n * size, 0, size);
    return items + n * size;
}

static void *push(parser *p, void *array_field, size_t n, size_t size) {
    return push_max(p, array_field, n, size, p->max_list);
}

/* ---- names ------------------------------------------------------------------------------------- */

static int64_t definition(int stmt, int result) { return ((int64_t)(stmt + 1) << 32) | (uint32_t)result; }
static int definition_stmt(int64_t d) { return (int)(d >> 32) - 1; }
static int definition_result(int64_t d) { return (int)(uint32_t)d; }

static mil_pos definition_pos(const mil_function *fn, int64_t d) {
    int s = definition_stmt(d), r = definition_result(d);
    return s < 0 ? fn->params[r].pos : fn->stmts[s].result_pos[r];
}

static const mil_type *definition_type(const mil_function *fn, int64_t d) {
    int s = definition_stmt(d), r = definition_result(d);
    return s < 0 ? &fn->params[r].type : &fn->stmts[s].result_types[r];
}

/* Defines the name just stored at `name` (the AST's copy of token t): it must not be taken already. */
static int define(parser *p, const mil_token *t, const char *name, int64_t d) {
    int64_t first;
    int rc = ane_strmap_put(&p->names, name, t->len, d, &first);
    if (rc < 0) return out_of_memory(p);
    if (rc == 0) {
        mil_pos at = definition_pos(p->fn, first);
        return fail_token(p, t, "redefinition of '%.*s' (first defined at line %d, column %d)", shown(t->len),
                          t->start, at.line, at.column);
    }
    return 1;
}

/* Consumes a name that must refer to a parameter or a result of an earlier statement; *found (when not
 * NULL) receives its definition. */
static char *resolve(parser *p, mil_pos *pos, int64_t *found) {
    mil_token t = p->cur;
    if (t.kind == TOK_IDENT) {
        int64_t d = ane_strmap_get(&p->names, t.start, t.len);
        if (d < 0) {
            fail_token(p, &t, "use of undefined value '%.*s'", shown(t.len), t.start);
            return NULL;
        }
        if (found) *found = d;
        if (definition_stmt(d) >= 0 && definition_stmt(d) == p->open_stmt) {
            fail_token(p, &t, "'%.*s' is used by the statement that defines it", shown(t.len), t.start);
            return NULL;
        }
    }
    if (!expect(p, TOK_IDENT, &t, "a value name")) return NULL;
    if (pos) *pos = pos_of(&t);
    return copy_token(p, &t);
}

/* Records the key token of an argument or attribute; a key may appear once in its list. */
static int unique_key(parser *p, const mil_token *key, const char *what, const char *owner) {
    int rc = ane_strmap_put(&p->keys, key->start, key->len, 0, NULL);
    if (rc < 0) return out_of_memory(p);
    if (rc == 0) return fail_token(p, key, "duplicate %s '%.*s' of %s", what, shown(key->len), key->start, owner);
    return 1;
}

/* ---- types ------------------------------------------------------------------------------------- */

static int dtype_from_token(const mil_token *t, mil_dtype *out) {
    for (int d = 0; d < MIL_DTYPE_COUNT; d++) {
        if (is_word(t, mil_dtype_name((mil_dtype)d))) {
            *out = (mil_dtype)d;
            return 1;
        }
    }
    return 0;
}

static void format_type(const mil_type *t, char *buf, size_t n) {
    if (!t->is_tensor) {
        snprintf(buf, n, "%s", mil_dtype_name(t->dtype));
        return;
    }
    size_t used = (size_t)snprintf(buf, n, "tensor<%s, [", mil_dtype_name(t->dtype));
    for (int i = 0; i < t->rank && used < n; i++)
        used += (size_t)snprintf(buf + used, n - used, i ? ", %lld" : "%lld", (long long)t->dims[i]);
    if (used < n) snprintf(buf + used, n - used, "]>");
}

static int parse_dtype(parser *p, mil_dtype *out) {
    if (p->cur.kind == TOK_IDENT && !dtype_from_token(&p->cur, out))
        return fail_token(p, &p->cur, "unknown dtype '%.*s'", shown(p->cur.len), p->cur.start);
    return expect(p, TOK_IDENT, NULL, "a dtype such as fp16");
}

static int parse_dim(parser *p, int64_t *dim) {
    mil_token t = p->cur;
    if (t.kind == TOK_QUESTION)
        return fail_token(p, &t, "dynamic dimension '?' is not supported: dimensions must be static positive integers");
    if (t.kind == TOK_NUMBER) {
        if (!mil_token_to_int64(&t, dim) || *dim <= 0)
            return fail_token(p, &t, "dimension must be a positive integer, found '%.*s'", shown(t.len), t.start);
        advance(p);
        return 1;
    }
    return fail_expected(p, "a dimension");
}

/* "[" [ dim { "," dim } ] "]" after "tensor<dtype,". */
static int parse_shape(parser *p, mil_type *type) {
    mil_token open;
    if (!expect(p, TOK_LBRACKET, &open, "'[' to start the shape of a tensor<%s, ...>", mil_dtype_name(type->dtype)))
        return 0;
    if (accept(p, TOK_RBRACKET)) return 1;
    do {
        if (type->rank == MIL_MAX_RANK)
            return fail_token(p, &p->cur, "tensor rank exceeds the maximum of %d", MIL_MAX_RANK);
        if (!parse_dim(p, &type->dims[type->rank])) return 0;
        type->rank++;
    } while (accept(p, TOK_COMMA));
    if (!expect(p, TOK_RBRACKET, NULL, "']' to close the shape")) return 0;
    if (mil_type_count(type) < 0) return fail_token(p, &open, "tensor has too many elements");
    return 1;
}

/* A value type: a dtype (scalar) or tensor<dtype, [dims]>. dict types are handled by parse_literal. */
static int parse_type(parser *p, mil_type *type) {
    *type = (mil_type){0};
    if (is_word(&p->cur, "tensor")) {
        advance(p);
        type->is_tensor = 1;
        return expect(p, TOK_LT, NULL, "'<' after 'tensor'") && parse_dtype(p, &type->dtype) &&
               expect(p, TOK_COMMA, NULL, "',' after the dtype of a tensor type") && parse_shape(p, type) &&
               expect(p, TOK_GT, NULL, "'>' to close the tensor type");
    }
    if (is_word(&p->cur, "dict"))
        return fail_token(p, &p->cur, "a dict type is only allowed for literals");
    if (p->cur.kind == TOK_IDENT) return parse_dtype(p, &type->dtype);
    return fail_expected(p, "a type");
}

/* Scalar strings inside dict types: string or tensor<string, []>. */
static int parse_dict_type(parser *p) {
    mil_token start = p->cur;
    mil_type key, value;
    advance(p); /* "dict" */
    if (!expect(p, TOK_LT, NULL, "'<' after 'dict'") || !parse_type(p, &key) ||
        !expect(p, TOK_COMMA, NULL, "',' between the key and value types of a dict") || !parse_type(p, &value) ||
        !expect(p, TOK_GT, NULL, "'>' to close the dict type"))
        return 0;
    if (key.dtype != MIL_STRING || value.dtype != MIL_STRING || key.rank != 0 || value.rank != 0)
        return fail_token(p, &start, "dict keys and values must be strings");
    return 1;
}

/* ---- literals ---------------------------------------------------------------------------------- */

static int is_float(mil_dtype dt) { return dt == MIL_FP16 || dt == MIL_FP32; }

static int integer_range(mil_dtype dt, int64_t *lo, int64_t *hi) {
    switch (dt) {
    case MIL_INT32: *lo = INT32_MIN; *hi = INT32_MAX; return 1;
    case MIL_INT16: *lo = INT16_MIN; *hi = INT16_MAX; return 1;
    case MIL_UINT16: *lo = 0; *hi = UINT16_MAX; return 1;
    case MIL_INT8: *lo = INT8_MIN; *hi = INT8_MAX; return 1;
    case MIL_UINT8: *lo = 0; *hi = UINT8_MAX; return 1;
    case MIL_UINT4: *lo = 0; *hi = 15; return 1;
    default: return 0;
    }
}

/* The number in t as a value of dtype dt (integers exact, floats as written, range-checked). */
static int number_value(parser *p, const mil_token *t, mil_dtype dt, double *out) {
    const char *name = mil_dtype_name(dt);
    if (is_float(dt)) {
        /* fp16 rounds to infinity from 65520 up (round to nearest even past 65504) */
        if (!mil_token_to_double(t, out) || (dt == MIL_FP16 && fabs(*out) >= 65520.0) ||
            (dt == MIL_FP32 && isinf((float)*out)))
            return fail_token(p, t, "value '%.*s' is out of range for %s", shown(t->len), t->start, name);
        return 1;
    }
    if (!mil_token_is_integer(t))
        return fail_token(p, t, "%s value must be an integer, found '%.*s'", name, shown(t->len), t->start);
    if (dt == MIL_UINT64) {
        uint64_t u;
        if (!mil_token_to_uint64(t, &u))
            return fail_token(p, t, "value '%.*s' is out of range for uint64", shown(t->len), t->start);
        *out = (double)u;
        return 1;
    }
    int64_t v, lo, hi;
    if (!integer_range(dt, &lo, &hi) || !mil_token_to_int64(t, &v) || v < lo || v > hi)
        return fail_token(p, t, "value '%.*s' is out of range for %s", shown(t->len), t->start, name);
    *out = (double)v;
    return 1;
}

/* One element of a scalar or list literal, appended to lit->values or lit->strings. */
static int parse_element(parser *p, mil_literal *lit) {
    mil_dtype dt = lit->type.dtype;
    mil_token t = p->cur;
    if (dt == MIL_STRING) {
        if (t.kind != TOK_STRING) return fail_expected(p, "a string");
        char **slot = push(p, &lit->strings, lit->count, sizeof *slot);
        if (!slot || !(*slot = token_string(p, &t))) return 0;
        lit->count++;
        advance(p);
        return 1;
    }
    double v;
    if (dt == MIL_BOOL) {
        if (!is_word(&t, "true") && !is_word(&t, "false")) return fail_expected(p, "true or false");
        v = is_word(&t, "true");
    } else {
        if (t.kind != TOK_NUMBER) return fail_expected(p, "a number");
        if (!number_value(p, &t, dt, &v)) return 0;
    }
    double *slot = push(p, &lit->values, lit->count, sizeof *slot);
    if (!slot) return 0;
    *slot = v;
    lit->count++;
    advance(p);
    return 1;
}

static int parse_list(parser *p, mil_literal *lit) {
    mil_token open = p->cur;
    advance(p); /* "[" */
    if (p->cur.kind != TOK_RBRACKET) {
        do {
            if (!parse_element(p, lit)) return 0;
        } while (accept(p, TOK_COMMA));
    }
    if (!expect(p, TOK_RBRACKET, NULL, "']' to close the list")) return 0;
    int64_t needed = mil_type_count(&lit->type);
    if ((int64_t)lit->count != needed) {
        char type[128];
        format_type(&lit->type, type, sizeof type);
        return fail_token(p, &open, "literal has %zu value%s but %s needs %lld", lit->count,
                          lit->count == 1 ? "" : "s", type, (long long)needed);
    }
    return 1;
}

/* A scalar literal of the given dtype, short (uint64(64)) or verbose (tensor<uint64, []>(64)); returns
 * its value token. Used for the path and offset of BLOBFILE. */
static int parse_scalar_of(parser *p, mil_dtype dt, mil_tok_kind kind, const char *what, mil_token *value) {
    mil_token start = p->cur;
    mil_type type;
    if (!parse_type(p, &type)) return 0;
    if (type.dtype != dt || type.rank != 0) return fail_token(p, &start, "%s must be a %s literal", what, mil_dtype_name(dt));
    return expect(p, TOK_LPAREN, NULL, "'(' after the type of the %s", what) &&
           expect(p, kind, value, kind == TOK_STRING ? "a string for the %s" : "a number for the %s", what) &&
           expect(p, TOK_RPAREN, NULL, "')' to close the %s", what);
}

static int record_blob_path(parser *p, const char *path) {
    mil_program *prog = p->prog;
    size_t len = strlen(path);
    if (ane_strmap_get(&p->blob_paths, path, len) >= 0) return 1;
    char **slot = push(p, &prog->blob_paths, (size_t)prog->n_blob_paths, sizeof *slot);
    if (!slot || !(*slot = copy_string(p, path))) return 0;
    prog->n_blob_paths++;
    return ane_strmap_put(&p->blob_paths, *slot, len, prog->n_blob_paths - 1, NULL) < 0 ? out_of_memory(p) : 1;
}

/* BLOBFILE(path = string("..."), offset = uint64(N)) */
static int parse_blobfile(parser *p, mil_literal *lit) {
    mil_token path, offset;
    lit->form = MIL_LIT_BLOBFILE;
    advance(p); /* "BLOBFILE" */
    if (!expect(p, TOK_LPAREN, NULL, "'(' after BLOBFILE")) return 0;
    if (!is_word(&p->cur, "path")) return fail_expected(p, "'path' as the first argument of BLOBFILE");
    advance(p);
    if (!expect(p, TOK_EQUALS, NULL, "'=' after 'path'") ||
        !parse_scalar_of(p, MIL_STRING, TOK_STRING, "BLOBFILE path", &path))
        return 0;
    if (!(lit->blob_path = token_string(p, &path))) return 0;
    /* The lexer refuses NUL bytes in strings, so this C string is the whole path. */
    char why[128];
    if (ane_blob_path_problem(lit->blob_path, why, sizeof why))
        return fail_token(p, &path, "BLOBFILE path %.*s %s", shown(path.len), path.start, why);
    if (!expect(p, TOK_COMMA, NULL, "',' after the BLOBFILE path")) return 0;
    if (!is_word(&p->cur, "offset")) return fail_expected(p, "'offset' as the second argument of BLOBFILE");
    advance(p);
    if (!expect(p, TOK_EQUALS, NULL, "'=' after 'offset'") ||
        !parse_scalar_of(p, MIL_UINT64, TOK_NUMBER, "BLOBFILE offset", &offset))
        return 0;
    if (!mil_token_to_uint64(&offset, &lit->blob_offset))
        return fail_token(p, &offset, "BLOBFILE offset must be an unsigned integer, found '%.*s'", shown(offset.len),
                          offset.start);
    return expect(p, TOK_RPAREN, NULL, "')' to close BLOBFILE(...)") && record_blob_path(p, lit->blob_path);
}

/* {{"k", "v"}, ...} */
static int parse_dict_body(parser *p, mil_literal *lit) {
    if (!expect(p, TOK_LBRACE, NULL, "'{' to open the dict literal")) return 0;
    if (accept(p, TOK_RBRACE)) return 1;
    do {
        mil_token key, value;
        if (!expect(p, TOK_LBRACE, NULL, "'{' to open a dict entry") ||
            !expect(p, TOK_STRING, &key, "a string key in the dict entry") ||
            !expect(p, TOK_COMMA, NULL, "',' between the key and value of a dict entry") ||
            !expect(p, TOK_STRING, &value, "a string value in the dict entry") ||
            !expect(p, TOK_RBRACE, NULL, "'}' to close a dict entry"))
            return 0;
        size_t n = (size_t)lit->n_pairs;
        char **k = push(p, &lit->dict_keys, n, sizeof *k);
        char **v = k ? push(p, &lit->dict_values, n, sizeof *v) : NULL;
        if (!v) return 0;
        lit->n_pairs++;
        if (!(*k = token_string(p, &key)) || !(*v = token_string(p, &value))) return 0;
    } while (accept(p, TOK_COMMA));
    return expect(p, TOK_RBRACE, NULL, "'}' to close the dict literal");
}

/* type "(" body ")" where body is a scalar, a list, BLOBFILE(...) or a dict. */
static int parse_literal(parser *p, mil_literal *lit) {
    lit->pos = pos_of(&p->cur);
    if (is_word(&p->cur, "dict")) {
        lit->form = MIL_LIT_DICT;
        lit->type = (mil_type){.dtype = MIL_STRING};
        return parse_dict_type(p) && expect(p, TOK_LPAREN, NULL, "'(' after the dict type") &&
               parse_dict_body(p, lit) && expect(p, TOK_RPAREN, NULL, "')' to close the dict literal");
    }
    if (!parse_type(p, &lit->type)) return 0;
    char type[128];
    format_type(&lit->type, type, sizeof type);
    int64_t count = mil_type_count(&lit->type);
    if (count > p->max_constant) {
        char limit[ANE_LIMIT_TEXT_MAX];
        return fail_at(p, lit->pos.line, lit->pos.column, "the constant %s has %lld elements, which %s", type,
                       (long long)count, exceeds(ANE_LIMIT_CONSTANT_ELEMENTS, limit));
    }
    if (!expect(p, TOK_LPAREN, NULL, "'(' after the literal type %s", type)) return 0;
    if (lit->type.rank > 0) {
        if (is_word(&p->cur, "BLOBFILE")) {
            if (!parse_blobfile(p, lit)) return 0;
        } else if (p->cur.kind == TOK_LBRACKET) {
            lit->form = MIL_LIT_LIST;
            if (!parse_list(p, lit)) return 0;
        } else {
            return fail_expected(p, "'[' or BLOBFILE for a %s literal", type);
        }
    } else {
        lit->form = MIL_LIT_SCALAR;
        if (!parse_element(p, lit)) return 0;
    }
    return expect(p, TOK_RPAREN, NULL, "')' to close the %s literal", type);
}

/* "[" key "=" literal { "," key "=" literal } "]" */
static int parse_attrs(parser *p, mil_attr **attrs, int *n, const char *owner) {
    advance(p); /* "[" */
    ane_strmap_clear(&p->keys);
    do {
        mil_token key;
        if (!expect(p, TOK_IDENT, &key, "an attribute name in the attributes of %s", owner) ||
            !unique_key(p, &key, "attribute", owner))
            return 0;
        if (!expect(p, TOK_EQUALS, NULL, "'=' after the attribute name '%.*s'", shown(key.len), key.start))
            return 0;
        mil_attr *a = push(p, attrs, (size_t)*n, sizeof *a);
        if (!a) return 0;
        (*n)++;
        a->pos = pos_of(&key);
        if (!(a->key = copy_token(p, &key)) || !parse_literal(p, &a->value)) return 0;
    } while (accept(p, TOK_COMMA));
    return expect(p, TOK_RBRACKET, NULL, "']' to close the attributes of %s", owner);
}

/* Function attributes (coremlc's FlexibleShapeInformation, ...) use forms beyond this dialect; the
 * backends do not need them, so they are skipped with their brackets balanced. */
static int skip_attrs(parser *p, const char *function) {
    mil_token open = p->cur;
    int depth = 0;
    do {
        mil_tok_kind k = p->cur.kind;
        if (k == TOK_ERROR) return fail_lexical(p, &p->cur);
        if (k == TOK_EOF) return fail_token(p, &open, "unterminated attribute block of function '%s'", function);
        if ((k == TOK_LPAREN || k == TOK_LBRACKET || k == TOK_LBRACE) && ++depth > p->max_nesting) {
            char limit[ANE_LIMIT_TEXT_MAX];
            return fail_token(p, &p->cur, "brackets nested %d deep %s", depth, exceeds(ANE_LIMIT_NESTING_DEPTH, limit));
        }
        if (k == TOK_RPAREN || k == TOK_RBRACKET || k == TOK_RBRACE) depth--;
        advance(p);
    } while (depth > 0);
    return 1;
}

/* ---- statements -------------------------------------------------------------------------------- */

/* key "=" ( name | literal | true | false | "(" name { "," name } ")" ) */
static int parse_arg(parser *p, mil_stmt *s, const char *owner) {
    mil_token key;
    if (!expect(p, TOK_IDENT, &key, "an argument name in the argument list of '%s'", s->op) ||
        !unique_key(p, &key, "argument", owner))
        return 0;
    if (!expect(p, TOK_EQUALS, NULL, "'=' after the argument name '%.*s'", shown(key.len), key.start)) return 0;
    mil_arg *a = push(p, &s->args, (size_t)s->n_args, sizeof *a);
    if (!a) return 0;
    s->n_args++;
    a->pos = pos_of(&p->cur);
    if (!(a->key = copy_token(p, &key))) return 0;
    int literal_follows = p->next.kind == TOK_LPAREN || p->next.kind == TOK_LT;
    if ((is_word(&p->cur, "true") || is_word(&p->cur, "false")) && !literal_follows) {
        a->kind = MIL_ARG_LITERAL;
        a->literal = (mil_literal){.type = {.dtype = MIL_BOOL}, .form = MIL_LIT_SCALAR, .pos = a->pos};
        return parse_element(p, &a->literal);
    }
    if (p->cur.kind == TOK_IDENT && literal_follows) {
        a->kind = MIL_ARG_LITERAL;
        return parse_literal(p, &a->literal);
    }
    if (p->cur.kind == TOK_IDENT) {
        a->kind = MIL_ARG_NAME;
        return (a->name = resolve(p, NULL, NULL)) != NULL;
    }
    if (p->cur.kind != TOK_LPAREN)
        return fail_expected(p, "a value name, a literal or a tuple for argument '%s' of '%s'", a->key, s->op);
    a->kind = MIL_ARG_TUPLE;
    advance(p);
    do {
        size_t n = (size_t)a->n_names;
        char **name = push(p, &a->names, n, sizeof *name);
        mil_pos *pos = name ? push(p, &a->name_pos, n, sizeof *pos) : NULL;
        if (!pos || !(*name = resolve(p, pos, NULL))) return 0;
        a->n_names++;
    } while (accept(p, TOK_COMMA));
    return expect(p, TOK_RPAREN, NULL, "')' to close the tuple of argument '%s'", a->key);
}

/* type name { "," type name } "=" op "(" args ")" [ "[" attrs "]" ] ";" */
static int parse_stmt(parser *p, mil_function *fn) {
    if (p->statements >= p->max_statements) {
        char limit[ANE_LIMIT_TEXT_MAX];
        return fail_token(p, &p->cur, "the program has more than %lld statements, which %s", (long long)p->statements,
                          exceeds(ANE_LIMIT_STATEMENTS, limit));
    }
    p->statements++;
    mil_stmt *s = push_max(p, &fn->stmts, (size_t)fn->n_stmts, sizeof *s, INT_MAX);
    if (!s) return 0;
    int index = fn->n_stmts++;
    do {
        mil_type type;
        mil_token name;
        if (p->cur.kind == TOK_IDENT && p->next.kind == TOK_EQUALS)
            return fail_token(p, &p->cur, "missing the type of result '%.*s'", shown(p->cur.len), p->cur.start);
        if (!parse_type(p, &type) || !expect(p, TOK_IDENT, &name, "a result name after its type")) return 0;
        size_t n = (size_t)s->n_results;
        mil_type *t = push(p, &s->result_types, n, sizeof *t);
        char **nm = t ? push(p, &s->result_names, n, sizeof *nm) : NULL;
        mil_pos *pos = nm ? push(p, &s->result_pos, n, sizeof *pos) : NULL;
        if (!pos || !(*nm = copy_token(p, &name))) return 0;
        *t = type;
        *pos = pos_of(&name);
        s->n_results++;
        if (!define(p, &name, *nm, definition(index, (int)n))) return 0;
    } while (accept(p, TOK_COMMA));
    const char *first = s->result_names[0];
    mil_token op;
    if (!expect(p, TOK_EQUALS, NULL, "'=' after the result name '%s'", s->result_names[s->n_results - 1]) ||
        !expect(p, TOK_IDENT, &op, "an op name after '='"))
        return 0;
    s->pos = pos_of(&op);
    if (!(s->op = copy_token(p, &op))) return 0;
    char owner[96];
    snprintf(owner, sizeof owner, "'%.*s'", SHOWN, s->op);
    if (!expect(p, TOK_LPAREN, NULL, "'(' after the op name '%s'", s->op)) return 0;
    p->open_stmt = index;
    ane_strmap_clear(&p->keys);
    if (p->cur.kind != TOK_RPAREN) {
        do {
            if (!parse_arg(p, s, owner)) return 0;
        } while (accept(p, TOK_COMMA));
    }
    p->open_stmt = -1;
    if (!expect(p, TOK_RPAREN, NULL, "')' to close the argument list of '%s'", s->op)) return 0;
    if (p->cur.kind == TOK_LBRACKET && !parse_attrs(p, &s->attrs, &s->n_attrs, owner)) return 0;
    return expect(p, TOK_SEMICOLON, NULL, "';' after the statement defining '%s'", first);
}

/* ---- functions and the program ----------------------------------------------------------------- */

static int parse_param(parser *p, mil_function *fn) {
    mil_param *param = push(p, &fn->params, (size_t)fn->n_params, sizeof *param);
    if (!param) return 0;
    int index = fn->n_params++;
    mil_token name;
    if (!parse_type(p, &param->type) ||
        !expect(p, TOK_IDENT, &name, "a parameter name after its type in function '%s'", fn->name) ||
        !(param->name = copy_token(p, &name)))
        return 0;
    param->pos = pos_of(&name);
    return define(p, &name, param->name, definition(-1, index));
}

static int parse_outputs(parser *p, mil_function *fn) {
    if (!expect(p, TOK_ARROW, NULL, "'->' after the body of function '%s'", fn->name) ||
        !expect(p, TOK_LPAREN, NULL, "'(' to open the output list of function '%s'", fn->name))
        return 0;
    do {
        size_t n = (size_t)fn->n_outputs;
        char **name = push(p, &fn->outputs, n, sizeof *name);
        mil_pos *pos = name ? push(p, &fn->output_pos, n, sizeof *pos) : NULL;
        mil_type *type = pos ? push(p, &fn->output_types, n, sizeof *type) : NULL;
        int64_t d;
        if (!type || !(*name = resolve(p, pos, &d))) return 0;
        *type = *definition_type(fn, d);
        fn->n_outputs++;
    } while (accept(p, TOK_COMMA));
    return expect(p, TOK_RPAREN, NULL, "')' to close the output list of function '%s'", fn->name) &&
           expect(p, TOK_SEMICOLON, NULL, "';' after the output list of function '%s'", fn->name);
}

/* func name<opset>(params) [attrs] { statements } -> (outputs); */
static int parse_function(parser *p) {
    mil_program *prog = p->prog;
    mil_function *fn = push(p, &prog->functions, (size_t)prog->n_functions, sizeof *fn);
    if (!fn) return 0;
    prog->n_functions++;
    p->fn = fn;
    fn->pos = pos_of(&p->cur);
    advance(p); /* "func" */
    mil_token name, opset;
    if (!expect(p, TOK_IDENT, &name, "a function name after 'func'") || !(fn->name = copy_token(p, &name))) return 0;
    int rc = ane_strmap_put(&p->functions, fn->name, name.len, prog->n_functions - 1, NULL);
    if (rc < 0) return out_of_memory(p);
    if (rc == 0) return fail_token(p, &name, "redefinition of function '%.*s'", shown(name.len), name.start);
    if (!expect(p, TOK_LT, NULL, "'<' and an opset such as ios18 after the function name '%s'", fn->name) ||
        !expect(p, TOK_IDENT, &opset, "an opset name such as ios18") || !(fn->opset = copy_token(p, &opset)) ||
        !expect(p, TOK_GT, NULL, "'>' after the opset name") ||
        !expect(p, TOK_LPAREN, NULL, "'(' to open the parameter list of function '%s'", fn->name))
        return 0;
    ane_strmap_clear(&p->names);
    if (p->cur.kind != TOK_RPAREN) {
        do {
            if (!parse_param(p, fn)) return 0;
        } while (accept(p, TOK_COMMA));
    }
    if (!expect(p, TOK_RPAREN, NULL, "')' to close the parameter list of function '%s'", fn->name)) return 0;
    if (p->cur.kind == TOK_LBRACKET && !skip_attrs(p, fn->name)) return 0;
    if (!expect(p, TOK_LBRACE, NULL, "'{' to open the body of function '%s'", fn->name)) return 0;
    while (!accept(p, TOK_RBRACE)) {
        if (p->cur.kind != TOK_IDENT)
            return fail_expected(p, "a statement or '}' to close the body of function '%s'", fn->name);
        if (!parse_stmt(p, fn)) return 0;
    }
    return parse_outputs(p, fn);
}

/* "1.3": digits with at most one dot, no sign or exponent. */
static int is_version(const mil_token *t) {
    int dots = 0;
    if (t->kind != TOK_NUMBER) return 0;
    for (size_t i = 0; i < t->len; i++) {
        if (t->start[i] == '.') dots++;
        else if (t->start[i] < '0' || t->start[i] > '9') return 0;
    }
    return dots <= 1;
}

/* Function 0 must be "main" when there is one; the others keep their order. */
static void move_main_first(mil_program *prog) {
    for (int i = 1; i < prog->n_functions; i++) {
        if (strcmp(prog->functions[i].name, "main") == 0) {
            mil_function main_fn = prog->functions[i];
            memmove(&prog->functions[1], &prog->functions[0], (size_t)i * sizeof main_fn);
            prog->functions[0] = main_fn;
            return;
        }
    }
}

/* program(version) [attrs] { function { function } } */
static int parse_program(parser *p) {
    mil_program *prog = p->prog;
    if (p->cur.kind == TOK_EOF) return fail_at(p, p->cur.line, p->cur.column, "empty input: expected 'program'");
    if (!is_word(&p->cur, "program")) return fail_expected(p, "'program' at the start of the text");
    advance(p);
    if (!expect(p, TOK_LPAREN, NULL, "'(' after 'program'")) return 0;
    if (!is_version(&p->cur)) return fail_expected(p, "a version such as 1.3 in program(...)");
    if (!(prog->version = copy_token(p, &p->cur))) return 0;
    advance(p);
    if (!expect(p, TOK_RPAREN, NULL, "')' after the program version")) return 0;
    if (p->cur.kind == TOK_LBRACKET && !parse_attrs(p, &prog->attrs, &prog->n_attrs, "the program")) return 0;
    if (!expect(p, TOK_LBRACE, NULL, "'{' to open the program body")) return 0;
    if (!is_word(&p->cur, "func")) return fail_expected(p, "'func' to start a function");
    while (is_word(&p->cur, "func")) {
        if (!parse_function(p)) return 0;
    }
    if (!expect(p, TOK_RBRACE, NULL, "'func' or '}' to close the program body")) return 0;
    if (p->cur.kind == TOK_ERROR) return fail_lexical(p, &p->cur);
    if (p->cur.kind != TOK_EOF) {
        char found[80];
        describe(&p->cur, found, sizeof found);
        return fail_at(p, p->cur.line, p->cur.column, "unexpected %s after the end of the program", found);
    }
    move_main_first(prog);
    return 1;
}

mil_program *mil_parse(const char *text, size_t len, mil_parse_error *err) {
    mil_parse_error ignored;
    parser p = {0};
    p.err = err ? err : &ignored;
    *p.err = (mil_parse_error){0};
    p.prog = calloc(1, sizeof *p.prog);
    if (!p.prog) {
        snprintf(p.err->message, sizeof p.err->message, "out of memory");
        return NULL;
    }
    p.prog->bytes = sizeof *p.prog + ALLOC_OVERHEAD;
    p.open_stmt = -1;
    p.max_list = ane_limit_get(ANE_LIMIT_LIST_ENTRIES);
    p.max_statements = ane_limit_get(ANE_LIMIT_STATEMENTS);
    p.max_nesting = ane_limit_get(ANE_LIMIT_NESTING_DEPTH);
    p.max_constant = ane_limit_get(ANE_LIMIT_CONSTANT_ELEMENTS);
    mil_lexer_init(&p.lx, text ? text : "", text ? len : 0);
    p.cur = mil_lexer_next(&p.lx);
    p.next = mil_lexer_next(&p.lx);
    int ok = parse_program(&p);
    ane_strmap_free(&p.names);
    ane_strmap_free(&p.keys);
    ane_strmap_free(&p.functions);
    ane_strmap_free(&p.blob_paths);
    if (!ok) {
        mil_program_free(p.prog);
        return NULL;
    }
    return p.prog;
}
