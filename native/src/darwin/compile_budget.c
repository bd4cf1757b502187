/* The ANE compile budget (see compile_budget.h) and its ABI functions. */
#include "darwin/compile_budget.h"

#include "error.h"

ane_compile_budget ane_process_compile_budget = ANE_COMPILE_BUDGET_INIT;

int ane_compile_budget_take(ane_compile_budget *b) {
    pthread_mutex_lock(&b->lock);
    int used = b->used, limit = b->limit;
    if (used < limit) b->used++;
    pthread_mutex_unlock(&b->lock);
    if (used < limit) return 0;
    ane_error_set(ANE_ERR_COMPILE_BUDGET,
                  "the ANE compile budget of this process is spent (%d of %d compiles used): the ANE compiler "
                  "fails and then crashes the process after about 119 compiles. Reuse kernels (an identical "
                  "program compiles once per process), pass weights that change as dynamic weight inputs "
                  "instead of recompiling, or continue in a new process; ane_bridge_set_compile_budget changes "
                  "the limit", used, limit);
    return -1;
}

/* A field of the process's budget, read under its lock. */
static int read_locked(const int *field) {
    pthread_mutex_lock(&ane_process_compile_budget.lock);
    int value = *field;
    pthread_mutex_unlock(&ane_process_compile_budget.lock);
    return value;
}

int ane_bridge_get_compile_budget(void) {
    ane_error_clear();
    return read_locked(&ane_process_compile_budget.limit);
}

int ane_bridge_set_compile_budget(int budget) {
    ane_error_clear();
    if (budget < 0) {
        ane_error_set(ANE_ERR_INVALID_ARGUMENT, "set_compile_budget: the budget is negative (%d)", budget);
        return -1;
    }
    pthread_mutex_lock(&ane_process_compile_budget.lock);
    ane_process_compile_budget.limit = budget;
    pthread_mutex_unlock(&ane_process_compile_budget.lock);
    return 0;
}

int ane_bridge_get_compile_budget_used(void) {
    ane_error_clear();
    return read_locked(&ane_process_compile_budget.used);
}
