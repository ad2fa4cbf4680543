// How src/storage passes layers to the kernel, against a fake MountSys: option strings,
// layer order, the size limits, and which fallback is taken for which refusal.
import { beforeEach, describe, expect, test } from "bun:test";
import type { MountSys } from "../../src/storage/mount-sys.ts";
import { mountOverlay, resetMountMemory, unmountOverlay } from "../../src/storage/overlay-mount.ts";
import {
  checkOverlayPath,
  FSCONFIG_VALUE_MAX,
  fsconfigLowerdirPlus,
  fsconfigLowerdirString,
  kernelAtLeast,
  MOUNT_DATA_MAX,
  mountData,
  overlayLowerOrder,
  type OverlaySpec,
  withFdPaths,
} from "../../src/storage/overlay-options.ts";
import { parseMountinfo, mountsAtOrUnder } from "../../src/storage/mountinfo.ts";
import { driverFromEnv } from "../../src/storage/driver-choice.ts";
import { graphDriver } from "../../src/storage/snapshot.ts";

const spec = (lowerDirs: string[], options: string[] = []): OverlaySpec => ({ lowerDirs, upperDir: "/s/upper", workDir: "/s/work", options });
const layers = (n: number, len = 60) => Array.from({ length: n }, (_, i) => `/${"d".repeat(len)}/${i}`);

describe("overlay options", () => {
  test("image layers (bottom first) become overlay's order (top first)", () => {
    expect(overlayLowerOrder(["/base", "/mid", "/top"])).toEqual(["/top", "/mid", "/base"]);
  });

  test("lowerdir+ is one fsconfig per layer, then upper, work, and the extras as key/value or flag", () => {
    expect(fsconfigLowerdirPlus(spec(["/t", "/b"], ["index=off", "volatile"]))).toEqual([
      ["lowerdir+", "/t"],
      ["lowerdir+", "/b"],
      ["upperdir", "/s/upper"],
      ["workdir", "/s/work"],
      ["index", "off"],
      ["volatile", null],
    ]);
  });

  test("the single lowerdir string is used only when it fits fsconfig's 255-byte value", () => {
    expect(fsconfigLowerdirString(spec(["/t", "/b"]))?.[0]).toEqual(["lowerdir", "/t:/b"]);
    const fits = layers(4, 60); // 4 * 63 - 1 = 251
    expect(fits.join(":").length).toBeLessThanOrEqual(FSCONFIG_VALUE_MAX);
    expect(fsconfigLowerdirString(spec(fits))).not.toBeNull();
    expect(fsconfigLowerdirString(spec(layers(5, 60)))).toBeNull();
  });

  test("the mount(2) data string is comma-joined and null past one page", () => {
    expect(mountData(spec(["/t", "/b"], ["index=off"]))).toBe("lowerdir=/t:/b,upperdir=/s/upper,workdir=/s/work,index=off");
    expect(mountData(spec(layers(60, 60)))).not.toBeNull();
    expect(mountData(spec(layers(70, 60)))).toBeNull();
  });

  test("fd names replace the layer paths one for one", () => {
    expect(withFdPaths(spec(["/a", "/b"]), [7, 12]).lowerDirs).toEqual(["/proc/self/fd/7", "/proc/self/fd/12"]);
    expect(() => withFdPaths(spec(["/a"]), [])).toThrow();
  });

  test("paths overlay strings cannot carry are refused with the reason", () => {
    expect(() => checkOverlayPath("path", "/data/a,b")).toThrow("cannot carry");
    expect(() => checkOverlayPath("path", "/data/a:b")).toThrow("cannot carry");
    expect(() => checkOverlayPath("path", "relative")).toThrow("not an absolute path");
    expect(() => checkOverlayPath("path", "/var/lib/husk/layers/abc/diff")).not.toThrow();
  });

  test("kernel versions", () => {
    expect(kernelAtLeast("6.8.0-31-generic", 6, 8)).toBe(true);
    expect(kernelAtLeast("6.18.44-fc", 6, 8)).toBe(true);
    expect(kernelAtLeast("6.1.0-18-amd64", 6, 8)).toBe(false);
    expect(kernelAtLeast("5.10.0", 5, 10)).toBe(true);
    expect(kernelAtLeast("4.19.0", 5, 10)).toBe(false);
    expect(kernelAtLeast("garbage", 1, 0)).toBe(false);
  });
});

interface Call {
  op: string;
  args: unknown[];
}

function kernelError(code: string, message: string, kernelLog?: string): Error {
  return Object.assign(new Error(message), { code, kernelLog });
}

/** A fake kernel: records calls; `fail` decides per call whether to throw. */
function fakeSys(release: string, fail: (op: string, args: unknown[]) => Error | undefined = () => undefined) {
  const calls: Call[] = [];
  let nextFd = 20;
  const open = new Set<number>();
  const rec = (op: string, args: unknown[]) => {
    calls.push({ op, args });
    const e = fail(op, args);
    if (e) throw e;
  };
  const sys: MountSys = {
    fsmount: (fstype, config, target) => rec("fsmount", [fstype, config, target]),
    mount: (source, target, fstype, flags, data) => rec("mount", [source, target, fstype, flags, data]),
    umount2: (target, flags) => {
      rec("umount2", [target, flags]);
      return true;
    },
    openDir: (path) => {
      calls.push({ op: "openDir", args: [path] });
      open.add(nextFd);
      return nextFd++;
    },
    closeFd: (fd) => {
      open.delete(fd);
    },
    kernelRelease: () => release,
  };
  return { sys, calls, open };
}

describe("mountOverlay method choice", () => {
  beforeEach(() => resetMountMemory());

  test("6.8+: lowerdir+ per layer, even for 200 layers", () => {
    const { sys, calls } = fakeSys("6.8.0");
    expect(mountOverlay(sys, spec(layers(200)), "/m")).toBe("lowerdir+");
    expect(calls).toHaveLength(1);
    const cfg = calls[0]!.args[1] as [string, string][];
    expect(cfg.filter(([k]) => k === "lowerdir+")).toHaveLength(200);
  });

  test("before 6.8: one lowerdir string when it fits", () => {
    const { sys, calls } = fakeSys("6.1.0");
    expect(mountOverlay(sys, spec(["/t", "/b"]), "/m")).toBe("lowerdir");
    expect((calls[0]!.args[1] as [string, string][])[0]).toEqual(["lowerdir", "/t:/b"]);
  });

  test("before 6.8, long paths: the lowerdir string names fds, and they are closed after", () => {
    const { sys, calls, open } = fakeSys("6.1.0");
    expect(mountOverlay(sys, spec(layers(6)), "/m")).toBe("lowerdir");
    const fs = calls.find((c) => c.op === "fsmount")!;
    expect((fs.args[1] as [string, string][])[0]![1]).toMatch(/^\/proc\/self\/fd\/\d+(:\/proc\/self\/fd\/\d+){5}$/);
    expect(open.size).toBe(0);
  });

  test("before 6.8, many layers: mount(2), with fd names past one page of real paths", () => {
    const { sys, calls, open } = fakeSys("6.1.0");
    expect(mountOverlay(sys, spec(layers(200)), "/m")).toBe("mount");
    const m = calls.find((c) => c.op === "mount")!;
    const data = m.args[4] as string;
    expect(data.length).toBeLessThanOrEqual(MOUNT_DATA_MAX);
    expect(data.startsWith("lowerdir=/proc/self/fd/")).toBe(true);
    expect(data.split(":")).toHaveLength(200);
    expect(open.size).toBe(0);
  });

  test("a stack that does not fit one page even by fd is refused, naming the limit", () => {
    const { sys } = fakeSys("6.1.0");
    expect(() => mountOverlay(sys, spec(layers(400)), "/m", "mount")).toThrow(/over mount\(2\)'s one-page limit of 4095/);
  });

  test("more than 500 layers is refused before any syscall", () => {
    const { sys, calls } = fakeSys("6.8.0");
    expect(() => mountOverlay(sys, spec(layers(501, 5)), "/m")).toThrow("at most 500");
    expect(calls).toHaveLength(0);
  });

  test("a kernel that does not know lowerdir+ falls back, and remembers", () => {
    const { sys, calls } = fakeSys("6.9.0", (op, args) =>
      op === "fsmount" && (args[1] as [string, string][])[0]![0] === "lowerdir+"
        ? kernelError("EINVAL", "fsconfig overlay lowerdir+ /t: EINVAL", "overlay: Unknown parameter 'lowerdir+'")
        : undefined,
    );
    expect(mountOverlay(sys, spec(["/t", "/b"]), "/m")).toBe("lowerdir");
    expect(mountOverlay(sys, spec(["/t", "/b"]), "/m2")).toBe("lowerdir");
    expect(calls.filter((c) => c.op === "fsmount")).toHaveLength(3);
  });

  test("no new mount API (ENOSYS): mount(2)", () => {
    const { sys } = fakeSys("5.1.0", (op) => (op === "fsmount" ? kernelError("ENOSYS", "fsopen overlay: ENOSYS") : undefined));
    expect(mountOverlay(sys, spec(["/t"]), "/m")).toBe("mount");
  });

  test("any other refusal is reported, with the kernel's words and a hint", () => {
    const { sys, calls } = fakeSys("6.8.0", (op) =>
      op === "fsmount" ? kernelError("ENOENT", "fsconfig overlay lowerdir+ /gone: ENOENT (No such file or directory): overlay: failed to resolve '/gone': -2") : undefined,
    );
    expect(() => mountOverlay(sys, spec(["/gone"]), "/m")).toThrow(/mount overlay on \/m \(lowerdir\+\): .*ENOENT.*failed to resolve/);
    expect(calls.filter((c) => c.op === "mount")).toHaveLength(0);
    try {
      mountOverlay(sys, spec(["/gone"]), "/m");
    } catch (e) {
      expect((e as { hint?: string }).hint).toContain("re-pull");
    }
  });
});

describe("unmountOverlay", () => {
  test("busy: retried, then detached lazily as the last resort", () => {
    let n = 0;
    const { sys, calls } = fakeSys("6.8.0", (op, args) => (op === "umount2" && !((args[1] as number) & 2) && ++n > 0 ? kernelError("EBUSY", "umount2 /m: EBUSY") : undefined));
    expect(unmountOverlay(sys, "/m", 2)).toBe(true);
    expect(calls.map((c) => c.args[1])).toEqual([8, 8, 8, 8 | 2]);
  });

  test("other errors are not papered over", () => {
    const { sys } = fakeSys("6.8.0", (op) => (op === "umount2" ? kernelError("EPERM", "umount2 /m: EPERM") : undefined));
    expect(() => unmountOverlay(sys, "/m")).toThrow("unmount /m: umount2 /m: EPERM");
  });
});

describe("mountinfo, driver env, GraphDriver", () => {
  const text = [
    "36 35 98:0 /mnt1 /mnt/parent rw,noatime master:1 - ext3 /dev/root rw,errors=continue",
    "40 36 0:50 / /var/lib/husk/snapshots/ab/merged rw - overlay overlay rw,lowerdir=/a,upperdir=/u",
    "41 36 0:51 / /with\\040space rw - tmpfs tmpfs rw",
  ].join("\n");

  test("mount points are parsed and unescaped; mounts at or under a dir are found", () => {
    const m = parseMountinfo(text);
    expect(m.map((e) => e.mountPoint)).toEqual(["/mnt/parent", "/var/lib/husk/snapshots/ab/merged", "/with space"]);
    expect(mountsAtOrUnder("/var/lib/husk/snapshots/ab", m).map((e) => e.fstype)).toEqual(["overlay"]);
    expect(mountsAtOrUnder("/var/lib/husk/snapshots/a", m)).toEqual([]);
  });

  test("root, mount options, optional fields, source and super options are kept per entry", () => {
    const [bind, overlay, tmpfs] = parseMountinfo(text);
    expect(bind).toEqual({ mountPoint: "/mnt/parent", root: "/mnt1", mountOptions: "rw,noatime", optional: ["master:1"], fstype: "ext3", source: "/dev/root", superOptions: "rw,errors=continue" });
    expect(overlay!.optional).toEqual([]);
    expect(overlay!.superOptions).toBe("rw,lowerdir=/a,upperdir=/u");
    expect(tmpfs!.root).toBe("/");
  });

  test("HUSK_STORAGE_DRIVER accepts overlay, copy or nothing", () => {
    expect(driverFromEnv("copy")).toBe("copy");
    expect(driverFromEnv("overlay")).toBe("overlay");
    expect(driverFromEnv(undefined)).toBeUndefined();
    expect(driverFromEnv("")).toBeUndefined();
    expect(() => driverFromEnv("zfs")).toThrow("unknown storage driver");
  });

  test("GraphDriver shows overlay's dirs as docker does", () => {
    const g = graphDriver({ driver: "overlay", lowerDirs: ["/l/top", "/l/base"], upperDir: "/s/upper", workDir: "/s/work", mergedDir: "/s/merged" });
    expect(g).toEqual({ Name: "overlay", Data: { LowerDir: "/l/top:/l/base", UpperDir: "/s/upper", MergedDir: "/s/merged", WorkDir: "/s/work" } });
  });
});
