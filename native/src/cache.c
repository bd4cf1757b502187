/* Compile cache and compile count. One mutex guards the entry list, reference counts and the count;
 * backend compiles and frees run outside it. At process exit, idle entries are freed, so a backend can
 * give back what they hold outside the process (the ANE backend unloads them, which also removes their
 * model folders from the temporary folder); entries that kernels still use are left alone. */
#include "cache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "limit.h"
#include "mil/mil_ast.h"
#include "sha256.h"

/* Unreferenced entries kept for reuse: at most this many (lookups scan the list), and at most the
 * memory of ANE_LIMIT_IDLE_CACHE_BYTES. */
#define CACHE_MAX_IDLE_ENTRIES 64

static pthread_mutex_t cache_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t exit_hook_once = PTHREAD_ONCE_INIT;
static ane_cache_entry *entries;
static uint64_t tick;
static int compile_count;

/* Lengths are hashed before their bytes so no two different inputs can produce the same stream. */
static void hash_bytes(sha256_ctx *c, const void *data, size_t n) {
    uint64_t len = n;
    uint8_t le[8];
    for (int i = 0; i < 8; i++) le[i] = (uint8_t)(len >> (8 * i));
    sha256_update(c, le, sizeof le);
    sha256_update(c, data, n);
}

void ane_cache_key(const ane_backend *b, const ane_compile_input *in, uint8_t key[32]) {
    sha256_ctx c;
    sha256_init(&c);
    hash_bytes(&c, b->name, strlen(b->name));
    hash_bytes(&c, in->mil_text, in->mil_len);
    for (int i = 0; i < in->n_weight_files; i++) {
        hash_bytes(&c, in->weight_names[i], strlen(in->weight_names[i]));
        hash_bytes(&c, in->weight_datas[i], in->weight_lens[i]);
    }
    sha256_final(&c, key);
}

ane_cache_entry *ane_cache_acquire(const uint8_t key[32]) {
    pthread_mutex_lock(&cache_mutex);
    ane_cache_entry *e = entries;
    while (e && memcmp(e->key, key, 32) != 0) e = e->next;
    if (e) e->refcount++;
    pthread_mutex_unlock(&cache_mutex);
    return e;
}

static void entry_free(ane_cache_entry *e) {
    e->backend->program_free(e->backend_program);
    mil_program_free(e->program);
    free(e);
}

static void free_list(ane_cache_entry *e) {
    while (e) {
        ane_cache_entry *next = e->next;
        entry_free(e);
        e = next;
    }
}

/* Unlink every idle entry and free them (unlocked: freeing may call into a backend). */
static void free_idle_at_exit(void) {
    ane_cache_entry *idle = NULL;
    pthread_mutex_lock(&cache_mutex);
    for (ane_cache_entry **p = &entries; *p;) {
        ane_cache_entry *e = *p;
        if (e->refcount) {
            p = &e->next;
            continue;
        }
        *p = e->next;
        e->next = idle;
        idle = e;
    }
    pthread_mutex_unlock(&cache_mutex);
    free_list(idle);
}

static void register_exit_hook(void) { atexit(free_idle_at_exit); }

ane_cache_entry *ane_cache_compile(const ane_backend *b, const uint8_t key[32], mil_program *program,
                                   const ane_compile_input *in) {
    ane_cache_entry *e = calloc(1, sizeof *e);
    if (!e) {
        ane_error_set(ANE_ERR_OUT_OF_MEMORY, "cannot allocate a compile cache entry");
        mil_program_free(program);
        return NULL;
    }
    int did_compile = 0;
    ane_compile_input with_program = *in;
    with_program.program = program;
    e->backend_program = b->program_compile(&with_program, &did_compile);
    if (!e->backend_program) {
        ane_error_set_fallback(ANE_ERR_COMPILE, "the %s backend could not compile the program", b->name);
        mil_program_free(program);
        free(e);
        return NULL;
    }
    memcpy(e->key, key, 32);
    e->backend = b;
    e->program = program;
    if (b->program_memory) {
        b->program_memory(e->backend_program, &e->backend_bytes, &e->instance_bytes);
    } else {
        for (int i = 0; i < in->n_weight_files; i++) e->backend_bytes += in->weight_lens[i];
    }
    e->bytes = sizeof *e + program->bytes + e->backend_bytes;
    e->refcount = 1;
    pthread_once(&exit_hook_once, register_exit_hook);
    /* Two threads compiling the same content at once both insert; lookups then find the newer one and
     * the other lives on until its kernels are freed and it is evicted. */
    pthread_mutex_lock(&cache_mutex);
    if (did_compile) compile_count++;
    e->next = entries;
    entries = e;
    pthread_mutex_unlock(&cache_mutex);
    return e;
}

/* Unlink idle entries beyond the bounds, oldest first; returns them as a list for freeing unlocked. */
static ane_cache_entry *evict_locked(void) {
    ane_cache_entry *evicted = NULL;
    uint64_t max_bytes = (uint64_t)ane_limit_get(ANE_LIMIT_IDLE_CACHE_BYTES);
    for (;;) {
        int idle = 0;
        uint64_t idle_bytes = 0;
        ane_cache_entry **oldest = NULL;
        for (ane_cache_entry **p = &entries; *p; p = &(*p)->next) {
            if ((*p)->refcount) continue;
            idle++;
            idle_bytes += (*p)->bytes;
            if (!oldest || (*p)->released_at < (*oldest)->released_at) oldest = p;
        }
        if (idle <= CACHE_MAX_IDLE_ENTRIES && idle_bytes <= max_bytes) return evicted;
        ane_cache_entry *e = *oldest;
        *oldest = e->next;
        e->next = evicted;
        evicted = e;
    }
}

void ane_cache_release(ane_cache_entry *e) {
    pthread_mutex_lock(&cache_mutex);
    ane_cache_entry *evicted = NULL;
    if (--e->refcount == 0) {
        e->released_at = ++tick;
        evicted = evict_locked();
    }
    pthread_mutex_unlock(&cache_mutex);
    free_list(evicted);
}

void ane_cache_trim(void) {
    pthread_mutex_lock(&cache_mutex);
    ane_cache_entry *evicted = evict_locked();
    pthread_mutex_unlock(&cache_mutex);
    free_list(evicted);
}

size_t ane_cache_idle_bytes(void) {
    size_t n = 0;
    pthread_mutex_lock(&cache_mutex);
    for (ane_cache_entry *e = entries; e; e = e->next)
        if (!e->refcount) n += e->bytes;
    pthread_mutex_unlock(&cache_mutex);
    return n;
}

int ane_bridge_get_compile_count(void) {
    ane_error_clear();
    pthread_mutex_lock(&cache_mutex);
    int n = compile_count;
    pthread_mutex_unlock(&cache_mutex);
    return n;
}

void ane_bridge_reset_compile_count(void) {
    ane_error_clear();
    pthread_mutex_lock(&cache_mutex);
    compile_count = 0;
    pthread_mutex_unlock(&cache_mutex);
}
