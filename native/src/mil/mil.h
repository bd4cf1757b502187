/* MIL text programs: the parser's output, shared by the core (signature, BLOBFILE references) and the
 * reference backend (everything). Grammar: docs of the upstream dialect, section 1.9. */
#ifndef ANE4J_MIL_H
#define ANE4J_MIL_H

#include <stddef.h>
#include <stdint.h>

#define MIL_MAX_RANK 8

typedef enum mil_dtype {
    MIL_FP16, MIL_FP32, MIL_INT32, MIL_INT8, MIL_UINT8, MIL_UINT4, MIL_BOOL, MIL_STRING, MIL_UINT64,
    MIL_INT16, MIL_UINT16
} mil_dtype;

/* A value's type: a tensor (rank >= 0, static dims) or a scalar (is_tensor == 0, rank 0). */
typedef struct mil_type {
    mil_dtype dtype;
    int is_tensor;
    int rank;
    int64_t dims[MIL_MAX_RANK];
} mil_type;

typedef struct mil_program mil_program; /* opaque here; mil_ast.h has the full AST */

typedef struct mil_parse_error {
    int line, column;   /* 1-based; 0 when not tied to a place */
    char message[256];
} mil_parse_error;

/* Parse MIL text (not NUL-terminated; len bytes). Returns NULL and fills *err on a syntax error. */
mil_program *mil_parse(const char *text, size_t len, mil_parse_error *err);
void mil_program_free(mil_program *p);

/* The function "main" (the only or the first function). */
int mil_param_count(const mil_program *p);
const char *mil_param_name(const mil_program *p, int i);
const mil_type *mil_param_type(const mil_program *p, int i);
int mil_output_count(const mil_program *p);
const char *mil_output_name(const mil_program *p, int i);
/* Declared type of returned value i (the type of the statement or parameter it names). */
const mil_type *mil_output_type(const mil_program *p, int i);

/* Distinct BLOBFILE paths referenced anywhere in the program, as written. */
int mil_blobfile_count(const mil_program *p);
const char *mil_blobfile_path(const mil_program *p, int i);

/* Bytes per element of a dtype (uint4: 0, string/bool as stored by the interpreter: see mil_ast.h). */
size_t mil_dtype_size(mil_dtype dt);
const char *mil_dtype_name(mil_dtype dt);
/* Element count of a tensor type (1 for scalars); -1 on overflow. */
int64_t mil_type_count(const mil_type *t);

#endif
