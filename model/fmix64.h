// murmur3's 64-bit finaliser: cheap, invertible, and it spreads keys whose low
// bits barely vary (packed codes, sequence numbers) over every bit.
#pragma once

#include <cstdint>

namespace fp {

constexpr std::uint64_t fmix64(std::uint64_t k) {
  k ^= k >> 33;
  k *= 0xff51afd7ed558ccdULL;
  k ^= k >> 33;
  k *= 0xc4ceb9fe1a85ec53ULL;
  k ^= k >> 33;
  return k;
}

}  // namespace fp
