/*
 * ane_bridge.h — the C ABI of ane4j's native bridge.
 *
 * A superset of the upstream research bridge's ane_bridge.h: every upstream function keeps its exact name
 * and signature, so C programs and Python ctypes scripts written against it work unchanged. Everything
 * after "ane4j additions" is new.
 *
 * Backends. One library holds one or more backends: "reference" (portable CPU interpreter, always present)
 * and, on macOS arm64, "ane" (AppleNeuralEngine.framework). A kernel handle remembers the backend that
 * compiled it. The process-wide default backend is chosen by ane_bridge_select_backend(); it starts as
 * "auto" = "ane" when available, else "reference". The environment variable ANE4J_BACKEND, read once by
 * ane_bridge_init(), can preset it.
 *
 * Errors. Every function below except ane_bridge_last_error*() first clears the calling thread's last
 * error, then, if it fails, records a code and a message. Functions that cannot return a failure
 * (upstream's void functions) report it only there, so a caller can check ane_bridge_last_error_code()
 * after any call. Nothing is printed to stderr. Misuse (NULL handles, bad indices, sizes that do not
 * match, counts that disagree with the MIL signature) is refused with ANE_ERR_INVALID_ARGUMENT and never
 * writes past a buffer.
 *
 * Threads. Global state (backend selection, compile count, compile cache) is synchronised. A kernel
 * handle is not thread-safe: use each handle from one thread at a time. Passing a handle after
 * ane_bridge_free() is undefined behaviour, as with free().
 *
 * Surfaces. Each function parameter of the MIL program is one input surface (activations first, then
 * dynamic weights), each returned value one output surface, in order. A surface holds the tensor dense
 * and row-major in the declared dtype (fp16: 2 bytes, fp32: 4 bytes, int32: 4, int8: 1), 64-byte aligned,
 * zero-initialised at compile. Its byte size is exactly element count x dtype size (a backend may reserve
 * more memory behind it, as the ANE backend does; only those first bytes are the tensor).
 */
#ifndef ANE_BRIDGE_H
#define ANE_BRIDGE_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Opaque compiled kernel: a program, its surfaces and the backend that runs it. */
typedef struct ANEKernelHandle ANEKernelHandle;

/* ======================================================================================================
 * Upstream-compatible functions
 * ==================================================================================================== */

/**
 * Initialise the library: register backends, probe the ANE, read ANE4J_BACKEND. Idempotent and
 * thread-safe; every other function initialises lazily, so calling it is optional.
 * Returns 0 when at least one backend is usable (always true: the reference backend is), -1 otherwise.
 */
int ane_bridge_init(void);

/**
 * Compile a MIL program on the default backend. weight_data (may be NULL when weight_len is 0) is the
 * single weight file "@model_path/weights/weight.bin". n_inputs/n_outputs must equal the number of
 * function parameters / returned values; input_sizes/output_sizes give each surface's byte size, which
 * must equal the size derived from the MIL signature (either array may be NULL: sizes are then derived).
 * Returns NULL on failure; a malformed program sets ANE_ERR_COMPILE with its line and column.
 */
ANEKernelHandle *ane_bridge_compile(const char *mil_text, size_t mil_len,
                                    const uint8_t *weight_data, size_t weight_len,
                                    int n_inputs, const size_t *input_sizes,
                                    int n_outputs, const size_t *output_sizes);

/**
 * As ane_bridge_compile, with n_weights named weight files. weight_names[i] is the BLOBFILE path exactly
 * as written in the MIL (e.g. "@model_path/weights/wq.bin"): a plain relative path under "@model_path/"
 * made of letters, digits and ._-/ (no component of dots only, no empty one); names that name the compiled
 * model's own files ("@model_path/model.mil", ".../net.plist", ".../data", or anything under them) are
 * refused. The library copies what it needs; the arrays may be freed on return.
 */
ANEKernelHandle *ane_bridge_compile_multi_weights(const char *mil_text, size_t mil_len,
                                                  const char **weight_names, const uint8_t **weight_datas,
                                                  const size_t *weight_lens, int n_weights,
                                                  int n_inputs, const size_t *input_sizes,
                                                  int n_outputs, const size_t *output_sizes);

/**
 * Compile with dynamic weights: the program's first n_inputs parameters are activation inputs, the next
 * n_weights are weight surfaces (written with ane_bridge_write_weight*, kept across evals), and it returns
 * exactly one value of output_size bytes. n_inputs + n_weights must equal the parameter count.
 */
ANEKernelHandle *ane_bridge_compile_dyn(const char *mil_text, size_t mil_len,
                                        int n_inputs, const size_t *input_sizes,
                                        int n_weights, const size_t *weight_sizes,
                                        size_t output_size);

/** Run the kernel once, synchronously. Returns false on failure (the reason is in the last error). */
bool ane_bridge_eval(ANEKernelHandle *kernel);

/** Copy bytes into input surface idx. bytes must not exceed the surface size; a shorter write fills the
 *  prefix. Refused (nothing written) on a bad handle, index or size. */
void ane_bridge_write_input(ANEKernelHandle *kernel, int idx, const void *data, size_t bytes);

/** Copy the first bytes of output surface idx into data. bytes must not exceed the surface size. */
void ane_bridge_read_output(ANEKernelHandle *kernel, int idx, void *data, size_t bytes);

/** Copy bytes of fp16 (raw) data into dynamic weight surface idx; same rules as write_input. */
void ane_bridge_write_weight(ANEKernelHandle *kernel, int idx, const void *fp16_data, size_t bytes);

/** Write count floats into dynamic weight surface idx, converted to the surface's dtype (fp16: rounded to
 *  nearest even; fp32: copied). count elements must fit the surface. */
void ane_bridge_write_weight_f32(ANEKernelHandle *kernel, int idx, const float *fp32_data, size_t count);

/** Copy src's output src_out_idx into dst's input dst_in_idx. Unlike upstream, the two surfaces must have
 *  the same byte size; otherwise nothing is copied. */
void ane_bridge_copy_io(ANEKernelHandle *src, int src_out_idx, ANEKernelHandle *dst, int dst_in_idx);

/** Bracket a burst of evals for lower latency jitter (ANE backend; no-op on the reference backend).
 *  Calls nest; each begin needs one end. */
void ane_bridge_begin_realtime(void);
void ane_bridge_end_realtime(void);

/** Release a kernel: its backend state and every surface no other kernel aliases. NULL is ignored. */
void ane_bridge_free(ANEKernelHandle *kernel);

/** Number of real compiles in this process, on every backend (compile-cache hits, and ANE programs loaded
 *  without compiling because the ANE still held them, do not count), and its reset. */
int ane_bridge_get_compile_count(void);
void ane_bridge_reset_compile_count(void);

/**
 * Weight blob builders: return a malloc'd MIL blob storage v2 file holding one tensor (64-byte file
 * header, 64-byte metadata record at offset 64, payload at offset 128), and set *out_len. Reference it in
 * MIL with offset=uint64(64). Release with ane_bridge_free_blob. Return NULL (and *out_len = 0) on bad
 * arguments or overflow.
 *   _build_weight_blob:            fp16 payload, src[r][c] at r*cols + c.
 *   _build_weight_blob_transposed: fp16 payload of the transpose, src[r][c] at c*rows + r.
 *   _build_weight_blob_int8:       int8 payload (data type 4), src copied as is.
 *   _build_weight_blob_quantized:  symmetric int8 quantisation with one scale for the whole tensor,
 *                                  scale = max|src| / 127 (1 when that is 0), q = round(src / scale) clamped
 *                                  to [-128, 127]; *out_scale receives the scale.
 */
uint8_t *ane_bridge_build_weight_blob(const float *src, int rows, int cols, size_t *out_len);
uint8_t *ane_bridge_build_weight_blob_transposed(const float *src, int rows, int cols, size_t *out_len);
uint8_t *ane_bridge_build_weight_blob_int8(const int8_t *src, int rows, int cols, size_t *out_len);
uint8_t *ane_bridge_build_weight_blob_quantized(const float *src, int rows, int cols,
                                                float *out_scale, size_t *out_len);
void ane_bridge_free_blob(void *ptr);

/* ======================================================================================================
 * ane4j additions
 * ==================================================================================================== */

/** Library version, e.g. "0.1.0", and the ABI level (bumped when functions are added). */
#define ANE_BRIDGE_ABI_VERSION 4
const char *ane_bridge_version(void);
int ane_bridge_abi_version(void);

/* ---- Errors ---------------------------------------------------------------------------------------- */

/** Error codes recorded in the calling thread's last error. */
typedef enum ane_error_code {
    ANE_OK = 0,
    ANE_ERR_INVALID_ARGUMENT = 1, /* bad handle, index, size, count or name; nothing was done */
    ANE_ERR_COMPILE = 2,          /* the MIL program was rejected (parse, type or shape error)  */
    ANE_ERR_EVAL = 3,             /* evaluation failed                                          */
    ANE_ERR_UNAVAILABLE = 4,      /* the requested backend cannot be used here                   */
    ANE_ERR_OUT_OF_MEMORY = 5,
    ANE_ERR_INTERNAL = 6,         /* a backend failure not covered above (e.g. an OS call)     */
    ANE_ERR_COMPILE_BUDGET = 7    /* the ANE compile budget of this process is spent (see below) */
} ane_error_code;

/** The calling thread's last error code; ANE_OK when its last call succeeded. Does not clear it. */
int ane_bridge_last_error_code(void);

/** The calling thread's last error message, or NULL when its last call succeeded. The string stays valid
 *  until this thread's next call into the library. Does not clear it. */
const char *ane_bridge_last_error(void);

/** For ANE_ERR_COMPILE caused by the MIL text: its 1-based line and column (0 when not tied to a place).
 *  Either pointer may be NULL. Returns 1 when a position is known, else 0. Does not clear the error. */
int ane_bridge_last_error_position(int *line, int *column);

/* ---- Backends -------------------------------------------------------------------------------------- */

/** 1 when the named backend ("reference", "ane") is compiled in and usable on this machine, else 0; when
 *  0, the last error says why. "auto" is always available. */
int ane_bridge_backend_available(const char *name);

/** Set the process-wide default backend for compiles that do not name one: "auto", "ane" or
 *  "reference". Returns 0, or -1 (default unchanged) for an unknown or unavailable backend. */
int ane_bridge_select_backend(const char *name);

/** Name of the backend the default resolves to now ("ane" or "reference"); static storage. */
const char *ane_bridge_backend_name(void);

/** Name of the backend that compiled kernel ("ane" or "reference"), or NULL for a NULL kernel. */
const char *ane_bridge_kernel_backend(const ANEKernelHandle *kernel);

/* ---- General compile ------------------------------------------------------------------------------- */

/**
 * The general compile every other compile is a case of. backend: "auto", "ane", "reference", or NULL for
 * the process default. BLOBFILE weights as in compile_multi_weights (n_weight_files may be 0 and the
 * arrays NULL). The first n_inputs parameters are activation inputs, the next n_weights dynamic weight
 * surfaces; n_inputs + n_weights must equal the parameter count and n_outputs the number of returned
 * values. Any sizes array may be NULL (sizes derived from the MIL signature); given sizes must match it.
 */
ANEKernelHandle *ane_bridge_compile_ex(const char *backend, const char *mil_text, size_t mil_len,
                                       const char **weight_names, const uint8_t **weight_datas,
                                       const size_t *weight_lens, int n_weight_files,
                                       int n_inputs, const size_t *input_sizes,
                                       int n_weights, const size_t *weight_sizes,
                                       int n_outputs, const size_t *output_sizes);

/** compile_dyn with several outputs, on the default backend. */
ANEKernelHandle *ane_bridge_compile_dyn_multi(const char *mil_text, size_t mil_len,
                                              int n_inputs, const size_t *input_sizes,
                                              int n_weights, const size_t *weight_sizes,
                                              int n_outputs, const size_t *output_sizes);

/* ---- ANE compile budget ---------------------------------------------------------------------------- */

/**
 * AppleNeuralEngine's compiler fails silently, then crashes the process, after about 119 compiles in one
 * process. The "ane" backend therefore counts its real compiles (compiler calls; loading a program the
 * ANE still holds, and compile-cache hits, do not count) and refuses the next one once the count reaches
 * the budget, with ANE_ERR_COMPILE_BUDGET and nothing sent to the compiler. The count is never reset:
 * only a new process starts again. Default budget: 110. Other backends ignore it.
 */
int ane_bridge_get_compile_budget(void);

/** Set the budget (0 refuses every further ANE compile). Returns 0, or -1 for a negative budget. Raising
 *  it past about 119 risks the crash the budget exists to avoid. */
int ane_bridge_set_compile_budget(int budget);

/** Real ANE compiles made so far in this process (attempts included, successful or not). */
int ane_bridge_get_compile_budget_used(void);

/* ---- Surfaces -------------------------------------------------------------------------------------- */

/** Which of a kernel's surfaces an accessor addresses. */
typedef enum ane_surface_kind {
    ANE_SURFACE_INPUT = 0,  /* activation inputs: the first n_inputs function parameters */
    ANE_SURFACE_WEIGHT = 1, /* dynamic weights: the parameters after them                */
    ANE_SURFACE_OUTPUT = 2  /* returned values                                           */
} ane_surface_kind;

/** Element types of surfaces, with MIL blob storage data type codes. */
typedef enum ane_dtype {
    ANE_DTYPE_FP16 = 1,
    ANE_DTYPE_FP32 = 2,
    ANE_DTYPE_UINT8 = 3,
    ANE_DTYPE_INT8 = 4,
    ANE_DTYPE_INT32 = 14
} ane_dtype;

/** Number of surfaces of a kind, or -1 on a bad handle or kind. */
int ane_bridge_surface_count(const ANEKernelHandle *kernel, int kind);

/** Byte size of a surface, or 0 on a bad handle, kind or index. */
size_t ane_bridge_surface_size(const ANEKernelHandle *kernel, int kind, int idx);

/** ane_dtype of a surface, or 0 on a bad handle, kind or index. */
int ane_bridge_surface_dtype(const ANEKernelHandle *kernel, int kind, int idx);

/** Base address of a surface, stable for the surface's life (until the last kernel using it is freed),
 *  or NULL on bad arguments. CPU access must happen between lock and unlock, unless
 *  ane_bridge_surface_needs_lock says the kernel's surfaces need none. */
void *ane_bridge_surface_pointer(const ANEKernelHandle *kernel, int kind, int idx);

/** Lock a surface for CPU access (read_only != 0 for reads only) and return its base address, or NULL.
 *  Every successful lock needs one unlock with the same read_only. Locks nest. Evaluating while a surface
 *  of the kernel is locked for writing is allowed but its contents are then unspecified. */
void *ane_bridge_surface_lock(ANEKernelHandle *kernel, int kind, int idx, int read_only);

/** Undo one lock. Returns 0, or -1 on bad arguments or when the surface was not locked. */
int ane_bridge_surface_unlock(ANEKernelHandle *kernel, int kind, int idx, int read_only);

/**
 * Make dst's surface (dst_kind, dst_idx) be src's surface (src_kind, src_idx): the same memory, no copy.
 * Typical use: src's output as dst's input, so a chain of kernels passes activations without memcpy.
 * Both kernels must use the same backend and the surfaces must have the same byte size and dtype. The
 * surface lives until every kernel using it is freed; dst's previous surface is released. Returns 0, or -1.
 */
int ane_bridge_alias_surface(ANEKernelHandle *src, int src_kind, int src_idx,
                             ANEKernelHandle *dst, int dst_kind, int dst_idx);

/** Read count elements of output idx as floats (fp16 converted, fp32 copied, int types converted). */
void ane_bridge_read_output_f32(ANEKernelHandle *kernel, int idx, float *data, size_t count);

/** Write count floats into input idx, converted to the surface's dtype as write_weight_f32 does. */
void ane_bridge_write_input_f32(ANEKernelHandle *kernel, int idx, const float *data, size_t count);

/* ---- fp16 ------------------------------------------------------------------------------------------ */

/** Convert n values between binary32 and binary16 (round to nearest even; NaN stays NaN; overflow gives
 *  infinity). Vectorised where the CPU allows. Buffers must not overlap. */
void ane_bridge_fp32_to_fp16(const float *src, uint16_t *dst, size_t n);
void ane_bridge_fp16_to_fp32(const uint16_t *src, float *dst, size_t n);

/* ---- Element transfers (ABI level 3) --------------------------------------------------------------- */

/**
 * Write count elements into surface (kind, idx), starting at its element first, in one call that locks
 * the surface, copies or converts and unlocks it. src holds the values as src_dtype: the surface's own
 * dtype (copied as they are) or ANE_DTYPE_FP32 (converted as write_input_f32 does: fp16 rounded to
 * nearest even, integers rounded and saturated). first + count must not exceed the surface's element
 * count; src may be NULL when count is 0. Returns 0, or -1 with nothing written (bad handle, kind,
 * index, dtype or range, NULL src).
 */
int ane_bridge_surface_write(ANEKernelHandle *kernel, int kind, int idx, size_t first,
                             const void *src, int src_dtype, size_t count);

/**
 * Read count elements of surface (kind, idx), starting at its element first, into dst as dst_dtype: the
 * surface's own dtype (copied) or ANE_DTYPE_FP32 (converted as read_output_f32 does). Same rules and
 * result as surface_write; the surface is locked for reading only.
 */
int ane_bridge_surface_read(ANEKernelHandle *kernel, int kind, int idx, size_t first,
                            void *dst, int dst_dtype, size_t count);

/**
 * 1 when CPU access to the kernel's surfaces must happen between ane_bridge_surface_lock and _unlock (the
 * ANE backend: IOSurfaces); 0 when they are plain CPU memory that the caller may read and write through
 * ane_bridge_surface_pointer at any time outside an eval without locking (the reference backend);
 * -1 for a NULL kernel. Fixed for the kernel's life.
 */
int ane_bridge_surface_needs_lock(const ANEKernelHandle *kernel);

/* ---- Limits (ABI level 4) ----------------------------------------------------------------------- */

/**
 * Bounds on what one program may ask for, so that a program from an untrusted source is refused with a
 * clear error instead of exhausting memory. Every size is checked, with overflow-checked arithmetic,
 * before anything is allocated for it. A program past a limit is refused with ANE_ERR_COMPILE, the line
 * and column of the cause, and a message naming the limit, its value and how to raise it.
 *
 * Limits are process-wide and thread-safe; a new value applies to compiles that start afterwards (the
 * idle-cache bound at once). The defaults fit a real model with room to spare: a Stories110M layer (dim
 * 768, hidden 2048, seq 256) uses under 2 % of each, a whole 12-layer model with BLOBFILE weights (341 MB
 * as the reference backend holds them) a twelfth of the kernel bytes.
 */
typedef enum ane_limit {
    ANE_LIMIT_SURFACE_BYTES = 0,     /* bytes of one input, weight or output surface         default 1 GiB   */
    ANE_LIMIT_KERNEL_BYTES = 1,      /* bytes of all surfaces, constants and working memory
                                        of one kernel, as the backend holds them              default 4 GiB   */
    ANE_LIMIT_CONSTANT_ELEMENTS = 2, /* elements of one constant (literal or BLOBFILE tensor)  default 2^28    */
    ANE_LIMIT_STATEMENTS = 3,        /* statements of one program, all functions together     default 100 000 */
    ANE_LIMIT_NESTING_DEPTH = 4,     /* brackets nested in one another                         default 64      */
    ANE_LIMIT_LIST_ENTRIES = 5,      /* entries of one list: values of a literal, arguments or
                                        attributes of a statement, parameters, results,
                                        outputs, names of a tuple, functions, weight files     default 2^20    */
    ANE_LIMIT_IDLE_CACHE_BYTES = 6   /* memory the compile cache keeps for programs no live
                                        kernel uses (parsed text, plans, constants); 0 keeps
                                        none. At most 64 such programs are kept in any case.   default 512 MiB */
} ane_limit;

/** The current value of a limit, or -1 (ANE_ERR_INVALID_ARGUMENT) for an unknown one. */
int64_t ane_bridge_get_limit(int limit);

/** The default value of a limit, or -1 (ANE_ERR_INVALID_ARGUMENT) for an unknown one. */
int64_t ane_bridge_default_limit(int limit);

/**
 * Set a limit. value must be at least 1 (at least 0 for ANE_LIMIT_IDLE_CACHE_BYTES) and, for the counts
 * (statements, nesting depth, list entries), at most INT32_MAX. Lowering ANE_LIMIT_IDLE_CACHE_BYTES
 * frees idle programs beyond it at once. Returns 0, or -1 (ANE_ERR_INVALID_ARGUMENT, nothing changed).
 */
int ane_bridge_set_limit(int limit, int64_t value);

#ifdef __cplusplus
}
#endif

#endif /* ANE_BRIDGE_H */
