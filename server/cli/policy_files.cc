#include "server/cli/policy_files.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <vector>

#include "policy/cedar/common/json.h"
#include "policy/cedar/entities/entities_json.h"
#include "policy/cedar/entities/json_value.h"
#include "policy/cedar/parser/policy_parser.h"

namespace crossgate::cli {

namespace fs = std::filesystem;
using cedar::Error;

cedar::Result<std::string> read_text_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{path.string() + ": cannot read the file"};
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

cedar::Result<cedar::PolicySet> load_policies(const fs::path& path) {
  std::error_code ec;
  if (!fs::is_directory(path, ec)) {
    cedar::Result<std::string> text = read_text_file(path);
    if (!text.ok()) return text.error();
    return cedar::PolicySet::parse(*text, path.string());
  }
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(path, ec)) {
    if (entry.is_regular_file() && entry.path().extension() == ".cedar")
      files.push_back(entry.path());
  }
  if (ec) return Error{path.string() + ": " + ec.message()};
  std::sort(files.begin(), files.end());
  if (files.empty()) return Error{path.string() + ": no .cedar files in the folder"};
  cedar::PolicySet set;
  for (const fs::path& file : files) {
    cedar::Result<std::string> text = read_text_file(file);
    if (!text.ok()) return text.error();
    cedar::parser::ParseOptions options;
    options.source_name = file.string();
    options.id_prefix = file.filename().string() + ":policy";
    cedar::Result<std::vector<cedar::ast::Policy>> parsed =
        cedar::parser::parse_policies(*text, options);
    if (!parsed.ok()) return parsed.error();
    if (cedar::Status s = set.add_all(std::move(parsed.value())); !s.ok()) return s.error();
  }
  return set;
}

cedar::Result<cedar::Schema> load_schema(const fs::path& path) {
  cedar::Result<std::string> text = read_text_file(path);
  if (!text.ok()) return text.error();
  if (path.extension() == ".json") return cedar::parse_json_schema(*text, path.string());
  return cedar::parse_cedarschema(*text, path.string());
}

cedar::Result<cedar::Entities> load_entities(const fs::path& path, const cedar::Schema* schema) {
  cedar::Result<std::string> text = read_text_file(path);
  if (!text.ok()) return text.error();
  return cedar::parse_entities_json(*text, schema, path.string());
}

cedar::Result<cedar::Request> load_request(const std::string& json_text, const std::string& source,
                                           cedar::Arena& arena, const cedar::Schema* schema) {
  cedar::Result<nlohmann::json> json = cedar::parse_json(json_text, source);
  if (!json.ok()) return json.error();
  if (!json->is_object()) return Error{source + ": a request must be a JSON object"};
  cedar::JsonValueReader reader(arena, nullptr);
  cedar::Request request;
  for (const char* field : {"principal", "action", "resource"}) {
    if (!json->contains(field)) return Error{source + ": missing \"" + field + "\""};
    const cedar::EntityUid* uid;
    std::string error;
    if (!reader.read_uid((*json)[field], uid, error)) {
      return Error{source + ": \"" + field + "\": " + error};
    }
    (std::string_view(field) == "principal" ? request.principal
     : std::string_view(field) == "action"  ? request.action
                                            : request.resource) = *uid;
  }
  cedar::Result<cedar::Value> context =
      cedar::parse_context_json(json->value("context", nlohmann::json::object()), arena, schema,
                                &request.action, source + ": \"context\"");
  if (!context.ok()) return context.error();
  request.context = *context;
  return request;
}

}  // namespace crossgate::cli
