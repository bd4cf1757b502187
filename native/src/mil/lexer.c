/* MIL tokenizer: identifiers, numbers (decimal, exponent, hex float), strings, punctuation, "->".
 * Never reads at or past len: the text handed to mil_parse is not NUL-terminated. */
#define _GNU_SOURCE /* strtod_l, newlocale */
#include "lexer.h"

#include <limits.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#ifdef __APPLE__
#include <xlocale.h>
#endif

void mil_lexer_init(mil_lexer *lx, const char *text, size_t len) {
    lx->text = text;
    lx->len = len;
    lx->pos = 0;
    lx->line = 1;
    lx->column = 1;
}

static int at(const mil_lexer *lx, size_t i) { return i < lx->len ? (unsigned char)lx->text[i] : -1; }

static int is_digit(int c) { return c >= '0' && c <= '9'; }
static int is_hex(int c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
static int is_ident_start(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
static int is_ident_char(int c) { return is_ident_start(c) || is_digit(c) || c == '@'; }

/* Moves over n bytes that contain no newline. Columns stop counting at INT_MAX (a 2 GB line). */
static void skip(mil_lexer *lx, size_t n) {
    lx->pos += n;
    lx->column = n > (size_t)(INT_MAX - lx->column) ? INT_MAX : lx->column + (int)n;
}

static void skip_space(mil_lexer *lx) {
    for (;;) {
        int c = at(lx, lx->pos);
        if (c == '\n') {
            lx->pos++;
            if (lx->line < INT_MAX) lx->line++;
            lx->column = 1;
        } else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
            skip(lx, 1);
        } else {
            return;
        }
    }
}

static mil_token make(mil_lexer *lx, mil_tok_kind kind, size_t len) {
    mil_token t = {kind, lx->text + lx->pos, len, lx->line, lx->column, NULL, 0};
    skip(lx, len);
    return t;
}

static mil_token error_at(mil_lexer *lx, size_t start, size_t len, const char *error, int show_text) {
    size_t ahead = start - lx->pos; /* the error starts this many bytes into the current line */
    int column = ahead > (size_t)(INT_MAX - lx->column) ? INT_MAX : lx->column + (int)ahead;
    mil_token t = {TOK_ERROR, lx->text + start, len, lx->line, column, error, show_text};
    return t;
}

static size_t digits(const mil_lexer *lx, size_t i, int (*accept)(int)) {
    while (accept(at(lx, i))) i++;
    return i;
}

/* NUMBER | HEXFLOAT, optionally negative (the grammar of section 1.9). A number running into letters,
 * digits or dots ("12abc", "1.2.3", "1e") is one malformed token rather than two valid ones. */
static mil_token lex_number(mil_lexer *lx) {
    size_t i = lx->pos;
    int ok = 1;
    if (at(lx, i) == '-') i++;
    if (at(lx, i) == '0' && (at(lx, i + 1) == 'x' || at(lx, i + 1) == 'X')) {
        size_t mant = i + 2;
        i = digits(lx, mant, is_hex);
        ok = i > mant;
        if (at(lx, i) == '.') i = digits(lx, i + 1, is_hex);
        if (at(lx, i) == 'p' || at(lx, i) == 'P') {
            i++;
            if (at(lx, i) == '+' || at(lx, i) == '-') i++;
            size_t exp = i;
            i = digits(lx, exp, is_digit);
            ok = ok && i > exp;
        } else {
            ok = 0; /* a hex float needs its binary exponent */
        }
    } else {
        i = digits(lx, i, is_digit);
        if (at(lx, i) == '.') i = digits(lx, i + 1, is_digit);
        if (at(lx, i) == 'e' || at(lx, i) == 'E') {
            i++;
            if (at(lx, i) == '+' || at(lx, i) == '-') i++;
            size_t exp = i;
            i = digits(lx, exp, is_digit);
            ok = i > exp;
        }
    }
    if (is_ident_char(at(lx, i)) || at(lx, i) == '.') {
        ok = 0;
        while (is_ident_char(at(lx, i)) || at(lx, i) == '.' ||
               ((at(lx, i) == '+' || at(lx, i) == '-') && (at(lx, i - 1) == 'e' || at(lx, i - 1) == 'E' ||
                                                          at(lx, i - 1) == 'p' || at(lx, i - 1) == 'P')))
            i++;
    }
    if (!ok) return error_at(lx, lx->pos, i - lx->pos, "malformed number", 1);
    return make(lx, TOK_NUMBER, i - lx->pos);
}

/* A string ends at the closing quote on the same line; escapes are checked here, decoded later. A NUL
 * byte would end the decoded C string early ("w.bin\0/../x" read as "w.bin"), so it is an error. */
static mil_token lex_string(mil_lexer *lx) {
    size_t i = lx->pos + 1;
    for (;;) {
        int c = at(lx, i);
        if (c == -1 || c == '\n') return error_at(lx, lx->pos, 1, "unterminated string", 0);
        if (c == 0) return error_at(lx, i, 1, "NUL byte in a string literal", 0);
        if (c == '"') return make(lx, TOK_STRING, i + 1 - lx->pos);
        if (c == '\\') {
            int e = at(lx, i + 1);
            if (e == -1 || e == '\n') return error_at(lx, lx->pos, 1, "unterminated string", 0);
            if (!strchr("\\\"'ntr", e)) return error_at(lx, i, 2, "unknown escape sequence", 1);
            i += 2;
        } else {
            i++;
        }
    }
}

mil_token mil_lexer_next(mil_lexer *lx) {
    skip_space(lx);
    int c = at(lx, lx->pos);
    if (c == -1) return make(lx, TOK_EOF, 0);
    if (is_ident_start(c)) return make(lx, TOK_IDENT, digits(lx, lx->pos, is_ident_char) - lx->pos);
    if (is_digit(c) || (c == '-' && is_digit(at(lx, lx->pos + 1)))) return lex_number(lx);
    if (c == '"') return lex_string(lx);
    switch (c) {
    case '(': return make(lx, TOK_LPAREN, 1);
    case ')': return make(lx, TOK_RPAREN, 1);
    case '[': return make(lx, TOK_LBRACKET, 1);
    case ']': return make(lx, TOK_RBRACKET, 1);
    case '{': return make(lx, TOK_LBRACE, 1);
    case '}': return make(lx, TOK_RBRACE, 1);
    case '<': return make(lx, TOK_LT, 1);
    case '>': return make(lx, TOK_GT, 1);
    case ',': return make(lx, TOK_COMMA, 1);
    case '=': return make(lx, TOK_EQUALS, 1);
    case ';': return make(lx, TOK_SEMICOLON, 1);
    case '?': return make(lx, TOK_QUESTION, 1);
    case '-':
        if (at(lx, lx->pos + 1) == '>') return make(lx, TOK_ARROW, 2);
        break;
    }
    return error_at(lx, lx->pos, 1, "unexpected character", 1);
}

int mil_token_is_integer(const mil_token *t) {
    if (t->kind != TOK_NUMBER) return 0;
    size_t i = t->len > 0 && t->start[0] == '-' ? 1 : 0;
    if (i == t->len) return 0;
    for (; i < t->len; i++)
        if (!is_digit((unsigned char)t->start[i])) return 0;
    return 1;
}

/* strtod in the "C" locale: the host (a JVM, say) may have set a locale whose decimal point is ','. */
static locale_t c_locale;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;
static void make_c_locale(void) { c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0); }

int mil_token_to_double(const mil_token *t, double *out) {
    char small[64];
    if (t->kind != TOK_NUMBER) return 0;
    char *buf = t->len < sizeof small ? small : malloc(t->len + 1);
    if (!buf) return 0;
    memcpy(buf, t->start, t->len);
    buf[t->len] = '\0';
    pthread_once(&c_locale_once, make_c_locale);
    char *end;
    double v = c_locale ? strtod_l(buf, &end, c_locale) : strtod(buf, &end);
    int ok = end == buf + t->len && !isinf(v);
    if (buf != small) free(buf);
    if (ok) *out = v;
    return ok;
}

static int magnitude(const mil_token *t, size_t from, uint64_t *out) {
    uint64_t v = 0;
    for (size_t i = from; i < t->len; i++) {
        uint64_t d = (uint64_t)(t->start[i] - '0');
        if (v > (UINT64_MAX - d) / 10) return 0;
        v = v * 10 + d;
    }
    *out = v;
    return 1;
}

int mil_token_to_uint64(const mil_token *t, uint64_t *out) {
    if (!mil_token_is_integer(t) || t->start[0] == '-') return 0;
    return magnitude(t, 0, out);
}

int mil_token_to_int64(const mil_token *t, int64_t *out) {
    uint64_t m;
    if (!mil_token_is_integer(t)) return 0;
    int neg = t->start[0] == '-';
    if (!magnitude(t, neg ? 1 : 0, &m)) return 0;
    if (neg) {
        if (m > (uint64_t)INT64_MAX + 1) return 0;
        *out = m == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)m;
    } else {
        if (m > (uint64_t)INT64_MAX) return 0;
        *out = (int64_t)m;
    }
    return 1;
}

char *mil_token_string(const mil_token *t) {
    char *s = malloc(t->len); /* content is at most len - 2 bytes, plus the NUL */
    if (!s) return NULL;
    size_t n = 0;
    for (size_t i = 1; i + 1 < t->len; i++) {
        char c = t->start[i];
        if (c == '\\') {
            c = t->start[++i];
            c = c == 'n' ? '\n' : c == 't' ? '\t' : c == 'r' ? '\r' : c;
        }
        s[n++] = c;
    }
    s[n] = '\0';
    return s;
}
