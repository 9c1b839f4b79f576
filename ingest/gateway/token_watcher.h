// Keeps the gateway's tokens current: reloads the token file on SIGHUP and when it
// changes on disk, swapping in a new snapshot between requests.
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "base/file_watcher.h"
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

  void start() { watcher_.start(); }
  void stop() { watcher_.stop(); }
  [[nodiscard]] const TokenStore& tokens() const { return *tokens_; }

 private:
  void reported(const char* why, const std::string& problem);

  std::string file_;
  Reported reported_;
  std::shared_ptr<const TokenStore> tokens_;
  FileWatcher watcher_;
};

}  // namespace fp::gateway
