/* The reference backend: a portable CPU interpreter of MIL programs (plan.c compiles, exec.c runs). */
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "error.h"
#include "reference/plan.h"

static int ref_probe(void) { return 1; }

/* Plain 64-byte aligned heap memory; the size is rounded up because aligned_alloc requires it. */
static int ref_surface_alloc(ane_surface *s) {
    size_t bytes = s->size ? (s->size + 63) / 64 * 64 : 64;
    void *p = bytes >= s->size ? aligned_alloc(64, bytes) : NULL;
    if (!p) {
        ane_error_set(ANE_ERR_OUT_OF_MEMORY, "cannot allocate a surface of %zu bytes", s->size);
        return -1;
    }
    memset(p, 0, bytes);
    s->base = p;
    s->impl = p;
    return 0;
}

static void ref_surface_free(ane_surface *s) {
    free(s->base);
    s->base = s->impl = NULL;
}

const ane_backend ane_reference_backend = {
    .name = "reference",
    .probe = ref_probe,
    .program_compile = ref_plan_compile,
    .program_free = ref_plan_free,
    .surface_alloc = ref_surface_alloc,
    .surface_free = ref_surface_free,
    .surface_lock = NULL, /* plain CPU memory: no lock needed (the core still counts ABI locks) */
    .surface_unlock = NULL,
    .instance_bind = ref_instance_bind,
    .instance_eval = ref_instance_eval,
    .instance_free = ref_instance_free,
    .begin_realtime = NULL,
    .end_realtime = NULL,
    .program_memory = ref_plan_memory,
};
