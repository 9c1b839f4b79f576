#include "kafka/kafka_writer.h"

#include <spdlog/spdlog.h>

#include <array>
#include <stdexcept>

#include "kafka/config.h"
#include "kafka/queue_wakeup.h"

namespace fp {

KafkaWriter::KafkaWriter(boost::asio::io_context& io, Options options,
                         std::function<void()> on_acked,
                         std::function<void(const std::string&)> on_error)
    : options_(std::move(options)), on_acked_(std::move(on_acked)), on_error_(std::move(on_error)) {
  kafka::KafkaConfig config;
  // Exactly-once writes per partition, acknowledged by every in-sync replica.
  config.set("enable.idempotence", "true").set("acks", "all").set("linger.ms", "5");
  // Progress rows and snapshots shrink several-fold under LZ4, for a little CPU
  // here and much less for the brokers (and the embedded broker's 5 MiB per partition).
  config.set("compression.type", "lz4");
  config.set_all_for(RD_KAFKA_PRODUCER, options_.properties);
  rd_kafka_conf_set_dr_msg_cb(config.raw(), &KafkaWriter::on_delivery);
  rd_kafka_conf_set_opaque(config.raw(), this);
  producer_ = kafka::make_client(RD_KAFKA_PRODUCER, std::move(config));
  main_queue_.reset(rd_kafka_queue_get_main(producer_.get()));
  wakeup_ = std::make_unique<QueueWakeup>(io, main_queue_.get());
  wakeup_->async_wait([this] { serve(); });
}

KafkaWriter::~KafkaWriter() {
  wakeup_.reset();
  on_acked_ = nullptr;
  on_error_ = nullptr;
  // Delivery reports served while the handle is destroyed still find acked_.
  main_queue_.reset();
  producer_.reset();
}

std::uint64_t KafkaWriter::produce(std::string_view topic, std::int32_t partition,
                                   std::string_view key, std::string_view value,
                                   std::initializer_list<Header> headers) {
  return produce_with(RD_KAFKA_MSG_F_COPY, topic, partition, key, value, headers);
}

std::uint64_t KafkaWriter::produce_borrowed(std::string_view topic, std::int32_t partition,
                                            std::string_view key, std::string_view value,
                                            std::initializer_list<Header> headers) {
  return produce_with(0, topic, partition, key, value, headers);
}

std::uint64_t KafkaWriter::produce_with(int flags, std::string_view topic, std::int32_t partition,
                                        std::string_view key, std::string_view value,
                                        std::initializer_list<Header> headers) {
  rd_kafka_headers_t* hdrs = nullptr;
  if (headers.size() != 0) {
    hdrs = rd_kafka_headers_new(headers.size());
    for (const auto& h : headers) {
      rd_kafka_header_add(hdrs, h.name.data(), static_cast<ssize_t>(h.name.size()), h.value.data(),
                          static_cast<ssize_t>(h.value.size()));
    }
  }
  const std::uint64_t sequence = produced_ + 1;
  std::string topic_name(topic);
  for (;;) {
    std::array<rd_kafka_vu_t, 7> fields{};
    fields[0].vtype = RD_KAFKA_VTYPE_TOPIC;
    fields[0].u.cstr = topic_name.c_str();
    fields[1].vtype = RD_KAFKA_VTYPE_PARTITION;
    fields[1].u.i32 = partition < 0 ? RD_KAFKA_PARTITION_UA : partition;
    fields[2].vtype = RD_KAFKA_VTYPE_MSGFLAGS;
    fields[2].u.i = flags;
    fields[3].vtype = RD_KAFKA_VTYPE_KEY;
    fields[3].u.mem = {const_cast<char*>(key.data()), key.size()};
    fields[4].vtype = RD_KAFKA_VTYPE_VALUE;
    fields[4].u.mem = {const_cast<char*>(value.data()), value.size()};
    fields[5].vtype = RD_KAFKA_VTYPE_OPAQUE;
    // The sequence number travels as the message opaque and is never dereferenced.
    fields[5].u.ptr = reinterpret_cast<void*>(  // NOLINT(performance-no-int-to-ptr)
        static_cast<std::uintptr_t>(sequence));
    fields[6].vtype = RD_KAFKA_VTYPE_HEADERS;
    fields[6].u.headers = hdrs;
    rd_kafka_error_t* error = rd_kafka_produceva(producer_.get(), fields.data(), fields.size());
    if (error == nullptr) break;
    const rd_kafka_resp_err_t err = rd_kafka_error_code(error);
    rd_kafka_error_destroy(error);
    if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      // The pipeline pauses its input long before this; wait for room rather than drop.
      rd_kafka_poll(producer_.get(), 10);
      continue;
    }
    if (hdrs != nullptr) rd_kafka_headers_destroy(hdrs);
    throw std::runtime_error(options_.name + ": cannot produce to " + topic_name + ": " +
                             rd_kafka_err2str(err));
  }
  produced_ = sequence;
  acked_.push_back(false);
  return sequence;
}

bool KafkaWriter::flush(std::chrono::milliseconds timeout) {
  const auto err = rd_kafka_flush(producer_.get(), static_cast<int>(timeout.count()));
  return err == RD_KAFKA_RESP_ERR_NO_ERROR && durable_ == produced_;
}

void KafkaWriter::on_delivery(rd_kafka_t* /*rk*/, const rd_kafka_message_t* message, void* opaque) {
  auto* self = static_cast<KafkaWriter*>(opaque);
  self->delivered(static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(message->_private)),
                  message->err);
}

void KafkaWriter::delivered(std::uint64_t sequence, rd_kafka_resp_err_t error) {
  if (error != RD_KAFKA_RESP_ERR_NO_ERROR) {
    ++failures_;
    spdlog::error("{}: record {} not delivered: {}", options_.name, sequence,
                  rd_kafka_err2str(error));
    if (on_error_) on_error_(options_.name + ": " + rd_kafka_err2str(error));
    return;  // never counts as durable, so nothing after it is committed
  }
  if (sequence <= durable_ || sequence > produced_) return;
  acked_[sequence - durable_ - 1] = true;
  while (!acked_.empty() && acked_.front()) {
    acked_.pop_front();
    ++durable_;
  }
}

void KafkaWriter::serve() {
  rd_kafka_poll(producer_.get(), 0);  // serves every queued delivery report
  if (on_acked_) on_acked_();
  wakeup_->async_wait([this] { serve(); });
}

}  // namespace fp
