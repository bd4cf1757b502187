/* The "ane" backend: Apple's private AppleNeuralEngine.framework, driven with ARC.
 *   probe    dlopen the framework, resolve its classes, check every method used is there.
 *   compile  MIL + weight files -> _ANEInMemoryModel; the files written to the model's folder (workdir.h);
 *            loadWithQoS without compiling when the ANE daemon already holds the program, else
 *            compileWithQoS (counted against the compile budget, compile_budget.h) and loadWithQoS.
 *   surfaces IOSurfaces padded as request_rules.h says; an instance is one _ANERequest over them, its
 *            arrays in the order request_rules.h says; eval is evaluateWithQoS.
 * Model lifecycle calls (compile, load, unload) and the model folders are serialised by g_lock; the
 * realtime state has a lock of its own, so a bracket never waits behind a compile; evaluations take
 * neither (a kernel is used by one thread at a time, see ane_bridge.h). Every entry point runs in an
 * autorelease pool. fp16 conversion is the core's; nothing here reads tensor contents. */
#import <Foundation/Foundation.h>
#import <IOSurface/IOSurface.h>
#import <objc/runtime.h>

#include <dlfcn.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend.h"
#include "darwin/ane_private.h"
#include "darwin/compile_budget.h"
#include "darwin/request_rules.h"
#include "darwin/workdir.h"
#include "error.h"

/* Resolved once by probe, which the core runs before any other call. */
static Class g_descriptor_class, g_model_class, g_request_class, g_surface_object_class;
static BOOL g_can_ask_compiled; /* models answer compiledModelExists */

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t g_realtime_lock = PTHREAD_MUTEX_INITIALIZER;
static id<ANE4JClient> g_client; /* taken from the first model that loads; nil until then */
static BOOL g_realtime_begun;    /* beginRealTimeTask was sent and endRealTimeTask is still due */

typedef struct darwin_program {
    void *model;            /* id<ANE4JModel>, retained (loaded) */
    const mil_program *mil; /* the core's parse (names for the request order); lives as long as this */
    ane_workdir workdir;    /* the model's folder and its lock */
} darwin_program;

typedef struct darwin_instance {
    darwin_program *program;
    void *request;         /* _ANERequest, retained */
    int n_params, n_slots; /* staging holds one slot per parameter, then one per output */
    IOSurfaceRef *staging; /* where a surface's allocation differs from its group's (an aliased surface of
                              another kernel), the surface the request binds instead; else NULL */
} darwin_instance;

static const char *utf8(NSString *s) {
    const char *c = [s UTF8String];
    return c ? c : "?";
}

/* Record a framework failure with the NSError's description, domain and code. */
static void set_error(ane_error_code code, const char *what, NSError *error) {
    if (!error) {
        ane_error_set(code, "%s (AppleNeuralEngine.framework gave no reason)", what);
        return;
    }
    ane_error_set(code, "%s: %s (%s error %ld)", what, utf8([error localizedDescription]), utf8([error domain]),
                  (long)[error code]);
}

/* Give back the reference a __bridge_retained cast took. */
static void release_retained(void *p) {
    id object = (__bridge_transfer id)p;
    (void)object;
}

/* ---- probe ----------------------------------------------------------------------------------------- */

static int resolve_class(Class *slot, const char *name) {
    *slot = NSClassFromString(@(name));
    if (*slot) return 0;
    ane_error_set(ANE_ERR_UNAVAILABLE, "AppleNeuralEngine.framework has no class %s (unsupported macOS version)",
                  name);
    return -1;
}

/* Every method the backend needs, checked up front so an unsupported macOS falls back to the reference
 * backend instead of raising "unrecognized selector" later. */
static int check_methods(void) {
    struct {
        __unsafe_unretained Class cls;
        const char *cls_name;
        SEL sel;
        BOOL instance;
    } needs[] = {
        {g_descriptor_class, "_ANEInMemoryModelDescriptor", @selector(modelWithMILText:weights:optionsPlist:), NO},
        {g_model_class, "_ANEInMemoryModel", @selector(inMemoryModelWithDescriptor:), NO},
        {g_model_class, "_ANEInMemoryModel", @selector(hexStringIdentifier), YES},
        {g_model_class, "_ANEInMemoryModel", @selector(compileWithQoS:options:error:), YES},
        {g_model_class, "_ANEInMemoryModel", @selector(loadWithQoS:options:error:), YES},
        {g_model_class, "_ANEInMemoryModel", @selector(evaluateWithQoS:options:request:error:), YES},
        {g_model_class, "_ANEInMemoryModel", @selector(unloadWithQoS:error:), YES},
        {g_request_class, "_ANERequest",
         @selector(requestWithInputs:inputIndices:outputs:outputIndices:weightsBuffer:perfStats:procedureIndex:), NO},
        {g_surface_object_class, "_ANEIOSurfaceObject", @selector(objectWithIOSurface:), NO},
    };
    for (size_t i = 0; i < sizeof needs / sizeof needs[0]; i++) {
        BOOL ok = needs[i].instance ? [needs[i].cls instancesRespondToSelector:needs[i].sel]
                                    : [needs[i].cls respondsToSelector:needs[i].sel];
        if (!ok) {
            ane_error_set(ANE_ERR_UNAVAILABLE, "%s has no method %c%s (unsupported macOS version)", needs[i].cls_name,
                          needs[i].instance ? '-' : '+', utf8(NSStringFromSelector(needs[i].sel)));
            return -1;
        }
    }
    /* Optional: without it every program is compiled, as before macOS answered it. */
    g_can_ask_compiled = [g_model_class instancesRespondToSelector:@selector(compiledModelExists)];
    return 0;
}

static int darwin_probe(void) {
    @autoreleasepool {
        if (!dlopen(ANE_FRAMEWORK_PATH, RTLD_NOW)) {
            const char *why = dlerror();
            ane_error_set(ANE_ERR_UNAVAILABLE, "cannot load AppleNeuralEngine.framework: %s",
                          why ? why : "dlopen failed");
            return 0;
        }
        if (resolve_class(&g_descriptor_class, "_ANEInMemoryModelDescriptor") != 0 ||
            resolve_class(&g_model_class, "_ANEInMemoryModel") != 0 ||
            resolve_class(&g_request_class, "_ANERequest") != 0 ||
            resolve_class(&g_surface_object_class, "_ANEIOSurfaceObject") != 0 || check_methods() != 0)
            return 0;
        /* The framework exists in virtual machines too, where there is no Neural Engine to reach. */
        Class info = NSClassFromString(@"_ANEDeviceInfo");
        if (info && [info respondsToSelector:@selector(hasANE)] && ![(Class<ANE4JDeviceInfoClass>)info hasANE]) {
            ane_error_set(ANE_ERR_UNAVAILABLE, "this Mac reports no Neural Engine (_ANEDeviceInfo hasANE is NO; "
                                               "a virtual machine has none)");
            return 0;
        }
        return 1;
    }
}

/* ---- compile --------------------------------------------------------------------------------------- */

static BOOL compile_model(id<ANE4JModel> model) {
    NSError *error = nil;
    if ([model compileWithQoS:ANE_QOS options:@{} error:&error]) return YES;
    set_error(ANE_ERR_COMPILE, "ANE compile failed", error);
    return NO;
}

static BOOL load_model(id<ANE4JModel> model) {
    NSError *error = nil;
    if ([model loadWithQoS:ANE_QOS options:@{} error:&error]) return YES;
    /* The slot of a model unloaded just before may take a moment to come back: retry once (maderix/ANE
     * PR #22 bridge/ane_bridge.m does the same). */
    struct timespec pause = {0, 100 * 1000 * 1000};
    nanosleep(&pause, NULL);
    error = nil;
    if ([model loadWithQoS:ANE_QOS options:@{} error:&error]) return YES;
    set_error(ANE_ERR_INTERNAL, "ANE load failed", error);
    return NO;
}

/* The compiled program lives in the ANE daemon, found by the model's hash, not in the model's folder
 * (decompiled framework code); loadWithQoS: compiles by itself when the daemon has none, uncounted. So
 * load alone only when the daemon says it holds the program (compiledModelExists, as libane's "Path C"
 * does; maderix/ANE PR #22's "cache hit" was such a load); else, or when that load fails, compile within
 * the budget and load. */
static int compile_and_load(id<ANE4JModel> model, int *did_compile) {
    if (g_can_ask_compiled && [model compiledModelExists] && load_model(model)) return 0;
    if (ane_compile_budget_take(&ane_process_compile_budget) != 0) return -1;
    if (!compile_model(model)) return -1;
    *did_compile = 1;
    if (!load_model(model)) return -1;
    ane_error_clear(); /* drop what a failed load of a held program left */
    return 0;
}

/* The realtime API lives on the _ANEClient a loaded model keeps in an ivar (maderix/ANE PR #22); without
 * it there is none. */
static void capture_client(id model) {
    pthread_mutex_lock(&g_realtime_lock);
    if (!g_client) {
        Ivar ivar = class_getInstanceVariable(object_getClass(model), ANE_CLIENT_IVAR);
        const char *type = ivar ? ivar_getTypeEncoding(ivar) : NULL;
        id client = type && type[0] == '@' ? object_getIvar(model, ivar) : nil;
        if ([client respondsToSelector:@selector(beginRealTimeTask)] &&
            [client respondsToSelector:@selector(endRealTimeTask)])
            g_client = client;
    }
    pthread_mutex_unlock(&g_realtime_lock);
}

/* Write the model's files and load it (compiling when needed), with its folder locked. A failure leaves
 * no folder behind. Under g_lock. */
static int prepare(darwin_program *p, id<ANE4JModel> model, const ane_compile_input *in, int *did_compile) {
    if (ane_workdir_lock(&p->workdir) != 0) return -1;
    int rc = ane_workdir_write_program(&p->workdir, in->mil_text, in->mil_len, in->n_weight_files,
                                       in->weight_names, in->weight_datas, in->weight_lens);
    if (rc == 0) rc = compile_and_load(model, did_compile);
    if (rc != 0) ane_workdir_remove(&p->workdir);
    ane_workdir_unlock(&p->workdir);
    return rc;
}

/* The weights dictionary the descriptor takes; empty, never nil, when there are none. */
static NSDictionary *weights_dictionary(const ane_compile_input *in) {
    NSMutableDictionary *weights = [NSMutableDictionary dictionaryWithCapacity:(NSUInteger)in->n_weight_files];
    for (int i = 0; i < in->n_weight_files; i++) {
        NSString *name = @(in->weight_names[i]);
        if (!name) {
            ane_error_set(ANE_ERR_INVALID_ARGUMENT, "weight name %d is not valid UTF-8", i);
            return nil;
        }
        NSData *data = [NSData dataWithBytes:in->weight_datas[i] length:in->weight_lens[i]];
        weights[name] = @{@"offset" : @0, @"data" : data};
    }
    return weights;
}

static void *darwin_program_compile(const ane_compile_input *in, int *did_compile) {
    *did_compile = 0;
    @autoreleasepool {
        NSDictionary *weights = weights_dictionary(in);
        if (!weights) return NULL;
        NSData *mil = [NSData dataWithBytes:in->mil_text length:in->mil_len];
        id descriptor = [(Class<ANE4JDescriptorClass>)g_descriptor_class modelWithMILText:mil
                                                                                   weights:weights
                                                                              optionsPlist:nil];
        id<ANE4JModel> model =
            descriptor ? [(Class<ANE4JModelClass>)g_model_class inMemoryModelWithDescriptor:descriptor] : nil;
        if (!model) {
            ane_error_set(ANE_ERR_COMPILE, "AppleNeuralEngine.framework refused the program (no model from "
                                           "modelWithMILText:weights:optionsPlist:)");
            return NULL;
        }
        NSString *hex = [model hexStringIdentifier];
        if (!hex) {
            ane_error_set(ANE_ERR_INTERNAL, "the ANE model has no hexStringIdentifier");
            return NULL;
        }
        darwin_program *p = calloc(1, sizeof *p);
        if (!p) {
            ane_error_set(ANE_ERR_OUT_OF_MEMORY, "out of memory for an ANE program");
            return NULL;
        }
        p->mil = in->program;
        int rc = ane_workdir_init(&p->workdir, [NSTemporaryDirectory() fileSystemRepresentation], utf8(hex));
        if (rc == 0) {
            pthread_mutex_lock(&g_lock);
            rc = prepare(p, model, in, did_compile);
            pthread_mutex_unlock(&g_lock);
        }
        if (rc != 0) {
            free(p);
            return NULL;
        }
        capture_client(model);
        p->model = (__bridge_retained void *)model;
        return p;
    }
}

/* Unload (the framework then deletes the model's folder itself; what it leaves is removed here). */
static void darwin_program_free(void *program) {
    darwin_program *p = program;
    if (!p) return;
    @autoreleasepool {
        id<ANE4JModel> model = (__bridge_transfer id<ANE4JModel>)p->model;
        NSError *error = nil;
        pthread_mutex_lock(&g_lock);
        int locked = ane_workdir_lock(&p->workdir) == 0;
        if (![model unloadWithQoS:ANE_QOS error:&error]) set_error(ANE_ERR_INTERNAL, "ANE unload failed", error);
        if (locked) ane_workdir_remove(&p->workdir); /* unlocked: another process may be compiling in it */
        ane_workdir_unlock(&p->workdir);
        pthread_mutex_unlock(&g_lock);
    }
    free(p);
}

/* ---- surfaces -------------------------------------------------------------------------------------- */

static void darwin_surface_capacities(const size_t *sizes, int n, size_t *capacities) {
    ane_request_capacities(&ane_request_rules_in_use, sizes, n, capacities);
}

/* A zeroed IOSurface of bytes bytes: one row of one-byte elements, as every known ANE caller creates
 * them (maderix/ANE bridge/ane_bridge.m, Orion core/iosurface_tensor.m). NULL with the last error set. */
static IOSurfaceRef new_iosurface(size_t bytes, void **base_out) {
    NSDictionary *properties = @{
        (__bridge NSString *)kIOSurfaceWidth : @(bytes),
        (__bridge NSString *)kIOSurfaceHeight : @1,
        (__bridge NSString *)kIOSurfaceBytesPerElement : @1,
        (__bridge NSString *)kIOSurfaceBytesPerRow : @(bytes),
        (__bridge NSString *)kIOSurfaceAllocSize : @(bytes),
        (__bridge NSString *)kIOSurfacePixelFormat : @0,
    };
    IOSurfaceRef surface = IOSurfaceCreate((__bridge CFDictionaryRef)properties);
    if (!surface) {
        ane_error_set(ANE_ERR_OUT_OF_MEMORY, "IOSurfaceCreate failed for %zu bytes", bytes);
        return NULL;
    }
    if (IOSurfaceGetAllocSize(surface) < bytes || IOSurfaceLock(surface, 0, NULL) != 0) {
        CFRelease(surface);
        ane_error_set(ANE_ERR_INTERNAL, "cannot map a new IOSurface of %zu bytes", bytes);
        return NULL;
    }
    void *base = IOSurfaceGetBaseAddress(surface);
    memset(base, 0, bytes);
    IOSurfaceUnlock(surface, 0, NULL);
    if ((uintptr_t)base % 64 != 0) { /* never seen: surfaces are page-aligned */
        CFRelease(surface);
        ane_error_set(ANE_ERR_INTERNAL, "IOSurface base address %p is not 64-byte aligned", base);
        return NULL;
    }
    if (base_out) *base_out = base;
    return surface;
}

static int darwin_surface_alloc(ane_surface *s) {
    @autoreleasepool {
        void *base;
        IOSurfaceRef surface = new_iosurface(s->capacity, &base);
        if (!surface) return -1;
        s->impl = (void *)surface;
        s->base = base;
        return 0;
    }
}

static void darwin_surface_free(ane_surface *s) {
    @autoreleasepool {
        if (s->impl) CFRelease((IOSurfaceRef)s->impl);
        s->impl = NULL;
        s->base = NULL;
    }
}

static IOSurfaceLockOptions lock_options(int read_only) {
    return read_only ? kIOSurfaceLockReadOnly : 0;
}

static int darwin_surface_lock(ane_surface *s, int read_only) {
    @autoreleasepool {
        kern_return_t r = IOSurfaceLock((IOSurfaceRef)s->impl, lock_options(read_only), NULL);
        if (r == 0) return 0;
        ane_error_set(ANE_ERR_INTERNAL, "IOSurfaceLock failed (0x%x)", (unsigned)r);
        return -1;
    }
}

static int darwin_surface_unlock(ane_surface *s, int read_only) {
    @autoreleasepool {
        kern_return_t r = IOSurfaceUnlock((IOSurfaceRef)s->impl, lock_options(read_only), NULL);
        if (r == 0) return 0;
        ane_error_set(ANE_ERR_INTERNAL, "IOSurfaceUnlock failed (0x%x)", (unsigned)r);
        return -1;
    }
}

/* ---- instances ------------------------------------------------------------------------------------- */

static void instance_free(darwin_instance *inst) {
    if (!inst) return;
    if (inst->request) release_retained(inst->request);
    for (int i = 0; inst->staging && i < inst->n_slots; i++)
        if (inst->staging[i]) CFRelease(inst->staging[i]);
    free(inst->staging);
    free(inst);
}

/* Wrap one group (parameters, or outputs) for a request, in the order request_rules.h says. A surface
 * whose allocation is not the one its group gets here (aliased from another kernel) is bound through a
 * staging surface of the group's allocation, filled and emptied around each eval. staging has n slots.
 * Appends the wrappers and their positions; returns 0, or -1 with the last error set. */
static int wrap_group(ane_surface *const *surfaces, const char *(*name)(const mil_program *, int),
                      const mil_program *mil, int n, IOSurfaceRef *staging, NSMutableArray *objects,
                      NSMutableArray *indices) {
    const char **names = calloc((size_t)n + 1, sizeof *names);
    int *order = calloc((size_t)n + 1, sizeof *order);
    size_t *sizes = calloc((size_t)n + 1, sizeof *sizes), *capacities = calloc((size_t)n + 1, sizeof *capacities);
    int rc = names && order && sizes && capacities ? 0 : -1;
    if (rc != 0) ane_error_set(ANE_ERR_OUT_OF_MEMORY, "out of memory binding an ANE request");
    for (int i = 0; rc == 0 && i < n; i++) {
        names[i] = name(mil, i);
        sizes[i] = surfaces[i]->size;
    }
    if (rc == 0) {
        ane_request_order(&ane_request_rules_in_use, names, n, order);
        ane_request_capacities(&ane_request_rules_in_use, sizes, n, capacities);
    }
    for (int k = 0; rc == 0 && k < n; k++) {
        int i = order[k];
        IOSurfaceRef bound = (IOSurfaceRef)surfaces[i]->impl;
        if (surfaces[i]->capacity != capacities[i]) {
            staging[i] = new_iosurface(capacities[i], NULL);
            bound = staging[i];
        }
        id object = bound ? [(Class<ANE4JSurfaceObjectClass>)g_surface_object_class objectWithIOSurface:bound] : nil;
        if (!object) {
            ane_error_set_fallback(ANE_ERR_INTERNAL, "AppleNeuralEngine.framework refused a surface for a request");
            rc = -1;
            break;
        }
        [objects addObject:object];
        [indices addObject:@(k)];
    }
    free(names);
    free(order);
    free(sizes);
    free(capacities);
    return rc;
}

/* A fresh instance over the surfaces as they are now; the previous one (after aliasing replaced a
 * surface) is freed once the new one exists, so the ANE reads the new surface itself. */
static void *darwin_instance_bind(void *program, void *previous, ane_surface *const *params, int n_params,
                                  ane_surface *const *outputs, int n_outputs) {
    darwin_program *p = program;
    @autoreleasepool {
        darwin_instance *inst = calloc(1, sizeof *inst);
        IOSurfaceRef *staging = calloc((size_t)n_params + n_outputs + 1, sizeof *staging);
        if (!inst || !staging) {
            free(inst);
            free(staging);
            ane_error_set(ANE_ERR_OUT_OF_MEMORY, "out of memory for an ANE instance");
            return NULL;
        }
        inst->program = p;
        inst->staging = staging;
        inst->n_params = n_params;
        inst->n_slots = n_params + n_outputs;
        NSMutableArray *inputs = [NSMutableArray array], *input_indices = [NSMutableArray array];
        NSMutableArray *outs = [NSMutableArray array], *output_indices = [NSMutableArray array];
        id request = nil;
        if (wrap_group(params, mil_param_name, p->mil, n_params, staging, inputs, input_indices) == 0 &&
            wrap_group(outputs, mil_output_name, p->mil, n_outputs, staging + n_params, outs, output_indices) == 0) {
            request = [(Class<ANE4JRequestClass>)g_request_class requestWithInputs:inputs
                                                                      inputIndices:input_indices
                                                                           outputs:outs
                                                                     outputIndices:output_indices
                                                                     weightsBuffer:nil
                                                                         perfStats:nil
                                                                    procedureIndex:@0];
            if (!request) ane_error_set(ANE_ERR_INTERNAL, "AppleNeuralEngine.framework refused to build a request");
        }
        if (!request) {
            instance_free(inst);
            return NULL;
        }
        inst->request = (__bridge_retained void *)request;
        instance_free(previous);
        return inst;
    }
}

/* Copy the tensor (bytes at offset 0) between a surface and its staging surface. */
static int copy_tensor(IOSurfaceRef from, IOSurfaceRef to, size_t bytes) {
    if (IOSurfaceLock(from, kIOSurfaceLockReadOnly, NULL) != 0) goto fail;
    if (IOSurfaceLock(to, 0, NULL) != 0) {
        IOSurfaceUnlock(from, kIOSurfaceLockReadOnly, NULL);
        goto fail;
    }
    memcpy(IOSurfaceGetBaseAddress(to), IOSurfaceGetBaseAddress(from), bytes);
    IOSurfaceUnlock(to, 0, NULL);
    IOSurfaceUnlock(from, kIOSurfaceLockReadOnly, NULL);
    return 0;
fail:
    ane_error_set(ANE_ERR_EVAL, "cannot lock a staging surface of an aliased tensor");
    return -1;
}

static int darwin_instance_eval(void *instance, ane_surface *const *params, int n_params,
                                ane_surface *const *outputs, int n_outputs) {
    darwin_instance *inst = instance;
    @autoreleasepool {
        for (int i = 0; i < n_params; i++)
            if (inst->staging[i] && copy_tensor((IOSurfaceRef)params[i]->impl, inst->staging[i], params[i]->size))
                return -1;
        id<ANE4JModel> model = (__bridge id<ANE4JModel>)inst->program->model;
        NSError *error = nil;
        if (![model evaluateWithQoS:ANE_QOS options:@{} request:(__bridge id)inst->request error:&error]) {
            set_error(ANE_ERR_EVAL, "ANE evaluation failed", error);
            return -1;
        }
        IOSurfaceRef *out_staging = inst->staging + inst->n_params;
        for (int j = 0; j < n_outputs; j++)
            if (out_staging[j] && copy_tensor(out_staging[j], (IOSurfaceRef)outputs[j]->impl, outputs[j]->size))
                return -1;
        return 0;
    }
}

static void darwin_instance_free(void *instance) {
    @autoreleasepool {
        instance_free(instance);
    }
}

/* ---- realtime -------------------------------------------------------------------------------------- */

/* Best effort: before any model has loaded there is no client, and evals run as usual. What
 * beginRealTimeTask returns is ignored and endRealTimeTask is sent for every begin that was sent: on one
 * M4 Max both return NO while realtime evaluation still works (maderix/ANE PR #40
 * docs/ANE_CHAINING_RESEARCH.md), and PR #22 ignores both results. */
static void darwin_begin_realtime(void) {
    @autoreleasepool {
        pthread_mutex_lock(&g_realtime_lock);
        if (g_client && !g_realtime_begun) {
            [g_client beginRealTimeTask];
            g_realtime_begun = YES;
        }
        pthread_mutex_unlock(&g_realtime_lock);
    }
}

static void darwin_end_realtime(void) {
    @autoreleasepool {
        pthread_mutex_lock(&g_realtime_lock);
        if (g_realtime_begun) [g_client endRealTimeTask];
        g_realtime_begun = NO;
        pthread_mutex_unlock(&g_realtime_lock);
    }
}

const ane_backend ane_darwin_backend = {
    .name = "ane",
    .probe = darwin_probe,
    .program_compile = darwin_program_compile,
    .program_free = darwin_program_free,
    .surface_capacities = darwin_surface_capacities,
    .surface_alloc = darwin_surface_alloc,
    .surface_free = darwin_surface_free,
    .surface_lock = darwin_surface_lock,
    .surface_unlock = darwin_surface_unlock,
    .instance_bind = darwin_instance_bind,
    .instance_eval = darwin_instance_eval,
    .instance_free = darwin_instance_free,
    .begin_realtime = darwin_begin_realtime,
    .end_realtime = darwin_end_realtime,
};
