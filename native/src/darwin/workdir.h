/* The folder AppleNeuralEngine.framework compiles and loads a model from: NSTemporaryDirectory()/<id>,
 * <id> being the model's hexStringIdentifier. The framework picks the path, and the identifier comes from
 * the model's content, so identical programs (in this process or another) share the folder.
 *
 * What the framework does with it (decompiled framework code; README.md "Assumptions"): compiling reads
 * model.mil and the weight files there and writes net.plist (a copy of the MIL) and data (a copy of the
 * weights); the compiled program itself stays inside the ANE daemon, found by the model's hash; and
 * unloadWithQoS: deletes the folder. The folder is therefore scratch space for the compile or load running
 * now, not a cache: the backend writes the files before every compile or load and removes the folder after
 * unloading (where the framework has not already).
 *
 * Between processes, an exclusive flock() on <root>/.ane4j-<id>.lock is held around writing, compiling and
 * loading, and around unloading, so one ane4j process never deletes the folder under another's compile.
 * The lock file is unlinked as it is released, leaving nothing behind; a waiter that then holds a lock
 * on the unlinked file notices and locks the new one. Processes that are not ane4j take no lock.
 * Plain POSIX: built and tested on every platform. */
#ifndef ANE4J_DARWIN_WORKDIR_H
#define ANE4J_DARWIN_WORKDIR_H

#include <stddef.h>
#include <stdint.h>

#include "darwin/files.h"

typedef struct ane_workdir {
    char path[ANE_FILES_PATH_MAX]; /* <root>/<id>                             */
    char lock[ANE_FILES_PATH_MAX]; /* <root>/.ane4j-<id>.lock                 */
    int lock_fd;                   /* open and flock()ed while locked, else -1 */
} ane_workdir;

/* Set the paths for id under root (nothing is touched on disk yet). Returns 0, or -1 with the last error
 * set when id is not a usable folder name or a path does not fit. */
int ane_workdir_init(ane_workdir *wd, const char *root, const char *id);

/* Take the lock, waiting for other processes. Returns 0, or -1 with the last error set. */
int ane_workdir_lock(ane_workdir *wd);

/* With the lock held: create the folder (0700) when missing, check it is this user's, and write what
 * compiling and loading read, each file atomically: model.mil, and every weight file at its MIL path with
 * "@model_path/" taken off (e.g. "@model_path/weights/w.bin" -> weights/w.bin). Names that fail
 * ane_blob_check_path are refused before anything is written. */
int ane_workdir_write_program(const ane_workdir *wd, const char *mil, size_t mil_len, int n_weights,
                              const char *const *names, const uint8_t *const *datas, const size_t *lens);

/* With the lock held: remove the folder and everything in it (nothing when it is gone already). */
void ane_workdir_remove(const ane_workdir *wd);

/* Unlink the lock file and release the lock. Idempotent. */
void ane_workdir_unlock(ane_workdir *wd);

#endif
