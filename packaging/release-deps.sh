#!/usr/bin/env bash
# What packaging/release.ts needs on a Debian host to build both arches: the arm64 cross
# compiler and arm64 libseccomp (multiarch), dpkg-deb, GNU tar, gzip. Idempotent.
set -euo pipefail
[[ $(id -u) -eq 0 ]] || { echo "release-deps: run as root (apt-get)" >&2; exit 1; }
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  dpkg --add-architecture arm64
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq gcc-aarch64-linux-gnu libseccomp-dev libseccomp-dev:arm64 dpkg-dev cmake g++ >/dev/null
echo "release-deps: done" >&2
