// Whether the pipeline is ready to be asked (GET /readyz), and why not.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace fp {

// When not ready the reasons (e.g. "data gap on field-reports[3]: offsets
// 100..199 expired") are returned in a 503's JSON body.
struct Readiness {
  bool ready = false;
  std::vector<std::string> reasons;
};
using ReadinessFn = std::function<Readiness()>;

}  // namespace fp
