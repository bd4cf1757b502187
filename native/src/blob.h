/* MIL blob storage v2 (weight files): building and validated reading. Layout, little-endian, 64-byte
 * records: file header {u32 count, u32 version = 2, reserved to 64}; per tensor a metadata record
 * {u32 sentinel 0xDEADBEEF, u32 data type (ane_dtype codes), u64 payload bytes, u64 absolute payload
 * offset, reserved to 64} followed by its payload. A MIL BLOBFILE offset points at the metadata record. */
#ifndef ANE4J_BLOB_H
#define ANE4J_BLOB_H

#include <stddef.h>
#include <stdint.h>

#define ANE_BLOB_SENTINEL 0xDEADBEEFu

/* Locate the tensor whose metadata record is at `offset` in a weight file of `len` bytes and check it:
 * version 2, sentinel, data type `dtype` (an ane_dtype code), payload of exactly `payload_bytes` bytes
 * inside the file. On success returns 0 and sets *payload; otherwise sets the last error
 * (ANE_ERR_COMPILE, naming `name`) and returns -1. */
int ane_blob_tensor(const uint8_t *file, size_t len, const char *name, uint64_t offset, int dtype,
                    uint64_t payload_bytes, const uint8_t **payload);

/* The rule for BLOBFILE paths and weight names: "@model_path/" then a plain relative path, its components
 * made of letters, digits, '.', '_' and '-' (no component of dots only, no empty one, no other character),
 * its first component not a file the compiled model keeps at the top of its folder (model.mil, net.plist,
 * data).
 * Returns NULL when path follows it, else why ("must start with ...") written into why. */
const char *ane_blob_path_problem(const char *path, char *why, size_t n);

/* ane_blob_path_problem for a weight name given to a compile: 0, or -1 with ANE_ERR_INVALID_ARGUMENT. */
int ane_blob_check_path(const char *path);

#endif
