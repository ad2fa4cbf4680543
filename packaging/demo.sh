#!/usr/bin/env bash
# The README's first command: install what is needed, build dist/husk, and run a
# container from a busybox image made from Debian's busybox-static. Safe to run again.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

need=(busybox-static cmake g++ make libseccomp-dev)
command -v npm >/dev/null 2>&1 || need+=(nodejs npm)
missing=()
for p in "${need[@]}"; do
  [[ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)" == installed ]] || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "demo: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi
# npm install from package-lock.json (see test/run-all.sh for why not `npm ci`). npm warns
# that the install scripts of bun and msgpackr-extract are not approved: the bun package
# works without its postinstall, and msgpackr runs without its native helper.
[[ -x node_modules/.bin/bun ]] || npm install --no-save --no-audit --no-fund
node_modules/.bin/bun run build

# The bundled image: busybox-static's rootfs as a tarball, imported as a one-layer image.
tarball=$(node_modules/.bin/bun packaging/demo-image.ts /tmp/husk-demo)
dist/husk image import --change 'CMD ["/bin/sh"]' --change 'ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin' "$tarball" husk-demo/busybox:latest >/dev/null
if (($# == 0)); then
  set -- /bin/sh -c 'echo hello from husk; uname -a; id; hostname; ps'
fi
echo "demo: dist/husk run --rm --network none husk-demo/busybox $*" >&2
exec dist/husk run --rm --network none --hostname husk-demo husk-demo/busybox "$@"
