// Tells callbacks that may outlive their owner (timers, posted handlers,
// queue wake-ups) whether the owner still exists.
#pragma once

#include <memory>
#include <utility>

namespace fp {

// The owner holds a LifetimeGuard and hands out tokens or guarded callbacks;
// once the guard ends (end(), or its destruction) every token says dead and
// every guarded callback does nothing. Like Seastar's gate, but for the
// callbacks an event loop may still run after their owner went.
//
// Threads: the guard (end(), token(), wrap()) and the wrapped callbacks
// belong to the owner's thread (an io_context's), since a callback checks its
// token only when it starts. A Token may be copied, and wrap a callback, on
// any thread: take one on the owner's thread for work that posts back to it.
class LifetimeGuard {
 public:
  // Whether the guard that issued it has not ended. Cheap to copy.
  class Token {
   public:
    [[nodiscard]] bool alive() const noexcept { return !owner_.expired(); }
    explicit operator bool() const noexcept { return alive(); }

    // `callback` wrapped so that it runs only while the guard has not ended;
    // the wrapper takes (and forwards) whatever arguments the caller passes.
    template <typename Callback>
    [[nodiscard]] auto wrap(Callback callback) const {
      return [token = *this, callback = std::move(callback)](auto&&... args) mutable {
        if (token) callback(std::forward<decltype(args)>(args)...);
      };
    }

   private:
    friend class LifetimeGuard;
    explicit Token(std::weak_ptr<const bool> owner) : owner_(std::move(owner)) {}
    std::weak_ptr<const bool> owner_;
  };

  LifetimeGuard() = default;
  ~LifetimeGuard() = default;
  LifetimeGuard(const LifetimeGuard&) = delete;
  LifetimeGuard& operator=(const LifetimeGuard&) = delete;

  // Ends the owner's life for its callbacks: call first in the owner's
  // destructor, before the members they use go. Idempotent.
  void end() noexcept { owner_.reset(); }
  [[nodiscard]] bool ended() const noexcept { return owner_ == nullptr; }

  [[nodiscard]] Token token() const { return Token(owner_); }

  // token().wrap(callback).
  template <typename Callback>
  [[nodiscard]] auto wrap(Callback callback) const {
    return token().wrap(std::move(callback));
  }

 private:
  std::shared_ptr<const bool> owner_ = std::make_shared<const bool>(true);
};

}  // namespace fp
