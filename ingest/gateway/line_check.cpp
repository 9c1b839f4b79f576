// The gateway's per-line check: the pipeline's reader decides, the decoder finds the ids.
#include "ingest/gateway/line_check.h"

#include <utility>

namespace fp::gateway {

namespace {

// Reasons that mean the line is not a JSON object of at most 64 KiB: nothing
// to forward (contract section 8).
bool refused(Reason reason) {
  return reason == Reason::malformed_json || reason == Reason::not_an_object ||
         reason == Reason::too_large || reason == Reason::invalid_utf8;
}

std::string string_of(const JsonField& field) {
  return field.kind == JsonKind::string ? std::string(field.text) : std::string();
}

}  // namespace

std::string_view to_string(LineStatus status) {
  switch (status) {
    case LineStatus::queued:
      return "queued";
    case LineStatus::rejected:
      return "rejected";
    case LineStatus::refused:
      return "refused";
  }
  return "refused";
}

LineChecker::LineChecker(const Catalog& catalog, const Roster& roster, CoreOptions options,
                         Clock clock)
    : roster_(roster), reader_(catalog, roster, options, std::move(clock)) {}

LineVerdict LineChecker::check(std::size_t line_number, std::string_view line) {
  LineVerdict v;
  v.line = line_number;
  if (reader_.read(line, report_, why_)) {
    v.status = LineStatus::queued;
    v.report_id = std::string(report_.report_id);
    v.cadre_id = roster_.cadre(report_.cadre).cadre_id;
    v.key = roster_.region(report_.village).code;
    return v;
  }
  v.reason = why_.reason;
  v.detail = why_.detail;
  if (refused(why_.reason)) {
    v.status = LineStatus::refused;
    return v;
  }
  v.status = LineStatus::rejected;
  Rejection ignored;
  if (decoder_.decode(line, decoded_, ignored)) {
    v.report_id = string_of(decoded_.report_id);
    v.cadre_id = string_of(decoded_.cadre_id);
    if (decoded_.village.kind == JsonKind::string) v.key = std::string(decoded_.village.text);
  }
  return v;
}

}  // namespace fp::gateway
