// Swift Concurrency's global executor, replaced through the runtime's hooks.
//
// The hooks are variables of libswift_Concurrency (exported by the shared library, linked in
// with a static runtime). Each holds a swiftcc function pointer; the arguments here are all
// integers and pointers, which swiftcc passes as C does, and the attribute says so anyway.

#include "CConcurrencyHooks.h"

#include <stddef.h>
#include <time.h>

#define SWIFTCC __attribute__((swiftcall))

typedef SWIFTCC void (*enqueue_global_hook)(void *job, void *original);
typedef SWIFTCC void (*enqueue_delay_hook)(unsigned long long delay, void *job, void *original);
typedef SWIFTCC void (*enqueue_deadline_hook)(long long sec, long long nsec, long long tsec, long long tnsec,
                                              int clock, void *job, void *original);

extern enqueue_global_hook swift_task_enqueueGlobal_hook;
extern enqueue_delay_hook swift_task_enqueueGlobalWithDelay_hook;
extern enqueue_deadline_hook swift_task_enqueueGlobalWithDeadline_hook;

static hekaton_enqueue_fn installed_enqueue;
static hekaton_enqueue_after_fn installed_enqueue_after;

static SWIFTCC void enqueue_global(void *job, void *original) {
    (void)original;
    installed_enqueue(job);
}

static SWIFTCC void enqueue_with_delay(unsigned long long delay, void *job, void *original) {
    (void)original;
    installed_enqueue_after((uint64_t)delay, job);
}

// The runtime's clock ids (swift_clock_id): 1 is the continuous clock, CLOCK_BOOTTIME on
// Linux; 2 the suspending clock, CLOCK_MONOTONIC. The deadline is absolute on that clock.
static SWIFTCC void enqueue_with_deadline(long long sec, long long nsec, long long tsec, long long tnsec,
                                          int clock, void *job, void *original) {
    (void)tsec;
    (void)tnsec;
    (void)original;
    struct timespec now;
    clock_gettime(clock == 1 ? CLOCK_BOOTTIME : CLOCK_MONOTONIC, &now);
    long long delta = (sec - (long long)now.tv_sec) * 1000000000LL + (nsec - (long long)now.tv_nsec);
    installed_enqueue_after(delta > 0 ? (uint64_t)delta : 0, job);
}

bool hekaton_install_global_executor(hekaton_enqueue_fn enqueue, hekaton_enqueue_after_fn enqueue_after) {
    if (enqueue == NULL || enqueue_after == NULL) return false;
    if (swift_task_enqueueGlobal_hook != NULL || swift_task_enqueueGlobalWithDelay_hook != NULL
        || swift_task_enqueueGlobalWithDeadline_hook != NULL) return false;
    installed_enqueue = enqueue;
    installed_enqueue_after = enqueue_after;
    swift_task_enqueueGlobalWithDeadline_hook = enqueue_with_deadline;
    swift_task_enqueueGlobalWithDelay_hook = enqueue_with_delay;
    swift_task_enqueueGlobal_hook = enqueue_global;
    return true;
}
