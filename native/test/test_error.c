/* The last-error record: truncation of long messages, positions, clearing. */
#include <string.h>

#include "ane_bridge.h"
#include "error.h"
#include "test.h"

TEST(error_long_messages_are_truncated_inside_the_buffer) {
    char name[3000];
    memset(name, 'a', sizeof name - 1);
    name[sizeof name - 1] = '\0';
    ane_error_set(ANE_ERR_INVALID_ARGUMENT, "weight name '%s' is too long", name);
    const char *msg = ane_bridge_last_error();
    CHECK(msg != NULL);
    CHECK(strlen(msg) > 400 && strlen(msg) < 1024);
    CHECK(!strncmp(msg, "weight name 'aaaa", 17));
    ane_error_set_at(12, 34, "%s", name);
    msg = ane_bridge_last_error();
    CHECK(!strncmp(msg, "line 12, column 34: aaaa", 24) && strlen(msg) < 1024);
}

TEST(error_positions_only_for_compile_errors_with_a_line) {
    int line = -1, col = -1;
    ane_error_set_at(7, 0, "no column");
    CHECK_EQ_INT(ANE_ERR_COMPILE, ane_bridge_last_error_code());
    CHECK(!strcmp("line 7: no column", ane_bridge_last_error()));
    CHECK_EQ_INT(1, ane_bridge_last_error_position(&line, &col));
    CHECK_EQ_INT(7, line);
    CHECK_EQ_INT(0, col);
    ane_error_set_at(0, 0, "nowhere");
    CHECK(!strcmp("nowhere", ane_bridge_last_error()));
    CHECK_EQ_INT(0, ane_bridge_last_error_position(&line, &col));
    CHECK_EQ_INT(0, line);
    ane_error_set(ANE_ERR_EVAL, "eval went wrong");
    CHECK_EQ_INT(0, ane_bridge_last_error_position(NULL, NULL));
    ane_error_clear();
    CHECK_EQ_INT(ANE_OK, ane_bridge_last_error_code());
    CHECK(ane_bridge_last_error() == NULL);
}

TEST(error_fallback_never_replaces_a_recorded_cause) {
    ane_error_clear();
    ane_error_set(ANE_ERR_OUT_OF_MEMORY, "the backend's own cause");
    ane_error_set_fallback(ANE_ERR_EVAL, "generic");
    CHECK_EQ_INT(ANE_ERR_OUT_OF_MEMORY, ane_bridge_last_error_code());
    CHECK(!strcmp("the backend's own cause", ane_bridge_last_error()));
    ane_error_set_at(3, 4, "bad token");
    ane_error_set_fallback(ANE_ERR_EVAL, "generic");
    int line = 0;
    CHECK_EQ_INT(1, ane_bridge_last_error_position(&line, NULL));
    CHECK_EQ_INT(3, line);
    ane_error_clear();
    ane_error_set_fallback(ANE_ERR_EVAL, "generic %d", 7);
    CHECK_EQ_INT(ANE_ERR_EVAL, ane_bridge_last_error_code());
    CHECK(!strcmp("generic 7", ane_bridge_last_error()));
    CHECK_EQ_INT(0, ane_bridge_last_error_position(NULL, NULL));
    ane_error_clear();
}
