#include "tests/pipeline/engine_harness.h"

#include <boost/asio/post.hpp>
#include <stdexcept>

#include "kafka/config.h"
#include "kafka/handles.h"
#include "model/catalog.h"
#include "model/roster.h"
#include "tests/pipeline/pipeline_harness.h"

namespace fp::test {

namespace {

std::int64_t system_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::shared_ptr<const Catalog> shipped_catalog() {
  static const auto catalog = std::make_shared<const Catalog>(Catalog::load(catalog_path()));
  return catalog;
}

std::shared_ptr<const Roster> shipped_roster() {
  static const auto roster = std::make_shared<const Roster>(Roster::load(roster_path()));
  return roster;
}

kafka::KafkaHandle make_reader(const std::string& bootstrap, const std::string& group) {
  kafka::KafkaConfig config;
  config.set("bootstrap.servers", bootstrap)
      .set("group.id", group)  // asked about, never joined
      .set("enable.auto.commit", "false");
  return kafka::make_client(RD_KAFKA_CONSUMER, std::move(config));
}

}  // namespace

void SinkLedger::ack() {
  acked = written;
  if (on_acked) on_acked();
}

HeldSink::HeldSink(SinkContext& context, std::shared_ptr<SinkLedger> ledger)
    : io_(context.io), ledger_(std::move(ledger)) {
  ledger_->on_acked = context.on_acked;
  ledger_->on_error = context.on_error;
}

// The pipeline the callbacks lead to goes with its sinks.
HeldSink::~HeldSink() {
  ledger_->on_acked = nullptr;
  ledger_->on_error = nullptr;
}

void HeldSink::write(std::span<const RawMessage> messages, const BatchResult& /*result*/) {
  ledger_->written += messages.size();
  if (!ledger_->fail_with.empty()) {
    ledger_->on_error(ledger_->fail_with);
    return;
  }
  if (ledger_->auto_ack) {
    boost::asio::post(io_, [ledger = ledger_] { ledger->ack(); });
  }
}

Engine::Engine(boost::asio::io_context& io, PipelineOptions options)
    : core(shipped_catalog(), shipped_roster(), CoreOptions{}, &system_now_ms),
      probe(metrics, core),
      pipeline(io, core, probe, std::move(options), &system_now_ms) {}

PipelineOptions engine_options(const std::string& bootstrap, const std::string& group,
                               const std::shared_ptr<SinkLedger>& ledger,
                               std::chrono::milliseconds checkpoint_interval) {
  PipelineOptions options;
  options.kafka_properties = {{"bootstrap.servers", bootstrap}};
  options.group = group;
  options.batch_max = 100;
  options.checkpoint_interval = checkpoint_interval;
  options.lag_interval = std::chrono::milliseconds(200);
  options.added_sinks.emplace_back(
      [ledger](SinkContext& context) { return std::make_unique<HeldSink>(context, ledger); });
  return options;
}

std::unique_ptr<kafka::MockCluster> make_cluster(int brokers, int partitions) {
  auto cluster = std::make_unique<kafka::MockCluster>(brokers);
  for (const auto& topic : kafka::MockCluster::default_topics(partitions)) {
    cluster->create_topic(topic.name, topic.partitions);
  }
  return cluster;
}

bool run_until(boost::asio::io_context& io, const std::function<bool()>& done,
               std::chrono::milliseconds deadline) {
  const auto end = std::chrono::steady_clock::now() + deadline;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= end) return false;
    if (io.stopped()) io.restart();
    io.run_for(std::chrono::milliseconds(20));
  }
  return true;
}

Offsets committed_offsets(const std::string& bootstrap, const std::string& group,
                          const std::string& topic, int partitions) {
  auto reader = make_reader(bootstrap, group);
  kafka::PartitionListHandle list(rd_kafka_topic_partition_list_new(partitions));
  for (int p = 0; p < partitions; ++p) {
    rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), p);
  }
  if (const auto err = rd_kafka_committed(reader.get(), list.get(), 10000); err) {
    throw std::runtime_error(std::string("committed offsets: ") + rd_kafka_err2str(err));
  }
  Offsets offsets;
  for (int i = 0; i < list->cnt; ++i) {
    const auto& entry = list->elems[i];
    if (entry.offset >= 0) offsets[entry.partition] = entry.offset;
  }
  return offsets;
}

Offsets high_watermarks(const std::string& bootstrap, const std::string& topic, int partitions) {
  auto reader = make_reader(bootstrap, "fieldpulse-test-reader");
  Offsets highs;
  for (int p = 0; p < partitions; ++p) {
    std::int64_t low = 0;
    std::int64_t high = 0;
    if (const auto err =
            rd_kafka_query_watermark_offsets(reader.get(), topic.c_str(), p, &low, &high, 10000);
        err) {
      throw std::runtime_error(std::string("watermarks: ") + rd_kafka_err2str(err));
    }
    highs[p] = high;
  }
  return highs;
}

double sample(const MetricsRegistry& metrics, const std::string& series) {
  return metric_value(metrics.render(), series).value_or(0);
}

}  // namespace fp::test
