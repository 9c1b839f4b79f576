// Device tokens of the report gateway: the token file (hashes only), issuing and
// revoking tokens, and the constant-time lookup of a presented bearer token.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace fp::gateway {

// A malformed token file or a refused change; what() names the file and line
// or the device.
class TokenFileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

using TokenHash = std::array<std::uint8_t, 32>;  // SHA-256 of the token text

struct TokenEntry {
  std::string device;    // unique among active entries
  std::string cadre_id;  // the only cadre this token may report for
  TokenHash hash{};
  bool revoked = false;
  std::string created;  // RFC 3339, UTC
};

// SHA-256 (OpenSSL libcrypto) of `text`.
TokenHash sha256(std::string_view text);

// A fresh token: "fpt_" and 43 base64url characters (256 random bits).
std::string new_token();

// The token file (format: docs/gateway.md): one entry per line,
// device TAB cadre_id TAB sha256-hex TAB active|revoked TAB created; '#' comments.
class TokenFile {
 public:
  // A missing file is an empty one when `missing_ok`; otherwise TokenFileError.
  static TokenFile load(const std::filesystem::path& file, bool missing_ok = false);
  static TokenFile parse(std::string_view text, std::string_view source_name);

  // Written to a temporary file beside it, then renamed over it (mode 0600),
  // so a reader never sees half a file. Throws TokenFileError.
  void save(const std::filesystem::path& file) const;
  [[nodiscard]] std::string render() const;

  // Adds an entry for a new token and returns the token (shown once, never
  // stored). Throws TokenFileError when `device` already has an active token
  // or a name is malformed.
  std::string add(std::string_view cadre_id, std::string_view device, std::string created);
  // Marks the device's active token revoked; false when it has none.
  bool revoke(std::string_view device);

  [[nodiscard]] const std::vector<TokenEntry>& entries() const { return entries_; }

 private:
  std::vector<TokenEntry> entries_;
};

// Device and cadre names: 1-64 characters of [A-Za-z0-9_.:-].
[[nodiscard]] bool valid_token_name(std::string_view name);

// An immutable snapshot of the active tokens for authenticating requests.
class TokenStore {
 public:
  TokenStore() = default;
  explicit TokenStore(const TokenFile& file);

  // The entry of an active token, or nullptr for an unknown or revoked one.
  // Compares the hash against every active entry with CRYPTO_memcmp and no
  // early exit, so the time taken says nothing about near misses.
  [[nodiscard]] const TokenEntry* authenticate(std::string_view token) const;
  [[nodiscard]] std::size_t size() const { return active_.size(); }

 private:
  std::vector<TokenEntry> active_;
};

}  // namespace fp::gateway
