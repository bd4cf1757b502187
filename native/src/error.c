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

/* vsnprintf truncates to the buffer and always terminates it. */
static void set_message(const char *prefix, const char *fmt, va_list ap) {
    int n = snprintf(last.message, sizeof last.message, "%s", prefix);
    if (n < 0) n = 0;
    if ((size_t)n < sizeof last.message) vsnprintf(last.message + n, sizeof last.message - (size_t)n, fmt, ap);
}

void ane_error_set(ane_error_code code, const char *fmt, ...) {
    va_list ap;
    last.code = code;
    last.line = last.column = 0;
    va_start(ap, fmt);
    set_message("", fmt, ap);
    va_end(ap);
}

void ane_error_set_at(int line, int column, const char *fmt, ...) {
    char prefix[64] = "";
    if (line > 0 && column > 0) snprintf(prefix, sizeof prefix, "line %d, column %d: ", line, column);
    else if (line > 0) snprintf(prefix, sizeof prefix, "line %d: ", line);
    va_list ap;
    last.code = ANE_ERR_COMPILE;
    last.line = line > 0 ? line : 0;
    last.column = line > 0 && column > 0 ? column : 0;
    va_start(ap, fmt);
    set_message(prefix, fmt, ap);
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
