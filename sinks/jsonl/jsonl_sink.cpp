#include "sinks/jsonl/jsonl_sink.h"

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "sinks/registry.h"

namespace fp {

JsonlSink::JsonlSink(SinkContext& context, const std::string& path)
    : clock_(context.clock), renderer_(context.core), probe_(context.probe.sink("jsonl")) {
  file_ = std::fopen(path.c_str(), "ae");
  if (file_ == nullptr) {
    throw std::runtime_error("jsonl sink: cannot open " + path + ": " + std::strerror(errno));
  }
}

JsonlSink::~JsonlSink() {
  if (file_ != nullptr) std::fclose(file_);
}

void JsonlSink::write(std::span<const RawMessage> /*messages*/, const BatchResult& result) {
  if (result.changes.empty()) return;
  const std::int64_t now = clock_();
  for (const auto& change : result.changes) {
    renderer_.row(change.key, change.value, now, row_);
    row_.push_back('\n');
    if (std::fwrite(row_.data(), 1, row_.size(), file_) != row_.size()) {
      probe_.failed();
      throw std::runtime_error(std::string("jsonl sink: write failed: ") + std::strerror(errno));
    }
    ++written_;
  }
}

void JsonlSink::flush() {
  if (flushed_ == written_) return;
  if (std::fflush(file_) != 0) {
    probe_.failed();
    throw std::runtime_error(std::string("jsonl sink: flush failed: ") + std::strerror(errno));
  }
  probe_.wrote(written_ - flushed_);
  flushed_ = written_;
}

}  // namespace fp
