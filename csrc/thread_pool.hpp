// A persistent pool of worker threads shared by all fills of the process.
#pragma once

#include <cstddef>
#include <functional>

namespace fastxavier {

// Runs task(0) .. task(ntasks - 1), each exactly once, on the calling thread and at
// most nthreads - 1 pool workers, and returns when all are done. Threads claim tasks
// one at a time, so a thread that starts late (its core busy elsewhere) takes fewer
// tasks and does not hold the others up. Safe to call from several threads at once:
// each call claims tasks from its own job, and the calling thread always works on its
// own job, so a busy pool delays a call but never deadlocks it. The pool starts on
// first use, grows to the largest nthreads - 1 requested, and is started afresh in a
// child process after fork().
void parallel_for(size_t ntasks, size_t nthreads,
                  const std::function<void(size_t)>& task);

// Number of CPUs this process may run on (its affinity mask), at least 1.
int affinity_cpu_count();

// Threads a fill uses when the call passes no thread count: set_default_threads, else
// the environment variable FASTXAVIER_NUM_THREADS, else affinity_cpu_count().
int default_threads();
void set_default_threads(int threads);

}  // namespace fastxavier
