// SIGHUP and a stat() of the token file every check interval trigger a reload.
#include "ingest/gateway/token_watcher.h"

#include <spdlog/spdlog.h>

#include <csignal>

namespace fp::gateway {

TokenWatcher::TokenWatcher(boost::asio::io_context& io, std::string file,
                           std::chrono::milliseconds check_interval, Reported reported)
    : file_(std::move(file)),
      check_interval_(check_interval),
      reported_(std::move(reported)),
      hangup_(io),
      timer_(io) {
  loaded_ = stamp();
  tokens_ = std::make_shared<const TokenStore>(TokenFile::load(file_));
  if (reported_) reported_(true, tokens_->size(), {});
}

void TokenWatcher::start() {
  hangup_.add(SIGHUP);
  watch_signal();
  watch_file();
}

void TokenWatcher::stop() {
  stopped_ = true;
  boost::system::error_code ignored;
  hangup_.cancel(ignored);
  timer_.cancel();
}

TokenWatcher::FileStamp TokenWatcher::stamp() const {
  struct stat st {};
  if (::stat(file_.c_str(), &st) != 0) return {};
  return {st.st_ino, st.st_size,
          std::int64_t{st.st_mtim.tv_sec} * 1'000'000'000 + st.st_mtim.tv_nsec};
}

void TokenWatcher::reload(const char* why) {
  const FileStamp now = stamp();
  try {
    auto fresh = std::make_shared<const TokenStore>(TokenFile::load(file_));
    tokens_ = std::move(fresh);
    loaded_ = now;
    spdlog::info("token file reloaded ({}): {} active tokens", why, tokens_->size());
    if (reported_) reported_(true, tokens_->size(), {});
  } catch (const std::exception& e) {
    loaded_ = now;  // do not retry a broken file until it changes again
    spdlog::error("token file not reloaded ({}), previous tokens stay in force: {}", why, e.what());
    if (reported_) reported_(false, tokens_->size(), e.what());
  }
}

void TokenWatcher::watch_signal() {
  hangup_.async_wait([this](boost::system::error_code ec, int) {
    if (ec || stopped_) return;
    reload("SIGHUP");
    watch_signal();
  });
}

void TokenWatcher::watch_file() {
  timer_.expires_after(check_interval_);
  timer_.async_wait([this](boost::system::error_code ec) {
    if (ec || stopped_) return;
    if (stamp() != loaded_) reload("file changed");
    watch_file();
  });
}

}  // namespace fp::gateway
