/* Shared by the libFuzzer targets: small limits, and one compile -> eval -> free round on the reference
 * backend with checks of the library's promises (an error always has a code and a valid UTF-8 message). */
#ifndef ANE4J_FUZZ_SUPPORT_H
#define ANE4J_FUZZ_SUPPORT_H

#include <stddef.h>
#include <stdint.h>

/* Limits small enough that every input compiles and evaluates within the per-input time and memory
 * limits of run.sh, large enough for the test programs the seeds come from. */
void fuzz_set_limits(void);

/* Compile mil with the given weight files on the reference backend (parameters split into inputs and
 * dynamic weights by `split`), and when that succeeds write every input and weight, evaluate twice and
 * read every output. Aborts (a finding) when the library breaks a promise. */
void fuzz_compile_and_run(const char *mil, size_t len, int n_files, const char **names, const uint8_t **datas,
                          const size_t *lens, unsigned split);

/* Abort unless the calling thread's last error is set, with a message that is valid UTF-8 and free of
 * control characters. */
void fuzz_check_error(const char *after);

/* Input container of the weights target (the seed tap writes it):
 *   u32 mil_len, mil_len bytes of MIL, then per file: u8 name_len, name bytes, u32 data_len, data bytes.
 * Little-endian. Lengths past the end of the input are cut to what is there. Returns the number of files
 * (at most max_files), filling the arrays with pointers into `data` / `names_buf` (NUL-terminated names). */
int fuzz_unpack(const uint8_t *data, size_t size, const char **mil, size_t *mil_len, int max_files,
                char names_buf[][256], const char **names, const uint8_t **datas, size_t *lens);

#endif
