#include "kafka/delivery_producer.h"

#include <algorithm>
#include <array>
#include <stdexcept>

namespace fp::kafka {
namespace {

using Clock = std::chrono::steady_clock;

int to_ms(std::chrono::milliseconds d) {
  return static_cast<int>(std::clamp<std::chrono::milliseconds::rep>(d.count(), 0, 1'000'000'000));
}

// The token travels as the message opaque and is never dereferenced.
void* to_opaque(std::uint64_t token) {
  return reinterpret_cast<void*>(  // NOLINT(performance-no-int-to-ptr)
      static_cast<std::uintptr_t>(token));
}

std::uint64_t from_opaque(void* opaque) {
  return static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(opaque));
}

}  // namespace

DeliveryProducer::DeliveryProducer(Options options)
    : on_delivery_(std::move(options.on_delivery)), callback_thread_(options.callback_thread) {
  KafkaConfig config;
  config.set("bootstrap.servers", options.brokers)
      .set("enable.idempotence", "true")
      .set("acks", "all")
      .set("linger.ms", "5")
      .set("batch.size", "1000000");
  config.set_all(options.properties);
  rd_kafka_conf_set_opaque(config.raw(), this);
  rd_kafka_conf_set_dr_msg_cb(config.raw(), &DeliveryProducer::on_report);
  rk_ = make_client(RD_KAFKA_PRODUCER, std::move(config));
  if (callback_thread_ == CallbackThread::kBackground) {
    poll_thread_ = std::thread([this] {
      while (!stop_polling_) rd_kafka_poll(rk_.get(), 100);
    });
  }
}

DeliveryProducer::~DeliveryProducer() {
  closing_ = true;
  stop_polling_ = true;
  if (poll_thread_.joinable()) poll_thread_.join();
  main_queue_.reset();  // librdkafka wants queue references gone before rd_kafka_destroy()
  rd_kafka_purge(rk_.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
  rd_kafka_flush(rk_.get(), 1000);  // hands the purged reports back
  rk_.reset();
}

void DeliveryProducer::wake_on_report(int fd) {
  static constexpr char kByte = '1';
  if (!main_queue_) main_queue_.reset(rd_kafka_queue_get_main(rk_.get()));
  rd_kafka_queue_io_event_enable(main_queue_.get(), fd, &kByte, 1);
}

void DeliveryProducer::on_report(rd_kafka_t*, const rd_kafka_message_t* msg, void* opaque) {
  static_cast<DeliveryProducer*>(opaque)->record(from_opaque(msg->_private), msg->err);
}

void DeliveryProducer::record(std::uint64_t token, rd_kafka_resp_err_t err) {
  if (!closing_ && on_delivery_) on_delivery_(token, err);
  {
    // Count under the lock so flush() cannot miss the wake-up.
    std::lock_guard lock(mutex_);
    (err == RD_KAFKA_RESP_ERR_NO_ERROR ? delivered_ : failed_reports_).fetch_add(1);
  }
  reported_.notify_all();
}

bool DeliveryProducer::wait_for_room(std::chrono::milliseconds timeout) {
  if (callback_thread_ == CallbackThread::kCaller) {
    return rd_kafka_poll(rk_.get(), to_ms(timeout)) > 0;
  }
  std::unique_lock lock(mutex_);
  const auto before = delivered_.load() + failed_reports_.load();
  return reported_.wait_for(lock, timeout,
                            [&] { return delivered_.load() + failed_reports_.load() != before; });
}

rd_kafka_resp_err_t DeliveryProducer::produce(std::string_view topic,
                                              std::optional<std::string_view> key,
                                              std::string_view payload, std::uint64_t token) {
  const std::string topic_name(topic);
  std::array<rd_kafka_vu_t, 5> fields{};
  fields[0].vtype = RD_KAFKA_VTYPE_TOPIC;
  fields[0].u.cstr = topic_name.c_str();
  fields[1].vtype = RD_KAFKA_VTYPE_MSGFLAGS;
  fields[1].u.i = RD_KAFKA_MSG_F_COPY;
  fields[2].vtype = RD_KAFKA_VTYPE_KEY;
  fields[2].u.mem = {key ? const_cast<char*>(key->data()) : nullptr, key ? key->size() : 0};
  fields[3].vtype = RD_KAFKA_VTYPE_VALUE;
  fields[3].u.mem = {const_cast<char*>(payload.data()), payload.size()};
  fields[4].vtype = RD_KAFKA_VTYPE_OPAQUE;
  fields[4].u.ptr = to_opaque(token);
  while (true) {
    rd_kafka_error_t* error = rd_kafka_produceva(rk_.get(), fields.data(), fields.size());
    const rd_kafka_resp_err_t err =
        error == nullptr ? RD_KAFKA_RESP_ERR_NO_ERROR : rd_kafka_error_code(error);
    if (error != nullptr) rd_kafka_error_destroy(error);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      sent_.fetch_add(1);
      if (callback_thread_ == CallbackThread::kCaller) rd_kafka_poll(rk_.get(), 0);
      return err;
    }
    if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      refused_.fetch_add(1);
      return err;
    }
    wait_for_room(std::chrono::milliseconds(100));
  }
}

int DeliveryProducer::poll(std::chrono::milliseconds timeout) {
  if (callback_thread_ != CallbackThread::kCaller) return 0;
  return rd_kafka_poll(rk_.get(), to_ms(timeout));
}

bool DeliveryProducer::flush(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  auto all_reported = [this] { return delivered_.load() + failed_reports_.load() == sent_.load(); };
  if (callback_thread_ == CallbackThread::kCaller) {
    while (!all_reported()) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (left.count() <= 0) return false;
      // rd_kafka_flush() serves reports on this thread until librdkafka's queues are empty.
      rd_kafka_flush(rk_.get(), to_ms(std::min(left, std::chrono::milliseconds(1000))));
    }
    return true;
  }
  std::unique_lock lock(mutex_);
  return reported_.wait_until(lock, deadline, all_reported);
}

DeliveryCounts DeliveryProducer::counts() const {
  DeliveryCounts c;
  c.sent = sent_.load();
  c.delivered = delivered_.load();
  c.failed_reports = failed_reports_.load();
  c.failed = c.failed_reports + refused_.load();
  return c;
}

}  // namespace fp::kafka
