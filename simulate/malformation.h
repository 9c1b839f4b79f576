// Bad reports for `--bad`: each breaks exactly the one rule its contract reason names.
#pragma once

#include <cstdint>
#include <string>

#include "model/catalog.h"
#include "model/reason.h"
#include "model/roster.h"
#include "simulate/prng.h"
#include "simulate/report_draft.h"

namespace fp::sim {

struct MalformationContext {
  const Catalog& catalog;
  const Roster& roster;
  KindId kind;          // the draft's kind
  std::int64_t now_ms;  // the simulated clock
};

// Edits a valid draft so that it breaks the rule of `reason`, and writes it into `out`.
void write_malformed(Reason reason, const MalformationContext& context, ReportDraft& draft,
                     Prng& prng, std::string& out);

}  // namespace fp::sim
