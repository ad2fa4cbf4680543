// `husk image pull/ls/inspect/rm` through dist/husk against a real registry on 127.0.0.1.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { chainIds } from "../../src/image/layer-store.ts";
import { sha256Of } from "../../src/image/content-store.ts";
import { huskBin, runSync } from "../helpers/husk.ts";
import { assertNoLeaks, snapshotHost, type HostSnapshot } from "../helpers/leaks.ts";
import { buildImage, ensureDockerRegistry, makeLayer, pushImage, startRegistry, type TestRegistry } from "../helpers/registry.ts";

const registryBin = ensureDockerRegistry();
const skip = "skip" in registryBin;
let reg: TestRegistry;
let data = "";
let before: HostSnapshot;
const husk = (...args: string[]) => runSync([huskBin(), ...args], { timeoutMs: 60_000 });
const image = (...args: string[]) => husk("image", ...args.slice(0, 1), "--data-root", data, ...args.slice(1));
const layerA = makeLayer({ "etc/hostname": "base\n", "bin/tool": "v1" });
const layerB = makeLayer({ "etc/hostname": "top\n" });
const img = buildImage({ layers: [layerA, layerB] });

beforeAll(async () => {
  if (skip) return;
  before = snapshotHost();
  data = mkdtempSync("/tmp/husk-test-image-data-");
  reg = await startRegistry({ bin: (registryBin as { bin: string }).bin });
  await pushImage(reg, "team/app", "1", img);
});

afterAll(async () => {
  if (skip) return;
  await reg.stop();
  rmSync(data, { recursive: true, force: true });
  assertNoLeaks(before);
});

describe.skipIf(skip)("husk image", () => {
  const ref = () => `${reg.host}/team/app:1`;

  test("pull: plain progress lines, the image recorded, every layer unpacked once per chain id", () => {
    const r = image("pull", ref());
    expect(r.stderr).toBe("");
    expect(r.exitCode).toBe(0);
    const config = sha256Of(img.config);
    expect(r.stdout).toContain(`Pulled ${ref()} (${config}, linux/amd64)`);
    expect(r.stdout).toMatch(/: done \(/);
    const diffIds = [layerA, layerB].map((l) => sha256Of(Bun.gunzipSync(new Uint8Array(l))));
    const [c1, c2] = chainIds(diffIds);
    expect(readFileSync(join(data, "layers", c1!.slice(7), "diff/etc/hostname"), "utf8")).toBe("base\n");
    expect(readFileSync(join(data, "layers", c2!.slice(7), "diff/etc/hostname"), "utf8")).toBe("top\n");
    expect(readdirSync(join(data, "layers")).sort()).toEqual([c1!.slice(7), c2!.slice(7)].sort());
  });

  test("ls and inspect", () => {
    const ls = image("ls");
    expect(ls.exitCode).toBe(0);
    const lines = ls.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^REPOSITORY\s+TAG\s+IMAGE ID\s+SIZE$/);
    expect(lines[1]).toMatch(new RegExp(`^${reg.host.replace(/\./g, "\\.")}/team/app\\s+1\\s+${sha256Of(img.config).slice(7, 19)}\\s+`));
    const inspect = JSON.parse(image("inspect", ref()).stdout);
    expect(inspect[0].id).toBe(sha256Of(img.config));
    expect(inspect[0].config.config.Cmd).toEqual(["/bin/sh"]);
    expect(inspect[0].layers.map((l: { digest: string }) => l.digest)).toEqual(img.blobs.slice(1));
    expect(image("ls", "-q").stdout).toBe(`${sha256Of(img.config).slice(7, 19)}\n`);
  });

  test("a second pull downloads nothing", () => {
    const r = image("pull", ref());
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/: exists \(/);
    expect(r.stdout).not.toMatch(/: downloading/);
  });

  test("errors: an unknown tag, and rm of an unknown image, are one line", () => {
    const r = image("pull", `${reg.host}/team/app:nope`);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/^husk: [^\n]*manifest nope: 404[^\n]*\n$/);
    const rm = image("rm", "never-pulled");
    expect(rm.stderr).toMatch(/^husk: no such image: never-pulled/);
    expect(rm.exitCode).toBe(1);
  });

  test("rm: the last name removes the image, its blobs and its unpacked layers", () => {
    const r = image("rm", ref());
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe(`Untagged: ${ref()}\nDeleted: ${sha256Of(img.config)}\n`);
    expect(readdirSync(join(data, "blobs/sha256"))).toEqual([]);
    expect(readdirSync(join(data, "layers")).filter((n) => !n.startsWith("."))).toEqual([]);
    expect(image("ls", "-q").stdout).toBe("");
    expect(existsSync(join(data, "images.msgpack"))).toBe(true);
  });
});
