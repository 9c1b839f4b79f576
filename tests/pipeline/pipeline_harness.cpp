#include "tests/pipeline/pipeline_harness.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>
#include <netinet/in.h>
#include <signal.h>
#include <simdjson.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <thread>

#include "model/decimal.h"

namespace fp::test {

std::string catalog_path() { return std::string(FP_DATA_DIR) + "/catalog.toml"; }
std::string roster_path() {
  // FP_TEST_ROSTER: another roster file, e.g. one converted from data/zhanjiang/*.csv.
  if (const char* path = std::getenv("FP_TEST_ROSTER"); path != nullptr && *path != '\0') {
    return path;
  }
  return std::string(FP_DATA_DIR) + "/zhanjiang-roster.json";
}

namespace {

const Catalog& catalog() {
  static const Catalog c = Catalog::load(catalog_path());
  return c;
}
const Roster& roster() {
  static const Roster r = Roster::load(roster_path());
  return r;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\n' || s.back() == '\r' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

namespace {
Stream generate(const SimulationOptions& options, std::size_t count) {
  ReportGenerator generator(catalog(), roster(), options);
  Stream stream;
  stream.lines.resize(count);
  stream.metas.resize(count);
  for (std::size_t i = 0; i < count; ++i) generator.next(stream.lines[i], stream.metas[i]);
  return stream;
}
}  // namespace

Stream make_stream(std::size_t count, std::uint64_t seed, double bad, double dup) {
  SimulationOptions options;
  options.seed = seed;
  options.now_ms = now_ms() - 3600 * 1000;
  options.step_us = 1000;
  options.bad_ppm = static_cast<std::uint32_t>(bad * 1e6);
  options.dup_ppm = static_cast<std::uint32_t>(dup * 1e6);
  return generate(options, count);
}

Stream make_history_stream(std::size_t count, std::uint64_t seed, double bad, double dup) {
  SimulationOptions options;
  options.seed = seed;
  options.now_ms = now_ms();
  options.bad_ppm = static_cast<std::uint32_t>(bad * 1e6);
  options.dup_ppm = static_cast<std::uint32_t>(dup * 1e6);
  options.history =
      SimulationOptions::History{kProgrammeStartMs, kProgrammeStartMs + 457LL * 86'400'000, count};
  return generate(options, count);
}

std::string canonical_number(std::string_view token) {
  std::string s(trim(token));
  if (s.find('.') != std::string::npos) {
    while (!s.empty() && s.back() == '0') s.pop_back();
    if (!s.empty() && s.back() == '.') s.pop_back();
  }
  return s;
}

namespace {

// Adds one accepted report to the blocks of its village's regions and its cadre,
// in the total window and its CST day.
class BlockOracle {
 public:
  void add(std::string_view village, std::string_view cadre, std::string_view at,
           const std::string& kind, const std::vector<std::pair<std::string, Decimal>>& values) {
    // The generator writes CST times, so the day is the date as written.
    if (!at.ends_with("+08:00")) throw std::logic_error("expected a CST time: " + std::string(at));
    const std::string day(at.substr(0, 10));
    std::vector<std::string> entities{"cadre|" + std::string(cadre)};
    for (std::optional<RegionId> r = roster().find_region(village); r;
         r = roster().region(*r).parent) {
      const Region& region = roster().region(*r);
      entities.push_back(std::string(to_string(region.level)) + "|" + region.code);
    }
    if (entities.size() != 5)
      throw std::logic_error("village not in the roster: " + std::string(village));
    for (const auto& entity : entities) {
      for (const std::string& window : {std::string("total"), day}) {
        Block& block = blocks_[entity + "|" + kind + "|" + window];
        ++block.reports;
        for (const auto& [field, value] : values) block.sums[field].add(value);
      }
    }
  }

  [[nodiscard]] BlockTable table() const {
    BlockTable out;
    for (const auto& [key, block] : blocks_) {
      BlockFigures& figures = out[key];
      figures.reports = block.reports;
      for (const auto& [field, sum] : block.sums) figures.values[field] = sum.to_string();
    }
    return out;
  }

 private:
  struct Block {
    std::int64_t reports = 0;
    std::map<std::string, DecimalSum> sums;
  };
  std::map<std::string, Block> blocks_;
};

}  // namespace

Expected expect(const Stream& stream) {
  Expected e;
  BlockOracle oracle;
  std::map<std::string, DecimalSum> totals;
  std::map<std::string, DecimalSum> by_county;
  std::set<std::string> cadres;
  simdjson::ondemand::parser parser;
  for (std::size_t i = 0; i < stream.lines.size(); ++i) {
    const ReportMeta& meta = stream.metas[i];
    const std::string& line = stream.lines[i];
    ++e.consumed;
    if (meta.intent == ReportIntent::duplicate) {
      ++e.duplicate;
      continue;
    }
    if (meta.intent == ReportIntent::bad) {
      ++e.rejected;
      ++e.rejected_by_reason[std::string(to_string(meta.reason))];
      if (simdjson::validate_utf8(line.data(), line.size())) e.bad_payloads.insert(line);
      continue;
    }
    ++e.accepted;
    simdjson::padded_string padded(line);
    auto doc = parser.iterate(padded);
    const std::string kind(std::string_view(doc["kind"].get_string().value()));
    const std::string village(std::string_view(doc["village"].get_string().value()));
    const std::string cadre(std::string_view(doc["cadre_id"].get_string().value()));
    const std::string at(std::string_view(doc["at"].get_string().value()));
    cadres.insert(cadre);
    std::map<std::string, std::string> raw_values;
    for (auto field : doc["values"].get_object()) {
      const std::string key(std::string_view(field.unescaped_key().value()));
      raw_values[key] = std::string(trim(field.value().raw_json_token().value()));
    }
    const auto kind_id = catalog().find(kind);
    if (!kind_id) throw std::logic_error("valid report of unknown kind " + kind);
    totals[kind + ".count"].add(Decimal{Decimal::kScale});
    std::vector<std::pair<std::string, Decimal>> values;
    for (const auto& field : catalog().kind(*kind_id).fields) {
      Decimal value{};
      if (auto it = raw_values.find(field.name); it != raw_values.end()) {
        value = Decimal::parse(it->second).value();
      } else {
        value = field.default_value.value();
      }
      totals[kind + "." + field.name].add(value);
      values.emplace_back(field.name, value);
      if (kind == "funds_raised" && field.name == "yuan")
        by_county[village.substr(0, 6)].add(value);
    }
    oracle.add(village, cadre, at, kind, values);
  }
  e.blocks = oracle.table();
  for (const auto& [metric, sum] : totals) e.totals[metric] = sum.to_string();
  for (const auto& [county, sum] : by_county) e.funds_raised_by_county[county] = sum.to_string();
  e.cadres_reporting = cadres.size();
  return e;
}

namespace {

std::atomic<int> delivery_failures{0};

void on_delivery(rd_kafka_t*, const rd_kafka_message_t* m, void*) {
  if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) ++delivery_failures;
}

}  // namespace

void produce(const std::string& bootstrap, const std::string& topic,
             const std::vector<std::string>& lines, const std::vector<ReportMeta>& metas,
             std::size_t from, std::size_t to) {
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.c_str(), err, sizeof err);
  rd_kafka_conf_set(conf, "enable.idempotence", "true", err, sizeof err);
  rd_kafka_conf_set(conf, "linger.ms", "5", err, sizeof err);
  rd_kafka_conf_set_dr_msg_cb(conf, &on_delivery);
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (rk == nullptr) throw std::runtime_error(err);
  delivery_failures = 0;
  for (std::size_t i = from; i < to; ++i) {
    for (;;) {
      const auto e = rd_kafka_producev(
          rk, RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
          RD_KAFKA_V_KEY(metas[i].key.data(), metas[i].key.size()),
          RD_KAFKA_V_VALUE(const_cast<char*>(lines[i].data()), lines[i].size()), RD_KAFKA_V_END);
      if (e == RD_KAFKA_RESP_ERR_NO_ERROR) break;
      if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
        rd_kafka_destroy(rk);
        throw std::runtime_error(rd_kafka_err2str(e));
      }
      rd_kafka_poll(rk, 10);
    }
    rd_kafka_poll(rk, 0);
  }
  const auto flushed = rd_kafka_flush(rk, 60000);
  rd_kafka_destroy(rk);
  if (flushed != RD_KAFKA_RESP_ERR_NO_ERROR || delivery_failures != 0) {
    throw std::runtime_error("test producer: not every report was acknowledged");
  }
}

std::optional<HttpReply> http_get(std::uint16_t port, const std::string& target) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return std::nullopt;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval tv{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return std::nullopt;
  }
  const std::string request =
      "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) !=
      static_cast<ssize_t>(request.size())) {
    ::close(fd);
    return std::nullopt;
  }
  std::string response;
  char buffer[16384];
  for (;;) {
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) break;
    response.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fd);
  const auto head_end = response.find("\r\n\r\n");
  if (response.rfind("HTTP/1.1 ", 0) != 0 || head_end == std::string::npos) return std::nullopt;
  HttpReply reply;
  reply.status = std::stoi(response.substr(9, 3));
  reply.body = response.substr(head_end + 4);
  return reply;
}

std::optional<std::uint16_t> serving_port(const std::string& line) {
  const std::string_view prefix = "fieldpulse: serving http://";
  if (line.rfind(prefix, 0) != 0) return std::nullopt;
  const auto colon = line.rfind(':');
  const auto slash = line.find('/', colon);
  if (colon == std::string::npos || slash == std::string::npos) return std::nullopt;
  return static_cast<std::uint16_t>(std::stoi(line.substr(colon + 1, slash - colon - 1)));
}

std::optional<SummaryFigures> parse_summary(const std::string& json) {
  try {
    simdjson::ondemand::parser parser;
    simdjson::padded_string padded(json);
    auto doc = parser.iterate(padded);
    SummaryFigures f;
    auto reports = doc["reports"].get_object().value();
    f.consumed = reports["consumed"].get_uint64().value();
    f.accepted = reports["accepted"].get_uint64().value();
    f.duplicate = reports["duplicate"].get_uint64().value();
    f.rejected = reports["rejected"].get_uint64().value();
    for (auto field : reports["rejected_by_reason"].get_object()) {
      const auto n = field.value().get_uint64().value();
      if (n != 0)
        f.rejected_by_reason[std::string(std::string_view(field.unescaped_key().value()))] = n;
    }
    f.cadres_reporting = doc["cadres"]["reporting"].get_uint64().value();
    for (auto field : doc["totals"].get_object()) {
      f.totals[std::string(std::string_view(field.unescaped_key().value()))] =
          canonical_number(field.value().raw_json_token().value());
    }
    return f;
  } catch (const simdjson::simdjson_error&) {
    return std::nullopt;
  }
}

Subprocess::Options inherit_stderr() {
  Subprocess::Options options;
  options.inherit_stderr = true;
  return options;
}

std::optional<HttpReply> await_get(std::uint16_t port, const std::string& target,
                                   const std::function<bool(const HttpReply&)>& done,
                                   std::chrono::seconds deadline) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  std::optional<HttpReply> last;
  while (std::chrono::steady_clock::now() < until) {
    if (auto reply = http_get(port, target); reply && reply->status == 200) {
      last = std::move(reply);
      if (done(*last)) return last;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // polling interval
  }
  return last;
}

std::optional<SummaryFigures> await_summary(std::uint16_t port,
                                            const std::function<bool(const SummaryFigures&)>& done,
                                            std::chrono::seconds deadline) {
  std::optional<SummaryFigures> last;
  await_get(
      port, "/v1/summary",
      [&](const HttpReply& reply) {
        last = parse_summary(reply.body);
        return last && done(*last);
      },
      deadline);
  return last;
}

std::optional<double> metric_value(const std::string& exposition, std::string_view series) {
  std::size_t pos = 0;
  while (pos < exposition.size()) {
    const auto end = exposition.find('\n', pos);
    const std::string_view line(exposition.data() + pos,
                                (end == std::string::npos ? exposition.size() : end) - pos);
    if (line.size() > series.size() && line.substr(0, series.size()) == series &&
        line[series.size()] == ' ') {
      return std::stod(std::string(line.substr(series.size() + 1)));
    }
    if (end == std::string::npos) break;
    pos = end + 1;
  }
  return std::nullopt;
}

RunProcess::RunProcess(const std::string& bootstrap, const std::string& group,
                       std::vector<std::string> extra, Subprocess::Options options) {
  std::vector<std::string> argv = {FP_BINARY, "run", "--brokers", bootstrap, "--group", group,
                                   "--roster", roster_path(), "--http", "127.0.0.1:0",
                                   // The embedded broker delays a group's next
                                   // rebalance by about the session timeout.
                                   "--set", "kafka.properties.session.timeout.ms=6000", "--set",
                                   "checkpoint.interval_ms=1000"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  process_ = std::make_unique<Subprocess>(argv, options);
  if (auto line = process_->read_stdout_line(std::chrono::seconds(60))) {
    port_ = serving_port(*line).value_or(0);
  }
}

std::pair<std::optional<int>, std::chrono::milliseconds> RunProcess::terminate() {
  const auto start = std::chrono::steady_clock::now();
  process_->send_signal(SIGTERM);
  const auto status = process_->wait_for_exit(std::chrono::seconds(30));
  return {status, std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now() - start)};
}

void expect_summary_equals(const SummaryFigures& got, const Expected& want) {
  EXPECT_EQ(got.consumed, want.consumed);
  EXPECT_EQ(got.accepted, want.accepted);
  EXPECT_EQ(got.duplicate, want.duplicate);
  EXPECT_EQ(got.rejected, want.rejected);
  EXPECT_EQ(got.consumed, got.accepted + got.duplicate + got.rejected);
  EXPECT_EQ(got.rejected_by_reason, want.rejected_by_reason);
  EXPECT_EQ(got.totals, want.totals);
  EXPECT_EQ(got.cadres_reporting, want.cadres_reporting);
}

std::vector<ProgressApiRow> progress_api_rows(std::uint16_t port, const std::string& target) {
  std::vector<ProgressApiRow> out;
  const auto reply = http_get(port, target);
  if (!reply || reply->status != 200) return out;
  simdjson::ondemand::parser parser;
  simdjson::padded_string padded(reply->body);
  auto doc = parser.iterate(padded);
  for (auto row : doc["rows"].get_array()) {
    out.push_back({std::string(std::string_view(row["id"].get_string().value())),
                   std::string(std::string_view(row["metric"].get_string().value())),
                   canonical_number(row["value"].raw_json_token().value()),
                   row["reports"].get_int64().value()});
  }
  return out;
}

std::map<std::string, std::string> progress_by_id(std::uint16_t port, const std::string& level,
                                                  const std::string& metric) {
  std::map<std::string, std::string> out;
  for (const ProgressApiRow& row :
       progress_api_rows(port, "/v1/progress?level=" + level + "&metric=" + metric)) {
    if (row.value != "0") out[row.id] = row.value;
  }
  return out;
}

void expect_everything_counted(RunProcess& run, const Expected& want) {
  ASSERT_NE(run.port(), 0) << "no 'serving' line on stdout";
  // Ready first: the figures may come from other instances' partials (or a
  // previous run's) before this one has processed its own partitions.
  ASSERT_TRUE(await_get(
      run.port(), "/readyz", [](const HttpReply& r) { return r.status == 200; },
      std::chrono::seconds(120)));
  const auto got = await_summary(
      run.port(), [&](const SummaryFigures& f) { return f.consumed >= want.consumed; },
      std::chrono::seconds(120));
  ASSERT_TRUE(got.has_value());
  expect_summary_equals(*got, want);
}

}  // namespace fp::test

namespace fp::test {

BlockRow parse_block_row(std::string_view json) {
  static const std::vector<std::string_view> kMembers{"level",  "id",      "name",  "kind",
                                                      "window", "reports", "values"};
  simdjson::ondemand::parser parser;
  simdjson::padded_string padded(json);
  auto doc = parser.iterate(padded);
  BlockRow row;
  std::string id, kind, window;
  std::size_t at = 0;
  for (auto member : doc.get_object()) {
    const std::string_view name = member.unescaped_key().value();
    if (at >= kMembers.size() || name != kMembers[at]) {
      throw std::runtime_error("unexpected member \"" + std::string(name) + "\" in " +
                               std::string(json));
    }
    auto value = member.value();
    switch (at++) {
      case 0:
        row.level = std::string_view(value.get_string().value());
        break;
      case 1:
        id = std::string_view(value.get_string().value());
        break;
      case 2:
        row.name = std::string_view(value.get_string().value());
        break;
      case 3:
        kind = std::string_view(value.get_string().value());
        break;
      case 4:
        window = std::string_view(value.get_string().value());
        break;
      case 5:
        row.figures.reports = value.get_int64().value();
        break;
      default:
        for (auto field : value.get_object()) {
          const std::string field_name(std::string_view(field.unescaped_key().value()));
          const std::string_view token = field.value().raw_json_token().value();
          const std::string number = canonical_number(token);
          const auto point = number.find('.');
          if (number != trim(token) || (point != std::string::npos && number.size() - point > 4)) {
            throw std::runtime_error("not an exact number in shortest form: " + std::string(token));
          }
          row.figures.values[field_name] = canonical_number(token);
        }
    }
  }
  if (at != kMembers.size()) throw std::runtime_error("missing members in " + std::string(json));
  row.key = row.level + "|" + id + "|" + kind + "|" + window;
  return row;
}

BlockTable latest_blocks(const std::vector<std::string>& rows) {
  BlockTable latest;
  for (const auto& text : rows) {
    BlockRow row = parse_block_row(text);
    latest[row.key] = std::move(row.figures);
  }
  return latest;
}

BlockTable only_levels(const BlockTable& table, const std::set<std::string>& levels) {
  BlockTable out;
  for (const auto& [key, figures] : table) {
    if (levels.count(key.substr(0, key.find('|'))) != 0) out.emplace(key, figures);
  }
  return out;
}

}  // namespace fp::test
