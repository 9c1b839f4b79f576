// Placeholder so the tree links while the loader is built; replaced by the real one.
#include "model/roster.h"

namespace fp {

Roster Roster::load(const std::filesystem::path& file) {
  throw DataFileError(file.string() + ": roster loader not built yet");
}
Roster Roster::parse(std::string_view /*json*/, std::string_view source_name) {
  throw DataFileError(std::string(source_name) + ": roster loader not built yet");
}
std::optional<RegionId> Roster::find_region(std::string_view /*code*/) const { return std::nullopt; }
std::optional<RegionId> Roster::find_village(std::string_view /*code*/) const { return std::nullopt; }
std::optional<CadreId> Roster::find_cadre(std::string_view /*id*/) const { return std::nullopt; }
Roster::Chain Roster::chain(RegionId village) const { return {0, village, village, village}; }
std::size_t Roster::cadres_within(RegionId /*region*/) const { return 0; }
bool Roster::is_within(RegionId /*inner*/, RegionId /*outer*/) const { return false; }
std::string_view to_string(Level /*level*/) { return "city"; }
std::optional<Level> level_from_string(std::string_view /*s*/) { return std::nullopt; }
std::string_view to_string(Tier /*tier*/) { return "section"; }

}  // namespace fp
