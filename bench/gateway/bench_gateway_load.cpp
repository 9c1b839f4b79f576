// Load for the gateway benchmark: phones' NDJSON batches from a simulated history over
// keep-alive connections, reporting acknowledged reports/s and request latency.
//
//   bench_gateway_load tokens REPORTS TOKEN_FILE TOKEN_MAP
//     one device token per cadre found in REPORTS (hashes into TOKEN_FILE, the
//     tokens themselves into TOKEN_MAP for the load below)
//   bench_gateway_load load PORT REPORTS TOKEN_MAP CLIENTS BATCH [RATE]
//     each cadre's reports in batches of up to BATCH (a token speaks for one
//     cadre), spread over CLIENTS connections; RATE reports/s in total paces the
//     batches (0 or absent: as fast as the answers come)
#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "ingest/gateway/token_store.h"

namespace {

namespace http = boost::beast::http;
using Clock = std::chrono::steady_clock;

std::string cadre_of(const std::string& line) {
  const auto at = line.find("\"cadre_id\":\"");
  if (at == std::string::npos) return {};
  const auto begin = at + 12;
  return line.substr(begin, line.find('"', begin) - begin);
}

std::map<std::string, std::vector<std::string>> reports_by_cadre(const char* file) {
  std::ifstream in(file);
  std::map<std::string, std::vector<std::string>> out;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) out[cadre_of(line)].push_back(line);
  }
  return out;
}

int make_tokens(const char* reports, const char* token_file, const char* token_map) {
  fp::gateway::TokenFile file;
  std::ofstream map(token_map);
  for (const auto& [cadre, lines] : reports_by_cadre(reports)) {
    if (cadre.empty()) continue;
    map << cadre << '\t' << file.add(cadre, cadre + "-bench", "bench") << '\n';
  }
  file.save(token_file);
  return 0;
}

struct Batch {
  std::string token;
  std::string body;
  std::size_t reports = 0;
};

struct ClientResult {
  std::vector<double> latencies_ms;
  std::size_t reports = 0;
  std::size_t failures = 0;
};

void run_client(unsigned short port, const std::vector<Batch>& batches, double batches_per_s,
                ClientResult& result) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket(io);
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), port});
  boost::beast::flat_buffer buffer;
  const auto start = Clock::now();
  for (std::size_t i = 0; i < batches.size(); ++i) {
    if (batches_per_s > 0) {
      std::this_thread::sleep_until(start + std::chrono::duration_cast<Clock::duration>(
                                                std::chrono::duration<double>(i / batches_per_s)));
    }
    http::request<http::string_body> req{http::verb::post, "/v1/reports", 11};
    req.set(http::field::host, "127.0.0.1");
    req.set(http::field::authorization, "Bearer " + batches[i].token);
    req.set(http::field::content_type, "application/x-ndjson");
    req.body() = batches[i].body;
    req.prepare_payload();
    const auto sent = Clock::now();
    http::write(socket, req);
    http::response<http::string_body> res;
    http::read(socket, buffer, res);
    result.latencies_ms.push_back(
        std::chrono::duration<double, std::milli>(Clock::now() - sent).count());
    if (res.result_int() == 202) {
      result.reports += batches[i].reports;
    } else {
      ++result.failures;
    }
  }
}

int run_load(int argc, char** argv) {
  const auto port = static_cast<unsigned short>(std::stoi(argv[2]));
  const auto by_cadre = reports_by_cadre(argv[3]);
  std::map<std::string, std::string> tokens;
  {
    std::ifstream in(argv[4]);
    for (std::string cadre, token; in >> cadre >> token;) tokens[cadre] = token;
  }
  const auto clients = static_cast<std::size_t>(std::stoi(argv[5]));
  const auto batch_size = static_cast<std::size_t>(std::stoi(argv[6]));
  const double rate = argc > 7 ? std::stod(argv[7]) : 0;
  std::vector<std::vector<Batch>> work(clients);
  std::size_t next = 0;
  for (const auto& [cadre, lines] : by_cadre) {
    if (!tokens.count(cadre)) continue;
    for (std::size_t i = 0; i < lines.size(); i += batch_size) {
      Batch b{tokens[cadre], {}, 0};
      for (std::size_t j = i; j < std::min(lines.size(), i + batch_size); ++j) {
        b.body += lines[j] + "\n";
        ++b.reports;
      }
      work[next++ % clients].push_back(std::move(b));
    }
  }
  std::vector<ClientResult> results(clients);
  std::vector<std::thread> threads;
  std::size_t total_reports = 0;
  std::size_t total_batches = 0;
  for (const auto& client : work) {
    total_batches += client.size();
    for (const Batch& b : client) total_reports += b.reports;
  }
  const double average_batch = total_batches ? 1.0 * total_reports / total_batches : 1.0;
  const double batches_per_s = rate > 0 ? rate / average_batch / clients : 0;
  const auto start = Clock::now();
  for (std::size_t c = 0; c < clients; ++c) {
    threads.emplace_back(run_client, port, std::cref(work[c]), batches_per_s, std::ref(results[c]));
  }
  for (auto& t : threads) t.join();
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::vector<double> latencies;
  std::size_t reports = 0;
  std::size_t failures = 0;
  for (const auto& r : results) {
    latencies.insert(latencies.end(), r.latencies_ms.begin(), r.latencies_ms.end());
    reports += r.reports;
    failures += r.failures;
  }
  std::sort(latencies.begin(), latencies.end());
  auto pct = [&](double p) {
    return latencies.empty() ? 0.0
                             : latencies[static_cast<std::size_t>(p * (latencies.size() - 1))];
  };
  std::printf(
      "reports %zu requests %zu failed %zu seconds %.2f reports_per_s %.0f p50_ms %.1f "
      "p99_ms %.1f max_ms %.1f\n",
      reports, latencies.size(), failures, seconds, reports / seconds, pct(0.5), pct(0.99),
      latencies.empty() ? 0.0 : latencies.back());
  return failures == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "tokens" && argc == 5) return make_tokens(argv[2], argv[3], argv[4]);
  if (mode == "load" && argc >= 7) return run_load(argc, argv);
  std::fprintf(stderr,
               "usage: bench_gateway_load tokens REPORTS TOKEN_FILE TOKEN_MAP\n"
               "       bench_gateway_load load PORT REPORTS TOKEN_MAP CLIENTS BATCH [RATE]\n");
  return 2;
}
