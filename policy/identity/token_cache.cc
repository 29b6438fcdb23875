// The sharded LRU cache of verified tokens (see token_cache.h).
#include "policy/identity/token_cache.h"

#include <algorithm>
#include <cstring>
#include <list>
#include <map>
#include <mutex>
#include <unordered_map>

namespace crossgate::identity {
namespace {

// Removing expired entries is spread over insertions, so that no single call holds a
// shard's lock for long after many tokens expired at once.
constexpr int kMaxExpiredDropsPerInsert = 32;

struct KeyHash {
  std::size_t operator()(const TokenCache::Key& key) const {
    // The key is a SHA-256 digest: any 8 of its bytes are uniformly distributed. Bytes
    // 8..15 are used, since byte 0 picks the shard.
    std::uint64_t hash = 0;
    std::memcpy(&hash, key.data() + 8, sizeof hash);
    return static_cast<std::size_t>(hash ^ key.back());
  }
};

}  // namespace

// alignas: each shard's mutex on its own cache line, so shards do not contend by accident.
struct alignas(64) TokenCache::Shard {
  struct Entry {
    std::shared_ptr<const JwtClaims> claims;
    std::list<Key>::iterator recency;                   // in `lru`
    std::multimap<std::int64_t, Key>::iterator expiry;  // in `by_expiry`
  };

  void erase(std::unordered_map<Key, Entry, KeyHash>::iterator it) {
    lru.erase(it->second.recency);
    by_expiry.erase(it->second.expiry);
    entries.erase(it);
  }

  mutable std::mutex mutex;
  std::unordered_map<Key, Entry, KeyHash> entries;
  std::list<Key> lru;  // most recently used first
  std::multimap<std::int64_t, Key> by_expiry;
  std::uint64_t hits = 0;
  std::uint64_t misses = 0;
};

TokenCache::TokenCache(std::size_t capacity, std::size_t shards)
    : shard_count_(std::clamp<std::size_t>(shards, 1, 64)),
      shards_(std::make_unique<Shard[]>(shard_count_)) {
  shard_capacity_ = (capacity + shard_count_ - 1) / shard_count_;
}

TokenCache::~TokenCache() = default;

TokenCache::Shard& TokenCache::shard_for(const Key& key) const {
  return shards_[key[0] % shard_count_];
}

std::shared_ptr<const JwtClaims> TokenCache::find(const Key& key, std::int64_t now) {
  Shard& shard = shard_for(key);
  std::shared_ptr<const JwtClaims> claims;
  std::lock_guard lock(shard.mutex);
  auto it = shard.entries.find(key);
  if (it == shard.entries.end()) {
    ++shard.misses;
    return nullptr;
  }
  ++shard.hits;
  claims = it->second.claims;
  if (it->second.expiry->first <= now) {
    shard.erase(it);  // can never be accepted again
  } else {
    shard.lru.splice(shard.lru.begin(), shard.lru, it->second.recency);
  }
  return claims;
}

void TokenCache::insert(const Key& key, std::shared_ptr<const JwtClaims> claims,
                        std::int64_t evict_at, std::int64_t now) {
  if (shard_capacity_ == 0 || evict_at <= now) return;
  Shard& shard = shard_for(key);
  std::lock_guard lock(shard.mutex);
  for (int dropped = 0; dropped < kMaxExpiredDropsPerInsert && !shard.by_expiry.empty() &&
                        shard.by_expiry.begin()->first <= now;
       ++dropped) {
    shard.erase(shard.entries.find(shard.by_expiry.begin()->second));
  }
  if (auto it = shard.entries.find(key); it != shard.entries.end()) {
    // Another thread verified the same token meanwhile: same claims, keep the entry.
    shard.lru.splice(shard.lru.begin(), shard.lru, it->second.recency);
    return;
  }
  while (shard.entries.size() >= shard_capacity_) {
    shard.erase(shard.entries.find(shard.lru.back()));
  }
  shard.lru.push_front(key);
  auto expiry = shard.by_expiry.emplace(evict_at, key);
  shard.entries.emplace(key, Shard::Entry{std::move(claims), shard.lru.begin(), expiry});
}

TokenCache::Stats TokenCache::stats() const {
  Stats stats;
  for (std::size_t i = 0; i < shard_count_; ++i) {
    std::lock_guard lock(shards_[i].mutex);
    stats.hits += shards_[i].hits;
    stats.misses += shards_[i].misses;
    stats.entries += shards_[i].entries.size();
  }
  return stats;
}

}  // namespace crossgate::identity
