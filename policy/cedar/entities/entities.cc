#include "policy/cedar/entities/entities.h"

#include <algorithm>

namespace crossgate::cedar {

bool Entities::is_in(const EntityUid& descendant, const EntityUid& ancestor) const {
  if (descendant == ancestor) return true;
  const std::uint32_t* position = index_.find(descendant);
  return position != nullptr && is_in(&entities_[*position], descendant, ancestor);
}

bool Entities::is_in(const Entity* descendant_entity, const EntityUid& descendant,
                     const EntityUid& ancestor) const {
  if (descendant == ancestor) return true;
  if (descendant_entity == nullptr || descendant_entity->ancestors.empty()) return false;
  const std::uint32_t* target = index_.find(ancestor);
  if (target == nullptr) return false;
  std::span<const std::uint32_t> ancestors = descendant_entity->ancestors;
  return std::binary_search(ancestors.begin(), ancestors.end(), *target);
}

EntitiesBuilder::EntitiesBuilder() = default;

std::uint32_t EntitiesBuilder::position_of(const EntityUid& uid, bool define) {
  auto next = static_cast<std::uint32_t>(store_.entities_.size());
  if (const std::uint32_t* existing = store_.index_.find(uid)) {
    if (define) store_.entities_[*existing].defined = true;
    return *existing;
  }
  const EntityUid* owned = EntityUid::make(arena(), uid.type, uid.id);
  store_.index_.insert(*owned, next);
  Entity entity;
  entity.uid = owned;
  entity.defined = define;
  store_.entities_.push_back(entity);
  parents_.emplace_back();
  return next;
}

bool EntitiesBuilder::contains(const EntityUid& uid) const {
  const std::uint32_t* position = store_.index_.find(uid);
  return position != nullptr && store_.entities_[*position].defined;
}

Status EntitiesBuilder::add(const EntityUid& uid, Value attrs, std::span<const EntityUid> parents,
                            Value tags) {
  if (contains(uid)) return Error{"duplicate entity " + to_string(uid)};
  std::uint32_t position = position_of(uid, /*define=*/true);
  std::vector<std::uint32_t> direct;
  direct.reserve(parents.size());
  for (const EntityUid& parent : parents)
    direct.push_back(position_of(parent, false));
  Entity& entity = store_.entities_[position];
  entity.attrs = attrs;
  entity.tags = tags;
  parents_[position] = std::move(direct);
  return Ok{};
}

namespace {

// Strongly connected components of the parent graph (Tarjan's algorithm, iterative so
// that deep hierarchies cannot overflow the stack). Components come out in an order where
// every component reachable from C (C's ancestors) is emitted before C.
struct Components {
  std::vector<std::uint32_t> component_of;
  std::vector<std::vector<std::uint32_t>> members;
};

Components strongly_connected(const std::vector<std::vector<std::uint32_t>>& edges) {
  const std::size_t n = edges.size();
  constexpr std::uint32_t kUnvisited = UINT32_MAX;
  std::vector<std::uint32_t> index(n, kUnvisited), low(n, 0);
  std::vector<bool> on_stack(n, false);
  std::vector<std::uint32_t> stack;
  Components out;
  out.component_of.assign(n, 0);
  std::uint32_t counter = 0;
  struct Frame {
    std::uint32_t node;
    std::size_t next_edge;
  };
  std::vector<Frame> frames;
  for (std::uint32_t root = 0; root < n; ++root) {
    if (index[root] != kUnvisited) continue;
    frames.push_back({root, 0});
    index[root] = low[root] = counter++;
    stack.push_back(root);
    on_stack[root] = true;
    while (!frames.empty()) {
      Frame& frame = frames.back();
      std::uint32_t v = frame.node;
      if (frame.next_edge < edges[v].size()) {
        std::uint32_t w = edges[v][frame.next_edge++];
        if (index[w] == kUnvisited) {
          index[w] = low[w] = counter++;
          stack.push_back(w);
          on_stack[w] = true;
          frames.push_back({w, 0});
        } else if (on_stack[w]) {
          low[v] = std::min(low[v], index[w]);
        }
        continue;
      }
      if (low[v] == index[v]) {
        std::vector<std::uint32_t> component;
        std::uint32_t w;
        do {
          w = stack.back();
          stack.pop_back();
          on_stack[w] = false;
          out.component_of[w] = static_cast<std::uint32_t>(out.members.size());
          component.push_back(w);
        } while (w != v);
        out.members.push_back(std::move(component));
      }
      frames.pop_back();
      if (!frames.empty()) {
        std::uint32_t parent = frames.back().node;
        low[parent] = std::min(low[parent], low[v]);
      }
    }
  }
  return out;
}

}  // namespace

Entities EntitiesBuilder::build() && {
  Components components = strongly_connected(parents_);
  std::vector<std::vector<std::uint32_t>> ancestors_of(components.members.size());
  for (std::size_t c = 0; c < components.members.size(); ++c) {
    std::vector<std::uint32_t>& result = ancestors_of[c];
    const std::vector<std::uint32_t>& members = components.members[c];
    bool cycle = members.size() > 1;
    for (std::uint32_t member : members) {
      for (std::uint32_t parent : parents_[member]) {
        std::uint32_t pc = components.component_of[parent];
        if (pc == c) {
          cycle = true;
          continue;
        }
        result.insert(result.end(), components.members[pc].begin(), components.members[pc].end());
        result.insert(result.end(), ancestors_of[pc].begin(), ancestors_of[pc].end());
      }
    }
    if (cycle) result.insert(result.end(), members.begin(), members.end());
    std::sort(result.begin(), result.end());
    result.erase(std::unique(result.begin(), result.end()), result.end());
  }
  // One pool for every span, sized first so that the spans stay valid.
  std::size_t total = 0;
  for (const auto& a : ancestors_of)
    total += a.size();
  std::vector<std::uint32_t>& pool = store_.ancestor_pool_;
  pool.clear();
  pool.reserve(total);
  std::vector<std::size_t> offset(ancestors_of.size());
  for (std::size_t c = 0; c < ancestors_of.size(); ++c) {
    offset[c] = pool.size();
    pool.insert(pool.end(), ancestors_of[c].begin(), ancestors_of[c].end());
  }
  for (std::size_t i = 0; i < store_.entities_.size(); ++i) {
    std::uint32_t c = components.component_of[i];
    store_.entities_[i].ancestors =
        std::span<const std::uint32_t>(pool.data() + offset[c], ancestors_of[c].size());
  }
  parents_.clear();
  return std::move(store_);
}

}  // namespace crossgate::cedar
