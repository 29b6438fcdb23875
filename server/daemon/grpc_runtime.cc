#include "server/daemon/grpc_runtime.h"

#include <absl/synchronization/mutex.h>

namespace crossgate::server {

void configure_grpc_runtime() {
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
}

}  // namespace crossgate::server
