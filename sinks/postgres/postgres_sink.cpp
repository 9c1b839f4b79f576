#include "sinks/postgres/postgres_sink.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <utility>

#include "sinks/registry.h"

namespace fp {

namespace {

constexpr const char* kErrorPrefix = "postgres sink (sinks.postgres.uri): ";

}  // namespace

PostgresSink::PostgresSink(SinkContext& context, const std::string& uri,
                           std::chrono::milliseconds flush_interval)
    : clock_(context.clock),
      renderer_(context.core),
      probe_(context.probe.sink("postgres")),
      io_(context.io),
      on_acked_(context.on_acked),
      on_error_(context.on_error),
      batcher_(context.io, context.core, flush_interval,
               [this](std::vector<ProgressChange>&& rows) { hand_on(std::move(rows)); }),
      written_through_(kConnections, 0) {
  for (std::size_t k = 0; k < kConnections; ++k) {
    ProgressWriter::Callbacks callbacks;
    callbacks.written = [this, k](const ProgressWriter::Written& w) {
      post([this, k, w] {
        written_through_[k] = w.through_sequence;
        written_ += w.changes;
        if (w.changes > 0) {
          upserted_ += w.upserted;
          ++transactions_;
          probe_.wrote(w.changes);
        }
        // Even an empty part may be the last one a checkpoint waits for.
        if (on_acked_) on_acked_();
      });
    };
    callbacks.attempt_failed = [this](const std::string& error) {
      spdlog::warn("{}{}", kErrorPrefix, error);
      post([this] { probe_.failed(); });
    };
    // Out of tries, or stopping: then the pipeline is gone and this does nothing.
    callbacks.failed = [this](const std::string& why) {
      post([this, why] {
        if (on_error_) on_error_(kErrorPrefix + why);
      });
    };
    writers_.push_back(std::make_unique<ProgressWriter>(uri, renderer_, std::move(callbacks)));
  }
}

PostgresSink::~PostgresSink() {
  guard_.end();
  writers_.clear();
  spdlog::info("postgres sink: {} rows acknowledged, {} not; {} upserted in {} transactions",
               written_, queued_ - written_, upserted_, transactions_);
}

void PostgresSink::write(std::span<const RawMessage> /*messages*/, const BatchResult& result) {
  batcher_.add(result);
}

void PostgresSink::flush() { batcher_.flush(); }

bool PostgresSink::durable(std::uint64_t mark) const {
  return std::all_of(written_through_.begin(), written_through_.end(),
                     [mark](std::uint64_t through) { return through >= mark; });
}

void PostgresSink::hand_on(std::vector<ProgressChange>&& rows) {
  ++sequence_;
  queued_ += rows.size();
  const std::int64_t now = clock_();
  renderer_.follow_roster();  // before the writers render these rows' ids
  std::vector<std::vector<ProgressChange>> parts(kConnections);
  for (auto& part : parts) part.reserve(rows.size() / kConnections + 1);
  // High bits: the writers' own hash tables bucket by the low ones.
  for (const ProgressChange& change : rows) {
    parts[(ProgressKeyHash{}(change.key) >> 40) % kConnections].push_back(change);
  }
  for (std::size_t k = 0; k < kConnections; ++k) {
    writers_[k]->push({std::move(parts[k]), now, sequence_});
  }
}

template <typename F>
void PostgresSink::post(F&& f) {
  boost::asio::post(io_, alive_.wrap(std::forward<F>(f)));
}

}  // namespace fp
