// An allocator that asks for transparent huge pages for large arrays, to cut TLB misses.
#pragma once

#include <sys/mman.h>

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <new>
#include <utility>
#include <vector>

namespace fp {

// The core's hash tables and cell arrays are accessed at random; with 4 KiB
// pages nearly every access misses the TLB, which is costly (more so under
// virtualisation). Arrays of 2 MiB or more are 2 MiB-aligned and advised
// MADV_HUGEPAGE (the kernel may still decline); smaller ones use the default.
template <typename T>
struct HugePageAllocator {
  using value_type = T;
  static constexpr std::size_t kHuge = std::size_t{1} << 21;

  HugePageAllocator() = default;
  template <typename U>
  HugePageAllocator(const HugePageAllocator<U>& /*other*/) noexcept {}  // NOLINT: rebind

  T* allocate(std::size_t n) {
    const std::size_t bytes = n * sizeof(T);
    if (bytes < kHuge) return std::allocator<T>().allocate(n);
    const std::size_t rounded = (bytes + kHuge - 1) & ~(kHuge - 1);
    void* p = std::aligned_alloc(kHuge, rounded);
    if (p == nullptr) throw std::bad_alloc();
    ::madvise(p, rounded, MADV_HUGEPAGE);
    return static_cast<T*>(p);
  }
  void deallocate(T* p, std::size_t n) noexcept {
    if (n * sizeof(T) < kHuge) {
      std::allocator<T>().deallocate(p, n);
    } else {
      std::free(p);
    }
  }
  template <typename U>
  bool operator==(const HugePageAllocator<U>& /*other*/) const noexcept {
    return true;
  }
};

template <typename T>
using HugeVector = std::vector<T, HugePageAllocator<T>>;

// A fixed-size array of zero-initialised trivial values. Large ones are fresh
// anonymous mappings, 2 MiB-aligned and advised MADV_HUGEPAGE: the kernel hands
// them out zeroed, so unlike HugeVector(n) nothing clears them a second time,
// and untouched pages cost nothing. With `huge_pages` false the mapping keeps
// 4 KiB pages, so memory is taken only as it is touched (an instance with
// hundreds of small partitions would otherwise hold 2 MiB a partition).
template <typename T>
class ZeroedArray {
 public:
  ZeroedArray() = default;
  explicit ZeroedArray(std::size_t n, bool huge_pages = true) : size_(n) {
    const std::size_t bytes = n * sizeof(T);
    if (bytes < HugePageAllocator<T>::kHuge) {
      data_ = static_cast<T*>(std::calloc(n == 0 ? 1 : n, sizeof(T)));
      if (data_ == nullptr) throw std::bad_alloc();
      return;
    }
    constexpr std::size_t kHuge = HugePageAllocator<T>::kHuge;
    mapped_ = (bytes + kHuge - 1) & ~(kHuge - 1);
    if (!huge_pages) {
      // No alignment to keep, so nothing to unmap: each munmap flushes the TLB
      // of every core the process runs on (one first block per partition).
      void* p =
          ::mmap(nullptr, mapped_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (p == MAP_FAILED) throw std::bad_alloc();
      data_ = static_cast<T*>(p);
      return;
    }
    void* p = ::mmap(nullptr, mapped_ + kHuge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                     -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    // Keep the 2 MiB-aligned part, return the rest.
    auto* raw = static_cast<char*>(p);
    const std::size_t head = (kHuge - reinterpret_cast<std::uintptr_t>(raw) % kHuge) % kHuge;
    if (head > 0) ::munmap(raw, head);
    if (kHuge - head > 0) ::munmap(raw + head + mapped_, kHuge - head);
    ::madvise(raw + head, mapped_, MADV_HUGEPAGE);
    data_ = reinterpret_cast<T*>(raw + head);
  }
  ~ZeroedArray() { release(); }
  ZeroedArray(const ZeroedArray&) = delete;
  ZeroedArray& operator=(const ZeroedArray&) = delete;
  ZeroedArray(ZeroedArray&& other) noexcept { swap(other); }
  ZeroedArray& operator=(ZeroedArray&& other) noexcept {
    if (this != &other) {
      release();
      swap(other);
    }
    return *this;
  }
  void swap(ZeroedArray& other) noexcept {
    std::swap(data_, other.data_);
    std::swap(size_, other.size_);
    std::swap(mapped_, other.mapped_);
  }

  [[nodiscard]] std::size_t size() const { return size_; }
  [[nodiscard]] T* data() { return data_; }
  [[nodiscard]] const T* data() const { return data_; }
  T& operator[](std::size_t i) { return data_[i]; }
  const T& operator[](std::size_t i) const { return data_[i]; }
  T* begin() { return data_; }
  T* end() { return data_ + size_; }
  const T* begin() const { return data_; }
  const T* end() const { return data_ + size_; }

 private:
  void release() noexcept {
    if (data_ == nullptr) return;
    if (mapped_ > 0) {
      ::munmap(data_, mapped_);
    } else {
      std::free(data_);
    }
    data_ = nullptr;
    size_ = mapped_ = 0;
  }

  T* data_ = nullptr;
  std::size_t size_ = 0;
  std::size_t mapped_ = 0;  // bytes mapped, 0 when from calloc
};

}  // namespace fp
