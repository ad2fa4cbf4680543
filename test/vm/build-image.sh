#!/usr/bin/env bash
# Build (or reuse) the kernel + initramfs of the qemu harness. One image serves both
# cgroup layouts: booted with cgroup_no_v1=all it is a cgroup v2 host, booted with
# husk.cgroup=v1 a pure cgroup v1 host (see init2.sh).
#
#   bash test/vm/build-image.sh            # prints the paths of the kernel and initramfs
#
# Everything is cached under test/.fixtures/vm/ (git-ignored):
#   kernel/<version>/          Debian's linux-image-<version>-amd64, dpkg -x'd (never installed)
#   vmlinuz, kernel.version    the kernel in use
#   initramfs.cpio.gz          busybox-static, husk, its shared libraries, the modules,
#                              a busybox rootfs for containers, /init, and in /vm:
#                              init2.sh, checks-lib.sh, checks.sh, checks-v1.sh
#   initramfs.stamp            what the initramfs was built from; a rebuild happens only
#                              when an input changed (husk binary, busybox, these scripts,
#                              the kernel)
#
# Environment:
#   HUSK_BIN=path              husk executable to put in the image (default: dist/husk)
#   HUSK_VM_REFRESH_KERNEL=1   resolve and download linux-image-amd64 again
#
# Exit status: 0 ok; 77 when the kernel or the tools cannot be obtained (the bun test
# skips then); anything else is a real failure.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
cache="$repo/test/.fixtures/vm"
husk_src=${HUSK_BIN:-$repo/dist/husk}
LAYOUT_VERSION=4   # bump when the initramfs layout changes
# scripts copied into /vm of the image (init2.sh is the init; it picks checks.sh or
# checks-v1.sh from the kernel command line)
vm_scripts=(init2.sh checks-lib.sh checks.sh checks-v1.sh)

log() { echo "build-image: $*" >&2; }
skip() { echo "build-image: SKIP: $*" >&2; exit 77; }
die() { echo "build-image: ERROR: $*" >&2; exit 1; }

mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9   # one build at a time; a concurrent caller reuses the result

# --- tools ---------------------------------------------------------------------------
need_tools=(qemu-system-x86_64 cpio depmod gzip /bin/busybox)
missing=()
for t in "${need_tools[@]}"; do command -v "$t" >/dev/null 2>&1 || missing+=("$t"); done
if ((${#missing[@]})); then
  log "missing ${missing[*]}: running test/fixtures/ensure-packages.sh"
  bash "$repo/test/fixtures/ensure-packages.sh" >&2 || skip "could not install the packages for ${missing[*]}"
  for t in "${need_tools[@]}"; do command -v "$t" >/dev/null 2>&1 || skip "$t still missing after ensure-packages.sh"; done
fi

[[ -x "$husk_src" ]] || die "$husk_src not found: build it first (node_modules/.bin/bun run build)"

# --- kernel --------------------------------------------------------------------------
apt_download() { # dir pkg... ; retries once after apt-get update (stale or missing lists)
  local dir=$1
  shift
  (cd "$dir" && apt-get download "$@" >/dev/null 2>"$cache/apt.log") && return 0
  log "apt-get download $* failed; running apt-get update"
  apt-get update -qq >/dev/null 2>>"$cache/apt.log" || true
  (cd "$dir" && apt-get download "$@" >/dev/null 2>>"$cache/apt.log")
}
# The kernel cannot be downloaded: use the one already cached if there is one, else skip.
no_kernel() {
  local old
  old=$(cat "$cache/kernel.version" 2>/dev/null || true)
  if [[ -n "$old" && -f "$cache/kernel/$old/.complete" ]]; then
    log "$*; using the cached kernel $old"
    kver=$old
    return 0
  fi
  skip "$*"
}

kver=""
if [[ -z "${HUSK_VM_REFRESH_KERNEL:-}" && -s "$cache/kernel.version" ]]; then
  kver=$(cat "$cache/kernel.version")
  [[ -f "$cache/kernel/$kver/.complete" ]] || kver=""
fi
if [[ -z "$kver" ]]; then
  dl="$cache/download"
  rm -rf "$dl" && mkdir -p "$dl"
  log "resolving linux-image-amd64"
  if ! apt_download "$dl" linux-image-amd64; then
    no_kernel "apt-get download linux-image-amd64 failed: $(tail -3 "$cache/apt.log" | tr '\n' ' ')"
  fi
fi
if [[ -z "$kver" ]]; then
  meta=$(ls "$dl"/linux-image-amd64_*.deb)
  # The metapackage depends on the real image, e.g. "linux-image-6.1.0-56-amd64 (= 6.1.192-2)".
  real=$(dpkg-deb -f "$meta" Depends | tr ',|' '\n\n' | sed -E 's/^ *([^ (]+).*/\1/' | grep -E '^linux-image-[0-9].*-amd64(-unsigned)?$' | head -1)
  [[ -n "$real" ]] || die "cannot find the kernel package in the Depends of $meta: $(dpkg-deb -f "$meta" Depends)"
  log "downloading $real"
  if ! apt_download "$dl" "$real"; then
    no_kernel "apt-get download $real failed: $(tail -3 "$cache/apt.log" | tr '\n' ' ')"
  fi
fi
if [[ -z "$kver" ]]; then
  deb=$(ls "$dl/${real}"_*.deb)
  kver=${real#linux-image-}
  kver=${kver%-unsigned}
  kdir="$cache/kernel/$kver"
  rm -rf "$kdir" && mkdir -p "$kdir"
  dpkg -x "$deb" "$kdir"
  [[ -f "$kdir/boot/vmlinuz-$kver" ]] || die "no boot/vmlinuz-$kver in $deb"
  # Debian generates modules.dep at install time; do it here, inside the extracted tree.
  depmod -b "$kdir" "$kver"
  touch "$kdir/.complete"
  echo "$kver" >"$cache/kernel.version"
  rm -rf "$dl"
fi
kdir="$cache/kernel/$kver"
ln -sfn "kernel/$kver/boot/vmlinuz-$kver" "$cache/vmlinuz"

# --- initramfs inputs and stamp ------------------------------------------------------
# Copy husk first: others may rebuild dist/husk while we work.
work=$(mktemp -d "${TMPDIR:-/tmp}/husk-vm-build.XXXXXX")
trap 'rm -rf "$work"' EXIT
cp "$husk_src" "$work/husk"
chmod 0755 "$work/husk"

stamp=$( {
  echo "layout $LAYOUT_VERSION kernel $kver"
  sha256sum "$work/husk" | cut -d' ' -f1
  sha256sum /bin/busybox "$here/build-image.sh" "${vm_scripts[@]/#/$here/}" | cut -d' ' -f1
} )
if [[ -f "$cache/initramfs.cpio.gz" && "$(cat "$cache/initramfs.stamp" 2>/dev/null)" == "$stamp" ]]; then
  log "up to date ($kver)"
  echo "kernel=$cache/vmlinuz"
  echo "initrd=$cache/initramfs.cpio.gz"
  exit 0
fi

log "building initramfs (kernel $kver)"
root="$work/root"
mkdir -p "$root"/{bin,dev,proc,sys,run,tmp,etc,root,vm,usr/local/bin,lib/modules}
ln -s bin "$root/sbin"
ln -s ../bin "$root/usr/bin"
ln -s ../bin "$root/usr/sbin"
chmod 1777 "$root/tmp"

# busybox + applet links
cp /bin/busybox "$root/bin/busybox"
for a in $(/bin/busybox --list); do
  [[ "$a" == busybox || "$a" == */* ]] && continue
  ln -sf busybox "$root/bin/$a"
done

# husk and the shared libraries it needs (ldd gives the real paths; keep the names the
# dynamic linker looks for, resolving symlinks into plain files)
cp "$work/husk" "$root/usr/local/bin/husk"
ldd "$work/husk" | awk '/=>/ && $3 ~ /^\// {print $3} /^[ \t]*\/[^ ]+ \(/ {print $1}' | sort -u | while read -r lib; do
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
done
# the canonical loader path, whatever ldd printed
if [[ ! -e "$root/lib64/ld-linux-x86-64.so.2" ]]; then
  mkdir -p "$root/lib64"
  cp -L /lib64/ld-linux-x86-64.so.2 "$root/lib64/"
fi

# kernel modules: overlay, veth, bridge and their dependencies, in load order
moddir="$kdir/lib/modules/$kver"
declare -A seen=()
order=()
resolve_mod() { # module name -> appends the .ko paths (dependencies first) to order
  local name=$1 line path deps d
  if grep -qE "/${name}\.ko(\.[a-z]+)?$" "$moddir/modules.builtin" 2>/dev/null; then
    log "module $name is built in"
    return 0
  fi
  line=$(grep -E "(^|/)${name}\.ko(\.[a-z]+)?:" "$moddir/modules.dep" | head -1) || true
  [[ -n "$line" ]] || die "module $name not in $moddir/modules.dep"
  path=${line%%:*}
  deps=${line#*:}
  [[ -n "${seen[$path]:-}" ]] && return 0
  seen[$path]=1
  for d in $deps; do
    d=$(basename "$d"); d=${d%%.ko*}
    resolve_mod "$d"
  done
  order+=("$path")
}
for m in overlay veth bridge; do resolve_mod "$m"; done
: >"$root/etc/vm-modules"
for p in "${order[@]}"; do
  mkdir -p "$root/lib/modules/$kver/$(dirname "$p")"
  case "$p" in
    *.ko.xz) xz -dc "$moddir/$p" >"$root/lib/modules/$kver/${p%.xz}"; p=${p%.xz} ;;
    *.ko.zst) zstd -qdc "$moddir/$p" >"$root/lib/modules/$kver/${p%.zst}"; p=${p%.zst} ;;
    *.ko.gz) gzip -dc "$moddir/$p" >"$root/lib/modules/$kver/${p%.gz}"; p=${p%.gz} ;;
    *) cp "$moddir/$p" "$root/lib/modules/$kver/$p" ;;
  esac
  echo "/lib/modules/$kver/$p" >>"$root/etc/vm-modules"
done
log "modules: $(xargs -n1 basename <"$root/etc/vm-modules" | tr '\n' ' ')"

# the containers' rootfs: busybox and its applets (same layout as test/fixtures/busybox-rootfs.ts)
rf="$root/vm/rootfs"
mkdir -p "$rf"/{bin,usr,proc,sys,dev,tmp,etc,root,home/app,var/run}
chmod 0555 "$rf/proc" "$rf/sys"; chmod 1777 "$rf/tmp"; chmod 0700 "$rf/root"
cp /bin/busybox "$rf/bin/busybox"
for a in $(/bin/busybox --list); do
  [[ "$a" == busybox || "$a" == */* ]] && continue
  ln -sf busybox "$rf/bin/$a"
done
ln -s bin "$rf/sbin"; ln -s ../bin "$rf/usr/bin"; ln -s ../bin "$rf/usr/sbin"
printf 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$rf/etc/passwd"
printf 'root:x:0:\napp:x:1000:\nnobody:x:65534:\n' >"$rf/etc/group"
echo "127.0.0.1 localhost" >"$rf/etc/hosts"
: >"$rf/etc/resolv.conf"
echo busybox >"$rf/etc/hostname"

# files husk or busybox may look at
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$root/etc/passwd"
printf 'root:x:0:\n' >"$root/etc/group"
echo "127.0.0.1 localhost husk-vm" >"$root/etc/hosts"
echo "$kver" >"$root/etc/vm-kernel"

for f in "${vm_scripts[@]}"; do cp "$here/$f" "$root/vm/$f"; done

# /init, stage 1: the initramfs root ("rootfs") cannot be pivot_root'ed away from, and
# containers need pivot_root; so copy everything into a tmpfs and switch_root to it.
cat >"$root/init" <<'EOF'
#!/bin/busybox sh
/bin/busybox mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1
mkdir -p /newroot
mount -t tmpfs -o mode=0755 tmpfs /newroot
for d in bin etc lib lib64 root run sbin tmp usr vm; do
  [ -e /$d ] && cp -a /$d /newroot/
done
mkdir -p /newroot/dev /newroot/proc /newroot/sys
mount --move /dev /newroot/dev
exec switch_root /newroot /vm/init2.sh
echo "init: switch_root failed"
poweroff -f
EOF
chmod 0755 "$root/init"

# stage 2: the real init (pid 1); the kernel command line picks the cgroup layout
cp "$here/init2.sh" "$root/vm/init2.sh"
chmod 0755 "$root/vm/init2.sh"

# a console node for the kernel to open before devtmpfs is mounted
mknod -m 0600 "$root/dev/console" c 5 1 2>/dev/null || true

log "packing $(du -sh "$root" | cut -f1) into initramfs.cpio.gz"
gz="gzip -1"
command -v pigz >/dev/null 2>&1 && gz="pigz -1"
(cd "$root" && find . -print0 | LC_ALL=C sort -z | cpio --null --create --format=newc --owner=0:0 --quiet | $gz) >"$cache/initramfs.cpio.gz.tmp"
mv "$cache/initramfs.cpio.gz.tmp" "$cache/initramfs.cpio.gz"
echo "$stamp" >"$cache/initramfs.stamp"
log "done: $(du -h "$cache/initramfs.cpio.gz" | cut -f1)"
echo "kernel=$cache/vmlinuz"
echo "initrd=$cache/initramfs.cpio.gz"
