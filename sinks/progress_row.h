// The contract's progress rows (section 6): the block row of field-progress and
// JSON Lines with its key, and the per-metric columns of the PostgreSQL table.
#pragma once

#include <cstdint>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "processors/progress_key.h"

namespace fp {

class ProcessingCore;

// A progress row's columns as text, for outputs that store them apart: value is
// the exact decimal, updated_at RFC 3339.
struct ProgressFields {
  std::string level, id, metric, window, value, reports, updated_at;
};

// One metric's row as columns. Reads metric names from the core's catalog and
// ids from its own copy of the roster's, so writer threads may call fields()
// while the core's thread changes the roster.
class ProgressRowRenderer {
 public:
  explicit ProgressRowRenderer(const ProcessingCore& core) : core_(core) { follow_roster(); }

  // Copies the ids of regions and cadres appended to the roster since (ids
  // never change for an index); call on the core's thread.
  void follow_roster();

  void fields(const ProgressKey& key, const ProgressValue& value, std::int64_t updated_ms,
              ProgressFields& out) const;

 private:
  const ProcessingCore& core_;
  mutable std::mutex mutex_;
  std::vector<std::string> region_codes_, cadre_ids_;  // by RegionId, CadreId
};

// One block (the changes of one kind for one level, id and window; see
// ProgressBlocks) as the row
// {"level","id","name","kind","window","reports","values":{"<field>":n,..}},
// keyed "level|id|kind|window". Both append to `out`, so a caller can render
// many rows into one reused buffer. Every name is escaped once, up front: the
// rows of a backlog are rendered millions of times a minute.
class BlockRowRenderer {
 public:
  explicit BlockRowRenderer(const ProcessingCore& core);

  void append_key(std::span<const ProgressChange> block, std::string& out) const;
  void append_row(std::span<const ProgressChange> block, std::string& out) const;

 private:
  void escape_names() const;  // again whenever the roster's revision moved

  const ProcessingCore& core_;
  std::vector<std::string> kind_names_;     // by metric: the kind's name
  std::vector<std::string> field_members_;  // by metric: "\"<field>\":", empty for the count
  mutable std::uint64_t names_revision_ = 0;
  mutable std::vector<std::string> region_names_;  // by RegionId: the name as a JSON string
  mutable std::vector<std::string> cadre_names_;   // by CadreId: the name as a JSON string
};

}  // namespace fp
