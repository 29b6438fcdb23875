// Process-wide settings for a process that uses gRPC, applied once at start by the daemon
// and by the load benchmark's echo server and load generator alike, so that the servers
// stay comparable.
#pragma once

namespace crossgate::server {

// Turns off abseil's mutex deadlock detection. Debian builds abseil without NDEBUG, which
// leaves it on: every lock gRPC takes is then recorded in a global lock-order graph, a
// debugging aid that costs a few percent of a busy server's CPU (measured: 2-3% of the
// daemon's samples in abseil's GraphCycles). Release builds of abseil
// have it off; this makes ours behave like them.
void configure_grpc_runtime();

}  // namespace crossgate::server
