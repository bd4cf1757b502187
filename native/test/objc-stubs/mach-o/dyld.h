/* Apple's <mach-o/dyld.h>: the one call the ANE tests use to find their own executable. */
#ifndef ANE4J_STUB_MACH_O_DYLD_H
#define ANE4J_STUB_MACH_O_DYLD_H
#include <stdint.h>
int _NSGetExecutablePath(char *buf, uint32_t *bufsize);
#endif
