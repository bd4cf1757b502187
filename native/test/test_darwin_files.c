/* The ANE backend's portable folder logic, on real files in a scratch folder: path helpers and the model
 * folder (files written where the framework reads them, the lock between processes, removal, refusals).
 * Expected bytes, modes and layouts are written out by hand. */
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ane_bridge.h"
#include "darwin/files.h"
#include "darwin/workdir.h"
#include "error.h"
#include "test.h"

/* ---- scratch helpers --------------------------------------------------------------------------------- */

static char *scratch(char *buf, size_t cap) {
    snprintf(buf, cap, "%s/ane4j-darwin-test-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(buf)) {
        CHECK_MSG(0, "mkdtemp: %s", strerror(errno));
        return NULL;
    }
    return buf;
}

static void path_of(char *out, size_t cap, const char *a, const char *b) {
    int n = snprintf(out, cap, "%s/%s", a, b);
    CHECK_MSG(n > 0 && (size_t)n < cap, "test path too long: %s/%s", a, b);
}

static int exists(const char *path) {
    struct stat st;
    return lstat(path, &st) == 0;
}

static unsigned mode_of(const char *path) {
    struct stat st;
    return lstat(path, &st) == 0 ? (unsigned)(st.st_mode & 0777) : 0xFFFFu;
}

static void put(const char *path, const char *text) {
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (!f) return;
    fputs(text, f);
    fclose(f);
}

/* Whole file into buf (NUL-terminated); returns its size or -1. */
static long slurp(const char *path, char *buf, size_t cap) {
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    size_t n = fread(buf, 1, cap - 1, f);
    fclose(f);
    buf[n] = '\0';
    return (long)n;
}

static int count_entries(const char *dir) {
    DIR *d = opendir(dir);
    if (!d) return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) n++;
    closedir(d);
    return n;
}

static int error_mentions(const char *word) {
    const char *msg = ane_bridge_last_error();
    return msg && strstr(msg, word) != NULL;
}

/* ---- files.c ----------------------------------------------------------------------------------------- */

TEST(files_join_puts_exactly_one_separator) {
    char out[16];
    CHECK_EQ_INT(0, ane_files_join(out, sizeof out, "/tmp", "x"));
    CHECK(strcmp(out, "/tmp/x") == 0);
    CHECK_EQ_INT(0, ane_files_join(out, sizeof out, "/tmp/", "x"));
    CHECK(strcmp(out, "/tmp/x") == 0);
    CHECK_EQ_INT(-1, ane_files_join(out, sizeof out, "/a-long-folder", "name"));
    CHECK(error_mentions("too long"));
}

TEST(files_valid_name_accepts_identifiers_and_refuses_paths) {
    CHECK(ane_files_valid_name("7F3a_model-id.v2"));
    CHECK(!ane_files_valid_name(""));
    CHECK(!ane_files_valid_name(".hidden"));
    CHECK(!ane_files_valid_name(".."));
    CHECK(!ane_files_valid_name("a/b"));
    CHECK(!ane_files_valid_name("a b"));
    char long_name[242];
    memset(long_name, 'a', 241);
    long_name[241] = '\0';
    CHECK(!ane_files_valid_name(long_name)); /* 241 */
    long_name[240] = '\0';
    CHECK(ane_files_valid_name(long_name));
}

/* An identifier shaped as _ANEInMemoryModelDescriptor makes them: three SHA-256 digests in upper-case hex
 * (MIL text, weights, options plist) joined by '_', 194 characters. */
static void framework_identifier(char id[195]) {
    const char *hex = "0123456789ABCDEF";
    for (int i = 0; i < 194; i++) id[i] = i == 64 || i == 129 ? '_' : hex[(i * 7) % 16];
    id[194] = '\0';
}

TEST(framework_identifiers_name_model_folders_and_their_locks) {
    char id[195], root[256], p[700];
    framework_identifier(id);
    CHECK(ane_files_valid_name(id));
    if (!scratch(root, sizeof root)) return;
    ane_workdir wd;
    CHECK_EQ_INT(0, ane_workdir_init(&wd, root, id));
    CHECK_EQ_INT(0, ane_workdir_lock(&wd));
    snprintf(p, sizeof p, "%s/.ane4j-%s.lock", root, id); /* the whole identifier, not a cut one */
    CHECK(strcmp(wd.lock, p) == 0 && exists(p));
    snprintf(p, sizeof p, "%s/%s", root, id);
    CHECK(strcmp(wd.path, p) == 0);
    CHECK_EQ_INT(0, ane_workdir_write_program(&wd, "m", 1, 0, NULL, NULL, NULL));
    ane_workdir_remove(&wd);
    ane_workdir_unlock(&wd);
    CHECK_EQ_INT(0, count_entries(root)); /* folder and lock file are gone */
    ane_files_remove_tree(root);
}

TEST(files_mkdirs_creates_private_folders_and_refuses_files_in_the_way) {
    char root[256], deep[320], file[320];
    if (!scratch(root, sizeof root)) return;
    path_of(deep, sizeof deep, root, "a/b/c");
    CHECK_EQ_INT(0, ane_files_mkdirs(deep));
    CHECK_EQ_INT(0700, mode_of(deep));
    path_of(file, sizeof file, root, "a");
    CHECK_EQ_INT(0700, mode_of(file));
    CHECK_EQ_INT(0, ane_files_mkdirs(deep)); /* existing folders are fine */
    path_of(file, sizeof file, root, "plain");
    put(file, "x");
    CHECK_EQ_INT(-1, ane_files_mkdirs(file));
    CHECK_EQ_INT(ANE_ERR_INTERNAL, ane_bridge_last_error_code());
    CHECK(error_mentions("not a folder"));
    ane_files_remove_tree(root);
}

TEST(files_check_own_dir_accepts_group_writable_and_refuses_world_writable_and_symlinks) {
    char root[256], link[320];
    if (!scratch(root, sizeof root)) return;
    CHECK_EQ_INT(0, ane_files_check_own_dir(root));
    chmod(root, 0770); /* as the framework makes model folders */
    CHECK_EQ_INT(0, ane_files_check_own_dir(root));
    chmod(root, 0707);
    CHECK_EQ_INT(-1, ane_files_check_own_dir(root));
    CHECK(error_mentions("writable by every user (mode 707)"));
    chmod(root, 0700);
    path_of(link, sizeof link, root, "link");
    CHECK_EQ_INT(0, symlink(root, link));
    CHECK_EQ_INT(-1, ane_files_check_own_dir(link));
    CHECK(error_mentions("symlink"));
    ane_files_remove_tree(root);
}

TEST(files_check_own_dir_refuses_another_users_folder) {
    if (geteuid() != 0) {
        test_skip("needs root to give a folder to another user");
        return;
    }
    char root[256];
    if (!scratch(root, sizeof root)) return;
    CHECK_EQ_INT(0, chown(root, 65534, 65534));
    CHECK_EQ_INT(-1, ane_files_check_own_dir(root));
    CHECK(error_mentions("belongs to another user"));
    ane_files_remove_tree(root);
}

TEST(files_write_atomic_replaces_whole_files_privately) {
    char root[256], a[320], buf[64];
    if (!scratch(root, sizeof root)) return;
    path_of(a, sizeof a, root, "a.bin");
    CHECK_EQ_INT(0, ane_files_write_atomic(a, "hello\0world", 11));
    CHECK_EQ_INT(0600, mode_of(a));
    CHECK_EQ_INT(11, slurp(a, buf, sizeof buf));
    CHECK(memcmp(buf, "hello\0world", 11) == 0);
    CHECK_EQ_INT(0, ane_files_write_atomic(a, "bye", 3));
    CHECK_EQ_INT(3, slurp(a, buf, sizeof buf));
    CHECK_EQ_INT(1, count_entries(root)); /* no temp file left behind */
    path_of(a, sizeof a, root, "missing/a.bin");
    CHECK_EQ_INT(-1, ane_files_write_atomic(a, "x", 1));
    CHECK(error_mentions("missing"));
    CHECK_EQ_INT(1, count_entries(root));
    ane_files_remove_tree(root);
}

TEST(files_remove_tree_removes_folders_but_not_what_symlinks_point_to) {
    char root[256], outside[256], p[320];
    if (!scratch(root, sizeof root) || !scratch(outside, sizeof outside)) return;
    path_of(p, sizeof p, outside, "keep.txt");
    put(p, "keep");
    path_of(p, sizeof p, root, "sub/deeper");
    CHECK_EQ_INT(0, ane_files_mkdirs(p));
    path_of(p, sizeof p, root, "sub/deeper/f.txt");
    put(p, "f");
    path_of(p, sizeof p, root, "sub/out");
    CHECK_EQ_INT(0, symlink(outside, p));
    CHECK_EQ_INT(0, ane_files_remove_tree(root));
    CHECK(!exists(root));
    path_of(p, sizeof p, outside, "keep.txt");
    CHECK(exists(p));
    CHECK_EQ_INT(0, ane_files_remove_tree(root)); /* already gone: fine */
    ane_files_remove_tree(outside);
}

/* ---- workdir.c --------------------------------------------------------------------------------------- */

static const char *const W_NAMES[2] = {"@model_path/weights/wq.bin", "@model_path/weights/sub/mask.bin"};
static const uint8_t W0[3] = {1, 2, 3}, W1[2] = {0xEF, 0xBE};
static const uint8_t *const W_DATAS[2] = {W0, W1};
static const size_t W_LENS[2] = {3, 2};

/* init + lock for id under root; 0 on success. */
static int locked(ane_workdir *wd, const char *root, const char *id) {
    if (ane_workdir_init(wd, root, id) != 0) return -1;
    return ane_workdir_lock(wd);
}

TEST(workdir_writes_model_and_weights_where_the_framework_reads_them) {
    char root[256], p[400], buf[64];
    if (!scratch(root, sizeof root)) return;
    ane_workdir wd;
    CHECK_EQ_INT(0, locked(&wd, root, "ABC123"));
    path_of(p, sizeof p, root, "ABC123");
    CHECK(strcmp(wd.path, p) == 0);
    CHECK(!exists(p)); /* nothing before the files are written */
    CHECK_EQ_INT(0, ane_workdir_write_program(&wd, "program(1.3)", 12, 2, W_NAMES, W_DATAS, W_LENS));
    CHECK_EQ_INT(0700, mode_of(p));
    path_of(p, sizeof p, wd.path, "model.mil");
    CHECK_EQ_INT(12, slurp(p, buf, sizeof buf));
    CHECK(strcmp(buf, "program(1.3)") == 0);
    path_of(p, sizeof p, wd.path, "weights/wq.bin");
    CHECK_EQ_INT(3, slurp(p, buf, sizeof buf));
    CHECK(memcmp(buf, W0, 3) == 0);
    path_of(p, sizeof p, wd.path, "weights/sub/mask.bin");
    CHECK_EQ_INT(2, slurp(p, buf, sizeof buf));
    CHECK(memcmp(buf, W1, 2) == 0);
    CHECK_EQ_INT(2, count_entries(wd.path)); /* model.mil and weights: no bookkeeping of ours in there */
    ane_workdir_unlock(&wd);
    path_of(p, sizeof p, root, ".ane4j-ABC123.lock");
    CHECK(!exists(p));             /* the lock file goes with the lock */
    CHECK(exists(wd.path));        /* the folder stays for the loaded program, until it is unloaded */
    ane_workdir_unlock(&wd);       /* idempotent */
    ane_files_remove_tree(root);
}

TEST(workdir_rewrites_the_files_the_framework_deleted) {
    char root[256], p[400], buf[16];
    if (!scratch(root, sizeof root)) return;
    ane_workdir wd;
    CHECK_EQ_INT(0, locked(&wd, root, "AGAIN"));
    CHECK_EQ_INT(0, ane_workdir_write_program(&wd, "m1", 2, 0, NULL, NULL, NULL));
    ane_files_remove_tree(wd.path); /* what unloadWithQoS: does */
    CHECK_EQ_INT(0, ane_workdir_write_program(&wd, "m2", 2, 0, NULL, NULL, NULL));
    path_of(p, sizeof p, wd.path, "model.mil");
    CHECK_EQ_INT(2, slurp(p, buf, sizeof buf));
    CHECK(strcmp(buf, "m2") == 0);
    ane_workdir_remove(&wd);
    CHECK(!exists(wd.path));
    ane_workdir_remove(&wd); /* already gone: fine */
    ane_workdir_unlock(&wd);
    CHECK_EQ_INT(0, count_entries(root));
    ane_files_remove_tree(root);
}

TEST(workdir_lock_keeps_other_holders_out_until_unlocked) {
    char root[256];
    if (!scratch(root, sizeof root)) return;
    ane_workdir wd;
    CHECK_EQ_INT(0, locked(&wd, root, "LOCKED"));
    int fd = open(wd.lock, O_RDWR);
    CHECK(fd >= 0);
    CHECK_EQ_INT(-1, flock(fd, LOCK_EX | LOCK_NB)); /* a second open file description is kept out */
    ane_workdir_unlock(&wd);
    CHECK_EQ_INT(0, flock(fd, LOCK_EX | LOCK_NB)); /* released, and unlinked: a waiter must look again */
    CHECK(!exists(wd.lock));
    flock(fd, LOCK_UN);
    close(fd);
    ane_files_remove_tree(root);
}

typedef struct lock_waiter {
    ane_workdir wd;
    int rc;
    int same_file; /* the lock it got is on the file at the lock path */
} lock_waiter;

static void *wait_for_lock(void *arg) {
    lock_waiter *w = arg;
    w->rc = ane_workdir_lock(&w->wd);
    struct stat held, now;
    w->same_file = w->rc == 0 && fstat(w->wd.lock_fd, &held) == 0 && lstat(w->wd.lock, &now) == 0 &&
                   held.st_ino == now.st_ino;
    return NULL;
}

TEST(workdir_a_waiting_process_gets_the_lock_when_the_holder_releases_it) {
    char root[256];
    if (!scratch(root, sizeof root)) return;
    int ready[2], go[2];
    CHECK_EQ_INT(0, pipe(ready));
    CHECK_EQ_INT(0, pipe(go));
    pid_t child = fork();
    if (child == 0) {
        ane_workdir mine;
        char c = 'x';
        if (locked(&mine, root, "SHARED") != 0) _exit(2);
        if (write(ready[1], &c, 1) != 1 || read(go[0], &c, 1) != 1) _exit(3);
        ane_workdir_unlock(&mine);
        _exit(0);
    }
    char c;
    CHECK_EQ_INT(1, read(ready[0], &c, 1));
    lock_waiter w = {.rc = -1};
    CHECK_EQ_INT(0, ane_workdir_init(&w.wd, root, "SHARED"));
    pthread_t t;
    CHECK_EQ_INT(0, pthread_create(&t, NULL, wait_for_lock, &w));
    usleep(50 * 1000); /* let the waiter block on the child's lock first (either order must work) */
    CHECK_EQ_INT(1, write(go[1], "g", 1));
    pthread_join(t, NULL);
    CHECK_EQ_INT(0, w.rc);
    CHECK(w.same_file);
    int status = -1;
    waitpid(child, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    ane_workdir_unlock(&w.wd);
    CHECK_EQ_INT(0, count_entries(root));
    close(ready[0]); close(ready[1]); close(go[0]); close(go[1]);
    ane_files_remove_tree(root);
}

TEST(workdir_refuses_weight_names_of_the_frameworks_own_files_before_writing) {
    char root[256];
    if (!scratch(root, sizeof root)) return;
    ane_workdir wd;
    CHECK_EQ_INT(0, locked(&wd, root, "RESERVED"));
    const char *reserved[] = {"@model_path/model.mil", "@model_path/net.plist", "@model_path/data",
                              "@model_path/data/w.bin", "@model_path/net.plist/w.bin"};
    for (int i = 0; i < 5; i++) {
        const char *names[2] = {"@model_path/weights/ok.bin", reserved[i]};
        CHECK_EQ_INT(-1, ane_workdir_write_program(&wd, "m", 1, 2, names, W_DATAS, W_LENS));
        CHECK_EQ_INT(ANE_ERR_INVALID_ARGUMENT, ane_bridge_last_error_code());
        const char *msg = ane_bridge_last_error();
        CHECK_MSG(msg && strstr(msg, reserved[i]), "message '%s' lacks the name", msg ? msg : "");
    }
    CHECK(!exists(wd.path));
    ane_workdir_unlock(&wd);
    ane_files_remove_tree(root);
}

TEST(workdir_refuses_names_that_leave_the_folder_before_writing) {
    char root[256], p[400];
    if (!scratch(root, sizeof root)) return;
    ane_workdir wd;
    CHECK_EQ_INT(0, locked(&wd, root, "ESCAPE"));
    const char *names[2] = {"@model_path/weights/ok.bin", "@model_path/../evil.bin"};
    CHECK_EQ_INT(-1, ane_workdir_write_program(&wd, "m", 1, 2, names, W_DATAS, W_LENS));
    CHECK_EQ_INT(ANE_ERR_INVALID_ARGUMENT, ane_bridge_last_error_code());
    CHECK(!exists(wd.path));
    path_of(p, sizeof p, root, "evil.bin");
    CHECK(!exists(p));
    ane_workdir_unlock(&wd);
    ane_files_remove_tree(root);
}

TEST(workdir_refuses_bad_identifiers_symlinks_and_world_writable_folders) {
    char root[256], elsewhere[256], link[400];
    if (!scratch(root, sizeof root) || !scratch(elsewhere, sizeof elsewhere)) return;
    ane_workdir wd;
    CHECK_EQ_INT(-1, ane_workdir_init(&wd, root, "../up"));
    CHECK(error_mentions("unusable model identifier"));
    CHECK_EQ_INT(-1, ane_workdir_init(&wd, root, ""));
    path_of(link, sizeof link, root, "PLANTED");
    CHECK_EQ_INT(0, symlink(elsewhere, link));
    CHECK_EQ_INT(0, locked(&wd, root, "PLANTED"));
    CHECK_EQ_INT(-1, ane_workdir_write_program(&wd, "m", 1, 0, NULL, NULL, NULL));
    CHECK_EQ_INT(0, count_entries(elsewhere)); /* nothing written through the symlink */
    ane_workdir_unlock(&wd);
    CHECK_EQ_INT(0, locked(&wd, root, "OPEN"));
    CHECK_EQ_INT(0, ane_files_mkdirs(wd.path));
    chmod(wd.path, 0777);
    CHECK_EQ_INT(-1, ane_workdir_write_program(&wd, "m", 1, 0, NULL, NULL, NULL));
    CHECK(error_mentions("writable by every user"));
    chmod(wd.path, 0775); /* group-writable, as the framework leaves it: accepted */
    CHECK_EQ_INT(0, ane_workdir_write_program(&wd, "m", 1, 0, NULL, NULL, NULL));
    ane_workdir_unlock(&wd);
    ane_files_remove_tree(root);
    ane_files_remove_tree(elsewhere);
}
