#!/usr/bin/env bash
# A fresh Debian root for test/packaging/deb-install.test.ts: `debootstrap --variant=minbase`
# of this host's own suite and architecture, from the mirror (and proxy) apt uses here,
# kept as a tarball so that a test run pays for it once.
#
#   bash test/packaging/deb-install-root.sh      # prints the tarball's path
#
# Cache: test/.fixtures/debian-root/<suite>-<arch>-minbase.tar (gitignored). Downloaded
# .debs and apt lists are dropped from it: dpkg -i needs neither. HUSK_DEB_SUITE picks
# another suite. Exit 77 (skip) when debootstrap is not installed; 1 when it fails.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
cache="$repo/test/.fixtures/debian-root"

skip() { echo "deb-install-root: SKIP: $*" >&2; exit 77; }
die() { echo "deb-install-root: ERROR: $*" >&2; exit 1; }

command -v debootstrap >/dev/null || skip "debootstrap missing (Debian package debootstrap)"
suite=${HUSK_DEB_SUITE:-$(. /etc/os-release && echo "${VERSION_CODENAME:-}")}
[[ -n "$suite" ]] || die "no VERSION_CODENAME in /etc/os-release; set HUSK_DEB_SUITE"
arch=$(dpkg --print-architecture)
tarball="$cache/$suite-$arch-minbase.tar"

mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9
if [[ -s "$tarball" ]]; then echo "$tarball"; exit 0; fi

# The mirror apt already reaches for this suite (sources.list or deb822 .sources alike):
# apt's own list of index targets, so no host name lives here.
mirror=$(apt-get indextargets --format '$(REPO_URI) $(RELEASE) $(COMPONENT) $(ARCHITECTURE)' 'Identifier: Packages' |
  awk -v s="$suite" -v a="$arch" '$2 == s && $3 == "main" && $4 == a { print $1; exit }')
[[ -n "$mirror" ]] || die "apt has no '$suite main $arch' source (apt-get indextargets); add one to /etc/apt/sources.list.d/"
# debootstrap downloads with wget, which reads http_proxy: hand it apt's proxy, if any.
proxy=""
eval "$(apt-config shell proxy Acquire::http::Proxy)"
[[ -n "$proxy" && "$proxy" != DIRECT ]] && export http_proxy="$proxy"

work=$(mktemp -d /var/tmp/husk-debootstrap.XXXXXX)
trap 'rm -rf "$work"' EXIT
echo "deb-install-root: debootstrap --variant=minbase $suite ($arch) from $mirror${http_proxy:+ via proxy}" >&2
t0=$(date +%s)
if ! debootstrap --variant=minbase --arch="$arch" "$suite" "$work/root" "$mirror" >"$work/log" 2>&1; then
  tail -15 "$work/log" >&2
  [[ -f "$work/root/debootstrap/debootstrap.log" ]] && tail -15 "$work/root/debootstrap/debootstrap.log" >&2
  die "debootstrap $suite from $mirror failed (log above)"
fi
rm -f "$work/root/var/cache/apt/archives/"*.deb
find "$work/root/var/lib/apt/lists" -mindepth 1 -maxdepth 1 ! -name partial ! -name lock -exec rm -rf {} +
tar --numeric-owner --xattrs -C "$work/root" -cf "$tarball.tmp" .
mv "$tarball.tmp" "$tarball"
echo "deb-install-root: done in $(($(date +%s) - t0)) s: $(du -h "$tarball" | cut -f1)" >&2
echo "$tarball"
