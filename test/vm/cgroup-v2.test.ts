// husk's cgroup checks on a real cgroup-v2-only kernel, under qemu.
//
// test/vm/build-image.sh (run from here; cached, fast when nothing changed) makes a Debian
// kernel + an initramfs with busybox, dist/husk and the check scripts. The VM boots with
// cgroup_no_v1=all, test/vm/checks.sh prints TAP on the serial console, the VM powers
// off. One bun test per TAP line (test/vm/vm-suite.ts); the VM's console is printed when
// something fails.
//
// Skipped (with the reason) only when qemu or the kernel cannot be obtained.
import { vmSuite } from "./vm-suite.ts";

vmSuite("v2", "cgroup v2 under qemu");
