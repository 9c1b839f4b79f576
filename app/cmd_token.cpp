// `fieldpulse token add|revoke|list` (contract section 7): the gateway's device tokens.
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <iostream>
#include <memory>

#include "app/commands.h"
#include "ingest/gateway/token_store.h"

namespace fp::app {
namespace {

struct TokenFlags {
  std::string tokens;
  std::string cadre;
  std::string device;
};

std::string utc_now_rfc3339() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

// Serialises changes to one token file between concurrent `token` commands:
// an exclusive lock on FILE.lock for the command's lifetime.
class TokenFileLock {
 public:
  explicit TokenFileLock(const std::string& file)
      : fd_(::open((file + ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600)) {
    if (fd_ < 0 || ::flock(fd_, LOCK_EX) != 0) {
      throw gateway::TokenFileError("cannot lock " + file + ".lock");
    }
  }
  ~TokenFileLock() {
    if (fd_ >= 0) ::close(fd_);
  }
  TokenFileLock(const TokenFileLock&) = delete;
  TokenFileLock& operator=(const TokenFileLock&) = delete;

 private:
  int fd_;
};

int add_token(const TokenFlags& f) {
  TokenFileLock lock(f.tokens);
  auto file = gateway::TokenFile::load(f.tokens, true);
  std::string device = f.device;
  if (device.empty()) {
    // A name that is free: the cadre's id and the first unused number.
    for (int n = 1; device.empty(); ++n) {
      const std::string candidate = f.cadre + "-phone" + std::to_string(n);
      bool taken = false;
      for (const auto& e : file.entries()) taken = taken || e.device == candidate;
      if (!taken) device = candidate;
    }
  }
  const std::string token = file.add(f.cadre, device, utc_now_rfc3339());
  file.save(f.tokens);
  std::cerr << "fieldpulse token: device " << device << " of cadre " << f.cadre
            << " added; the token is shown once, below:\n";
  std::cout << token << std::endl;
  return kExitOk;
}

int revoke_token(const TokenFlags& f) {
  TokenFileLock lock(f.tokens);
  auto file = gateway::TokenFile::load(f.tokens);
  if (!file.revoke(f.device)) {
    std::cerr << "fieldpulse token revoke: --device: " << f.device << " has no active token in "
              << f.tokens << '\n';
    return kExitUsage;
  }
  file.save(f.tokens);
  std::cerr << "fieldpulse token: device " << f.device
            << " revoked (a running gateway picks the change up by itself)\n";
  return kExitOk;
}

int list_tokens(const TokenFlags& f) {
  const auto file = gateway::TokenFile::load(f.tokens);
  std::cout << "device\tcadre_id\tstate\tcreated\n";
  for (const auto& e : file.entries()) {
    std::cout << e.device << '\t' << e.cadre_id << '\t' << (e.revoked ? "revoked" : "active")
              << '\t' << e.created << '\n';
  }
  return kExitOk;
}

// Runs one action: a malformed file or a refused change is a usage error (2).
void run_action(int (*action)(const TokenFlags&), const TokenFlags& flags, int& exit_code) {
  try {
    exit_code = action(flags);
  } catch (const gateway::TokenFileError& e) {
    std::cerr << "fieldpulse token: " << e.what() << '\n';
    exit_code = kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "fieldpulse token: " << e.what() << '\n';
    exit_code = kExitRuntime;
  }
}

}  // namespace

void add_token_command(CLI::App& root, int& exit_code) {
  auto* cmd = root.add_subcommand(
      "token",
      "Manage the gateway's device tokens. Each token belongs to one cadre and one device;\n"
      "the file keeps only SHA-256 hashes, so `add` shows a new token once.");
  cmd->require_subcommand(1);
  auto flags = std::make_shared<TokenFlags>();

  auto* add = cmd->add_subcommand("add", "issue a token for a cadre's device and print it once");
  add->add_option("--tokens", flags->tokens, "token file (created if missing)")->required();
  add->add_option("--cadre", flags->cadre, "the cadre_id the token may report for")->required();
  add->add_option("--device", flags->device,
                  "a name for the device (default: CADRE-phoneN, the first free N)");
  add->callback([flags, &exit_code] { run_action(&add_token, *flags, exit_code); });

  auto* revoke = cmd->add_subcommand("revoke", "revoke the active token of a device");
  revoke->add_option("--tokens", flags->tokens, "token file")->required()->check(CLI::ExistingFile);
  revoke->add_option("--device", flags->device, "the device whose token stops working")->required();
  revoke->callback([flags, &exit_code] { run_action(&revoke_token, *flags, exit_code); });

  auto* list = cmd->add_subcommand("list", "list devices, cadres and states (never tokens)");
  list->add_option("--tokens", flags->tokens, "token file")->required()->check(CLI::ExistingFile);
  list->callback([flags, &exit_code] { run_action(&list_tokens, *flags, exit_code); });
}

}  // namespace fp::app
