#!/usr/bin/env bash
# Installs every Debian 12 package crossgate needs to build, test and benchmark.
# Idempotent and non-interactive: packages already present are not touched, and the
# backports source is added once. Run as root or as a user with sudo.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config clang
  nlohmann-json3-dev libbenchmark-dev
  libgrpc++-dev libprotobuf-dev protobuf-compiler protobuf-compiler-grpc
  libssl-dev openssl libyaml-cpp-dev libarchive-dev libcurl4-openssl-dev libcpp-httplib-dev
  libjemalloc-dev
  prometheus
  libclang-rt-14-dev  # libFuzzer and clang's sanitizer runtimes (scripts/fuzz.sh)
  nghttp2-client  # h2load, the load benchmark's cross-check (bench/load_benchmark.py)
  python3 python3-grpcio python3-protobuf python3-cryptography python3-jwt python3-yaml
)
# Node.js runs the reference Cedar implementation in the benchmark comparison. A machine
# may already carry another distribution of it (whose nodejs conflicts with Debian's npm).
command -v node >/dev/null && command -v npm >/dev/null || packages+=(nodejs npm)
# Catch2 v3: Debian 12 carries only v2 in bookworm itself.
backports_packages=(catch2)

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

missing_packages() {
  local pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" ||
      echo "$pkg"
  done
}

# The machine's configured Debian mirror: the first URI serving the bookworm suite, from
# the deb822 sources or the one-line sources.list. Never a host name written here.
debian_mirror() {
  local file
  for file in /etc/apt/sources.list.d/*.sources; do
    [ -f "$file" ] || continue
    awk '
      /^[[:space:]]*$/ { if (uri != "" && suite) { print uri; exit } uri=""; suite=0; next }
      /^URIs:/        { uri=$2 }
      /^Suites:/      { for (i = 2; i <= NF; i++) if ($i == "bookworm") suite=1 }
      END             { if (uri != "" && suite) print uri }
    ' "$file" | head -n 1
  done
  for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$file" ] || continue
    awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { if ($(i + 1) == "bookworm") print $i; break } }' "$file"
  done
}

ensure_backports_source() {
  if grep -rqs "bookworm-backports" /etc/apt/sources.list /etc/apt/sources.list.d/; then
    return 1
  fi
  local mirror
  mirror=$(debian_mirror | head -n 1)
  if [ -z "$mirror" ]; then
    echo "setup: no Debian bookworm source found in /etc/apt; cannot add bookworm-backports" >&2
    exit 1
  fi
  echo "setup: adding bookworm-backports from $mirror"
  echo "deb $mirror bookworm-backports main" |
    as_root tee /etc/apt/sources.list.d/crossgate-bookworm-backports.list >/dev/null
  return 0
}

export DEBIAN_FRONTEND=noninteractive
need=$(missing_packages "${packages[@]}")
need_backports=$(missing_packages "${backports_packages[@]}")
# Catch2 v2 may be installed from bookworm; v3 is what the tests need.
if [ -z "$need_backports" ] && ! dpkg --compare-versions \
    "$(dpkg-query -W -f='${Version}' catch2)" ge 3; then
  need_backports=catch2
fi

if [ -n "$need" ] || [ -n "$need_backports" ]; then
  updated=0
  if [ -n "$need_backports" ] && ensure_backports_source; then
    as_root apt-get update -q
    updated=1
  fi
  [ "$updated" -eq 1 ] || as_root apt-get update -q
  if [ -n "$need" ]; then
    # shellcheck disable=SC2086
    as_root apt-get install -y -q --no-install-recommends $need
  fi
  if [ -n "$need_backports" ]; then
    # shellcheck disable=SC2086
    as_root apt-get install -y -q --no-install-recommends -t bookworm-backports $need_backports
  fi
fi
echo "setup: all packages present"
