/* Apple's <objc/runtime.h>: the part GNUstep's headers and the ANE backend use. Replaces GCC's version,
 * whose inline functions do not compile with clang's modern runtimes. */
#ifndef ANE4J_STUB_OBJC_RUNTIME_H
#define ANE4J_STUB_OBJC_RUNTIME_H
#include <objc/objc.h>

typedef struct objc_ivar *Ivar;
typedef struct objc_method *Method;
typedef struct objc_property *objc_property_t;

Class object_getClass(id obj);
const char *class_getName(Class cls);
Class objc_getClass(const char *name);
Ivar class_getInstanceVariable(Class cls, const char *name);
const char *ivar_getName(Ivar v);
const char *ivar_getTypeEncoding(Ivar v);
id object_getIvar(id obj, Ivar ivar);
SEL sel_registerName(const char *str);
const char *sel_getName(SEL sel);
#endif
