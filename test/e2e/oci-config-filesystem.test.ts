// config.json file-system features, each proven from inside a container started with
// `husk oci run`: root.readonly, mounts (bind, rbind, ro, nosuid/nodev/noexec, tmpfs,
// propagation), rootfsPropagation, the default /proc /sys /dev, linux.devices,
// maskedPaths, readonlyPaths and --no-pivot.
//
// Tests that need a shared mount or a sub-mount on the "host" side run husk inside a
// private mount namespace (unshare -m), so that the host's own mount table is never
// touched.

import { describe, expect, test } from "bun:test";
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { shQuote } from "../helpers/cgroup.ts";
import { runSync } from "../helpers/husk.ts";
import { isRoot, mountAt, OciSuite, parseMountinfo, TMP_TMPFS } from "./support/oci-run.ts";

const suite = new OciSuite("fs");
const hasUnshare = Bun.which("unshare") !== null;

suite.useHooks();

const sh = (script: string) => ["sh", "-c", script];

/** Run argv in a private mount namespace after the shell `setup` ran there. */
function inPrivateMountNs(setup: string): (argv: string[]) => string[] {
  return (argv) => ["unshare", "-m", "--propagation", "private", "sh", "-c", `set -e; ${setup}; exec "$@"`, "sh", ...argv];
}

/** A private, writable copy of the busybox rootfs (for tests that write to /). */
function rootfsCopy(name: string): string {
  const dst = join(suite.work, `rootfs-${name}`);
  const r = runSync(["cp", "-a", suite.rootfs, dst]);
  if (r.exitCode !== 0) throw new Error(`cp -a: ${r.stderr}`);
  return dst;
}

describe.skipIf(!isRoot)("root", () => {
  test("root.readonly: writing to / fails with Read-only file system", () => {
    const spec = suite.spec("ro-root", { args: sh("touch /probe 2>&1; echo rc=$?; cat /proc/self/mountinfo") });
    expect(spec.root.readonly).toBe(true);
    const res = suite.run("ro-root", spec);
    expect(res.stderr).toBe("");
    expect(res.exitCode).toBe(0);
    expect(res.stdout).toContain("Read-only file system");
    expect(res.stdout).toContain("rc=1\n");
    expect(mountAt(res.stdout, "/")?.options).toContain("ro");
    expect(existsSync(join(suite.rootfs, "probe"))).toBe(false);
  });

  test("root.readonly false: / is writable and the writes land in root.path", () => {
    const copy = rootfsCopy("rw");
    const spec = suite.spec("rw-root", { args: sh("echo written > /probe && cat /probe"), readonlyRootfs: false });
    const res = suite.run("rw-root", spec, { rootfs: copy });
    expect(res.stderr).toBe("");
    expect(res.stdout).toBe("written\n");
    expect(res.exitCode).toBe(0);
    expect(readFileSync(join(copy, "probe"), "utf8")).toBe("written\n");
  });

  test("--no-pivot: the container starts (MS_MOVE + chroot) with the rootfs as /", () => {
    const spec = suite.spec("no-pivot", { args: sh("echo ok; ls /bin/busybox; cat /proc/self/mountinfo") });
    const res = suite.run("no-pivot", spec, { runArgs: ["--no-pivot"] });
    expect(res.stderr).toBe("");
    expect(res.exitCode).toBe(0);
    expect(res.stdout.startsWith("ok\n/bin/busybox\n")).toBe(true);
    const root = mountAt(res.stdout, "/");
    expect(root?.root).toBe(suite.rootfs);
    expect(root?.options).toContain("ro");
    expect(mountAt(res.stdout, "/proc")?.fstype).toBe("proc");
  });
});

describe.skipIf(!isRoot)("mounts", () => {
  test("bind: a directory and a file, read-write through to the host", () => {
    const src = suite.dir("bind-src");
    writeFileSync(join(src, "hello.txt"), "from-host-dir\n");
    const file = join(suite.work, "bind-file.txt");
    writeFileSync(file, "from-host-file\n");
    const spec = suite.spec("bind", { args: sh("cat /tmp/bdir/hello.txt /tmp/bfile; echo new > /tmp/bdir/new.txt; echo more >> /tmp/bfile; stat -c %F /tmp/bfile") });
    spec.mounts.push(
      TMP_TMPFS,
      { destination: "/tmp/bdir", type: "bind", source: src, options: ["bind"] },
      { destination: "/tmp/bfile", type: "bind", source: file, options: ["bind"] },
    );
    const res = suite.run("bind", spec);
    expect(res.stderr).toBe("");
    expect(res.stdout).toBe("from-host-dir\nfrom-host-file\nregular file\n");
    expect(res.exitCode).toBe(0);
    expect(readFileSync(join(src, "new.txt"), "utf8")).toBe("new\n");
    expect(readFileSync(file, "utf8")).toBe("from-host-file\nmore\n");
  });

  test("bind with ro: writes fail inside, the host dir stays writable", () => {
    const src = suite.dir("robind-src");
    writeFileSync(join(src, "keep.txt"), "keep\n");
    const spec = suite.spec("robind", { args: sh("cat /tmp/ro/keep.txt; touch /tmp/ro/x 2>&1; echo rc=$?; grep ' /tmp/ro ' /proc/self/mountinfo") });
    spec.mounts.push(TMP_TMPFS, { destination: "/tmp/ro", type: "bind", source: src, options: ["rbind", "ro"] });
    const res = suite.run("robind", spec);
    expect(res.stderr).toBe("");
    expect(res.exitCode).toBe(0);
    expect(res.stdout).toContain("keep\n");
    expect(res.stdout).toContain("Read-only file system");
    expect(res.stdout).toContain("rc=1\n");
    expect(mountAt(res.stdout, "/tmp/ro")?.options).toContain("ro");
    expect(existsSync(join(src, "x"))).toBe(false);
    writeFileSync(join(src, "host-can-write"), "");
  });

  test.skipIf(!hasUnshare)("rbind takes sub-mounts along, bind does not", () => {
    const src = suite.dir("rbind-src");
    mkdirSync(join(src, "sub"));
    const spec = suite.spec("rbind", { args: sh("cat /tmp/rb/sub/f; ls -A /tmp/nb/sub | wc -l") });
    spec.mounts.push(
      TMP_TMPFS,
      { destination: "/tmp/rb", type: "bind", source: src, options: ["rbind"] },
      { destination: "/tmp/nb", type: "bind", source: src, options: ["bind"] },
    );
    const sub = shQuote(join(src, "sub"));
    const res = suite.run("rbind", spec, { wrap: inPrivateMountNs(`mount -t tmpfs -o size=1m husk-cov ${sub}; echo in-submount > ${sub}/f`) });
    expect(res.stderr).toBe("");
    expect(res.stdout).toBe("in-submount\n0\n");
    expect(res.exitCode).toBe(0);
  });

  test("nosuid, nodev, noexec on a bind mount (mountinfo, and exec really fails)", () => {
    const src = suite.dir("flags-src");
    copyFileSync("/bin/busybox", join(src, "busybox"));
    const spec = suite.spec("flags", { args: sh("/tmp/ex/busybox true && echo exec-ok; /tmp/nx/busybox true 2>&1; echo rc=$?; echo ---; cat /proc/self/mountinfo") });
    spec.mounts.push(
      TMP_TMPFS,
      { destination: "/tmp/nx", type: "bind", source: src, options: ["rbind", "nosuid", "nodev", "noexec"] },
      { destination: "/tmp/ex", type: "bind", source: src, options: ["rbind"] },
    );
    const res = suite.run("flags", spec);
    expect(res.stderr).toBe("");
    expect(res.exitCode).toBe(0);
    const [head, mi] = res.stdout.split("---\n");
    expect(head).toContain("exec-ok\n");
    expect(head).toContain("Permission denied");
    expect(head).toContain("rc=126\n");
    const nx = mountAt(mi!, "/tmp/nx");
    expect(nx?.options).toEqual(expect.arrayContaining(["nosuid", "nodev", "noexec"]));
    const ex = mountAt(mi!, "/tmp/ex");
    expect(ex?.options).not.toContain("noexec");
  });

  test("tmpfs with size= and mode= options", () => {
    const spec = suite.spec("tmpfs", { args: sh("stat -c %a /tmp/t; df -k /tmp/t | tail -n 1; echo ---; cat /proc/self/mountinfo") });
    spec.mounts.push(TMP_TMPFS, { destination: "/tmp/t", type: "tmpfs", source: "tmpfs", options: ["nosuid", "nodev", "size=1m", "mode=0750"] });
    const res = suite.run("tmpfs", spec);
    expect(res.stderr).toBe("");
    expect(res.exitCode).toBe(0);
    const [head, mi] = res.stdout.split("---\n");
    const [mode, df] = head!.trim().split("\n");
    expect(mode).toBe("750");
    expect(df!.trim().split(/\s+/)[1]).toBe("1024");
    const m = mountAt(mi!, "/tmp/t");
    expect(m?.fstype).toBe("tmpfs");
    expect(m?.superOptions).toEqual(expect.arrayContaining(["size=1024k", "mode=750"]));
    expect(m?.options).toEqual(expect.arrayContaining(["nosuid", "nodev"]));
  });

  test.skipIf(!hasUnshare)("propagation: rshared, rslave and rprivate binds of a shared source", () => {
    const src = suite.dir("prop-src");
    const spec = suite.spec("propagation", { args: sh("cat /proc/self/mountinfo") });
    spec.mounts.push(
      TMP_TMPFS,
      { destination: "/tmp/pshared", type: "bind", source: src, options: ["rbind", "rshared"] },
      { destination: "/tmp/pslave", type: "bind", source: src, options: ["rbind", "rslave"] },
      { destination: "/tmp/pprivate", type: "bind", source: src, options: ["rbind", "rprivate"] },
    );
    const q = shQuote(src);
    const res = suite.run("propagation", spec, { wrap: inPrivateMountNs(`mount -t tmpfs -o size=1m husk-cov ${q}; mount --make-shared ${q}`) });
    expect(res.stderr).toBe("");
    expect(res.exitCode).toBe(0);
    const tags = (p: string) => (mountAt(res.stdout, p)?.optional ?? []).map((t) => t.split(":")[0]).sort();
    expect(tags("/tmp/pshared")).toContain("shared");
    expect(tags("/tmp/pslave")).toEqual(["master"]);
    expect(tags("/tmp/pprivate")).toEqual([]);
  });

  test("a relative bind source resolves against the bundle dir", () => {
    const spec = suite.spec("relbind", { args: sh("cat /tmp/rel/config.json | head -c 1; echo") });
    spec.mounts.push(TMP_TMPFS, { destination: "/tmp/rel", type: "bind", source: ".", options: ["rbind", "ro"] });
    const res = suite.run("relbind", spec);
    expect(res.stderr).toBe("");
    expect(res.stdout).toBe("{\n");
    expect(res.exitCode).toBe(0);
  });
});

describe.skipIf(!isRoot)("rootfsPropagation", () => {
  test("shared: / is a shared mount", () => {
    const spec = suite.spec("rootprop-shared", { args: sh("cat /proc/self/mountinfo") });
    spec.linux.rootfsPropagation = "shared";
    const res = suite.run("rootprop-shared", spec);
    expect(res.stderr).toBe("");
    expect(res.exitCode).toBe(0);
    expect(mountAt(res.stdout, "/")?.optional.some((t) => t.startsWith("shared:"))).toBe(true);
  });

  test("private: / has no peer group and no master", () => {
    const spec = suite.spec("rootprop-private", { args: sh("cat /proc/self/mountinfo") });
    spec.linux.rootfsPropagation = "private";
    const res = suite.run("rootprop-private", spec);
    expect(res.stderr).toBe("");
    expect(res.exitCode).toBe(0);
    expect(mountAt(res.stdout, "/")?.optional).toEqual([]);
  });

  test.skipIf(!hasUnshare)("rslave: / receives from the (shared) host side, and sends nothing back", () => {
    const spec = suite.spec("rootprop-slave", { args: sh("cat /proc/self/mountinfo") });
    spec.linux.rootfsPropagation = "rslave";
    const res = suite.run("rootprop-slave", spec, { wrap: inPrivateMountNs("mount --make-rshared /") });
    expect(res.stderr).toBe("");
    expect(res.exitCode).toBe(0);
    const tags = (mountAt(res.stdout, "/")?.optional ?? []).map((t) => t.split(":")[0]);
    expect(tags).toEqual(["master"]);
  });
});

describe.skipIf(!isRoot)("default file systems", () => {
  const DEVICES: Array<[string, number, number]> = [
    ["null", 1, 3],
    ["zero", 1, 5],
    ["full", 1, 7],
    ["random", 1, 8],
    ["urandom", 1, 9],
    ["tty", 5, 0],
  ];

  test("/proc, /sys, /dev, /dev/pts, /dev/shm, /dev/mqueue are mounted as configured", () => {
    const spec = suite.spec("defaults", { args: sh("cat /proc/self/mountinfo") });
    const res = suite.run("defaults", spec);
    expect(res.stderr).toBe("");
    expect(res.exitCode).toBe(0);
    const mi = res.stdout;
    expect(mountAt(mi, "/proc")?.fstype).toBe("proc");
    const sys = mountAt(mi, "/sys");
    expect(sys?.fstype).toBe("sysfs");
    expect(sys?.options).toEqual(expect.arrayContaining(["ro", "nosuid", "nodev", "noexec"]));
    const dev = mountAt(mi, "/dev");
    expect(dev?.fstype).toBe("tmpfs");
    expect(dev?.options).toContain("nosuid");
    expect(dev?.superOptions).toEqual(expect.arrayContaining(["mode=755", "size=65536k"]));
    const pts = mountAt(mi, "/dev/pts");
    expect(pts?.fstype).toBe("devpts");
    expect(pts?.superOptions).toEqual(expect.arrayContaining(["mode=620", "ptmxmode=666"]));
    // newinstance: not the host's devpts
    const hostPts = parseMountinfo(readFileSync("/proc/self/mountinfo", "utf8")).filter((m) => m.fstype === "devpts");
    const majMin = (line: string, mp: string) => line.split("\n").find((l) => l.split(" ")[4] === mp)?.split(" ")[2];
    for (const h of hostPts) expect(majMin(mi, "/dev/pts")).not.toBe(majMin(readFileSync("/proc/self/mountinfo", "utf8"), h.mountPoint));
    const shm = mountAt(mi, "/dev/shm");
    expect(shm?.fstype).toBe("tmpfs");
    expect(shm?.options).toEqual(expect.arrayContaining(["nosuid", "nodev", "noexec"]));
    expect(mountAt(mi, "/dev/mqueue")?.fstype).toBe("mqueue");
  });

  test("/dev has null zero full random urandom tty as char devices, and the standard symlinks", () => {
    const devs = DEVICES.map(([n]) => `stat -c '${n} %F %t:%T %a %u:%g' /dev/${n}`).join("; ");
    const spec = suite.spec("devnodes", {
      args: sh(`${devs}; for l in fd stdin stdout stderr ptmx; do echo "$l -> $(readlink /dev/$l)"; done; ` +
        "stat -c '%F %t:%T' /dev/pts/ptmx; ls /dev/fd/ | tr '\\n' ' '; echo; " +
        "echo x > /dev/null && head -c 3 /dev/zero | wc -c && head -c 3 /dev/urandom | wc -c"),
    });
    const res = suite.run("devnodes", spec);
    expect(res.stderr).toBe("");
    expect(res.exitCode).toBe(0);
    const lines = res.stdout.split("\n");
    for (const [i, [n, maj, min]] of DEVICES.entries()) {
      expect(lines[i]).toBe(`${n} character special file ${maj.toString(16)}:${min.toString(16)} 666 0:0`);
    }
    expect(lines.slice(6, 11)).toEqual([
      "fd -> /proc/self/fd",
      "stdin -> /proc/self/fd/0",
      "stdout -> /proc/self/fd/1",
      "stderr -> /proc/self/fd/2",
      "ptmx -> pts/ptmx",
    ]);
    expect(lines[11]).toBe("character special file 5:2");
    expect(lines[12]!.trim().split(" ")).toEqual(expect.arrayContaining(["0", "1", "2"]));
    expect(lines.slice(13)).toEqual(["3", "3", ""]);
  });

  test("/dev/shm and /dev/mqueue are usable", () => {
    const spec = suite.spec("shm-mq", { args: sh("echo s > /dev/shm/f && cat /dev/shm/f && stat -c %a /dev/shm && ls -A /dev/mqueue | wc -l") });
    const res = suite.run("shm-mq", spec);
    expect(res.stderr).toBe("");
    expect(res.stdout).toBe("s\n1777\n0\n");
    expect(res.exitCode).toBe(0);
  });
});

describe.skipIf(!isRoot)("linux.devices", () => {
  test("extra device nodes with type, major:minor, fileMode, uid and gid", () => {
    const spec = suite.spec("devices", {
      args: sh(
        "stat -c '%n %F %t:%T %a %u:%g' /dev/fuse /dev/mynull /dev/sub/loop-cov /dev/myfifo; " +
          "echo x > /dev/mynull && echo write-ok",
      ),
    });
    spec.linux.devices = [
      { path: "/dev/fuse", type: "c", major: 10, minor: 229, fileMode: 0o600, uid: 0, gid: 0 },
      { path: "/dev/mynull", type: "c", major: 1, minor: 3, fileMode: 0o642, uid: 1000, gid: 65534 },
      { path: "/dev/sub/loop-cov", type: "b", major: 7, minor: 200, fileMode: 0o660, uid: 0, gid: 0 },
      { path: "/dev/myfifo", type: "p", fileMode: 0o620, uid: 0, gid: 0 },
    ];
    const res = suite.run("devices", spec);
    expect(res.stderr).toBe("");
    expect(res.exitCode).toBe(0);
    expect(res.stdout.split("\n")).toEqual([
      "/dev/fuse character special file a:e5 600 0:0",
      "/dev/mynull character special file 1:3 642 1000:65534",
      "/dev/sub/loop-cov block special file 7:c8 660 0:0",
      "/dev/myfifo fifo 0:0 620 0:0",
      "write-ok",
      "",
    ]);
  });
});

describe.skipIf(!isRoot)("maskedPaths and readonlyPaths", () => {
  test("maskedPaths: a masked file reads empty, a masked directory is empty, missing paths are skipped", () => {
    const spec = suite.spec("masked", {
      args: sh("wc -c < /etc/hostname; ls -A /home | wc -l; wc -c < /proc/timer_list; ls -A /proc/acpi 2>/dev/null | wc -l; " +
        "[ -e /proc/kcore ] && wc -c < /proc/kcore || echo 0; echo ---; cat /proc/self/mountinfo"),
    });
    spec.linux.maskedPaths.push("/etc/hostname", "/home", "/does/not/exist");
    const res = suite.run("masked", spec);
    expect(res.stderr).toBe("");
    expect(res.exitCode).toBe(0);
    const [head, mi] = res.stdout.split("---\n");
    expect(head).toBe("0\n0\n0\n0\n0\n");
    // The rootfs itself is untouched.
    expect(readFileSync(join(suite.rootfs, "etc/hostname"), "utf8")).toBe("busybox\n");
    expect(existsSync(join(suite.rootfs, "home/app"))).toBe(true);
    expect(mountAt(mi!, "/home")?.options).toContain("ro");
  });

  test("readonlyPaths: /proc/sys and a custom directory refuse writes, the rest stays writable", () => {
    const spec = suite.spec("readonly", {
      args: sh("{ echo 1 > /proc/sys/net/ipv4/ip_forward; } 2>&1; echo rc=$?; touch /tmp/ro/x 2>&1; echo rc=$?; touch /tmp/x && echo tmp-ok"),
    });
    spec.mounts.push(TMP_TMPFS, { destination: "/tmp/ro", type: "tmpfs", source: "tmpfs", options: ["size=1m"] });
    spec.linux.readonlyPaths.push("/tmp/ro");
    const res = suite.run("readonly", spec);
    expect(res.stderr).toBe("");
    expect(res.exitCode).toBe(0);
    const lines = res.stdout.trim().split("\n");
    expect(lines[0]).toContain("Read-only file system");
    expect(lines[1]).toBe("rc=1");
    expect(lines[2]).toContain("Read-only file system");
    expect(lines.slice(3)).toEqual(["rc=1", "tmp-ok"]);
  });
});

