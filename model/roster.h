// The roster: every valid county, town, village and cadre (contract section 2).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
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
  // No longer in the roster file but kept: its history stays counted
  // (docs/operations.md, "A cadre or village who leaves").
  bool former = false;
};

struct Cadre {
  std::string cadre_id;  // e.g. "C0451"
  std::string name;
  Tier tier = Tier::section;
  RegionId region = 0;  // county (city leaders), town (division), village (section)
  int round = 1;
  bool former = false;  // as Region::former; not in silent or completeness figures
};

// A roster error that points at one entry and key, e.g. section "villages",
// index 12, key "town"; what() is the full message. Converters use the parts to
// point back at their own input (a CSV line and column).
class RosterEntryError : public DataFileError {
 public:
  RosterEntryError(const std::string& message, std::string section, std::size_t index,
                   std::string key, std::string problem)
      : DataFileError(message),
        section_(std::move(section)),
        index_(index),
        key_(std::move(key)),
        problem_(std::move(problem)) {}
  [[nodiscard]] const std::string& section() const { return section_; }  // "city", "towns", ..
  [[nodiscard]] std::size_t index() const { return index_; }             // 0 for "city"
  [[nodiscard]] const std::string& key() const { return key_; }
  [[nodiscard]] const std::string& problem() const { return problem_; }

 private:
  std::string section_;
  std::size_t index_;
  std::string key_;
  std::string problem_;
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

  [[nodiscard]] std::size_t village_count() const { return village_count_; }
  [[nodiscard]] std::size_t current_cadre_count() const { return current_cadres_; }
  // Not former; a byte per entity, so checking every report stays in cache.
  [[nodiscard]] bool is_current(CadreId id) const { return cadre_current_[id] != 0; }
  [[nodiscard]] bool is_current_region(RegionId id) const { return region_current_[id] != 0; }
  // Changes whenever update() or keep_former_*() changed anything, for caches of names.
  [[nodiscard]] std::uint64_t revision() const { return revision_; }

  // Takes `next` as the current roster while keeping every region and cadre
  // this one knows at its index (ids held in aggregates stay valid): known ones
  // take next's names and attachments, new ones are appended, and those next
  // lacks become former. Throws DataFileError, changing nothing, when next is
  // for another city.
  void update(const Roster& next);

  // Keeps a region or cadre that saved state names but this roster lacks, as
  // former (with an empty name; a region under its code's parents, which are
  // kept too; a cadre attached to the city). None when the code cannot be a
  // region of this city. Returns the existing id when it is known.
  std::optional<RegionId> keep_former_region(std::string_view code);
  CadreId keep_former_cadre(std::string_view cadre_id);

  // The chain city, county, town, village for a village (index 0 = city).
  // Precomputed; for a town or county the missing lower levels repeat it.
  struct Chain {
    RegionId city, county, town, village;
  };
  [[nodiscard]] Chain chain(RegionId village) const;

  // Cadres attached to the region or anywhere below it.
  [[nodiscard]] std::size_t cadres_within(RegionId region) const;
  [[nodiscard]] bool is_within(RegionId inner, RegionId outer) const;

 private:
  // Lets find_*() look up a std::string_view without building a std::string.
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
      return std::hash<std::string_view>{}(s);
    }
  };
  template <typename V>
  using StringMap = std::unordered_map<std::string, V, StringHash, std::equal_to<>>;

  // The readers look a village and a cadre up for every report, so codes that
  // pack into a 64-bit key (up to 16 digits, or up to 7 bytes: every region
  // code and the usual cadre ids) are found in a flat open-addressing table
  // without hashing or comparing strings; the string maps hold the rest.
  class PackedIndex {
   public:
    static std::optional<std::uint64_t> pack(std::string_view code);
    void insert(std::uint64_t key, std::uint32_t id);
    [[nodiscard]] std::optional<std::uint32_t> find(std::uint64_t key) const;

   private:
    struct Slot {
      std::uint64_t key = ~std::uint64_t{0};
      std::uint32_t id = 0;
    };
    void grow();
    std::vector<Slot> slots_ = std::vector<Slot>(16);
    std::size_t size_ = 0;
  };

  void index_from(RegionId first_region, CadreId first_cadre);
  void derive();

  std::vector<Region> regions_;
  std::vector<Cadre> cadres_;
  PackedIndex region_by_packed_code_;
  PackedIndex cadre_by_packed_id_;
  StringMap<RegionId> region_by_code_;
  StringMap<CadreId> cadre_by_id_;
  std::vector<std::size_t> cadres_within_;
  std::vector<Chain> chains_;                 // by RegionId
  std::vector<std::uint8_t> region_current_;  // by RegionId: 1 unless former
  std::vector<std::uint8_t> cadre_current_;   // by CadreId: 1 unless former
  std::size_t village_count_ = 0;
  std::size_t current_cadres_ = 0;
  std::uint64_t revision_ = 0;
};

}  // namespace fp
