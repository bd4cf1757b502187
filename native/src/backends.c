/* Backend registry: which backends this build has, whether each is usable here (probed once), and the
 * process-wide default ("auto" = ane when usable, else reference). */
#include "backends.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

typedef struct backend_slot {
    const char *name;
    const ane_backend *backend; /* NULL when this build does not contain it */
    int usable;
    char reason[256];           /* why not usable */
} backend_slot;

static backend_slot slots[] = {
    { "ane",
#if defined(ANE4J_HAVE_DARWIN_BACKEND)
      &ane_darwin_backend,
#else
      NULL,
#endif
      0, "" },
    { "reference", &ane_reference_backend, 0, "" },
};
#define N_SLOTS ((int)(sizeof slots / sizeof slots[0]))

enum { CHOICE_AUTO = -1 }; /* otherwise an index into slots */
static int default_choice = CHOICE_AUTO;
static pthread_mutex_t choice_mutex = PTHREAD_MUTEX_INITIALIZER;
static char preset_problem[320];
static int preset_code;
static pthread_once_t init_once = PTHREAD_ONCE_INIT;

static void probe(backend_slot *s) {
    if (!s->backend) {
        snprintf(s->reason, sizeof s->reason,
                 "the %s backend is not part of this build (it needs macOS on Apple Silicon)", s->name);
        return;
    }
    s->usable = s->backend->probe() == 1;
    if (!s->usable) {
        const char *why = ane_bridge_last_error();
        snprintf(s->reason, sizeof s->reason, "the %s backend is unavailable: %s", s->name,
                 why ? why : "its probe failed");
    }
    ane_error_clear(); /* the probe's message belongs to the slot, not to whoever happened to call */
}

static int find_slot(const char *name) {
    for (int i = 0; i < N_SLOTS; i++)
        if (!strcmp(slots[i].name, name)) return i;
    return -2;
}

/* Slot index for a name ("auto" gives CHOICE_AUTO), or -2 with the last error set. */
static int choose(const char *name) {
    if (!strcmp(name, "auto")) return CHOICE_AUTO;
    int i = find_slot(name);
    if (i < 0) {
        ane_error_set(ANE_ERR_INVALID_ARGUMENT, "unknown backend '%s' (expected \"auto\", \"ane\" or \"reference\")",
                      name);
        return -2;
    }
    if (!slots[i].usable) {
        ane_error_set(ANE_ERR_UNAVAILABLE, "%s", slots[i].reason);
        return -2;
    }
    return i;
}

static void init(void) {
    for (int i = 0; i < N_SLOTS; i++) probe(&slots[i]);
    const char *preset = getenv("ANE4J_BACKEND");
    if (preset && *preset) {
        int c = choose(preset);
        if (c == -2) {
            snprintf(preset_problem, sizeof preset_problem, "ANE4J_BACKEND=%s ignored: %s", preset,
                     ane_bridge_last_error());
            preset_code = ane_error_last_code();
            ane_error_clear();
        } else {
            default_choice = c;
        }
    }
}

static int count_usable(void) {
    int n = 0;
    for (int i = 0; i < N_SLOTS; i++) n += slots[i].usable;
    return n;
}

int ane_backends_init(void) {
    pthread_once(&init_once, init);
    return count_usable() > 0 ? 0 : -1;
}

const char *ane_backends_preset_problem(int *code) {
    ane_backends_init();
    *code = preset_code;
    return preset_problem[0] ? preset_problem : NULL;
}

const ane_backend *ane_backends_resolve(const char *name) {
    ane_backends_init();
    int c;
    if (name) {
        c = choose(name);
        if (c == -2) return NULL;
    } else {
        pthread_mutex_lock(&choice_mutex);
        c = default_choice;
        pthread_mutex_unlock(&choice_mutex);
    }
    if (c == CHOICE_AUTO) {
        for (int i = 0; i < N_SLOTS; i++) /* slots are in order of preference */
            if (slots[i].usable) return slots[i].backend;
        ane_error_set(ANE_ERR_UNAVAILABLE, "no backend is usable: %s", slots[N_SLOTS - 1].reason);
        return NULL;
    }
    return slots[c].backend;
}

int ane_backends_usable_count(void) {
    ane_backends_init();
    return count_usable();
}

const ane_backend *ane_backends_usable(int i) {
    for (int s = 0; s < N_SLOTS; s++)
        if (slots[s].usable && i-- == 0) return slots[s].backend;
    return NULL;
}

int ane_bridge_backend_available(const char *name) {
    ane_error_clear();
    if (!name) {
        ane_error_set(ANE_ERR_INVALID_ARGUMENT, "backend name is NULL");
        return 0;
    }
    return ane_backends_resolve(name) != NULL;
}

int ane_bridge_select_backend(const char *name) {
    ane_error_clear();
    if (!name) {
        ane_error_set(ANE_ERR_INVALID_ARGUMENT, "backend name is NULL");
        return -1;
    }
    ane_backends_init();
    int c = choose(name);
    if (c == -2) return -1;
    pthread_mutex_lock(&choice_mutex);
    default_choice = c;
    pthread_mutex_unlock(&choice_mutex);
    return 0;
}

const char *ane_bridge_backend_name(void) {
    ane_error_clear();
    const ane_backend *b = ane_backends_resolve(NULL);
    return b ? b->name : NULL;
}
