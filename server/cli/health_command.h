// `crossgate health`: one grpc.health.v1.Health/Check call to a running daemon, for
// container HEALTHCHECKs, Kubernetes exec probes and people. Prints the serving status.
// Exit status: 0 SERVING, 1 NOT_SERVING or a service the server does not know,
// 2 no answer (connection refused, TLS failure, deadline) or unusable options. --alive: exit
// 0 for any answer (liveness: a daemon waiting for its first bundle is alive, not ready).
#pragma once

#include <span>
#include <string_view>

namespace crossgate::cli {

int health_command(std::span<const std::string_view> args);

}  // namespace crossgate::cli
