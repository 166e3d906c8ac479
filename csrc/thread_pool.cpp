#include "thread_pool.hpp"

#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <memory>
#include <mutex>
#include <new>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace fastxavier {
namespace {

struct Job {
  const std::function<void(size_t)>* task;
  size_t ntasks;
  size_t max_helpers;  // workers allowed to join, besides the calling thread
  size_t helpers = 0;  // workers that joined; guarded by the pool's mutex
  std::atomic<size_t> next{0};
  size_t done = 0;      // guarded by done_mutex
  size_t attached = 0;  // joined workers not yet finished; guarded by done_mutex
  std::mutex done_mutex;
  std::condition_variable done_cv;
};

// Claims and runs tasks of `job` until none is left; returns how many ran.
size_t run_tasks(Job* job) {
  size_t ran = 0;
  for (size_t i = job->next.fetch_add(1); i < job->ntasks; i = job->next.fetch_add(1)) {
    (*job->task)(i);
    ++ran;
  }
  return ran;
}

class ThreadPool {
 public:
  ~ThreadPool() {
    {
      std::lock_guard<std::mutex> guard(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    for (std::thread& worker : workers_) worker.join();
  }

  void run(size_t ntasks, size_t nthreads, const std::function<void(size_t)>& task) {
    Job job;
    job.task = &task;
    job.ntasks = ntasks;
    job.max_helpers = nthreads - 1;
    {
      std::lock_guard<std::mutex> guard(mutex_);
      while (workers_.size() < job.max_helpers)
        workers_.emplace_back([this] { work(); });
      jobs_.push_back(&job);
    }
    wake_.notify_all();

    const size_t ran = run_tasks(&job);

    // After this removal no worker can join the job. The workers that joined are
    // counted in `attached`, and the wait below keeps the job alive until they leave.
    {
      std::lock_guard<std::mutex> guard(mutex_);
      for (auto it = jobs_.begin(); it != jobs_.end(); ++it) {
        if (*it == &job) {
          jobs_.erase(it);
          break;
        }
      }
    }
    std::unique_lock<std::mutex> lock(job.done_mutex);
    job.done += ran;
    job.done_cv.wait(lock,
                     [&job] { return job.done == job.ntasks && job.attached == 0; });
  }

 private:
  // A queued job that still has unclaimed tasks and room for another worker.
  Job* joinable_job() {
    for (Job* job : jobs_) {
      if (job->helpers < job->max_helpers && job->next.load() < job->ntasks) return job;
    }
    return nullptr;
  }

  void work() {
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      wake_.wait(lock, [this] { return stopping_ || joinable_job() != nullptr; });
      if (stopping_) return;

      Job* job = joinable_job();
      ++job->helpers;
      {
        std::lock_guard<std::mutex> guard(job->done_mutex);
        ++job->attached;
      }
      lock.unlock();

      const size_t ran = run_tasks(job);
      {
        // The last touch of the job, under its mutex: the caller cannot free it
        // before this block ends.
        std::lock_guard<std::mutex> guard(job->done_mutex);
        job->done += ran;
        --job->attached;
        job->done_cv.notify_one();
      }
      lock.lock();
    }
  }

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Job*> jobs_;
  std::vector<std::thread> workers_;
  bool stopping_ = false;
};

std::mutex g_pool_mutex;
ThreadPool* g_pool = nullptr;
std::atomic<int> g_default_threads{0};

void forget_pool_after_fork() {
  // The child has only the forking thread: the workers and any lock they held are
  // gone. The old pool object is leaked on purpose, since destroying it would join
  // threads that no longer exist.
  g_pool = nullptr;
  new (&g_pool_mutex) std::mutex();
}

ThreadPool& pool() {
  static const bool registered = [] {
    pthread_atfork(nullptr, nullptr, forget_pool_after_fork);
    return true;
  }();
  (void)registered;
  std::lock_guard<std::mutex> guard(g_pool_mutex);
  if (g_pool == nullptr) g_pool = new ThreadPool();
  return *g_pool;
}

int threads_from_environment() {
  const char* text = std::getenv("FASTXAVIER_NUM_THREADS");
  if (text == nullptr || *text == '\0') return 0;
  char* end = nullptr;
  const long value = std::strtol(text, &end, 10);
  if (*end != '\0' || value < 1 || value > 4096) {
    throw std::invalid_argument("FASTXAVIER_NUM_THREADS='" + std::string(text) +
                                "' is invalid: expected an integer from 1 to 4096");
  }
  return static_cast<int>(value);
}

}  // namespace

void parallel_for(size_t ntasks, size_t nthreads,
                  const std::function<void(size_t)>& task) {
  if (ntasks == 0) return;
  if (ntasks == 1 || nthreads <= 1) {
    for (size_t i = 0; i < ntasks; ++i) task(i);
    return;
  }
  pool().run(ntasks, std::min(nthreads, ntasks), task);
}

int affinity_cpu_count() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    const int count = CPU_COUNT(&set);
    if (count > 0) return count;
  }
  const unsigned hardware = std::thread::hardware_concurrency();
  return hardware > 0 ? static_cast<int>(hardware) : 1;
}

int default_threads() {
  const int chosen = g_default_threads.load();
  if (chosen > 0) return chosen;
  const int from_environment = threads_from_environment();
  return from_environment > 0 ? from_environment : affinity_cpu_count();
}

void set_default_threads(int threads) { g_default_threads.store(threads); }

}  // namespace fastxavier
