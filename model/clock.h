// The clock components take instead of reading the system's: tests pass a fixed one.
#pragma once

#include <cstdint>
#include <functional>

namespace fp {

using Clock = std::function<std::int64_t()>;  // now, UTC epoch milliseconds

}  // namespace fp
