#include "ingest/watermark_sampler.h"

#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <stdexcept>

#include "kafka/config.h"
#include "kafka/handles.h"

namespace fp {

struct WatermarkSampler::Client {
  kafka::KafkaHandle handle;
};

WatermarkSampler::WatermarkSampler(
    boost::asio::io_context& io, const std::vector<std::pair<std::string, std::string>>& properties,
    std::string topic, std::chrono::milliseconds interval,
    std::function<void(const Sample&)> on_sample)
    : io_(io),
      topic_(std::move(topic)),
      interval_(interval),
      on_sample_(std::move(on_sample)),
      client_(std::make_unique<Client>()) {
  kafka::KafkaConfig config;
  config.set_all_for(RD_KAFKA_CONSUMER, properties);
  // Never joins a group: it only sends ListOffsets.
  client_->handle = kafka::make_client(RD_KAFKA_CONSUMER, std::move(config));
  thread_ = std::thread([this] { run(); });
}

WatermarkSampler::~WatermarkSampler() {
  guard_.end();
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void WatermarkSampler::set_partitions(std::vector<std::int32_t> partitions) {
  std::lock_guard lock(mutex_);
  partitions_ = std::move(partitions);
}

void WatermarkSampler::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait_for(lock, interval_, [this] { return stopping_; });
    if (stopping_) return;
    const auto partitions = partitions_;
    lock.unlock();
    Sample sample;
    try {
      // Bounded by the interval so a dead broker delays only this sample.
      sample = query_watermarks(client_->handle.get(), topic_, partitions,
                                static_cast<int>(interval_.count()));
    } catch (const std::exception& e) {
      spdlog::debug("sampling watermarks: {}", e.what());
    }
    if (!sample.empty()) {
      boost::asio::post(io_,
                        alive_.wrap([this, sample = std::move(sample)] { on_sample_(sample); }));
    }
    lock.lock();
  }
}

}  // namespace fp
