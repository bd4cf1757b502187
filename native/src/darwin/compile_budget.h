/* The ANE compile budget (ane_bridge.h "ANE compile budget"): AppleNeuralEngine's compiler leaks state
 * and, after about 119 compiles in one process, fails silently and then crashes it (maderix/ANE README
 * "~119 compile limit", worked around there with exec(); mechramc/Orion docs/ane_constraints.md §5;
 * AmiraniLabs/libane src/runtime/ane_runtime.mm refuses at kCompileHardLimit = 115). The backend takes one
 * unit before every compiler call; loads of a program the ANE still holds take none. Plain C, built and
 * tested everywhere; the ABI's getters and setter work on every platform. */
#ifndef ANE4J_DARWIN_COMPILE_BUDGET_H
#define ANE4J_DARWIN_COMPILE_BUDGET_H

#include <pthread.h>

/* Under the ~119 where failures start, with room for compiles outside ane4j's count in the same process. */
#define ANE_COMPILE_BUDGET_DEFAULT 110

typedef struct ane_compile_budget {
    pthread_mutex_t lock;
    int limit; /* compiles allowed in this process */
    int used;  /* compiles taken so far; never decreases */
} ane_compile_budget;

#define ANE_COMPILE_BUDGET_INIT { PTHREAD_MUTEX_INITIALIZER, ANE_COMPILE_BUDGET_DEFAULT, 0 }

/* The process's budget, behind the ABI functions. */
extern ane_compile_budget ane_process_compile_budget;

/* Count one compile: 0, or -1 with ANE_ERR_COMPILE_BUDGET (saying what to do) when used has reached limit. */
int ane_compile_budget_take(ane_compile_budget *b);

#endif
