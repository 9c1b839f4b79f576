// Headless Chromium driven over the DevTools protocol on a pipe (--remote-debugging-pipe):
// open a page, run script in it, switch its network off and on.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>

#include "tests/support/temp_dir.h"

namespace fp::test {

// One Chromium with one page. Messages are JSON, each ended by a NUL byte, on
// fds 3 (to Chromium) and 4 (from it). Throws std::runtime_error on failure.
class DevtoolsBrowser {
 public:
  explicit DevtoolsBrowser(const std::string& chromium);
  ~DevtoolsBrowser();
  DevtoolsBrowser(const DevtoolsBrowser&) = delete;
  DevtoolsBrowser& operator=(const DevtoolsBrowser&) = delete;

  // Opens `url` in a new page that the other calls act on.
  void open(const std::string& url);
  // Evaluates `expression` (awaiting a promise) and returns its value as JSON text.
  std::string evaluate(const std::string& expression);
  // Polls `expression` until it evaluates to true or `deadline` passes.
  bool wait_for(const std::string& expression,
                std::chrono::milliseconds deadline = std::chrono::seconds(30));
  // DevTools network emulation: every request of the page fails while offline.
  void set_offline(bool offline);

 private:
  // Sends a command (to the page's session unless `browser_level`) and returns
  // the "result" object's JSON text.
  std::string call(const std::string& method, const std::string& params,
                   bool browser_level = false);
  std::string read_message(std::chrono::milliseconds timeout);

  TempDir profile_;
  pid_t pid_ = -1;
  int to_browser_ = -1;
  int from_browser_ = -1;
  int next_id_ = 1;
  std::string session_;
  std::string pending_;
};

}  // namespace fp::test
