// The token file through the shared FileWatcher, with the gateway's log lines.
#include "ingest/gateway/token_watcher.h"

#include <spdlog/spdlog.h>

namespace fp::gateway {

TokenWatcher::TokenWatcher(boost::asio::io_context& io, std::string file,
                           std::chrono::milliseconds check_interval, Reported reported)
    : file_(std::move(file)),
      reported_(std::move(reported)),
      watcher_(io, check_interval,
               [this](const std::string&, const char* why, const std::string& problem) {
                 this->reported(why, problem);
               }) {
  watcher_.add(file_,
               [this] { tokens_ = std::make_shared<const TokenStore>(TokenFile::load(file_)); });
  tokens_ = std::make_shared<const TokenStore>(TokenFile::load(file_));
  if (reported_) reported_(true, tokens_->size(), {});
}

void TokenWatcher::reported(const char* why, const std::string& problem) {
  if (problem.empty()) {
    spdlog::info("token file reloaded ({}): {} active tokens", why, tokens_->size());
  } else {
    spdlog::error("token file not reloaded ({}), previous tokens stay in force: {}", why, problem);
  }
  if (reported_) reported_(problem.empty(), tokens_->size(), problem);
}

}  // namespace fp::gateway
