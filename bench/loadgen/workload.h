// What the load generator sends and how it judges each answer: the target (echo,
// Authorize, AuthorizeBatch, ext_authz Check), its gRPC method, the request bodies built
// once from a request-mix file, and the check of every answer (status, decision expected by
// the mix, size).
//
// A mix file holds one JSON object per line (blank lines and lines starting with # are
// skipped):
//   {"name": "svid-allow", "expect": "ALLOW", "request": {...}}
// "request" is a crossgate.v1.AuthorizeRequest in proto3 JSON (for echo, authorize and
// batch) or an envoy.service.auth.v3.CheckRequest (for check). "expect" (ALLOW or DENY) is
// optional; an answer that differs from it counts as a wrong decision.
#pragma once

#include <grpcpp/support/byte_buffer.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace crossgate::loadgen {

enum class Target { kEcho, kAuthorize, kBatch, kCheck };

// "echo", "authorize", "batch" or "check"; nullopt for anything else.
std::optional<Target> parse_target(std::string_view name);
const char* target_name(Target target);
// Whether this build can send ext_authz Check (it needs the Envoy protos).
bool check_supported();

struct WorkloadOptions {
  std::size_t batch_size = 100;          // requests per AuthorizeBatch call
  std::int32_t echo_response_bytes = 0;  // payload bytes of each echo answer
};

// What one answer was worth.
struct Outcome {
  std::uint32_t decisions = 0;  // 1 per answered request (batch: per item)
  std::uint32_t allows = 0;
  std::uint32_t wrong = 0;        // decisions that differ from the mix's "expect"
  std::uint32_t item_errors = 0;  // batch items answered with an error
  bool malformed = false;         // the answer could not be parsed or has the wrong shape
};

class Workload {
 public:
  // Throws std::runtime_error naming the file and line of anything unusable.
  static Workload load(Target target, const std::filesystem::path& mix,
                       const WorkloadOptions& options);

  Target target() const { return target_; }
  const std::string& method() const { return method_; }
  std::size_t size() const { return bodies_.size(); }
  // Bodies are shared, never copied: a ByteBuffer copy only takes a reference.
  const grpc::ByteBuffer& body(std::size_t i) const { return bodies_[i]; }
  std::size_t body_bytes(std::size_t i) const { return sizes_[i]; }
  // Judges the answer to body(i). Consumes `response`.
  Outcome judge(std::size_t i, grpc::ByteBuffer& response) const;

 private:
  enum class Expect : std::uint8_t { kAny, kAllow, kDeny };
  Target target_ = Target::kAuthorize;
  std::string method_;
  std::vector<grpc::ByteBuffer> bodies_;
  std::vector<std::size_t> sizes_;
  // Per body, the expectation of each request it carries (batch: several).
  std::vector<std::vector<Expect>> expects_;
  WorkloadOptions options_;
};

}  // namespace crossgate::loadgen
