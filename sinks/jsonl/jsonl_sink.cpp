#include "sinks/jsonl/jsonl_sink.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>

#include "sinks/registry.h"

namespace fp {

JsonlSink::JsonlSink(SinkContext& context, const std::string& path,
                     std::chrono::milliseconds flush_interval, LevelSet levels)
    : path_(path),
      renderer_(context.core),
      probe_(context.probe.sink("jsonl")),
      on_error_(context.on_error),
      batcher_(context.io, context.core, flush_interval, levels,
               [this](ProgressBlocks&& blocks) { append(std::move(blocks)); }) {
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    throw std::runtime_error("jsonl sink: cannot open " + path + ": " +
                             std::generic_category().message(errno));
  }
}

JsonlSink::~JsonlSink() {
  if (fd_ >= 0) ::close(fd_);
}

void JsonlSink::write(std::span<const RawMessage> /*messages*/, const BatchResult& result) {
  batcher_.add(result);
}

void JsonlSink::flush() {
  batcher_.flush();
  if (failed_ || synced_ == written_) return;
  if (::fdatasync(fd_) != 0) return fail("sync failed");
  synced_ = written_;
}

void JsonlSink::append(ProgressBlocks&& blocks) {
  if (failed_) return;
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    renderer_.append_row(blocks.block(i), buffer_);
    buffer_.push_back('\n');
    ++buffered_;
    if (buffer_.size() >= kChunkBytes && !write_out()) return;
  }
  write_out();
}

bool JsonlSink::write_out() {
  if (buffer_.empty()) return true;
  std::size_t done = 0;
  while (done < buffer_.size()) {
    const ssize_t n = ::write(fd_, buffer_.data() + done, buffer_.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      fail("write failed");
      return false;
    }
    done += static_cast<std::size_t>(n);
  }
  buffer_.clear();
  probe_.wrote(buffered_);
  written_ += buffered_;
  buffered_ = 0;
  return true;
}

void JsonlSink::fail(const std::string& what) {
  const std::string message =
      "jsonl sink: " + what + " on " + path_ + ": " + std::generic_category().message(errno);
  failed_ = true;
  probe_.failed();
  if (on_error_) on_error_(message);
}

}  // namespace fp
