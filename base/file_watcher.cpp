// SIGHUP and a stat() of each file every check interval trigger a reload.
#include "base/file_watcher.h"

#include <csignal>
#include <exception>

namespace fp {

FileWatcher::FileWatcher(boost::asio::io_context& io, std::chrono::milliseconds check_interval,
                         Reported reported)
    : check_interval_(check_interval), reported_(std::move(reported)), hangup_(io), timer_(io) {}

void FileWatcher::add(std::string file, Reload reload) {
  const FileStamp now = stamp(file);
  files_.push_back({std::move(file), std::move(reload), now});
}

void FileWatcher::start() {
  hangup_.add(SIGHUP);
  watch_signal();
  watch_files();
}

void FileWatcher::stop() {
  stopped_ = true;
  boost::system::error_code ignored;
  hangup_.cancel(ignored);
  timer_.cancel();
}

FileWatcher::FileStamp FileWatcher::stamp(const std::string& file) {
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) return {};
  return {st.st_ino, st.st_size,
          std::int64_t{st.st_mtim.tv_sec} * 1'000'000'000 + st.st_mtim.tv_nsec};
}

void FileWatcher::reload(Watched& watched, const char* why) {
  watched.loaded = stamp(watched.file);  // a broken file is not retried until it changes again
  std::string problem;
  try {
    watched.reload();
  } catch (const std::exception& e) {
    problem = e.what();
    if (problem.empty()) problem = "unknown error";
  }
  if (reported_) reported_(watched.file, why, problem);
}

void FileWatcher::watch_signal() {
  hangup_.async_wait([this](boost::system::error_code ec, int) {
    if (ec || stopped_) return;
    for (Watched& watched : files_) reload(watched, "SIGHUP");
    watch_signal();
  });
}

void FileWatcher::watch_files() {
  timer_.expires_after(check_interval_);
  timer_.async_wait([this](boost::system::error_code ec) {
    if (ec || stopped_) return;
    for (Watched& watched : files_) {
      if (stamp(watched.file) != watched.loaded) reload(watched, "file changed");
    }
    watch_files();
  });
}

}  // namespace fp
