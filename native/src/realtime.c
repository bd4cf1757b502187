/* Realtime brackets: calls nest process-wide; the outermost begin and end reach every usable backend. */
#include <limits.h>
#include <pthread.h>

#include "backends.h"
#include "error.h"

static pthread_mutex_t realtime_mutex = PTHREAD_MUTEX_INITIALIZER;
static int depth;

void ane_bridge_begin_realtime(void) {
    ane_error_clear();
    int n = ane_backends_usable_count();
    pthread_mutex_lock(&realtime_mutex);
    if (depth == INT_MAX) {
        ane_error_set(ANE_ERR_INVALID_ARGUMENT, "begin_realtime: nested too deeply");
    } else if (depth++ == 0) {
        for (int i = 0; i < n; i++) {
            const ane_backend *b = ane_backends_usable(i);
            if (b->begin_realtime) b->begin_realtime();
        }
    }
    pthread_mutex_unlock(&realtime_mutex);
}

void ane_bridge_end_realtime(void) {
    ane_error_clear();
    int n = ane_backends_usable_count();
    pthread_mutex_lock(&realtime_mutex);
    if (depth == 0) {
        ane_error_set(ANE_ERR_INVALID_ARGUMENT, "end_realtime without a matching begin_realtime");
    } else if (--depth == 0) {
        for (int i = 0; i < n; i++) {
            const ane_backend *b = ane_backends_usable(i);
            if (b->end_realtime) b->end_realtime();
        }
    }
    pthread_mutex_unlock(&realtime_mutex);
}
