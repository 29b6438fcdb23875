// Fuzzes the YAML the daemon reads: the policy bundle's manifest, each owner registry
// file and the daemon's configuration. The first input byte chooses the file the rest
// replaces; the other files stay those of the example in deploy/example, so that a
// mutated record meets a complete, valid world (cross-file references resolve).
#include <iterator>

#include "fuzz/fuzz_support.h"
#include "policy/bundle/bundle_source.h"
#include "policy/policy_bundle/policy_bundle.h"
#include "policy/registry/registry_loader.h"
#include "server/config/server_config.h"

namespace {

using namespace crossgate;

// Selector values, in this order; scripts/fuzz_seeds.sh writes seeds the same way.
constexpr const char* kTargets[] = {
    "bundle/manifest.yaml",    "registry/manifest.yaml", "registry/owners.yaml",
    "registry/workloads.yaml", "registry/accounts.yaml", "registry/trust.yaml",
    "registry/emergency.yaml", "registry/models.yaml",   "crossgate.yaml",
};

struct World {
  bundle::BundleFiles bundle;
  bundle::BundleFiles registry;
};

const World& world() {
  static const World* w = [] {
    auto* made = new World;
    std::string example = std::string(CROSSGATE_SOURCE_DIR) + "/deploy/example/";
    auto bundle_files = bundle::read_bundle_source(example + "bundle");
    made->bundle = std::move(fuzz::must(bundle_files, "example bundle"));
    auto registry_files = bundle::read_bundle_source(example + "registry");
    made->registry = std::move(fuzz::must(registry_files, "example registry"));
    return made;
  }();
  return *w;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const World& w = world();
  std::string_view target = kTargets[data[0] % std::size(kTargets)];
  std::string text(fuzz::as_text(data + 1, size - 1));

  if (target == "crossgate.yaml") {
    (void)server::parse_server_config(
        text, std::string(CROSSGATE_SOURCE_DIR) + "/deploy/example/crossgate.yaml");
  } else if (target.starts_with("bundle/")) {
    bundle::BundleFiles files = w.bundle;
    files.files[std::string(target.substr(7))] = std::move(text);
    (void)policy_bundle::load_policy_bundle(files);
  } else {
    bundle::BundleFiles files = w.registry;
    files.files[std::string(target.substr(9))] = std::move(text);
    (void)registry::load_owner_registry(files);
  }
  return 0;
}
