#include "kafka/producer.h"

#include <algorithm>
#include <array>

#include "kafka/queue_wakeup.h"

namespace fp::kafka {
namespace {

using Clock = std::chrono::steady_clock;

KafkaHandle make_producer(const std::vector<Property>& properties, void* opaque,
                          void (*on_report)(rd_kafka_t*, const rd_kafka_message_t*, void*)) {
  KafkaConfig config;
  // Exactly-once writes per partition, acknowledged by every in-sync replica.
  config.set("enable.idempotence", "true").set("acks", "all").set("linger.ms", "5");
  // Progress rows, snapshots and reports shrink several-fold under LZ4, for a
  // little CPU here and much less for the brokers (and the embedded broker's 5 MiB
  // per partition).
  config.set("compression.type", "lz4");
  config.set_all_for(RD_KAFKA_PRODUCER, properties);
  rd_kafka_conf_set_dr_msg_cb(config.raw(), on_report);
  rd_kafka_conf_set_opaque(config.raw(), opaque);
  return make_client(RD_KAFKA_PRODUCER, std::move(config));
}

// The sequence number travels as the message opaque and is never dereferenced.
void* to_opaque(std::uint64_t sequence) {
  return reinterpret_cast<void*>(  // NOLINT(performance-no-int-to-ptr)
      static_cast<std::uintptr_t>(sequence));
}

std::uint64_t from_opaque(void* opaque) {
  return static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(opaque));
}

// rd_kafka_produceva() rather than rd_kafka_producev(): the latter's argument
// macros are GNU statement expressions.
rd_kafka_resp_err_t produce_one(rd_kafka_t* producer, const std::string& topic,
                                const Record& record, rd_kafka_headers_t* headers,
                                std::uint64_t sequence) {
  std::array<rd_kafka_vu_t, 7> fields{};
  fields[0].vtype = RD_KAFKA_VTYPE_TOPIC;
  fields[0].u.cstr = topic.c_str();
  fields[1].vtype = RD_KAFKA_VTYPE_PARTITION;
  fields[1].u.i32 = record.partition < 0 ? RD_KAFKA_PARTITION_UA : record.partition;
  fields[2].vtype = RD_KAFKA_VTYPE_MSGFLAGS;
  fields[2].u.i = record.borrowed ? 0 : RD_KAFKA_MSG_F_COPY;
  fields[3].vtype = RD_KAFKA_VTYPE_KEY;
  fields[3].u.mem = {record.key ? const_cast<char*>(record.key->data()) : nullptr,
                     record.key ? record.key->size() : 0};
  fields[4].vtype = RD_KAFKA_VTYPE_VALUE;
  fields[4].u.mem = {const_cast<char*>(record.value.data()), record.value.size()};
  fields[5].vtype = RD_KAFKA_VTYPE_OPAQUE;
  fields[5].u.ptr = to_opaque(sequence);
  fields[6].vtype = RD_KAFKA_VTYPE_HEADERS;
  fields[6].u.headers = headers;
  rd_kafka_error_t* error = rd_kafka_produceva(producer, fields.data(), fields.size());
  if (error == nullptr) return RD_KAFKA_RESP_ERR_NO_ERROR;
  const rd_kafka_resp_err_t code = rd_kafka_error_code(error);
  rd_kafka_error_destroy(error);
  return code;
}

rd_kafka_headers_t* make_headers(std::span<const Header> headers) {
  if (headers.empty()) return nullptr;
  rd_kafka_headers_t* out = rd_kafka_headers_new(headers.size());
  for (const Header& h : headers) {
    rd_kafka_header_add(out, h.name.data(), static_cast<ssize_t>(h.name.size()), h.value.data(),
                        static_cast<ssize_t>(h.value.size()));
  }
  return out;
}

}  // namespace

Producer::Producer(Options options)
    : name_(std::move(options.name)),
      on_delivery_(std::move(options.on_delivery)),
      on_served_(std::move(options.on_served)),
      producer_(make_producer(options.properties, this, &Producer::on_report)) {}

Producer::Producer(boost::asio::io_context& io, Options options) : Producer(std::move(options)) {
  main_queue_.reset(rd_kafka_queue_get_main(producer_.get()));
  wakeup_ = std::make_unique<QueueWakeup>(io, main_queue_.get());
  wakeup_->async_wait([this] { serve(); });
}

Producer::~Producer() {
  wakeup_.reset();
  on_delivery_ = nullptr;
  on_served_ = nullptr;
  main_queue_.reset();  // librdkafka wants queue references gone before rd_kafka_destroy()
  rd_kafka_purge(producer_.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
  rd_kafka_flush(producer_.get(), 1000);  // hands the purged records' results back
  producer_.reset();
}

std::uint64_t Producer::produce(const Record& record) {
  const std::string topic(record.topic);
  rd_kafka_headers_t* headers = make_headers(record.headers);
  const std::uint64_t sequence = produced_ + 1;
  for (;;) {
    const rd_kafka_resp_err_t err = produce_one(producer_.get(), topic, record, headers, sequence);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) break;
    if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      if (headers != nullptr) rd_kafka_headers_destroy(headers);
      throw ProduceError(name_ + ": cannot produce to " + topic + ": " + rd_kafka_err2str(err),
                         err);
    }
    // Callers pause their input long before this; wait for room rather than drop.
    rd_kafka_poll(producer_.get(), 10);
  }
  produced_ = sequence;
  acked_.push_back(false);
  if (!wakeup_) rd_kafka_poll(producer_.get(), 0);  // serves what is ready
  return sequence;
}

bool Producer::flush(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (in_flight() > 0) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return false;
    // rd_kafka_flush() serves results on this thread until librdkafka's queues are empty.
    rd_kafka_flush(producer_.get(), static_cast<int>(std::min<std::int64_t>(left.count(), 1000)));
  }
  return true;
}

void Producer::on_report(rd_kafka_t* /*rk*/, const rd_kafka_message_t* message, void* opaque) {
  static_cast<Producer*>(opaque)->reported(from_opaque(message->_private), message->err);
}

void Producer::reported(std::uint64_t sequence, rd_kafka_resp_err_t error) {
  if (sequence <= durable_ || sequence > produced_) return;
  if (error == RD_KAFKA_RESP_ERR_NO_ERROR) {
    ++delivered_;
    acked_[sequence - durable_ - 1] = true;
    while (!acked_.empty() && acked_.front()) {
      acked_.pop_front();
      ++durable_;
    }
  } else {
    ++failed_;
  }
  if (on_delivery_) on_delivery_(sequence, error);
}

void Producer::serve() {
  rd_kafka_poll(producer_.get(), 0);  // serves every queued result
  if (on_served_) on_served_();
  wakeup_->async_wait([this] { serve(); });
}

}  // namespace fp::kafka
