#!/bin/sh
# The VM's real init (pid 1), stage 2: test/vm/build-image.sh puts it in the initramfs as
# /vm/init2.sh and /init switch_root's to it. The kernel command line picks the cgroup
# layout (test/vm/run-vm.ts writes it):
#
#   cgroup_no_v1=all      cgroup v2 only: cgroup2 on /sys/fs/cgroup, controllers enabled
#                         for children, then /vm/checks.sh            (the default)
#   husk.cgroup=v1        pure cgroup v1, the way a systemd-era v1 host looks: a tmpfs on
#                         /sys/fs/cgroup, one v1 hierarchy per controller (cpu,cpuacct and
#                         net_cls,net_prio together, with symlinks), a name=systemd
#                         hierarchy, no cgroup2 anywhere; then /vm/checks-v1.sh
export PATH=/usr/local/bin:/bin:/sbin HOME=/root TERM=dumb
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mkdir -p /dev/pts /dev/shm
mount -t devpts -o newinstance,ptmxmode=0666 devpts /dev/pts
mount -t tmpfs -o mode=1777 shm /dev/shm
mount -t tmpfs -o mode=0755 tmpfs /run
mount -t tmpfs -o mode=1777 tmpfs /tmp

mode=v2
case " $(cat /proc/cmdline) " in
*" husk.cgroup=v1 "*) mode=v1 ;;
esac

cgroup_v2() {
  mount -t cgroup2 cgroup2 /sys/fs/cgroup
  echo "# husk-vm: cgroup.controllers: $(cat /sys/fs/cgroup/cgroup.controllers)"
  for c in cpu cpuset io memory pids hugetlb; do
    grep -qw "$c" /sys/fs/cgroup/cgroup.controllers || continue
    out=$(echo "+$c" 2>&1 >/sys/fs/cgroup/cgroup.subtree_control) || echo "# husk-vm: enabling $c failed: $out"
  done
  echo "# husk-vm: cgroup.subtree_control: $(cat /sys/fs/cgroup/cgroup.subtree_control)"
}

# Mount one v1 hierarchy at /sys/fs/cgroup/$1 with the options $2 (controllers or
# none,name=...), with systemd's mount flags.
mount_v1() {
  mkdir -p "/sys/fs/cgroup/$1"
  out=$(mount -t cgroup -o "nosuid,nodev,noexec,relatime,$2" cgroup "/sys/fs/cgroup/$1" 2>&1) ||
    echo "# husk-vm: mounting the $2 hierarchy on /sys/fs/cgroup/$1 failed: $out"
}

cgroup_v1() {
  mount -t tmpfs -o nosuid,nodev,noexec,mode=0755 tmpfs /sys/fs/cgroup
  # systemd's own named hierarchy first (it gets hierarchy id 1 on such hosts)
  mount_v1 systemd none,name=systemd,xattr
  # every controller the kernel offers and has enabled (/proc/cgroups: name hierarchy
  # num_cgroups enabled); cpu+cpuacct and net_cls+net_prio share a hierarchy, named
  # after the members present, with a symlink per member
  offered=" $(awk '!/^#/ && $4 == 1 { printf "%s ", $1 }' /proc/cgroups)"
  echo "# husk-vm: /proc/cgroups offers:$offered"
  for c in $offered; do
    case $c in
    cpu | cpuacct) group="cpu cpuacct" ;;
    net_cls | net_prio) group="net_cls net_prio" ;;
    *) group=$c ;;
    esac
    name=""
    for g in $group; do
      case $offered in *" $g "*) name="${name:+$name,}$g" ;; esac
    done
    [ -e "/sys/fs/cgroup/$name" ] && continue
    mount_v1 "$name" "$name"
    for g in $group; do [ -e "/sys/fs/cgroup/$g" ] || ln -s "$name" "/sys/fs/cgroup/$g"; done
  done
  # as systemd leaves it: the tmpfs read-only, the hierarchies under it writable
  mount -o remount,ro /sys/fs/cgroup
  echo "# husk-vm: cgroup v1 hierarchies: $(awk '$3 == "cgroup" { print $2 }' /proc/mounts | sed 's|/sys/fs/cgroup/||' | tr '\n' ' ')"
  echo "# husk-vm: /sys/fs/cgroup: $(ls /sys/fs/cgroup | tr '\n' ' ')"
}

dmesg -n 1   # keep kernel messages (the OOM killer's) off the console while TAP prints
hostname husk-vm
ip link set lo up 2>/dev/null
echo "# husk-vm: kernel $(uname -r), uptime $(cut -d' ' -f1 /proc/uptime) s at init, cgroup mode $mode"
while read -r ko; do
  out=$(insmod "$ko" 2>&1) || echo "# husk-vm: insmod $ko: $out"
done </etc/vm-modules
echo "# husk-vm: modules: $(cut -d' ' -f1 /proc/modules | tr '\n' ' ')"
if [ "$mode" = v1 ]; then
  cgroup_v1
  checks=/vm/checks-v1.sh
else
  cgroup_v2
  checks=/vm/checks.sh
fi
# a guest watchdog, should the host side lose track of this VM: husk.watchdog=SECONDS on
# the kernel command line (the arm64 VM, slower under emulation, asks for more), else 300
wd=$(sed -n 's/.*husk\.watchdog=\([0-9][0-9]*\).*/\1/p' /proc/cmdline)
wd=${wd:-300}
(sleep "$wd"; echo "# husk-vm: watchdog: still running after $wd s, powering off"; poweroff -f) &
sh "$checks"
echo "# husk-vm: checks exited $? at uptime $(cut -d' ' -f1 /proc/uptime) s"
echo "# husk-vm: done"
sync
poweroff -f
