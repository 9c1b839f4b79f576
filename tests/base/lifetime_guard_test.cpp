// LifetimeGuard: tokens and guarded callbacks say dead once their owner ended,
// including callbacks still queued on an io_context when the owner goes.
#include "base/lifetime_guard.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <optional>
#include <string>

namespace fp {
namespace {

TEST(LifetimeGuardTest, TokenIsAliveUntilTheGuardEnds) {
  LifetimeGuard guard;
  const auto token = guard.token();
  EXPECT_TRUE(token.alive());
  EXPECT_FALSE(guard.ended());
  guard.end();
  EXPECT_FALSE(token.alive());
  EXPECT_FALSE(static_cast<bool>(token));
  EXPECT_TRUE(guard.ended());
  guard.end();  // idempotent
  EXPECT_FALSE(guard.token().alive()) << "a token taken after the end is dead too";
}

TEST(LifetimeGuardTest, TokenOutlivingTheGuardSaysDead) {
  std::optional<LifetimeGuard::Token> token;
  {
    LifetimeGuard guard;
    token = guard.token();
    EXPECT_TRUE(token->alive());
  }
  EXPECT_FALSE(token->alive());
}

TEST(LifetimeGuardTest, WrappedCallbackRunsWithItsArgumentsWhileAlive) {
  LifetimeGuard guard;
  std::string seen;
  auto callback = guard.wrap([&seen](const std::string& word, int times) {
    for (int i = 0; i < times; ++i) seen += word;
  });
  callback(std::string("ab"), 2);
  EXPECT_EQ(seen, "abab");
  guard.end();
  callback(std::string("cd"), 1);
  EXPECT_EQ(seen, "abab") << "a callback of an ended owner does nothing";
}

// The situation the guard exists for: an owner destroyed while the event loop
// still holds its handlers (a posted one and a cancelled timer's).
TEST(LifetimeGuardTest, HandlersQueuedOnTheIoContextDoNothingAfterTheOwnerWent) {
  struct Owner {
    explicit Owner(boost::asio::io_context& io) : timer(io) {}
    ~Owner() { guard.end(); }
    int runs = 0;
    boost::asio::steady_timer timer;
    LifetimeGuard guard;
  };
  boost::asio::io_context io;
  int posted_runs = 0;
  {
    auto owner = std::make_unique<Owner>(io);
    boost::asio::post(io, owner->guard.wrap([o = owner.get(), &posted_runs] {
      ++o->runs;
      ++posted_runs;
    }));
    owner->timer.expires_after(std::chrono::hours(1));
    owner->timer.async_wait(owner->guard.wrap([o = owner.get()](boost::system::error_code) {
      ++o->runs;  // would touch freed memory: the sanitizer build catches it
    }));
  }  // the timer's destructor cancels it: its handler is queued with an error
  io.run();
  EXPECT_EQ(posted_runs, 0);
}

TEST(LifetimeGuardTest, WrappedCallbackRunsOnTheIoContextWhileTheOwnerLives) {
  boost::asio::io_context io;
  LifetimeGuard guard;
  int runs = 0;
  boost::asio::post(io, guard.wrap([&runs] { ++runs; }));
  io.run();
  EXPECT_EQ(runs, 1);
}

}  // namespace
}  // namespace fp
