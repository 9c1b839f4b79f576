// The demo's gateway and its throwaway token file.
#include "app/demo_gateway.h"

#include <chrono>
#include <filesystem>
#include <iostream>

#include "ingest/gateway/gateway.h"
#include "ingest/gateway/token_store.h"
#include "model/catalog.h"
#include "model/roster.h"

namespace fp::app {
namespace {

struct DemoGateway {
  ~DemoGateway() {
    gateway.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  }
  std::filesystem::path dir;
  std::unique_ptr<gateway::Gateway> gateway;
};

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

std::shared_ptr<void> start_demo_gateway(boost::asio::io_context& io, const Config& config,
                                         const std::string& brokers, const std::string& listen,
                                         std::ostream& out) {
  auto demo = std::make_shared<DemoGateway>();
  try {
    auto catalog = std::make_shared<const Catalog>(Catalog::load(config.catalog));
    auto roster = std::make_shared<const Roster>(Roster::load(config.roster));
    std::string pattern = (std::filesystem::temp_directory_path() / "fieldpulse-demo-XXXXXX");
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    demo->dir = pattern;
    gateway::TokenFile file;
    std::vector<std::pair<const Cadre*, std::string>> issued;
    for (const Cadre& cadre : roster->cadres()) {
      if (cadre.tier != Tier::section) continue;
      issued.emplace_back(&cadre, file.add(cadre.cadre_id, cadre.cadre_id + "-demo", "demo"));
      if (issued.size() == 3) break;
    }
    const auto tokens_file = demo->dir / "tokens.tsv";
    file.save(tokens_file);
    gateway::GatewayOptions options;
    options.server.listen = listen;
    options.kafka.brokers = brokers;
    options.kafka.topic = config.kafka.topics.reports;
    options.tokens_file = tokens_file.string();
    options.core = config.core_options();
    options.clock = &now_ms;
    demo->gateway = std::make_unique<gateway::Gateway>(io, catalog, roster, options);
    demo->gateway->start();
    const std::string base = "http://" + listen.substr(0, listen.rfind(':')) + ":" +
                             std::to_string(demo->gateway->port()) + "/";
    out << "  field form (report gateway), one address per demo cadre's phone:\n";
    for (const auto& [cadre, token] : issued) {
      out << "              " << base << "#token=" << token << "  (" << cadre->cadre_id << ' '
          << cadre->name << ", " << roster->region(cadre->region).name << ")\n";
    }
    out << std::flush;
    return demo;
  } catch (const std::exception& e) {
    std::cerr << "fieldpulse demo: report gateway not started: " << e.what()
              << " (choose another address with --gateway ADDR:PORT)\n";
    return nullptr;
  }
}

}  // namespace fp::app
