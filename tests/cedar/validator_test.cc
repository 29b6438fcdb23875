// Unit tests for the policy validator (policy/cedar/validator/): each error kind with the
// policy it names and where it points, policies that must pass (guarded optional
// attributes, `if`, action groups, `is`, tags, templates), the type lattice, and request
// validation. Expectations follow Cedar's reference validator (4.10, strict mode).
#include "policy/cedar/validator/validator.h"

#include <catch2/catch_test_macros.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "policy/cedar/authorizer/policy_set.h"
#include "policy/cedar/parser/policy_parser.h"
#include "policy/cedar/schema/schema.h"
#include "policy/cedar/validator/request_validator.h"
#include "policy/cedar/validator/types.h"
#include "policy/cedar/value/arena.h"

namespace crossgate::cedar::validator {
namespace {

constexpr std::string_view kSchema = R"(
type Address = { street: String, zip?: Long };
entity Org;
entity Group in [Org];
entity User in [Group] = {
  name: String,
  age?: Long,
  address?: Address,
  manager?: User,
  roles: Set<String>,
  since: datetime,
} tags String;
entity Robot = { model: String };
entity Folder in [Folder];
entity Doc in [Folder] = { owner: User, public: Bool, score: decimal } tags Long;
entity Color enum ["red", "green"];
action read, write appliesTo {
  principal: [User],
  resource: [Doc, Folder],
  context: { ip: ipaddr, mfa?: Bool }
};
action admin in [read] appliesTo { principal: [User, Robot], resource: [Folder], context: {} };
action paint appliesTo { principal: [User], resource: [Doc], context: { color: Color } };
)";

const Schema& test_schema() {
  static const Schema schema = [] {
    Result<Schema> parsed = parse_cedarschema(kSchema, "test.cedarschema");
    if (!parsed) FAIL(parsed.message());
    return std::move(parsed).value();
  }();
  return schema;
}

std::vector<ast::Policy> parse(std::string_view text) {
  parser::ParseOptions options;
  options.source_name = "test.cedar";
  Result<std::vector<ast::Policy>> policies = parser::parse_policies(text, options);
  INFO(text);
  if (!policies) FAIL(policies.message());
  return std::move(policies).value();
}

std::string describe(const ValidationResult& result) {
  std::string out;
  for (const ValidationError& e : result.errors)
    out += "\n  error " + e.to_string();
  for (const ValidationError& e : result.warnings)
    out += "\n  warning " + e.to_string();
  return out.empty() ? "(nothing)" : out;
}

ValidationResult validate_text(std::string_view text) {
  std::vector<ast::Policy> policies = parse(text);
  return validate(test_schema(), policies);
}

void require_passes(std::string_view text) {
  ValidationResult result = validate_text(text);
  INFO(text << "\nfound:" << describe(result));
  CHECK(result.passed());
  CHECK(result.warnings.empty());
}

struct Expected {
  ValidationErrorKind kind;
  std::string policy_id;
  std::uint32_t line;
  std::uint32_t column;
};

// The errors found must be exactly `expected` (kind, policy id, position), in order.
void require_errors(std::string_view text, const std::vector<Expected>& expected) {
  ValidationResult result = validate_text(text);
  INFO(text << "\nfound:" << describe(result));
  REQUIRE(result.errors.size() == expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const ValidationError& e = result.errors[i];
    CHECK(kind_name(e.kind) == kind_name(expected[i].kind));
    CHECK(e.policy_id == expected[i].policy_id);
    CHECK(e.loc.line == expected[i].line);
    CHECK(e.loc.column == expected[i].column);
    CHECK(e.source == "test.cedar");
    CHECK(e.message.starts_with("for policy `" + expected[i].policy_id + "`"));
  }
}

using Kind = ValidationErrorKind;

// ---- error kinds ----------------------------------------------------------------------

TEST_CASE("UnrecognizedEntityType: in `is`, in the scope and in literals", "[validator]") {
  require_errors(
      "permit(principal, action == Action::\"read\", resource)\n"
      "when { principal is Usr };",
      {{Kind::kUnrecognizedEntityType, "policy0", 2, 8}});
  require_errors("permit(principal == Usr::\"a\", action == Action::\"read\", resource);",
                 {{Kind::kUnrecognizedEntityType, "policy0", 1, 8},
                  {Kind::kInvalidActionApplication, "policy0", 1, 1}});
  require_errors(
      "permit(principal, action == Action::\"read\", resource)\n"
      "when { resource in Fldr::\"f\" };",
      {{Kind::kUnrecognizedEntityType, "policy0", 2, 20}});
}

TEST_CASE("UnrecognizedActionId: an undeclared action in the scope or a condition", "[validator]") {
  require_errors("permit(principal, action in [Action::\"read\", Action::\"raed\"], resource);",
                 // With an undeclared action in it, the scope matches no declared action.
                 {{Kind::kUnrecognizedActionId, "policy0", 1, 19},
                  {Kind::kInvalidActionApplication, "policy0", 1, 1}});
  require_errors(
      "permit(principal, action, resource)\n"
      "when { action == Action::\"delete\" };",
      {{Kind::kUnrecognizedActionId, "policy0", 2, 18}});
}

TEST_CASE("InvalidActionApplication: no declared action applies to the scope", "[validator]") {
  // Robots only `admin` Folders.
  require_errors(
      "permit(principal, action, resource)\nwhen { true };\n"
      "@id(\"robots\")\n"
      "permit(principal is Robot, action == Action::\"read\", resource);",
      {{Kind::kInvalidActionApplication, "policy1", 3, 1}});
  require_errors("forbid(principal, action == Action::\"admin\", resource is Doc);",
                 {{Kind::kInvalidActionApplication, "policy0", 1, 1}});
  // The warning comes along: the policy can never apply.
  ValidationResult result = validate_text(
      "forbid(principal, action == Action::\"admin\", "
      "resource is Doc);");
  REQUIRE(result.warnings.size() == 1);
  CHECK(result.warnings[0].kind == Kind::kImpossiblePolicy);
}

TEST_CASE("UnexpectedType: operands of the wrong type", "[validator]") {
  require_errors(
      "permit(principal, action == Action::\"read\", resource)\n"
      "when { principal.name };",
      {{Kind::kUnexpectedType, "policy0", 2, 8}});
  require_errors(
      "permit(principal, action == Action::\"read\", resource)\n"
      "when {\n  principal.name < 3\n};",
      {{Kind::kUnexpectedType, "policy0", 3, 3}});
  require_errors(
      "permit(principal, action == Action::\"read\", resource)\n"
      "when { principal.roles.contains(1) || 1 + principal.name == 2 };",
      {{Kind::kIncompatibleTypes, "policy0", 2, 8}, {Kind::kUnexpectedType, "policy0", 2, 43}});
  require_errors(
      "permit(principal, action == Action::\"read\", resource)\n"
      "when { principal.name like \"a*\" && principal like \"b\" };",
      {{Kind::kUnexpectedType, "policy0", 2, 36}});
}

TEST_CASE("IncompatibleTypes: sets, `if` branches and `==` need one type", "[validator]") {
  require_errors("permit(principal, action, resource)\nwhen { [1, \"a\"].contains(1) };",
                 {{Kind::kIncompatibleTypes, "policy0", 2, 8}});
  require_errors(
      "permit(principal, action, resource)\n"
      "when { (if context has mfa then 1 else \"one\") == 1 };",
      // Where the context has no `mfa`, only the else branch can be taken, and then
      // `"one" == 1` is the conflict.
      {{Kind::kIncompatibleTypes, "policy0", 2, 8}, {Kind::kIncompatibleTypes, "policy0", 2, 9}});
  require_errors(
      "permit(principal, action == Action::\"read\", resource)\n"
      "when { principal.name == 1 || principal.name == \"x\" };",
      {{Kind::kIncompatibleTypes, "policy0", 2, 8}});
  // Literals of different types compare as false, without an error.
  require_passes("permit(principal, action, resource) when { 1 == \"one\" || true };");
}

TEST_CASE("UnsafeAttributeAccess: an attribute the type does not declare", "[validator]") {
  require_errors(
      "permit(principal, action == Action::\"read\", resource)\n"
      "when { principal.nme == \"a\" };",
      {{Kind::kUnsafeAttributeAccess, "policy0", 2, 8}});
  // `resource` may be a Folder, which has no owner.
  require_errors(
      "permit(principal, action == Action::\"read\", resource)\n"
      "when { resource.owner == principal };",
      {{Kind::kUnsafeAttributeAccess, "policy0", 2, 8}});
  require_errors(
      "permit(principal, action == Action::\"read\", resource)\n"
      "when { context.ipaddr.isIpv4() };",
      {{Kind::kUnsafeAttributeAccess, "policy0", 2, 8}});
}

TEST_CASE("UnsafeOptionalAttributeAccess: an optional attribute without `has`", "[validator]") {
  require_errors(
      "permit(principal, action == Action::\"read\", resource)\n"
      "when { principal.age > 3 };",
      {{Kind::kUnsafeOptionalAttributeAccess, "policy0", 2, 8}});
  // `has` on the outer attribute does not cover the inner optional one.
  require_errors(
      "permit(principal, action == Action::\"read\", resource)\n"
      "when { principal has address && principal.address.zip == 1 };",
      {{Kind::kUnsafeOptionalAttributeAccess, "policy0", 2, 33}});
  // Under `||` only what both sides prove is known.
  require_errors(
      "permit(principal, action == Action::\"read\", resource)\n"
      "when { (principal has age || principal has address) && principal.age > 1 };",
      {{Kind::kUnsafeOptionalAttributeAccess, "policy0", 2, 56}});
  require_errors(
      "permit(principal, action == Action::\"read\", resource)\n"
      "when { context.mfa };",
      {{Kind::kUnsafeOptionalAttributeAccess, "policy0", 2, 8}});
}

TEST_CASE("UnsafeTagAccess: getTag without hasTag", "[validator]") {
  require_errors(
      "permit(principal, action == Action::\"read\", resource)\n"
      "when { principal.getTag(\"team\") == \"a\" };",
      {{Kind::kUnsafeTagAccess, "policy0", 2, 8}});
  // hasTag on another tag, or an attribute test, does not count.
  require_errors(
      "permit(principal, action == Action::\"read\", resource)\n"
      "when { principal.hasTag(\"x\") && principal.getTag(\"y\") == \"a\" };",
      {{Kind::kUnsafeTagAccess, "policy0", 2, 33}});
  require_errors(
      "permit(principal, action == Action::\"read\", resource)\n"
      "when { principal has name && principal.getTag(\"name\") == \"a\" };",
      {{Kind::kUnsafeTagAccess, "policy0", 2, 30}});
}

TEST_CASE("NoTagsAllowed: tags on a type without tags", "[validator]") {
  // As in the reference, a type without tags makes `hasTag` the singleton False, so a
  // guarded `getTag` is never reached; an unguarded one is an UnsafeTagAccess. The
  // NoTagsAllowed kind exists for parity and cannot arise from strict typing of policies.
  require_passes(
      "permit(principal, action == Action::\"admin\", resource)\n"
      "when { resource.hasTag(\"k\") || true };");
  // The guarded form passes, and can never apply.
  ValidationResult guarded = validate_text(
      "permit(principal, action == Action::\"admin\", resource)\n"
      "when { resource.hasTag(\"k\") && resource.getTag(\"k\") == 1 };");
  INFO(describe(guarded));
  CHECK(guarded.passed());
  REQUIRE(guarded.warnings.size() == 1);
  CHECK(guarded.warnings[0].kind == Kind::kImpossiblePolicy);
  require_errors(
      "permit(principal, action == Action::\"admin\", resource)\n"
      "when { resource.getTag(\"k\") == 1 };",
      {{Kind::kUnsafeTagAccess, "policy0", 2, 8}});
  CHECK(kind_name(Kind::kNoTagsAllowed) == "NoTagsAllowed");
}

TEST_CASE("UndefinedFunction and WrongNumberArguments", "[validator]") {
  require_errors(
      "permit(principal, action == Action::\"read\", resource)\n"
      "when { ip(\"10.0.0.1\", \"8\").isLoopback() };",
      {{Kind::kWrongNumberArguments, "policy0", 2, 8}});
  require_errors(
      "permit(principal, action == Action::\"read\", resource)\n"
      "when { context.ip.isInRange() };",
      {{Kind::kWrongNumberArguments, "policy0", 2, 8}});
  // The parser refuses unknown functions; an AST from elsewhere may still name one.
  std::vector<ast::Policy> policies = parse(
      "permit(principal, action == Action::\"read\", resource)\n"
      "when { context.ip.isLoopback() };");
  ast::Expr& call = *policies[0].conditions[0].body;
  REQUIRE(call.kind == ast::ExprKind::kCall);
  call.text = "isLocalhost";
  ValidationResult result = validate(test_schema(), policies);
  INFO(describe(result));
  REQUIRE(result.errors.size() == 1);
  CHECK(result.errors[0].kind == Kind::kUndefinedFunction);
  CHECK(result.errors[0].policy_id == "policy0");
  CHECK(result.errors[0].loc.line == 2);
  CHECK(result.errors[0].loc.column == 8);
}

TEST_CASE("FunctionArgumentValidation: an invalid constructor literal", "[validator]") {
  require_errors(
      "permit(principal, action == Action::\"read\", resource)\n"
      "when { context.ip.isInRange(ip(\"10.0.0.0/33\")) };",
      {{Kind::kFunctionArgumentValidation, "policy0", 2, 29}});
  require_errors(
      "permit(principal, action, resource)\n"
      "when { decimal(\"1.23456\") == decimal(\"1.0\") };",
      {{Kind::kFunctionArgumentValidation, "policy0", 2, 8}});
  require_errors(
      "permit(principal, action, resource)\n"
      "when { datetime(\"2024-13-01\") < datetime(\"2024-01-01\") };",
      {{Kind::kFunctionArgumentValidation, "policy0", 2, 8}});
}

TEST_CASE("NonLitExtConstructor: a constructor on a computed string", "[validator]") {
  require_errors(
      "permit(principal, action == Action::\"read\", resource)\n"
      "when { ip(principal.name).isIpv4() };",
      {{Kind::kNonLitExtConstructor, "policy0", 2, 8}});
}

TEST_CASE("EmptySetForbidden: `[]` in strict mode", "[validator]") {
  require_errors(
      "permit(principal, action == Action::\"read\", resource)\n"
      "when { principal.roles.containsAny([]) };",
      {{Kind::kEmptySetForbidden, "policy0", 2, 36}});
}

TEST_CASE("InvalidEnumEntity: a value an enum type does not declare", "[validator]") {
  require_errors(
      "permit(principal, action == Action::\"paint\", resource)\n"
      "when { context.color == Color::\"blue\" };",
      {{Kind::kInvalidEnumEntity, "policy0", 2, 25}});
  require_passes(
      "permit(principal, action == Action::\"paint\", resource)\n"
      "when { context.color == Color::\"red\" };");
}

TEST_CASE("HierarchyNotRespected is named but never reported", "[validator]") {
  // The reference keeps the kind and documents it as unreachable; `in` between types the
  // hierarchy cannot relate is just false.
  CHECK(kind_name(Kind::kHierarchyNotRespected) == "HierarchyNotRespected");
  require_passes(
      "permit(principal, action == Action::\"read\", resource)\n"
      "when { principal in Org::\"o\" || resource in principal };");
}

TEST_CASE("errors name each policy; the same error in many environments is listed once",
          "[validator]") {
  ValidationResult result = validate_text(
      "permit(principal, action in [Action::\"write\", Action::\"paint\"], resource)\n"
      "when { principal.age > 1 };\n"
      "permit(principal, action, resource) when { resource.public };");
  INFO(describe(result));
  REQUIRE(result.errors.size() == 2);
  CHECK(result.errors[0].policy_id == "policy0");
  CHECK(result.errors[0].kind == Kind::kUnsafeOptionalAttributeAccess);
  CHECK(result.errors[1].policy_id == "policy1");
  CHECK(result.errors[1].kind == Kind::kUnsafeAttributeAccess);
  CHECK(result.errors[1].message ==
        "for policy `policy1`, attribute `public` on entity type `Folder` not found");
}

// ---- passing policies -----------------------------------------------------------------

TEST_CASE("an optional attribute guarded by `has` typechecks", "[validator]") {
  require_passes(
      "permit(principal, action == Action::\"read\", resource)\n"
      "when { principal has age && principal.age > 3 };");
  require_passes(
      "permit(principal, action == Action::\"read\", resource)\n"
      "unless { principal has age && principal.age < 18 };");
  // The dotted form guards every step.
  require_passes(
      "permit(principal, action == Action::\"read\", resource)\n"
      "when { principal has address.zip && principal.address.zip == 12345 };");
  require_passes(
      "permit(principal, action == Action::\"read\", resource)\n"
      "when { principal has manager && principal.manager has age &&\n"
      "       principal.manager.age > 40 };");
  // A `has` in one `when` clause guards the next.
  require_passes(
      "permit(principal, action == Action::\"read\", resource)\n"
      "when { context has mfa } when { context.mfa };");
  // What both sides of `||` prove is known after it.
  require_passes(
      "permit(principal, action == Action::\"read\", resource)\n"
      "when { (principal has age && principal.age > 1 || principal has age) &&\n"
      "       principal.age < 99 };");
}

TEST_CASE("if-then-else: guards flow into the branch, branches share a type", "[validator]") {
  require_passes(
      "permit(principal, action == Action::\"read\", resource)\n"
      "when { if principal has age then principal.age > 3 else false };");
  require_passes(
      "permit(principal, action == Action::\"read\", resource)\n"
      "when { (if principal has age then principal.age else 0) >= 18 };");
  // A branch that cannot be taken is not examined.
  require_passes(
      "permit(principal, action, resource)\n"
      "when { if false then principal.nope else true };");
}

TEST_CASE("action groups: `in` a group covers its members", "[validator]") {
  // `admin` is in `read`; only it applies to Robots and only on Folders.
  require_passes(
      "permit(principal is Robot, action in Action::\"read\", resource is Folder)\n"
      "when { principal.model == \"r2\" };");
  require_passes(
      "permit(principal, action in [Action::\"read\"], resource)\n"
      "when { action in Action::\"read\" && resource in Folder::\"root\" };");
  // In environments of other actions the conditions are not examined.
  require_passes(
      "permit(principal, action, resource)\n"
      "when { action == Action::\"paint\" && context.color == Color::\"red\" };");
}

TEST_CASE("`is` narrows the environments a condition is checked in", "[validator]") {
  require_passes(
      "permit(principal is User, action, resource)\n"
      "when { principal.name == \"alice\" };");
  require_passes(
      "permit(principal, action, resource)\n"
      "when { principal is User && principal.name == \"alice\" };");
  require_passes(
      "permit(principal, action, resource is Doc in Folder::\"f\")\n"
      "when { resource.owner == principal };");
  require_passes(
      "permit(principal, action, resource)\n"
      "when { resource is Doc in Folder::\"f\" && resource.public };");
}

TEST_CASE("tags guarded by hasTag typecheck with the declared tag type", "[validator]") {
  require_passes(
      "permit(principal, action == Action::\"read\", resource)\n"
      "when { principal.hasTag(\"team\") && principal.getTag(\"team\") == \"a\" };");
  require_passes(
      "permit(principal, action == Action::\"read\", resource is Doc)\n"
      "when { resource.hasTag(principal.name) &&\n"
      "       resource.getTag(principal.name) > 2 };");
  require_errors(
      "permit(principal, action == Action::\"read\", resource is Doc)\n"
      "when { resource.hasTag(\"n\") && resource.getTag(\"n\") == \"2\" };",
      {{Kind::kIncompatibleTypes, "policy0", 2, 32}});
}

TEST_CASE("extension values: literals, methods and comparisons", "[validator]") {
  require_passes(
      "permit(principal, action == Action::\"read\", resource is Doc)\n"
      "when { context.ip.isInRange(ip(\"10.0.0.0/8\")) &&\n"
      "       resource.score.greaterThan(decimal(\"0.5\")) &&\n"
      "       principal.since < datetime(\"2024-01-01\") &&\n"
      "       principal.since.offset(duration(\"1d\")) > datetime(\"2024-01-01\") };");
}

TEST_CASE("templates are checked for every type their slots may take", "[validator]") {
  require_passes(
      "permit(principal in ?principal, action == Action::\"read\",\n"
      "       resource is Doc in ?resource)\n"
      "when { resource.owner == principal };");
  require_errors(
      "permit(principal == ?principal, action == Action::\"read\", resource)\n"
      "when { principal.nope };",
      {{Kind::kUnsafeAttributeAccess, "policy0", 2, 8}});
}

TEST_CASE("a policy that can never apply is a warning, not an error", "[validator]") {
  ValidationResult result =
      validate_text("permit(principal, action == Action::\"read\", resource) when { false };");
  INFO(describe(result));
  CHECK(result.passed());
  REQUIRE(result.warnings.size() == 1);
  CHECK(result.warnings[0].kind == Kind::kImpossiblePolicy);
  CHECK(result.warnings[0].policy_id == "policy0");
}

TEST_CASE("a PolicySet: static policies, templates and their links", "[validator]") {
  Result<PolicySet> set = PolicySet::parse(
      "permit(principal, action == Action::\"read\", resource) when { principal.age > 1 };\n"
      "permit(principal == ?principal, action == Action::\"read\", resource in ?resource);",
      "test.cedar");
  REQUIRE(set.ok());
  REQUIRE(set->link("policy1", "ok-link",
                    SlotBindings{ast::EntityRef{"User", "alice"}, ast::EntityRef{"Folder", "f"}})
              .ok());
  REQUIRE(set->link("policy1", "robot-link",
                    SlotBindings{ast::EntityRef{"Robot", "r"}, ast::EntityRef{"Folder", "f"}})
              .ok());
  REQUIRE(set->link("policy1", "unknown-link",
                    SlotBindings{ast::EntityRef{"Droid", "d"}, ast::EntityRef{"Folder", "f"}})
              .ok());
  Validator validator(test_schema());
  ValidationResult result = validator.validate(*set);
  INFO(describe(result));
  REQUIRE(result.errors.size() == 4);
  CHECK(result.errors[0].policy_id == "policy0");
  CHECK(result.errors[0].kind == Kind::kUnsafeOptionalAttributeAccess);
  CHECK(result.errors[1].policy_id == "robot-link");
  CHECK(result.errors[1].kind == Kind::kInvalidActionApplication);
  CHECK(result.errors[2].policy_id == "unknown-link");
  CHECK(result.errors[2].kind == Kind::kUnrecognizedEntityType);
  CHECK(result.errors[3].policy_id == "unknown-link");
  CHECK(result.errors[3].kind == Kind::kInvalidActionApplication);
}

// ---- the type lattice -----------------------------------------------------------------

TEST_CASE("strict least upper bounds", "[validator]") {
  Type user = Type::entity("User");
  Type robot = Type::entity("Robot");
  LubFailure why = LubFailure::kNone;
  CHECK_FALSE(least_upper_bound(user, robot, Mode::kStrict, &why).has_value());
  CHECK(why == LubFailure::kEntityType);
  CHECK(least_upper_bound(user, robot, Mode::kPermissive) == Type::entity_union({"Robot", "User"}));
  CHECK(least_upper_bound(Type::singleton(true), Type::singleton(false), Mode::kStrict) ==
        Type::boolean());
  auto record = [](bool required) {
    Attributes attrs;
    attrs.emplace("a", AttributeType{std::make_shared<const Type>(Type::long_type()), required});
    return Type::record(std::move(attrs));
  };
  CHECK_FALSE(least_upper_bound(record(true), record(false), Mode::kStrict, &why).has_value());
  CHECK(why == LubFailure::kAttributeQualifier);
  CHECK_FALSE(least_upper_bound(record(true), Type::record({}), Mode::kStrict, &why).has_value());
  CHECK(why == LubFailure::kRecordWidth);
  CHECK(is_subtype(record(true), Type::any_record(), Mode::kPermissive));
  CHECK_FALSE(is_subtype(record(true), Type::any_record(), Mode::kStrict));
  CHECK(to_string(Type::set(record(false))) == "Set<{a?: Long,}>");
}

// ---- request validation ---------------------------------------------------------------

struct RequestFixture {
  Arena arena;

  Value context(std::vector<RecordField> fields) {
    return Value::make_record(arena, std::span<RecordField>(fields));
  }
  Request request(std::string_view principal_type, std::string_view action,
                  std::string_view resource_type, Value context_value) {
    return Request{EntityUid::view(principal_type, "p"), EntityUid::view("Action", action),
                   EntityUid::view(resource_type, "r"), context_value};
  }
};

std::string request_error(const Request& request) {
  std::optional<RequestValidationError> error = validate_request(test_schema(), request);
  return error ? std::string(kind_name(error->kind)) + ": " + error->message : "valid";
}

TEST_CASE("validate_request: scope types, the action and the context", "[validator]") {
  RequestFixture f;
  std::optional<ext::IpAddr> ip_value = ext::parse_ipaddr("10.0.0.1");
  REQUIRE(ip_value.has_value());
  Value ip = Value::ipaddr(f.arena.make<ext::IpAddr>(*ip_value));
  Value good = f.context({{"ip", ip}});
  CHECK(request_error(f.request("User", "read", "Doc", good)) == "valid");
  CHECK(request_error(f.request("User", "read", "Doc",
                                f.context({{"ip", ip}, {"mfa", Value::boolean(true)}}))) ==
        "valid");
  CHECK(request_error(f.request("Droid", "read", "Doc", good))
            .starts_with("UndeclaredPrincipalType"));
  CHECK(request_error(f.request("User", "read", "Paper", good))
            .starts_with("UndeclaredResourceType"));
  CHECK(request_error(f.request("User", "delete", "Doc", good)).starts_with("UndeclaredAction"));
  CHECK(request_error(f.request("Robot", "read", "Doc", good)).starts_with("InvalidPrincipalType"));
  CHECK(request_error(f.request("User", "admin", "Doc", f.context({})))
            .starts_with("InvalidResourceType"));
  // Context: a required attribute missing, an undeclared one, a wrong type.
  CHECK(
      request_error(f.request("User", "read", "Doc", f.context({}))).starts_with("InvalidContext"));
  CHECK(request_error(
            f.request("User", "read", "Doc", f.context({{"ip", ip}, {"extra", Value::integer(1)}})))
            .starts_with("InvalidContext"));
  CHECK(request_error(
            f.request("User", "read", "Doc", f.context({{"ip", Value::string("10.0.0.1")}})))
            .starts_with("InvalidContext"));
  // Enumerated entities must use a declared value.
  Value red = Value::entity(EntityUid::make(f.arena, "Color", "red"));
  Value blue = Value::entity(EntityUid::make(f.arena, "Color", "blue"));
  CHECK(request_error(f.request("User", "paint", "Doc", f.context({{"color", red}}))) == "valid");
  CHECK(request_error(f.request("User", "paint", "Doc", f.context({{"color", blue}})))
            .starts_with("InvalidEnumEntity"));
}

}  // namespace
}  // namespace crossgate::cedar::validator
