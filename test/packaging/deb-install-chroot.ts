// Run commands inside a Debian root the way an installed system would see them: from a
// private mount namespace of their own (unshare -m, private propagation), with the root
// bind-mounted onto itself (as arch-chroot does: pivot_root and husk's "make / a slave"
// need / to be a mount point), the host's /proc, /sys (and so its cgroup trees), /dev
// bind-mounted in and a fresh tmpfs on /run, then chroot. The namespace dies with the command, and every mount with it: nothing is
// mounted in the host's own namespace, so there is nothing to unmount afterwards.
import { shQuote } from "../helpers/cgroup.ts";
import { type RunResult, runSync } from "../helpers/husk.ts";

/** The environment of a root login shell, not the test's. */
const CHROOT_ENV = "env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 TERM=dumb";

/**
 * `sh -c script` inside `root` (chroot). `hostBefore`/`hostAfter` run in the namespace
 * outside the chroot, before and after (for mount checks); `$R` is the root there.
 * `plainDir` leaves the root a plain directory, not a mount point (a bare chroot).
 */
export function inChroot(root: string, script: string, opts: { hostBefore?: string; hostAfter?: string; timeoutMs?: number; plainDir?: boolean } = {}): RunResult {
  const outer = [
    "set -e",
    `R=${shQuote(root)}`,
    opts.plainDir ? ":" : 'mount --bind "$R" "$R"',
    'mount -t proc proc "$R/proc"',
    'mount --rbind /sys "$R/sys"',
    'mount --rbind /dev "$R/dev"',
    'mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs "$R/run"',
    opts.hostBefore ?? ":",
    "set +e",
    `${CHROOT_ENV} chroot "$R" /bin/sh -c ${shQuote(script)}`,
    "rc=$?",
    opts.hostAfter ?? ":",
    "exit $rc",
  ].join("\n");
  return runSync(["unshare", "-m", "--propagation", "private", "sh", "-c", outer], { timeoutMs: opts.timeoutMs ?? 120_000 });
}

/** Shell (for hostBefore/hostAfter): the mount points at or below $R, one a line, sorted. */
export const LIST_ROOT_MOUNTS = `awk -v r="$R" '$5 == r || index($5, r "/") == 1 { print $5 }' /proc/self/mountinfo | sort`;
