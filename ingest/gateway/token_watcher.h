// Keeps the gateway's tokens current: reloads the token file on SIGHUP and when it
// changes on disk, swapping in a new snapshot between requests.
#pragma once

#include <sys/stat.h>

#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "ingest/gateway/token_store.h"

namespace fp::gateway {

// Threading: everything runs on the io_context's thread, so a request sees one
// snapshot from start to end and a reload never interrupts it. A file that
// fails to load leaves the previous tokens in force (and is reported).
class TokenWatcher {
 public:
  // Called after each reload attempt: ok, active tokens, the problem if any.
  using Reported = std::function<void(bool ok, std::size_t active, const std::string& problem)>;

  // Loads the file now; throws TokenFileError when it cannot.
  TokenWatcher(boost::asio::io_context& io, std::string file,
               std::chrono::milliseconds check_interval, Reported reported);
  TokenWatcher(const TokenWatcher&) = delete;
  TokenWatcher& operator=(const TokenWatcher&) = delete;

  void start();
  void stop();
  [[nodiscard]] const TokenStore& tokens() const { return *tokens_; }

 private:
  struct FileStamp {
    ino_t inode = 0;
    off_t size = -1;
    std::int64_t mtime_ns = 0;
    bool operator==(const FileStamp&) const = default;
  };
  FileStamp stamp() const;
  void reload(const char* why);
  void watch_signal();
  void watch_file();

  std::string file_;
  std::chrono::milliseconds check_interval_;
  Reported reported_;
  std::shared_ptr<const TokenStore> tokens_;
  FileStamp loaded_;
  boost::asio::signal_set hangup_;
  boost::asio::steady_timer timer_;
  bool stopped_ = false;
};

}  // namespace fp::gateway
