#ifndef HEKATON_CCONCURRENCYHOOKS_H
#define HEKATON_CCONCURRENCYHOOKS_H

#include <stdbool.h>
#include <stdint.h>

/// Runs a job of Swift Concurrency's global executor now (the job's pointer, an `UnownedJob`).
typedef void (*hekaton_enqueue_fn)(void *job);
/// Runs a job of Swift Concurrency's global executor after `nanoseconds`.
typedef void (*hekaton_enqueue_after_fn)(uint64_t nanoseconds, void *job);

/// Makes `enqueue` and `enqueue_after` Swift Concurrency's global executor, through the Swift
/// runtime's enqueue hooks (for jobs, for delays and for deadlines on the continuous or the
/// suspending clock). Returns false, and changes nothing, when some hook is already set.
bool hekaton_install_global_executor(hekaton_enqueue_fn enqueue, hekaton_enqueue_after_fn enqueue_after);

#endif
