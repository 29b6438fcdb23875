// The verified-token cache behind JwtVerifier: a token a gateway presents again costs a
// hash lookup instead of base64, JSON and a signature check. Entries are the claims of
// fully verified tokens, keyed by the token's SHA-256 (and the kind it was verified as);
// they leave when the token can no longer be accepted (exp + leeway) or, when a shard is
// full, least recently used first.
//
// Thread-safe: the keys are spread over independently locked shards, and a lock is held
// only for a map lookup and a list splice (claims are shared, not copied, under it).
#pragma once

#include <array>
#include <cstdint>
#include <memory>

#include "policy/identity/jwt.h"

namespace crossgate::identity {

class TokenCache {
 public:
  // The token's SHA-256 followed by its TokenKind: a token verified as an OIDC token must
  // not be taken from the cache as a JWT-SVID (different checks ran), and the reverse.
  using Key = std::array<unsigned char, 33>;

  struct Stats {
    std::uint64_t hits = 0;
    std::uint64_t misses = 0;
    std::size_t entries = 0;
  };

  // At most about `capacity` entries (each of `shards` shards holds capacity / shards,
  // rounded up); capacity 0 disables the cache. `shards` is clamped to [1, 64].
  TokenCache(std::size_t capacity, std::size_t shards);
  ~TokenCache();
  TokenCache(const TokenCache&) = delete;
  TokenCache& operator=(const TokenCache&) = delete;

  // The cached claims, or nullptr. An entry that can no longer be accepted at `now`
  // (evict_at <= now) is removed, but still returned for this call, so that the caller
  // reports the expiry without verifying the signature again.
  std::shared_ptr<const JwtClaims> find(const Key& key, std::int64_t now);

  // Caches `claims` until `evict_at` (exp + leeway). Also drops a bounded number of entries
  // that are over at `now`, and the least recently used ones beyond the shard's capacity.
  void insert(const Key& key, std::shared_ptr<const JwtClaims> claims, std::int64_t evict_at,
              std::int64_t now);

  Stats stats() const;

 private:
  struct Shard;
  Shard& shard_for(const Key& key) const;

  std::size_t shard_capacity_;
  std::size_t shard_count_;
  std::unique_ptr<Shard[]> shards_;
};

}  // namespace crossgate::identity
