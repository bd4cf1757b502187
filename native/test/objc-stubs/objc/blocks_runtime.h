/* libobjc2's <objc/blocks_runtime.h>, as far as GNUstep's headers need it. */
#ifndef ANE4J_STUB_BLOCKS_RUNTIME_H
#define ANE4J_STUB_BLOCKS_RUNTIME_H
void *_Block_copy(const void *block);
void _Block_release(const void *block);
#endif
