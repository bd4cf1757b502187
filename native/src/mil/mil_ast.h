/* The full AST of a parsed MIL program (what mil_parse builds). Every node records the 1-based line and
 * column where it starts so later stages (type checking, execution planning) can report positions.
 * All memory belongs to the mil_program and is released by mil_program_free. */
#ifndef ANE4J_MIL_AST_H
#define ANE4J_MIL_AST_H

#include "mil.h"

typedef struct mil_pos { int line, column; } mil_pos;

typedef enum mil_literal_form {
    MIL_LIT_SCALAR,   /* int32(1), fp16(0x1p-3), bool(true), string("x"), tensor<int32, []>(1), bare true */
    MIL_LIT_LIST,     /* tensor<int32, [4]>([0,1,3,2]), tensor<fp16, [1,1,3,3]>([...])                  */
    MIL_LIT_BLOBFILE, /* tensor<fp16, [O,I,1,1]>(BLOBFILE(path=string("..."), offset=uint64(64)))         */
    MIL_LIT_DICT      /* dict<string, string>({{"k", "v"}, ...})                                           */
} mil_literal_form;

typedef struct mil_literal {
    mil_type type;          /* the declared type; for dicts, dtype MIL_STRING and is_tensor 0             */
    mil_literal_form form;
    mil_pos pos;
    /* SCALAR / LIST of numbers or bools: values as doubles (bools 0/1; int32 and uint64 offsets exact),
     * count == element count of the declared type (checked by the parser). */
    size_t count;
    double *values;
    /* SCALAR / LIST of strings: count strings. */
    char **strings;
    /* BLOBFILE */
    char *blob_path;
    uint64_t blob_offset;
    /* DICT: n_pairs key/value strings */
    int n_pairs;
    char **dict_keys, **dict_values;
} mil_literal;

typedef enum mil_arg_kind {
    MIL_ARG_NAME,    /* x=x : a reference to an earlier value                 */
    MIL_ARG_LITERAL, /* transpose_y=true, mode=string("TANH_APPROXIMATION")   */
    MIL_ARG_TUPLE    /* values=(a, b, c)                                      */
} mil_arg_kind;

typedef struct mil_arg {
    char *key;
    mil_arg_kind kind;
    mil_pos pos;          /* of the value */
    char *name;           /* MIL_ARG_NAME */
    mil_literal literal;  /* MIL_ARG_LITERAL */
    int n_names;          /* MIL_ARG_TUPLE */
    char **names;
    mil_pos *name_pos;
} mil_arg;

typedef struct mil_attr {
    char *key;
    mil_pos pos;
    mil_literal value;
} mil_attr;

typedef struct mil_stmt {
    int n_results;          /* 1, or more for multi-output ops such as split */
    mil_type *result_types;
    char **result_names;
    mil_pos *result_pos;
    char *op;
    mil_pos pos;            /* of the op name */
    int n_args;
    mil_arg *args;
    int n_attrs;            /* 0 when the [ ... ] block is absent */
    mil_attr *attrs;
} mil_stmt;

typedef struct mil_param {
    mil_type type;
    char *name;
    mil_pos pos;
} mil_param;

typedef struct mil_function {
    char *name;
    char *opset;            /* "ios18" */
    mil_pos pos;
    int n_params;
    mil_param *params;
    int n_stmts;
    mil_stmt *stmts;
    int n_outputs;
    char **outputs;
    mil_pos *output_pos;
    mil_type *output_types; /* the declared type of each returned value */
} mil_function;

struct mil_program {
    char *version;          /* "1.3" as written */
    int n_attrs;            /* program attributes, e.g. buildInfo */
    mil_attr *attrs;
    int n_functions;        /* >= 1; function 0 is "main" when present, else the first */
    mil_function *functions;
    int n_blob_paths;       /* distinct BLOBFILE paths, in order of first appearance */
    char **blob_paths;
    size_t bytes;           /* heap memory the program holds, with an estimate of the allocator's overhead */
};

/* The function mil_param_count & co. describe. */
const mil_function *mil_main(const mil_program *p);
/* Lookups by key; NULL when absent. */
const mil_arg *mil_stmt_arg(const mil_stmt *s, const char *key);
const mil_attr *mil_stmt_attr(const mil_stmt *s, const char *key);

#endif
