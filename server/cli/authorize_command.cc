#include "server/cli/authorize_command.h"

#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "policy/cedar/authorizer/authorizer.h"
#include "server/cli/flags.h"
#include "server/cli/policy_files.h"

namespace crossgate::cli {
namespace {

constexpr const char* kUsage = R"(usage: crossgate authorize --policies FILE|DIR --entities FILE
                          [--schema FILE] --request FILE|- [--format text|json]

Decides one Cedar request. --request - reads the request JSON from standard input:
  {"principal": {"type": "...", "id": "..."}, "action": {...}, "resource": {...},
   "context": {...}}
Exit status: 0 ALLOW, 1 DENY, 2 unusable input.
)";

struct Options {
  std::string policies, entities, schema, request;
  bool json = false;
};

std::optional<Options> parse_args(std::span<const std::string_view> args) {
  Options o;
  std::string format = "text";
  const ValueFlag values[] = {{"--policies", &o.policies},
                              {"--entities", &o.entities},
                              {"--schema", &o.schema},
                              {"--request", &o.request},
                              {"--format", &format}};
  if (std::optional<std::string> problem = parse_flags(args, {values})) {
    std::cerr << "crossgate authorize: " << *problem << "\n" << kUsage;
    return std::nullopt;
  }
  if (format != "text" && format != "json") {
    std::cerr << "crossgate authorize: --format must be text or json\n";
    return std::nullopt;
  }
  o.json = format == "json";
  if (o.policies.empty() || o.entities.empty() || o.request.empty()) {
    std::cerr << "crossgate authorize: --policies, --entities and --request are required\n"
              << kUsage;
    return std::nullopt;
  }
  return o;
}

template <class T>
bool unwrap(cedar::Result<T>& result) {
  if (result.ok()) return true;
  std::cerr << "crossgate authorize: " << result.message() << "\n";
  return false;
}

}  // namespace

int authorize_command(std::span<const std::string_view> args) {
  if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
    std::cout << kUsage;
    return 0;
  }
  std::optional<Options> options = parse_args(args);
  if (!options) return 2;

  std::optional<cedar::Schema> schema;
  if (!options->schema.empty()) {
    cedar::Result<cedar::Schema> loaded = load_schema(options->schema);
    if (!unwrap(loaded)) return 2;
    schema = std::move(loaded.value());
  }
  const cedar::Schema* schema_ptr = schema ? &*schema : nullptr;
  cedar::Result<cedar::PolicySet> policies = load_policies(options->policies);
  if (!unwrap(policies)) return 2;
  cedar::Result<cedar::Entities> entities = load_entities(options->entities, schema_ptr);
  if (!unwrap(entities)) return 2;

  cedar::Result<std::string> request_text =
      options->request == "-"
          ? cedar::Result<std::string>(std::string(std::istreambuf_iterator<char>(std::cin), {}))
          : read_text_file(options->request);
  if (!unwrap(request_text)) return 2;
  cedar::Arena arena;
  cedar::Result<cedar::Request> request = load_request(
      *request_text, options->request == "-" ? "<stdin>" : options->request, arena, schema_ptr);
  if (!unwrap(request)) return 2;

  cedar::Authorizer authorizer;
  cedar::Response response = authorizer.authorize(*policies, *request, *entities);
  bool allow = response.decision == cedar::Decision::kAllow;

  if (options->json) {
    nlohmann::json out;
    out["decision"] = allow ? "allow" : "deny";
    out["determining"] = nlohmann::json::array();
    for (std::uint32_t p : response.determining) {
      const cedar::CompiledPolicy& policy = policies->at(p);
      out["determining"].push_back(
          {{"id", policy.id}, {"name", std::string(policy.display_name())}});
    }
    out["errors"] = nlohmann::json::array();
    for (const cedar::PolicyError& e : response.errors) {
      const cedar::CompiledPolicy& policy = policies->at(e.policy);
      out["errors"].push_back({{"id", policy.id},
                               {"name", std::string(policy.display_name())},
                               {"message", e.message}});
    }
    std::cout << out.dump(2) << "\n";
  } else {
    std::cout << "decision: " << (allow ? "ALLOW" : "DENY") << "\n";
    auto name = [&](std::uint32_t p) {
      const cedar::CompiledPolicy& policy = policies->at(p);
      std::string text = policy.id;
      if (policy.display_name() != policy.id)
        text += " (" + std::string(policy.display_name()) + ")";
      return text;
    };
    std::cout << "determining policies:" << (response.determining.empty() ? " none" : "") << "\n";
    for (std::uint32_t p : response.determining)
      std::cout << "  " << name(p) << "\n";
    std::cout << "erroring policies:" << (response.errors.empty() ? " none" : "") << "\n";
    for (const cedar::PolicyError& e : response.errors) {
      std::cout << "  " << name(e.policy) << ": " << e.message << "\n";
    }
  }
  return allow ? 0 : 1;
}

}  // namespace crossgate::cli
