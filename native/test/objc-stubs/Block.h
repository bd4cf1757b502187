/* Apple's <Block.h>, as far as GNUstep's headers need it when compiling for an Apple target. */
#ifndef ANE4J_STUB_BLOCK_H
#define ANE4J_STUB_BLOCK_H
void *_Block_copy(const void *block);
void _Block_release(const void *block);
#endif
