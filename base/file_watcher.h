// Reloads data files without a restart: on SIGHUP and when one changes on disk.
#pragma once

#include <sys/stat.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace fp {

// Threading: every reload runs on the io_context's thread, between the other
// handlers there, so whatever a reload swaps in is never read half-changed.
// A file whose reload fails is not retried until it changes again (or SIGHUP).
class FileWatcher {
 public:
  // Reads the file and puts it in force; throws (what() names the problem) to
  // keep the previous contents.
  using Reload = std::function<void()>;
  // After each attempt: the file, what set it off ("SIGHUP", "file changed")
  // and the problem (empty when it was reloaded).
  using Reported =
      std::function<void(const std::string& file, const char* why, const std::string& problem)>;

  FileWatcher(boost::asio::io_context& io, std::chrono::milliseconds check_interval,
              Reported reported);
  FileWatcher(const FileWatcher&) = delete;
  FileWatcher& operator=(const FileWatcher&) = delete;

  // Watches `file` as it is now: the caller has just loaded it.
  void add(std::string file, Reload reload);
  void start();
  void stop();

 private:
  struct FileStamp {
    ino_t inode = 0;
    off_t size = -1;
    std::int64_t mtime_ns = 0;
    bool operator==(const FileStamp&) const = default;
  };
  struct Watched {
    std::string file;
    Reload reload;
    FileStamp loaded;
  };
  static FileStamp stamp(const std::string& file);
  void reload(Watched& watched, const char* why);
  void watch_signal();
  void watch_files();

  std::chrono::milliseconds check_interval_;
  Reported reported_;
  std::vector<Watched> files_;
  boost::asio::signal_set hangup_;
  boost::asio::steady_timer timer_;
  bool stopped_ = false;
};

}  // namespace fp
