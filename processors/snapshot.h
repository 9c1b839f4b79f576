// Little-endian binary encoding for partition snapshots, with bounds-checked reading.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>

#include "model/decimal.h"

namespace fp {

// A snapshot that is truncated, fails its checksum, has the wrong version or
// refers to something the current catalog or roster lacks.
class SnapshotError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class SnapshotWriter {
 public:
  void u8(std::uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void u32(std::uint32_t v) { raw(&v, 4); }
  void i32(std::int32_t v) { raw(&v, 4); }
  void u64(std::uint64_t v) { raw(&v, 8); }
  void i64(std::int64_t v) { raw(&v, 8); }
  void i128(Int128 v) { raw(&v, 16); }
  void str(std::string_view s) {
    u32(static_cast<std::uint32_t>(s.size()));
    out_.append(s);
  }
  void raw(const void* p, std::size_t n) {
    static_assert(std::endian::native == std::endian::little, "snapshots are little-endian");
    out_.append(static_cast<const char*>(p), n);
  }
  [[nodiscard]] std::string& buffer() { return out_; }

 private:
  std::string out_;
};

class SnapshotReader {
 public:
  explicit SnapshotReader(std::string_view in) : in_(in) {}
  std::uint8_t u8() {
    std::uint8_t v;
    raw(&v, 1);
    return v;
  }
  std::uint32_t u32() { return get<std::uint32_t>(); }
  std::int32_t i32() { return get<std::int32_t>(); }
  std::uint64_t u64() { return get<std::uint64_t>(); }
  std::int64_t i64() { return get<std::int64_t>(); }
  Int128 i128() { return get<Int128>(); }
  std::string_view str() {
    const std::uint32_t n = u32();
    need(n);
    std::string_view s = in_.substr(pos_, n);
    pos_ += n;
    return s;
  }
  // A count of items each at least `min_item_bytes` long; rejects counts the
  // rest of the input cannot hold, so a corrupt count cannot force a huge allocation.
  std::uint64_t count(std::size_t min_item_bytes) {
    const std::uint64_t n = u64();
    if (min_item_bytes > 0 && n > (in_.size() - pos_) / min_item_bytes) {
      throw SnapshotError("snapshot: item count exceeds the data");
    }
    return n;
  }
  [[nodiscard]] std::size_t position() const { return pos_; }
  [[nodiscard]] bool at_end() const { return pos_ == in_.size(); }

 private:
  template <typename T>
  T get() {
    T v;
    raw(&v, sizeof v);
    return v;
  }
  void raw(void* p, std::size_t n) {
    need(n);
    std::memcpy(p, in_.data() + pos_, n);
    pos_ += n;
  }
  void need(std::size_t n) const {
    if (n > in_.size() - pos_) throw SnapshotError("snapshot: truncated");
  }

  std::string_view in_;
  std::size_t pos_ = 0;
};

// FNV-1a, 64 bit: detects corruption (not tampering).
inline std::uint64_t snapshot_checksum(std::string_view bytes) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (const char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}

}  // namespace fp
