// User-facing errors: one line naming what failed, on what, the errno name, and a hint.

export class HuskError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = "HuskError";
  }

  render(): string {
    return this.hint ? `${this.message} (hint: ${this.hint})` : this.message;
  }
}

/** Hints for the errno values people meet when creating containers. */
const ERRNO_HINTS: Record<string, string> = {
  ENOENT: "check that the path exists in the rootfs or on the host",
  EACCES: "check permissions and that the file is executable",
  EPERM: "the kernel refused it; needs root or a capability the caller lacks",
  EBUSY: "something is still mounted or running there",
  EINVAL: "the kernel rejected the arguments; check config.json values",
  ENOSPC: "no space, or a cgroup (e.g. cpuset) without cpus/mems",
  ENOSYS: "this kernel lacks the feature",
  ETIMEDOUT: "raise the hook's timeout or fix the hook",
};

/** Hints for one stage's failure that the errno alone would get wrong. */
function specificHint(ev: { stage: string; errno: string; path: string; message: string }): string | undefined {
  // The kernel gives EINVAL when / is not a mount point, as in a plain chroot (pivot_root
  // needs one too); "check config.json" would send people the wrong way.
  if (ev.errno === "EINVAL" && ev.path === "/" && /^make root mount /.test(ev.message)) {
    return "/ is not a mount point (husk runs in a chroot?): bind-mount the root dir onto itself before chroot, as arch-chroot does";
  }
  return undefined;
}

export class CoreError extends HuskError {
  constructor(
    message: string,
    hint?: string,
    readonly stage = "",
    readonly errno = "",
  ) {
    super(message, hint);
    this.name = "CoreError";
  }

  static fromEvent(ev: { stage: string; errno: string; path: string; message: string }): CoreError {
    const where = ev.path && !ev.message.includes(ev.path) ? ` ${ev.path}` : "";
    const errno = ev.errno ? `: ${ev.errno}` : "";
    return new CoreError(`${ev.stage}: ${ev.message}${where}${errno}`, specificHint(ev) ?? ERRNO_HINTS[ev.errno], ev.stage, ev.errno);
  }
}
