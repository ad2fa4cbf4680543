#!/usr/bin/env bash
# Build (or reuse) the kernel + initramfs of the arm64 VM: Debian's arm64 kernel, the
# arm64 busybox-static and the arm64 husk with its arm64 shared libraries; the same init
# and cgroup v2 checks as the x86 VM (init2.sh, checks-lib.sh, checks.sh), booted by
# test/vm/arm64-vm.ts under qemu-system-aarch64.
#
#   HUSK_ARM64_BIN=path bash test/vm/arm64-image.sh    # prints kernel=... and initrd=...
#
# Cached under test/.fixtures/vm-arm64/ (kernel/<version>/, busybox/, initramfs.cpio.gz and
# a stamp of its inputs). Exit 77 when the kernel or busybox cannot be obtained.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
cache="$repo/test/.fixtures/vm-arm64"
husk_src=${HUSK_ARM64_BIN:?set HUSK_ARM64_BIN to the arm64 husk executable}
vm_scripts=(init2.sh checks-lib.sh checks.sh checks-v1.sh)
LIBDIR=/usr/lib/aarch64-linux-gnu

log() { echo "arm64-image: $*" >&2; }
skip() { echo "arm64-image: SKIP: $*" >&2; exit 77; }
die() { echo "arm64-image: ERROR: $*" >&2; exit 1; }

mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9
[[ -x "$husk_src" ]] || die "$husk_src not found or not executable"
for t in qemu-system-aarch64 cpio depmod gzip readelf; do command -v "$t" >/dev/null || skip "$t missing (qemu-system-arm, cpio, kmod, binutils)"; done
[[ -e /lib/ld-linux-aarch64.so.1 || -e $LIBDIR/ld-linux-aarch64.so.1 ]] || skip "no arm64 libc (apt-get install libc6:arm64 after dpkg --add-architecture arm64)"

download() { # dir pkg...
  (cd "$1" && shift && apt-get download "$@" >/dev/null 2>"$cache/apt.log") && return 0
  apt-get update -qq >/dev/null 2>&1 || true
  (cd "$1" && shift && apt-get download "$@" >/dev/null 2>>"$cache/apt.log")
}

# --- kernel: linux-image-arm64 -> the real package, dpkg -x'd, never installed ---------
kver=$(cat "$cache/kernel.version" 2>/dev/null || true)
if [[ -z "$kver" || ! -f "$cache/kernel/$kver/.complete" ]]; then
  dl="$cache/download"; rm -rf "$dl"; mkdir -p "$dl"; chmod 0755 "$dl"
  download "$dl" linux-image-arm64 || skip "apt-get download linux-image-arm64 failed: $(tail -2 "$cache/apt.log")"
  real=$(dpkg-deb -f "$dl"/linux-image-arm64_*.deb Depends | tr ',|' '\n\n' | sed -E 's/^ *([^ (]+).*/\1/' | grep -E '^linux-image-[0-9].*-arm64(-unsigned)?$' | head -1)
  [[ -n "$real" ]] || die "no kernel package in the Depends of linux-image-arm64"
  download "$dl" "$real" || skip "apt-get download $real failed"
  kver=${real#linux-image-}; kver=${kver%-unsigned}
  rm -rf "$cache/kernel/$kver"; mkdir -p "$cache/kernel/$kver"
  dpkg -x "$dl/${real}"_*.deb "$cache/kernel/$kver"
  depmod -b "$cache/kernel/$kver" "$kver"
  touch "$cache/kernel/$kver/.complete"
  echo "$kver" >"$cache/kernel.version"
  rm -rf "$dl"
fi
kdir="$cache/kernel/$kver"
vmlinuz="$kdir/boot/vmlinuz-$kver"
[[ -f "$vmlinuz" ]] || die "no $vmlinuz"

# --- busybox-static:arm64 ----------------------------------------------------------------
bb="$cache/busybox/bin/busybox"
if [[ ! -x "$bb" ]]; then
  dl="$cache/download-bb"; rm -rf "$dl"; mkdir -p "$dl"; chmod 0755 "$dl"
  download "$dl" busybox-static:arm64 || skip "apt-get download busybox-static:arm64 failed"
  rm -rf "$cache/busybox"; dpkg -x "$dl"/busybox-static_*_arm64.deb "$cache/busybox"; rm -rf "$dl"
fi
# The applet list from the host's busybox (the arm64 one cannot run here); same version.
applets=$(/bin/busybox --list)

work=$(mktemp -d "${TMPDIR:-/tmp}/husk-vm-arm64.XXXXXX")
trap 'rm -rf "$work"' EXIT
cp "$husk_src" "$work/husk"; chmod 0755 "$work/husk"
stamp=$( { echo "kernel $kver"; sha256sum "$work/husk" "$bb" "$here/arm64-image.sh" "${vm_scripts[@]/#/$here/}" | cut -d' ' -f1; } )
if [[ -f "$cache/initramfs.cpio.gz" && "$(cat "$cache/initramfs.stamp" 2>/dev/null)" == "$stamp" ]]; then
  echo "kernel=$vmlinuz"; echo "initrd=$cache/initramfs.cpio.gz"; exit 0
fi

log "building initramfs (kernel $kver)"
root="$work/root"
mkdir -p "$root"/{bin,dev,proc,sys,run,tmp,etc,root,vm,usr/local/bin,lib/modules,lib/aarch64-linux-gnu}
ln -s bin "$root/sbin"; ln -s ../bin "$root/usr/bin"; ln -s ../bin "$root/usr/sbin"; ln -s ../lib "$root/usr/lib"
chmod 1777 "$root/tmp"
cp "$bb" "$root/bin/busybox"
for a in $applets; do [[ "$a" == busybox || "$a" == */* ]] || ln -sf busybox "$root/bin/$a"; done

# husk and the arm64 libraries it names (NEEDED), plus the loader
cp "$work/husk" "$root/usr/local/bin/husk"
cp -L "$LIBDIR/ld-linux-aarch64.so.1" "$root/lib/ld-linux-aarch64.so.1"
for lib in $(readelf -d "$work/husk" | sed -nE 's/.*\(NEEDED\).*\[(.*)\]/\1/p'); do
  [[ -e "$LIBDIR/$lib" ]] || die "arm64 library $lib not found in $LIBDIR"
  cp -L "$LIBDIR/$lib" "$root/lib/aarch64-linux-gnu/$lib"
done

# overlay, veth, bridge and their dependencies, in load order
moddir="$kdir/lib/modules/$kver"
declare -A seen=(); order=()
resolve_mod() {
  local name=$1 line path deps d
  grep -qE "/${name}\.ko(\.[a-z]+)?$" "$moddir/modules.builtin" 2>/dev/null && return 0
  line=$(grep -E "(^|/)${name}\.ko(\.[a-z]+)?:" "$moddir/modules.dep" | head -1) || true
  [[ -n "$line" ]] || die "module $name not in modules.dep"
  path=${line%%:*}; deps=${line#*:}
  [[ -n "${seen[$path]:-}" ]] && return 0
  seen[$path]=1
  for d in $deps; do d=$(basename "$d"); resolve_mod "${d%%.ko*}"; done
  order+=("$path")
}
for m in overlay veth bridge; do resolve_mod "$m"; done
: >"$root/etc/vm-modules"
for p in "${order[@]}"; do
  mkdir -p "$root/lib/modules/$kver/$(dirname "$p")"
  case "$p" in
    *.ko.xz) xz -dc "$moddir/$p" >"$root/lib/modules/$kver/${p%.xz}"; p=${p%.xz} ;;
    *.ko.zst) zstd -qdc "$moddir/$p" >"$root/lib/modules/$kver/${p%.zst}"; p=${p%.zst} ;;
    *) cp "$moddir/$p" "$root/lib/modules/$kver/$p" ;;
  esac
  echo "/lib/modules/$kver/$p" >>"$root/etc/vm-modules"
done

# the containers' rootfs: arm64 busybox
rf="$root/vm/rootfs"
mkdir -p "$rf"/{bin,usr,proc,sys,dev,tmp,etc,root,home/app,var/run}
chmod 0555 "$rf/proc" "$rf/sys"; chmod 1777 "$rf/tmp"; chmod 0700 "$rf/root"
cp "$bb" "$rf/bin/busybox"
for a in $applets; do [[ "$a" == busybox || "$a" == */* ]] || ln -sf busybox "$rf/bin/$a"; done
ln -s bin "$rf/sbin"; ln -s ../bin "$rf/usr/bin"; ln -s ../bin "$rf/usr/sbin"
printf 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$rf/etc/passwd"
printf 'root:x:0:\napp:x:1000:\nnobody:x:65534:\n' >"$rf/etc/group"
echo "127.0.0.1 localhost" >"$rf/etc/hosts"; : >"$rf/etc/resolv.conf"; echo busybox >"$rf/etc/hostname"
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$root/etc/passwd"
printf 'root:x:0:\n' >"$root/etc/group"
echo "127.0.0.1 localhost husk-vm" >"$root/etc/hosts"
echo "$kver" >"$root/etc/vm-kernel"
for f in "${vm_scripts[@]}"; do cp "$here/$f" "$root/vm/$f"; done
chmod 0755 "$root/vm/init2.sh"

# stage 1 as in the x86 image: copy into a tmpfs and switch_root (pivot_root needs it)
cat >"$root/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1
mkdir -p /newroot
mount -t tmpfs -o mode=0755 tmpfs /newroot
for d in bin etc lib root run sbin tmp usr vm; do [ -e /$d ] && cp -a /$d /newroot/; done
mkdir -p /newroot/dev /newroot/proc /newroot/sys
mount --move /dev /newroot/dev
exec switch_root /newroot /vm/init2.sh
echo "init: switch_root failed"; poweroff -f
INIT
chmod 0755 "$root/init"
mknod -m 0600 "$root/dev/console" c 5 1 2>/dev/null || true

gz="gzip -1"; command -v pigz >/dev/null && gz="pigz -1"
(cd "$root" && find . -print0 | LC_ALL=C sort -z | cpio --null --create --format=newc --owner=0:0 --quiet | $gz) >"$cache/initramfs.cpio.gz.tmp"
mv "$cache/initramfs.cpio.gz.tmp" "$cache/initramfs.cpio.gz"
echo "$stamp" >"$cache/initramfs.stamp"
log "done: $(du -h "$cache/initramfs.cpio.gz" | cut -f1)"
echo "kernel=$vmlinuz"; echo "initrd=$cache/initramfs.cpio.gz"
