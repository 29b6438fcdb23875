#include "server/ext_authz/request_mapping.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <tuple>

#include "policy/bedrock/arn.h"
#include "policy/common/time.h"
#include "server/service/request_limits.h"

namespace crossgate::server::ext_authz {
namespace {

namespace auth = envoy::service::auth::v3;

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           auto low = [](char c) {
             return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
           };
           return low(x) == low(y);
         });
}

// The request's headers, whichever way Envoy sent them (the `headers` map, or `header_map`
// when configured to send raw values).
class Headers {
 public:
  explicit Headers(const auth::AttributeContext::HttpRequest& http) : http_(http) {}

  std::optional<std::string_view> get(std::string_view name) const {
    if (name.empty()) return std::nullopt;
    auto it = http_.headers().find(std::string(name));
    if (it != http_.headers().end()) return std::string_view(it->second);
    for (const envoy::config::core::v3::HeaderValue& h : http_.header_map().headers()) {
      if (iequals(h.key(), name)) return h.raw_value().empty() ? h.value() : h.raw_value();
    }
    return std::nullopt;
  }

 private:
  const auth::AttributeContext::HttpRequest& http_;
};

// A boundary fact: the route's context extension of that name (set in Envoy's
// configuration) wins over the configured header (set by whoever sent the request).
cedar::Result<std::string> fact(const auth::AttributeContext& attributes, const Headers& headers,
                                std::string_view name, const std::string& header) {
  const auto& extensions = attributes.context_extensions();
  std::string value;
  std::string where;
  if (auto it = extensions.find(std::string(name)); it != extensions.end()) {
    value = it->second;
    where = "context extension `" + std::string(name) + "`";
  } else if (std::optional<std::string_view> h = headers.get(header)) {
    value = std::string(*h);
    where = "header " + header;
  }
  if (value.size() > kMaxFieldBytes) {
    return cedar::Error{where + " is longer than " + std::to_string(kMaxFieldBytes) + " bytes"};
  }
  return value;
}

// "Bearer <token>" or a bare compact JWS; nullopt for anything else (an SDK's SigV4
// Authorization header is not evidence and is left alone).
std::optional<std::string> token_from(std::string_view value) {
  while (!value.empty() && value.front() == ' ')
    value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ')
    value.remove_suffix(1);
  if (value.size() > 7 && iequals(value.substr(0, 7), "bearer ")) {
    value.remove_prefix(7);
    while (!value.empty() && value.front() == ' ')
      value.remove_prefix(1);
    return std::string(value);
  }
  if (value.find(' ') == std::string_view::npos &&
      std::count(value.begin(), value.end(), '.') == 2) {
    return std::string(value);
  }
  return std::nullopt;
}

// RFC 3339 or whole Unix seconds.
std::optional<UnixMillis> time_from(std::string_view text) {
  if (std::optional<UnixMillis> t = parse_rfc3339(text)) return t;
  std::int64_t seconds = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
  if (ec != std::errc() || end != text.data() + text.size() || seconds < 0 ||
      seconds > 253402300799) {
    return std::nullopt;
  }
  return seconds * 1000;
}

// The asserted session's tags: a JSON object of strings, the shape in which crossgate's own
// ALLOW answer hands tags to the gateway (x-crossgate-session-tags). Bounded like the tags
// of the crossgate.v1 API's AwsSessionEvidence. Errors do not quote the header's text.
cedar::Result<std::map<std::string, std::string>> session_tags_from(std::string_view text) {
  nlohmann::json doc = nlohmann::json::parse(text, nullptr, false);
  if (!doc.is_object()) return cedar::Error{"not a JSON object of strings"};
  if (doc.size() > kMaxSessionTags) {
    return cedar::Error{"more than " + std::to_string(kMaxSessionTags) + " tags"};
  }
  std::map<std::string, std::string> tags;
  for (const auto& [key, value] : doc.items()) {
    if (!value.is_string()) return cedar::Error{"a tag's value is not a string"};
    const std::string& tag_value = value.get_ref<const std::string&>();
    if (key.empty() || key.size() > kMaxFieldBytes || tag_value.size() > kMaxFieldBytes) {
      return cedar::Error{"a tag's key is empty, or its key or value is longer than " +
                          std::to_string(kMaxFieldBytes) + " bytes"};
    }
    tags.emplace(key, tag_value);
  }
  return tags;
}

// The resource an operation names in its JSON body, when Envoy sends the body.
std::string resource_from_body(const BedrockRoute& route, std::string_view body) {
  if (body.empty() || route.body_resource.empty()) return {};
  nlohmann::json doc = nlohmann::json::parse(body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return {};
  const nlohmann::json* at = &doc;
  for (std::string_view key : route.body_resource) {
    if (!at->is_object()) return {};
    auto it = at->find(key);
    if (it == at->end()) return {};
    at = &*it;
  }
  return at->is_string() ? at->get<std::string>() : std::string();
}

bool kind_fits(ResourceType type, bedrock::ResourceKind kind) {
  using K = bedrock::ResourceKind;
  switch (type) {
    case ResourceType::kModel:
      return kind == K::kFoundationModel || kind == K::kInferenceProfile ||
             kind == K::kApplicationInferenceProfile || kind == K::kProvisionedModel ||
             kind == K::kCustomModelDeployment || kind == K::kImportedModel;
    case ResourceType::kGuardrail: return kind == K::kGuardrail;
    case ResourceType::kAgentAlias: return kind == K::kAgentAlias;
    case ResourceType::kKnowledgeBase: return kind == K::kKnowledgeBase;
  }
  return false;
}

std::string_view endpoint_name(Endpoint e) {
  return e == Endpoint::kRuntime ? "bedrock-runtime" : "bedrock-agent-runtime";
}

}  // namespace

cedar::Result<MappedCheck> map_check_request(const auth::CheckRequest& check,
                                             const decision::Caller& caller,
                                             const ExtAuthzConfig& config) {
  const auth::AttributeContext& attributes = check.attributes();
  if (!attributes.request().has_http()) {
    return cedar::Error{"the CheckRequest has no HTTP request (attributes.request.http)"};
  }
  const auth::AttributeContext::HttpRequest& http = attributes.request().http();
  Headers headers(http);
  MappedCheck out;
  decision::RequestFacts& f = out.request.facts;

  // What is asked: the operation and resource from the path, the region from the host.
  std::string method = http.method();
  if (method.empty()) method = std::string(headers.get(":method").value_or(""));
  std::string path = http.path();
  if (path.empty()) path = std::string(headers.get(":path").value_or(""));
  cedar::Result<BedrockRoute> route = parse_bedrock_route(method, path);
  if (!route.ok()) return route.error();
  out.route = std::move(*route);
  const BedrockRoute& r = out.route;

  std::string host = http.host();
  if (host.empty())
    host = std::string(headers.get(":authority").value_or(headers.get("host").value_or("")));
  cedar::Result<std::string> region_fact =
      fact(attributes, headers, "target_region", config.facts.target_region);
  if (!region_fact.ok()) return region_fact.error();
  cedar::Result<BedrockHost> bedrock_host = parse_bedrock_host(host);
  if (bedrock_host.ok()) {
    if (bedrock_host->endpoint != r.endpoint) {
      return cedar::Error{r.api + " is served by " + std::string(endpoint_name(r.endpoint)) +
                          ", not by host " + host};
    }
    if (!region_fact->empty() && *region_fact != bedrock_host->region) {
      return cedar::Error{"target region " + *region_fact + " contradicts host " + host};
    }
    f.target_region = bedrock_host->region;
  } else if (!region_fact->empty()) {
    // A gateway with a name of its own: the route (or a header) says which region it serves.
    f.target_region = *region_fact;
  } else {
    return bedrock_host.error();
  }
  if (!bedrock::is_valid_region(f.target_region)) {
    return cedar::Error{"target region `" + f.target_region + "` is not an AWS region"};
  }

  // The boundary facts.
  const ExtAuthzConfig::FactHeaders& fh = config.facts;
  for (auto [name, header, field] :
       {std::tuple{"request_id", &fh.request_id, &f.request_id},
        std::tuple{"source_account", &fh.source_account, &f.source_account},
        std::tuple{"source_region", &fh.source_region, &f.source_region},
        std::tuple{"target_account", &fh.target_account, &f.target_account},
        std::tuple{"data_classification", &fh.data_classification, &f.data_classification},
        std::tuple{"emergency_grant_id", &fh.emergency_grant_id, &f.emergency_grant_id}}) {
    cedar::Result<std::string> value = fact(attributes, headers, name, *header);
    if (!value.ok()) return value.error();
    *field = std::move(*value);
  }
  if (f.request_id.empty()) f.request_id = http.id().substr(0, kMaxFieldBytes);

  // The resource: from the path, else the body, else the configured header.
  std::string resource = r.resource;
  if (resource.empty()) resource = resource_from_body(r, http.body());
  if (resource.empty()) {
    cedar::Result<std::string> given = fact(attributes, headers, "resource", fh.resource);
    if (!given.ok()) return given.error();
    resource = std::move(*given);
  }
  if (resource.empty()) {
    return cedar::Error{r.api +
                        " names its resource in the request body: have Envoy send the "
                        "body (with_request_body) or set the " +
                        (fh.resource.empty() ? std::string("`resource` context extension")
                                             : "header " + fh.resource)};
  }
  cedar::Result<std::string> arn =
      resource_arn(r.resource_type, resource, f.target_region, f.target_account);
  if (!arn.ok()) return arn.error();
  cedar::Result<bedrock::BedrockResource> parsed =
      bedrock::parse_bedrock_resource(*arn, f.target_region, f.target_account);
  if (!parsed.ok()) return cedar::Error{"resource `" + *arn + "`: " + parsed.message()};
  if (!kind_fits(r.resource_type, parsed->kind)) {
    return cedar::Error{r.api + " cannot name a " + std::string(bedrock::kind_name(parsed->kind)) +
                        " (`" + *arn + "`)"};
  }
  f.action = r.api;
  f.resource = std::move(*arn);

  // The workload identity evidence: a token, else an asserted AWS session, else the
  // X.509-SVID the gateway reports for its peer.
  decision::DecisionRequest& req = out.request;
  std::optional<std::string> jwt, oidc;
  if (std::optional<std::string_view> v = headers.get(config.jwt_svid_header)) jwt = token_from(*v);
  if (std::optional<std::string_view> v = headers.get(config.oidc_header)) oidc = token_from(*v);
  if (jwt) out.evidence_headers.push_back(config.jwt_svid_header);
  if (oidc) out.evidence_headers.push_back(config.oidc_header);
  if (jwt && oidc) {
    return cedar::Error{"both " + config.jwt_svid_header + " and " + config.oidc_header +
                        " hold a token: send one kind of identity evidence"};
  }
  const ExtAuthzConfig::AwsSessionHeaders& ah = config.aws_session;
  std::optional<std::string_view> role = headers.get(ah.role_arn);
  if (jwt || oidc) {
    req.evidence = jwt ? decision::EvidenceType::kJwtSvid : decision::EvidenceType::kOidc;
    req.token = std::move(jwt ? *jwt : *oidc);
    if (req.token.empty() || req.token.size() > kMaxTokenBytes) {
      return cedar::Error{"the identity token is empty or longer than " +
                          std::to_string(kMaxTokenBytes) + " bytes"};
    }
  } else if (role && caller.trusted_asserter) {
    req.evidence = decision::EvidenceType::kAwsSession;
    decision::AwsSession& s = req.aws_session;
    s.role_arn = std::string(*role);
    s.source_identity = std::string(headers.get(ah.source_identity).value_or(""));
    s.session_name = std::string(headers.get(ah.session_name).value_or(""));
    for (auto [header, field] :
         {std::pair{&ah.issued_at, &s.issued_at}, std::pair{&ah.expires_at, &s.expires_at}}) {
      if (std::optional<std::string_view> v = headers.get(*header)) {
        *field = time_from(*v);
        if (!*field)
          return cedar::Error{"header " + *header + ": not an RFC 3339 time or Unix seconds"};
      }
    }
    for (const std::string* field : {&s.role_arn, &s.source_identity, &s.session_name}) {
      if (field->size() > kMaxFieldBytes) {
        return cedar::Error{"an AWS session header is longer than " +
                            std::to_string(kMaxFieldBytes) + " bytes"};
      }
    }
    if (std::optional<std::string_view> v = headers.get(ah.session_tags)) {
      cedar::Result<std::map<std::string, std::string>> tags = session_tags_from(*v);
      if (!tags.ok()) return cedar::Error{"header " + ah.session_tags + ": " + tags.message()};
      s.tags = std::move(*tags);
    }
  } else if (config.peer_principal && attributes.source().principal().starts_with("spiffe://")) {
    req.evidence = decision::EvidenceType::kX509Svid;
    req.asserted_spiffe_id = attributes.source().principal().substr(0, kMaxFieldBytes);
  }
  // Asserted session headers never go upstream, believed or not.
  for (const std::string* header : {&ah.role_arn, &ah.source_identity, &ah.session_name,
                                    &ah.issued_at, &ah.expires_at, &ah.session_tags}) {
    if (headers.get(*header)) out.evidence_headers.push_back(*header);
  }
  return out;
}

}  // namespace crossgate::server::ext_authz
