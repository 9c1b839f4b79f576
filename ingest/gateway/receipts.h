// The JSON answers of the gateway: receipts per line (contract section 8) and the catalog
// the field form is built from.
#pragma once

#include <string>
#include <vector>

#include "ingest/gateway/line_check.h"
#include "model/catalog.h"

namespace fp::gateway {

// {"results":[{"line":1,"report_id":"..","status":"queued"},
//             {"line":2,"report_id":"..","status":"rejected","reason":"bad_value","detail":".."}]}
std::string receipts_json(const std::vector<LineVerdict>& verdicts);

// {"kinds":[{"name":..,"label":..,"fields":[{"name":..,"default":"1"|null}]}]}
std::string catalog_json(const Catalog& catalog);

}  // namespace fp::gateway
