/* Helpers shared by the reference backend tests: compile through the public ABI on "reference", run
 * with float inputs, and an fp16 rounding written independently of the library's. */
#ifndef ANE4J_TEST_REFERENCE_HARNESS_H
#define ANE4J_TEST_REFERENCE_HARNESS_H

#include <stddef.h>
#include <stdint.h>

#include "ane_bridge.h"

/* "program(1.3)\n{\n    func main<ios18>(PARAMS) {\n": statements then start on line 4. */
#define MIL_MAIN(params) "program(1.3)\n{\n    func main<ios18>(" params ") {\n"
#define MIL_END(outs) "    } -> (" outs ");\n}\n"

/* Compile on the reference backend with n_inputs activation inputs and optional weight files; on
 * failure records a test failure with the library's message and returns NULL. */
ANEKernelHandle *ref_compile(const char *mil, int n_inputs, int n_outputs);
ANEKernelHandle *ref_compile_files(const char *mil, int n_inputs, int n_outputs, int n_files, const char **names,
                                   const uint8_t **datas, const size_t *lens);
/* Compile expecting failure: returns the error code (0 if it compiled, which is then freed). */
int ref_compile_error(const char *mil, int n_inputs, int n_outputs, int n_files, const char **names,
                      const uint8_t **datas, const size_t *lens);

/* Write inputs[i] (counts[i] floats, converted to the surface dtype), eval; 1 on success, else records a
 * failure. */
int ref_eval(ANEKernelHandle *k, const float *const *inputs, const size_t *counts, int n_inputs);
/* Read count elements of output j as floats; 1 on success, else records a failure. */
int ref_read(ANEKernelHandle *k, int j, float *out, size_t count);
/* Compile, run with one input list, read output 0, free. 1 on success. */
int ref_run(const char *mil, const float *const *inputs, const size_t *counts, int n_inputs, float *out,
            size_t out_count);

/* Check out[i] against want[i] within tol (absolute); names the first mismatching index. */
void ref_check_all(const float *want, const float *got, size_t n, double tol, const char *what);
/* Read output j (n elements, as floats) and ref_check_all it against want. */
void ref_check_output(ANEKernelHandle *k, int j, const float *want, size_t n, double tol, const char *what);

/* x rounded to the nearest binary16 value (ties to even), as a double: the test's own model. */
double ref_fp16_round(double x);

/* A MIL blob storage v2 file with one tensor at metadata offset 64 (payload at 128), built by the test. */
uint8_t *ref_blob_file(uint32_t dtype_code, const void *payload, size_t payload_bytes, size_t *len);

#endif
