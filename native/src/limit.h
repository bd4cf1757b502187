/* Process-wide limits on what one program may ask for (see ane_bridge.h "Limits"). */
#ifndef ANE4J_LIMIT_H
#define ANE4J_LIMIT_H

#include <stddef.h>
#include <stdint.h>

#include "ane_bridge.h"

/* The current value of `which`, a valid ane_limit. Thread-safe. */
int64_t ane_limit_get(ane_limit which);

/* "exceeds ANE_LIMIT_X = <value> <unit> (raise it with ...)" into buf: the tail every limit message ends
 * with, so each names the limit, its value and how to raise it. Returns buf. */
const char *ane_limit_exceeded(ane_limit which, char *buf, size_t n);

/* Enough for ane_limit_exceeded's text. */
#define ANE_LIMIT_TEXT_MAX 160

#endif
