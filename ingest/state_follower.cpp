#include "ingest/state_follower.h"

#include <spdlog/spdlog.h>

#include <array>
#include <boost/asio/post.hpp>
#include <charconv>
#include <chrono>
#include <stdexcept>

#include "ingest/watermarks.h"
#include "kafka/config.h"
#include "kafka/queue_wakeup.h"

namespace fp {

namespace {

constexpr std::chrono::seconds kMetadataTimeout{10};
constexpr int kWatermarkTimeoutMs = 10000;
constexpr std::size_t kBatch = 1000;

std::string_view header_value(const rd_kafka_message_t& m, std::string_view name) {
  rd_kafka_headers_t* headers = nullptr;
  const void* value = nullptr;
  std::size_t size = 0;
  // NOLINTNEXTLINE(cppcoreguidelines-pro-type-const-cast): librdkafka's API takes no const message
  if (rd_kafka_message_headers(const_cast<rd_kafka_message_t*>(&m), &headers) !=
          RD_KAFKA_RESP_ERR_NO_ERROR ||
      rd_kafka_header_get_last(headers, std::string(name).c_str(), &value, &size) !=
          RD_KAFKA_RESP_ERR_NO_ERROR ||
      value == nullptr) {
    return {};
  }
  return {static_cast<const char*>(value), size};
}

}  // namespace

std::string partial_key(std::string_view checkpoint_key, std::uint64_t seq) {
  return std::string(checkpoint_key) + "/partial/" + std::to_string(seq);
}

std::string partial_header(std::int64_t through_offset) {
  return "1 " + std::to_string(through_offset);
}

StateFollower::StateFollower(boost::asio::io_context& io,
                             const std::vector<std::pair<std::string, std::string>>& properties,
                             std::string state_topic, std::string group, std::string source_topic,
                             StateFollowerHandler handler)
    : io_(io),
      state_topic_(std::move(state_topic)),
      group_(std::move(group)),
      source_topic_(std::move(source_topic)),
      handler_(std::move(handler)) {
  kafka::KafkaConfig config;
  config.set_all_for(RD_KAFKA_CONSUMER, properties);
  // assign() needs a group name, but this reader never joins or commits.
  config.set("group.id", "fieldpulse.state-follower").set("enable.auto.commit", "false");
  config.set("enable.partition.eof", "false").set("auto.offset.reset", "earliest");
  config.set("allow.auto.create.topics", "false");
  consumer_ = kafka::make_client(RD_KAFKA_CONSUMER, std::move(config));
  rd_kafka_poll_set_consumer(consumer_.get());
  queue_.reset(rd_kafka_queue_get_consumer(consumer_.get()));
}

StateFollower::~StateFollower() {
  guard_.end();
  wakeup_.reset();
  if (consumer_) rd_kafka_assign(consumer_.get(), nullptr);
  queue_.reset();
  consumer_.reset();
}

void StateFollower::start() {
  const auto deadline = std::chrono::steady_clock::now() + kMetadataTimeout;
  const auto sources = topic_partition_count(consumer_.get(), source_topic_, deadline);
  if (!sources) {
    throw std::runtime_error("cannot follow the state topic: the reports topic " + source_topic_ +
                             " does not exist");
  }
  const auto states = topic_partition_count(consumer_.get(), state_topic_, deadline);
  if (!states) {
    throw std::runtime_error(
        "cannot follow the state topic: the state topic " + state_topic_ +
        " does not exist: create it with at least as many partitions as " + source_topic_ + " (" +
        std::to_string(*sources) +
        " or more; deploy/kafka/create-topics.sh) or name another one with kafka.topics.state");
  }
  if (*states < *sources) {
    throw std::runtime_error(
        "cannot follow the state topic: the state topic " + state_topic_ + " has " +
        std::to_string(*states) + " partitions, but " + source_topic_ + " needs " +
        std::to_string(*sources) +
        " (the state of its partition P goes to state partition P): add partitions to it or "
        "name another one with kafka.topics.state");
  }
  std::vector<std::int32_t> partitions;
  reads_.resize(static_cast<std::size_t>(*sources));
  for (std::int32_t p = 0; p < *sources; ++p) {
    partitions.push_back(p);
    const std::string key = checkpoint_key(group_, source_topic_, p);
    reads_[static_cast<std::size_t>(p)].assembly = CheckpointAssembly(key);
    reads_[static_cast<std::size_t>(p)].partial_prefix = key + "/partial/";
  }
  const auto marks =
      query_watermarks(consumer_.get(), state_topic_, partitions, kWatermarkTimeoutMs);
  kafka::PartitionListHandle list(rd_kafka_topic_partition_list_new(*sources));
  for (const std::int32_t p : partitions) {
    PartitionRead& r = reads_[static_cast<std::size_t>(p)];
    const auto mark = marks.find(p);
    r.start_end = mark == marks.end() ? 0 : mark->second.high;
    if (mark != marks.end() && mark->second.low > 0) {
      // What came before the oldest retained record is gone: the partition's
      // figures wait for a checkpoint.
      if (handler_.on_gap) handler_.on_gap(p);
    }
    if (mark == marks.end() || mark->second.high <= mark->second.low) {
      r.reached_start_end = true;
    } else {
      ++behind_;
    }
    rd_kafka_topic_partition_list_add(list.get(), state_topic_.c_str(), p)->offset =
        RD_KAFKA_OFFSET_BEGINNING;
  }
  if (const auto err = rd_kafka_assign(consumer_.get(), list.get()); err) {
    throw std::runtime_error("cannot read the state topic " + state_topic_ + ": " +
                             rd_kafka_err2str(err));
  }
  wakeup_ = std::make_unique<QueueWakeup>(io_, queue_.get());
  if (behind_ == 0) {
    caught_up_ = true;
    if (handler_.on_caught_up) handler_.on_caught_up();
  }
  boost::asio::post(io_, guard_.wrap([this] { drain(); }));
}

void StateFollower::wait() {
  if (waiting_) return;
  waiting_ = true;
  wakeup_->async_wait([this] {
    waiting_ = false;
    drain();
  });
}

void StateFollower::drain() {
  std::array<rd_kafka_message_t*, kBatch> messages{};
  const ssize_t n = rd_kafka_consume_batch_queue(queue_.get(), 0, messages.data(), kBatch);
  const auto token = guard_.token();
  for (ssize_t i = 0; i < n; ++i) {
    rd_kafka_message_t* m = messages[static_cast<std::size_t>(i)];
    // A handler may end the follower's owner; stop using `this` then.
    if (token) read(*m);
    rd_kafka_message_destroy(m);
  }
  if (!token) return;
  if (n > 0) {
    boost::asio::post(io_, guard_.wrap([this] { drain(); }));  // let others run in between
  } else {
    wait();
  }
}

void StateFollower::read(const rd_kafka_message_t& m) {
  if (m.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    if (m.err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      spdlog::warn("state topic follower: {}", rd_kafka_err2str(m.err));
    }
    return;
  }
  const std::int32_t p = m.partition;
  if (p < 0 || static_cast<std::size_t>(p) >= reads_.size()) return;
  PartitionRead& r = reads_[static_cast<std::size_t>(p)];
  if (r.next >= 0 && m.offset < r.next) return;  // fetched again
  const std::string_view key = m.key == nullptr
                                   ? std::string_view{}
                                   : std::string_view{static_cast<const char*>(m.key), m.key_len};
  const std::string_view value = m.payload == nullptr
                                     ? std::string_view{}
                                     : std::string_view{static_cast<const char*>(m.payload), m.len};
  if (r.next >= 0 && m.offset > r.next && handler_.on_gap) handler_.on_gap(p);
  r.next = m.offset + 1;
  if (const auto checkpoint = header_value(m, kCheckpointHeader); !checkpoint.empty()) {
    r.assembly.add(key, checkpoint, value);
    if (r.assembly.complete()) {
      Checkpoint complete = std::move(*r.assembly.complete());
      r.assembly.complete().reset();
      if (handler_.on_checkpoint) handler_.on_checkpoint(p, std::move(complete));
    }
  } else if (key.starts_with(r.partial_prefix)) {
    const std::string_view header = header_value(m, kPartialHeader);
    int version = 0;
    std::int64_t through = -1;
    const char* end = header.data() + header.size();
    std::from_chars_result parsed = std::from_chars(header.data(), end, version);
    if (parsed.ec == std::errc{} && version == 1 && parsed.ptr < end && *parsed.ptr == ' ') {
      parsed = std::from_chars(parsed.ptr + 1, end, through);
    }
    if (parsed.ec != std::errc{} || version != 1 || parsed.ptr != end || through < 0) {
      spdlog::warn("state topic follower: {}[{}] offset {}: bad partial header", state_topic_, p,
                   m.offset);
    } else if (handler_.on_partial) {
      handler_.on_partial(p, through, value);
    }
  }
  if (!r.reached_start_end && r.next >= r.start_end) {
    r.reached_start_end = true;
    if (--behind_ == 0) {
      caught_up_ = true;
      if (handler_.on_caught_up) handler_.on_caught_up();
    }
  }
}

}  // namespace fp
