// Request bodies and answer checks for each load-generator target; see workload.h.
#include "bench/loadgen/workload.h"

#include <google/protobuf/util/json_util.h>
#include <grpcpp/impl/codegen/proto_utils.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "bench/echo/echo.pb.h"
#include "crossgate/v1/decision.pb.h"
#ifdef CROSSGATE_LOADGEN_EXT_AUTHZ
#include "envoy/service/auth/v3/external_auth.pb.h"
#endif

namespace crossgate::loadgen {

namespace {

struct MixEntry {
  std::string where;    // file:line, for messages
  std::string request;  // the "request" member as JSON text
  std::string expect;
};

std::vector<MixEntry> read_mix(const std::filesystem::path& mix) {
  std::ifstream in(mix);
  if (!in) throw std::runtime_error(mix.string() + ": cannot read the request mix");
  std::vector<MixEntry> entries;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (line.find_first_not_of(" \t\r") == std::string::npos || line[0] == '#') continue;
    const std::string where = mix.string() + ":" + std::to_string(number);
    nlohmann::json object = nlohmann::json::parse(line, nullptr, false);
    if (object.is_discarded() || !object.is_object())
      throw std::runtime_error(where + ": not a JSON object");
    if (!object.contains("request") || !object["request"].is_object())
      throw std::runtime_error(where + ": \"request\" (an object) is missing");
    MixEntry entry{where, object["request"].dump(), ""};
    if (object.contains("expect")) {
      if (!object["expect"].is_string() ||
          (object["expect"] != "ALLOW" && object["expect"] != "DENY"))
        throw std::runtime_error(where + ": \"expect\" must be \"ALLOW\" or \"DENY\"");
      entry.expect = object["expect"].get<std::string>();
    }
    entries.push_back(std::move(entry));
  }
  if (entries.empty()) throw std::runtime_error(mix.string() + ": the request mix is empty");
  return entries;
}

template <typename Message>
Message from_json(const MixEntry& entry, const char* type) {
  Message message;
  google::protobuf::util::JsonParseOptions options;
  auto status = google::protobuf::util::JsonStringToMessage(entry.request, &message, options);
  if (!status.ok())
    throw std::runtime_error(entry.where + ": \"request\" is not a valid " + std::string(type) +
                             ": " + std::string(status.message()));
  return message;
}

grpc::ByteBuffer serialize(const google::protobuf::MessageLite& message) {
  grpc::ByteBuffer buffer;
  bool own = false;
  grpc::Status status =
      grpc::SerializationTraits<google::protobuf::MessageLite>::Serialize(message, &buffer, &own);
  if (!status.ok())
    throw std::runtime_error("cannot serialize a request: " + status.error_message());
  return buffer;
}

template <typename Message>
bool parse(grpc::ByteBuffer& buffer, Message& message) {
  return grpc::SerializationTraits<Message>::Deserialize(&buffer, &message).ok();
}

}  // namespace

std::optional<Target> parse_target(std::string_view name) {
  if (name == "echo") return Target::kEcho;
  if (name == "authorize") return Target::kAuthorize;
  if (name == "batch") return Target::kBatch;
  if (name == "check") return Target::kCheck;
  return std::nullopt;
}

const char* target_name(Target target) {
  switch (target) {
    case Target::kEcho: return "echo";
    case Target::kAuthorize: return "authorize";
    case Target::kBatch: return "batch";
    case Target::kCheck: return "check";
  }
  return "?";
}

bool check_supported() {
#ifdef CROSSGATE_LOADGEN_EXT_AUTHZ
  return true;
#else
  return false;
#endif
}

Workload Workload::load(Target target, const std::filesystem::path& mix,
                        const WorkloadOptions& options) {
  std::vector<MixEntry> entries = read_mix(mix);
  Workload w;
  w.target_ = target;
  w.options_ = options;
  auto expect_of = [](const MixEntry& e) {
    return e.expect == "ALLOW" ? Expect::kAllow : e.expect == "DENY" ? Expect::kDeny : Expect::kAny;
  };
  auto add = [&w](grpc::ByteBuffer body, std::vector<Expect> expects) {
    w.sizes_.push_back(body.Length());
    w.bodies_.push_back(std::move(body));
    w.expects_.push_back(std::move(expects));
  };
  switch (target) {
    case Target::kEcho:
      w.method_ = "/crossgate.bench.v1.Echo/Echo";
      for (const MixEntry& e : entries) {
        bench::v1::EchoRequest request;
        request.set_payload(from_json<v1::AuthorizeRequest>(e, "crossgate.v1.AuthorizeRequest")
                                .SerializeAsString());
        request.set_response_bytes(options.echo_response_bytes);
        add(serialize(request), {Expect::kAny});
      }
      break;
    case Target::kAuthorize:
      w.method_ = "/crossgate.v1.DecisionService/Authorize";
      for (const MixEntry& e : entries)
        add(serialize(from_json<v1::AuthorizeRequest>(e, "crossgate.v1.AuthorizeRequest")),
            {expect_of(e)});
      break;
    case Target::kBatch: {
      if (options.batch_size == 0) throw std::runtime_error("the batch size must be at least 1");
      w.method_ = "/crossgate.v1.DecisionService/AuthorizeBatch";
      std::vector<v1::AuthorizeRequest> requests;
      for (const MixEntry& e : entries)
        requests.push_back(from_json<v1::AuthorizeRequest>(e, "crossgate.v1.AuthorizeRequest"));
      // One batch per starting offset, so that every batch mixes the whole request set.
      for (std::size_t start = 0; start < entries.size(); ++start) {
        v1::AuthorizeBatchRequest batch;
        std::vector<Expect> expects;
        for (std::size_t k = 0; k < options.batch_size; ++k) {
          const std::size_t j = (start + k) % entries.size();
          *batch.add_requests() = requests[j];
          expects.push_back(expect_of(entries[j]));
        }
        add(serialize(batch), std::move(expects));
      }
      break;
    }
    case Target::kCheck:
#ifdef CROSSGATE_LOADGEN_EXT_AUTHZ
      w.method_ = "/envoy.service.auth.v3.Authorization/Check";
      for (const MixEntry& e : entries)
        add(serialize(from_json<envoy::service::auth::v3::CheckRequest>(
                e, "envoy.service.auth.v3.CheckRequest")),
            {expect_of(e)});
      break;
#else
      // TODO(ext_authz): built without the Envoy protos; bench/CMakeLists.txt defines
      // CROSSGATE_LOADGEN_EXT_AUTHZ and links them once their proto target exists.
      throw std::runtime_error("this build cannot send ext_authz Check (no Envoy protos)");
#endif
  }
  return w;
}

Outcome Workload::judge(std::size_t i, grpc::ByteBuffer& response) const {
  Outcome out;
  const std::vector<Expect>& expects = expects_[i];
  auto decided = [&out](bool allow, Expect expect) {
    ++out.decisions;
    if (allow) ++out.allows;
    if ((expect == Expect::kAllow && !allow) || (expect == Expect::kDeny && allow)) ++out.wrong;
  };
  switch (target_) {
    case Target::kEcho: {
      bench::v1::EchoResponse echo;
      out.malformed =
          !parse(response, echo) ||
          echo.payload().size() != static_cast<std::size_t>(options_.echo_response_bytes);
      break;
    }
    case Target::kAuthorize: {
      v1::AuthorizeResponse answer;
      if (!parse(response, answer) || answer.decision() == v1::DECISION_UNSPECIFIED) {
        out.malformed = true;
        break;
      }
      decided(answer.decision() == v1::ALLOW, expects[0]);
      break;
    }
    case Target::kBatch: {
      v1::AuthorizeBatchResponse answer;
      if (!parse(response, answer) ||
          static_cast<std::size_t>(answer.results_size()) != expects.size()) {
        out.malformed = true;
        break;
      }
      for (int k = 0; k < answer.results_size(); ++k) {
        const v1::AuthorizeBatchResult& result = answer.results(k);
        if (!result.has_response()) {
          ++out.item_errors;
          continue;
        }
        decided(result.response().decision() == v1::ALLOW, expects[static_cast<std::size_t>(k)]);
      }
      break;
    }
    case Target::kCheck: {
#ifdef CROSSGATE_LOADGEN_EXT_AUTHZ
      envoy::service::auth::v3::CheckResponse answer;
      if (!parse(response, answer)) {
        out.malformed = true;
        break;
      }
      decided(answer.status().code() == 0, expects[0]);
#else
      out.malformed = true;
#endif
      break;
    }
  }
  return out;
}

}  // namespace crossgate::loadgen
