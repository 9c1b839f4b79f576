// The simulator's random numbers: xoshiro256** with our own range mapping, so a seed
// gives the same reports with every compiler and standard library.
#pragma once

#include <cstdint>

#include "model/decimal.h"  // Int128

namespace fp::sim {

class Prng {
 public:
  explicit Prng(std::uint64_t seed) {
    // splitmix64 spreads any seed (even 0) over the whole state.
    for (auto& word : state_) {
      seed += 0x9E3779B97F4A7C15ULL;
      std::uint64_t z = seed;
      z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
      z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
      word = z ^ (z >> 31);
    }
  }

  std::uint64_t next() {
    const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
    const std::uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = rotl(state_[3], 45);
    return result;
  }

  // Uniform in [0, n) for n > 0 (multiply-high; the bias below 2^-40 is irrelevant here).
  std::uint64_t below(std::uint64_t n) {
    return static_cast<std::uint64_t>((static_cast<Int128>(next()) * n) >> 64);
  }

  // Uniform in [lo, hi], inclusive.
  std::int64_t between(std::int64_t lo, std::int64_t hi) {
    return lo + static_cast<std::int64_t>(below(static_cast<std::uint64_t>(hi - lo) + 1));
  }

  // True with probability per_million / 1,000,000.
  bool chance(std::uint32_t per_million) { return below(1'000'000) < per_million; }

  // Roughly log-uniform in [lo, lo * 2^octaves): an octave uniformly, then uniform inside
  // it. Integer-only, so it is reproducible everywhere (no libm).
  std::int64_t octaves(std::int64_t lo, int octaves) {
    const std::int64_t base = lo << below(static_cast<std::uint64_t>(octaves));
    return between(base, 2 * base - 1);
  }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

  std::uint64_t state_[4];
};

}  // namespace fp::sim
