// The roster and catalog files through the shared FileWatcher.
#include "app/data_file_reload.h"

#include <spdlog/spdlog.h>

#include <chrono>

#include "metrics/pipeline_probe.h"
#include "model/catalog.h"
#include "model/roster.h"
#include "processors/core.h"

namespace fp::app {
namespace {

// How often the files' modification times are looked at.
constexpr std::chrono::milliseconds kCheckInterval{1000};

std::string in_quotes(std::string_view s) { return "\"" + std::string(s) + "\""; }

// What differs between two catalogs, first difference only; empty when none.
std::string catalog_change(const Catalog& now, const Catalog& next) {
  for (const Kind& kind : now.kinds()) {
    if (!next.find(kind.name)) return "kind " + in_quotes(kind.name) + " removed";
  }
  for (const Kind& kind : next.kinds()) {
    const auto known = now.find(kind.name);
    if (!known) return "kind " + in_quotes(kind.name) + " added";
    const Kind& old = now.kind(*known);
    if (old.label != kind.label) return "kind " + in_quotes(kind.name) + ": label changed";
    bool same_fields = old.fields.size() == kind.fields.size();
    for (std::size_t f = 0; same_fields && f < kind.fields.size(); ++f) {
      same_fields = old.fields[f].name == kind.fields[f].name &&
                    old.fields[f].default_value == kind.fields[f].default_value;
    }
    if (!same_fields) return "kind " + in_quotes(kind.name) + ": fields changed";
  }
  if (now.metric_names() != next.metric_names()) return "kinds reordered";
  return {};
}

}  // namespace

DataFileReload::DataFileReload(boost::asio::io_context& io, ProcessingCore& core,
                               PipelineProbe& probe, std::string roster_file,
                               std::string catalog_file)
    : core_(core),
      probe_(probe),
      roster_file_(std::move(roster_file)),
      catalog_file_(std::move(catalog_file)),
      watcher_(io, kCheckInterval,
               [this](const std::string& file, const char* why, const std::string& problem) {
                 reported(file, why, problem);
               }) {
  watcher_.add(roster_file_, [this] { reload_roster(); });
  watcher_.add(catalog_file_, [this] { reload_catalog(); });
}

void DataFileReload::reload_roster() { core_.update_roster(Roster::load(roster_file_)); }

void DataFileReload::reload_catalog() {
  const Catalog next = Catalog::load(catalog_file_);
  if (const std::string change = catalog_change(core_.catalog(), next); !change.empty()) {
    throw DataFileError(catalog_file_ + ": " + change +
                        "; a changed catalog takes effect only at the next start");
  }
}

void DataFileReload::reported(const std::string& file, const char* why,
                              const std::string& problem) {
  const bool roster = file == roster_file_;
  probe_.config_reload(roster ? "roster" : "catalog", problem.empty());
  if (!problem.empty()) {
    spdlog::error("{} not reloaded ({}), the previous one stays in force: {}", file, why, problem);
  } else if (roster) {
    const Roster& r = core_.roster();
    spdlog::info("{} reloaded ({}): {} cadres, {} former; {} villages", file, why,
                 r.current_cadre_count(), r.cadres().size() - r.current_cadre_count(),
                 r.village_count());
  } else {
    spdlog::info("{} reloaded ({}): unchanged", file, why);
  }
}

}  // namespace fp::app
