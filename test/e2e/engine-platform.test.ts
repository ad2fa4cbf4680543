// `husk run/create --platform` with a locally loaded two-platform OCI index (busybox for
// this host's architecture and a fake arm64 image), no network: the right local image is
// chosen per platform, and an image of another architecture is refused in one line
// unless binfmt_misc has a handler for it.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { ensureBusyboxRootfs } from "../fixtures/busybox-rootfs.ts";
import { removeTestCgroups } from "../helpers/cgroup.ts";
import { huskBin, runSync } from "../helpers/husk.ts";
import { assertNoLeaks, type HostSnapshot, snapshotHost } from "../helpers/leaks.ts";
import { binfmtArchitectures } from "../../src/engine/platform.ts";
import { hostArch, makeTar, ociLayout } from "./support/image-archives.ts";
import { type EngineEnv, engineEnv } from "./support/engine.ts";

const NAME = "localhost/husk-e2e/multi:1";
const isRoot = process.getuid?.() === 0;
const other = hostArch === "amd64" ? "arm64" : "amd64";
const otherPlatform = other === "arm64" ? "linux/arm64/v8" : "linux/amd64";
const emulated = binfmtArchitectures().includes(other);
let env: EngineEnv;
let before: HostSnapshot;
let layoutDir: string;
const husk = (...args: string[]) => env.husk(args);

beforeAll(async () => {
  if (!isRoot) return;
  before = snapshotHost();
  env = await engineEnv("engine-platform");
  const rootfs = await ensureBusyboxRootfs();
  layoutDir = mkdtempSync("/var/tmp/husk-test-engine-platform-");
  const tarFile = join(layoutDir, "host.tar");
  const t = runSync(["tar", "--sort=name", "-C", rootfs, "-cf", tarFile, "."]);
  if (t.exitCode !== 0) throw new Error(t.stderr);
  const { files } = ociLayout(
    [
      { layer: new Uint8Array(readFileSync(tarFile)), platform: { os: "linux", architecture: hostArch }, env: "WHICH=host" },
      { layer: makeTar([{ name: "bin/sh", data: "not an executable for this host\n" }]), platform: { os: "linux", architecture: other, ...(other === "arm64" ? { variant: "v8" } : {}) }, env: "WHICH=other" },
    ],
    NAME,
  );
  rmSync(tarFile);
  for (const [path, bytes] of files) {
    mkdirSync(dirname(join(layoutDir, path)), { recursive: true });
    writeFileSync(join(layoutDir, path), bytes);
  }
  // Both platforms under one name: the other one last, so the name's tag points at it.
  for (const p of [`linux/${hostArch}`, otherPlatform]) {
    const r = runSync([huskBin(), "image", "load", "--data-root", env.dataRoot, "--platform", p, "-i", layoutDir]);
    if (r.exitCode !== 0) throw new Error(`image load ${p}: ${r.stderr}`);
  }
});

afterAll(() => {
  if (!isRoot) return;
  env.cleanup();
  rmSync(layoutDir, { recursive: true, force: true });
  removeTestCgroups("engine-platform");
  assertNoLeaks(before);
});

describe.skipIf(!isRoot)("--platform", () => {
  const run = (...args: string[]) => husk("run", "--rm", "--cgroup-parent", env.cgroupParent, "--pull", "never", ...args);

  test("both platforms are local under one name", () => {
    const { Unpackr } = require("msgpackr/unpack");
    const index = new Unpackr({ useRecords: false }).unpack(readFileSync(join(env.dataRoot, "images.msgpack")));
    const canonical = Object.keys(index.platforms).find((n) => n.endsWith("husk-e2e/multi:1"))!;
    expect(Object.keys(index.platforms[canonical]).sort()).toEqual([`linux/${hostArch}`, otherPlatform].sort());
  });

  test("the host's platform, asked for or by default, runs the host's image", () => {
    for (const flags of [["--platform", `linux/${hostArch}`], []]) {
      const r = run(...flags, NAME, "/bin/sh", "-c", "echo $WHICH");
      expect(r.stderr).toBe("");
      expect(r.stdout).toBe("host\n");
      expect(r.exitCode).toBe(0);
    }
  });

  test.skipIf(emulated)("the other architecture is chosen, and refused in one line (no binfmt handler here)", () => {
    for (const verb of ["run", "create"]) {
      const r = husk(verb, ...(verb === "run" ? ["--rm"] : []), "--cgroup-parent", env.cgroupParent, "--pull", "never", "--platform", otherPlatform, NAME, "/bin/sh");
      expect(r.exitCode).toBe(125);
      expect(r.stderr).toContain(`image ${NAME} is for ${otherPlatform}, and this host runs linux/${hostArch}: no binfmt_misc handler for ${other}`);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
    }
    expect(husk("ps", "-aq").stdout).toBe("");
  });

  test("a platform that is not here, with --pull never, and bad values: one line, 125", () => {
    const cases: [string[], string][] = [
      [["--platform", "linux/s390x"], `is here only for`],
      [["--platform", "linux"], 'invalid value "linux" for --platform'],
      [["--platform", "windows/amd64"], "husk runs linux images only"],
    ];
    for (const [flags, msg] of cases) {
      const r = run(...flags, NAME, "true");
      expect(r.stderr).toContain(msg);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.exitCode).toBe(125);
    }
    expect(husk("ps", "-aq").stdout).toBe("");
  });
});
