/* Persistent ANE compile cache (see disk_cache.h). */
#include "darwin/disk_cache.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "darwin/files.h"
#include "error.h"

#define MANIFEST "manifest"
#define MANIFEST_HEADER "ane4j-ane-cache 1\n"

/* What compileWithQoS leaves beside model.mil: net.plist always, data only for models with weights. */
typedef struct cached_file {
    const char *name;
    int required;
} cached_file;
static const cached_file CACHED[] = {{"net.plist", 1}, {"data", 0}};
#define N_CACHED ((int)(sizeof CACHED / sizeof CACHED[0]))

int ane_disk_cache_root(char *out, size_t cap) {
    const char *env = getenv("ANE4J_ANE_CACHE_DIR");
    int n;
    if (env && env[0]) {
        n = snprintf(out, cap, "%s", env);
    } else {
        const char *home = getenv("HOME");
        struct passwd pw, *found = NULL;
        char buf[4096];
        if ((!home || !home[0]) && getpwuid_r(geteuid(), &pw, buf, sizeof buf, &found) == 0 && found)
            home = found->pw_dir;
        if (!home || !home[0]) {
            ane_error_set(ANE_ERR_INTERNAL, "no home folder for the ANE compile cache (set ANE4J_ANE_CACHE_DIR)");
            return -1;
        }
        n = snprintf(out, cap, "%s/Library/Caches/ane4j", home);
    }
    if (n < 0 || (size_t)n >= cap) {
        ane_error_set(ANE_ERR_INTERNAL, "ANE compile cache path too long");
        return -1;
    }
    if (ane_files_mkdirs(out) != 0 || ane_files_check_private_dir(out) != 0) return -1;
    return 0;
}

static int entry_path(char *out, size_t cap, const char *root, const char *id) {
    if (!ane_files_valid_name(id)) {
        ane_error_set(ANE_ERR_INTERNAL, "unusable model identifier '%s' for a cache entry", id);
        return -1;
    }
    return ane_files_join(out, cap, root, id);
}

/* Sizes the manifest lists, by CACHED index; -1 = not listed. Returns 0, or -1 when missing/malformed. */
static int read_manifest(const char *entry, long long sizes[N_CACHED]) {
    char path[ANE_FILES_PATH_MAX], text[512];
    if (ane_files_join(path, sizeof path, entry, MANIFEST) != 0) return -1;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) return -1;
    ssize_t n = read(fd, text, sizeof text - 1);
    close(fd);
    if (n <= 0) return -1;
    text[n] = '\0';
    size_t header = strlen(MANIFEST_HEADER);
    if (strncmp(text, MANIFEST_HEADER, header) != 0) return -1;
    for (int i = 0; i < N_CACHED; i++) sizes[i] = -1;
    for (char *line = text + header; *line;) {
        char *nl = strchr(line, '\n');
        if (!nl) return -1; /* every line ends with '\n': a cut manifest is no manifest */
        *nl = '\0';
        char *space = strchr(line, ' ');
        if (!space) return -1;
        *space = '\0';
        char *end;
        long long size = strtoll(space + 1, &end, 10);
        if (end == space + 1 || *end != '\0' || size < 0) return -1;
        int known = 0;
        for (int i = 0; i < N_CACHED; i++)
            if (strcmp(line, CACHED[i].name) == 0) { sizes[i] = size; known = 1; }
        if (!known) return -1;
        line = nl + 1;
    }
    for (int i = 0; i < N_CACHED; i++)
        if (CACHED[i].required && sizes[i] < 0) return -1;
    return 0;
}

/* 1 when every file the manifest lists is present with its listed size. */
static int entry_complete(const char *entry, const long long sizes[N_CACHED]) {
    for (int i = 0; i < N_CACHED; i++) {
        if (sizes[i] < 0) continue;
        char path[ANE_FILES_PATH_MAX];
        struct stat st;
        if (ane_files_join(path, sizeof path, entry, CACHED[i].name) != 0 || lstat(path, &st) != 0 ||
            !S_ISREG(st.st_mode) || (long long)st.st_size != sizes[i])
            return 0;
    }
    return 1;
}

int ane_disk_cache_restore(const char *root, const char *id, const char *dir) {
    char entry[ANE_FILES_PATH_MAX];
    if (entry_path(entry, sizeof entry, root, id) != 0) return -1;
    struct stat st;
    if (lstat(entry, &st) != 0) return 0;
    long long sizes[N_CACHED];
    if (read_manifest(entry, sizes) != 0 || !entry_complete(entry, sizes)) {
        ane_disk_cache_drop(root, id);
        return 0;
    }
    for (int i = 0; i < N_CACHED; i++) {
        if (sizes[i] < 0) continue;
        char src[ANE_FILES_PATH_MAX], dst[ANE_FILES_PATH_MAX];
        off_t copied;
        if (ane_files_join(src, sizeof src, entry, CACHED[i].name) != 0 ||
            ane_files_join(dst, sizeof dst, dir, CACHED[i].name) != 0 ||
            ane_files_copy_atomic(src, dst, &copied) != 0)
            return -1;
        if ((long long)copied != sizes[i]) { /* replaced under us: treat as a miss */
            ane_disk_cache_drop(root, id);
            return 0;
        }
    }
    return 1;
}

/* Copy dir's compile output into the fresh folder tmp and write its manifest. */
static int fill_entry(const char *tmp, const char *dir) {
    char manifest[512];
    size_t used = (size_t)snprintf(manifest, sizeof manifest, "%s", MANIFEST_HEADER);
    for (int i = 0; i < N_CACHED; i++) {
        char src[ANE_FILES_PATH_MAX], dst[ANE_FILES_PATH_MAX];
        if (ane_files_join(src, sizeof src, dir, CACHED[i].name) != 0 ||
            ane_files_join(dst, sizeof dst, tmp, CACHED[i].name) != 0)
            return -1;
        struct stat st;
        if (lstat(src, &st) != 0) {
            if (!CACHED[i].required) continue;
            ane_error_set(ANE_ERR_INTERNAL, "the ANE compile left no %s in %s", CACHED[i].name, dir);
            return -1;
        }
        off_t size;
        if (ane_files_copy_atomic(src, dst, &size) != 0) return -1;
        used += (size_t)snprintf(manifest + used, sizeof manifest - used, "%s %lld\n", CACHED[i].name,
                                 (long long)size);
    }
    char path[ANE_FILES_PATH_MAX];
    if (ane_files_join(path, sizeof path, tmp, MANIFEST) != 0) return -1;
    return ane_files_write_atomic(path, manifest, used);
}

/* A fresh 0700 folder <root>/.<kind>-<id>-XXXXXX beside the entries (same file system, for rename). */
static int make_temp_dir(char *out, size_t cap, const char *root, const char *kind, const char *id) {
    int n = snprintf(out, cap, "%s/.%s-%s-XXXXXX", root, kind, id);
    if (n < 0 || (size_t)n >= cap) {
        ane_error_set(ANE_ERR_INTERNAL, "ANE compile cache path too long");
        return -1;
    }
    if (!mkdtemp(out)) {
        ane_error_set(ANE_ERR_INTERNAL, "cannot create a folder in %s: %s", root, strerror(errno));
        return -1;
    }
    return 0;
}

int ane_disk_cache_store(const char *root, const char *id, const char *dir) {
    char entry[ANE_FILES_PATH_MAX], tmp[ANE_FILES_PATH_MAX];
    if (entry_path(entry, sizeof entry, root, id) != 0) return -1;
    struct stat st;
    if (lstat(entry, &st) == 0) return 0;
    if (make_temp_dir(tmp, sizeof tmp, root, "tmp", id) != 0) return -1;
    if (fill_entry(tmp, dir) != 0) {
        ane_files_remove_tree(tmp);
        return -1;
    }
    if (rename(tmp, entry) != 0) {
        int err = errno;
        ane_files_remove_tree(tmp);
        if (err == EEXIST || err == ENOTEMPTY) return 0; /* another process stored it first */
        ane_error_set(ANE_ERR_INTERNAL, "cannot create %s: %s", entry, strerror(err));
        return -1;
    }
    return 0;
}

void ane_disk_cache_drop(const char *root, const char *id) {
    char entry[ANE_FILES_PATH_MAX], doomed[ANE_FILES_PATH_MAX];
    if (entry_path(entry, sizeof entry, root, id) != 0) return;
    /* Rename first so a concurrent reader sees the whole entry or none of it. */
    if (make_temp_dir(doomed, sizeof doomed, root, "drop", id) != 0) return;
    if (rename(entry, doomed) != 0) {
        rmdir(doomed);
        return;
    }
    ane_files_remove_tree(doomed);
}
