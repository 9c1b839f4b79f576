// Wakes an Asio io_context when a librdkafka queue becomes non-empty, so the
// queue is served from the io_context thread with no polling loop.
#pragma once

#include <fcntl.h>
#include <librdkafka/rdkafka.h>
#include <unistd.h>

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <stdexcept>
#include <utility>

namespace fp {

// librdkafka writes one byte to a pipe whenever the queue goes from empty to
// non-empty (rd_kafka_queue_io_event_enable); an asio stream_descriptor waits
// on the read end. The owner must drain the queue completely after each
// wake-up, or no further byte is written.
//
// Threads: construct, wait and destroy on the io_context's thread.
class QueueWakeup {
 public:
  QueueWakeup(boost::asio::io_context& io, rd_kafka_queue_t* queue)
      : queue_(queue), descriptor_(io) {
    std::array<int, 2> fds{};
    if (::pipe2(fds.data(), O_NONBLOCK | O_CLOEXEC) != 0) {
      throw std::runtime_error("cannot create the kafka wake-up pipe");
    }
    write_fd_ = fds[1];
    descriptor_.assign(fds[0]);
    static constexpr char kByte = 1;
    rd_kafka_queue_io_event_enable(queue_, write_fd_, &kByte, 1);
  }
  ~QueueWakeup() {
    rd_kafka_queue_io_event_enable(queue_, -1, nullptr, 0);
    boost::system::error_code ignored;
    descriptor_.close(ignored);
    ::close(write_fd_);
  }
  QueueWakeup(const QueueWakeup&) = delete;
  QueueWakeup& operator=(const QueueWakeup&) = delete;

  // Calls `handler()` once the queue has signalled (the pipe is emptied first).
  // Nothing is called after cancel() or destruction.
  template <typename Handler>
  void async_wait(Handler handler) {
    descriptor_.async_wait(
        boost::asio::posix::stream_descriptor::wait_read,
        [this, h = std::move(handler)](boost::system::error_code ec) mutable {
          if (ec) return;  // cancelled: `this` may be gone
          std::array<char, 256> sink{};
          while (::read(descriptor_.native_handle(), sink.data(), sink.size()) > 0) {
          }
          h();
        });
  }

  void cancel() {
    boost::system::error_code ignored;
    descriptor_.cancel(ignored);
  }

 private:
  rd_kafka_queue_t* queue_;
  boost::asio::posix::stream_descriptor descriptor_;
  int write_fd_ = -1;
};

}  // namespace fp
