#!/usr/bin/env bash
# Installs the Debian packages TLS Matrix builds with, if any is missing.
# Safe to run repeatedly; needs root (or sudo) only when something is missing.
set -euo pipefail

packages=(
  cmake ninja-build g++
  relacy-dev librapidcheck-dev libgtest-dev libbenchmark-dev
  libboost-dev libboost-program-options-dev libboost-thread-dev
  nlohmann-json3-dev python3
  clang-16  # ci/check_thread_safety.sh: -Wthread-safety (>= 15 for <source_location>)
  liburcu-dev
  libclang-rt-16-dev  # ci/fuzz.sh: the libFuzzer and sanitizer runtimes of clang-16
  slurm-wlm munge  # ci/slurm_cluster.sh: the one-node Slurm cluster of the distributed tests
  python3-yaml  # ci/check_scale_out_manifests.py: the GitHub Actions and Kubernetes manifests
  chromium  # tests/cli/html_browser_test.sh: the failure page rendered in a headless browser
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps: all packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null; then SUDO=sudo; else
    echo "install-deps: missing packages (${missing[*]}) and not root; install them with apt-get" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
if ! $SUDO apt-get update -qq; then
  echo "install-deps: apt-get update failed (no network or no Debian mirror?)" >&2
  exit 1
fi
if ! $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"; then
  echo "install-deps: apt-get install failed for: ${missing[*]}" >&2
  exit 1
fi
echo "install-deps: done"
