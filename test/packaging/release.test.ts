// packaging/release.ts is reproducible and makes what it says: built twice from the same
// source (arm64, the cross-compiled arch; fast compression, same pipeline), every
// artifact has the same sha256; SHA256SUMS is right; the tarball and the .deb hold the
// executable, the husk-oci symlink, the restore unit, the default config and the man
// page, with root owners and the SOURCE_DATE_EPOCH mtime; no build path is inside.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT, runSync } from "../helpers/husk.ts";

const bun = join(REPO_ROOT, "node_modules/.bin/bun");
const haveCross = Bun.which("aarch64-linux-gnu-gcc") !== null && Bun.which("dpkg-deb") !== null;
if (!haveCross) console.warn("release tests skipped: gcc-aarch64-linux-gnu or dpkg-deb missing (bash packaging/release-deps.sh)");
const EPOCH = "1700000000";

let tmp = "";
const out = (n: number) => join(tmp, `out${n}`);
const sums = (n: number) => readFileSync(join(out(n), "SHA256SUMS"), "utf8");

describe.skipIf(!haveCross)("release.ts, twice", () => {
  beforeAll(() => {
    tmp = mkdtempSync("/var/tmp/husk-release-test-");
    for (const n of [1, 2]) {
      const r = runSync([bun, "packaging/release.ts", "--arch", "arm64", "--compress", "fast", "--out", out(n)], {
        cwd: REPO_ROOT,
        env: { SOURCE_DATE_EPOCH: EPOCH },
        timeoutMs: 400_000,
      });
      if (r.exitCode !== 0) throw new Error(`release.ts run ${n} failed (${r.exitCode}):\n${r.stderr}`);
    }
  }, 900_000);

  afterAll(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  test("same source, same sha256 for every artifact", () => {
    expect(sums(1)).toBe(sums(2));
    expect(sums(1).trim().split("\n").map((l) => l.split("  ")[1]).sort()).toEqual([
      "husk-0.1.0-linux-arm64",
      "husk-0.1.0-linux-arm64.tar.gz",
      "husk_0.1.0_arm64.deb",
    ]);
  });

  test("SHA256SUMS checks out with sha256sum -c", () => {
    const r = runSync(["sha256sum", "-c", "SHA256SUMS"], { cwd: out(1) });
    expect(r.exitCode).toBe(0);
    expect(r.stdout.trim().split("\n").every((l) => l.endsWith(": OK"))).toBe(true);
  });

  test("the executable is arm64 and has no build path in it", () => {
    const exe = readFileSync(join(out(1), "husk-0.1.0-linux-arm64"));
    expect(exe.readUInt16LE(18)).toBe(183); // EM_AARCH64
    expect(exe.includes(REPO_ROOT)).toBe(false);
    expect(exe.includes("build/release-arm64")).toBe(false);
  });

  test("the tarball: husk, husk-oci -> husk, unit, config, man page; root owners, fixed mtime", () => {
    const r = runSync(["tar", "--utc", "-tvzf", join(out(1), "husk-0.1.0-linux-arm64.tar.gz")]);
    expect(r.exitCode).toBe(0);
    const lines = r.stdout.trim().split("\n");
    const names = lines.map((l) => l.split(/\s+/).slice(5).join(" "));
    expect(names).toEqual([
      "husk-0.1.0-linux-arm64/",
      "husk-0.1.0-linux-arm64/husk",
      "husk-0.1.0-linux-arm64/husk-oci -> husk",
      "husk-0.1.0-linux-arm64/husk-restore.service",
      "husk-0.1.0-linux-arm64/husk.1",
      "husk-0.1.0-linux-arm64/husk.env",
    ]);
    for (const l of lines) expect(l).toMatch(/^\S+ 0\/0 .* 2023-11-14 22:13 /);
    expect(lines[1]).toMatch(/^-rwxr-xr-x /);
  });

  test("the .deb: control fields, conffile, payload paths and symlinks", () => {
    const deb = join(out(1), "husk_0.1.0_arm64.deb");
    const field = (f: string) => runSync(["dpkg-deb", "-f", deb, f]).stdout.trim();
    expect(field("Package")).toBe("husk");
    expect(field("Architecture")).toBe("arm64");
    expect(field("Version")).toBe("0.1.0");
    const x = join(tmp, "deb-raw");
    expect(runSync(["dpkg-deb", "-R", deb, x], { timeoutMs: 120_000 }).exitCode).toBe(0);
    expect(readFileSync(join(x, "DEBIAN/conffiles"), "utf8").trim()).toBe("/etc/husk/husk.env");
    const c = runSync(["dpkg-deb", "-c", deb], { timeoutMs: 120_000 }).stdout;
    for (const p of ["./usr/bin/husk", "./lib/systemd/system/husk-restore.service", "./etc/husk/husk.env", "./etc/husk/plugins/", "./usr/share/man/man1/husk.1.gz"]) {
      expect(c).toMatch(new RegExp(` root/root .* ${p.replace(/\./g, "\\.")}( |$)`, "m"));
    }
    expect(c).toContain("./usr/bin/husk-oci -> husk");
    expect(readFileSync(join(x, "usr/bin/husk")).equals(readFileSync(join(out(1), "husk-0.1.0-linux-arm64")))).toBe(true);
    const unit = readFileSync(join(x, "lib/systemd/system/husk-restore.service"), "utf8");
    expect(unit).toContain("ExecStart=/usr/bin/husk system restore");
    expect(unit).toContain("EnvironmentFile=-/etc/husk/husk.env");
    expect(readFileSync(join(x, "etc/husk/husk.env"), "utf8")).toMatch(/^HUSK_ROOT=\/run\/husk$/m);
    const man = new TextDecoder().decode(Bun.gunzipSync(readFileSync(join(x, "usr/share/man/man1/husk.1.gz"))));
    expect(man).toMatch(/^\.TH HUSK 1 "2023-11-14"/);
    expect(man).toContain("husk oci");
  }, 180_000);
});
