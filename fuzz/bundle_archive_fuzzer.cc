// Fuzzes the `.tar.gz` bundle reader (libarchive under our path, type and size checks) with
// small limits, so that the limits themselves are reached; an archive that reads is then
// loaded as a policy bundle.
#include "fuzz/fuzz_support.h"
#include "policy/bundle/bundle_source.h"
#include "policy/policy_bundle/policy_bundle.h"

using namespace crossgate;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  bundle::SourceLimits limits;
  limits.max_files = 64;
  limits.max_file_bytes = 256u << 10;
  limits.max_total_bytes = 1u << 20;
  std::string bytes(fuzz::as_text(data, size));
  cedar::Result<bundle::BundleFiles> files =
      bundle::read_bundle_archive(bytes, "fuzz.tar.gz", limits);
  if (!files.ok()) return 0;
  for (const auto& [path, content] : files->files) {
    // What the reader promises: relative, '/'-separated paths inside the bundle, and the
    // limits held.
    if (path.empty() || path.front() == '/' || path.find("..") != std::string::npos ||
        content.size() > limits.max_file_bytes) {
      __builtin_trap();
    }
  }
  if (files->files.size() > limits.max_files) __builtin_trap();
  (void)policy_bundle::load_policy_bundle(*files);
  return 0;
}
