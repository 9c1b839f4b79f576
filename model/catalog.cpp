// Loads the TOML catalog of report kinds; every rule violation names file, line and field.
#include "model/catalog.h"

#include <toml++/toml.h>

#include <fstream>
#include <sstream>
#include <unordered_set>

namespace fp {
namespace {

bool is_identifier(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || c == '_')) return false;
  }
  return true;
}

std::string in_quotes(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out.push_back('"');
  out.append(s);
  out.push_back('"');
  return out;
}

// Builds Kinds from the parsed document; `fail` prefixes "<file>:<line>: ".
class CatalogReader {
 public:
  explicit CatalogReader(std::string_view source_name) : source_name_(source_name) {}

  std::vector<Kind> read(const toml::table& root) {
    for (const auto& [key, node] : root) {
      if (key.str() != "kind") {
        fail(node, "unknown key " + in_quotes(key.str()) + " (expected [[kind]] tables)");
      }
    }
    const toml::node* kinds_node = root.get("kind");
    if (kinds_node == nullptr) fail(root, "no [[kind]] tables");
    const toml::array* kinds = kinds_node->as_array();
    if (kinds == nullptr) fail(*kinds_node, "\"kind\" must be an array of tables ([[kind]])");
    if (kinds->empty()) fail(*kinds_node, "no [[kind]] tables");

    std::vector<Kind> out;
    std::unordered_set<std::string> names;
    for (std::size_t i = 0; i < kinds->size(); ++i) {
      const toml::node& node = *kinds->get(i);
      const toml::table* table = node.as_table();
      const std::string where = "kind[" + std::to_string(i) + "]";
      if (table == nullptr) fail(node, where + ": must be a table");
      Kind kind = read_kind(*table, where);
      if (!names.insert(kind.name).second) {
        fail(*table->get("name"), "kind " + in_quotes(kind.name) + ": duplicate kind name");
      }
      out.push_back(std::move(kind));
    }
    return out;
  }

 private:
  Kind read_kind(const toml::table& table, const std::string& where) {
    Kind kind;
    const toml::node* name = table.get("name");
    if (name == nullptr) fail(table, where + ": missing key \"name\"");
    if (!name->is_string()) fail(*name, where + ": \"name\" must be a string");
    kind.name = name->as_string()->get();
    if (!is_identifier(kind.name)) {
      fail(*name, where + ": name " + in_quotes(kind.name) + " must match [a-z_]+");
    }
    const std::string ctx = "kind " + in_quotes(kind.name);
    for (const auto& [key, node] : table) {
      const std::string_view k = key.str();
      if (k != "name" && k != "label" && k != "fields") {
        fail(node, ctx + ": unknown key " + in_quotes(k));
      }
    }
    const toml::node* label = table.get("label");
    if (label == nullptr) fail(table, ctx + ": missing key \"label\"");
    if (!label->is_string()) fail(*label, ctx + ": \"label\" must be a string");
    kind.label = label->as_string()->get();

    const toml::node* fields_node = table.get("fields");
    if (fields_node == nullptr) fail(table, ctx + ": missing key \"fields\"");
    const toml::array* fields = fields_node->as_array();
    if (fields == nullptr) fail(*fields_node, ctx + ": \"fields\" must be an array of tables");
    if (fields->empty() || fields->size() > kMaxValueFields) {
      fail(*fields_node, ctx + ": must have 1 to " + std::to_string(kMaxValueFields) +
                             " fields, has " + std::to_string(fields->size()));
    }
    std::unordered_set<std::string> seen;
    for (std::size_t i = 0; i < fields->size(); ++i) {
      const toml::node& node = *fields->get(i);
      ValueField field = read_field(node, ctx, i);
      if (!seen.insert(field.name).second) {
        fail(node, ctx + ": field " + in_quotes(field.name) + ": duplicate field name");
      }
      kind.fields.push_back(std::move(field));
    }
    return kind;
  }

  ValueField read_field(const toml::node& node, const std::string& ctx, std::size_t index) {
    const toml::table* table = node.as_table();
    const std::string where = ctx + ": fields[" + std::to_string(index) + "]";
    if (table == nullptr) fail(node, where + ": must be a table like { name = \"yuan\" }");
    ValueField field;
    const toml::node* name = table->get("name");
    if (name == nullptr) fail(*table, where + ": missing key \"name\"");
    if (!name->is_string()) fail(*name, where + ": \"name\" must be a string");
    field.name = name->as_string()->get();
    if (!is_identifier(field.name)) {
      fail(*name, where + ": name " + in_quotes(field.name) + " must match [a-z_]+");
    }
    const std::string fctx = ctx + ": field " + in_quotes(field.name);
    for (const auto& [key, value] : *table) {
      if (key.str() != "name" && key.str() != "default") {
        fail(value, fctx + ": unknown key " + in_quotes(key.str()));
      }
    }
    const toml::node* def = table->get("default");
    if (def == nullptr) return field;
    // Defaults are exact decimals: strings or integers, never TOML floats (binary doubles).
    std::string text;
    if (def->is_string()) {
      text = def->as_string()->get();
    } else if (def->is_integer()) {
      text = std::to_string(def->as_integer()->get());
    } else if (def->is_floating_point()) {
      fail(*def, fctx + ": default must be written as a string, e.g. \"0.5\", not a TOML float");
    } else {
      fail(*def, fctx + ": default must be a decimal string or an integer");
    }
    Decimal::ParseError error{};
    field.default_value = Decimal::parse(text, &error);
    if (!field.default_value) {
      fail(*def, fctx + ": default " + in_quotes(text) + " is not a decimal (" +
                     std::string(to_string(error)) + ")");
    }
    return field;
  }

  [[noreturn]] void fail(const toml::node& node, const std::string& message) const {
    std::string out(source_name_);
    const auto& begin = node.source().begin;
    if (begin.line != 0) out += ":" + std::to_string(begin.line);
    out += ": " + message;
    throw DataFileError(out);
  }

  std::string_view source_name_;
};

}  // namespace

Catalog Catalog::load(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw DataFileError(file.string() + ": cannot open the catalog file");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return parse(buffer.str(), file.string());
}

Catalog Catalog::parse(std::string_view text, std::string_view source_name) {
  toml::table root;
  try {
    root = toml::parse(text, source_name);
  } catch (const toml::parse_error& e) {
    throw DataFileError(std::string(source_name) + ":" + std::to_string(e.source().begin.line) +
                        ": " + std::string(e.description()));
  }
  Catalog catalog;
  catalog.kinds_ = CatalogReader(source_name).read(root);
  return catalog;
}

std::optional<KindId> Catalog::find(std::string_view name) const {
  // A dozen kinds: a linear scan beats hashing and keeps the class trivially copyable.
  for (std::size_t i = 0; i < kinds_.size(); ++i) {
    if (kinds_[i].name == name) return static_cast<KindId>(i);
  }
  return std::nullopt;
}

std::vector<std::string> Catalog::metric_names() const {
  std::vector<std::string> names;
  for (const Kind& kind : kinds_) {
    names.push_back(kind.name + ".count");
    for (const ValueField& field : kind.fields) names.push_back(kind.name + "." + field.name);
  }
  return names;
}

}  // namespace fp
