#include "kafka/fault_commands.h"

#include <charconv>
#include <cstdint>
#include <map>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace fp::kafka {

namespace {

std::vector<std::string> words(std::string_view line) {
  std::istringstream in{std::string(line)};
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

std::int64_t integer(const std::string& text, const char* what) {
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    throw std::invalid_argument(std::string(what) + " must be an integer, got '" + text + "'");
  }
  return value;
}

int broker_id(MockCluster& cluster, const std::string& text, bool allow_none = false) {
  const auto id = integer(text, "BROKER");
  if ((allow_none && id == -1) || (id >= 1 && id <= cluster.broker_count())) {
    return static_cast<int>(id);
  }
  throw std::invalid_argument("BROKER must be in 1.." + std::to_string(cluster.broker_count()) +
                              (allow_none ? " or -1" : "") + ", got " + text);
}

std::chrono::milliseconds duration(const std::string& text, const char* what) {
  const auto ms = integer(text, what);
  if (ms < 0 || ms > 3'600'000) {
    throw std::invalid_argument(std::string(what) + " must be in 0..3600000, got " + text);
  }
  return std::chrono::milliseconds(ms);
}

int api_key(const std::string& text) {
  static const std::map<std::string, int> names = {
      {"produce", 0},      {"fetch", 1},       {"listoffsets", 2},      {"metadata", 3},
      {"offsetcommit", 8}, {"offsetfetch", 9}, {"findcoordinator", 10}, {"joingroup", 11},
      {"heartbeat", 12},   {"leavegroup", 13}, {"syncgroup", 14},       {"initproducerid", 22}};
  if (const auto it = names.find(text); it != names.end()) return it->second;
  const auto key = integer(text, "API");
  if (key < 0 || key > 100) throw std::invalid_argument("API must be in 0..100, got " + text);
  return static_cast<int>(key);
}

rd_kafka_resp_err_t error_code(const std::string& text) {
  const rd_kafka_err_desc* descs = nullptr;
  std::size_t count = 0;
  rd_kafka_get_err_descs(&descs, &count);
  for (std::size_t i = 0; i < count; ++i) {
    if (descs[i].name != nullptr && text == descs[i].name) return descs[i].code;
  }
  const bool number = !text.empty() && text.find_first_not_of("-0123456789") == std::string::npos;
  const auto code = number ? integer(text, "ERROR") : 0;
  if (!number || rd_kafka_err2name(static_cast<rd_kafka_resp_err_t>(code)) == nullptr) {
    throw std::invalid_argument("unknown ERROR '" + text +
                                "' (a Kafka error name such as NOT_LEADER_FOR_PARTITION, or its "
                                "number)");
  }
  return static_cast<rd_kafka_resp_err_t>(code);
}

void expect_arity(const std::vector<std::string>& w, std::size_t min, std::size_t max,
                  const char* usage) {
  if (w.size() < min || w.size() > max) {
    throw std::invalid_argument(std::string("usage: ") + usage);
  }
}

FaultOutcome apply(MockCluster& cluster, const std::vector<std::string>& w) {
  FaultOutcome outcome;
  const std::string& verb = w.at(0);
  if (verb == "down") {
    expect_arity(w, 2, 3, "down BROKER [MS]");
    const int id = broker_id(cluster, w[1]);
    const auto after = w.size() == 3 ? std::optional(duration(w[2], "MS")) : std::nullopt;
    cluster.set_broker_down(id);
    if (after) {
      outcome.undo = {*after, [&cluster, id] { cluster.set_broker_up(id); },
                      "up " + std::to_string(id)};
    }
  } else if (verb == "up") {
    expect_arity(w, 2, 2, "up BROKER");
    cluster.set_broker_up(broker_id(cluster, w[1]));
  } else if (verb == "rtt") {
    expect_arity(w, 3, 4, "rtt BROKER MS [FOR_MS]");
    const int id = broker_id(cluster, w[1]);
    const auto rtt = duration(w[2], "MS");
    const auto lasting = w.size() == 4 ? std::optional(duration(w[3], "FOR_MS")) : std::nullopt;
    cluster.set_broker_rtt(id, static_cast<int>(rtt.count()));
    if (lasting) {
      outcome.undo = {*lasting, [&cluster, id] { cluster.set_broker_rtt(id, 0); },
                      "rtt " + std::to_string(id) + " 0"};
    }
  } else if (verb == "leader") {
    expect_arity(w, 4, 4, "leader TOPIC PARTITION BROKER");
    const auto partition = integer(w[2], "PARTITION");
    if (partition < 0 || partition > 100000) throw std::invalid_argument("PARTITION out of range");
    cluster.set_partition_leader(w[1], static_cast<int>(partition), broker_id(cluster, w[3], true));
  } else if (verb == "coordinator") {
    expect_arity(w, 3, 3, "coordinator GROUP BROKER");
    cluster.set_group_coordinator(w[1], broker_id(cluster, w[2]));
  } else if (verb == "errors") {
    expect_arity(w, 4, 4, "errors API COUNT ERROR");
    const int api = api_key(w[1]);
    const auto count = integer(w[2], "COUNT");
    if (count < 1 || count > 1'000'000) throw std::invalid_argument("COUNT must be in 1..1000000");
    cluster.push_request_errors(
        api, std::vector<rd_kafka_resp_err_t>(static_cast<std::size_t>(count), error_code(w[3])));
  } else if (verb == "clear") {
    expect_arity(w, 2, 2, "clear API");
    cluster.clear_request_errors(api_key(w[1]));
  } else {
    throw std::invalid_argument("unknown command '" + verb +
                                "' (down, up, rtt, leader, coordinator, errors, clear)");
  }
  outcome.ok = true;
  return outcome;
}

}  // namespace

FaultOutcome apply_fault_command(MockCluster& cluster, std::string_view line) {
  const auto w = words(line);
  std::string text;
  for (const auto& word : w) text += (text.empty() ? "" : " ") + word;
  if (w.empty()) return {false, "error: empty command", std::nullopt};
  try {
    auto outcome = apply(cluster, w);
    outcome.reply = "ok " + text;
    return outcome;
  } catch (const std::exception& e) {
    return {false, "error: " + text + ": " + e.what(), std::nullopt};
  }
}

}  // namespace fp::kafka
