/* The backends compiled into the library, probed once, and the process-wide default. */
#ifndef ANE4J_BACKENDS_H
#define ANE4J_BACKENDS_H

#include "backend.h"

/* Probe every backend and apply the ANE4J_BACKEND preset, once (thread-safe). Returns 0 when at least
 * one backend is usable. A preset that names an unknown or unavailable backend is ignored (the default
 * stays "auto"); ane_backends_preset_problem() then says why (and
 * sets *code), else returns NULL. */
int ane_backends_init(void);
const char *ane_backends_preset_problem(int *code);

/* "auto", "ane", "reference", or NULL for the process default -> a usable backend, or NULL with the
 * last error set (ANE_ERR_INVALID_ARGUMENT for an unknown name, ANE_ERR_UNAVAILABLE otherwise). */
const ane_backend *ane_backends_resolve(const char *name);

/* The usable backends, for work that concerns all of them (realtime brackets). */
int ane_backends_usable_count(void);
const ane_backend *ane_backends_usable(int i);

#endif
