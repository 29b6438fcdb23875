#include "server/reload/reloader.h"

#include <optional>

#include "server/daemon/ops_log.h"

namespace crossgate::server {

namespace fs = std::filesystem;

struct Reloader::Kind {
  bundle::BundleKind kind;
  std::unique_ptr<Origin> origin;
  std::int64_t poll_ms = 2000;
  UnixMillis next_check = 0;
  // The active version and the one waiting to be activated (at most one of each).
  std::optional<loading::LoadedPolicyBundle> bundle, staged_bundle;
  std::optional<loading::LoadedRegistry> registry, staged_registry;
  bundle::BundleFiles staged_files;
  // Whether the staged version is the saved copy from the state folder (cold start), and
  // when that copy was saved.
  std::optional<UnixMillis> staged_saved_at;
  // Whether the last version the configured source gave is the active one: only then
  // does an unchanged source confirm the active version as current. (A source that now
  // holds a broken version does not keep the old one fresh.)
  bool source_current = false;

  std::string name() const { return std::string(bundle::kind_name(kind)); }
  SnapshotHolder::Source source() const {
    return kind == bundle::BundleKind::kPolicyBundle ? SnapshotHolder::Source::kPolicyBundle
                                                     : SnapshotHolder::Source::kOwnerRegistry;
  }
  const decision::VersionInfo* active() const {
    if (bundle) return &bundle->version;
    if (registry) return &registry->version;
    return nullptr;
  }
  const decision::VersionInfo* staged() const {
    if (staged_bundle) return &staged_bundle->version;
    if (staged_registry) return &staged_registry->version;
    return nullptr;
  }
};

namespace {

std::unique_ptr<Origin> make_origin(const BundleSourceConfig& source) {
  if (!source.url.empty()) {
    return url_origin(UrlOptions{source.url, source.ca_file.string(), 20});
  }
  return path_origin(source.path);
}

std::int64_t poll_ms(const BundleSourceConfig& source) {
  std::int64_t seconds =
      source.poll_seconds > 0 ? source.poll_seconds : (source.url.empty() ? 2 : 30);
  return seconds * 1000;
}

}  // namespace

Reloader::Reloader(const ServerConfig& config, loading::TrustSettings trust,
                   SnapshotHolder& snapshots, ServiceMetrics* metrics,
                   std::function<void(bool)> on_serving)
    : trust_(std::move(trust)),
      snapshots_(snapshots),
      metrics_(metrics),
      on_serving_(std::move(on_serving)),
      store_(config.state_dir),
      bundle_(std::make_unique<Kind>()),
      registry_(std::make_unique<Kind>()) {
  bundle_->kind = bundle::BundleKind::kPolicyBundle;
  bundle_->origin = make_origin(config.policy_bundle);
  bundle_->poll_ms = poll_ms(config.policy_bundle);
  registry_->kind = bundle::BundleKind::kOwnerRegistry;
  registry_->origin = make_origin(config.owner_registry);
  registry_->poll_ms = poll_ms(config.owner_registry);
}

Reloader::~Reloader() {
  stop();
}

void Reloader::confirm(Kind& k, UnixMillis at) {
  if (k.kind == bundle::BundleKind::kPolicyBundle) {
    snapshots_.confirm_bundle(at);
  } else {
    snapshots_.confirm_registry(at);
  }
}

bool Reloader::check(Kind& k, bool force, UnixMillis now) {
  k.next_check = now + k.poll_ms;
  Fetch fetch = k.origin->fetch(force);
  // `source_moved`: the source now holds another version than the active one (as opposed
  // to being unreachable).
  auto failed = [&](const std::string& error, bool source_moved = true) {
    if (source_moved) k.source_current = false;
    snapshots_.record_load_error(k.source(), k.name() + ": " + error, now);
    if (metrics_ != nullptr) metrics_->load(k.name(), false);
    ops_log(Level::kError, k.name() + " load failed" +
                               (k.active() ? ", keeping the active version: " : ": ") + error);
    return false;
  };
  auto still_current = [&] {
    k.source_current = true;
    confirm(k, now);
    snapshots_.clear_load_error(k.source());
    return false;
  };
  if (fetch.outcome == Fetch::Outcome::kUnchanged) {
    if (k.active() != nullptr && k.source_current) return still_current();
    return false;
  }
  if (fetch.outcome == Fetch::Outcome::kFailed) return failed(fetch.error, false);

  const decision::VersionInfo* version = nullptr;
  if (k.kind == bundle::BundleKind::kPolicyBundle) {
    cedar::Result<loading::LoadedPolicyBundle> loaded =
        loading::load_policy_bundle(fetch.files, trust_, now);
    if (!loaded.ok()) return failed(loaded.message());
    k.staged_bundle = std::move(loaded.value());
    version = &k.staged_bundle->version;
  } else {
    cedar::Result<loading::LoadedRegistry> loaded =
        loading::load_owner_registry(fetch.files, trust_, now);
    if (!loaded.ok()) return failed(loaded.message());
    k.staged_registry = std::move(loaded.value());
    version = &k.staged_registry->version;
  }
  // No rollback, and one revision means one content.
  if (const decision::VersionInfo* active = k.active()) {
    std::string refusal;
    if (version->revision < active->revision) {
      refusal = "revision " + std::to_string(version->revision) + " is lower than the active " +
                std::to_string(active->revision) + " (rollback refused)";
    } else if (version->revision == active->revision && version->digest != active->digest) {
      refusal = "revision " + std::to_string(version->revision) +
                " is already active with other content; a changed version needs a new revision";
    }
    if (!refusal.empty() || version->digest == active->digest) {
      k.staged_bundle.reset();
      k.staged_registry.reset();
      if (refusal.empty()) return still_current();
      return failed(k.origin->describe() + ": " + refusal);
    }
  }
  k.staged_files = std::move(fetch.files);
  k.staged_saved_at.reset();
  return true;
}

bool Reloader::activate(UnixMillis now) {
  const loading::LoadedPolicyBundle* bundle = bundle_->staged_bundle
                                                  ? &*bundle_->staged_bundle
                                                  : (bundle_->bundle ? &*bundle_->bundle : nullptr);
  const loading::LoadedRegistry* registry =
      registry_->staged_registry ? &*registry_->staged_registry
                                 : (registry_->registry ? &*registry_->registry : nullptr);
  if (bundle == nullptr || registry == nullptr) return false;  // waiting for the other kind
  cedar::Result<std::shared_ptr<const decision::DecisionEngine>> engine =
      loading::make_engine(*bundle, *registry);
  if (!engine.ok()) {
    snapshots_.record_load_error(
        SnapshotHolder::Source::kCombination,
        "cannot combine the policy bundle and the owner registry: " + engine.message(), now);
    ops_log(Level::kError,
            "cannot combine the policy bundle and the owner registry: " + engine.message());
    bundle_->staged_bundle.reset();
    registry_->staged_registry.reset();
    return false;
  }
  snapshots_.activate(*engine);
  snapshots_.clear_load_error(SnapshotHolder::Source::kCombination);
  for (Kind* k : {bundle_.get(), registry_.get()}) {
    if (k->staged() == nullptr) continue;
    if (k->staged_bundle) k->bundle = std::move(k->staged_bundle);
    if (k->staged_registry) k->registry = std::move(k->staged_registry);
    k->staged_bundle.reset();
    k->staged_registry.reset();
    if (metrics_ != nullptr) metrics_->load(k->name(), true);
    if (k->staged_saved_at) {
      // A saved copy is only as fresh as when it was saved; the source is not yet current.
      confirm(*k, *k->staged_saved_at);
      k->source_current = false;
      k->staged_saved_at.reset();
      continue;
    }
    confirm(*k, now);
    k->source_current = true;
    snapshots_.clear_load_error(k->source());
    if (cedar::Status s = store_.save(k->kind, k->staged_files); !s.ok()) {
      ops_log(Level::kWarning, "cannot save the last good " + k->name() + ": " + s.message());
    }
    k->staged_files = {};
  }
  const decision::VersionInfo& b = (*engine)->bundle_version();
  const decision::VersionInfo& r = (*engine)->registry_version();
  auto text = [](const decision::VersionInfo& v) {
    return v.name + " revision " + std::to_string(v.revision) + " (digest " +
           v.digest.substr(0, 16) + ", " +
           (v.signer_key_ids.empty() ? std::string("UNSIGNED")
                                     : std::to_string(v.signer_key_ids.size()) + " signature(s)") +
           ")";
  };
  ops_log(Level::kInfo, "active: policy bundle " + text(b) + "; owner registry " + text(r));
  if (metrics_ != nullptr) {
    metrics_->version_info().clear();
    metrics_->version_info()
        .with({"policy-bundle", b.name, std::to_string(b.revision), b.digest})
        .set(1);
    metrics_->version_info()
        .with({"owner-registry", r.name, std::to_string(r.revision), r.digest})
        .set(1);
    metrics_->revision().with({"policy-bundle"}).set(static_cast<double>(b.revision));
    metrics_->revision().with({"owner-registry"}).set(static_cast<double>(r.revision));
  }
  if (on_serving_) on_serving_(true);
  return true;
}

void Reloader::initial_load() {
  std::lock_guard<std::mutex> lock(mutex_);
  UnixMillis now = now_millis();
  check(*bundle_, true, now);
  check(*registry_, true, now);
  // A source that cannot be used at a cold start: serve its last good copy, verified again.
  for (Kind* k : {bundle_.get(), registry_.get()}) {
    if (k->staged() != nullptr) continue;
    std::optional<fs::path> saved = store_.saved(k->kind);
    if (!saved) continue;
    std::unique_ptr<Origin> fallback = path_origin(*saved);
    std::unique_ptr<Origin> configured = std::move(k->origin);
    k->origin = std::move(fallback);
    if (check(*k, true, now)) {
      k->staged_saved_at = store_.saved_at(k->kind).value_or(0);
      ops_log(Level::kWarning, "serving the last good " + k->name() + " saved in " +
                                   saved->string() + " until " + configured->describe() +
                                   " can be loaded");
    }
    k->origin = std::move(configured);
    k->next_check = now;  // keep trying the real source
  }
  activate(now);
  if (snapshots_.current() == nullptr && on_serving_) on_serving_(false);
}

void Reloader::check_now(bool force) {
  std::lock_guard<std::mutex> lock(mutex_);
  UnixMillis now = now_millis();
  bool changed = check(*bundle_, force, now);
  changed = check(*registry_, force, now) || changed;
  if (changed) activate(now);
}

void Reloader::start() {
  thread_ = std::thread([this] { run(); });
}

void Reloader::stop() {
  {
    std::lock_guard<std::mutex> lock(wake_mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Reloader::run() {
  while (true) {
    UnixMillis next;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      next = std::min(bundle_->next_check, registry_->next_check);
    }
    {
      std::unique_lock<std::mutex> lock(wake_mutex_);
      UnixMillis wait = std::max<UnixMillis>(0, next - now_millis());
      wake_.wait_for(lock, std::chrono::milliseconds(wait), [this] { return stopping_; });
      if (stopping_) return;
    }
    std::lock_guard<std::mutex> lock(mutex_);
    UnixMillis now = now_millis();
    bool changed = false;
    if (now >= bundle_->next_check) changed = check(*bundle_, false, now) || changed;
    if (now >= registry_->next_check) changed = check(*registry_, false, now) || changed;
    if (changed) activate(now);
  }
}

}  // namespace crossgate::server
