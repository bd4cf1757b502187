/* POSIX file helpers for the ANE backend's model folders (workdir.h).
 * Plain C with no Apple API, so it is built and tested on every platform. Failures set the last error
 * (ANE_ERR_INTERNAL, naming the path and the OS reason) and return -1. */
#ifndef ANE4J_DARWIN_FILES_H
#define ANE4J_DARWIN_FILES_H

#include <stddef.h>

/* Every path the backend builds fits in this (macOS PATH_MAX); longer ones are refused, never cut. */
#define ANE_FILES_PATH_MAX 1024

/* out = a + "/" + b (no second '/' when a ends with one). Returns 0, or -1 when it does not fit. */
int ane_files_join(char *out, size_t cap, const char *a, const char *b);

/* Longest name ane_files_valid_name accepts: NAME_MAX (255) less the longest affix the backend puts around a
 * model identifier (".ane4j-<id>.lock"). The framework's identifiers are 194 characters: three SHA-256
 * hex digests (MIL text, weights, options) joined by '_'. */
#define ANE_FILES_NAME_MAX 240

/* 1 when name is safe as one path component: 1..ANE_FILES_NAME_MAX characters of [A-Za-z0-9._-], not
 * starting with '.'. */
int ane_files_valid_name(const char *name);

/* Create a folder and any missing parents with mode 0700. An existing folder is accepted when it is a real
 * directory (not a symlink). */
int ane_files_mkdirs(const char *path);

/* 0 when path is a directory (not a symlink) owned by this user and not writable by everyone. Writable by
 * its group is accepted: that is how the framework makes model folders. */
int ane_files_check_own_dir(const char *path);

/* Write len bytes to path atomically: a 0600 temp file beside it, then rename over it. */
int ane_files_write_atomic(const char *path, const void *data, size_t len);

/* Remove path and everything under it without following symlinks. A missing path is not an error.
 * Cleanup only: returns -1 on failure but leaves the last error alone (it holds the failure that matters). */
int ane_files_remove_tree(const char *path);

#endif
