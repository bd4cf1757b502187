/* The compile cache: compiled programs keyed by the SHA-256 of (backend name, MIL text, weight files),
 * shared by every kernel compiled from identical content, kept for reuse after the last such kernel is
 * freed, and the process's compile count (real compiles only). Idle programs (no live kernel) are kept
 * least recently used first out, bounded by the memory they hold (ANE_LIMIT_IDLE_CACHE_BYTES) and by
 * count (64). */
#ifndef ANE4J_CACHE_H
#define ANE4J_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "backend.h"

typedef struct ane_cache_entry {
    uint8_t key[32];
    const ane_backend *backend;
    mil_program *program;    /* parsed signature and body, immutable */
    void *backend_program;   /* what backend->program_compile returned */
    size_t backend_bytes;    /* memory the backend program holds (constants, plan), or its weight bytes */
    size_t instance_bytes;   /* memory each kernel's backend instance adds */
    size_t bytes;            /* all memory the entry holds: what the idle-cache bound counts */
    int refcount;            /* live kernels using it */
    uint64_t released_at;    /* LRU stamp, set when refcount drops to 0 */
    struct ane_cache_entry *next;
} ane_cache_entry;

void ane_cache_key(const ane_backend *b, const ane_compile_input *in, uint8_t key[32]);

/* A cached entry for key with one more reference, or NULL on a miss. */
ane_cache_entry *ane_cache_acquire(const uint8_t key[32]);

/* Compile in->program on b and cache it under key. Takes ownership of program (freed on failure).
 * Returns the entry holding one reference, or NULL with the last error set. */
ane_cache_entry *ane_cache_compile(const ane_backend *b, const uint8_t key[32], mil_program *program,
                                   const ane_compile_input *in);

/* Drop one reference. */
void ane_cache_release(ane_cache_entry *e);

/* Free idle entries beyond the bounds (after the limit was lowered). */
void ane_cache_trim(void);

/* Memory held by idle entries now (for tests). */
size_t ane_cache_idle_bytes(void);

#endif
