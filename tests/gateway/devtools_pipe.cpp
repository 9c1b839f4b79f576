// The DevTools pipe: posix_spawn with the pipes on fds 3 and 4, one command at a time.
#include "tests/gateway/devtools_pipe.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <simdjson.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stdexcept>
#include <vector>

extern char** environ;

namespace fp::test {

namespace {

std::string json_quote(const std::string& s) {
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out + "\"";
}

}  // namespace

DevtoolsBrowser::DevtoolsBrowser(const std::string& chromium) {
  int in[2];
  int out[2];
  if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0) {
    throw std::runtime_error("pipe failed");
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in[0], 3);
  posix_spawn_file_actions_adddup2(&actions, out[1], 4);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  const std::vector<std::string> args = {chromium,
                                         "--headless",
                                         "--no-sandbox",
                                         "--disable-gpu",
                                         "--disable-dev-shm-usage",
                                         "--no-first-run",
                                         "--no-default-browser-check",
                                         "--disable-extensions",
                                         "--disable-background-networking",
                                         "--disable-sync",
                                         "--remote-debugging-pipe",
                                         "--user-data-dir=" + profile_.path().string(),
                                         "about:blank"};
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const int rc = posix_spawn(&pid_, chromium.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(in[0]);
  ::close(out[1]);
  to_browser_ = in[1];
  from_browser_ = out[0];
  if (rc != 0) throw std::runtime_error("cannot start " + chromium);
}

DevtoolsBrowser::~DevtoolsBrowser() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  ::close(to_browser_);
  ::close(from_browser_);
}

void DevtoolsBrowser::open(const std::string& url) {
  const std::string created =
      call("Target.createTarget", "{\"url\":" + json_quote(url) + "}", true);
  simdjson::dom::parser parser;
  const std::string target(parser.parse(created)["targetId"].get_string().value());
  const std::string attached = call(
      "Target.attachToTarget", "{\"targetId\":" + json_quote(target) + ",\"flatten\":true}", true);
  session_ = std::string(parser.parse(attached)["sessionId"].get_string().value());
  call("Network.enable", "{}");
}

std::string DevtoolsBrowser::evaluate(const std::string& expression) {
  const std::string result =
      call("Runtime.evaluate", "{\"expression\":" + json_quote(expression) +
                                   ",\"returnByValue\":true,\"awaitPromise\":true}");
  simdjson::dom::parser parser;
  const auto doc = parser.parse(result);
  simdjson::dom::element value;
  if (doc["result"]["value"].get(value)) return "undefined";
  return simdjson::minify(value);
}

bool DevtoolsBrowser::wait_for(const std::string& expression, std::chrono::milliseconds deadline) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  while (std::chrono::steady_clock::now() < until) {
    if (evaluate("Boolean(" + expression + ")") == "true") return true;
    ::usleep(50'000);
  }
  return false;
}

void DevtoolsBrowser::set_offline(bool offline) {
  call("Network.emulateNetworkConditions",
       std::string("{\"offline\":") + (offline ? "true" : "false") +
           ",\"latency\":0,\"downloadThroughput\":-1,\"uploadThroughput\":-1}");
}

std::string DevtoolsBrowser::call(const std::string& method, const std::string& params,
                                  bool browser_level) {
  const int id = next_id_++;
  std::string message =
      "{\"id\":" + std::to_string(id) + ",\"method\":\"" + method + "\",\"params\":" + params;
  if (!browser_level) message += ",\"sessionId\":" + json_quote(session_);
  message += "}";
  message.push_back('\0');
  for (std::size_t done = 0; done < message.size();) {
    const auto n = ::write(to_browser_, message.data() + done, message.size() - done);
    if (n <= 0) throw std::runtime_error("cannot write to Chromium");
    done += static_cast<std::size_t>(n);
  }
  simdjson::dom::parser parser;
  while (true) {
    const std::string reply = read_message(std::chrono::seconds(60));
    const auto doc = parser.parse(reply);
    std::int64_t reply_id = 0;
    if (doc["id"].get(reply_id) || reply_id != id) continue;  // an event
    simdjson::dom::element result;
    if (doc["result"].get(result)) throw std::runtime_error(method + " failed: " + reply);
    return simdjson::minify(result);
  }
}

std::string DevtoolsBrowser::read_message(std::chrono::milliseconds timeout) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (true) {
    const auto end = pending_.find('\0');
    if (end != std::string::npos) {
      std::string message = pending_.substr(0, end);
      pending_.erase(0, end + 1);
      return message;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        until - std::chrono::steady_clock::now());
    if (left.count() <= 0) throw std::runtime_error("no answer from Chromium");
    pollfd p{from_browser_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
    char buf[65536];
    const auto n = ::read(from_browser_, buf, sizeof buf);
    if (n <= 0) throw std::runtime_error("Chromium closed the DevTools pipe");
    pending_.append(buf, static_cast<std::size_t>(n));
  }
}

}  // namespace fp::test
