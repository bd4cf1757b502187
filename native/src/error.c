/* The calling thread's last error: code, message and MIL position, plus the ABI getters. */
#include "error.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define ERROR_MESSAGE_MAX 512

typedef struct error_state {
    int code;
    int line, column;
    char message[ERROR_MESSAGE_MAX];
} error_state;

static __thread error_state last;

void ane_error_clear(void) {
    last.code = ANE_OK;
    last.line = last.column = 0;
    last.message[0] = '\0';
}

/* Length of the valid UTF-8 sequence at s (n bytes available) and its code point, or 0 when the bytes
 * there are not one (overlong forms, surrogates and values past U+10FFFF included). */
static size_t utf8_sequence(const unsigned char *s, size_t n, uint32_t *cp) {
    unsigned char c = s[0];
    size_t len = c < 0x80 ? 1 : c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
    if (len == 0 || len > n) return 0;
    uint32_t v = len == 1 ? c : c & (0x7F >> len);
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        v = v << 6 | (s[i] & 0x3F);
    }
    static const uint32_t smallest[] = {0, 0, 0x80, 0x800, 0x10000};
    if (v < smallest[len] || (v >= 0xD800 && v <= 0xDFFF) || v > 0x10FFFF) return 0;
    *cp = v;
    return len;
}

/* Characters that would let a message rewrite a terminal or a log line: C0 and C1 controls, DEL, line
 * separators and the bidirectional formatting characters. */
static int is_control(uint32_t cp) {
    return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029 || cp == 0x200E ||
           cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

/* Copies text into dst (cap bytes, always terminated) as valid UTF-8: invalid bytes become \xNN, control
 * characters \n, \t, \r, \xNN or \u{NNNN}. Input from programs may hold anything; messages must not. Stops
 * at a whole character or escape when dst is full. */
static void copy_escaped(char *dst, size_t cap, const char *text) {
    const unsigned char *s = (const unsigned char *)text;
    size_t n = strlen(text), used = 0;
    for (size_t i = 0; i < n;) {
        char esc[16];
        uint32_t cp = 0;
        size_t len = utf8_sequence(s + i, n - i, &cp);
        const char *piece = (const char *)s + i;
        size_t piece_len = len;
        if (len == 0) {
            snprintf(esc, sizeof esc, "\\x%02X", s[i]);
            len = 1;
        } else if (is_control(cp)) {
            if (cp == '\n') snprintf(esc, sizeof esc, "\\n");
            else if (cp == '\t') snprintf(esc, sizeof esc, "\\t");
            else if (cp == '\r') snprintf(esc, sizeof esc, "\\r");
            else if (cp < 0x80) snprintf(esc, sizeof esc, "\\x%02X", (unsigned)cp);
            else snprintf(esc, sizeof esc, "\\u{%04X}", (unsigned)cp);
        } else {
            esc[0] = '\0';
        }
        if (esc[0]) {
            piece = esc;
            piece_len = strlen(esc);
        }
        if (piece_len >= cap - used) break;
        memcpy(dst + used, piece, piece_len);
        used += piece_len;
        i += len;
    }
    dst[used] = '\0';
}

/* Records code, position and message (formatted, then escaped into the fixed buffer). */
static void record(int code, int line, int column, const char *fmt, va_list ap) {
    char text[2 * ERROR_MESSAGE_MAX];
    last.code = code;
    last.line = line > 0 ? line : 0;
    last.column = line > 0 && column > 0 ? column : 0;
    int n = 0;
    if (last.column) n = snprintf(text, sizeof text, "line %d, column %d: ", line, column);
    else if (last.line) n = snprintf(text, sizeof text, "line %d: ", line);
    vsnprintf(text + n, sizeof text - (size_t)n, fmt, ap);
    copy_escaped(last.message, sizeof last.message, text);
}

void ane_error_set(ane_error_code code, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    record(code, 0, 0, fmt, ap);
    va_end(ap);
}

void ane_error_set_fallback(ane_error_code code, const char *fmt, ...) {
    if (last.code != ANE_OK) return;
    va_list ap;
    va_start(ap, fmt);
    record(code, 0, 0, fmt, ap);
    va_end(ap);
}

void ane_error_set_at(int line, int column, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    record(ANE_ERR_COMPILE, line, column, fmt, ap);
    va_end(ap);
}

int ane_error_last_code(void) { return last.code; }

int ane_bridge_last_error_code(void) { return last.code; }

const char *ane_bridge_last_error(void) { return last.code == ANE_OK ? NULL : last.message; }

int ane_bridge_last_error_position(int *line, int *column) {
    int known = last.code == ANE_ERR_COMPILE && last.line > 0;
    if (line) *line = known ? last.line : 0;
    if (column) *column = known ? last.column : 0;
    return known;
}
