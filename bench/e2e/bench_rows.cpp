// bench_rows: the ceiling of `fieldpulse run` with its progress output: a bare reader
// that consumes every report, parses it with simdjson On-Demand and produces one small
// keyed row (idempotent, acks=all, LZ4, like the pipeline's producers) the first time
// each block is seen. A block is one kind's metrics for one (level, id, window): levels
// city, county, town, village (prefixes of the 12-digit village code) and cadre;
// windows total and the CST day of `at`. No validation, dedupe or sums.
//
//   bench_rows --brokers B [--topic T] [--rows-topic R] --count N
//
// Prints: reports, seconds from the first report to the last consumed, seconds from
// the first report until every row is acknowledged, reports/s over the latter, rows,
// rows per report.
#include <librdkafka/rdkafka.h>
#include <simdjson.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "bench/e2e/bench_kafka.h"

namespace {

using SteadyClock = std::chrono::steady_clock;

struct Args {
  std::string brokers;
  std::string topic = "field-reports";
  std::string rows_topic = "bench-rows";
  long long count = 0;
};

[[noreturn]] void usage(const std::string& why) {
  std::fprintf(stderr,
               "bench_rows: %s\nusage: bench_rows --brokers B [--topic T] [--rows-topic R] "
               "--count N\n",
               why.c_str());
  std::exit(2);
}

Args parse_args(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (i + 1 >= argc) usage("missing value of " + arg);
    const std::string value = argv[++i];
    if (arg == "--brokers") {
      a.brokers = value;
    } else if (arg == "--topic") {
      a.topic = value;
    } else if (arg == "--rows-topic") {
      a.rows_topic = value;
    } else if (arg == "--count") {
      a.count = std::atoll(value.c_str());
    } else {
      usage("unknown flag " + arg);
    }
  }
  if (a.brokers.empty()) usage("--brokers is required");
  if (a.count <= 0) usage("--count N is required");
  return a;
}

// The fields a block key needs; false when the report lacks one (it makes no rows).
struct ReportFields {
  std::string_view village, cadre, kind, at;
};

bool read_fields(simdjson::ondemand::parser& parser, simdjson::padded_string_view json,
                 ReportFields& out) {
  simdjson::ondemand::document doc;
  if (parser.iterate(json).get(doc)) return false;
  simdjson::ondemand::object object;
  if (doc.get_object().get(object)) return false;
  out = {};
  for (auto field : object) {
    std::string_view key;
    if (field.unescaped_key().get(key)) return false;
    std::string_view* slot = key == "village"    ? &out.village
                             : key == "cadre_id" ? &out.cadre
                             : key == "kind"     ? &out.kind
                             : key == "at"       ? &out.at
                                                 : nullptr;
    if (slot == nullptr) continue;  // values, tags, note: skipped unparsed
    if (field.value().get_string().get(*slot)) return false;
  }
  return out.village.size() == 12 && !out.cadre.empty() && !out.kind.empty() && out.at.size() >= 10;
}

class RowProducer {
 public:
  RowProducer(const std::string& brokers, std::string topic) : topic_(std::move(topic)) {
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    fp::bench::set(conf, "bootstrap.servers", brokers.c_str());
    fp::bench::set(conf, "enable.idempotence", "true");
    fp::bench::set(conf, "acks", "all");
    fp::bench::set(conf, "linger.ms", "5");
    fp::bench::set(conf, "compression.type", "lz4");
    fp::bench::set(conf, "queue.buffering.max.messages", "1000000");
    rd_kafka_conf_set_dr_msg_cb(conf, &RowProducer::on_delivery);
    rd_kafka_conf_set_opaque(conf, this);
    char err[512];
    rk_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    if (rk_ == nullptr) {
      std::fprintf(stderr, "bench_rows: %s\n", err);
      std::exit(1);
    }
  }
  ~RowProducer() { rd_kafka_destroy(rk_); }
  RowProducer(const RowProducer&) = delete;
  RowProducer& operator=(const RowProducer&) = delete;

  void produce(std::string_view key, std::string_view row) {
    for (;;) {
      const rd_kafka_resp_err_t err =
          rd_kafka_producev(rk_, RD_KAFKA_V_TOPIC(topic_.c_str()),
                            RD_KAFKA_V_KEY(const_cast<char*>(key.data()), key.size()),
                            RD_KAFKA_V_VALUE(const_cast<char*>(row.data()), row.size()),
                            RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
      if (err == RD_KAFKA_RESP_ERR_NO_ERROR) break;
      if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
        std::fprintf(stderr, "bench_rows: produce: %s\n", rd_kafka_err2str(err));
        std::exit(1);
      }
      rd_kafka_poll(rk_, 10);
    }
    ++sent_;
    rd_kafka_poll(rk_, 0);
  }

  // Waits for every delivery; false if any failed.
  bool finish() {
    while (acked_ + failed_ < sent_) rd_kafka_flush(rk_, 1000);
    return failed_ == 0;
  }
  [[nodiscard]] long long sent() const { return sent_; }

 private:
  static void on_delivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
    auto* self = static_cast<RowProducer*>(opaque);
    (m->err == RD_KAFKA_RESP_ERR_NO_ERROR ? self->acked_ : self->failed_) += 1;
  }

  rd_kafka_t* rk_ = nullptr;
  std::string topic_;
  long long sent_ = 0, acked_ = 0, failed_ = 0;
};

// Produces the rows of the blocks a report touches that were not seen before.
class BlockRows {
 public:
  explicit BlockRows(RowProducer& producer) : producer_(producer) { seen_.reserve(1 << 22); }

  void add(const ReportFields& f) {
    // A CST day; the simulator writes every `at` with +08:00.
    const std::string_view day = f.at.substr(0, 10);
    const std::string_view v = f.village;
    const std::pair<const char*, std::string_view> places[] = {{"city", v.substr(0, 4)},
                                                               {"county", v.substr(0, 6)},
                                                               {"town", v.substr(0, 9)},
                                                               {"village", v},
                                                               {"cadre", f.cadre}};
    for (const auto& [level, id] : places) {
      for (const std::string_view window : {std::string_view("total"), day}) {
        key_.assign(level).append("|").append(id).append("|").append(f.kind).append("|");
        key_.append(window);
        if (!seen_.insert(key_).second) continue;
        row_.assign("{\"level\":\"").append(level).append("\",\"id\":\"").append(id);
        row_.append("\",\"kind\":\"").append(f.kind).append("\",\"window\":\"").append(window);
        row_.append("\"}");
        producer_.produce(key_, row_);
      }
    }
  }

 private:
  RowProducer& producer_;
  std::unordered_set<std::string> seen_;
  std::string key_, row_;
};

}  // namespace

int main(int argc, char** argv) {
  const Args args = parse_args(argc, argv);
  rd_kafka_t* rk = fp::bench::tuned_consumer(args.brokers, "bench-rows");
  fp::bench::assign_from_beginning(rk, args.topic);
  RowProducer producer(args.brokers, args.rows_topic);
  BlockRows rows(producer);
  rd_kafka_queue_t* queue = rd_kafka_queue_get_consumer(rk);
  std::vector<rd_kafka_message_t*> batch(10000);
  simdjson::ondemand::parser parser;
  std::string padded;
  ReportFields fields;
  long long got = 0;
  const auto start = SteadyClock::now();
  SteadyClock::time_point first{};
  while (got < args.count && SteadyClock::now() - start < std::chrono::minutes(10)) {
    const ssize_t n = rd_kafka_consume_batch_queue(queue, 1000, batch.data(), batch.size());
    for (ssize_t i = 0; i < n; ++i) {
      rd_kafka_message_t* m = batch[static_cast<std::size_t>(i)];
      if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        if (got++ == 0) first = SteadyClock::now();
        padded.assign(static_cast<const char*>(m->payload), m->len);
        padded.append(simdjson::SIMDJSON_PADDING, '\0');
        if (read_fields(parser, simdjson::padded_string_view(padded.data(), m->len, padded.size()),
                        fields)) {
          rows.add(fields);
        }
      }
      rd_kafka_message_destroy(m);
    }
  }
  const auto consumed = SteadyClock::now();
  const bool delivered = producer.finish();
  const auto acked = SteadyClock::now();
  const double consume_s = std::chrono::duration<double>(consumed - first).count();
  const double done_s = std::chrono::duration<double>(acked - first).count();
  std::printf("%lld %.3f %.3f %.0f %lld %.3f\n", got, consume_s, done_s,
              static_cast<double>(got) / done_s, producer.sent(),
              static_cast<double>(producer.sent()) / static_cast<double>(got));
  rd_kafka_queue_destroy(queue);
  rd_kafka_consumer_close(rk);
  rd_kafka_destroy(rk);
  return got == args.count && delivered ? 0 : 1;
}
