// Loading Cedar inputs from files for the command line: a policy file or a folder of
// them, an optional schema (.cedarschema or JSON), entities JSON, a request JSON.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "policy/cedar/authorizer/policy_set.h"
#include "policy/cedar/common/result.h"
#include "policy/cedar/entities/entities.h"
#include "policy/cedar/schema/schema.h"
#include "policy/cedar/value/request.h"

namespace crossgate::cli {

cedar::Result<std::string> read_text_file(const std::filesystem::path& path);

// A single file gives ids `policy0`, `policy1`, ...; a folder is read in file-name order
// and each policy's id is prefixed with its file, e.g. `base.cedar:policy0`, so that ids
// stay stable when other files change.
cedar::Result<cedar::PolicySet> load_policies(const std::filesystem::path& path);

cedar::Result<cedar::Schema> load_schema(const std::filesystem::path& path);

cedar::Result<cedar::Entities> load_entities(const std::filesystem::path& path,
                                             const cedar::Schema* schema);

// A request as JSON: {"principal": uid, "action": uid, "resource": uid, "context": {...}}.
// The uids and context live in `arena`.
cedar::Result<cedar::Request> load_request(const std::string& json_text, const std::string& source,
                                           cedar::Arena& arena, const cedar::Schema* schema);

}  // namespace crossgate::cli
