/* A map from strings to integers for lookups and duplicate checks over untrusted names: open addressing
 * with SipHash-1-3 under a per-process random key, so no set of names can be chosen to collide and make
 * lookups slow. Keys are (pointer, length) slices that must stay valid while they are in the map.
 * Clearing is O(1), so one map can serve many short lists in turn. */
#ifndef ANE4J_STRMAP_H
#define ANE4J_STRMAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct ane_strmap_slot ane_strmap_slot;

typedef struct ane_strmap {
    ane_strmap_slot *slots;
    size_t cap, count;  /* cap is 0 or a power of two */
    uint32_t generation; /* a slot is in use only when it carries the current generation */
} ane_strmap;

#define ANE_STRMAP_INIT {0}

/* The value stored for key, or -1 when absent. */
int64_t ane_strmap_get(const ane_strmap *m, const char *key, size_t len);
/* Adds key -> value unless key is present. Returns 1 when added, 0 when present (*existing, when not NULL,
 * receives its value; nothing changes), -1 when out of memory. */
int ane_strmap_put(ane_strmap *m, const char *key, size_t len, int64_t value, int64_t *existing);
/* Forgets every key, keeping the memory. */
void ane_strmap_clear(ane_strmap *m);
void ane_strmap_free(ane_strmap *m);

/* Probes made by every map so far (for tests that check the work stays linear). */
uint64_t ane_strmap_probes(void);

#endif
