// `fieldpulse produce` (contract section 7): NDJSON reports to Kafka, keyed by village.
#include <simdjson.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "app/commands.h"
#include "kafka/producer.h"

namespace fp::app {
namespace {

struct ProduceOptions {
  std::string brokers;
  std::string topic = "field-reports";
  std::string input = "-";
  std::vector<std::string> properties;
};

// The key of a report: its top-level "village" string. A line that is not a
// JSON object with such a field is still sent, with no key: the pipeline
// decides what is wrong with it, not the producer.
class VillageKeyReader {
 public:
  std::optional<std::string_view> key_of(std::string_view line) {
    if (padded_.size() < line.size() + simdjson::SIMDJSON_PADDING) {
      padded_.resize(line.size() + simdjson::SIMDJSON_PADDING);
    }
    std::memcpy(padded_.data(), line.data(), line.size());
    simdjson::dom::element doc;
    if (parser_.parse(padded_.data(), line.size(), false).get(doc)) return std::nullopt;
    std::string_view village;
    if (doc["village"].get(village)) return std::nullopt;
    return village;  // points into the parser's string buffer, valid until the next line
  }

 private:
  simdjson::dom::parser parser_;
  std::vector<char> padded_;
};

bool blank(std::string_view line) {
  return line.find_first_not_of(" \t\r") == std::string_view::npos;
}

int run_produce(const ProduceOptions& options) {
  std::vector<kafka::Property> properties;
  try {
    for (const auto& p : options.properties) properties.push_back(kafka::parse_property(p));
  } catch (const kafka::ConfigError& e) {
    std::fprintf(stderr, "fieldpulse produce: -X: %s\n", e.what());
    return kExitUsage;
  }
  properties.insert(properties.begin(), {"bootstrap.servers", options.brokers});
  std::unique_ptr<kafka::Producer> producer;
  try {
    producer = std::make_unique<kafka::Producer>(
        kafka::Producer::Options{"produce", properties, nullptr, nullptr});
  } catch (const kafka::ConfigError& e) {
    std::fprintf(stderr, "fieldpulse produce: -X: %s\n", e.what());
    return kExitUsage;
  }

  FILE* in = options.input == "-" ? stdin : std::fopen(options.input.c_str(), "rb");
  if (in == nullptr) {
    std::fprintf(stderr, "fieldpulse produce: cannot open input file '%s': %s\n",
                 options.input.c_str(), std::generic_category().message(errno).c_str());
    return kExitUsage;
  }
  std::unique_ptr<FILE, int (*)(FILE*)> owned(in == stdin ? nullptr : in, &std::fclose);

  const auto start = std::chrono::steady_clock::now();
  VillageKeyReader keys;
  char* buffer = nullptr;
  size_t capacity = 0;
  std::uint64_t skipped = 0;
  std::uint64_t refused = 0;
  std::uint64_t line_number = 0;
  ssize_t got = 0;
  while ((got = ::getline(&buffer, &capacity, in)) >= 0) {
    ++line_number;
    std::string_view line(buffer, static_cast<size_t>(got));
    if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (blank(line)) {
      ++skipped;
      continue;
    }
    try {
      producer->produce({.topic = options.topic, .key = keys.key_of(line), .value = line});
    } catch (const kafka::ProduceError& e) {
      ++refused;
      std::fprintf(stderr, "fieldpulse produce: line %llu not sent: %s\n",
                   static_cast<unsigned long long>(line_number), rd_kafka_err2str(e.code()));
    }
  }
  const bool read_error = std::ferror(in) != 0;
  std::free(buffer);
  producer->flush(std::chrono::hours(24));
  const std::uint64_t sent = producer->produced();
  const std::uint64_t delivered = producer->delivered();
  const std::uint64_t failed = producer->failed() + refused;
  const auto elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start);
  std::fprintf(stderr,
               "fieldpulse produce: sent %llu, delivered %llu, failed %llu, skipped %llu blank "
               "lines in %.3f s (%.0f reports/s)\n",
               static_cast<unsigned long long>(sent), static_cast<unsigned long long>(delivered),
               static_cast<unsigned long long>(failed), static_cast<unsigned long long>(skipped),
               elapsed.count(),
               elapsed.count() > 0 ? static_cast<double>(delivered) / elapsed.count() : 0.0);
  if (read_error) {
    std::fprintf(stderr, "fieldpulse produce: error reading '%s'\n", options.input.c_str());
    return kExitRuntime;
  }
  return failed == 0 ? kExitOk : kExitRuntime;
}

}  // namespace

void add_produce_command(CLI::App& root, int& exit_code) {
  auto options = std::make_shared<ProduceOptions>();
  auto* cmd = root.add_subcommand(
      "produce",
      "Send NDJSON reports (one per line) to Kafka, keyed by their village, and wait until\n"
      "every one is acknowledged (idempotent producer, acks=all). Blank lines are skipped;\n"
      "other lines are sent as they are, without a key when they have no village.\n"
      "Prints sent/delivered/failed counts on stderr; exits 1 if any delivery failed.");
  cmd->add_option("--brokers", options->brokers, "bootstrap servers HOST:PORT[,HOST:PORT...]")
      ->required();
  cmd->add_option("--topic", options->topic, "topic to send to")->capture_default_str();
  cmd->add_option("-X", options->properties,
                  "extra librdkafka property key=value (repeatable), e.g. -X linger.ms=20")
      ->allow_extra_args(false);  // one value per -X, so the input file stays positional
  cmd->add_option("input", options->input, "NDJSON file, or - for stdin")->capture_default_str();
  cmd->callback([options, &exit_code] {
    try {
      exit_code = run_produce(*options);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "fieldpulse produce: %s\n", e.what());
      exit_code = kExitRuntime;
    }
  });
}

}  // namespace fp::app
