// Binary encoding for partition snapshots: LEB128 varints, fixed-width fields, bounds-checked
// reading and the checksums.
#pragma once

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>

#include "model/decimal.h"
#include "model/fmix64.h"

namespace fp {

// A snapshot that is truncated, fails its checksum, has the wrong version or
// refers to something the current catalog or roster lacks.
class SnapshotError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

__extension__ using Uint128 = unsigned __int128;

constexpr std::uint64_t zigzag(std::int64_t v) {
  return (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63);
}
constexpr std::int64_t unzigzag(std::uint64_t z) {
  return static_cast<std::int64_t>((z >> 1) ^ (~(z & 1) + 1));
}
constexpr Uint128 zigzag128(Int128 v) {
  return (static_cast<Uint128>(v) << 1) ^ static_cast<Uint128>(v >> 127);
}
constexpr Int128 unzigzag128(Uint128 z) { return static_cast<Int128>((z >> 1) ^ (~(z & 1) + 1)); }

// How many leading bytes `a` and `b` share, compared 8 at a time.
inline std::size_t shared_prefix(std::string_view a, std::string_view b) {
  const std::size_t n = std::min(a.size(), b.size());
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    std::uint64_t x, y;
    std::memcpy(&x, a.data() + i, 8);
    std::memcpy(&y, b.data() + i, 8);
    if (x != y) return i + static_cast<std::size_t>(std::countr_zero(x ^ y) / 8);
  }
  while (i < n && a[i] == b[i]) ++i;
  return i;
}

// Writes into a buffer grown by doubling; varints reserve their longest form
// first, so each is one bounds check and a short loop.
class SnapshotWriter {
 public:
  explicit SnapshotWriter(std::size_t expected_bytes = 256) { out_.resize(expected_bytes); }

  void u8(std::uint8_t v) {
    reserve(1);
    out_[pos_++] = static_cast<char>(v);
  }
  void u32(std::uint32_t v) { raw(&v, 4); }
  void u64(std::uint64_t v) { raw(&v, 8); }
  void raw(const void* p, std::size_t n) {
    static_assert(std::endian::native == std::endian::little, "snapshots are little-endian");
    reserve(n);
    std::memcpy(out_.data() + pos_, p, n);
    pos_ += n;
  }
  // Unsigned LEB128: 7 bits a byte, low first, the high bit set on all but the last.
  void uvarint(std::uint64_t v) {
    reserve(10);
    char* p = out_.data() + pos_;
    while (v >= 0x80) {
      *p++ = static_cast<char>(v | 0x80);
      v >>= 7;
    }
    *p++ = static_cast<char>(v);
    pos_ = static_cast<std::size_t>(p - out_.data());
  }
  void svarint(std::int64_t v) { uvarint(zigzag(v)); }
  // An aggregate cell: zigzag LEB128 over the full 128 bits (at most 19 bytes).
  void cell(Int128 v) {
    Uint128 z = zigzag128(v);
    if ((z >> 64) == 0) return uvarint(static_cast<std::uint64_t>(z));
    reserve(19);
    char* p = out_.data() + pos_;
    while (z >= 0x80) {
      *p++ = static_cast<char>(static_cast<std::uint8_t>(z) | 0x80);
      z >>= 7;
    }
    *p++ = static_cast<char>(z);
    pos_ = static_cast<std::size_t>(p - out_.data());
  }
  // A varint length, then the bytes.
  void str(std::string_view s) {
    uvarint(s.size());
    raw(s.data(), s.size());
  }
  // `s` after `previous` in a sorted run, which mostly differ in a few last
  // bytes: one byte holding how many bytes of `previous` to drop (high 4 bits)
  // and how many to add (low 4), or 0xF0 and both as varints; then the added bytes.
  void str_after(std::string_view previous, std::string_view s) {
    const std::size_t shared = shared_prefix(previous, s);
    const std::size_t dropped = previous.size() - shared, added = s.size() - shared;
    if (dropped < 15 && added < 16) {
      u8(static_cast<std::uint8_t>(dropped << 4 | added));
    } else {
      u8(0xF0);
      uvarint(dropped);
      uvarint(added);
    }
    raw(s.data() + shared, added);
  }

  [[nodiscard]] std::string_view written() const { return {out_.data(), pos_}; }
  [[nodiscard]] std::string take() {
    out_.resize(pos_);
    return std::move(out_);
  }

 private:
  void reserve(std::size_t n) {
    if (out_.size() - pos_ < n) out_.resize(std::max(out_.size() * 2, pos_ + n));
  }

  std::string out_;
  std::size_t pos_ = 0;
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
  // Format v1: a 4-byte length, then the bytes.
  std::string_view str() { return bytes(u32()); }
  // Format v1: an 8-byte count of items each at least `min_item_bytes` long;
  // rejects counts the rest of the input cannot hold, so a corrupt count
  // cannot force a huge allocation.
  std::uint64_t count(std::size_t min_item_bytes) { return checked_count(u64(), min_item_bytes); }

  std::uint64_t uvarint() {
    std::uint64_t v = 0;
    for (unsigned shift = 0;; shift += 7) {
      const std::uint8_t b = next();
      if (shift == 63 && b > 1) throw SnapshotError("snapshot: varint out of range");
      v |= static_cast<std::uint64_t>(b & 0x7F) << shift;
      if (b < 0x80) return v;
    }
  }
  std::int64_t svarint() { return unzigzag(uvarint()); }
  // A varint that must fit 32 bits.
  std::uint32_t uvarint32() {
    const std::uint64_t v = uvarint();
    if (v > UINT32_MAX) throw SnapshotError("snapshot: value out of range");
    return static_cast<std::uint32_t>(v);
  }
  Int128 cell() {
    Uint128 z = 0;
    for (unsigned shift = 0;; shift += 7) {
      const std::uint8_t b = next();
      if (shift == 126 && b > 3) throw SnapshotError("snapshot: cell out of range");
      z |= static_cast<Uint128>(b & 0x7F) << shift;
      if (b < 0x80) return unzigzag128(z);
    }
  }
  // Format v2: a varint length, then the bytes.
  std::string_view vstr() {
    const std::uint64_t n = uvarint();
    if (n > in_.size() - pos_) throw SnapshotError("snapshot: truncated");
    return bytes(static_cast<std::size_t>(n));
  }
  // Format v2: the counterpart of SnapshotWriter::str_after; `s` holds the
  // previous string and becomes the next.
  void str_after(std::string& s) {
    const std::uint8_t head = next();
    std::uint64_t dropped = head >> 4, added = head & 0x0F;
    if (dropped == 15) {
      if (added != 0) throw SnapshotError("snapshot: bad string header");
      dropped = uvarint();
      added = uvarint();
    }
    if (dropped > s.size()) throw SnapshotError("snapshot: bad shared prefix");
    if (added > in_.size() - pos_) throw SnapshotError("snapshot: truncated");
    s.resize(s.size() - static_cast<std::size_t>(dropped));
    s.append(bytes(static_cast<std::size_t>(added)));
  }
  // Format v2: a varint count, checked like count().
  std::uint64_t vcount(std::size_t min_item_bytes) {
    return checked_count(uvarint(), min_item_bytes);
  }

  [[nodiscard]] std::size_t position() const { return pos_; }
  [[nodiscard]] bool at_end() const { return pos_ == in_.size(); }

 private:
  std::uint64_t checked_count(std::uint64_t n, std::size_t min_item_bytes) const {
    if (min_item_bytes > 0 && n > (in_.size() - pos_) / min_item_bytes) {
      throw SnapshotError("snapshot: item count exceeds the data");
    }
    return n;
  }
  std::uint8_t next() {
    if (pos_ == in_.size()) throw SnapshotError("snapshot: truncated");
    return static_cast<std::uint8_t>(in_[pos_++]);
  }
  std::string_view bytes(std::size_t n) {
    need(n);
    const std::string_view s = in_.substr(pos_, n);
    pos_ += n;
    return s;
  }
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

// Format v1: FNV-1a, 64 bit, a byte at a time.
inline std::uint64_t snapshot_checksum_v1(std::string_view bytes) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (const char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}

// Format v2: FNV-1a's xor-multiply over 8-byte words instead of bytes, with a
// rotation so high bits reach low ones, and murmur3's finaliser. Every step is
// a bijection of the running value, so any change confined to one word (e.g.
// one byte) always changes the result; it detects corruption, not tampering.
inline std::uint64_t snapshot_checksum(std::string_view bytes) {
  constexpr std::uint64_t kPrime = 0x9E3779B97F4A7C15ULL;  // odd: multiplying is a bijection
  std::uint64_t h = 0xcbf29ce484222325ULL ^ bytes.size();
  const char* p = bytes.data();
  std::size_t n = bytes.size();
  for (; n >= 8; p += 8, n -= 8) {
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    h = (std::rotl(h, 29) ^ w) * kPrime;
  }
  std::uint64_t tail = 0;
  std::memcpy(&tail, p, n);
  h = (std::rotl(h, 29) ^ tail) * kPrime;
  return fmix64(h);
}

}  // namespace fp
