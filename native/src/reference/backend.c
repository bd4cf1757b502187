/* The reference backend: a portable CPU interpreter of MIL programs. */
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "error.h"

static int ref_probe(void) { return 1; }

static void *ref_program_compile(const ane_compile_input *in, int *did_compile) {
    (void)in;
    *did_compile = 0;
    ane_error_set(ANE_ERR_COMPILE, "reference backend: compile not implemented yet");
    return NULL;
}

static void ref_program_free(void *program) { (void)program; }

static int ref_surface_alloc(ane_surface *s) {
    size_t bytes = (s->size + 63) / 64 * 64;
    if (bytes == 0) bytes = 64;
    void *p = aligned_alloc(64, bytes);
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

static int ref_surface_lock(ane_surface *s, int read_only) { (void)s; (void)read_only; return 0; }
static int ref_surface_unlock(ane_surface *s, int read_only) { (void)s; (void)read_only; return 0; }

static void *ref_instance_bind(void *program, void *previous, ane_surface *const *params, int n_params,
                               ane_surface *const *outputs, int n_outputs) {
    ane_error_set(ANE_ERR_INTERNAL, "reference backend: bind not implemented yet");
    return NULL;
}

static int ref_instance_eval(void *instance, ane_surface *const *params, int n_params,
                             ane_surface *const *outputs, int n_outputs) {
    ane_error_set(ANE_ERR_EVAL, "reference backend: eval not implemented yet");
    return -1;
}

static void ref_instance_free(void *instance) { (void)instance; }

const ane_backend ane_reference_backend = {
    .name = "reference",
    .probe = ref_probe,
    .program_compile = ref_program_compile,
    .program_free = ref_program_free,
    .surface_alloc = ref_surface_alloc,
    .surface_free = ref_surface_free,
    .surface_lock = ref_surface_lock,
    .surface_unlock = ref_surface_unlock,
    .instance_bind = ref_instance_bind,
    .instance_eval = ref_instance_eval,
    .instance_free = ref_instance_free,
    .begin_realtime = NULL,
    .end_realtime = NULL,
};
