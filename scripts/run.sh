#!/usr/bin/env bash
# Sets up the machine, builds crossgate (default preset) and runs its main job: the
# decision daemon on the built-in example bundle and owner registry (deploy/example),
# listening on 127.0.0.1:50051 without TLS (loopback only). Ctrl-C stops it.
#
# A first request, from another terminal:
#   /usr/bin/python3 deploy/example/first_request.py
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/setup.sh
cmake --preset default
cmake --build --preset default --target crossgate crossgate_proto_python

exec ./build/default/server/crossgate serve --config deploy/example/crossgate.yaml
