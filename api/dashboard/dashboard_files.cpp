#include "api/dashboard/dashboard_files.h"

namespace fp {

const EmbeddedAsset* find_dashboard_file(std::string_view path) {
  if (path == "/") path = "/index.html";
  if (!path.starts_with('/')) return nullptr;
  path.remove_prefix(1);
  for (const EmbeddedAsset& file : dashboard_files()) {
    if (file.path == path) return &file;
  }
  return nullptr;
}

}  // namespace fp
