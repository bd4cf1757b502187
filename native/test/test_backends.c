/* The ANE4J_BACKEND preset, read once per process: checked in fresh copies of this runner. */
#include <stdlib.h>
#include <string.h>

#include "ane_bridge.h"
#include "test.h"

#define CHILD_MARK "ANE4J_TEST_PRESET_CHILD"

/* In the child: what init and the default report for the preset in the environment. */
static void check_preset_in_this_process(const char *preset) {
    int r = ane_bridge_init();
    CHECK_EQ_INT(0, r);
    const char *auto_choice = ane_bridge_backend_available("ane") ? "ane" : "reference";
    ane_bridge_init();
    if (!strcmp(preset, "reference")) {
        CHECK_EQ_INT(ANE_OK, ane_bridge_last_error_code());
        CHECK(!strcmp("reference", ane_bridge_backend_name()));
    } else if (!strcmp(preset, "ane") && !strcmp(auto_choice, "reference")) {
        CHECK_EQ_INT(ANE_ERR_UNAVAILABLE, ane_bridge_last_error_code());
        CHECK(strstr(ane_bridge_last_error(), "ANE4J_BACKEND=ane ignored: the ane backend") != NULL);
        CHECK(!strcmp("reference", ane_bridge_backend_name()));
    } else if (!strcmp(preset, "bogus")) {
        CHECK_EQ_INT(ANE_ERR_INVALID_ARGUMENT, ane_bridge_last_error_code());
        CHECK(strstr(ane_bridge_last_error(), "ANE4J_BACKEND=bogus ignored: unknown backend 'bogus'") != NULL);
        CHECK(!strcmp(auto_choice, ane_bridge_backend_name()));
    }
    /* the preset is only a default: selecting still works */
    CHECK_EQ_INT(0, ane_bridge_select_backend("reference"));
    CHECK(!strcmp("reference", ane_bridge_backend_name()));
}

TEST(backends_preset_from_the_environment) {
    if (getenv(CHILD_MARK)) {
        check_preset_in_this_process(getenv("ANE4J_BACKEND"));
        return;
    }
    static const char *const children[][3] = {
        { CHILD_MARK "=1", "ANE4J_BACKEND=reference" },
        { CHILD_MARK "=1", "ANE4J_BACKEND=ane" },
        { CHILD_MARK "=1", "ANE4J_BACKEND=bogus" },
    };
    for (int i = 0; i < 3; i++) {
        int status = test_run_self("backends_preset_from_the_environment", children[i]);
        if (status < 0) {
            test_skip("re-running the test runner needs /proc/self/exe (Linux)");
            return;
        }
        CHECK_MSG(status == 0, "%s: child runner exit status %d", children[i][1], status);
    }
}
