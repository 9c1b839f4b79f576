#include "pipeline/pipeline.h"

#include <spdlog/spdlog.h>

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <random>

#include "ingest/checkpoint_store.h"
#include "ingest/kafka_source_declaration.h"
#include "ingest/state_follower.h"
#include "ingest/watermark_sampler.h"
#include "kafka/producer.h"
#include "metrics/pipeline_probe.h"
#include "model/fmix64.h"
#include "processors/core.h"

namespace fp {

namespace {

constexpr int kWatermarkTimeoutMs = 5000;
constexpr std::chrono::milliseconds kRestoreTimeout{20000};

}  // namespace

Pipeline::Pipeline(boost::asio::io_context& io, ProcessingCore& core, PipelineProbe& probe,
                   PipelineOptions options, Clock clock)
    : io_(io),
      core_(core),
      probe_(probe),
      options_(std::move(options)),
      clock_(std::move(clock)),
      stalls_(options_.stall_after),
      checkpoint_timer_(io),
      lag_timer_(io),
      drain_timer_(io),
      partial_timer_(io) {
  core_.track_changes();  // for the partials
  std::random_device random;
  generation_ = (static_cast<std::uint64_t>(random()) << 32) ^ random();

  SinkContext context{io_,
                      core_,
                      probe_,
                      options_.kafka_properties,
                      clock_,
                      [this] { acked(); },
                      [this](const std::string& why) { fail(why); }};
  sinks_ = make_sinks(options_.components, context);
  for (const auto& make : options_.added_sinks) sinks_.push_back(make(context));
  // A missing state topic is refused at assignment; the writer must not have
  // the broker create one behind the operator's back either.
  auto state_properties = options_.kafka_properties;
  state_properties.emplace_back("allow.auto.create.topics", "false");
  state_writer_ = std::make_unique<kafka::Producer>(
      io_, kafka::Producer::Options{"state", std::move(state_properties),
                                    [this](std::uint64_t /*sequence*/, rd_kafka_resp_err_t error) {
                                      if (error != RD_KAFKA_RESP_ERR_NO_ERROR) {
                                        fail(std::string("state: ") + rd_kafka_err2str(error));
                                      }
                                    },
                                    [this] { acked(); }});

  KafkaSourceOptions source_options;
  source_options.properties =
      kafka_source_properties(options_.kafka_properties, options_.group, options_.components);
  source_options.topic = options_.reports_topic;
  source_options.batch_max = options_.batch_max;
  KafkaSourceHandler handler;
  handler.on_batch = [this](std::span<const RawMessage> batch) { process(batch); };
  handler.on_assign = [this](std::span<const std::int32_t> p) { return assign(p); };
  handler.on_revoke = [this](const std::vector<std::int32_t>& p, std::function<void()> done) {
    revoke(p, std::move(done));
  };
  handler.on_prefetch_full = [this] { probe_.prefetch_full(); };
  handler.on_error = [this](const std::string& why) { fail(why); };
  source_ = std::make_unique<KafkaSource>(io_, std::move(source_options), std::move(handler));
  // The consumer learns watermarks only from its fetches: when they stop, so
  // would the lag it shows. These samples come from the brokers directly.
  watermark_sampler_ = std::make_unique<WatermarkSampler>(
      io_, options_.kafka_properties, options_.reports_topic, options_.lag_interval,
      [this](const WatermarkSampler::Sample& sample) {
        for (const auto& [p, marks] : sample) {
          PartitionState& ps = state(p);
          if (ps.owned) ps.high = std::max(ps.high, marks.high);
        }
      });
  StateFollowerHandler follower;
  follower.on_checkpoint = [this](std::int32_t p, Checkpoint&& c) {
    replica_checkpoint(p, std::move(c));
  };
  follower.on_partial = [this](std::int32_t p, std::int64_t through, std::string_view partial) {
    replica_partial(p, through, partial);
  };
  follower.on_gap = [this](std::int32_t p) { replica_gap(p); };
  follower.on_caught_up = [] {
    spdlog::info("read every partition's figures from the state topic");
  };
  state_follower_ =
      std::make_unique<StateFollower>(io_, options_.kafka_properties, options_.state_topic,
                                      options_.group, options_.reports_topic, std::move(follower));
}

Pipeline::~Pipeline() {
  guard_.end();
  checkpoint_timer_.cancel();
  lag_timer_.cancel();
  drain_timer_.cancel();
  partial_timer_.cancel();
  state_follower_.reset();
  watermark_sampler_.reset();
  source_.reset();        // leaves the group before the writers go
  state_writer_.reset();  // before rounds_, whose snapshots it may still reference
}

void Pipeline::start() {
  // Other instances' figures first: the group's first assignment waits for them.
  state_follower_->start();
  source_->start();
  arm_checkpoint_timer();
  arm_partial_timer();
  arm_lag_timer();
}

Pipeline::PartitionState& Pipeline::state(std::int32_t partition) {
  const auto index = static_cast<std::size_t>(partition);
  if (index >= partitions_.size()) partitions_.resize(index + 1);
  return partitions_[index];
}

std::size_t Pipeline::unacknowledged() {
  std::size_t total = state_writer_->in_flight();
  for_each_sink([&total](Sink& sink) { total += sink.unacknowledged(); });
  return total;
}

bool Pipeline::for_each_sink(const std::function<void(Sink&)>& call) {
  for (auto& sink : sinks_) {
    if (failed_) return false;
    try {
      call(*sink);
    } catch (const std::exception& e) {
      fail("sink " + std::string(sink->name()) + " threw: " + e.what());
    } catch (...) {
      fail("sink " + std::string(sink->name()) + " threw a non-standard exception");
    }
  }
  return !failed_;
}

void Pipeline::process(std::span<const RawMessage> batch) {
  if (failed_) return;
  for (const RawMessage& m : batch) {
    PartitionState& ps = state(m.partition);
    if (m.offset > ps.next_offset) {
      // Offsets may skip legitimately (transaction markers, compaction); it is a
      // gap only when the broker no longer holds what was skipped.
      const auto marks = source_->cached_watermarks(m.partition);
      if (marks && marks->first > ps.next_offset) {
        report_gap(m.partition, ps.next_offset, std::min(m.offset, marks->first),
                   "expired before it was processed (offset out of range)");
      }
    }
    ps.next_offset = m.offset + 1;
  }
  try {
    core_.process(batch, result_);
  } catch (const std::exception& e) {
    fail(std::string("processing failed: ") + e.what());
    return;
  }
  probe_.apply(result_);
  probe_.observe_latency(batch, clock_());
  std::erase_if(result_.moved_blocks, [this](ProgressBlockId b) { return !designated(b); });
  // A full batch means more is waiting: the consumer is behind.
  const bool backlog = batch.size() >= options_.batch_max;
  const bool written = for_each_sink([&](Sink& sink) {
    sink.set_backlog(backlog);
    sink.write(batch, result_);
  });
  if (!written) return;
  if (const auto behind = unacknowledged();
      !failed_ && !source_->paused() && behind > options_.max_unacknowledged) {
    spdlog::debug("sinks behind ({} unacknowledged): pausing fetch", behind);
    if (!for_each_sink([](Sink& sink) { sink.flush(); })) return;
    source_->pause();
    probe_.backpressure_pause();
  }
}

void Pipeline::acked() {
  restate_next();
  if (source_ && source_->paused() && !draining_ && !failed_) {
    const auto behind = unacknowledged();
    if (!failed_ && behind <= options_.max_unacknowledged / 2) source_->resume();
  }
  advance_rounds();
}

std::vector<PartitionOffset> Pipeline::assign(std::span<const std::int32_t> partitions) {
  const auto checkpoints =
      read_latest_checkpoints(options_.kafka_properties, options_.state_topic, options_.group,
                              options_.reports_topic, partitions, kRestoreTimeout);
  const auto marks = assigned_watermarks(partitions);
  std::vector<PartitionOffset> starts;
  for (const auto p : partitions) {
    PartitionState& ps = state(p);
    const auto mark = marks.find(p);
    if (mark == marks.end()) {
      throw std::runtime_error("no offsets for " + options_.reports_topic + "[" +
                               std::to_string(p) + "]");
    }
    const auto [low, high] = mark->second;
    core_.drop_partition(p);
    std::int64_t start = low;
    if (const auto it = checkpoints.find(p); it != checkpoints.end()) {
      core_.restore_partition(p, it->second.snapshot);
      start = it->second.through_offset;
      if (low > start) {
        report_gap(p, start, low, "expired before it was processed (retention)");
        start = low;
      }
      ps.checkpointed = it->second.through_offset;
    } else {
      ps.checkpointed = -1;
      if (low > 0) {
        report_gap(p, 0, low, "no state checkpoint; started at the earliest retained offset");
      }
    }
    ps.owned = true;
    ps.partial_seq = 0;
    ps.next_offset = start;
    ps.resume_from = start;
    ps.catch_up_to = high;
    ps.high = high;
    stalls_.forget(p);
    starts.push_back({p, start});
    spdlog::debug("assigned {}[{}]: {} at offset {} (high watermark {})", options_.reports_topic, p,
                  checkpoints.contains(p) ? "restored checkpoint" : "no checkpoint", start, high);
  }
  spdlog::info("assigned {} partition(s) of {}, {} restored from checkpoints", partitions.size(),
               options_.reports_topic, checkpoints.size());
  probe_.seed_progress();
  assigned_once_ = true;
  rebalancing_ = false;
  watermark_sampler_->set_partitions(owned_partitions());
  // The writer of a partition it had before the rebalance wrote every change
  // and made it durable in the revoke's round; a partition taken over may have
  // lost its writer's last rows with it.
  std::vector<std::int32_t> taken_over;
  for (std::size_t p = 0; p < partitions_.size(); ++p) {
    PartitionState& ps = partitions_[p];
    if (ps.owned && !ps.writer) taken_over.push_back(static_cast<std::int32_t>(p));
    ps.writer = ps.owned;
  }
  restate(taken_over);
  return starts;
}

// A broker down while partitions are assigned (its ListOffsets time out) is
// waited for up to kRestoreTimeout, as the checkpoint read waits, instead of
// stopping the instance.
std::map<std::int32_t, Watermarks> Pipeline::assigned_watermarks(
    std::span<const std::int32_t> partitions) {
  const auto deadline = std::chrono::steady_clock::now() + kRestoreTimeout;
  while (true) {
    try {
      return source_->query_watermarks(partitions, kWatermarkTimeoutMs);
    } catch (const std::runtime_error& e) {
      if (std::chrono::steady_clock::now() >= deadline) throw;
      spdlog::warn("{} (retrying)", e.what());
    }
  }
}

void Pipeline::revoke(const std::vector<std::int32_t>& partitions, std::function<void()> done) {
  spdlog::info("revoking {} partition(s): checkpointing and committing first", partitions.size());
  rebalancing_ = true;
  start_round(partitions, true, [this, partitions, done = std::move(done)] {
    for (const auto p : partitions) {
      PartitionState& ps = state(p);
      ps.owned = false;
      // Its figures stay counted, as a replica the next owner's partials update.
      core_.keep_as_replica(p, ps.next_offset);
      probe_.remove_consumer_lag(p);
      probe_.remove_partition_stalled(p);
      stalls_.forget(p);
    }
    watermark_sampler_->set_partitions(owned_partitions());
    done();
  });
}

void Pipeline::start_round(const std::vector<std::int32_t>& partitions, bool synchronous,
                           std::function<void()> on_committed) {
  Round& round = rounds_.emplace_back();
  round.synchronous_commit = synchronous;
  round.on_committed = std::move(on_committed);
  round.to_snapshot = partitions;
  snapshot_next(&round);
}

// Snapshots one partition and yields, so a round over many large partitions
// does not stall processing and HTTP. Different partitions' snapshots may be
// taken at different moments: each carries its own through-offset. The round
// stays at or behind the queue's front until sealed, so `round` stays valid.
void Pipeline::snapshot_next(Round* round) {
  while (!round->to_snapshot.empty()) {
    const std::int32_t p = round->to_snapshot.back();
    round->to_snapshot.pop_back();
    PartitionState& ps = state(p);
    if (!ps.owned || ps.next_offset == ps.checkpointed) continue;
    // Readers that follow the partials then reach the checkpoint's offset with them.
    publish_partial(p);
    round->partitions.push_back({p, ps.next_offset, core_.snapshot_partition(p), {}});
    ps.checkpointed = ps.next_offset;
    if (!round->to_snapshot.empty()) {
      boost::asio::post(io_, guard_.wrap([this, round] {
        if (!failed_) snapshot_next(round);
      }));
      return;
    }
  }
  // Marks taken after the last snapshot cover every output of the messages
  // before each snapshot's through-offset.
  const bool flushed = for_each_sink([round](Sink& sink) {
    sink.flush();
    round->sink_marks.push_back(sink.mark());
  });
  if (!flushed) return;
  round->sealed = true;
  advance_rounds();
}

void Pipeline::advance_rounds() {
  while (!rounds_.empty() && !failed_) {
    Round& round = rounds_.front();
    if (!round.sealed) return;
    if (!round.state_written) {
      // A checkpoint may only be written once everything its messages caused is
      // durable: a restore never re-emits what came before its through-offset.
      std::size_t i = 0;
      bool durable = true;
      const bool asked = for_each_sink(
          [&](Sink& sink) { durable = durable && sink.durable(round.sink_marks[i++]); });
      if (!asked || !durable) return;
      for (const auto& part : round.partitions) {
        PartitionState& ps = state(part.partition);
        const std::string key =
            checkpoint_key(options_.group, options_.reports_topic, part.partition);
        try {
          for (const auto& chunk :
               checkpoint_chunks(options_.group, options_.reports_topic, part.partition,
                                 part.through_offset, part.snapshot, ++generation_)) {
            // The snapshot stays in rounds_ until acknowledged: no copy of it.
            const std::array headers{kafka::Header{kCheckpointHeader, chunk.header}};
            state_writer_->produce({.topic = options_.state_topic,
                                    .key = chunk.key,
                                    .value = chunk.value,
                                    .partition = part.partition,
                                    .headers = headers,
                                    .borrowed = true});
          }
          ps.partial_seq = 0;
          for (const LaterPartial& later : part.later_partials) {
            const std::string header = partial_header(later.through_offset);
            const std::string partial_at = partial_key(key, ps.partial_seq++);
            const std::array headers{kafka::Header{kPartialHeader, header}};
            state_writer_->produce({.topic = options_.state_topic,
                                    .key = partial_at,
                                    .value = later.partial,
                                    .partition = part.partition,
                                    .headers = headers,
                                    .borrowed = true});
          }
        } catch (const std::exception& e) {
          fail(e.what());
          return;
        }
      }
      round.state_mark = state_writer_->produced();
      round.state_written = true;
    }
    if (state_writer_->durable_through() < round.state_mark) return;
    std::vector<PartitionOffset> offsets;
    for (const auto& part : round.partitions) {
      PartitionState& ps = state(part.partition);
      ps.resume_from = part.through_offset;
      if (ps.owned) offsets.push_back({part.partition, part.through_offset});
    }
    source_->commit(offsets, round.synchronous_commit);
    probe_.checkpoint_completed(clock_());
    auto callback = std::move(round.on_committed);
    rounds_.pop_front();
    if (callback) callback();
  }
}

void Pipeline::arm_partial_timer() {
  partial_timer_.expires_after(options_.partial_interval);
  partial_timer_.async_wait(guard_.wrap([this](boost::system::error_code ec) {
    if (ec || failed_) return;
    for (const std::int32_t p : owned_partitions()) publish_partial(p);
    arm_partial_timer();
  }));
}

void Pipeline::publish_partial(std::int32_t partition) {
  PartitionState& ps = state(partition);
  if (!ps.owned || failed_) return;
  std::string partial = core_.take_partial(partition);
  if (partial.empty()) return;
  const std::string key = checkpoint_key(options_.group, options_.reports_topic, partition);
  const std::string header = partial_header(ps.next_offset);
  try {
    const std::string partial_at = partial_key(key, ps.partial_seq++);
    const std::array headers{kafka::Header{kPartialHeader, header}};
    state_writer_->produce({.topic = options_.state_topic,
                            .key = partial_at,
                            .value = partial,
                            .partition = partition,
                            .headers = headers});
  } catch (const std::exception& e) {
    fail(e.what());
    return;
  }
  for (Round& round : rounds_) {
    if (round.state_written) continue;
    for (RoundPartition& part : round.partitions) {
      if (part.partition == partition) part.later_partials.push_back({ps.next_offset, partial});
    }
  }
}

void Pipeline::replica_checkpoint(std::int32_t partition, Checkpoint&& checkpoint) {
  if (state(partition).owned) return;
  try {
    if (!core_.restore_replica(partition, checkpoint.through_offset, checkpoint.snapshot)) return;
  } catch (const std::exception& e) {
    spdlog::warn("{}[{}]: cannot read the checkpoint of another instance: {}", options_.state_topic,
                 partition, e.what());
    return;
  }
  // Which blocks the checkpoint changed is not known: write every one this instance writes.
  std::vector<std::int32_t> written;
  for (std::size_t p = 0; p < partitions_.size(); ++p) {
    if (partitions_[p].writer) written.push_back(static_cast<std::int32_t>(p));
  }
  restate(written);
  probe_.seed_progress();
}

void Pipeline::replica_partial(std::int32_t partition, std::int64_t through_offset,
                               std::string_view partial) {
  if (state(partition).owned) return;
  replica_moved_.clear();
  try {
    if (!core_.apply_partial(partition, through_offset, partial, replica_moved_)) return;
  } catch (const std::exception& e) {
    spdlog::warn("{}[{}]: cannot read a partial of another instance: {}", options_.state_topic,
                 partition, e.what());
    replica_gap(partition);
    return;
  }
  emit_changes(std::move(replica_moved_));
}

void Pipeline::replica_gap(std::int32_t partition) {
  if (state(partition).owned || core_.replica_lags(partition)) return;
  core_.replica_gap(partition);
  spdlog::info(
      "{}[{}]: figures wait for the partition's next checkpoint (records before it are gone)",
      options_.state_topic, partition);
}

void Pipeline::emit_changes(std::vector<ProgressBlockId> moved) {
  if (moved.empty() || failed_) return;
  replica_result_.clear();
  replica_result_.moved_blocks = std::move(moved);
  probe_.apply(replica_result_);
  std::erase_if(replica_result_.moved_blocks, [this](ProgressBlockId b) { return !designated(b); });
  if (replica_result_.moved_blocks.empty()) return;
  for_each_sink([this](Sink& sink) { sink.write({}, replica_result_); });
}

bool Pipeline::designated(ProgressBlockId block) {
  const std::int32_t count = state_follower_->partition_count();
  if (count <= 0) return true;
  const auto p = static_cast<std::int32_t>(fmix64(block) % static_cast<std::uint64_t>(count));
  return state(p).writer;
}

void Pipeline::restate(std::span<const std::int32_t> partitions) {
  const std::int32_t count = state_follower_->partition_count();
  if (partitions.empty() || count <= 0) return;
  std::vector<char> taken(static_cast<std::size_t>(count), 0);
  for (const std::int32_t p : partitions) {
    if (p >= 0 && p < count) taken[static_cast<std::size_t>(p)] = 1;
  }
  std::vector<ProgressBlockId> blocks = core_.block_keys_where(
      [&](ProgressBlockId b) { return taken[fmix64(b) % static_cast<std::uint64_t>(count)] != 0; });
  if (blocks.empty()) return;
  spdlog::info(
      "writing the rows of {} block(s) again: their partitions' previous writer may "
      "have stopped before its last rows were durable",
      blocks.size());
  restating_.insert(restating_.end(), blocks.begin(), blocks.end());
  restate_next();
}

// A chunk per io turn, and none while the sinks are behind: a takeover may
// restate millions of blocks, and reports keep their latency meanwhile.
void Pipeline::restate_next() {
  constexpr std::size_t kChunk = 20000;
  if (failed_ || restating_.empty() || restate_posted_) return;
  if (unacknowledged() > options_.max_unacknowledged / 2) return;  // acked() resumes it
  const std::size_t n = std::min(kChunk, restating_.size());
  replica_result_.clear();
  replica_result_.moved_blocks.assign(restating_.end() - static_cast<std::ptrdiff_t>(n),
                                      restating_.end());
  restating_.resize(restating_.size() - n);
  restate_posted_ = true;  // a sink acknowledging within write() must not re-enter here
  const bool written = for_each_sink([this](Sink& sink) { sink.write({}, replica_result_); });
  if (!written || restating_.empty()) {
    restate_posted_ = false;
    if (restating_.empty()) restating_.shrink_to_fit();
    return;
  }
  boost::asio::post(io_, guard_.wrap([this] {
    restate_posted_ = false;
    restate_next();
  }));
}

void Pipeline::report_gap(std::int32_t partition, std::int64_t from, std::int64_t to,
                          const std::string& why) {
  if (to <= from) return;
  const std::string text = options_.reports_topic + "[" + std::to_string(partition) +
                           "]: offsets " + std::to_string(from) + ".." + std::to_string(to - 1) +
                           " " + why;
  spdlog::error("data gap on {}", text);
  probe_.data_gap(partition, static_cast<std::uint64_t>(to - from));
  gaps_.push_back("data gap on " + text);
}

void Pipeline::arm_checkpoint_timer() {
  checkpoint_timer_.expires_after(options_.checkpoint_interval);
  checkpoint_timer_.async_wait(guard_.wrap([this](boost::system::error_code ec) {
    if (ec || draining_ || failed_) return;
    std::vector<std::int32_t> owned;
    for (std::size_t p = 0; p < partitions_.size(); ++p) {
      if (partitions_[p].owned) owned.push_back(static_cast<std::int32_t>(p));
    }
    if (rounds_.size() < 2) start_round(owned, false, nullptr);  // else the broker is behind
    arm_checkpoint_timer();
  }));
}

void Pipeline::arm_lag_timer() {
  lag_timer_.expires_after(options_.lag_interval);
  lag_timer_.async_wait(guard_.wrap([this](boost::system::error_code ec) {
    if (ec) return;
    sample_lag();
    arm_lag_timer();
  }));
}

void Pipeline::sample_lag() {
  const auto now = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < partitions_.size(); ++i) {
    PartitionState& ps = partitions_[i];
    if (!ps.owned) continue;
    const auto p = static_cast<std::int32_t>(i);
    if (const auto marks = source_->cached_watermarks(p)) {
      ps.high = std::max(ps.high, marks->second);
    }
    probe_.set_consumer_lag(p, std::max<std::int64_t>(0, ps.high - ps.next_offset));
    watch_stall(p, now);
  }
}

void Pipeline::watch_stall(std::int32_t partition, std::chrono::steady_clock::time_point now) {
  const PartitionState& ps = state(partition);
  const auto change = stalls_.observe(partition, ps.next_offset, ps.high, now);
  probe_.set_partition_stalled(partition, stalls_.stalled(partition));
  // librdkafka 2.0.2 can leave a partition unfetched after its leader moved or
  // its broker was down; a seek to the position starts a fresh fetch.
  if (stalls_.refetch_due(partition, now) && source_->refetch(partition, ps.next_offset)) {
    spdlog::warn("{}[{}]: no progress for {} s with {} messages to go: fetching restarted at {}",
                 options_.reports_topic, partition, stalls_.standing(partition, now).count() / 1000,
                 ps.high - ps.next_offset, ps.next_offset);
  }
  if (!change) return;
  if (*change) {
    spdlog::warn(
        "{}[{}] stalled: at offset {} with {} messages to go (high watermark {}), "
        "no progress for {} s{}",
        options_.reports_topic, partition, ps.next_offset, ps.high - ps.next_offset, ps.high,
        stalls_.standing(partition, now).count() / 1000,
        source_->paused() ? "; fetching is paused for the sinks" : "");
  } else {
    spdlog::info("{}[{}] moves again: at offset {}", options_.reports_topic, partition,
                 ps.next_offset);
  }
}

std::vector<std::int32_t> Pipeline::owned_partitions() const {
  std::vector<std::int32_t> owned;
  for (std::size_t p = 0; p < partitions_.size(); ++p) {
    if (partitions_[p].owned) owned.push_back(static_cast<std::int32_t>(p));
  }
  return owned;
}

Readiness Pipeline::readiness() const {
  Readiness r;
  if (failed_) r.reasons.push_back("failed: " + failure_);
  if (draining_) r.reasons.push_back("draining");
  if (!assigned_once_) r.reasons.push_back("waiting for the first partition assignment");
  if (rebalancing_) {
    r.reasons.push_back(
        "partitions moving between instances: the figures are the last merged ones");
  }
  if (!state_follower_->caught_up()) {
    r.reasons.push_back("reading every partition's figures from " + options_.state_topic);
  }
  for (std::int32_t p = 0; p < state_follower_->partition_count(); ++p) {
    const auto index = static_cast<std::size_t>(p);
    const bool owned = index < partitions_.size() && partitions_[index].owned;
    if (!owned && core_.replica_lags(p)) {
      r.reasons.push_back("figures of " + options_.reports_topic + "[" + std::to_string(p) +
                          "] lag: waiting for its next checkpoint in " + options_.state_topic);
    }
  }
  for (std::size_t p = 0; p < partitions_.size(); ++p) {
    const PartitionState& ps = partitions_[p];
    if (ps.owned && ps.next_offset < ps.catch_up_to) {
      r.reasons.push_back("catching up on " + options_.reports_topic + "[" + std::to_string(p) +
                          "]: at " + std::to_string(ps.next_offset) + " of " +
                          std::to_string(ps.catch_up_to));
    }
    if (ps.owned && stalls_.stalled(static_cast<std::int32_t>(p))) {
      r.reasons.push_back("stalled: " + options_.reports_topic + "[" + std::to_string(p) +
                          "] at offset " + std::to_string(ps.next_offset) + ", high watermark " +
                          std::to_string(ps.high) + ", no progress for at least " +
                          std::to_string(stalls_.stall_after().count() / 1000) + " s");
    }
  }
  r.reasons.insert(r.reasons.end(), gaps_.begin(), gaps_.end());
  r.ready = r.reasons.empty();
  return r;
}

void Pipeline::fail(const std::string& why) {
  if (failed_) return;
  failed_ = true;
  failure_ = why;
  spdlog::error("pipeline failed: {}", why);
  if (source_) source_->stop();
  if (drained_) {
    auto done = std::move(drained_);
    drained_ = nullptr;
    done(1);
    return;
  }
  if (on_failure_) on_failure_(why);
}

void Pipeline::drain(std::function<void(int)> done) {
  if (draining_) return;
  draining_ = true;
  drained_ = std::move(done);
  checkpoint_timer_.cancel();
  if (failed_) {
    auto callback = std::move(drained_);
    drained_ = nullptr;
    callback(1);
    return;
  }
  source_->stop();  // no batch after this; the current one has been processed
  spdlog::info("draining: flushing sinks, checkpointing and committing");
  drain_timer_.expires_after(options_.drain_timeout);
  drain_timer_.async_wait(guard_.wrap([this](boost::system::error_code ec) {
    if (ec || !drained_) return;
    end_drain_unacknowledged();
  }));
  std::vector<std::int32_t> owned;
  for (std::size_t p = 0; p < partitions_.size(); ++p) {
    if (partitions_[p].owned) owned.push_back(static_cast<std::int32_t>(p));
  }
  start_round(owned, true, [this] {
    drain_timer_.cancel();
    source_->close();
    spdlog::info("drained: state checkpointed and offsets committed");
    if (drained_) {
      auto callback = std::move(drained_);
      drained_ = nullptr;
      callback(0);
    }
  });
}

// Nothing is lost by ending here: offsets and checkpoints never pass what a
// sink has not acknowledged, so the next start processes again everything
// after the newest durable checkpoint and rewrites the same absolute figures.
void Pipeline::end_drain_unacknowledged() {
  std::string behind;
  const bool asked = for_each_sink([&behind](Sink& sink) {
    if (const auto n = sink.unacknowledged(); n > 0) {
      behind += (behind.empty() ? "" : ", ") + std::string(sink.name()) + ": " + std::to_string(n);
    }
  });
  if (!asked) return;  // fail() ended the drain
  if (const auto n = state_writer_->in_flight(); n > 0) {
    behind += (behind.empty() ? "" : ", ") + std::string("state: ") + std::to_string(n);
  }
  std::int64_t redo = 0;
  std::size_t owned = 0;
  for (std::size_t p = 0; p < partitions_.size(); ++p) {
    const PartitionState& ps = partitions_[p];
    if (!ps.owned) continue;
    ++owned;
    redo += ps.next_offset - ps.resume_from;
    spdlog::info("drain: {}[{}] will be processed again from offset {} on the next start",
                 options_.reports_topic, p, ps.resume_from);
  }
  spdlog::warn(
      "drain: outputs not acknowledged within {} ms ({}); committing nothing more: {} "
      "message(s) of {} partition(s) after the last checkpoint will be redone on the next start",
      options_.drain_timeout.count(), behind.empty() ? "none" : behind, redo, owned);
  source_->close();
  auto callback = std::move(drained_);
  drained_ = nullptr;
  callback(0);
}

}  // namespace fp
