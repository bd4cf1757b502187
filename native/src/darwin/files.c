/* POSIX file helpers of the ANE backend (see files.h). */
#include "darwin/files.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"

/* Record "<what> <path>: <OS reason>" for the errno value err. */
static int fail(int err, const char *what, const char *path) {
    ane_error_set(ANE_ERR_INTERNAL, "%s %s: %s", what, path, strerror(err));
    return -1;
}

int ane_files_join(char *out, size_t cap, const char *a, const char *b) {
    size_t la = strlen(a);
    const char *sep = la > 0 && a[la - 1] == '/' ? "" : "/"; /* NSTemporaryDirectory() ends with '/' */
    int n = snprintf(out, cap, "%s%s%s", a, sep, b);
    if (n < 0 || (size_t)n >= cap) {
        ane_error_set(ANE_ERR_INTERNAL, "path too long: %s/%s", a, b);
        return -1;
    }
    return 0;
}

int ane_files_valid_name(const char *name) {
    size_t n = strlen(name);
    if (n == 0 || n > ANE_FILES_NAME_MAX || name[0] == '.') return 0;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '.' || c == '_' || c == '-';
        if (!ok) return 0;
    }
    return 1;
}

/* mkdir one component; an existing entry must be a directory (follow_links: for parents such as /var). */
static int mkdir_one(const char *path, int follow_links) {
    if (mkdir(path, 0700) == 0) return 0;
    int err = errno;
    if (err != EEXIST) return fail(err, "cannot create folder", path);
    struct stat st;
    int r = follow_links ? stat(path, &st) : lstat(path, &st);
    if (r != 0) return fail(errno, "cannot inspect", path);
    if (!S_ISDIR(st.st_mode)) {
        ane_error_set(ANE_ERR_INTERNAL, "%s exists and is not a folder", path);
        return -1;
    }
    return 0;
}

int ane_files_mkdirs(const char *path) {
    char buf[ANE_FILES_PATH_MAX];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof buf) {
        ane_error_set(ANE_ERR_INTERNAL, "bad folder path '%s'", path);
        return -1;
    }
    memcpy(buf, path, n + 1);
    while (n > 1 && buf[n - 1] == '/') buf[--n] = '\0';
    for (size_t i = 1; i < n; i++) {
        if (buf[i] != '/') continue;
        buf[i] = '\0';
        int r = mkdir_one(buf, 1);
        buf[i] = '/';
        if (r != 0) return -1;
    }
    return mkdir_one(buf, 0);
}

int ane_files_check_own_dir(const char *path) {
    struct stat st;
    if (lstat(path, &st) != 0) return fail(errno, "cannot inspect", path);
    if (!S_ISDIR(st.st_mode)) {
        ane_error_set(ANE_ERR_INTERNAL, "%s is not a folder (or is a symlink)", path);
        return -1;
    }
    if (st.st_uid != geteuid()) {
        ane_error_set(ANE_ERR_INTERNAL, "%s belongs to another user", path);
        return -1;
    }
    if (st.st_mode & S_IWOTH) {
        ane_error_set(ANE_ERR_INTERNAL, "%s is writable by every user (mode %03o)", path,
                      (unsigned)(st.st_mode & 0777));
        return -1;
    }
    return 0;
}

/* Open a fresh 0600 temp file beside path; its name goes to tmp. */
static int open_temp_beside(const char *path, char *tmp, size_t cap) {
    int n = snprintf(tmp, cap, "%s.tmp-XXXXXX", path);
    if (n < 0 || (size_t)n >= cap) {
        ane_error_set(ANE_ERR_INTERNAL, "path too long: %s", path);
        return -1;
    }
    int fd = mkstemp(tmp);
    if (fd < 0) return fail(errno, "cannot create a file beside", path);
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    return fd;
}

/* 0 when all len bytes were written, else the errno value (EIO when write wrote nothing). */
static int write_all(int fd, const void *data, size_t len) {
    const char *p = data;
    while (len > 0) {
        ssize_t w = write(fd, p, len);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) return errno;
        if (w == 0) return EIO;
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

/* Close the temp file and, when filling it failed with nothing (err == 0), rename it to path; on any
 * failure the temp file is removed and the first error reported. */
static int finish_temp(int fd, const char *tmp, const char *path, int err) {
    if (close(fd) != 0 && !err) err = errno;
    if (!err && rename(tmp, path) != 0) err = errno;
    if (!err) return 0;
    unlink(tmp);
    return fail(err, "cannot write", path);
}

int ane_files_write_atomic(const char *path, const void *data, size_t len) {
    char tmp[ANE_FILES_PATH_MAX];
    int fd = open_temp_beside(path, tmp, sizeof tmp);
    if (fd < 0) return -1;
    return finish_temp(fd, tmp, path, write_all(fd, data, len));
}

/* Remove name (relative to the open folder dirfd) and, if it is a folder, what it holds. */
static int remove_at(int dirfd, const char *name) {
    if (unlinkat(dirfd, name, 0) == 0 || errno == ENOENT) return 0;
    if (errno != EISDIR && errno != EPERM) return -1; /* EPERM: what macOS says for a folder */
    int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return errno == ENOENT ? 0 : -1;
    DIR *d = fdopendir(fd);
    if (!d) {
        close(fd);
        return -1;
    }
    int rc = 0;
    struct dirent *e;
    while (rc == 0 && (e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) rc = remove_at(fd, e->d_name);
    closedir(d);
    if (rc != 0) return -1;
    return unlinkat(dirfd, name, AT_REMOVEDIR) == 0 || errno == ENOENT ? 0 : -1;
}

int ane_files_remove_tree(const char *path) {
    return remove_at(AT_FDCWD, path);
}
