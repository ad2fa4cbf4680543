// The x86_64 .deb in a fresh Debian: packaging/release.ts builds it, deb-install-root.sh
// gives a debootstrap'd minbase root of this host's suite (cached), the test copies that
// root and, chrooted into the copy from a private mount namespace (deb-install-chroot.ts):
//   - dpkg -i installs it, and dpkg agrees on the files, the conffile, the husk-oci
//     symlink and the systemd unit;
//   - the installed husk imports the busybox image (packaging/demo-image.ts) and
//     `husk run --rm --network none IMAGE echo ok` prints ok, with husk's default
//     /run/husk and /var/lib/husk, leaving no mount, container or cgroup behind;
//   - dpkg -r removes everything but the conffile, and dpkg -P that too.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync, existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { ownCgroupParent, removeTestCgroups, shQuote, testCgroupDirs } from "../helpers/cgroup.ts";
import { REPO_ROOT, runSync } from "../helpers/husk.ts";
import { assertNoLeaks, type HostSnapshot, snapshotHost } from "../helpers/leaks.ts";
import { inChroot, LIST_ROOT_MOUNTS } from "./deb-install-chroot.ts";

const bun = join(REPO_ROOT, "node_modules/.bin/bun");
const isRoot = process.getuid?.() === 0;
const isX64 = process.arch === "x64";
const tools = ["unshare", "chroot", "dpkg-deb", "debootstrap"].filter((t) => !Bun.which(t));

/** The cached fresh root (built here once: about 75 s when nothing is cached). */
function freshRootTarball(): { tarball?: string; skip?: string } {
  const r = runSync(["bash", join(import.meta.dir, "deb-install-root.sh")], { timeoutMs: 900_000 });
  if (r.exitCode === 77) return { skip: r.stderr.trim() };
  if (r.exitCode !== 0) throw new Error(`deb-install-root.sh failed (${r.exitCode}):\n${r.stderr}`);
  return { tarball: r.stdout.trim().split("\n").pop()! };
}

const skipReason = !isRoot ? "need root" : !isX64 ? "the x64 .deb needs an x86_64 host" : tools.length ? `missing ${tools.join(", ")}` : undefined;
const fresh = skipReason ? {} : freshRootTarball();
const skip = skipReason ?? fresh.skip;
if (skip) console.warn(`deb install tests skipped: ${skip}`);

const IMAGE = "husk-demo/busybox:latest";
const CG = "deb-install";
let tmp = "";
let root = "";
let deb = "";
let before: HostSnapshot;

/** `sh -c script` in the root; fails the test with everything it printed unless rc 0. */
function ok(script: string): string {
  const r = inChroot(root, script);
  if (r.exitCode !== 0) throw new Error(`in the chroot: ${script}\nexit ${r.exitCode}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r.stdout;
}

describe.skipIf(skip !== undefined)("the .deb in a fresh debootstrap'd Debian root", () => {
  beforeAll(() => {
    before = snapshotHost();
    tmp = mkdtempSync("/var/tmp/husk-deb-install-");
    const rel = runSync([bun, "packaging/release.ts", "--arch", "x64", "--compress", "fast", "--out", join(tmp, "out")], { cwd: REPO_ROOT, timeoutMs: 400_000 });
    if (rel.exitCode !== 0) throw new Error(`release.ts failed (${rel.exitCode}):\n${rel.stderr}`);
    deb = readdirSync(join(tmp, "out")).find((f) => /^husk_.*_amd64\.deb$/.test(f))!;
    root = join(tmp, "root");
    const x = runSync(["sh", "-c", `mkdir -m 0755 "$1" && tar --numeric-owner --xattrs -C "$1" -xf "$2"`, "sh", root, fresh.tarball!], { timeoutMs: 120_000 });
    if (x.exitCode !== 0) throw new Error(`unpacking ${fresh.tarball}: ${x.stderr}`);
    copyFileSync(join(tmp, "out", deb), join(root, "tmp", deb));
    const img = runSync([bun, "packaging/demo-image.ts", join(tmp, "img")], { cwd: REPO_ROOT, timeoutMs: 120_000 });
    if (img.exitCode !== 0) throw new Error(`demo-image.ts: ${img.stderr}`);
    copyFileSync(img.stdout.trim(), join(root, "tmp", "busybox.tar"));
  }, 600_000);

  afterAll(() => {
    try {
      // Each container removed its own cgroup: below the parent, nothing is left.
      for (const d of testCgroupDirs(CG).filter((p) => existsSync(p))) {
        expect(readdirSync(d).filter((n) => statSync(join(d, n)).isDirectory())).toEqual([]);
      }
    } finally {
      removeTestCgroups(CG);
      if (tmp) rmSync(tmp, { recursive: true, force: true });
    }
    assertNoLeaks(before, { paths: tmp ? [tmp] : [] });
  }, 120_000);

  test("the root is a fresh Debian without husk", () => {
    expect(readFileSync(join(root, "etc/debian_version"), "utf8")).toMatch(/^\d+/);
    expect(existsSync(join(root, "usr/bin/husk"))).toBe(false);
    expect(inChroot(root, "dpkg-query -W husk").exitCode).toBe(1);
  });

  test("dpkg -i installs it; dpkg lists the binary, the husk-oci symlink, the unit, the man page and the conffile", () => {
    expect(ok(`dpkg -i /tmp/${deb} >/dev/null && dpkg-query -W -f='\${Status} \${Version}\\n' husk`)).toMatch(/^install ok installed \d+\.\d+\.\d+\n$/);
    const files = ok("dpkg -L husk").trim().split("\n");
    for (const f of ["/usr/bin/husk", "/usr/bin/husk-oci", "/lib/systemd/system/husk-restore.service", "/etc/husk/husk.env", "/etc/husk/plugins", "/usr/share/man/man1/husk.1.gz"]) {
      expect(files).toContain(f);
    }
    // dpkg --verify: every file's md5sum matches what the package shipped
    expect(ok("dpkg --verify husk")).toBe("");
    const [conf, md5] = ok("dpkg-query -W -f='${Conffiles}' husk").trim().split(/\s+/);
    expect(conf).toBe("/etc/husk/husk.env");
    expect(ok("md5sum /etc/husk/husk.env").split(" ")[0]).toBe(md5!);
    expect(lstatSync(join(root, "usr/bin/husk-oci")).isSymbolicLink()).toBe(true);
    expect(ok("readlink /usr/bin/husk-oci")).toBe("husk\n");
    expect(ok("dpkg -S /lib/systemd/system/husk-restore.service")).toBe("husk: /lib/systemd/system/husk-restore.service\n");
    const unit = readFileSync(join(root, "lib/systemd/system/husk-restore.service"), "utf8");
    expect(unit).toMatch(/^ExecStart=\/usr\/bin\/husk system restore$/m);
    expect(unit).toMatch(/^EnvironmentFile=-\/etc\/husk\/husk.env$/m);
    expect(statSync(join(root, "usr/bin/husk")).mode & 0o7777).toBe(0o755);
  });

  test("the installed husk runs by both names", () => {
    expect(ok("husk --version")).toMatch(/^husk version \d+\.\d+\.\d+\ncommit: /);
    // called as husk-oci it is the OCI face: runc's --version form, the spec version
    expect(ok("husk-oci --version")).toMatch(/^husk version .*\nspec: 1\.\d+\.\d+\n/s);
  });

  test("husk image import, then husk run --rm --network none IMAGE echo ok prints ok and leaves nothing", () => {
    ok(`husk image import --change 'CMD ["/bin/sh"]' --change 'ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin' /tmp/busybox.tar ${IMAGE} >/dev/null`);
    const names = (JSON.parse(ok("husk image ls --format json")) as { names: string[] }[]).flatMap((i) => i.names);
    expect(names.some((n) => n.endsWith(IMAGE))).toBe(true);
    const parent = shQuote(ownCgroupParent(CG));
    const r = inChroot(root, `husk run --rm --network none --cgroup-parent ${parent} ${IMAGE} echo ok`, {
      hostBefore: `${LIST_ROOT_MOUNTS} >"$R/../mounts.before"`,
      hostAfter: [
        `${LIST_ROOT_MOUNTS} >"$R/../mounts.after"`,
        // the live state on the namespace's /run tmpfs, before it goes away with it
        `find "$R/run/husk/engine" "$R/run/husk/netns" -mindepth 1 -maxdepth 1 2>/dev/null | grep -E '/[0-9a-f]{64}$' >"$R/../live.after"`,
        `test -d "$R/run/husk/engine" && echo engine-dir-seen >>"$R/../live.after"`,
      ].join("\n"),
    });
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("ok\n");
    expect(r.exitCode).toBe(0);
    // husk's snapshot and netns mounts are gone again before the namespace ends
    expect(readFileSync(join(tmp, "mounts.after"), "utf8")).toBe(readFileSync(join(tmp, "mounts.before"), "utf8"));
    expect(ok("husk ps -aq")).toBe("");
    expect(readFileSync(join(tmp, "live.after"), "utf8")).toBe("engine-dir-seen\n");
    for (const d of ["var/lib/husk/containers", "var/lib/husk/snapshots"]) {
      const p = join(root, d);
      expect(existsSync(p) ? readdirSync(p).filter((n) => /^[0-9a-f]{64}$/.test(n)) : []).toEqual([]);
    }
  });

  test("in a bare chroot (/ not a mount point) husk run fails with one line that says so", () => {
    const r = inChroot(root, `husk run --rm --network none --cgroup-parent ${shQuote(ownCgroupParent(CG))} ${IMAGE} echo ok`, { plainDir: true });
    expect(r.exitCode).toBe(125);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^husk: mounts: make root mount slave \/: EINVAL \(hint: \/ is not a mount point .*bind-mount the root dir onto itself/);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(ok("husk ps -aq")).toBe("");
  });

  test("dpkg -r removes all but the conffile; dpkg -P removes that too", () => {
    expect(ok("dpkg -r husk >/dev/null && dpkg-query -W -f='${Status}\\n' husk")).toBe("deinstall ok config-files\n");
    for (const f of ["usr/bin/husk", "usr/bin/husk-oci", "lib/systemd/system/husk-restore.service", "usr/share/man/man1/husk.1.gz"]) {
      expect(existsSync(join(root, f))).toBe(false);
    }
    expect(existsSync(join(root, "etc/husk/husk.env"))).toBe(true);
    ok("dpkg -P husk >/dev/null");
    expect(existsSync(join(root, "etc/husk"))).toBe(false);
    expect(inChroot(root, "dpkg-query -W husk").exitCode).toBe(1);
  });
});
