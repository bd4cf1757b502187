/* The calling thread's last error (see ane_bridge.h "Errors"). Every ABI entry point calls
 * ane_error_clear() first; whoever detects a failure records it once, with the most specific cause. */
#ifndef ANE4J_ERROR_H
#define ANE4J_ERROR_H

#include "ane_bridge.h"

void ane_error_clear(void);
/* Record code + printf-style message (truncated to a fixed buffer, never overflows). */
void ane_error_set(ane_error_code code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* As ane_error_set, unless this call has recorded an error already: a backend's specific cause wins
 * over the core's generic one. */
void ane_error_set_fallback(ane_error_code code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Record a compile error tied to a 1-based line and column of the MIL text. */
void ane_error_set_at(int line, int column, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int ane_error_last_code(void); /* named apart from the ane_error_code enum type */

#endif
