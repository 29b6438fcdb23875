// Wall-clock instants as the records and registry write them: RFC 3339 in UTC.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace crossgate {

// Milliseconds since the Unix epoch, UTC.
using UnixMillis = std::int64_t;

// "2026-11-27T18:34:45Z", "2026-11-27T18:34:45.123Z", "2026-11-27T19:34:45+01:00"; a
// plain date "2026-11-27" means its midnight UTC. nullopt for anything else.
std::optional<UnixMillis> parse_rfc3339(std::string_view text);

// "2026-11-27T18:34:45.123Z" (always milliseconds, always Z).
std::string format_rfc3339(UnixMillis at);
// The same, appended to `out` (records write four per decision: no string of its own).
void append_rfc3339(std::string& out, UnixMillis at);

// The current time.
UnixMillis now_millis();

}  // namespace crossgate
