/* See strmap.h. */
#include "strmap.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#if defined(__APPLE__)
#include <sys/random.h>
#endif

struct ane_strmap_slot {
    const char *key;
    size_t len;
    uint64_t hash;
    int64_t value;
    uint32_t generation;
};

static _Atomic uint64_t probes;

/* ---- SipHash-1-3 under a random key ---------------------------------------------------------------- */

static uint64_t sip_key[2];
static pthread_once_t sip_once = PTHREAD_ONCE_INIT;

static void make_key(void) {
    uint64_t k[2] = {0, 0};
    if (getentropy(k, sizeof k) != 0) { /* no entropy source: still differs between processes */
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        k[0] = (uint64_t)ts.tv_nsec * 0x9E3779B97F4A7C15u ^ (uint64_t)ts.tv_sec;
        k[1] = (uint64_t)(uintptr_t)&ts ^ (uint64_t)getpid() << 32;
    }
    sip_key[0] = k[0];
    sip_key[1] = k[1];
}

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND                                                                                      \
    do {                                                                                              \
        v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32);                                     \
        v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2;                                                        \
        v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0;                                                        \
        v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32);                                     \
    } while (0)

static uint64_t siphash13(const unsigned char *in, size_t len) {
    pthread_once(&sip_once, make_key);
    uint64_t v0 = 0x736f6d6570736575u ^ sip_key[0], v1 = 0x646f72616e646f6du ^ sip_key[1];
    uint64_t v2 = 0x6c7967656e657261u ^ sip_key[0], v3 = 0x7465646279746573u ^ sip_key[1];
    size_t whole = len - len % 8;
    for (size_t i = 0; i < whole; i += 8) {
        uint64_t m = 0;
        for (int b = 0; b < 8; b++) m |= (uint64_t)in[i + b] << (8 * b);
        v3 ^= m;
        SIPROUND;
        v0 ^= m;
    }
    uint64_t last = (uint64_t)len << 56;
    for (size_t b = 0; b < len % 8; b++) last |= (uint64_t)in[whole + b] << (8 * b);
    v3 ^= last;
    SIPROUND;
    v0 ^= last;
    v2 ^= 0xff;
    SIPROUND;
    SIPROUND;
    SIPROUND;
    return v0 ^ v1 ^ v2 ^ v3;
}

/* ---- the table ------------------------------------------------------------------------------------- */

/* The slot holding key, or the empty slot where it would go. cap > 0. */
static ane_strmap_slot *find(const ane_strmap *m, const char *key, size_t len, uint64_t hash) {
    size_t mask = m->cap - 1, n = 0;
    ane_strmap_slot *s;
    for (size_t i = (size_t)hash & mask;; i = (i + 1) & mask) {
        s = &m->slots[i];
        n++;
        if (s->generation != m->generation) break;
        if (s->hash == hash && s->len == len && memcmp(s->key, key, len) == 0) break;
    }
    atomic_fetch_add_explicit(&probes, n, memory_order_relaxed);
    return s;
}

int64_t ane_strmap_get(const ane_strmap *m, const char *key, size_t len) {
    if (m->count == 0) return -1;
    const ane_strmap_slot *s = find(m, key, len, siphash13((const unsigned char *)key, len));
    return s->generation == m->generation ? s->value : -1;
}

/* Twice the room, rehashing what the current generation holds; kept at most half full. */
static int grow(ane_strmap *m) {
    size_t cap = m->cap ? 2 * m->cap : 16;
    if (cap > SIZE_MAX / 2 / sizeof(ane_strmap_slot)) return -1;
    ane_strmap grown = {calloc(cap, sizeof(ane_strmap_slot)), cap, 0, 1};
    if (!grown.slots) return -1;
    for (size_t i = 0; i < m->cap; i++) {
        const ane_strmap_slot *s = &m->slots[i];
        if (s->generation != m->generation) continue;
        *find(&grown, s->key, s->len, s->hash) = (ane_strmap_slot){s->key, s->len, s->hash, s->value, 1};
        grown.count++;
    }
    free(m->slots);
    *m = grown;
    return 0;
}

int ane_strmap_put(ane_strmap *m, const char *key, size_t len, int64_t value, int64_t *existing) {
    uint64_t hash = siphash13((const unsigned char *)key, len);
    if (m->cap) {
        ane_strmap_slot *s = find(m, key, len, hash);
        if (s->generation == m->generation) {
            if (existing) *existing = s->value;
            return 0;
        }
    }
    if (2 * (m->count + 1) > m->cap && grow(m) != 0) return -1;
    *find(m, key, len, hash) = (ane_strmap_slot){key, len, hash, value, m->generation};
    m->count++;
    return 1;
}

void ane_strmap_clear(ane_strmap *m) {
    m->count = 0;
    if (++m->generation == 0) { /* wrapped: old stamps could match again */
        if (m->slots) memset(m->slots, 0, m->cap * sizeof *m->slots);
        m->generation = 1;
    }
}

void ane_strmap_free(ane_strmap *m) {
    free(m->slots);
    *m = (ane_strmap)ANE_STRMAP_INIT;
}

uint64_t ane_strmap_probes(void) { return atomic_load(&probes); }
