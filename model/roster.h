// The roster: every valid county, town, village and cadre (contract section 2).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "model/catalog.h"  // DataFileError

namespace fp {

enum class Level : std::uint8_t { city, county, town, village, cadre };
std::string_view to_string(Level level);
std::optional<Level> level_from_string(std::string_view s);

enum class Tier : std::uint8_t { city_leader, division, section };
std::string_view to_string(Tier tier);

using RegionId = std::uint32_t;  // index into Roster::regions()
using CadreId = std::uint32_t;   // index into Roster::cadres()

struct Region {
  std::string code;  // 4, 6, 9 or 12 digits
  std::string name;
  Level level = Level::city;
  std::optional<RegionId> parent;  // none for the city
};

struct Cadre {
  std::string cadre_id;  // e.g. "C0451"
  std::string name;
  Tier tier = Tier::section;
  RegionId region = 0;  // county (city leaders), town (division), village (section)
  int round = 1;
};

class Roster {
 public:
  // Loads the JSON roster. Throws DataFileError naming the file, the entry
  // (e.g. "villages[12]") and the key.
  static Roster load(const std::filesystem::path& file);
  static Roster parse(std::string_view json, std::string_view source_name);

  [[nodiscard]] const std::vector<Region>& regions() const { return regions_; }
  [[nodiscard]] const Region& region(RegionId id) const { return regions_[id]; }
  [[nodiscard]] const std::vector<Cadre>& cadres() const { return cadres_; }
  [[nodiscard]] const Cadre& cadre(CadreId id) const { return cadres_[id]; }
  [[nodiscard]] RegionId city() const { return 0; }

  [[nodiscard]] std::optional<RegionId> find_region(std::string_view code) const;
  [[nodiscard]] std::optional<RegionId> find_village(std::string_view code) const;
  [[nodiscard]] std::optional<CadreId> find_cadre(std::string_view cadre_id) const;

  // The chain city, county, town, village for a village (index 0 = city).
  struct Chain {
    RegionId city, county, town, village;
  };
  [[nodiscard]] Chain chain(RegionId village) const;

  // Cadres attached to the region or anywhere below it.
  [[nodiscard]] std::size_t cadres_within(RegionId region) const;
  [[nodiscard]] bool is_within(RegionId inner, RegionId outer) const;

 private:
  std::vector<Region> regions_;
  std::vector<Cadre> cadres_;
  std::unordered_map<std::string, RegionId> region_by_code_;
  std::unordered_map<std::string, CadreId> cadre_by_id_;
  std::vector<std::size_t> cadres_within_;
};

}  // namespace fp
