// bench_consume: how fast a bare librdkafka consumer reads a topic (the ceiling of
// `fieldpulse run`), optionally parsing every message with simdjson On-Demand.
//
//   bench_consume --brokers B [--topic T] --count N [--parse] [--group G]
//                                           read N messages, print the rate; --group joins
//                                           consumer group G (as `fieldpulse run` does)
//                                           instead of assigning every partition
//   bench_consume --brokers B [--topic T] --count N --latency
//                                           from the end of every partition (says "ready"
//                                           on stderr), read N new messages; print p50 p99
//                                           max of (received - Kafka timestamp) in ms:
//                                           the latency floor
//   bench_consume --brokers B [--topic T] --watermarks          print held messages, exit 1 if
//                                                               any partition lost its head
#include <librdkafka/rdkafka.h>
#include <simdjson.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "bench/e2e/bench_kafka.h"

namespace {

using fp::bench::partition_count;

struct Args {
  std::string brokers;
  std::string topic = "field-reports";
  long long count = 0;
  bool parse = false;
  bool watermarks = false;
  std::string group;  // empty: assign, no group membership
  bool latency = false;
};

[[noreturn]] void usage(const char* why) {
  std::fprintf(stderr,
               "bench_consume: %s\nusage: bench_consume --brokers B [--topic T] "
               "(--count N [--parse] | --watermarks)\n",
               why);
  std::exit(2);
}

Args parse_args(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage(("missing value of " + arg).c_str());
      return argv[++i];
    };
    if (arg == "--brokers")
      a.brokers = value();
    else if (arg == "--topic")
      a.topic = value();
    else if (arg == "--count")
      a.count = std::atoll(value().c_str());
    else if (arg == "--parse")
      a.parse = true;
    else if (arg == "--watermarks")
      a.watermarks = true;
    else if (arg == "--group")
      a.group = value();
    else if (arg == "--latency")
      a.latency = true;
    else
      usage(("unknown flag " + arg).c_str());
  }
  if (a.brokers.empty()) usage("--brokers is required");
  if (!a.watermarks && a.count <= 0) usage("--count N is required");
  return a;
}

// Touches every field, as a decoder would: the On-Demand parser is lazy.
std::size_t parse_all(simdjson::ondemand::parser& parser, simdjson::padded_string_view json) {
  std::size_t fields = 0;
  auto doc = parser.iterate(json);
  simdjson::ondemand::object object;
  if (doc.get_object().get(object)) return 0;
  for (auto field : object) {
    std::string_view key;
    if (field.unescaped_key().get(key)) return fields;
    ++fields;
    simdjson::ondemand::value v;
    if (field.value().get(v)) return fields;
    simdjson::ondemand::json_type type;
    if (v.type().get(type)) return fields;
    if (type == simdjson::ondemand::json_type::object) {
      simdjson::ondemand::object inner;
      if (v.get_object().get(inner)) return fields;
      for (auto f : inner) {
        std::string_view k;
        if (f.unescaped_key().get(k)) return fields;
        std::string_view raw;
        if (f.value().raw_json_token().get(raw)) return fields;
        ++fields;
      }
    } else if (type == simdjson::ondemand::json_type::string) {
      std::string_view s;
      if (v.get_string().get(s)) return fields;
    } else {
      if (!v.raw_json_token().empty()) ++fields;
    }
  }
  return fields;
}

}  // namespace

int main(int argc, char** argv) {
  const Args args = parse_args(argc, argv);
  rd_kafka_t* rk =
      fp::bench::tuned_consumer(args.brokers, args.group.empty() ? "bench-consume" : args.group);
  const int partitions = partition_count(rk, args.topic);
  if (args.watermarks) {
    long long held = 0;
    int lost = 0;
    for (int p = 0; p < partitions; ++p) {
      int64_t low = 0, high = 0;
      if (rd_kafka_query_watermark_offsets(rk, args.topic.c_str(), p, &low, &high, 10000) !=
          RD_KAFKA_RESP_ERR_NO_ERROR) {
        std::fprintf(stderr, "bench_consume: watermarks of partition %d failed\n", p);
        return 1;
      }
      held += high - low;
      if (low > 0) ++lost;
    }
    std::printf("%lld %d\n", held, lost);  // messages held, partitions that dropped their head
    rd_kafka_destroy(rk);
    return lost == 0 ? 0 : 1;
  }
  const auto start = std::chrono::steady_clock::now();
  if (args.group.empty()) {
    rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(partitions);
    for (int p = 0; p < partitions; ++p) {
      std::int64_t offset = RD_KAFKA_OFFSET_BEGINNING;
      std::int64_t low = 0;
      // Concrete end offsets, so nothing produced after "ready" can be skipped.
      if (args.latency &&
          rd_kafka_query_watermark_offsets(rk, args.topic.c_str(), p, &low, &offset, 10000) != 0) {
        std::fprintf(stderr, "bench_consume: watermarks of partition %d failed\n", p);
        return 1;
      }
      rd_kafka_topic_partition_list_add(list, args.topic.c_str(), p)->offset = offset;
    }
    rd_kafka_assign(rk, list);
    rd_kafka_topic_partition_list_destroy(list);
    if (args.latency) {
      std::fprintf(stderr, "ready\n");
      std::fflush(stderr);
    }
  } else {
    rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(list, args.topic.c_str(), RD_KAFKA_PARTITION_UA);
    rd_kafka_subscribe(rk, list);
    rd_kafka_topic_partition_list_destroy(list);
  }
  rd_kafka_queue_t* queue = rd_kafka_queue_get_consumer(rk);
  std::vector<rd_kafka_message_t*> batch(10000);
  simdjson::ondemand::parser parser;
  long long got = 0;
  long long bytes = 0;
  std::size_t fields = 0;
  std::string padded;
  std::chrono::steady_clock::time_point first{};
  std::vector<std::int64_t> latencies_ms;
  while (got < args.count) {
    // A batch call waits for a full batch or its timeout; for latency, take each
    // message as soon as it is there.
    ssize_t n = 0;
    if (args.latency) {
      batch[0] = rd_kafka_consumer_poll(rk, 100);
      n = batch[0] != nullptr ? 1 : 0;
    } else {
      n = rd_kafka_consume_batch_queue(queue, 1000, batch.data(), batch.size());
    }
    for (ssize_t i = 0; i < n; ++i) {
      rd_kafka_message_t* m = batch[static_cast<std::size_t>(i)];
      if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        if (got++ == 0) first = std::chrono::steady_clock::now();
        bytes += static_cast<long long>(m->len);
        if (args.latency) {
          const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                  std::chrono::system_clock::now().time_since_epoch())
                                  .count();
          latencies_ms.push_back(now_ms - rd_kafka_message_timestamp(m, nullptr));
        }
        if (args.parse) {
          padded.assign(static_cast<const char*>(m->payload), m->len);
          padded.append(simdjson::SIMDJSON_PADDING, '\0');
          fields +=
              parse_all(parser, simdjson::padded_string_view(padded.data(), m->len, padded.size()));
        }
      }
      rd_kafka_message_destroy(m);
    }
    if (std::chrono::steady_clock::now() - start > std::chrono::minutes(10)) break;
  }
  const auto end = std::chrono::steady_clock::now();
  if (args.latency) {
    std::sort(latencies_ms.begin(), latencies_ms.end());
    const auto at = [&](double q) {
      if (latencies_ms.empty()) return std::int64_t{-1};
      return latencies_ms[std::min(
          latencies_ms.size() - 1,
          static_cast<std::size_t>(q * static_cast<double>(latencies_ms.size())))];
    };
    std::printf("%lld %lld %lld\n", static_cast<long long>(at(0.5)),
                static_cast<long long>(at(0.99)),
                static_cast<long long>(latencies_ms.empty() ? -1 : latencies_ms.back()));
    rd_kafka_queue_destroy(queue);
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    return got == args.count ? 0 : 1;
  }
  const double seconds = std::chrono::duration<double>(end - start).count();
  const double from_first = std::chrono::duration<double>(end - first).count();
  // messages, then from start: seconds rate MB/s, then from the first message:
  // seconds rate (fields keeps the parse from being optimised away)
  std::printf("%lld %.3f %.0f %.1f %.3f %.0f %zu\n", got, seconds,
              static_cast<double>(got) / seconds, static_cast<double>(bytes) / seconds / 1e6,
              from_first, static_cast<double>(got) / from_first, fields);
  rd_kafka_queue_destroy(queue);
  rd_kafka_consumer_close(rk);
  rd_kafka_destroy(rk);
  return got == args.count ? 0 : 1;
}
