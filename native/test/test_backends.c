/* The ANE4J_BACKEND preset, read once per process: checked in fresh copies of this runner. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

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

#ifdef __linux__
static int run_child(const char *preset) {
    pid_t pid = fork();
    if (pid == 0) {
        int devnull = open("/dev/null", O_WRONLY);
        if (devnull >= 0) dup2(devnull, STDOUT_FILENO); /* keep the runner's summary line the only one */
        setenv(CHILD_MARK, "1", 1);
        setenv("ANE4J_BACKEND", preset, 1);
        execl("/proc/self/exe", "test_runner", "backends_preset_from_the_environment", (char *)NULL);
        _exit(127);
    }
    int status = 0;
    if (pid <= 0 || waitpid(pid, &status, 0) != pid) return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}
#endif

TEST(backends_preset_from_the_environment) {
    if (getenv(CHILD_MARK)) {
        check_preset_in_this_process(getenv("ANE4J_BACKEND"));
        return;
    }
#ifdef __linux__
    const char *presets[] = { "reference", "ane", "bogus" };
    for (int i = 0; i < 3; i++) {
        int status = run_child(presets[i]);
        CHECK_MSG(status == 0, "ANE4J_BACKEND=%s: child runner exit status %d", presets[i], status);
    }
#else
    test_skip("re-running the test runner needs /proc/self/exe (Linux)");
#endif
}
