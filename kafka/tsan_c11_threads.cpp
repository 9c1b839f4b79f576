// C11 threads on top of pthreads, linked into ThreadSanitizer builds only
// (FP_TSAN): librdkafka starts its threads with thrd_create and locks with
// mtx_lock, which the TSan runtimes of g++ 12 and clang 14 do not intercept, so
// its threads crash at their first intercepted call and its locks are unseen.
// glibc's thrd_t, mtx_t, cnd_t and once_flag are the pthread types.
#include <errno.h>
#include <pthread.h>
#include <threads.h>

#include <cstdint>

namespace {

struct ThreadStart {
  thrd_start_t func;
  void* arg;
};

void* run_thread(void* raw) {
  const ThreadStart start = *static_cast<ThreadStart*>(raw);
  delete static_cast<ThreadStart*>(raw);
  // pthreads returns a pointer where C11 threads return an int; thrd_join() casts it back.
  return reinterpret_cast<void*>(  // NOLINT(performance-no-int-to-ptr)
      static_cast<std::intptr_t>(start.func(start.arg)));
}

int result(int error) {
  if (error == 0) return thrd_success;
  if (error == ETIMEDOUT) return thrd_timedout;
  if (error == EBUSY) return thrd_busy;
  if (error == ENOMEM) return thrd_nomem;
  return thrd_error;
}

pthread_mutex_t* native(mtx_t* m) { return reinterpret_cast<pthread_mutex_t*>(m); }
pthread_cond_t* native(cnd_t* c) { return reinterpret_cast<pthread_cond_t*>(c); }

}  // namespace

extern "C" {

int thrd_create(thrd_t* thread, thrd_start_t func, void* arg) {
  auto* start = new ThreadStart{func, arg};
  const int error = pthread_create(thread, nullptr, &run_thread, start);
  if (error != 0) delete start;
  return result(error);
}

int thrd_join(thrd_t thread, int* exit_code) {
  void* value = nullptr;
  const int error = pthread_join(thread, &value);
  if (error == 0 && exit_code != nullptr) {
    *exit_code = static_cast<int>(reinterpret_cast<std::intptr_t>(value));
  }
  return result(error);
}

int thrd_detach(thrd_t thread) { return result(pthread_detach(thread)); }

int mtx_init(mtx_t* mutex, int type) {
  pthread_mutexattr_t attributes;
  pthread_mutexattr_init(&attributes);
  if ((type & mtx_recursive) != 0) {
    pthread_mutexattr_settype(&attributes, PTHREAD_MUTEX_RECURSIVE);
  }
  const int error = pthread_mutex_init(native(mutex), &attributes);
  pthread_mutexattr_destroy(&attributes);
  return result(error);
}

int mtx_lock(mtx_t* mutex) { return result(pthread_mutex_lock(native(mutex))); }
int mtx_trylock(mtx_t* mutex) { return result(pthread_mutex_trylock(native(mutex))); }
int mtx_unlock(mtx_t* mutex) { return result(pthread_mutex_unlock(native(mutex))); }
void mtx_destroy(mtx_t* mutex) { pthread_mutex_destroy(native(mutex)); }

int cnd_init(cnd_t* cond) { return result(pthread_cond_init(native(cond), nullptr)); }
int cnd_signal(cnd_t* cond) { return result(pthread_cond_signal(native(cond))); }
int cnd_broadcast(cnd_t* cond) { return result(pthread_cond_broadcast(native(cond))); }
int cnd_wait(cnd_t* cond, mtx_t* mutex) {
  return result(pthread_cond_wait(native(cond), native(mutex)));
}
int cnd_timedwait(cnd_t* cond, mtx_t* mutex, const struct timespec* until) {
  return result(pthread_cond_timedwait(native(cond), native(mutex), until));
}
void cnd_destroy(cnd_t* cond) { pthread_cond_destroy(native(cond)); }

void call_once(once_flag* flag, void (*func)()) {
  pthread_once(reinterpret_cast<pthread_once_t*>(flag), func);
}

}  // extern "C"
