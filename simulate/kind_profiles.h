// What cadres report: how often each kind occurs and what its values and notes look like,
// scaled to the one-year figures of the programme (contract section 1).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "model/catalog.h"
#include "simulate/prng.h"

namespace fp::sim {

// One report's content before it is matched to the catalog's fields.
struct KindSample {
  struct Value {
    std::string_view field;
    Decimal value;
  };
  std::array<Value, kMaxValueFields> values{};
  std::size_t value_count = 0;  // fields left out take the catalog default
  std::string_view crop;        // non-empty: tags.crop
  std::string_view note;        // a template: {村} is the village name, {作物} the crop

  void set(std::string_view field, Decimal value) {
    if (value_count < values.size()) values[value_count++] = {field, value};
  }
};

using SampleFn = void (*)(Prng&, KindSample&);

struct KindProfile {
  std::string_view name;
  // Reports per programme year from all cadres: the relative frequency of the kind.
  std::uint32_t reports_per_year;
  SampleFn sample;
};

// The profile of a catalog kind, or nullptr for a kind the simulator does not know
// (it then reports small counts for every field).
const KindProfile* find_kind_profile(std::string_view kind);

// The frequency given to catalog kinds without a profile.
inline constexpr std::uint32_t kUnknownKindReportsPerYear = 1000;

// Fills a sample for a kind without a profile: 1-5 for every required field.
void sample_generic(const Kind& kind, Prng& prng, KindSample& out);

// Appends the note with {村} and {作物} replaced.
void render_note(std::string_view note, std::string_view village_name, std::string_view crop,
                 std::string& out);

}  // namespace fp::sim
