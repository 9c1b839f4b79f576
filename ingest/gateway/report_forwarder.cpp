// ReportForwarder: one idempotent producer, batches of a request counted down on the io thread.
#include "ingest/gateway/report_forwarder.h"

#include <boost/asio/io_context.hpp>

namespace fp::gateway {

ReportForwarder::ReportForwarder(boost::asio::io_context& io, Options options)
    : topic_(std::move(options.topic)) {
  std::vector<kafka::Property> properties = {
      {"bootstrap.servers", options.brokers},
      {"message.timeout.ms", std::to_string(options.ack_timeout.count())},
      {"queue.buffering.max.messages", std::to_string(options.max_queued)},
      {"linger.ms", "2"},
  };
  for (auto& p : options.properties) properties.push_back(std::move(p));
  producer_ = std::make_unique<kafka::Producer>(
      io, kafka::Producer::Options{"gateway", std::move(properties),
                                   [this](std::uint64_t sequence, rd_kafka_resp_err_t err) {
                                     delivered(sequence, err == RD_KAFKA_RESP_ERR_NO_ERROR);
                                   },
                                   nullptr});
  probe_thread_ = std::thread([this] { probe_cluster(); });
}

ReportForwarder::~ReportForwarder() {
  {
    std::lock_guard lock(probe_mutex_);
    stopping_ = true;
  }
  probe_wakeup_.notify_all();
  probe_thread_.join();
  producer_.reset();  // purges what is still queued, without callbacks
}

void ReportForwarder::forward(const std::vector<OutgoingReport>& reports,
                              std::function<void(bool)> done) {
  if (reports.empty()) return done(true);
  const std::uint64_t batch = next_batch_++;
  Pending& pending = pending_[batch];
  pending.done = std::move(done);
  pending.remaining = reports.size();
  for (const OutgoingReport& r : reports) {
    try {
      batch_of_[producer_->produce({.topic = topic_, .key = r.key, .value = r.payload})] = batch;
    } catch (const kafka::ProduceError&) {
      // Never queued, so no delivery report follows: count it down here.
      pending.failed = true;
      --pending.remaining;
    }
  }
  if (pending.remaining == 0) {
    auto finished = std::move(pending.done);
    pending_.erase(batch);
    finished(false);
  }
}

void ReportForwarder::delivered(std::uint64_t sequence, bool ok) {
  const auto record = batch_of_.find(sequence);
  if (record == batch_of_.end()) return;
  const std::uint64_t batch = record->second;
  batch_of_.erase(record);
  const auto it = pending_.find(batch);
  if (it == pending_.end()) return;
  Pending& pending = it->second;
  if (!ok) pending.failed = true;
  if (--pending.remaining > 0) return;
  auto finished = std::move(pending.done);
  const bool all_ok = !pending.failed;
  pending_.erase(it);
  finished(all_ok);
}

std::uint64_t ReportForwarder::in_flight() const { return producer_->in_flight(); }

bool ReportForwarder::flush(std::chrono::milliseconds timeout) { return producer_->flush(timeout); }

void ReportForwarder::probe_cluster() {
  std::unique_lock lock(probe_mutex_);
  while (!stopping_) {
    lock.unlock();
    const rd_kafka_metadata_t* metadata = nullptr;
    const auto err = rd_kafka_metadata(producer_->raw(), 0, nullptr, &metadata, 2000);
    if (metadata != nullptr) rd_kafka_metadata_destroy(metadata);
    reachable_.store(err == RD_KAFKA_RESP_ERR_NO_ERROR);
    lock.lock();
    probe_wakeup_.wait_for(lock, std::chrono::seconds(2), [this] { return stopping_; });
  }
}

}  // namespace fp::gateway
