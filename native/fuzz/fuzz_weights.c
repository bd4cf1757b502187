/* libFuzzer target: weight files through ane_bridge_compile_multi_weights (names checked, files indexed,
 * BLOBFILE tensors read and checked), then eval. Input layout: fuzz_unpack in fuzz_support.h. */
#include <stddef.h>
#include <stdint.h>

#include "ane_bridge.h"
#include "fuzz_support.h"

enum { MAX_FILES = 8 };

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    fuzz_set_limits();
    ane_bridge_select_backend("reference");
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *mil, *names[MAX_FILES];
    const uint8_t *datas[MAX_FILES];
    size_t mil_len, lens[MAX_FILES];
    char names_buf[MAX_FILES][256];
    int n = fuzz_unpack(data, size, &mil, &mil_len, MAX_FILES, names_buf, names, datas, lens);
    /* First the upstream entry point with every parameter an input; then the same through compile_ex with
     * some parameters as dynamic weights, evaluated. */
    ANEKernelHandle *k = ane_bridge_compile_multi_weights(mil, mil_len, names, datas, lens, n, 0, NULL, 1, NULL);
    if (k) ane_bridge_free(k);
    else fuzz_check_error("compile_multi_weights");
    fuzz_compile_and_run(mil, mil_len, n, names, datas, lens, (unsigned)size);
    return 0;
}
