// A growable array of trivial values that is never held twice while it grows.
#pragma once

#include <sys/mman.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>
#include <type_traits>
#include <utility>

namespace fp {

// The aggregate cells grow with every new block. A std::vector copies itself
// into a buffer twice the size at each growth, so for a moment both are
// resident: the process's peak memory is set by those moments. Large arrays
// here are anonymous mappings that grow with mremap (the kernel moves the page
// tables, nothing is copied), advised MADV_HUGEPAGE as HugeVector's are; small
// ones live on the heap and grow with realloc.
template <typename T>
class GrowableArray {
  static_assert(std::is_trivially_copyable_v<T>);

 public:
  GrowableArray() = default;
  ~GrowableArray() { release(); }
  GrowableArray(const GrowableArray&) = delete;
  GrowableArray& operator=(const GrowableArray&) = delete;
  GrowableArray(GrowableArray&& other) noexcept { swap(other); }
  GrowableArray& operator=(GrowableArray&& other) noexcept {
    if (this != &other) {
      release();
      swap(other);
    }
    return *this;
  }
  void swap(GrowableArray& other) noexcept {
    std::swap(data_, other.data_);
    std::swap(size_, other.size_);
    std::swap(capacity_, other.capacity_);
    std::swap(mapped_bytes_, other.mapped_bytes_);
  }

  [[nodiscard]] std::size_t size() const { return size_; }
  [[nodiscard]] bool empty() const { return size_ == 0; }
  [[nodiscard]] T* data() { return data_; }
  [[nodiscard]] const T* data() const { return data_; }
  T& operator[](std::size_t i) { return data_[i]; }
  const T& operator[](std::size_t i) const { return data_[i]; }

  // New elements are zero.
  void resize(std::size_t n) {
    if (n > capacity_) grow(n);
    if (n > size_) std::memset(static_cast<void*>(data_ + size_), 0, (n - size_) * sizeof(T));
    size_ = n;
  }
  void push_back(const T& value) {
    if (size_ == capacity_) grow(size_ + 1);
    data_[size_++] = value;
  }

 private:
  static constexpr std::size_t kHuge = std::size_t{1} << 21;

  void grow(std::size_t wanted) {
    const std::size_t capacity = std::max({wanted, capacity_ * 2, std::size_t{16}});
    const std::size_t bytes = capacity * sizeof(T);
    if (bytes < kHuge) {
      void* p = std::realloc(data_, bytes);
      if (p == nullptr) throw std::bad_alloc();
      data_ = static_cast<T*>(p);
      capacity_ = capacity;
      return;
    }
    const std::size_t mapped = (bytes + kHuge - 1) & ~(kHuge - 1);
    void* p = mapped_bytes_ > 0 ? ::mremap(data_, mapped_bytes_, mapped, MREMAP_MAYMOVE)
                                : ::mmap(nullptr, mapped, PROT_READ | PROT_WRITE,
                                         MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    if (mapped_bytes_ == 0) {  // from the heap to a mapping: the one copy
      if (size_ > 0) std::memcpy(p, static_cast<const void*>(data_), size_ * sizeof(T));
      std::free(data_);
    }
    ::madvise(p, mapped, MADV_HUGEPAGE);
    data_ = static_cast<T*>(p);
    mapped_bytes_ = mapped;
    capacity_ = mapped / sizeof(T);
  }

  void release() noexcept {
    if (mapped_bytes_ > 0) {
      ::munmap(data_, mapped_bytes_);
    } else {
      std::free(data_);
    }
    data_ = nullptr;
    size_ = capacity_ = mapped_bytes_ = 0;
  }

  T* data_ = nullptr;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
  std::size_t mapped_bytes_ = 0;  // 0: on the heap (or nothing)
};

}  // namespace fp
