/* The upstream MIL corpus for the tests: where it is, its files, its MANIFEST.tsv, and weight files
 * synthesised for the BLOBFILE references it lists. */
#ifndef ANE4J_TEST_CORPUS_H
#define ANE4J_TEST_CORPUS_H

#include <stddef.h>
#include <stdint.h>

/* A whole file (malloc'd, with a NUL after its *len bytes), or NULL when it cannot be read. */
char *read_whole_file(const char *path, size_t *len);

/* The corpus directory, $ANE4J_CORPUS_DIR or else ../../shared/corpus/upstream-mil; NULL after test_skip()
 * naming where it looked when there is no MANIFEST.tsv there. */
const char *corpus_dir(void);

/* A corpus file by its path inside the corpus (malloc'd, NUL-terminated); NULL after test_skip() when the
 * corpus is absent, or after a test failure when the file cannot be read. */
char *corpus_read(const char *name, size_t *len);

/* As corpus_read, but without skipping the test when the corpus is absent: NULL then (for checks that
 * only add to a test that runs without the corpus). */
char *corpus_read_optional(const char *name, size_t *len);

/* One MANIFEST.tsv row: the program file, then its inputs, outputs and BLOBFILE references, each a
 * space-separated list of entries ("-" for none), as written in the manifest. */
typedef struct corpus_row {
    char *file, *inputs, *outputs, *blobs;
} corpus_row;

/* The rows after the header into rows (at most max), pointing into *text (malloc'd: free it after use).
 * Returns how many, or -1 after test_skip() (corpus absent) or a test failure (unreadable, a row without
 * four columns, more than max rows); *text is then NULL. */
int corpus_manifest(char **text, corpus_row *rows, int max);

/* One entry "name:dtype[d0,d1,...]"; for a BLOBFILE reference the name is "path@offset". */
typedef struct corpus_spec {
    char name[256];
    char dtype[16];
    int64_t count; /* elements */
} corpus_spec;

/* The entries of one column into out (at most max); how many, or -1 when one is malformed. */
int corpus_specs(const char *column, corpus_spec *out, int max);

/* A uniform value in [-1, 1) from a linear congruential generator: the same numbers on every platform. */
float corpus_random(uint32_t *state);

/* Weight files for a BLOBFILE column: one blob storage v2 file per distinct path, holding at each
 * reference's offset a metadata record and right after it a payload of fixed random values (fp16 and fp32
 * in [-0.5, 0.5), int8 in [-8, 8]). Laid out to pass straight to ane_bridge_compile_ex. */
enum { CORPUS_MAX_FILES = 16 };
typedef struct corpus_weights {
    int n;
    const char *names[CORPUS_MAX_FILES];
    uint8_t *datas[CORPUS_MAX_FILES];
    size_t lens[CORPUS_MAX_FILES];
    char paths[CORPUS_MAX_FILES][256];
} corpus_weights;

/* 0, or -1 when a reference is malformed or of another dtype (w is then freed). */
int corpus_weights_build(const char *blobs_column, corpus_weights *w);
void corpus_weights_free(corpus_weights *w);

#endif
