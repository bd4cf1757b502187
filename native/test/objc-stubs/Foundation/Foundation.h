/* Apple's umbrella <Foundation/Foundation.h>: GNUstep's Foundation plus what Apple's pulls in as well, so
 * code that relies on it compiles the same way in the check as on a Mac. */
#ifndef ANE4J_STUB_FOUNDATION_H
#define ANE4J_STUB_FOUNDATION_H
#include_next <Foundation/Foundation.h>
#include <CoreFoundation/CoreFoundation.h>
#include <unistd.h>
#endif
