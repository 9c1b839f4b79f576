// One connection to PostgreSQL and the thread that writes through it: takes the
// queued batches of progress changes, keeps each key's latest, and upserts them.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "processors/progress_key.h"
#include "sinks/progress_row.h"

namespace fp {

class ProgressTable;

struct ProgressKeyHash {
  std::size_t operator()(const ProgressKey& key) const noexcept;
};

// Everything queued since the last write goes in one transaction: behind a slow
// database the batches merge, and a key that changed in several costs one row.
// A connection or write that fails is retried kAttempts times with backoff on a
// new connection; then `on_failed`. Destruction cancels a statement the server
// holds up (a lock, a slow disk) and joins the thread.
//
// Threads: construct, push() and destroy on one thread; the callbacks run on
// the writer's own thread.
class ProgressWriter {
 public:
  struct Batch {
    std::vector<ProgressChange> changes;  // may be empty: still acknowledged in turn
    std::int64_t updated_ms = 0;
    std::uint64_t sequence = 0;  // increasing
  };
  struct Written {
    std::uint64_t through_sequence = 0;  // every batch up to it is in the table
    std::size_t changes = 0;             // as pushed, before coalescing
    std::size_t upserted = 0;            // rows written: distinct keys
  };
  struct Callbacks {
    std::function<void(const Written&)> written;
    std::function<void(const std::string& error)> attempt_failed;
    std::function<void(const std::string& why)> failed;  // gave up: the writer has stopped
  };

  // Starts the thread, which connects and creates the table in the background.
  // `renderer` must outlive the writer; it reads only immutable names.
  ProgressWriter(std::string uri, const ProgressRowRenderer& renderer, Callbacks callbacks);
  ~ProgressWriter();
  ProgressWriter(const ProgressWriter&) = delete;
  ProgressWriter& operator=(const ProgressWriter&) = delete;

  void push(Batch batch);

  // Tries per connection or write, the first retry's delay (doubled each
  // time), and how often destruction repeats its cancel until the thread is out.
  static constexpr int kAttempts = 5;
  static constexpr std::chrono::milliseconds kFirstRetryDelay{100};
  static constexpr std::chrono::milliseconds kCancelInterval{100};

 private:
  void run();
  void connect();
  // Waits for batches and takes them all into rows_, one row per key; false when stopping.
  bool take_queued(Written& taken);
  // Runs `step` up to kAttempts times with backoff; false once stopping or out of tries.
  template <typename Step>
  bool with_retries(Step&& step, std::string& error);

  const std::string uri_;
  const ProgressRowRenderer& renderer_;
  Callbacks callbacks_;

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Batch> batches_;
  bool stopping_ = false;
  bool done_ = false;
  std::mutex table_mutex_;                // guards table_ against cancels while it is replaced
  std::unique_ptr<ProgressTable> table_;  // set and used by the thread

  // The thread's buffers.
  std::unordered_map<ProgressKey, std::size_t, ProgressKeyHash> latest_;  // key -> changes_ index
  std::vector<std::pair<ProgressChange, std::int64_t>> changes_;          // with updated_ms
  std::vector<ProgressFields> rows_;

  std::thread thread_;  // last: started once everything above exists
};

}  // namespace fp
