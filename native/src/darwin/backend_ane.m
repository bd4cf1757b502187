/* The "ane" backend: Apple's private AppleNeuralEngine.framework, driven with ARC.
 *   probe    dlopen the framework, resolve its classes, check every method used is there.
 *   compile  MIL + weight files -> _ANEInMemoryModel; compileWithQoS in the framework's folder for the
 *            model (workdir.h) unless the persistent cache (disk_cache.h) has its output; loadWithQoS.
 *   surfaces IOSurfaces; an instance is one _ANERequest over them; eval is evaluateWithQoS.
 * Model lifecycle calls (compile, load, unload) and the realtime state are serialised by one mutex;
 * evaluations are not (a kernel is used by one thread at a time, see ane_bridge.h). fp16 conversion is the
 * core's; nothing here touches tensor contents. */
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
#include "darwin/disk_cache.h"
#include "darwin/workdir.h"
#include "error.h"

/* Resolved once by probe, which the core runs before any other call. */
static Class g_descriptor_class, g_model_class, g_request_class, g_surface_object_class;

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static id<ANE4JClient> g_client; /* taken from the first model that loads; nil until then */
static BOOL g_realtime;          /* beginRealTimeTask succeeded and endRealTimeTask is still due */

typedef struct darwin_program {
    void *model;         /* id<ANE4JModel>, retained (loaded) */
    ane_workdir workdir; /* this program's registration in the framework's folder for the model */
} darwin_program;

typedef struct darwin_instance {
    darwin_program *program;
    void *request; /* _ANERequest, retained */
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

/* Every method the backend sends, checked up front so an unsupported macOS falls back to the reference
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
    /* The slot of a model unloaded just before may take a moment to come back: retry once. */
    struct timespec pause = {0, 100 * 1000 * 1000};
    nanosleep(&pause, NULL);
    error = nil;
    if ([model loadWithQoS:ANE_QOS options:@{} error:&error]) return YES;
    set_error(ANE_ERR_INTERNAL, "ANE load failed", error);
    return NO;
}

/* Compile (or restore the compile from the persistent cache) and load, with the model's folder locked.
 * The cache only saves time: its own failures are dropped, never reported. */
static int build(id<ANE4JModel> model, const ane_workdir *wd, const char *id, int *did_compile) {
    char cache[ANE_FILES_PATH_MAX];
    int have_cache = ane_disk_cache_root(cache, sizeof cache) == 0;
    int restored = have_cache && ane_disk_cache_restore(cache, id, wd->path) == 1;
    if (!restored) {
        if (!compile_model(model)) return -1;
        *did_compile = 1;
        if (have_cache) ane_disk_cache_store(cache, id, wd->path);
    }
    if (!load_model(model)) {
        if (!restored) return -1;
        /* What the cache held does not load here (e.g. compiled by another macOS): compile for real. */
        ane_disk_cache_drop(cache, id);
        if (!compile_model(model)) return -1;
        *did_compile = 1;
        ane_disk_cache_store(cache, id, wd->path);
        if (!load_model(model)) return -1;
    }
    ane_error_clear(); /* drop what a failed cache step or a retried load left */
    return 0;
}

/* The realtime API lives on the _ANEClient a loaded model keeps in an ivar; without it there is none. */
static void capture_client(id model) {
    if (g_client) return;
    Ivar ivar = class_getInstanceVariable(object_getClass(model), ANE_CLIENT_IVAR);
    const char *type = ivar ? ivar_getTypeEncoding(ivar) : NULL;
    if (!type || type[0] != '@') return;
    id client = object_getIvar(model, ivar);
    if ([client respondsToSelector:@selector(beginRealTimeTask)] &&
        [client respondsToSelector:@selector(endRealTimeTask)])
        g_client = client;
}

/* Register in the model's folder, write model.mil and the weight files there, build. Under g_lock. */
static int prepare(darwin_program *p, id<ANE4JModel> model, const char *id, const ane_compile_input *in,
                   int *did_compile) {
    if (ane_workdir_open(&p->workdir, [NSTemporaryDirectory() fileSystemRepresentation], id) != 0) return -1;
    int rc = ane_workdir_write_program(&p->workdir, in->mil_text, in->mil_len, in->n_weight_files,
                                       in->weight_names, in->weight_datas, in->weight_lens);
    if (rc == 0) rc = build(model, &p->workdir, id, did_compile);
    if (rc == 0)
        ane_workdir_unlock(&p->workdir);
    else
        ane_workdir_close(&p->workdir); /* still locked, so closing reports nothing over the failure */
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
        pthread_mutex_lock(&g_lock);
        int rc = prepare(p, model, utf8(hex), in, did_compile);
        if (rc == 0) capture_client(model);
        pthread_mutex_unlock(&g_lock);
        if (rc != 0) {
            free(p);
            return NULL;
        }
        p->model = (__bridge_retained void *)model;
        return p;
    }
}

static void darwin_program_free(void *program) {
    darwin_program *p = program;
    if (!p) return;
    @autoreleasepool {
        id<ANE4JModel> model = (__bridge_transfer id<ANE4JModel>)p->model;
        NSError *error = nil;
        pthread_mutex_lock(&g_lock);
        if (![model unloadWithQoS:ANE_QOS error:&error]) set_error(ANE_ERR_INTERNAL, "ANE unload failed", error);
        ane_workdir_close(&p->workdir);
        pthread_mutex_unlock(&g_lock);
    }
    free(p);
}

/* ---- surfaces -------------------------------------------------------------------------------------- */

/* One row of `size` one-byte elements, as every known ANE caller creates them. */
static int darwin_surface_alloc(ane_surface *s) {
    @autoreleasepool {
        NSDictionary *properties = @{
            (__bridge NSString *)kIOSurfaceWidth : @(s->size),
            (__bridge NSString *)kIOSurfaceHeight : @1,
            (__bridge NSString *)kIOSurfaceBytesPerElement : @1,
            (__bridge NSString *)kIOSurfaceBytesPerRow : @(s->size),
            (__bridge NSString *)kIOSurfaceAllocSize : @(s->size),
            (__bridge NSString *)kIOSurfacePixelFormat : @0,
        };
        IOSurfaceRef surface = IOSurfaceCreate((__bridge CFDictionaryRef)properties);
        if (!surface) {
            ane_error_set(ANE_ERR_OUT_OF_MEMORY, "IOSurfaceCreate failed for %zu bytes", s->size);
            return -1;
        }
        if (IOSurfaceGetAllocSize(surface) < s->size || IOSurfaceLock(surface, 0, NULL) != 0) {
            CFRelease(surface);
            ane_error_set(ANE_ERR_INTERNAL, "cannot map a new IOSurface of %zu bytes", s->size);
            return -1;
        }
        void *base = IOSurfaceGetBaseAddress(surface);
        memset(base, 0, s->size);
        IOSurfaceUnlock(surface, 0, NULL);
        if ((uintptr_t)base % 64 != 0) { /* never seen: surfaces are page-aligned */
            CFRelease(surface);
            ane_error_set(ANE_ERR_INTERNAL, "IOSurface base address %p is not 64-byte aligned", base);
            return -1;
        }
        s->impl = (void *)surface;
        s->base = base;
        return 0;
    }
}

static void darwin_surface_free(ane_surface *s) {
    if (s->impl) CFRelease((IOSurfaceRef)s->impl);
    s->impl = NULL;
    s->base = NULL;
}

static IOSurfaceLockOptions lock_options(int read_only) {
    return read_only ? kIOSurfaceLockReadOnly : 0;
}

static int darwin_surface_lock(ane_surface *s, int read_only) {
    kern_return_t r = IOSurfaceLock((IOSurfaceRef)s->impl, lock_options(read_only), NULL);
    if (r == 0) return 0;
    ane_error_set(ANE_ERR_INTERNAL, "IOSurfaceLock failed (0x%x)", (unsigned)r);
    return -1;
}

static int darwin_surface_unlock(ane_surface *s, int read_only) {
    kern_return_t r = IOSurfaceUnlock((IOSurfaceRef)s->impl, lock_options(read_only), NULL);
    if (r == 0) return 0;
    ane_error_set(ANE_ERR_INTERNAL, "IOSurfaceUnlock failed (0x%x)", (unsigned)r);
    return -1;
}

/* ---- instances ------------------------------------------------------------------------------------- */

/* Wrap surfaces for a request, appending their indices 0..n-1. nil when the framework refuses one. */
static NSArray *wrap_surfaces(ane_surface *const *surfaces, int n, NSMutableArray *indices) {
    NSMutableArray *objects = [NSMutableArray arrayWithCapacity:(NSUInteger)n];
    for (int i = 0; i < n; i++) {
        id object = [(Class<ANE4JSurfaceObjectClass>)g_surface_object_class
            objectWithIOSurface:(IOSurfaceRef)surfaces[i]->impl];
        if (!object) return nil;
        [objects addObject:object];
        [indices addObject:@(i)];
    }
    return objects;
}

/* A request over the surfaces as they are now: inputs in parameter order (activations, then dynamic
 * weights), outputs in return order. Rebuilt after aliasing, so the ANE reads the new surface itself. */
static id make_request(ane_surface *const *params, int n_params, ane_surface *const *outputs, int n_outputs) {
    NSMutableArray *input_indices = [NSMutableArray array], *output_indices = [NSMutableArray array];
    NSArray *inputs = wrap_surfaces(params, n_params, input_indices);
    NSArray *outs = wrap_surfaces(outputs, n_outputs, output_indices);
    id request = nil;
    if (inputs && outs)
        request = [(Class<ANE4JRequestClass>)g_request_class requestWithInputs:inputs
                                                                  inputIndices:input_indices
                                                                       outputs:outs
                                                                 outputIndices:output_indices
                                                                 weightsBuffer:nil
                                                                     perfStats:nil
                                                                procedureIndex:@0];
    if (!request) ane_error_set(ANE_ERR_INTERNAL, "AppleNeuralEngine.framework refused to build a request");
    return request;
}

static void *darwin_instance_bind(void *program, void *previous, ane_surface *const *params, int n_params,
                                  ane_surface *const *outputs, int n_outputs) {
    @autoreleasepool {
        id request = make_request(params, n_params, outputs, n_outputs);
        if (!request) return NULL;
        darwin_instance *inst = previous;
        if (!inst) {
            inst = calloc(1, sizeof *inst);
            if (!inst) {
                ane_error_set(ANE_ERR_OUT_OF_MEMORY, "out of memory for an ANE instance");
                return NULL;
            }
            inst->program = program;
        } else {
            release_retained(inst->request);
        }
        inst->request = (__bridge_retained void *)request;
        return inst;
    }
}

static int darwin_instance_eval(void *instance, ane_surface *const *params, int n_params,
                                ane_surface *const *outputs, int n_outputs) {
    darwin_instance *inst = instance;
    @autoreleasepool {
        id<ANE4JModel> model = (__bridge id<ANE4JModel>)inst->program->model;
        NSError *error = nil;
        if ([model evaluateWithQoS:ANE_QOS options:@{} request:(__bridge id)inst->request error:&error]) return 0;
        set_error(ANE_ERR_EVAL, "ANE evaluation failed", error);
        return -1;
    }
}

static void darwin_instance_free(void *instance) {
    darwin_instance *inst = instance;
    if (!inst) return;
    release_retained(inst->request);
    free(inst);
}

/* ---- realtime -------------------------------------------------------------------------------------- */

/* Best effort: without a client yet (no model loaded) or when the service says no, evals run as usual. */
static void darwin_begin_realtime(void) {
    @autoreleasepool {
        pthread_mutex_lock(&g_lock);
        if (g_client && !g_realtime) g_realtime = [g_client beginRealTimeTask];
        pthread_mutex_unlock(&g_lock);
    }
}

static void darwin_end_realtime(void) {
    @autoreleasepool {
        pthread_mutex_lock(&g_lock);
        if (g_realtime) [g_client endRealTimeTask];
        g_realtime = NO;
        pthread_mutex_unlock(&g_lock);
    }
}

const ane_backend ane_darwin_backend = {
    .name = "ane",
    .probe = darwin_probe,
    .program_compile = darwin_program_compile,
    .program_free = darwin_program_free,
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
