/* Persistent ANE compile cache: what compileWithQoS left in a model's folder (net.plist, and data when it
 * produced one), kept per model identifier so a later process can load without compiling again.
 * Layout: <root>/<id>/{net.plist, data, manifest}; the manifest lists each file with its byte size. An
 * entry is built in a temp folder beside it and renamed into place, so it appears whole or not at all;
 * restoring checks every size against the manifest first. Plain POSIX: built and tested everywhere. */
#ifndef ANE4J_DARWIN_DISK_CACHE_H
#define ANE4J_DARWIN_DISK_CACHE_H

#include <stddef.h>

/* The cache folder: $ANE4J_ANE_CACHE_DIR when set and not empty, else $HOME/Library/Caches/ane4j. Created
 * with mode 0700 when missing; refused when it is a symlink, another user's or writable by others.
 * Returns 0, or -1 with the last error set. */
int ane_disk_cache_root(char *out, size_t cap);

/* Copy the entry for id into the folder dir. Returns 1 when restored, 0 when there is no complete entry
 * (an entry that fails its manifest is removed), -1 when copying failed (last error set). */
int ane_disk_cache_restore(const char *root, const char *id, const char *dir);

/* Save dir's compile output as the entry for id; an existing entry is kept. Returns 0, or -1 (last error
 * set; nothing partial is left behind). */
int ane_disk_cache_store(const char *root, const char *id, const char *dir);

/* Remove the entry for id, e.g. when what it restored would not load. */
void ane_disk_cache_drop(const char *root, const char *id);

#endif
