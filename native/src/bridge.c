/* Library initialisation and identity. */
#include "backends.h"
#include "error.h"

#define ANE_BRIDGE_VERSION "0.1.0"

int ane_bridge_init(void) {
    ane_error_clear();
    int r = ane_backends_init();
    int code;
    const char *problem = ane_backends_preset_problem(&code);
    if (problem) ane_error_set((ane_error_code)code, "%s", problem); /* reported, though the default works */
    return r;
}

const char *ane_bridge_version(void) {
    ane_error_clear();
    return ANE_BRIDGE_VERSION;
}

int ane_bridge_abi_version(void) {
    ane_error_clear();
    return ANE_BRIDGE_ABI_VERSION;
}
