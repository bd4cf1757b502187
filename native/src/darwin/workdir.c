/* The framework's per-model compile folder, shared safely between identical programs (see workdir.h). */
#include "darwin/workdir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "blob.h"
#include "error.h"

#define MODEL_PATH "@model_path/" /* what BLOBFILE paths start with (checked by ane_blob_check_path) */

/* flock() the lock file. A last holder unlinks it before unlocking, so after waiting we check that the
 * file we hold is still the one at the path, and otherwise start over on the new one. */
static int lock_folder(ane_workdir *wd) {
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

void ane_workdir_unlock(ane_workdir *wd) {
    if (wd->lock_fd < 0) return;
    flock(wd->lock_fd, LOCK_UN);
    close(wd->lock_fd);
    wd->lock_fd = -1;
}

/* 1 when a holder file names a process that still runs; holder files of dead processes are deleted. */
static int has_live_holder(const char *holders) {
    DIR *d = opendir(holders);
    if (!d) return errno != ENOENT; /* unreadable: assume held rather than delete someone's folder */
    int live = 0;
    struct dirent *e;
    while (!live && (e = readdir(d)) != NULL) {
        char *end;
        long pid = strtol(e->d_name, &end, 10);
        if (end == e->d_name || *end != '-' || pid <= 0) continue; /* not a holder file */
        if (kill((pid_t)pid, 0) == 0 || errno == EPERM) {
            live = 1;
        } else {
            char stale[ANE_FILES_PATH_MAX];
            if (ane_files_join(stale, sizeof stale, holders, e->d_name) == 0) unlink(stale);
        }
    }
    closedir(d);
    return live;
}

/* out = <root>/.ane4j-<id><suffix>: the folder's bookkeeping, beside it. Names fit NAME_MAX (255) for every id
 * ane_files_valid_name accepts; a longer one is refused, never cut (two ids would then share a lock). */
static int beside_path(char *out, size_t cap, const char *root, const char *id, const char *suffix) {
    char name[256];
    int n = snprintf(name, sizeof name, ".ane4j-%s%s", id, suffix);
    if (n < 0 || (size_t)n >= sizeof name) {
        ane_error_set(ANE_ERR_INTERNAL, "file name too long: .ane4j-%s%s", id, suffix);
        return -1;
    }
    return ane_files_join(out, cap, root, name);
}

int ane_workdir_open(ane_workdir *wd, const char *root, const char *id) {
    wd->holder[0] = '\0';
    wd->lock_fd = -1;
    if (!ane_files_valid_name(id)) {
        ane_error_set(ANE_ERR_INTERNAL, "unusable model identifier '%s' for a folder name", id);
        return -1;
    }
    if (ane_files_join(wd->path, sizeof wd->path, root, id) != 0 ||
        beside_path(wd->lock, sizeof wd->lock, root, id, ".lock") != 0 ||
        beside_path(wd->holders, sizeof wd->holders, root, id, ".holders") != 0)
        return -1;
    if (lock_folder(wd) != 0) return -1;
    if (ane_files_mkdirs(wd->path) != 0 || ane_files_check_private_dir(wd->path) != 0 ||
        ane_files_mkdirs(wd->holders) != 0 || ane_files_check_private_dir(wd->holders) != 0)
        goto fail;
    int n = snprintf(wd->holder, sizeof wd->holder, "%s/%ld-XXXXXX", wd->holders, (long)getpid());
    if (n < 0 || (size_t)n >= sizeof wd->holder) {
        ane_error_set(ANE_ERR_INTERNAL, "path too long: %s", wd->holders);
        goto fail;
    }
    int fd = mkstemp(wd->holder);
    if (fd < 0) {
        ane_error_set(ANE_ERR_INTERNAL, "cannot register in %s: %s", wd->holders, strerror(errno));
        goto fail;
    }
    close(fd);
    return 0;
fail:
    wd->holder[0] = '\0';
    ane_workdir_unlock(wd);
    return -1;
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
    if (write_inside(wd, "model.mil", mil, mil_len) != 0) return -1;
    for (int i = 0; i < n_weights; i++)
        if (write_inside(wd, names[i] + strlen(MODEL_PATH), datas[i], lens[i]) != 0) return -1;
    return 0;
}

void ane_workdir_close(ane_workdir *wd) {
    if (!wd->holder[0]) {
        ane_workdir_unlock(wd);
        return;
    }
    int locked = wd->lock_fd >= 0 || lock_folder(wd) == 0;
    unlink(wd->holder);
    wd->holder[0] = '\0';
    if (!locked) return; /* leave the folder: someone may still use it */
    if (!has_live_holder(wd->holders)) {
        ane_files_remove_tree(wd->path);
        ane_files_remove_tree(wd->holders);
        unlink(wd->lock); /* before unlocking: waiters then see the path changed and retry */
    }
    ane_workdir_unlock(wd);
}
