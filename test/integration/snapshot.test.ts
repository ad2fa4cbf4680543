// Container snapshots on this host's kernel, as root: overlay over real layer dirs in
// overlay form (whiteouts, opaque dirs), each mount method, the copy driver, deep stacks,
// and removal that leaves nothing (mountinfo) and never leaves the snapshot dir.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import {
  chmodSync,
  existsSync,
  lchownSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { addon } from "../../src/native/addon.ts";
import { chooseDriver, forgetDriverChoices, probeOverlay } from "../../src/storage/driver-choice.ts";
import { readMounts } from "../../src/storage/mountinfo.ts";
import { realMountSys } from "../../src/storage/mount-sys.ts";
import { resetMountMemory } from "../../src/storage/overlay-mount.ts";
import { createSnapshot, listSnapshots, mountSnapshot, removeSnapshot, type SnapshotInfo, unmountSnapshot } from "../../src/storage/snapshot.ts";
import { type LayerEntry, writeLayerDir } from "../helpers/layer-dir.ts";
import { assertNoLeaks, type HostSnapshot, snapshotHost } from "../helpers/leaks.ts";

const isRoot = process.getuid?.() === 0;
const hasOverlay = readFileSync("/proc/filesystems", "utf8").includes("\toverlay\n");

let base = "";
let dataRoot = "";
let before: HostSnapshot;
let seq = 0;
const newId = () => (++seq).toString(16).padStart(64, "0");

beforeAll(() => {
  if (!isRoot) return;
  // On the root filesystem (ext4 here), where a real data root lives, not on tmpfs.
  base = mkdtempSync(`/var/tmp/husk-test-${process.pid}-snap-`);
  dataRoot = join(base, "data");
  before = snapshotHost({ paths: [base] });
});

afterAll(() => {
  if (!isRoot) return;
  try {
    assertNoLeaks(before, { paths: [base] });
  } finally {
    // Never through a mount: a leaked one is reported above and its contents kept.
    if (!readMounts().some((m) => m.mountPoint.startsWith(`${base}/`))) rmSync(base, { recursive: true, force: true });
  }
});

const enc = (s: string) => new TextEncoder().encode(s);

/** A layer dir in the layer store's overlay form. */
function layer(name: string, files: Record<string, LayerEntry>): string {
  return writeLayerDir(join(dataRoot, "layers", name, "diff"), files, {
    whiteout: (p) => addon().mknod(p, "char", 0, 0, 0),
    opaque: (p) => addon().lsetxattr(p, "trusted.overlay.opaque", enc("y")),
    device: (p, major, minor) => addon().mknod(p, "char", 0o666, major, minor),
  });
}

/** Everything a container would see: type, mode, owner, content, link target, device, user xattrs, mtime. */
function view(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string, rel: string) => {
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n);
      const r = rel ? `${rel}/${n}` : n;
      const st = lstatSync(p);
      const xattrs = addon()
        .llistxattr(p)
        .filter((x) => x.startsWith("user."))
        .map((x) => `${x}=${new TextDecoder().decode(addon().lgetxattr(p, x) ?? new Uint8Array())}`)
        .join(",");
      const common = `${(st.mode & 0o170000).toString(8)} ${(st.mode & 0o7777).toString(8)} ${st.uid}:${st.gid} [${xattrs}]`;
      if (st.isSymbolicLink()) out[r] = `${common} -> ${readlinkSync(p)}`;
      else if (st.isDirectory()) {
        out[r] = `${common} dir`;
        walk(p, r);
      } else if (st.isCharacterDevice()) out[r] = `${common} char ${st.rdev}`;
      else out[r] = `${common} ${Math.floor(st.mtimeMs)} ${readFileSync(p, "utf8")}`;
    }
  };
  walk(dir, "");
  return out;
}

function isMountPoint(path: string): boolean {
  return readMounts().some((m) => m.mountPoint === path);
}

function mountOptionsOf(path: string): string {
  return readMounts().find((m) => m.mountPoint === path)?.superOptions ?? "";
}

/** The lower layers an overlay mount shows, top first ("lowerdir=a:b" or one "lowerdir+=" each). */
function lowersOf(path: string): string[] {
  const out: string[] = [];
  for (const o of mountOptionsOf(path).split(",")) {
    if (o.startsWith("lowerdir=")) out.push(...o.slice(9).split(":"));
    else if (o.startsWith("lowerdir+=")) out.push(o.slice(10));
  }
  return out;
}

/** Three layers: whiteouts of a file and a dir, an opaque dir, a device, hardlinks, setuid, xattrs. */
function threeLayers(): string[] {
  const l1 = layer("base", {
    "etc/hostname": "base\n",
    "etc/passwd": "root:x:0:0::/root:/bin/sh\n",
    "gone.txt": "lower\n",
    "olddir/a": "a\n",
    "opq/old": "old\n",
    "opq/sub/deep": "deep\n",
    "bin/tool": "#!tool\n",
    "bin/alias": { hard: "bin/tool" },
    "bin/sh": { link: "tool" },
    "dev/null": { dev: [1, 3] },
    "home/user/file": "mine\n",
  });
  chmodSync(join(l1, "bin/tool"), 0o4755);
  lchownSync(join(l1, "home/user"), 1000, 1000);
  lchownSync(join(l1, "home/user/file"), 1000, 1000);
  addon().lsetxattr(join(l1, "etc/passwd"), "user.origin", enc("base"));
  const l2 = layer("mid", { "gone.txt": "WHITEOUT", olddir: "WHITEOUT", opq: "OPAQUE", "opq/new": "new\n", "etc/hostname": "mid\n" });
  const l3 = layer("top", { "etc/hostname": "top\n", "newdir/n": "n\n", "home/user/file2": "two\n" });
  return [l1, l2, l3];
}

describe.skipIf(!isRoot || !hasOverlay)("overlay snapshots", () => {
  let layers: string[] = [];
  beforeAll(() => {
    layers = threeLayers();
  });

  test("the driver probe picks overlay here, with a real mount, and caches it for this boot", () => {
    forgetDriverChoices();
    const c = chooseDriver(dataRoot, "");
    expect(c).toEqual({ driver: "overlay", reason: "probe mount worked" });
    const cache = JSON.parse(readFileSync(join(dataRoot, "snapshots/.driver.json"), "utf8"));
    expect(cache.driver).toBe("overlay");
    expect(cache.bootId).toBe(readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim());
    expect(readdirSync(join(dataRoot, "snapshots")).filter((n) => n.startsWith(".probe"))).toEqual([]);
    expect(chooseDriver(dataRoot, "copy").driver).toBe("copy");
  });

  test("a probe whose mount fails picks copy and says why", () => {
    const sys = { ...realMountSys(), fsmount: () => { throw Object.assign(new Error("fsopen overlay: ENODEV"), { code: "ENODEV" }); }, mount: () => { throw Object.assign(new Error("mount overlay: ENODEV"), { code: "ENODEV" }); } };
    resetMountMemory();
    const c = probeOverlay(join(dataRoot, "snapshots"), sys);
    resetMountMemory();
    expect(c.driver).toBe("copy");
    expect(c.reason).toContain("ENODEV");
  });

  test("3 layers with whiteouts and an opaque dir: the right merged view; writes go to upper", () => {
    const info = createSnapshot(dataRoot, newId(), layers, { driver: "overlay" });
    try {
      expect(info.lowerDirs).toEqual([...layers].reverse());
      expect(isMountPoint(info.mergedDir)).toBe(true);
      const m = info.mergedDir;
      expect(readFileSync(join(m, "etc/hostname"), "utf8")).toBe("top\n");
      expect(existsSync(join(m, "gone.txt"))).toBe(false);
      expect(existsSync(join(m, "olddir"))).toBe(false);
      expect(readdirSync(join(m, "opq"))).toEqual(["new"]);
      expect(lstatSync(join(m, "bin/tool")).ino).toBe(lstatSync(join(m, "bin/alias")).ino);
      expect(lstatSync(join(m, "bin/tool")).mode & 0o7777).toBe(0o4755);
      expect(lstatSync(join(m, "dev/null")).rdev).toBe(lstatSync("/dev/null").rdev);
      expect(readdirSync(join(m, "home/user")).sort()).toEqual(["file", "file2"]);
      // Writes land in upper; the shared layers are untouched.
      writeFileSync(join(m, "etc/hostname"), "written\n");
      rmSync(join(m, "etc/passwd"));
      expect(readFileSync(join(info.upperDir, "etc/hostname"), "utf8")).toBe("written\n");
      expect(lstatSync(join(info.upperDir, "etc/passwd")).isCharacterDevice()).toBe(true); // overlay's whiteout
      expect(readFileSync(join(layers[2]!, "etc/hostname"), "utf8")).toBe("top\n");
      expect(existsSync(join(layers[0]!, "etc/passwd"))).toBe(true);
      // Unmount and mount again: idempotent both ways, and the upper content survives.
      unmountSnapshot(info);
      unmountSnapshot(info);
      expect(isMountPoint(info.mergedDir)).toBe(false);
      mountSnapshot(info);
      mountSnapshot(info);
      expect(readMounts().filter((x) => x.mountPoint === info.mergedDir)).toHaveLength(1);
      expect(readFileSync(join(m, "etc/hostname"), "utf8")).toBe("written\n");
    } finally {
      removeSnapshot(info);
    }
    expect(existsSync(dirname(info.mergedDir))).toBe(false);
    expect(isMountPoint(info.mergedDir)).toBe(false);
    removeSnapshot(info); // idempotent
  });

  test("the copy driver gives the same merged view as overlay", () => {
    const o = createSnapshot(dataRoot, newId(), layers, { driver: "overlay" });
    const c = createSnapshot(dataRoot, newId(), layers, { driver: "copy" });
    try {
      expect(c.driver).toBe("copy");
      expect(isMountPoint(c.mergedDir)).toBe(false);
      const ov = view(o.mergedDir);
      expect(ov["etc/passwd"]).toContain("user.origin=base");
      expect(ov["home/user/file"]).toContain(" 1000:1000 ");
      expect(view(c.mergedDir)).toEqual(ov);
      const cm = c.mergedDir;
      expect(lstatSync(join(cm, "bin/tool")).ino).toBe(lstatSync(join(cm, "bin/alias")).ino);
      expect(lstatSync(join(cm, "opq")).mode).toBe(lstatSync(join(o.mergedDir, "opq")).mode);
      // The copy driver keeps no overlay markers in the container's tree.
      expect(addon().llistxattr(join(cm, "opq")).filter((x) => x.includes("overlay"))).toEqual([]);
      // Remount and unmount are no-ops for it.
      unmountSnapshot(c);
      mountSnapshot(c);
      expect(readFileSync(join(cm, "etc/hostname"), "utf8")).toBe("top\n");
    } finally {
      removeSnapshot(o);
      removeSnapshot(c);
    }
  });

  test("HUSK_STORAGE_DRIVER=copy forces the copy driver", () => {
    const was = process.env.HUSK_STORAGE_DRIVER;
    process.env.HUSK_STORAGE_DRIVER = "copy";
    try {
      const info = createSnapshot(dataRoot, newId(), layers);
      expect(info.driver).toBe("copy");
      removeSnapshot(info);
    } finally {
      if (was === undefined) delete process.env.HUSK_STORAGE_DRIVER;
      else process.env.HUSK_STORAGE_DRIVER = was;
    }
  });

  test("two snapshots share the same lower dirs and keep separate upper dirs", () => {
    const a = createSnapshot(dataRoot, newId(), layers, { driver: "overlay" });
    const b = createSnapshot(dataRoot, newId(), layers, { driver: "overlay" });
    try {
      expect(a.lowerDirs).toEqual(b.lowerDirs);
      expect(a.upperDir).not.toBe(b.upperDir);
      writeFileSync(join(a.mergedDir, "only-a"), "a");
      expect(existsSync(join(b.mergedDir, "only-a"))).toBe(false);
      expect(lowersOf(a.mergedDir)).toEqual([...layers].reverse());
      expect(lowersOf(b.mergedDir)).toEqual([...layers].reverse());
      expect(listSnapshots(dataRoot).map((s) => [s.id, s.driver, s.mounted])).toEqual(
        expect.arrayContaining([
          [dirname(a.mergedDir).split("/").pop(), "overlay", true],
          [dirname(b.mergedDir).split("/").pop(), "overlay", true],
        ]),
      );
      expect(listSnapshots(dataRoot).find((s) => s.info?.mergedDir === a.mergedDir)?.info).toEqual(a);
    } finally {
      removeSnapshot(a);
      removeSnapshot(b);
    }
    expect(listSnapshots(dataRoot)).toEqual([]);
  });

  test("an ephemeral snapshot is volatile, and mounts again with a fresh upper", () => {
    const info = createSnapshot(dataRoot, newId(), layers, { driver: "overlay", ephemeral: true });
    try {
      // Shown as "volatile" by older kernels, "fsync=volatile" by newer ones.
      expect(mountOptionsOf(info.mergedDir).split(",").some((o) => o === "volatile" || o === "fsync=volatile")).toBe(true);
      writeFileSync(join(info.mergedDir, "scratch"), "x");
      unmountSnapshot(info);
      mountSnapshot(info);
      expect(existsSync(join(info.mergedDir, "scratch"))).toBe(false);
      expect(readFileSync(join(info.mergedDir, "etc/hostname"), "utf8")).toBe("top\n");
    } finally {
      removeSnapshot(info);
    }
  });

  describe("200 layers", () => {
    let deep: string[] = [];
    beforeAll(() => {
      deep = Array.from({ length: 200 }, (_, i) => layer(`deep-${i.toString(16).padStart(60, "0")}`, { [`f${i}`]: `${i}`, common: `${i}` }));
    });
    for (const method of ["lowerdir+", "mount"] as const) {
      test(`mount through ${method}`, () => {
        const info = createSnapshot(dataRoot, newId(), deep, { driver: "overlay", mountMethod: method });
        try {
          const names = readdirSync(info.mergedDir);
          expect(names).toHaveLength(201);
          expect(readFileSync(join(info.mergedDir, "common"), "utf8")).toBe("199");
          expect(readFileSync(join(info.mergedDir, "f0"), "utf8")).toBe("0");
          // mount(2) could not carry 200 real paths in one page: it named them by fd.
          const shown = lowersOf(info.mergedDir);
          expect(shown).toHaveLength(200);
          if (method === "mount") expect(shown.every((p) => p.startsWith("/proc/self/fd/"))).toBe(true);
          else expect(shown).toEqual([...deep].reverse());
        } finally {
          removeSnapshot(info);
        }
      });
    }

    test("the single fsconfig lowerdir string names fds when the paths are too long", () => {
      const info = createSnapshot(dataRoot, newId(), deep.slice(0, 8), { driver: "overlay", mountMethod: "lowerdir" });
      try {
        expect(readFileSync(join(info.mergedDir, "common"), "utf8")).toBe("7");
        expect(lowersOf(info.mergedDir)).toHaveLength(8);
        expect(lowersOf(info.mergedDir).every((p) => p.startsWith("/proc/self/fd/"))).toBe(true);
      } finally {
        removeSnapshot(info);
      }
    });
  });

  test("a failed mount leaves nothing behind and says what, where and why", () => {
    const missing = join(dataRoot, "layers", "never-unpacked", "diff");
    const id = newId();
    expect(() => createSnapshot(dataRoot, id, [layers[0]!, missing], { driver: "overlay" })).toThrow(`layer dir ${missing} is missing`);
    // A layer that vanishes between the check and the mount: the kernel's words come back.
    const real = realMountSys();
    const racing = { ...real, fsmount: (t: string, cfg: [string, string | null][], target: string) => real.fsmount(t, cfg.map(([k, v]) => [k, v === layers[0] ? `${v}-gone` : v] as [string, string | null]), target) };
    let err: Error | undefined;
    try {
      createSnapshot(dataRoot, id, layers, { driver: "overlay", sys: racing });
    } catch (e) {
      err = e as Error;
    }
    expect(err?.message).toMatch(/^mount overlay on .*merged \(lowerdir\+\): fsconfig overlay lowerdir\+ .*-gone: ENOENT \(No such file or directory\)/);
    expect(existsSync(join(dataRoot, "snapshots", id))).toBe(false);
  });
});

describe.skipIf(!isRoot)("safe removal", () => {
  test("never follows a symlink out of the snapshot, and refuses while something is mounted inside", () => {
    const outside = join(base, "outside");
    mkdirSync(outside, { recursive: true });
    writeFileSync(join(outside, "precious"), "keep me");
    const l = layer("escape", { "link-out": { link: outside }, "etc/x": "x" });
    const info = createSnapshot(dataRoot, newId(), [l], { driver: "copy" });
    symlinkSync(join(outside, "precious"), join(info.mergedDir, "file-link"));
    mkdirSync(join(info.mergedDir, "mnt"));
    addon().mount("tmpfs", join(info.mergedDir, "mnt"), "tmpfs", 0, "size=1m");
    writeFileSync(join(info.mergedDir, "mnt/in-tmpfs"), "t");
    try {
      expect(() => removeSnapshot(info)).toThrow(`remove snapshot: ${join(info.mergedDir, "mnt")} is still mounted`);
      expect(readFileSync(join(info.mergedDir, "mnt/in-tmpfs"), "utf8")).toBe("t");
      expect(existsSync(join(info.mergedDir, "etc/x"))).toBe(true);
    } finally {
      addon().umount2(join(info.mergedDir, "mnt"), 0);
    }
    removeSnapshot(info);
    expect(existsSync(dirname(info.mergedDir))).toBe(false);
    expect(readFileSync(join(outside, "precious"), "utf8")).toBe("keep me");
  });

  test("a snapshot dir replaced by a symlink is not removed through it", () => {
    const target = join(base, "victim");
    mkdirSync(join(target, "merged"), { recursive: true });
    writeFileSync(join(target, "merged/data"), "d");
    const id = newId();
    mkdirSync(join(dataRoot, "snapshots"), { recursive: true });
    symlinkSync(target, join(dataRoot, "snapshots", id));
    const info: SnapshotInfo = { driver: "copy", lowerDirs: [], upperDir: "", workDir: "", mergedDir: join(dataRoot, "snapshots", id, "merged") };
    expect(() => removeSnapshot(info)).toThrow("is not a directory (a symlink?)");
    expect(readFileSync(join(target, "merged/data"), "utf8")).toBe("d");
    rmSync(join(dataRoot, "snapshots", id));
  });

  test("ids and paths that are not a snapshot's are refused", () => {
    expect(() => createSnapshot(dataRoot, "../etc", [base])).toThrow("64 lowercase hex");
    const bogus: SnapshotInfo = { driver: "copy", lowerDirs: [], upperDir: "/etc", workDir: "", mergedDir: "/etc" };
    expect(() => removeSnapshot(bogus)).toThrow("not a husk snapshot path");
    expect(existsSync("/etc/passwd")).toBe(true);
  });
});
