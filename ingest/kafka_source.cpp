#include "ingest/kafka_source.h"

#include <spdlog/spdlog.h>

#include <array>
#include <boost/asio/post.hpp>
#include <chrono>
#include <cstdlib>
#include <stdexcept>

#include "kafka/config.h"
#include "kafka/queue_wakeup.h"

namespace fp {

namespace {

void log_commit(rd_kafka_t* /*rk*/, rd_kafka_resp_err_t err,
                rd_kafka_topic_partition_list_t* /*offsets*/, void* /*opaque*/) {
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR && err != RD_KAFKA_RESP_ERR__NO_OFFSET) {
    spdlog::warn("offset commit failed: {}", rd_kafka_err2str(err));
  }
}

// Well under librdkafka's smallest useful max.poll.interval.ms.
constexpr std::chrono::milliseconds kKeepaliveInterval{1000};

}  // namespace

KafkaSource::KafkaSource(boost::asio::io_context& io, KafkaSourceOptions options,
                         KafkaSourceHandler handler)
    : io_(io), options_(std::move(options)), handler_(std::move(handler)), keepalive_(io) {
  kafka::KafkaConfig config;
  // Offsets are committed by the pipeline once outputs and state are durable.
  config.set("enable.auto.commit", "false").set("enable.auto.offset.store", "false");
  config.set("auto.offset.reset", "earliest").set("enable.partition.eof", "false");
  // A member that died is noticed within 10 s (librdkafka's default is 45 s);
  // the embedded broker also delays a group's next rebalance by about this much.
  config.set("session.timeout.ms", "10000").set("heartbeat.interval.ms", "1000");
  // Fetch responses stay under glibc's largest mmap threshold (32 MiB), so their
  // buffers are reused from the heap instead of being mapped and faulted in anew.
  config.set("fetch.max.bytes", "16777216");
  config.set_all_for(RD_KAFKA_CONSUMER, options_.properties);
  fetch_stop_ = std::strtoull(config.get("queued.min.messages").c_str(), nullptr, 10);
  rd_kafka_conf_set_rebalance_cb(config.raw(), &KafkaSource::on_rebalance);
  rd_kafka_conf_set_offset_commit_cb(config.raw(), &log_commit);
  rd_kafka_conf_set_opaque(config.raw(), this);
  consumer_ = kafka::make_client(RD_KAFKA_CONSUMER, std::move(config));
  // Everything (messages, rebalances, errors) arrives on the consumer queue.
  rd_kafka_poll_set_consumer(consumer_.get());
  queue_.reset(rd_kafka_queue_get_consumer(consumer_.get()));
  wakeup_ = std::make_unique<QueueWakeup>(io_, queue_.get());
  messages_.resize(options_.batch_max);
  batch_.reserve(options_.batch_max);
}

KafkaSource::~KafkaSource() {
  guard_.end();
  keepalive_.cancel();
  wakeup_.reset();
  if (!closing_) close();
  queue_.reset();
  consumer_.reset();
}

void KafkaSource::start() {
  kafka::PartitionListHandle topics(rd_kafka_topic_partition_list_new(1));
  rd_kafka_topic_partition_list_add(topics.get(), options_.topic.c_str(), RD_KAFKA_PARTITION_UA);
  const auto err = rd_kafka_subscribe(consumer_.get(), topics.get());
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    throw std::runtime_error("cannot subscribe to " + options_.topic + ": " +
                             rd_kafka_err2str(err));
  }
  schedule_drain();
  arm_keepalive();
}

void KafkaSource::arm_keepalive() {
  keepalive_.expires_after(kKeepaliveInterval);
  keepalive_.async_wait(guard_.wrap([this](boost::system::error_code ec) {
    if (ec || closing_) return;
    // An idle queue never wakes the io_context; an empty consume call still
    // counts as a poll.
    schedule_drain();
    arm_keepalive();
  }));
}

void KafkaSource::on_rebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                               rd_kafka_topic_partition_list_t* partitions, void* opaque) {
  auto* self = static_cast<KafkaSource*>(opaque);
  if (self->closing_) {
    // Leaving the group: the owner already made everything durable.
    rd_kafka_assign(rk, err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS ? partitions : nullptr);
    return;
  }
  // Handled between batches by handle_rebalance(); librdkafka waits for the
  // assign call, which comes once the owner has restored or drained.
  self->pending_.push_back(
      {err, kafka::PartitionListHandle(rd_kafka_topic_partition_list_copy(partitions))});
}

void KafkaSource::schedule_drain() {
  if (scheduled_) return;
  scheduled_ = true;
  boost::asio::post(io_, guard_.wrap([this] {
    scheduled_ = false;
    drain();
  }));
}

void KafkaSource::wait_for_wakeup() {
  if (waiting_) return;
  waiting_ = true;
  wakeup_->async_wait([this] {
    waiting_ = false;
    drain();
  });
}

void KafkaSource::drain() {
  if (closing_ || rebalancing_) return;
  if (!pending_.empty()) {
    handle_rebalance();
    return;
  }
  if (paused_ || stopped_) {
    // Keep serving the queue only for rebalance events, never messages.
    wait_for_wakeup();
    return;
  }
  if (rd_kafka_queue_length(queue_.get()) >= fetch_stop_) fetchers_benched_ = true;
  const ssize_t n =
      rd_kafka_consume_batch_queue(queue_.get(), 0, messages_.data(), messages_.size());
  batch_.clear();
  std::size_t repeated = 0;
  for (ssize_t i = 0; i < n; ++i) {
    const rd_kafka_message_t* m = messages_[static_cast<std::size_t>(i)];
    if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        spdlog::warn("kafka consumer: {}", rd_kafka_message_errstr(m));
      }
      continue;
    }
    const auto p = m->partition;
    // A message fetched before a revoke may still sit in the queue; drop it.
    if (p < 0 || static_cast<std::size_t>(p) >= owned_.size() ||
        !owned_[static_cast<std::size_t>(p)]) {
      continue;
    }
    auto& next = next_[static_cast<std::size_t>(p)];
    if (next >= 0 && m->offset < next) {
      ++repeated;
      continue;
    }
    next = m->offset + 1;
    RawMessage raw;
    raw.payload = {static_cast<const char*>(m->payload), m->len};
    if (m->key != nullptr) raw.key = {static_cast<const char*>(m->key), m->key_len};
    raw.topic = options_.topic;
    raw.partition = p;
    raw.offset = m->offset;
    raw.timestamp_ms = rd_kafka_message_timestamp(m, nullptr);
    batch_.push_back(raw);
  }
  if (repeated > 0) {
    spdlog::debug("kafka consumer: dropped {} message(s) fetched again below the position",
                  repeated);
  }
  if (!batch_.empty() && handler_.on_batch) handler_.on_batch(batch_);
  for (ssize_t i = 0; i < n; ++i) rd_kafka_message_destroy(messages_[static_cast<std::size_t>(i)]);
  // Half the mark still holds well over a fetch round trip of work.
  if (fetchers_benched_ && rd_kafka_queue_length(queue_.get()) < fetch_stop_ / 2) wake_fetchers();

  if (char fatal[256];
      rd_kafka_fatal_error(consumer_.get(), fatal, sizeof fatal) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    if (handler_.on_error) handler_.on_error(std::string("kafka consumer: ") + fatal);
    return;
  }
  if (!pending_.empty()) {
    handle_rebalance();
  } else if (n > 0) {
    schedule_drain();  // more may be queued; let timers and HTTP run in between
  } else {
    wait_for_wakeup();
  }
}

// Any request to a partition's leader wakes that broker's thread, which then
// looks at its partitions again and resumes fetching those below the mark.
// A ListOffsets of the owned partitions reaches every leader (one request
// each) and changes nothing; it waits one round trip.
void KafkaSource::wake_fetchers() {
  fetchers_benched_ = false;
  if (handler_.on_prefetch_full) handler_.on_prefetch_full();
  if (assigned_.empty()) return;
  kafka::PartitionListHandle list(
      rd_kafka_topic_partition_list_new(static_cast<int>(assigned_.size())));
  for (const auto p : assigned_) {
    rd_kafka_topic_partition_list_add(list.get(), options_.topic.c_str(), p)->offset =
        RD_KAFKA_OFFSET_END;
  }
  // Only sending the requests matters: a slow reply must not hold up the loop.
  constexpr int kTimeoutMs = 250;
  const auto err = rd_kafka_offsets_for_times(consumer_.get(), list.get(), kTimeoutMs);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    spdlog::debug("waking the fetchers: {}", rd_kafka_err2str(err));
  }
}

void KafkaSource::handle_rebalance() {
  PendingRebalance event = std::move(pending_.front());
  pending_.pop_front();
  rebalancing_ = true;
  std::vector<std::int32_t> partitions;
  partitions.reserve(static_cast<std::size_t>(event.partitions->cnt));
  for (int i = 0; i < event.partitions->cnt; ++i) {
    partitions.push_back(event.partitions->elems[i].partition);
  }
  if (event.kind == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    std::vector<PartitionOffset> starts;
    try {
      starts = handler_.on_assign ? handler_.on_assign(partitions) : std::vector<PartitionOffset>{};
    } catch (const std::exception& e) {
      rebalancing_ = false;
      if (handler_.on_error) handler_.on_error(std::string("cannot take partitions: ") + e.what());
      return;
    }
    for (const auto& start : starts) {
      auto* tp = rd_kafka_topic_partition_list_find(event.partitions.get(), options_.topic.c_str(),
                                                    start.partition);
      if (tp != nullptr) tp->offset = start.offset;
    }
    for (const auto p : partitions) {
      if (static_cast<std::size_t>(p) >= next_.size()) {
        next_.resize(static_cast<std::size_t>(p) + 1);
      }
      const auto* tp =
          rd_kafka_topic_partition_list_find(event.partitions.get(), options_.topic.c_str(), p);
      next_[static_cast<std::size_t>(p)] = tp != nullptr && tp->offset >= 0 ? tp->offset : -1;
    }
    const auto err = rd_kafka_assign(consumer_.get(), event.partitions.get());
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      rebalancing_ = false;
      if (handler_.on_error) {
        handler_.on_error(std::string("assign failed: ") + rd_kafka_err2str(err));
      }
      return;
    }
    assigned_ = partitions;
    for (const auto p : partitions) {
      if (static_cast<std::size_t>(p) >= owned_.size()) {
        owned_.resize(static_cast<std::size_t>(p) + 1);
      }
      owned_[static_cast<std::size_t>(p)] = true;
    }
    if (paused_) rd_kafka_pause_partitions(consumer_.get(), event.partitions.get());
    rebalance_finished();
    return;
  }
  // Revoke: nothing of these partitions is handed out from here on.
  for (const auto p : partitions) {
    if (static_cast<std::size_t>(p) < owned_.size()) owned_[static_cast<std::size_t>(p)] = false;
  }
  auto done = guard_.wrap([this] {
    rd_kafka_assign(consumer_.get(), nullptr);
    assigned_.clear();
    rebalance_finished();
  });
  if (handler_.on_revoke) {
    handler_.on_revoke(std::move(partitions), std::move(done));
  } else {
    done();
  }
}

void KafkaSource::rebalance_finished() {
  rebalancing_ = false;
  schedule_drain();
}

void KafkaSource::pause() {
  if (paused_) return;
  paused_ = true;
  kafka::PartitionListHandle list;
  rd_kafka_topic_partition_list_t* raw = nullptr;
  if (rd_kafka_assignment(consumer_.get(), &raw) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    list.reset(raw);
    rd_kafka_pause_partitions(consumer_.get(), list.get());
  }
}

void KafkaSource::resume() {
  if (!paused_) return;
  paused_ = false;
  kafka::PartitionListHandle list;
  rd_kafka_topic_partition_list_t* raw = nullptr;
  if (rd_kafka_assignment(consumer_.get(), &raw) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    list.reset(raw);
    rd_kafka_resume_partitions(consumer_.get(), list.get());
  }
  schedule_drain();
}

bool KafkaSource::refetch(std::int32_t partition, std::int64_t offset) {
  if (closing_ || rebalancing_ || paused_ || stopped_ || partition < 0 ||
      static_cast<std::size_t>(partition) >= owned_.size() ||
      !owned_[static_cast<std::size_t>(partition)] || offset < 0) {
    return false;
  }
  kafka::PartitionListHandle list(rd_kafka_topic_partition_list_new(1));
  rd_kafka_topic_partition_list_add(list.get(), options_.topic.c_str(), partition)->offset = offset;
  // Asynchronous (timeout 0): messages fetched before the seek may still come,
  // and drain() drops those below next_.
  if (rd_kafka_error_t* error = rd_kafka_seek_partitions(consumer_.get(), list.get(), 0)) {
    spdlog::warn("cannot restart fetching {}[{}]: {}", options_.topic, partition,
                 rd_kafka_error_string(error));
    rd_kafka_error_destroy(error);
    return false;
  }
  if (list->elems[0].err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    spdlog::warn("cannot restart fetching {}[{}]: {}", options_.topic, partition,
                 rd_kafka_err2str(list->elems[0].err));
    return false;
  }
  return true;
}

void KafkaSource::stop() { stopped_ = true; }

void KafkaSource::commit(std::span<const PartitionOffset> offsets, bool synchronous) {
  if (offsets.empty() || closing_) return;
  kafka::PartitionListHandle list(
      rd_kafka_topic_partition_list_new(static_cast<int>(offsets.size())));
  for (const auto& o : offsets) {
    rd_kafka_topic_partition_list_add(list.get(), options_.topic.c_str(), o.partition)->offset =
        o.offset;
  }
  const auto err = rd_kafka_commit(consumer_.get(), list.get(), synchronous ? 0 : 1);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    spdlog::warn("offset commit failed: {}", rd_kafka_err2str(err));
  }
}

void KafkaSource::close() {
  if (closing_) return;
  closing_ = true;
  keepalive_.cancel();
  if (wakeup_) wakeup_->cancel();
  const auto err = rd_kafka_consumer_close(consumer_.get());
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    spdlog::warn("kafka consumer close: {}", rd_kafka_err2str(err));
  }
  assigned_.clear();
}

std::optional<std::pair<std::int64_t, std::int64_t>> KafkaSource::cached_watermarks(
    std::int32_t partition) const {
  std::int64_t low = 0;
  std::int64_t high = 0;
  if (rd_kafka_get_watermark_offsets(consumer_.get(), options_.topic.c_str(), partition, &low,
                                     &high) != RD_KAFKA_RESP_ERR_NO_ERROR ||
      high < 0) {
    return std::nullopt;
  }
  return std::make_pair(low, high);
}

std::map<std::int32_t, Watermarks> KafkaSource::query_watermarks(
    std::span<const std::int32_t> partitions, int timeout_ms) const {
  return fp::query_watermarks(consumer_.get(), options_.topic, partitions, timeout_ms);
}

}  // namespace fp
