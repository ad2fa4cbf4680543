// CoreError.fromEvent: the one line husk prints for a husk-core failure, and its hint.
// A stage-specific hint wins over the errno's generic one where that would mislead.
import { describe, expect, test } from "bun:test";
import { CoreError } from "../../src/runtime/errors.ts";

describe("CoreError.fromEvent", () => {
  test("EINVAL on making / a mount slave: / is not a mount point (a bare chroot)", () => {
    const e = CoreError.fromEvent({ stage: "mounts", errno: "EINVAL", path: "/", message: "make root mount slave" });
    expect(e.render()).toBe(
      "mounts: make root mount slave /: EINVAL (hint: / is not a mount point (husk runs in a chroot?): bind-mount the root dir onto itself before chroot, as arch-chroot does)",
    );
    expect(CoreError.fromEvent({ stage: "mounts", errno: "EINVAL", path: "/", message: "make root mount private" }).hint).toContain("not a mount point");
  });

  test("other EINVALs keep the generic hint", () => {
    const e = CoreError.fromEvent({ stage: "mounts", errno: "EINVAL", path: "/proc", message: "mount proc" });
    expect(e.render()).toBe("mounts: mount proc /proc: EINVAL (hint: the kernel rejected the arguments; check config.json values)");
    expect(CoreError.fromEvent({ stage: "mounts", errno: "EPERM", path: "/", message: "make root mount slave" }).hint).toContain("needs root");
  });
});
