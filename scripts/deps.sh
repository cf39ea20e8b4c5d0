#!/usr/bin/env bash
# Installs the Debian 12 packages Genesis builds with, only those missing. Silent when all are present.
set -euo pipefail

packages=(
  g++ cmake ninja-build pkg-config ccache git ca-certificates
  libboost1.81-dev libssl-dev libsimdjson-dev libsqlite3-dev libspdlog-dev libtomlplusplus-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  clang-format clang libclang-rt-14-dev
  libfiu-dev fiu-utils
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing missing packages: ${missing[*]}" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
