// Record positions from yaml-cpp's marks (record_lines.h).
#include "policy/check/record_lines.h"

#include <yaml-cpp/yaml.h>

#include "policy/common/yaml_reader.h"

namespace crossgate::check {

std::map<std::string, int> record_lines(const bundle::BundleFiles& files, const std::string& file,
                                        const std::string& list_key) {
  std::map<std::string, int> out;
  const std::string* text = files.find(file);
  if (text == nullptr) return out;
  cedar::Result<YAML::Node> doc = yaml::parse(*text, file);
  if (!doc.ok() || !doc->IsMap()) return out;
  YAML::Node list = (*doc)[list_key];
  if (!list || !list.IsSequence()) return out;
  for (const YAML::Node& element : list) {
    if (!element.IsMap()) continue;
    YAML::Node id = element["id"];
    if (!id || !id.IsScalar()) continue;
    out.emplace(id.Scalar(), element.Mark().line + 1);
  }
  return out;
}

int key_line(const bundle::BundleFiles& files, const std::string& file, const std::string& key) {
  const std::string* text = files.find(file);
  if (text == nullptr) return 0;
  cedar::Result<YAML::Node> doc = yaml::parse(*text, file);
  if (!doc.ok() || !doc->IsMap()) return 0;
  YAML::Node value = (*doc)[key];
  return value ? value.Mark().line + 1 : 0;
}

}  // namespace crossgate::check
