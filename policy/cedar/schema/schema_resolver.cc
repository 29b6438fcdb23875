#include "policy/cedar/schema/schema_resolver.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <set>
#include <string_view>
#include <utility>

#include "policy/cedar/schema/schema_names.h"
#include "policy/cedar/value/value.h"

namespace crossgate::cedar {

namespace {

namespace names = schema_names;
using schema_ast::Fragment;

// Resolution recurses once per type level and once per common type it passes through; a
// long enough chain of aliases (`type A1 = A2; type A2 = A3; ...`) must still not exhaust
// the stack.
constexpr int kMaxResolveFrames = 4 * schema_ast::kMaxTypeDepth;
// Inlining shares subtrees, but whoever walks or prints the result sees every node; cap
// the unshared size so that `type T2 = {a: T1, b: T1}; type T3 = {a: T2, b: T2}; ...`
// cannot describe an exponentially large type.
constexpr std::uint64_t kMaxInlinedSize = 1u << 20;

constexpr std::array<std::string_view, 4> kExtensionTypes = {"ipaddr", "decimal", "datetime",
                                                             "duration"};
constexpr std::array<std::string_view, 3> kPrimitiveTypes = {"Bool", "Long", "String"};

SchemaTypePtr make_type(SchemaType::Kind kind, std::string name = {}) {
  auto type = std::make_shared<SchemaType>();
  type->kind = kind;
  type->name = std::move(name);
  return type;
}

// The built-in types, shared by every schema (they are immutable).
SchemaTypePtr builtin_type(std::string_view name) {
  static const SchemaTypePtr kBool = make_type(SchemaType::Kind::kBool);
  static const SchemaTypePtr kLong = make_type(SchemaType::Kind::kLong);
  static const SchemaTypePtr kString = make_type(SchemaType::Kind::kString);
  static const std::array<SchemaTypePtr, 4> kExtensions = {
      make_type(SchemaType::Kind::kExtension, "ipaddr"),
      make_type(SchemaType::Kind::kExtension, "decimal"),
      make_type(SchemaType::Kind::kExtension, "datetime"),
      make_type(SchemaType::Kind::kExtension, "duration")};
  if (name == "Bool") return kBool;
  if (name == "Long") return kLong;
  if (name == "String") return kString;
  for (std::size_t i = 0; i < kExtensionTypes.size(); ++i) {
    if (name == kExtensionTypes[i]) return kExtensions[i];
  }
  return nullptr;
}

SchemaTypePtr empty_record() {
  static const SchemaTypePtr kEmpty = make_type(SchemaType::Kind::kRecord);
  return kEmpty;
}

std::string backticked(std::string_view text) {
  return "`" + std::string(text) + "`";
}

std::string uid_text(const ActionRef& uid) {
  std::string out = uid.type + "::\"";
  append_escaped(out, uid.id);
  out += '"';
  return out;
}

// `action "view"` in the empty namespace, `action NS::Action::"view"` elsewhere.
std::string action_label(const ActionRef& uid) {
  if (uid.type == "Action") {
    std::string out = "action \"";
    append_escaped(out, uid.id);
    return out + '"';
  }
  return "action " + uid_text(uid);
}

std::string position(const Fragment& fragment, SourceLoc loc) {
  std::string out = fragment.source.empty() ? "<input>" : fragment.source;
  if (loc.line != 0) out += ":" + std::to_string(loc.line) + ":" + std::to_string(loc.column);
  return out;
}

std::uint64_t add_saturating(std::uint64_t a, std::uint64_t b) {
  return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

// A resolved type with the facts needed to enforce the limits above.
struct Built {
  SchemaTypePtr type;
  int height = 1;
  std::uint64_t size = 1;
};

class Resolver {
 public:
  explicit Resolver(const std::vector<Fragment>& fragments) : fragments_(fragments) {}

  Result<ResolvedSchema> run() {
    if (!collect() || !check_shadowing()) return Error{error_};
    add_builtins();
    if (!resolve_common_types() || !resolve_entity_types() || !resolve_actions() ||
        !check_action_cycles()) {
      return Error{error_};
    }
    return std::move(out_);
  }

 private:
  struct EntityDef {
    const schema_ast::EntityType* decl;
    const Fragment* fragment;
    std::string ns;
    std::string name;
  };
  struct CommonDef {
    const schema_ast::CommonType* decl = nullptr;  // nullptr for the built-in types
    const Fragment* fragment = nullptr;
    std::string ns;
    enum class State : unsigned char { kPending, kResolving, kDone } state = State::kPending;
    Built built;
  };
  struct ActionDef {
    const schema_ast::Action* decl;
    const Fragment* fragment;
    std::string ns;
    ActionRef uid;
  };
  // What is being resolved, for messages: "the shape of entity type `User`".
  struct Site {
    const Fragment* fragment;
    const std::string* ns;
    std::string what;
    std::vector<std::string> attribute_path;
  };
  enum class Want : unsigned char { kCommon, kEntity, kCommonOrEntity };
  struct Found {
    bool common;
    std::string name;
  };

  bool fail(const Fragment& fragment, SourceLoc loc, std::string_view message) {
    error_ = format_at(fragment.source, loc, message);
    return false;
  }

  // "<problem> in <site>", naming the attribute when inside a record.
  bool fail_in(const Site& site, SourceLoc loc, std::string_view problem) {
    std::string message = std::string(problem) + " in " + site.what;
    if (!site.attribute_path.empty()) {
      message += " (attribute ";
      for (std::size_t i = 0; i < site.attribute_path.size(); ++i) {
        if (i > 0) message += '.';
        message += site.attribute_path[i];
      }
      message += ')';
    }
    return fail(*site.fragment, loc, message);
  }

  static std::string action_key(std::string_view type, std::string_view id) {
    std::string key(type);
    key += '\x1f';
    key += id;
    return key;
  }

  // Gathers every declaration under its fully qualified name, refusing duplicates and
  // names that are reserved.
  bool collect() {
    for (const Fragment& fragment : fragments_) {
      for (const schema_ast::Namespace& ns : fragment.namespaces) {
        if (!ns.name.empty() && names::mentions_cedar_namespace(ns.name)) {
          return fail(fragment, ns.loc,
                      "namespace " + backticked(ns.name) + " uses the reserved name `__cedar`");
        }
        for (const schema_ast::EntityType& decl : ns.entity_types) {
          if (!collect_entity_type(fragment, ns, decl)) return false;
        }
        for (const schema_ast::CommonType& decl : ns.common_types) {
          if (!collect_common_type(fragment, ns, decl)) return false;
        }
        for (const schema_ast::Action& decl : ns.actions) {
          if (!collect_action(fragment, ns, decl)) return false;
        }
      }
    }
    return true;
  }

  bool collect_entity_type(const Fragment& fragment, const schema_ast::Namespace& ns,
                           const schema_ast::EntityType& decl) {
    const std::string& basename = decl.name.text;
    if (basename == names::kCedarNamespace) {
      return fail(fragment, decl.name.loc, "`__cedar` is reserved and cannot name an entity type");
    }
    if (basename == "Action") {
      return fail(fragment, decl.name.loc,
                  "`Action` cannot be declared as an entity type; declare actions with `action`");
    }
    std::string name = names::qualify(ns.name, basename);
    if (auto it = entity_index_.find(name); it != entity_index_.end()) {
      const EntityDef& first = entities_[it->second];
      return fail(fragment, decl.name.loc,
                  "entity type " + backticked(name) + " is declared twice (first at " +
                      position(*first.fragment, first.decl->name.loc) + ")");
    }
    entity_index_.emplace(name, entities_.size());
    entities_.push_back({&decl, &fragment, ns.name, std::move(name)});
    return true;
  }

  bool collect_common_type(const Fragment& fragment, const schema_ast::Namespace& ns,
                           const schema_ast::CommonType& decl) {
    const std::string& basename = decl.name.text;
    if (basename == names::kCedarNamespace) {
      return fail(fragment, decl.name.loc, "`__cedar` is reserved and cannot name a common type");
    }
    if (names::is_reserved_common_type_name(basename)) {
      return fail(
          fragment, decl.name.loc,
          backticked(basename) + " is a reserved schema keyword and cannot name a common type");
    }
    std::string name = names::qualify(ns.name, basename);
    auto [it, inserted] = commons_.try_emplace(name);
    if (!inserted) {
      return fail(fragment, decl.name.loc,
                  "common type " + backticked(name) + " is declared twice (first at " +
                      position(*it->second.fragment, it->second.decl->name.loc) + ")");
    }
    it->second.decl = &decl;
    it->second.fragment = &fragment;
    it->second.ns = ns.name;
    common_order_.push_back(std::move(name));
    return true;
  }

  bool collect_action(const Fragment& fragment, const schema_ast::Namespace& ns,
                      const schema_ast::Action& decl) {
    ActionRef uid{names::action_type_of(ns.name), decl.name.text};
    auto [it, inserted] = action_index_.emplace(action_key(uid.type, uid.id), actions_.size());
    if (!inserted) {
      const ActionDef& first = actions_[it->second];
      return fail(fragment, decl.name.loc,
                  action_label(uid) + " is declared twice (first at " +
                      position(*first.fragment, first.decl->name.loc) + ")");
    }
    action_types_.insert(uid.type);
    actions_.push_back({&decl, &fragment, ns.name, std::move(uid)});
    return true;
  }

  // RFC 70: nothing declared in a namespace may share its basename with an entity type,
  // common type or action of the empty namespace, so unqualified names never change
  // meaning when a namespace grows.
  bool check_shadowing() {
    std::map<std::string, std::pair<const Fragment*, SourceLoc>, std::less<>> empty_types;
    std::map<std::string, std::pair<const Fragment*, SourceLoc>, std::less<>> empty_actions;
    for (const EntityDef& def : entities_) {
      if (def.ns.empty()) empty_types.try_emplace(def.name, def.fragment, def.decl->name.loc);
    }
    for (const auto& [name, def] : commons_) {
      if (def.ns.empty()) empty_types.try_emplace(name, def.fragment, def.decl->name.loc);
    }
    for (const ActionDef& def : actions_) {
      if (def.ns.empty()) {
        empty_actions.try_emplace(def.uid.id, def.fragment, def.decl->name.loc);
      }
    }
    auto shadows = [&](const Fragment& fragment, SourceLoc loc, const std::string& what,
                       const std::string& shadowed, std::pair<const Fragment*, SourceLoc> at) {
      return fail(fragment, loc,
                  what + " shadows " + shadowed + " of the empty namespace (declared at " +
                      position(*at.first, at.second) + "); rename one of them");
    };
    for (const EntityDef& def : entities_) {
      if (def.ns.empty()) continue;
      if (auto it = empty_types.find(def.decl->name.text); it != empty_types.end()) {
        return shadows(*def.fragment, def.decl->name.loc, "entity type " + backticked(def.name),
                       backticked(it->first), it->second);
      }
    }
    for (const std::string& name : common_order_) {
      const CommonDef& def = commons_.at(name);
      if (def.ns.empty()) continue;
      if (auto it = empty_types.find(def.decl->name.text); it != empty_types.end()) {
        return shadows(*def.fragment, def.decl->name.loc, "common type " + backticked(name),
                       backticked(it->first), it->second);
      }
    }
    for (const ActionDef& def : actions_) {
      if (def.ns.empty()) continue;
      if (auto it = empty_actions.find(def.uid.id); it != empty_actions.end()) {
        return shadows(*def.fragment, def.decl->name.loc, action_label(def.uid),
                       action_label(ActionRef{"Action", def.uid.id}), it->second);
      }
    }
    return true;
  }

  // The built-in types live in `__cedar`; the empty namespace also gets an alias for each
  // one that the schema does not declare itself (RFC 52), so `Long` usually means
  // `__cedar::Long` but a user's own `entity Long` wins.
  void add_builtins() {
    auto add = [&](std::string name, std::string_view builtin) {
      CommonDef& def = commons_[std::move(name)];
      def.state = CommonDef::State::kDone;
      def.built = Built{builtin_type(builtin), 1, 1};
    };
    auto add_both = [&](std::string_view builtin) {
      add(names::qualify(names::kCedarNamespace, builtin), builtin);
      if (!entity_index_.contains(builtin) && !commons_.contains(std::string(builtin))) {
        add(std::string(builtin), builtin);
      }
    };
    for (std::string_view name : kPrimitiveTypes)
      add_both(name);
    for (std::string_view name : kExtensionTypes)
      add_both(name);
  }

  // RFC 24 lookup: an unqualified name is tried in the current namespace, then in the
  // empty one; at each step a common type wins over an entity type.
  std::optional<Found> lookup(std::string_view written, const std::string& ns, Want want,
                              bool action_types_count) const {
    std::vector<std::string> candidates;
    if (names::is_unqualified(written) && !ns.empty()) {
      candidates.push_back(names::qualify(ns, written));
    }
    candidates.emplace_back(written);
    for (std::string& candidate : candidates) {
      if (want != Want::kEntity && commons_.contains(candidate)) {
        return Found{true, std::move(candidate)};
      }
      if (want != Want::kCommon && (entity_index_.contains(candidate) ||
                                    (action_types_count && action_types_.contains(candidate)))) {
        return Found{false, std::move(candidate)};
      }
    }
    return std::nullopt;
  }

  SchemaTypePtr entity_type(const std::string& name) {
    SchemaTypePtr& type = entity_types_[name];
    if (!type) type = make_type(SchemaType::Kind::kEntity, name);
    return type;
  }

  std::optional<Built> check_limits(Built built, const Site& site, SourceLoc loc) {
    if (built.height > schema_ast::kMaxTypeDepth) {
      fail_in(site, loc,
              "types nest more than " + std::to_string(schema_ast::kMaxTypeDepth) +
                  " levels deep once common types are inlined");
      return std::nullopt;
    }
    if (built.size > kMaxInlinedSize) {
      fail_in(site, loc, "a type is too large once common types are inlined");
      return std::nullopt;
    }
    return built;
  }

  std::optional<Built> resolve_type(const schema_ast::Type& raw, Site& site, int frames) {
    using Kind = schema_ast::Type::Kind;
    if (frames > kMaxResolveFrames) {
      fail_in(site, raw.loc, "types nest too deeply through common types");
      return std::nullopt;
    }
    switch (raw.kind) {
      case Kind::kBool: return Built{builtin_type("Bool")};
      case Kind::kLong: return Built{builtin_type("Long")};
      case Kind::kString: return Built{builtin_type("String")};
      case Kind::kSet: {
        std::optional<Built> element = resolve_type(*raw.element, site, frames + 1);
        if (!element) return std::nullopt;
        auto type = std::make_shared<SchemaType>();
        type->kind = SchemaType::Kind::kSet;
        type->element = element->type;
        return check_limits(Built{std::move(type), element->height + 1, element->size + 1}, site,
                            raw.loc);
      }
      case Kind::kRecord: {
        auto type = std::make_shared<SchemaType>();
        type->kind = SchemaType::Kind::kRecord;
        Built built{nullptr, 1, 1};
        for (const schema_ast::Attribute& attribute : raw.attributes) {
          site.attribute_path.push_back(attribute.name);
          std::optional<Built> attribute_type = resolve_type(*attribute.type, site, frames + 1);
          site.attribute_path.pop_back();
          if (!attribute_type) return std::nullopt;
          built.height = std::max(built.height, attribute_type->height + 1);
          built.size = add_saturating(built.size, attribute_type->size);
          type->attributes[attribute.name] =
              SchemaAttribute{attribute_type->type, attribute.required, attribute.annotations};
        }
        built.type = std::move(type);
        return check_limits(std::move(built), site, raw.loc);
      }
      case Kind::kExtension: {
        SchemaTypePtr type = nullptr;
        for (std::string_view name : kExtensionTypes) {
          if (raw.name.text == name) type = builtin_type(name);
        }
        if (!type) {
          fail_in(site, raw.name.loc, "unknown extension type " + backticked(raw.name.text));
          return std::nullopt;
        }
        return Built{std::move(type)};
      }
      case Kind::kEntity:
      case Kind::kEntityOrCommon:
      case Kind::kCommon: {
        const Want want = raw.kind == Kind::kEntity   ? Want::kEntity
                          : raw.kind == Kind::kCommon ? Want::kCommon
                                                      : Want::kCommonOrEntity;
        std::optional<Found> found = lookup(raw.name.text, *site.ns, want, true);
        if (!found) {
          const char* kind = want == Want::kEntity   ? "entity type"
                             : want == Want::kCommon ? "common type"
                                                     : "common or entity type";
          fail_in(site, raw.name.loc,
                  std::string("undeclared ") + kind + " " + backticked(raw.name.text));
          return std::nullopt;
        }
        if (!found->common) return Built{entity_type(found->name)};
        return resolve_common(found->name, raw.name.loc, site, frames + 1);
      }
    }
    return std::nullopt;
  }

  std::optional<Built> resolve_common(const std::string& name, SourceLoc ref_loc, const Site& site,
                                      int frames) {
    CommonDef& def = commons_.at(name);
    if (def.state == CommonDef::State::kDone) return def.built;
    if (def.state == CommonDef::State::kResolving) {
      std::string chain;
      auto start = std::find(resolving_.begin(), resolving_.end(), name);
      for (auto it = start; it != resolving_.end(); ++it)
        chain += backticked(*it) + " -> ";
      chain += backticked(name);
      fail(*site.fragment, ref_loc,
           "common type " + backticked(name) + " is defined in terms of itself: " + chain);
      return std::nullopt;
    }
    def.state = CommonDef::State::kResolving;
    resolving_.push_back(name);
    Site inner{def.fragment, &def.ns, "common type " + backticked(name), {}};
    std::optional<Built> built = resolve_type(*def.decl->type, inner, frames);
    resolving_.pop_back();
    if (!built) return std::nullopt;
    def.built = *built;
    def.state = CommonDef::State::kDone;
    return built;
  }

  // Every common type is resolved, used or not, so that mistakes in unused ones are
  // reported too.
  bool resolve_common_types() {
    for (const std::string& name : common_order_) {
      const CommonDef& def = commons_.at(name);
      Site site{def.fragment, &def.ns, "common type " + backticked(name), {}};
      if (!resolve_common(name, def.decl->name.loc, site, 0)) return false;
    }
    return true;
  }

  // A shape or context: any type that comes out as a record.
  std::optional<SchemaTypePtr> resolve_record(const schema_ast::TypePtr& raw, Site site) {
    if (!raw) return empty_record();
    std::optional<Built> built = resolve_type(*raw, site, 0);
    if (!built) return std::nullopt;
    if (built->type->kind != SchemaType::Kind::kRecord) {
      fail(*site.fragment, raw->loc,
           site.what + " must be a record type, not " + to_string(*built->type));
      return std::nullopt;
    }
    return built->type;
  }

  // An entity type list (`in`, `principal`, `resource`): only declared entity types.
  bool resolve_entity_list(const std::vector<schema_ast::Name>& written, const Site& site,
                           std::vector<std::string>& out) {
    for (const schema_ast::Name& name : written) {
      std::optional<Found> found = lookup(name.text, *site.ns, Want::kEntity, false);
      if (!found) {
        return fail(*site.fragment, name.loc,
                    "undeclared entity type " + backticked(name.text) + " in " + site.what);
      }
      if (std::find(out.begin(), out.end(), found->name) == out.end()) {
        out.push_back(std::move(found->name));
      }
    }
    return true;
  }

  bool resolve_entity_types() {
    for (const EntityDef& def : entities_) {
      const schema_ast::EntityType& decl = *def.decl;
      const std::string label = "entity type " + backticked(def.name);
      EntityTypeDecl out;
      out.name = def.name;
      out.annotations = decl.annotations;
      out.source = def.fragment->source;
      out.loc = decl.name.loc;
      out.shape = empty_record();
      if (decl.enum_ids) {
        out.enum_ids = decl.enum_ids;
      } else {
        if (!resolve_entity_list(decl.parents,
                                 {def.fragment, &def.ns, "the parents of " + label, {}},
                                 out.parent_types)) {
          return false;
        }
        std::optional<SchemaTypePtr> shape =
            resolve_record(decl.shape, {def.fragment, &def.ns, "the shape of " + label, {}});
        if (!shape) return false;
        out.shape = std::move(*shape);
        if (decl.tags) {
          Site site{def.fragment, &def.ns, "the tags of " + label, {}};
          std::optional<Built> tags = resolve_type(*decl.tags, site, 0);
          if (!tags) return false;
          out.tags = tags->type;
        }
      }
      out_.entity_types.emplace(def.name, std::move(out));
    }
    return true;
  }

  // An action parent: `Action::"x"`, `NS::Action::"x"` or just "x", tried in the current
  // namespace first, as for types.
  std::optional<std::size_t> find_parent_action(const schema_ast::ActionRef& ref,
                                                const std::string& ns) const {
    std::string_view type = ref.type ? std::string_view(ref.type->text) : "Action";
    std::vector<std::string> candidates;
    if (names::is_unqualified(type) && !ns.empty()) candidates.push_back(names::qualify(ns, type));
    candidates.emplace_back(type);
    for (const std::string& candidate : candidates) {
      if (auto it = action_index_.find(action_key(candidate, ref.id)); it != action_index_.end()) {
        return it->second;
      }
    }
    return std::nullopt;
  }

  bool resolve_actions() {
    parent_indices_.resize(actions_.size());
    for (std::size_t index = 0; index < actions_.size(); ++index) {
      const ActionDef& def = actions_[index];
      const schema_ast::Action& decl = *def.decl;
      const std::string label = action_label(def.uid);
      ActionDecl out;
      out.uid = def.uid;
      out.annotations = decl.annotations;
      out.source = def.fragment->source;
      out.loc = decl.name.loc;
      out.has_applies_to = decl.has_applies_to;
      for (const schema_ast::ActionRef& ref : decl.parents) {
        std::optional<std::size_t> parent = find_parent_action(ref, def.ns);
        if (!parent) {
          ActionRef written{ref.type ? ref.type->text : "Action", ref.id};
          return fail(*def.fragment, ref.loc,
                      "undeclared action " + uid_text(written) + " in the parents of " + label);
        }
        const ActionRef& uid = actions_[*parent].uid;
        if (std::find(out.parents.begin(), out.parents.end(), uid) == out.parents.end()) {
          out.parents.push_back(uid);
          parent_indices_[index].push_back(*parent);
        }
      }
      if (!resolve_entity_list(decl.principal_types,
                               {def.fragment, &def.ns, "the `principal` of " + label, {}},
                               out.principal_types) ||
          !resolve_entity_list(decl.resource_types,
                               {def.fragment, &def.ns, "the `resource` of " + label, {}},
                               out.resource_types)) {
        return false;
      }
      std::optional<SchemaTypePtr> context =
          resolve_record(decl.context, {def.fragment, &def.ns, "the context of " + label, {}});
      if (!context) return false;
      out.context = std::move(*context);
      out_.actions.push_back(std::move(out));
    }
    return true;
  }

  // Actions may not be their own ancestors. Iterative depth-first search, as the
  // hierarchy can be as long as the schema.
  bool check_action_cycles() {
    enum class Color : unsigned char { kWhite, kGray, kBlack };
    std::vector<Color> color(actions_.size(), Color::kWhite);
    std::vector<std::pair<std::size_t, std::size_t>> stack;  // (action, next parent)
    for (std::size_t start = 0; start < actions_.size(); ++start) {
      if (color[start] != Color::kWhite) continue;
      color[start] = Color::kGray;
      stack.emplace_back(start, 0);
      while (!stack.empty()) {
        auto& [action, next] = stack.back();
        if (next == parent_indices_[action].size()) {
          color[action] = Color::kBlack;
          stack.pop_back();
          continue;
        }
        const std::size_t parent = parent_indices_[action][next++];
        if (color[parent] == Color::kWhite) {
          color[parent] = Color::kGray;
          stack.emplace_back(parent, 0);
        } else if (color[parent] == Color::kGray) {
          std::string chain;
          bool in_cycle = false;
          for (const auto& frame : stack) {
            in_cycle = in_cycle || frame.first == parent;
            if (in_cycle) chain += uid_text(actions_[frame.first].uid) + " -> ";
          }
          chain += uid_text(actions_[parent].uid);
          const ActionDef& def = actions_[parent];
          return fail(*def.fragment, def.decl->name.loc,
                      action_label(def.uid) + " is its own ancestor: " + chain);
        }
      }
    }
    return true;
  }

  const std::vector<Fragment>& fragments_;
  std::string error_;

  std::vector<EntityDef> entities_;  // in declaration order
  std::map<std::string, std::size_t, std::less<>> entity_index_;
  std::map<std::string, CommonDef, std::less<>> commons_;
  std::vector<std::string> common_order_;  // user-declared ones, in declaration order
  std::vector<ActionDef> actions_;         // in declaration order
  std::map<std::string, std::size_t, std::less<>> action_index_;  // "type\x1fid"
  std::set<std::string, std::less<>> action_types_;

  std::vector<std::string> resolving_;  // common types being resolved, outermost first
  std::map<std::string, SchemaTypePtr, std::less<>> entity_types_;  // shared Entity<...>
  std::vector<std::vector<std::size_t>> parent_indices_;
  ResolvedSchema out_;
};

}  // namespace

Result<ResolvedSchema> resolve_schema(const std::vector<schema_ast::Fragment>& fragments) {
  return Resolver(fragments).run();
}

}  // namespace crossgate::cedar
