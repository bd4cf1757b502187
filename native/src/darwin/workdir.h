/* The folder AppleNeuralEngine.framework compiles a model in: NSTemporaryDirectory()/<hexStringIdentifier>.
 * The framework picks that path itself and the identifier is derived from the model's content, so two
 * identical programs — in this process or in another one of the same user — land in the same folder. The
 * folder therefore belongs to no single program: each program registers a holder file beside it
 * (<root>/.ane4j-<id>.holders/<pid>-XXXXXX, outside the folder, which is the framework's to rewrite) and the
 * last holder to leave removes the folder; holders of processes that died are ignored. Every change
 * happens under an exclusive flock() on <root>/.ane4j-<id>.lock, which a program also keeps while it
 * writes, compiles and loads, so identical compiles never overlap.
 * Plain POSIX: built and tested on every platform. */
#ifndef ANE4J_DARWIN_WORKDIR_H
#define ANE4J_DARWIN_WORKDIR_H

#include <stddef.h>
#include <stdint.h>

#include "darwin/files.h"

typedef struct ane_workdir {
    char path[ANE_FILES_PATH_MAX];    /* <root>/<id>                                 */
    char lock[ANE_FILES_PATH_MAX];    /* <root>/.ane4j-<id>.lock                     */
    char holders[ANE_FILES_PATH_MAX]; /* <root>/.ane4j-<id>.holders                  */
    char holder[ANE_FILES_PATH_MAX];  /* this program's holder file; "" when closed  */
    int lock_fd;                      /* open and flock()ed while locked, else -1    */
} ane_workdir;

/* Lock the folder for id under root, create it (0700) when missing and register a holder. On success the
 * folder is left locked (see ane_workdir_unlock). Returns 0, or -1 with the last error set. */
int ane_workdir_open(ane_workdir *wd, const char *root, const char *id);

/* Write what compiling reads, each file atomically: model.mil, and every weight file at its MIL path with
 * "@model_path/" taken off (e.g. "@model_path/weights/w.bin" -> weights/w.bin). Names that fail
 * ane_blob_check_path are refused before anything is written. Call with the folder locked. */
int ane_workdir_write_program(const ane_workdir *wd, const char *mil, size_t mil_len, int n_weights,
                              const char *const *names, const uint8_t *const *datas, const size_t *lens);

/* Release the lock and keep the holder registration. */
void ane_workdir_unlock(ane_workdir *wd);

/* Unregister this holder; when no live holder remains, remove the folder, the holders folder and the lock
 * file. Idempotent. */
void ane_workdir_close(ane_workdir *wd);

#endif
