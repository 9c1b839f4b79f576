// Loads and checks the JSON roster; errors name the file, line, entry and key.
#include "model/roster.h"

#include <simdjson.h>

#include <algorithm>
#include <cassert>
#include <fstream>
#include <sstream>
#include <unordered_set>

#include "model/fmix64.h"

namespace fp {
namespace {

namespace od = simdjson::ondemand;

// One key of a roster entry as read from the JSON, before any rule is checked.
struct JsonField {
  std::string key;
  od::json_type type = od::json_type::null;
  std::string text;        // unescaped string or the raw number token
  std::size_t offset = 0;  // byte offset of the value, for the line number
};

struct JsonEntry {
  std::size_t offset = 0;
  std::vector<JsonField> fields;

  [[nodiscard]] const JsonField* get(std::string_view key) const {
    for (const JsonField& f : fields) {
      if (f.key == key) return &f;  // a repeated key: the first one counts
    }
    return nullptr;
  }
};

struct JsonSection {
  bool present = false;
  std::size_t offset = 0;
  std::vector<JsonEntry> entries;
};

// The roster document split into its sections (any key order, unknown keys skipped).
struct JsonRoster {
  std::optional<JsonField> version;
  JsonSection city, counties, towns, villages, cadres;
};

std::string in_quotes(std::string_view s) {
  std::string out = "\"";
  out.append(s);
  out.push_back('"');
  return out;
}

bool is_digits(std::string_view s, std::size_t n) {
  return s.size() == n &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool is_cadre_id(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == ':' || c == '-';
  });
}

std::size_t line_of(std::string_view text, std::size_t offset) {
  offset = std::min(offset, text.size());
  return 1 + static_cast<std::size_t>(std::count(
                 text.begin(), text.begin() + static_cast<std::ptrdiff_t>(offset), '\n'));
}

// Reads the document with simdjson On-Demand into JsonRoster; syntax errors throw.
class JsonRosterReader {
 public:
  JsonRosterReader(std::string_view json, std::string_view source_name)
      : json_(json), source_name_(source_name), padded_(json) {}

  JsonRoster read() {
    JsonRoster out;
    od::document doc;
    check(parser_.iterate(padded_).get(doc), 0);
    od::object root;
    const simdjson::error_code error = doc.get_object().get(root);
    if (error == simdjson::INCORRECT_TYPE) fail_at(0, "the roster must be a JSON object");
    check(error, 0);
    for (auto field_result : root) {
      od::field field;
      check(std::move(field_result).get(field), last_offset_);
      std::string_view key;
      check(field.unescaped_key().get(key), last_offset_);
      od::value value = field.value();
      const std::size_t offset = offset_of(value);
      if (key == "version") {
        out.version = read_scalar(std::string(key), value, offset);
      } else if (key == "city") {
        out.city.present = true;
        out.city.offset = offset;
        if (!is_type(value, od::json_type::object)) {
          fail_at(offset, "key \"city\": must be an object");
        }
        out.city.entries.push_back(read_entry(value, offset));
      } else if (JsonSection* section = section_for(out, key)) {
        section->present = true;
        section->offset = offset;
        if (!is_type(value, od::json_type::array)) {
          fail_at(offset, "key " + in_quotes(key) + ": must be an array");
        }
        od::array array;
        check(value.get_array().get(array), offset);
        for (auto element_result : array) {
          od::value element;
          check(element_result.get(element), last_offset_);
          const std::size_t element_offset = offset_of(element);
          if (!is_type(element, od::json_type::object)) {
            fail_at(element_offset, std::string(key) + "[" +
                                        std::to_string(section->entries.size()) +
                                        "]: must be an object");
          }
          section->entries.push_back(read_entry(element, element_offset));
        }
      }
      // Any other key is ignored (forward compatibility).
    }
    // After the root object the iterator is past the end unless more text follows.
    const char* rest = nullptr;
    if (doc.current_location().get(rest) == simdjson::SUCCESS) {
      fail_at(static_cast<std::size_t>(rest - padded_.data()),
              "unexpected content after the roster object");
    }
    return out;
  }

 private:
  static JsonSection* section_for(JsonRoster& r, std::string_view key) {
    if (key == "counties") return &r.counties;
    if (key == "towns") return &r.towns;
    if (key == "villages") return &r.villages;
    if (key == "cadres") return &r.cadres;
    return nullptr;
  }

  bool is_type(od::value& value, od::json_type want) {
    od::json_type type{};
    check(value.type().get(type), last_offset_);
    return type == want;
  }

  JsonEntry read_entry(od::value& value, std::size_t offset) {
    JsonEntry entry;
    entry.offset = offset;
    od::object object;
    check(value.get_object().get(object), offset);
    for (auto field_result : object) {
      od::field field;
      check(std::move(field_result).get(field), last_offset_);
      std::string_view key;
      check(field.unescaped_key().get(key), last_offset_);
      od::value v = field.value();
      entry.fields.push_back(read_scalar(std::string(key), v, offset_of(v)));
    }
    return entry;
  }

  // Keeps strings and number tokens; objects, arrays and literals only by type.
  JsonField read_scalar(std::string key, od::value& value, std::size_t offset) {
    JsonField f;
    f.key = std::move(key);
    f.offset = offset;
    check(value.type().get(f.type), offset);
    if (f.type == od::json_type::string) {
      std::string_view s;
      check(value.get_string().get(s), offset);
      f.text = s;
    } else if (f.type == od::json_type::number) {
      std::string_view token = value.raw_json_token();
      while (!token.empty() && (token.back() == ' ' || token.back() == '\n' ||
                                token.back() == '\r' || token.back() == '\t')) {
        token.remove_suffix(1);
      }
      f.text = token;
    }
    return f;
  }

  std::size_t offset_of(od::value& value) {
    const char* location = nullptr;
    if (value.current_location().get(location) == simdjson::SUCCESS && location != nullptr) {
      last_offset_ = static_cast<std::size_t>(location - padded_.data());
    }
    return last_offset_;
  }

  void check(simdjson::error_code error, std::size_t offset) const {
    if (error != simdjson::SUCCESS) {
      fail_at(offset, std::string("invalid JSON: ") + simdjson::error_message(error));
    }
  }

  [[noreturn]] void fail_at(std::size_t offset, const std::string& message) const {
    throw DataFileError(std::string(source_name_) + ":" + std::to_string(line_of(json_, offset)) +
                        ": " + message);
  }

  std::string_view json_;
  std::string_view source_name_;
  simdjson::padded_string padded_;
  od::parser parser_;
  std::size_t last_offset_ = 0;
};

// Checks every rule in entry order and collects the regions and cadres.
class RosterBuilder {
 public:
  RosterBuilder(std::string_view json, std::string_view source_name)
      : json_(json), source_name_(source_name) {}

  std::vector<Region> regions;
  std::vector<Cadre> cadres;

  void build(const JsonRoster& doc) {
    check_version(doc);
    if (!doc.city.present) fail_top("city", "missing");
    for (const char* name : {"counties", "towns", "villages", "cadres"}) {
      const JsonSection& s = section(doc, name);
      if (!s.present) fail_top(name, "missing");
    }
    // City.
    {
      const JsonEntry& e = doc.city.entries.front();
      Region r;
      r.level = Level::city;
      r.code = code_of(e, "city", 0, 4);
      r.name = name_of(e, "city", 0, r.code);
      region_index_.emplace(r.code, 0);
      regions.push_back(std::move(r));
    }
    const std::string city_code = regions.front().code;
    read_regions(doc.counties, "counties", Level::county, 6, "", city_code);
    read_regions(doc.towns, "towns", Level::town, 9, "county", city_code);
    read_regions(doc.villages, "villages", Level::village, 12, "town", city_code);

    for (std::size_t i = 0; i < doc.cadres.entries.size(); ++i) {
      const JsonEntry& e = doc.cadres.entries[i];
      Cadre c;
      const JsonField* id = e.get("cadre_id");
      if (id == nullptr) fail(e, "cadres", i, "", "cadre_id", "missing");
      if (id->type != od::json_type::string) {
        fail(e, "cadres", i, "", "cadre_id", "must be a string");
      }
      c.cadre_id = id->text;
      const std::string label = "cadre_id " + in_quotes(c.cadre_id);
      if (!is_cadre_id(c.cadre_id)) {
        fail(e, "cadres", i, label, "cadre_id", "must be 1-64 characters of [A-Za-z0-9_.:-]");
      }
      c.name = name_of(e, "cadres", i, label);
      const JsonField* tier = require_string(e, "cadres", i, label, "tier");
      Level want{};
      if (tier->text == "city_leader") {
        c.tier = Tier::city_leader;
        want = Level::county;
      } else if (tier->text == "division") {
        c.tier = Tier::division;
        want = Level::town;
      } else if (tier->text == "section") {
        c.tier = Tier::section;
        want = Level::village;
      } else {
        fail(e, "cadres", i, label, "tier",
             in_quotes(tier->text) + " is not one of city_leader, division, section");
      }
      const JsonField* region = require_string(e, "cadres", i, label, "region");
      const auto found = find_region(region->text);
      if (!found || regions[*found].level != want) {
        fail(e, "cadres", i, label, "region",
             in_quotes(region->text) + " is not a " + std::string(to_string(want)) +
                 " in the roster (a " + std::string(to_string(c.tier)) +
                 " cadre is attached to a " + std::string(to_string(want)) + ")");
      }
      c.region = *found;
      const JsonField* round = e.get("round");
      if (round == nullptr) fail(e, "cadres", i, label, "round", "missing");
      if (round->type != od::json_type::number || !is_positive_int(round->text)) {
        fail(e, "cadres", i, label, "round",
             (round->text.empty() ? std::string("value") : in_quotes(round->text)) +
                 " is not a positive integer");
      }
      c.round = std::stoi(round->text);
      if (!cadre_ids_.emplace(c.cadre_id).second) {
        fail(e, "cadres", i, label, "cadre_id", "duplicate cadre_id");
      }
      cadres.push_back(std::move(c));
    }
  }

 private:
  static const JsonSection& section(const JsonRoster& doc, std::string_view name) {
    if (name == "counties") return doc.counties;
    if (name == "towns") return doc.towns;
    if (name == "villages") return doc.villages;
    return doc.cadres;
  }

  static bool is_positive_int(std::string_view s) {
    return !s.empty() && s.size() <= 9 && s[0] >= '1' && s[0] <= '9' &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
  }

  std::optional<RegionId> find_region(const std::string& code) const {
    const auto it = region_index_.find(code);
    if (it == region_index_.end()) return std::nullopt;
    return it->second;
  }

  void read_regions(const JsonSection& section, const char* name, Level level, std::size_t digits,
                    const char* parent_key, const std::string& city_code) {
    const Level parent_level = static_cast<Level>(static_cast<int>(level) - 1);
    for (std::size_t i = 0; i < section.entries.size(); ++i) {
      const JsonEntry& e = section.entries[i];
      Region r;
      r.level = level;
      r.code = code_of(e, name, i, digits);
      const std::string label = "code " + in_quotes(r.code);
      r.name = name_of(e, name, i, label);
      std::string parent_code = city_code;
      const char* key = "code";
      if (level != Level::county) {
        key = parent_key;
        parent_code = require_string(e, name, i, label, parent_key)->text;
        const auto parent = find_region(parent_code);
        if (!parent || regions[*parent].level != parent_level) {
          fail(e, name, i, label, parent_key,
               in_quotes(parent_code) + " is not a " + std::string(to_string(parent_level)) +
                   " in the roster");
        }
        r.parent = *parent;
      } else {
        r.parent = 0;
      }
      if (r.code.compare(0, parent_code.size(), parent_code) != 0) {
        fail(e, name, i, label, key,
             "code " + in_quotes(r.code) + " does not start with its " +
                 std::string(to_string(parent_level)) + "'s code " + in_quotes(parent_code));
      }
      if (const auto existing = find_region(r.code)) {
        fail(e, name, i, label, "code",
             "duplicate code (already " + std::string(to_string(regions[*existing].level)) + " " +
                 in_quotes(regions[*existing].name) + ")");
      }
      region_index_.emplace(r.code, static_cast<RegionId>(regions.size()));
      regions.push_back(std::move(r));
    }
  }

  std::string code_of(const JsonEntry& e, const char* section, std::size_t i, std::size_t digits) {
    const JsonField* code = require_string(e, section, i, "", "code");
    if (!is_digits(code->text, digits)) {
      fail(e, section, i, "", "code",
           in_quotes(code->text) + " is not " + std::to_string(digits) + " digits");
    }
    return code->text;
  }

  std::string name_of(const JsonEntry& e, const char* section, std::size_t i,
                      const std::string& label) {
    const JsonField* name = require_string(e, section, i, label, "name");
    if (name->text.empty()) fail(e, section, i, label, "name", "must not be empty");
    return name->text;
  }

  const JsonField* require_string(const JsonEntry& e, const char* section, std::size_t i,
                                  const std::string& label, const char* key) {
    const JsonField* f = e.get(key);
    if (f == nullptr) fail(e, section, i, label, key, "missing");
    if (f->type != od::json_type::string) fail(e, section, i, label, key, "must be a string");
    return f;
  }

  void check_version(const JsonRoster& doc) {
    if (!doc.version) fail_top("version", "missing (must be 1)");
    if (doc.version->type != od::json_type::number || doc.version->text != "1") {
      throw RosterEntryError(std::string(source_name_) + ":" +
                                 std::to_string(line_of(json_, doc.version->offset)) +
                                 ": key \"version\": must be 1",
                             "", 0, "version", "must be 1");
    }
  }

  [[noreturn]] void fail_top(const std::string& key, const std::string& problem) {
    throw RosterEntryError(std::string(source_name_) + ": key " + in_quotes(key) + ": " + problem,
                           "", 0, key, problem);
  }

  // "<file>:<line>: villages[12] (code "..."): key "town": <problem>"
  [[noreturn]] void fail(const JsonEntry& e, const std::string& section, std::size_t index,
                         const std::string& label, const std::string& key,
                         const std::string& problem) {
    const JsonField* f = e.get(key);
    const std::size_t offset = f != nullptr ? f->offset : e.offset;
    std::string message =
        std::string(source_name_) + ":" + std::to_string(line_of(json_, offset)) + ": " + section;
    if (section != "city") message += "[" + std::to_string(index) + "]";
    if (!label.empty()) message += " (" + label + ")";
    message += ": key " + in_quotes(key) + ": " + problem;
    throw RosterEntryError(message, section, index, key, problem);
  }

  std::string_view json_;
  std::string_view source_name_;
  std::unordered_map<std::string, RegionId> region_index_;
  std::unordered_set<std::string> cadre_ids_;
};

}  // namespace

Roster Roster::load(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw DataFileError(file.string() + ": cannot open the roster file");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return parse(buffer.str(), file.string());
}

Roster Roster::parse(std::string_view json, std::string_view source_name) {
  const JsonRoster doc = JsonRosterReader(json, source_name).read();
  RosterBuilder builder(json, source_name);
  builder.build(doc);
  Roster roster;
  roster.regions_ = std::move(builder.regions);
  roster.cadres_ = std::move(builder.cadres);
  roster.index_from(0, 0);
  roster.derive();
  return roster;
}

void Roster::index_from(RegionId first_region, CadreId first_cadre) {
  for (RegionId id = first_region; id < regions_.size(); ++id) {
    const std::string& code = regions_[id].code;
    if (const auto key = PackedIndex::pack(code)) {
      region_by_packed_code_.insert(*key, id);
    } else {
      region_by_code_.emplace(code, id);
    }
  }
  for (CadreId id = first_cadre; id < cadres_.size(); ++id) {
    const std::string& cadre_id = cadres_[id].cadre_id;
    if (const auto key = PackedIndex::pack(cadre_id)) {
      cadre_by_packed_id_.insert(*key, id);
    } else {
      cadre_by_id_.emplace(cadre_id, id);
    }
  }
}

// Chains, village and cadre counts; only current cadres count within regions.
void Roster::derive() {
  // Parents precede children (also for appended regions), so one forward pass fills them.
  const std::size_t n = regions_.size();
  chains_.resize(n);
  village_count_ = 0;
  for (RegionId id = 0; id < n; ++id) {
    const Region& r = regions_[id];
    Chain c{0, id, id, id};
    if (r.level == Level::city) {
      c = {0, 0, 0, 0};
    } else if (r.level != Level::county) {
      c = chains_[*r.parent];
      if (r.level == Level::town) {
        c.town = id;
        c.village = id;
      } else {
        c.village = id;
        if (!r.former) ++village_count_;
      }
    }
    chains_[id] = c;
  }
  region_current_.resize(n);
  for (RegionId id = 0; id < n; ++id) region_current_[id] = regions_[id].former ? 0 : 1;
  cadre_current_.resize(cadres_.size());
  for (CadreId id = 0; id < cadres_.size(); ++id) cadre_current_[id] = cadres_[id].former ? 0 : 1;
  cadres_within_.assign(n, 0);
  current_cadres_ = 0;
  for (const Cadre& cadre : cadres_) {
    if (cadre.former) continue;
    ++current_cadres_;
    std::optional<RegionId> at = cadre.region;
    while (at) {
      ++cadres_within_[*at];
      at = regions_[*at].parent;
    }
  }
}

void Roster::update(const Roster& next) {
  if (next.regions_.front().code != regions_.front().code) {
    throw DataFileError("the roster is for city " + in_quotes(next.regions_.front().code) +
                        ", not " + in_quotes(regions_.front().code));
  }
  const auto first_region = static_cast<RegionId>(regions_.size());
  const auto first_cadre = static_cast<CadreId>(cadres_.size());
  for (std::size_t i = 1; i < regions_.size(); ++i) regions_[i].former = true;
  for (Cadre& c : cadres_) c.former = true;
  std::vector<RegionId> mapped(next.regions_.size(), 0);  // next's id -> ours
  for (RegionId id = 0; id < next.regions_.size(); ++id) {
    Region r = next.regions_[id];
    if (r.parent) r.parent = mapped[*r.parent];
    auto known = find_region(r.code);
    if (!known) {
      known = static_cast<RegionId>(regions_.size());
      regions_.emplace_back();
    }
    regions_[*known] = std::move(r);
    mapped[id] = *known;
  }
  for (const Cadre& next_cadre : next.cadres_) {
    Cadre c = next_cadre;
    c.region = mapped[c.region];
    auto known = find_cadre(c.cadre_id);
    if (!known) {
      known = static_cast<CadreId>(cadres_.size());
      cadres_.emplace_back();
    }
    cadres_[*known] = std::move(c);
  }
  index_from(first_region, first_cadre);
  derive();
  ++revision_;
}

std::optional<RegionId> Roster::keep_former_region(std::string_view code) {
  if (const auto known = find_region(code)) return known;
  const std::string& city = regions_.front().code;
  Level level = Level::village;
  std::size_t parent_digits = 9;
  if (is_digits(code, 6)) {
    level = Level::county;
    parent_digits = city.size();
  } else if (is_digits(code, 9)) {
    level = Level::town;
    parent_digits = 6;
  } else if (!is_digits(code, 12)) {
    return std::nullopt;
  }
  if (code.substr(0, city.size()) != city) return std::nullopt;
  const auto parent = keep_former_region(code.substr(0, parent_digits));
  if (!parent) return std::nullopt;
  const auto id = static_cast<RegionId>(regions_.size());
  regions_.push_back(Region{std::string(code), "", level, parent, true});
  index_from(id, static_cast<CadreId>(cadres_.size()));
  derive();
  ++revision_;
  return id;
}

CadreId Roster::keep_former_cadre(std::string_view cadre_id) {
  if (const auto known = find_cadre(cadre_id)) return *known;
  const auto id = static_cast<CadreId>(cadres_.size());
  cadres_.push_back(Cadre{std::string(cadre_id), "", Tier::section, city(), 0, true});
  cadre_current_.push_back(0);
  index_from(static_cast<RegionId>(regions_.size()), id);
  ++revision_;
  return id;
}

// Digits: bit 63 set, the length in bits 54-58, the value below. Other codes of
// up to 7 bytes: bit 63 clear, the length in bits 56-58, the bytes below. Both
// are one-to-one, and no key is ~0 (the empty slot).
std::optional<std::uint64_t> Roster::PackedIndex::pack(std::string_view code) {
  if (code.empty()) return std::nullopt;
  if (code.size() <= 16) {
    std::uint64_t value = 0;
    bool digits = true;
    for (const char c : code) {
      const auto d = static_cast<unsigned>(c - '0');
      if (d > 9) {
        digits = false;
        break;
      }
      value = value * 10 + d;
    }
    if (digits) return (std::uint64_t{1} << 63) | (std::uint64_t{code.size()} << 54) | value;
  }
  if (code.size() > 7) return std::nullopt;
  std::uint64_t bytes = 0;
  for (std::size_t i = 0; i < code.size(); ++i) {
    bytes |= std::uint64_t{static_cast<unsigned char>(code[i])} << (8 * i);
  }
  return (std::uint64_t{code.size()} << 56) | bytes;
}

void Roster::PackedIndex::insert(std::uint64_t key, std::uint32_t id) {
  if ((size_ + 1) * 2 > slots_.size()) grow();
  const std::size_t mask = slots_.size() - 1;
  std::size_t i = fmix64(key) & mask;
  while (slots_[i].key != ~std::uint64_t{0} && slots_[i].key != key) i = (i + 1) & mask;
  if (slots_[i].key == key) return;  // the first entry wins, as with the string maps
  ++size_;
  slots_[i] = {key, id};
}

std::optional<std::uint32_t> Roster::PackedIndex::find(std::uint64_t key) const {
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = fmix64(key) & mask;; i = (i + 1) & mask) {
    const Slot& s = slots_[i];
    if (s.key == key) return s.id;
    if (s.key == ~std::uint64_t{0}) return std::nullopt;
  }
}

void Roster::PackedIndex::grow() {
  std::vector<Slot> old(slots_.size() * 2);
  old.swap(slots_);
  size_ = 0;
  for (const Slot& s : old) {
    if (s.key != ~std::uint64_t{0}) insert(s.key, s.id);
  }
}

std::optional<RegionId> Roster::find_region(std::string_view code) const {
  if (const auto key = PackedIndex::pack(code)) return region_by_packed_code_.find(*key);
  const auto it = region_by_code_.find(code);
  if (it == region_by_code_.end()) return std::nullopt;
  return it->second;
}

std::optional<RegionId> Roster::find_village(std::string_view code) const {
  const auto id = find_region(code);
  if (!id || regions_[*id].level != Level::village) return std::nullopt;
  return id;
}

std::optional<CadreId> Roster::find_cadre(std::string_view cadre_id) const {
  if (const auto key = PackedIndex::pack(cadre_id)) return cadre_by_packed_id_.find(*key);
  const auto it = cadre_by_id_.find(cadre_id);
  if (it == cadre_by_id_.end()) return std::nullopt;
  return it->second;
}

Roster::Chain Roster::chain(RegionId village) const {
  assert(village < chains_.size());
  return chains_[village];
}

std::size_t Roster::cadres_within(RegionId region) const { return cadres_within_[region]; }

bool Roster::is_within(RegionId inner, RegionId outer) const {
  std::optional<RegionId> at = inner;
  while (at) {
    if (*at == outer) return true;
    at = regions_[*at].parent;
  }
  return false;
}

std::string_view to_string(Level level) {
  switch (level) {
    case Level::city:
      return "city";
    case Level::county:
      return "county";
    case Level::town:
      return "town";
    case Level::village:
      return "village";
    case Level::cadre:
      return "cadre";
  }
  return "unknown";
}

std::optional<Level> level_from_string(std::string_view s) {
  for (Level l : {Level::city, Level::county, Level::town, Level::village, Level::cadre}) {
    if (to_string(l) == s) return l;
  }
  return std::nullopt;
}

std::string_view to_string(Tier tier) {
  switch (tier) {
    case Tier::city_leader:
      return "city_leader";
    case Tier::division:
      return "division";
    case Tier::section:
      return "section";
  }
  return "unknown";
}

}  // namespace fp
