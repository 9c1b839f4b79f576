// The token file, token generation and hashed, constant-time token lookup.
#include "ingest/gateway/token_store.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <system_error>

namespace fp::gateway {

namespace {

constexpr std::string_view kHeader =
    "# fieldpulse gateway tokens: device, cadre_id, sha256 of the token, state, created\n"
    "# (tab-separated; managed with `fieldpulse token add|revoke|list`)\n";

std::string to_hex(const TokenHash& hash) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (const std::uint8_t b : hash) {
    out += kDigits[b >> 4];
    out += kDigits[b & 0xF];
  }
  return out;
}

std::optional<TokenHash> from_hex(std::string_view text) {
  if (text.size() != 64) return std::nullopt;
  TokenHash out{};
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  for (std::size_t i = 0; i < out.size(); ++i) {
    const int hi = nibble(text[2 * i]);
    const int lo = nibble(text[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out[i] = static_cast<std::uint8_t>(hi << 4 | lo);
  }
  return out;
}

std::vector<std::string_view> split_tabs(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (true) {
    const auto tab = line.find('\t', start);
    out.push_back(line.substr(start, tab - start));
    if (tab == std::string_view::npos) return out;
    start = tab + 1;
  }
}

}  // namespace

bool valid_token_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (const char c : name) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '.' || c == ':' || c == '-';
    if (!ok) return false;
  }
  return true;
}

TokenHash sha256(std::string_view text) {
  TokenHash out{};
  unsigned int size = 0;
  if (EVP_Digest(text.data(), text.size(), out.data(), &size, EVP_sha256(), nullptr) != 1 ||
      size != out.size()) {
    throw std::runtime_error("SHA-256 failed");
  }
  return out;
}

std::string new_token() {
  std::array<unsigned char, 32> random{};
  if (RAND_bytes(random.data(), static_cast<int>(random.size())) != 1) {
    throw std::runtime_error("no random bytes for a token");
  }
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out = "fpt_";
  std::uint32_t bits = 0;
  int held = 0;
  for (const unsigned char b : random) {
    bits = (bits << 8) | b;
    held += 8;
    while (held >= 6) {
      held -= 6;
      out += kAlphabet[(bits >> held) & 0x3F];
    }
  }
  if (held > 0) out += kAlphabet[(bits << (6 - held)) & 0x3F];
  return out;
}

TokenFile TokenFile::load(const std::filesystem::path& file, bool missing_ok) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    if (missing_ok && !std::filesystem::exists(file)) return {};
    throw TokenFileError("cannot read token file " + file.string() + ": " +
                         std::generic_category().message(errno));
  }
  std::stringstream text;
  text << in.rdbuf();
  return parse(text.str(), file.string());
}

TokenFile TokenFile::parse(std::string_view text, std::string_view source_name) {
  TokenFile out;
  std::size_t line_number = 0;
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    const auto where = std::string(source_name) + ":" + std::to_string(line_number);
    const auto fields = split_tabs(line);
    if (fields.size() != 5) {
      throw TokenFileError(where + ": expected 5 tab-separated fields, found " +
                           std::to_string(fields.size()));
    }
    TokenEntry entry;
    entry.device = std::string(fields[0]);
    entry.cadre_id = std::string(fields[1]);
    if (!valid_token_name(entry.device)) throw TokenFileError(where + ": device: malformed name");
    if (!valid_token_name(entry.cadre_id)) throw TokenFileError(where + ": cadre_id: malformed");
    const auto hash = from_hex(fields[2]);
    if (!hash) throw TokenFileError(where + ": hash: expected 64 lowercase hex digits");
    entry.hash = *hash;
    if (fields[3] != "active" && fields[3] != "revoked") {
      throw TokenFileError(where + ": state: expected active or revoked");
    }
    entry.revoked = fields[3] == "revoked";
    entry.created = std::string(fields[4]);
    if (!entry.revoked) {
      for (const TokenEntry& other : out.entries_) {
        if (!other.revoked && other.device == entry.device) {
          throw TokenFileError(where + ": device " + entry.device + " has two active tokens");
        }
      }
    }
    out.entries_.push_back(std::move(entry));
  }
  return out;
}

std::string TokenFile::render() const {
  std::string out(kHeader);
  for (const TokenEntry& e : entries_) {
    out += e.device + '\t' + e.cadre_id + '\t' + to_hex(e.hash) + '\t' +
           (e.revoked ? "revoked" : "active") + '\t' + e.created + '\n';
  }
  return out;
}

void TokenFile::save(const std::filesystem::path& file) const {
  const std::string temp = file.string() + ".tmp";
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    throw TokenFileError("cannot write " + temp + ": " + std::generic_category().message(errno));
  }
  const std::string text = render();
  std::size_t written = 0;
  while (written < text.size()) {
    const auto n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ::close(fd);
      throw TokenFileError("cannot write " + temp + ": " + std::generic_category().message(errno));
    }
    written += static_cast<std::size_t>(n);
  }
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!synced || ::rename(temp.c_str(), file.c_str()) != 0) {
    throw TokenFileError("cannot replace " + file.string() + ": " +
                         std::generic_category().message(errno));
  }
}

std::string TokenFile::add(std::string_view cadre_id, std::string_view device,
                           std::string created) {
  if (!valid_token_name(cadre_id)) {
    throw TokenFileError("cadre \"" + std::string(cadre_id) +
                         "\": expected 1-64 characters of [A-Za-z0-9_.:-]");
  }
  if (!valid_token_name(device)) {
    throw TokenFileError("device \"" + std::string(device) +
                         "\": expected 1-64 characters of [A-Za-z0-9_.:-]");
  }
  for (const TokenEntry& e : entries_) {
    if (!e.revoked && e.device == device) {
      throw TokenFileError("device " + std::string(device) +
                           " already has an active token; revoke it first");
    }
  }
  std::string token = new_token();
  entries_.push_back(TokenEntry{std::string(device), std::string(cadre_id), sha256(token), false,
                                std::move(created)});
  return token;
}

bool TokenFile::revoke(std::string_view device) {
  for (TokenEntry& e : entries_) {
    if (!e.revoked && e.device == device) {
      e.revoked = true;
      return true;
    }
  }
  return false;
}

TokenStore::TokenStore(const TokenFile& file) {
  for (const TokenEntry& e : file.entries()) {
    if (!e.revoked) active_.push_back(e);
  }
}

const TokenEntry* TokenStore::authenticate(std::string_view token) const {
  const TokenHash presented = sha256(token);
  const TokenEntry* found = nullptr;
  for (const TokenEntry& e : active_) {
    // No early exit: every entry is compared whatever matched before.
    if (CRYPTO_memcmp(e.hash.data(), presented.data(), presented.size()) == 0) found = &e;
  }
  return found;
}

}  // namespace fp::gateway
