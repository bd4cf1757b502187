/* libFuzzer target: MIL text -> compile on the reference backend -> eval with small inputs -> free. */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_support.h"

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    fuzz_set_limits();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    /* The split of parameters into inputs and dynamic weights comes from the text's length. */
    fuzz_compile_and_run((const char *)data, size, 0, NULL, NULL, NULL, (unsigned)size);
    return 0;
}
