/* The calling thread's last error: code, message and MIL position, plus the ABI getters. */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>

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

/* Records code, position and message; vsnprintf truncates to the buffer and always terminates it. */
static void record(int code, int line, int column, const char *fmt, va_list ap) {
    last.code = code;
    last.line = line > 0 ? line : 0;
    last.column = line > 0 && column > 0 ? column : 0;
    int n = 0;
    if (last.column) n = snprintf(last.message, sizeof last.message, "line %d, column %d: ", line, column);
    else if (last.line) n = snprintf(last.message, sizeof last.message, "line %d: ", line);
    vsnprintf(last.message + n, sizeof last.message - (size_t)n, fmt, ap);
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
