// husk's cgroup checks on a PURE cgroup v1 host (old appliance kernels), under qemu.
//
// The same image as cgroup-v2.test.ts (test/vm/build-image.sh), booted with
// husk.cgroup=v1 instead of cgroup_no_v1=all: test/vm/init2.sh mounts a tmpfs on
// /sys/fs/cgroup, one v1 hierarchy per controller the kernel offers (cpu,cpuacct and
// net_cls,net_prio shared, with symlinks) and a name=systemd hierarchy, and no cgroup2.
// test/vm/checks-v1.sh prints TAP on the serial console, the VM powers off. One bun test
// per TAP line (test/vm/vm-suite.ts); the VM's console is printed when something fails.
//
// Skipped (with the reason) only when qemu or the kernel cannot be obtained.
import { vmSuite } from "./vm-suite.ts";

vmSuite("v1", "cgroup v1 (pure, no cgroup2) under qemu");
