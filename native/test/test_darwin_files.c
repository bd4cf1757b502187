/* The ANE backend's portable folder logic, on real files in a scratch folder: path helpers, the shared
 * model folder (holders, locking, other processes) and the persistent compile cache (manifest, atomic
 * entries, corruption). Expected bytes, modes and layouts are written out by hand. */
#include <errno.h>
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
#include "darwin/disk_cache.h"
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

TEST(framework_identifiers_name_model_folders_and_cache_entries) {
    char id[195], root[256], cache[320], p[700], buf[16];
    framework_identifier(id);
    CHECK(ane_files_valid_name(id));
    if (!scratch(root, sizeof root)) return;
    ane_workdir wd;
    CHECK_EQ_INT(0, ane_workdir_open(&wd, root, id));
    snprintf(p, sizeof p, "%s/.ane4j-%s.lock", root, id); /* the whole identifier, not a cut one */
    CHECK(strcmp(wd.lock, p) == 0 && exists(p));
    snprintf(p, sizeof p, "%s/.ane4j-%s.holders", root, id);
    CHECK(strcmp(wd.holders, p) == 0 && exists(p));
    CHECK_EQ_INT(0, ane_workdir_write_program(&wd, "m", 1, 0, NULL, NULL, NULL));
    path_of(p, sizeof p, wd.path, "net.plist");
    put(p, "plist");
    path_of(cache, sizeof cache, root, "cache");
    CHECK_EQ_INT(0, ane_files_mkdirs(cache));
    CHECK_EQ_INT(0, ane_disk_cache_store(cache, id, wd.path));
    CHECK_EQ_INT(0, unlink(p));
    CHECK_EQ_INT(1, ane_disk_cache_restore(cache, id, wd.path));
    CHECK_EQ_INT(5, slurp(p, buf, sizeof buf));
    ane_workdir_unlock(&wd);
    ane_workdir_close(&wd);
    CHECK_EQ_INT(1, count_entries(root)); /* only the cache: folder, lock and holders are gone */
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

TEST(files_check_private_dir_refuses_shared_folders_and_symlinks) {
    char root[256], link[320];
    if (!scratch(root, sizeof root)) return;
    CHECK_EQ_INT(0, ane_files_check_private_dir(root));
    chmod(root, 0770);
    CHECK_EQ_INT(-1, ane_files_check_private_dir(root));
    CHECK(error_mentions("writable by other users (mode 770)"));
    chmod(root, 0700);
    path_of(link, sizeof link, root, "link");
    CHECK_EQ_INT(0, symlink(root, link));
    CHECK_EQ_INT(-1, ane_files_check_private_dir(link));
    CHECK(error_mentions("symlink"));
    ane_files_remove_tree(root);
}

TEST(files_write_and_copy_are_atomic_private_and_exact) {
    char root[256], a[320], b[320], buf[64];
    if (!scratch(root, sizeof root)) return;
    path_of(a, sizeof a, root, "a.bin");
    path_of(b, sizeof b, root, "b.bin");
    CHECK_EQ_INT(0, ane_files_write_atomic(a, "hello\0world", 11));
    CHECK_EQ_INT(0600, mode_of(a));
    off_t size = -1;
    CHECK_EQ_INT(0, ane_files_copy_atomic(a, b, &size));
    CHECK_EQ_INT(11, size);
    CHECK_EQ_INT(11, slurp(b, buf, sizeof buf));
    CHECK(memcmp(buf, "hello\0world", 11) == 0);
    CHECK_EQ_INT(0600, mode_of(b));
    CHECK_EQ_INT(0, ane_files_write_atomic(a, "bye", 3)); /* replaces the whole file */
    CHECK_EQ_INT(3, slurp(a, buf, sizeof buf));
    CHECK_EQ_INT(2, count_entries(root));                  /* no temp file left behind */
    path_of(a, sizeof a, root, "missing");
    CHECK_EQ_INT(-1, ane_files_copy_atomic(a, b, &size));
    CHECK(error_mentions("missing"));
    CHECK_EQ_INT(2, count_entries(root));
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

TEST(workdir_writes_model_and_weights_where_the_framework_reads_them) {
    char root[256], p[400], buf[64];
    if (!scratch(root, sizeof root)) return;
    ane_workdir wd;
    CHECK_EQ_INT(0, ane_workdir_open(&wd, root, "ABC123"));
    path_of(p, sizeof p, root, "ABC123");
    CHECK(strcmp(wd.path, p) == 0);
    CHECK_EQ_INT(0700, mode_of(p));
    CHECK_EQ_INT(0, ane_workdir_write_program(&wd, "program(1.3)", 12, 2, W_NAMES, W_DATAS, W_LENS));
    path_of(p, sizeof p, wd.path, "model.mil");
    CHECK_EQ_INT(12, slurp(p, buf, sizeof buf));
    CHECK(strcmp(buf, "program(1.3)") == 0);
    path_of(p, sizeof p, wd.path, "weights/wq.bin");
    CHECK_EQ_INT(3, slurp(p, buf, sizeof buf));
    CHECK(memcmp(buf, W0, 3) == 0);
    path_of(p, sizeof p, wd.path, "weights/sub/mask.bin");
    CHECK_EQ_INT(2, slurp(p, buf, sizeof buf));
    CHECK(memcmp(buf, W1, 2) == 0);
    /* a holder file named after this process, beside the folder (the framework's to rewrite) */
    path_of(p, sizeof p, root, ".ane4j-ABC123.holders");
    CHECK(strcmp(wd.holders, p) == 0);
    CHECK_EQ_INT(1, count_entries(p));
    path_of(p, sizeof p, wd.path, "");
    CHECK_EQ_INT(2, count_entries(p)); /* model.mil and weights: no bookkeeping of ours in there */
    char prefix[32];
    snprintf(prefix, sizeof prefix, "/%ld-", (long)getpid());
    CHECK(strstr(wd.holder, prefix) != NULL);
    ane_workdir_unlock(&wd);
    ane_workdir_close(&wd);
    CHECK(!exists(wd.path));
    path_of(p, sizeof p, root, ".ane4j-ABC123.lock");
    CHECK(!exists(p));
    CHECK_EQ_INT(0, count_entries(root));
    ane_workdir_close(&wd); /* idempotent */
    ane_files_remove_tree(root);
}

TEST(workdir_identical_programs_keep_the_folder_until_the_last_closes) {
    char root[256], mil[400];
    if (!scratch(root, sizeof root)) return;
    ane_workdir a, b;
    CHECK_EQ_INT(0, ane_workdir_open(&a, root, "SAME"));
    CHECK_EQ_INT(0, ane_workdir_write_program(&a, "m", 1, 0, NULL, NULL, NULL));
    ane_workdir_unlock(&a);
    CHECK_EQ_INT(0, ane_workdir_open(&b, root, "SAME"));
    ane_workdir_unlock(&b);
    CHECK(strcmp(a.holder, b.holder) != 0);
    /* the framework may rebuild its folder from scratch: registrations live outside it */
    ane_files_remove_tree(a.path);
    CHECK_EQ_INT(0, ane_files_mkdirs(a.path));
    path_of(mil, sizeof mil, a.path, "model.mil");
    put(mil, "rebuilt");
    ane_workdir_close(&a);
    CHECK(exists(mil));
    ane_workdir_close(&b);
    CHECK(!exists(b.path));
    ane_files_remove_tree(root);
}

TEST(workdir_lock_is_held_until_unlocked) {
    char root[256], lock[400];
    if (!scratch(root, sizeof root)) return;
    ane_workdir wd;
    CHECK_EQ_INT(0, ane_workdir_open(&wd, root, "LOCKED"));
    path_of(lock, sizeof lock, root, ".ane4j-LOCKED.lock");
    int fd = open(lock, O_RDWR);
    CHECK(fd >= 0);
    CHECK_EQ_INT(-1, flock(fd, LOCK_EX | LOCK_NB)); /* a second open file description is kept out */
    ane_workdir_unlock(&wd);
    CHECK_EQ_INT(0, flock(fd, LOCK_EX | LOCK_NB));
    flock(fd, LOCK_UN);
    close(fd);
    ane_workdir_close(&wd);
    ane_files_remove_tree(root);
}

TEST(workdir_ignores_holders_of_dead_processes) {
    char root[256], stale[500];
    if (!scratch(root, sizeof root)) return;
    pid_t child = fork();
    if (child == 0) _exit(0);
    waitpid(child, NULL, 0); /* reaped: that pid names no process now */
    ane_workdir wd;
    CHECK_EQ_INT(0, ane_workdir_open(&wd, root, "STALE"));
    char name[64];
    snprintf(name, sizeof name, "%ld-abcdef", (long)child);
    path_of(stale, sizeof stale, wd.holders, name);
    put(stale, "");
    ane_workdir_close(&wd);
    CHECK(!exists(wd.path));
    ane_files_remove_tree(root);
}

TEST(workdir_a_holder_in_another_process_keeps_the_folder) {
    char root[256], mil[400];
    if (!scratch(root, sizeof root)) return;
    int ready[2], go[2];
    CHECK_EQ_INT(0, pipe(ready));
    CHECK_EQ_INT(0, pipe(go));
    pid_t child = fork();
    if (child == 0) {
        ane_workdir mine;
        char c = 'x';
        if (ane_workdir_open(&mine, root, "SHARED") != 0) _exit(2);
        ane_workdir_write_program(&mine, "m", 1, 0, NULL, NULL, NULL);
        ane_workdir_unlock(&mine);
        if (write(ready[1], &c, 1) != 1 || read(go[0], &c, 1) != 1) _exit(3);
        ane_workdir_close(&mine);
        _exit(0);
    }
    char c;
    CHECK_EQ_INT(1, read(ready[0], &c, 1));
    ane_workdir wd;
    CHECK_EQ_INT(0, ane_workdir_open(&wd, root, "SHARED"));
    path_of(mil, sizeof mil, wd.path, "model.mil");
    ane_workdir_close(&wd);
    CHECK(exists(mil)); /* the child still holds it */
    CHECK_EQ_INT(1, write(go[1], "g", 1));
    int status = -1;
    waitpid(child, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK(!exists(wd.path)); /* the child was the last holder */
    close(ready[0]); close(ready[1]); close(go[0]); close(go[1]);
    ane_files_remove_tree(root);
}

TEST(workdir_refuses_weight_names_of_the_frameworks_own_files_before_writing) {
    char root[256], p[400];
    if (!scratch(root, sizeof root)) return;
    ane_workdir wd;
    CHECK_EQ_INT(0, ane_workdir_open(&wd, root, "RESERVED"));
    const char *reserved[] = {"@model_path/model.mil", "@model_path/net.plist", "@model_path/data"};
    for (int i = 0; i < 3; i++) {
        const char *names[2] = {"@model_path/weights/ok.bin", reserved[i]};
        CHECK_EQ_INT(-1, ane_workdir_write_program(&wd, "m", 1, 2, names, W_DATAS, W_LENS));
        CHECK_EQ_INT(ANE_ERR_INVALID_ARGUMENT, ane_bridge_last_error_code());
        const char *msg = ane_bridge_last_error();
        CHECK_MSG(msg && strstr(msg, reserved[i]), "message '%s' lacks the name", msg ? msg : "");
    }
    path_of(p, sizeof p, wd.path, "model.mil");
    CHECK(!exists(p));
    ane_workdir_close(&wd);
    ane_files_remove_tree(root);
}

TEST(workdir_refuses_names_that_leave_the_folder_before_writing) {
    char root[256], p[400];
    if (!scratch(root, sizeof root)) return;
    ane_workdir wd;
    CHECK_EQ_INT(0, ane_workdir_open(&wd, root, "ESCAPE"));
    const char *names[2] = {"@model_path/weights/ok.bin", "@model_path/../evil.bin"};
    CHECK_EQ_INT(-1, ane_workdir_write_program(&wd, "m", 1, 2, names, W_DATAS, W_LENS));
    CHECK_EQ_INT(ANE_ERR_INVALID_ARGUMENT, ane_bridge_last_error_code());
    path_of(p, sizeof p, wd.path, "model.mil");
    CHECK(!exists(p));
    path_of(p, sizeof p, root, "evil.bin");
    CHECK(!exists(p));
    ane_workdir_close(&wd);
    ane_files_remove_tree(root);
}

TEST(workdir_refuses_bad_identifiers_and_foreign_folders) {
    char root[256], elsewhere[256], link[400];
    if (!scratch(root, sizeof root) || !scratch(elsewhere, sizeof elsewhere)) return;
    ane_workdir wd;
    CHECK_EQ_INT(-1, ane_workdir_open(&wd, root, "../up"));
    CHECK(error_mentions("unusable model identifier"));
    CHECK_EQ_INT(-1, ane_workdir_open(&wd, root, ""));
    path_of(link, sizeof link, root, "PLANTED");
    CHECK_EQ_INT(0, symlink(elsewhere, link));
    CHECK_EQ_INT(-1, ane_workdir_open(&wd, root, "PLANTED"));
    CHECK_EQ_INT(0, count_entries(elsewhere)); /* nothing written through the symlink */
    ane_workdir_close(&wd);                    /* nothing to undo */
    ane_files_remove_tree(root);
    ane_files_remove_tree(elsewhere);
}

/* ---- disk_cache.c ------------------------------------------------------------------------------------ */

/* A folder as compileWithQoS leaves it: net.plist, and data when given. */
static void fake_compile_output(const char *dir, const char *plist, const char *data) {
    char p[400];
    CHECK_EQ_INT(0, ane_files_mkdirs(dir));
    path_of(p, sizeof p, dir, "net.plist");
    put(p, plist);
    if (data) {
        path_of(p, sizeof p, dir, "data");
        put(p, data);
    }
}

TEST(disk_cache_root_comes_from_the_environment_or_home_and_is_private) {
    char root[256], want[400], got[ANE_FILES_PATH_MAX];
    if (!scratch(root, sizeof root)) return;
    char *saved_dir = getenv("ANE4J_ANE_CACHE_DIR") ? strdup(getenv("ANE4J_ANE_CACHE_DIR")) : NULL;
    char *saved_home = getenv("HOME") ? strdup(getenv("HOME")) : NULL;

    path_of(want, sizeof want, root, "explicit/cache");
    setenv("ANE4J_ANE_CACHE_DIR", want, 1);
    CHECK_EQ_INT(0, ane_disk_cache_root(got, sizeof got));
    CHECK(strcmp(got, want) == 0);
    CHECK_EQ_INT(0700, mode_of(want));

    unsetenv("ANE4J_ANE_CACHE_DIR");
    setenv("HOME", root, 1);
    CHECK_EQ_INT(0, ane_disk_cache_root(got, sizeof got));
    path_of(want, sizeof want, root, "Library/Caches/ane4j");
    CHECK(strcmp(got, want) == 0);
    CHECK_EQ_INT(0700, mode_of(want));

    path_of(want, sizeof want, root, "shared");
    mkdir(want, 0777);
    chmod(want, 0777);
    setenv("ANE4J_ANE_CACHE_DIR", want, 1);
    CHECK_EQ_INT(-1, ane_disk_cache_root(got, sizeof got));
    CHECK(error_mentions("writable by other users"));

    if (saved_dir) setenv("ANE4J_ANE_CACHE_DIR", saved_dir, 1); else unsetenv("ANE4J_ANE_CACHE_DIR");
    if (saved_home) setenv("HOME", saved_home, 1); else unsetenv("HOME");
    free(saved_dir);
    free(saved_home);
    ane_files_remove_tree(root);
}

/* The folders a disk cache test works in: a scratch root holding empty cache/ and dst/ folders, and the
 * path of src/ (created by the test, usually through fake_compile_output). */
typedef struct cache_dirs {
    char root[256], cache[320], src[320], dst[320];
} cache_dirs;

static int cache_dirs_make(cache_dirs *d) {
    if (!scratch(d->root, sizeof d->root)) return 0;
    path_of(d->cache, sizeof d->cache, d->root, "cache");
    path_of(d->src, sizeof d->src, d->root, "src");
    path_of(d->dst, sizeof d->dst, d->root, "dst");
    CHECK_EQ_INT(0, ane_files_mkdirs(d->cache));
    CHECK_EQ_INT(0, ane_files_mkdirs(d->dst));
    return 1;
}

TEST(disk_cache_stores_an_entry_with_its_manifest_and_restores_it) {
    cache_dirs d;
    char p[400], buf[128];
    if (!cache_dirs_make(&d)) return;
    fake_compile_output(d.src, "<plist/>", "0123456789");
    CHECK_EQ_INT(0, ane_disk_cache_store(d.cache, "HEX1", d.src));

    path_of(p, sizeof p, d.cache, "HEX1/manifest");
    slurp(p, buf, sizeof buf);
    CHECK_MSG(strcmp(buf, "ane4j-ane-cache 1\nnet.plist 8\ndata 10\n") == 0, "manifest: '%s'", buf);
    path_of(p, sizeof p, d.cache, "HEX1");
    CHECK_EQ_INT(0700, mode_of(p));
    CHECK_EQ_INT(3, count_entries(p));
    path_of(p, sizeof p, d.cache, "HEX1/data");
    CHECK_EQ_INT(0600, mode_of(p));
    CHECK_EQ_INT(1, count_entries(d.cache)); /* no temp folder left */

    CHECK_EQ_INT(1, ane_disk_cache_restore(d.cache, "HEX1", d.dst));
    path_of(p, sizeof p, d.dst, "net.plist");
    CHECK_EQ_INT(8, slurp(p, buf, sizeof buf));
    CHECK(strcmp(buf, "<plist/>") == 0);
    path_of(p, sizeof p, d.dst, "data");
    CHECK_EQ_INT(10, slurp(p, buf, sizeof buf));
    CHECK(strcmp(buf, "0123456789") == 0);
    ane_files_remove_tree(d.root);
}

TEST(disk_cache_entry_without_data_restores_only_net_plist) {
    cache_dirs d;
    char p[400], buf[128];
    if (!cache_dirs_make(&d)) return;
    fake_compile_output(d.src, "P", NULL);
    CHECK_EQ_INT(0, ane_disk_cache_store(d.cache, "NODATA", d.src));
    path_of(p, sizeof p, d.cache, "NODATA/manifest");
    slurp(p, buf, sizeof buf);
    CHECK(strcmp(buf, "ane4j-ane-cache 1\nnet.plist 1\n") == 0);
    CHECK_EQ_INT(1, ane_disk_cache_restore(d.cache, "NODATA", d.dst));
    CHECK_EQ_INT(1, count_entries(d.dst));
    ane_files_remove_tree(d.root);
}

TEST(disk_cache_miss_and_missing_net_plist) {
    cache_dirs d;
    if (!cache_dirs_make(&d)) return;
    CHECK_EQ_INT(0, ane_files_mkdirs(d.src));
    CHECK_EQ_INT(0, ane_disk_cache_restore(d.cache, "NEVER", d.src));
    CHECK_EQ_INT(-1, ane_disk_cache_store(d.cache, "EMPTY", d.src));
    CHECK(error_mentions("net.plist"));
    CHECK_EQ_INT(0, count_entries(d.cache)); /* neither an entry nor a temp folder */
    CHECK_EQ_INT(-1, ane_disk_cache_store(d.cache, "../up", d.src));
    CHECK(error_mentions("unusable model identifier"));
    ane_files_remove_tree(d.root);
}

TEST(disk_cache_keeps_the_first_entry_for_an_identifier) {
    cache_dirs d;
    char one[320], two[320], p[400], buf[32];
    if (!cache_dirs_make(&d)) return;
    path_of(one, sizeof one, d.root, "one");
    path_of(two, sizeof two, d.root, "two");
    fake_compile_output(one, "first", NULL);
    fake_compile_output(two, "second", NULL);
    CHECK_EQ_INT(0, ane_disk_cache_store(d.cache, "ID", one));
    CHECK_EQ_INT(0, ane_disk_cache_store(d.cache, "ID", two));
    CHECK_EQ_INT(1, ane_disk_cache_restore(d.cache, "ID", d.dst));
    path_of(p, sizeof p, d.dst, "net.plist");
    slurp(p, buf, sizeof buf);
    CHECK(strcmp(buf, "first") == 0);
    ane_files_remove_tree(d.root);
}

TEST(disk_cache_drops_entries_that_fail_their_manifest) {
    cache_dirs d;
    char p[400];
    if (!cache_dirs_make(&d)) return;
    fake_compile_output(d.src, "plist", "data-bytes");

    CHECK_EQ_INT(0, ane_disk_cache_store(d.cache, "CUT", d.src));
    path_of(p, sizeof p, d.cache, "CUT/data");
    CHECK_EQ_INT(0, truncate(p, 4));
    CHECK_EQ_INT(0, ane_disk_cache_restore(d.cache, "CUT", d.dst));
    path_of(p, sizeof p, d.cache, "CUT");
    CHECK(!exists(p));

    CHECK_EQ_INT(0, ane_disk_cache_store(d.cache, "GARBLED", d.src));
    path_of(p, sizeof p, d.cache, "GARBLED/manifest");
    put(p, "ane4j-ane-cache 1\nnet.plist 5\nextra 3\n");
    CHECK_EQ_INT(0, ane_disk_cache_restore(d.cache, "GARBLED", d.dst));
    path_of(p, sizeof p, d.cache, "GARBLED");
    CHECK(!exists(p));

    CHECK_EQ_INT(0, count_entries(d.dst)); /* nothing restored from either */
    CHECK_EQ_INT(0, count_entries(d.cache));
    ane_files_remove_tree(d.root);
}

TEST(disk_cache_drop_removes_an_entry) {
    cache_dirs d;
    if (!cache_dirs_make(&d)) return;
    fake_compile_output(d.src, "plist", "d");
    CHECK_EQ_INT(0, ane_disk_cache_store(d.cache, "GONE", d.src));
    ane_disk_cache_drop(d.cache, "GONE");
    CHECK_EQ_INT(0, count_entries(d.cache));
    CHECK_EQ_INT(0, ane_disk_cache_restore(d.cache, "GONE", d.src));
    ane_files_remove_tree(d.root);
}
