/* The framework's per-model folder and the lock that guards it between processes (see workdir.h). */
#include "darwin/workdir.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "blob.h"
#include "error.h"

#define MODEL_PATH "@model_path/" /* what BLOBFILE paths start with (checked by ane_blob_check_path) */

/* flock() the lock file. Whoever releases it unlinks it first, so after waiting we check that the file we
 * hold is still the one at the path, and otherwise start over on the new one. */
int ane_workdir_lock(ane_workdir *wd) {
    for (int attempt = 0; attempt < 64; attempt++) {
        int fd = open(wd->lock, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0) {
            ane_error_set(ANE_ERR_INTERNAL, "cannot open lock file %s: %s", wd->lock, strerror(errno));
            return -1;
        }
        int r;
        do r = flock(fd, LOCK_EX); while (r != 0 && errno == EINTR);
        if (r != 0) {
            int err = errno;
            close(fd);
            ane_error_set(ANE_ERR_INTERNAL, "cannot lock %s: %s", wd->lock, strerror(err));
            return -1;
        }
        struct stat held, now;
        if (fstat(fd, &held) == 0 && lstat(wd->lock, &now) == 0 && held.st_dev == now.st_dev &&
            held.st_ino == now.st_ino) {
            wd->lock_fd = fd;
            return 0;
        }
        close(fd);
    }
    ane_error_set(ANE_ERR_INTERNAL, "cannot lock %s: it keeps being replaced", wd->lock);
    return -1;
}

int ane_workdir_init(ane_workdir *wd, const char *root, const char *id) {
    wd->lock_fd = -1;
    if (!ane_files_valid_name(id)) {
        ane_error_set(ANE_ERR_INTERNAL, "unusable model identifier '%s' for a folder name", id);
        return -1;
    }
    char name[256]; /* fits NAME_MAX for every id ane_files_valid_name accepts */
    int n = snprintf(name, sizeof name, ".ane4j-%s.lock", id);
    if (n < 0 || (size_t)n >= sizeof name) {
        ane_error_set(ANE_ERR_INTERNAL, "file name too long: .ane4j-%s.lock", id);
        return -1;
    }
    if (ane_files_join(wd->path, sizeof wd->path, root, id) != 0 ||
        ane_files_join(wd->lock, sizeof wd->lock, root, name) != 0)
        return -1;
    return 0;
}

void ane_workdir_unlock(ane_workdir *wd) {
    if (wd->lock_fd < 0) return;
    unlink(wd->lock); /* before releasing: waiters then see the path changed and retry */
    flock(wd->lock_fd, LOCK_UN);
    close(wd->lock_fd);
    wd->lock_fd = -1;
}

/* Write data at rel (no "." or ".." components) inside the folder, creating subfolders. */
static int write_inside(const ane_workdir *wd, const char *rel, const void *data, size_t len) {
    char full[ANE_FILES_PATH_MAX], dir[ANE_FILES_PATH_MAX];
    if (ane_files_join(full, sizeof full, wd->path, rel) != 0) return -1;
    memcpy(dir, full, sizeof dir);
    *strrchr(dir, '/') = '\0'; /* full holds at least the '/' that join put in */
    if (ane_files_mkdirs(dir) != 0) return -1;
    return ane_files_write_atomic(full, data, len);
}

int ane_workdir_write_program(const ane_workdir *wd, const char *mil, size_t mil_len, int n_weights,
                              const char *const *names, const uint8_t *const *datas, const size_t *lens) {
    for (int i = 0; i < n_weights; i++)
        if (ane_blob_check_path(names[i]) != 0) return -1;
    if (ane_files_mkdirs(wd->path) != 0 || ane_files_check_own_dir(wd->path) != 0) return -1;
    if (write_inside(wd, "model.mil", mil, mil_len) != 0) return -1;
    for (int i = 0; i < n_weights; i++)
        if (write_inside(wd, names[i] + strlen(MODEL_PATH), datas[i], lens[i]) != 0) return -1;
    return 0;
}

void ane_workdir_remove(const ane_workdir *wd) {
    ane_files_remove_tree(wd->path);
}
