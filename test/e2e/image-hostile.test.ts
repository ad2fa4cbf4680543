// Hostile archives at the archive level, through dist/husk: each crafted archive (or
// rootfs tarball, which goes through the same layer unpacker) is refused with one line and
// exit code 1, writes nothing outside the store (a canary dir stays as it was), and
// leaves nothing half-made in the store.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, writeSync, ftruncateSync } from "node:fs";
import { join, relative } from "node:path";
import { gzipSync } from "node:zlib";
import { huskBin, runSync } from "../helpers/husk.ts";
import { assertNoLeaks, snapshotHost, type HostSnapshot } from "../helpers/leaks.ts";
import { dockerArchive, hex, makeTar, ociLayout, sha256, storeContents, tarOf, type TarSpec } from "./support/image-archives.ts";
import { header } from "../unit/layer-tar-writer.ts";

const work = mkdtempSync("/tmp/husk-test-image-hostile-");
const canary = join(work, "canary");
let n = 0;
const husk = (data: string, ...args: string[]) => runSync([huskBin(), "image", ...args.slice(0, 1), "--data-root", data, ...args.slice(1)], { timeoutMs: 60_000 });
let before: HostSnapshot;

/** What the canary dir holds: every path with its kind and content. */
function canaryState(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      out.push(`${relative(canary, p)} ${e.isDirectory() ? "dir" : e.isSymbolicLink() ? "link" : readFileSync(p, "utf8")}`);
      if (e.isDirectory()) walk(p);
    }
  };
  walk(canary);
  return out.sort();
}
let canaryBefore: string[];

beforeAll(() => {
  before = snapshotHost({ paths: [work] });
  mkdirSync(join(canary, "etc"), { recursive: true });
  writeFileSync(join(canary, "secret"), "do not touch\n");
  writeFileSync(join(canary, "etc/passwd"), "root:x:0:0\n");
  canaryBefore = canaryState();
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  // Image commands make no netns, links or cgroups; other sessions on this shared host
  // do, so only what names this suite's paths counts here.
  assertNoLeaks(before, { paths: [work], ignore: (e) => !e.includes(work) });
});

/** Runs `args` against a fresh store and checks the outcome every hostile case must have. */
function refused(file: string, args: (file: string) => string[], line: RegExp) {
  const data = join(work, `data-${++n}`);
  const r = husk(data, ...args(file));
  expect(r.stdout).toBe("");
  expect(r.stderr).toMatch(line);
  expect(r.stderr.split("\n")).toHaveLength(2);
  expect(r.exitCode).toBe(1);
  expect(storeContents(data)).toEqual([]);
  expect(canaryState()).toEqual(canaryBefore);
  expect(existsSync(join(work, "pwned"))).toBe(false);
}

const put = (name: string, bytes: Uint8Array) => {
  const p = join(work, name);
  writeFileSync(p, bytes);
  return p;
};
// The store's layers live at <data>/layers/<chain>/.tmp.../diff: enough ".." to reach work/.
const up = "../".repeat(8);

const layerCases: { what: string; entries: TarSpec[]; error: RegExp }[] = [
  { what: "../ traversal", entries: [{ name: `${up}pwned`, data: "x" }], error: /".*pwned" refused: path leaves the layer through "\.\."/ },
  { what: "an absolute symlink, then a write through it", entries: [{ name: "etc", type: "2", linkname: join(canary, "etc") }, { name: "etc/passwd", data: "pwned" }], error: /"etc\/passwd" refused: parent "etc" is a symlink/ },
  { what: "a hardlink to outside (absolute)", entries: [{ name: "h", type: "1", linkname: join(canary, "secret") }], error: /"h" refused: hardlink target ".*secret" is not a file extracted earlier from this layer/ },
  { what: "a hardlink to outside (..)", entries: [{ name: "h", type: "1", linkname: `${up}canary/secret` }], error: /"h" refused: hardlink target leaves the layer/ },
  { what: "a relative symlink out, then a write below it", entries: [{ name: "up", type: "2", linkname: up.slice(0, -1) }, { name: "up/pwned", data: "x" }], error: /"up\/pwned" refused: parent "up" is a symlink/ },
  { what: "a dir swapped for a symlink, then a write into it", entries: [{ name: "d/", type: "5" }, { name: "d", type: "2", linkname: canary }, { name: "d/secret", data: "x" }], error: /"d\/secret" refused: parent "d" is a symlink/ },
];

describe("hostile layers, through image load (docker-archive) and image import", () => {
  for (const c of layerCases) {
    test(`load: ${c.what}`, () => {
      refused(put(`load-${n}.tar`, dockerArchive([makeTar(c.entries)])), (f) => ["load", "-i", f], new RegExp(`^husk: layer entry ${c.error.source}`));
    });
    test(`import: ${c.what}`, () => {
      refused(put(`import-${n}.tar`, makeTar(c.entries)), (f) => ["import", f, "x:1"], new RegExp(`^husk: layer entry ${c.error.source}`));
    });
  }

  test("a symlink replaced by a file of the same name writes the file, not through the link", () => {
    const data = join(work, `data-${++n}`);
    const f = put("same-name.tar", dockerArchive([makeTar([{ name: "s", type: "2", linkname: join(canary, "secret") }, { name: "s", data: "mine" }])]));
    expect(husk(data, "load", "-i", f).exitCode).toBe(0);
    expect(canaryState()).toEqual(canaryBefore);
  });

  test("absolute paths inside a layer land under the layer root, as docker unpacks them", () => {
    const data = join(work, `data-${++n}`);
    const layer = makeTar([{ name: "/abs/", type: "5", mode: 0o755 }, { name: "/abs/file", data: "inside" }]);
    const f = put("abs.tar", dockerArchive([layer]));
    const r = husk(data, "load", "-i", f);
    expect(r.stderr).toBe("");
    expect(r.exitCode).toBe(0);
    expect(readFileSync(join(data, "layers", hex(sha256(layer)), "diff/abs/file"), "utf8")).toBe("inside");
    expect(existsSync("/abs")).toBe(false);
  });
});

describe("hostile archives", () => {
  const good = makeTar([{ name: "f", data: "ok" }]);

  test("a layer whose digest does not match the config's diff_id", () => {
    refused(put("diffid.tar", dockerArchive([good], { diffIds: [sha256("something else")] })), (f) => ["load", "-i", f], /^husk: layer sha256:[0-9a-f]{64}: uncompressed content has digest sha256:[0-9a-f]{64}, the image config says sha256:[0-9a-f]{64} \(hint: the image is corrupt; nothing was kept\)\n$/);
  });

  test("an OCI blob whose content does not match its name", () => {
    const layout = ociLayout([{ layer: good, platform: { os: "linux", architecture: process.arch === "arm64" ? "arm64" : "amd64" }, env: "A=1" }]);
    const [name] = [...layout.files.keys()].filter((k) => layout.files.get(k) === good);
    layout.files.set(name!, makeTar([{ name: "f", data: "swapped" }]));
    refused(put("oci-swapped.tar", tarOf(layout.files)), (f) => ["load", "-i", f], /^husk: blob sha256:[0-9a-f]{64}: content has digest sha256:[0-9a-f]{64} \(hint: .*nothing was kept\)\n$/);
  });

  test("a truncated gzip layer", () => {
    const gz = gzipSync(makeTar([{ name: "big", data: "y".repeat(200_000) }]));
    const cut = gz.subarray(0, gz.length - 100);
    refused(put("trunc.tar", dockerArchive([cut], { diffIds: [sha256(makeTar([{ name: "big", data: "y".repeat(200_000) }]))] })), (f) => ["load", "-i", f], /^husk: layer sha256:[0-9a-f]{64} is truncated: the gzip stream ends early/);
    refused(put("trunc.tar.gz", cut), (f) => ["import", f], /is truncated: the gzip stream ends early/);
  });

  test("a truncated archive", () => {
    const whole = dockerArchive([good]);
    refused(put("cut.tar", whole.subarray(0, 700)), (f) => ["load", "-i", f], /^husk: layer ends inside entry "layer0\/layer.tar"/);
  });

  /** A tar whose one entry `name` is `size` bytes of zeros (a sparse file: cheap to make). */
  function bigEntryTar(file: string, name: string, size: number) {
    const fd = openSync(file, "w");
    writeSync(fd, header({ name }, size));
    ftruncateSync(fd, 512 + size + 1024);
    closeSync(fd);
  }

  test("a 100 MB manifest.json, a 100 MB index.json (tar and directory)", () => {
    const size = 100 << 20;
    bigEntryTar(join(work, "big-manifest.tar"), "manifest.json", size);
    refused(join(work, "big-manifest.tar"), (f) => ["load", "-i", f], /^husk: .*big-manifest\.tar: manifest\.json is 104857600 bytes, too large for metadata \(limit 16777216\)/);
    bigEntryTar(join(work, "big-index.tar"), "index.json", size);
    refused(join(work, "big-index.tar"), (f) => ["load", "-i", f], /index\.json is 104857600 bytes, too large for metadata/);
    const dir = join(work, "big-index-dir");
    mkdirSync(dir);
    writeFileSync(join(dir, "oci-layout"), '{"imageLayoutVersion":"1.0.0"}');
    const fd = openSync(join(dir, "index.json"), "w");
    ftruncateSync(fd, size);
    closeSync(fd);
    expect(statSync(join(dir, "index.json")).size).toBe(size);
    refused(dir, (f) => ["load", "-i", f], /index\.json is 104857600 bytes, too large for metadata/);
  });

  test("manifest.json naming paths outside the archive", () => {
    const config = new TextEncoder().encode(JSON.stringify({ os: "linux", architecture: "amd64", rootfs: { type: "layers", diff_ids: [sha256(good)] } }));
    for (const [what, manifest] of [
      ["config", [{ Config: "../../../etc/passwd", RepoTags: ["x:1"], Layers: ["l.tar"] }]],
      ["layer", [{ Config: "c.json", RepoTags: ["x:1"], Layers: [join(canary, "secret")] }]],
    ] as const) {
      const tar = makeTar([{ name: "l.tar", data: good }, { name: "c.json", data: config }, { name: "manifest.json", data: JSON.stringify(manifest) }]);
      refused(put(`outside-${what}.tar`, tar), (f) => ["load", "-i", f], new RegExp(`^husk: archive: manifest.json names ".*" as a ${what}, a path outside the archive`));
    }
  });

  test("an OCI layout directory naming a blob it does not have", () => {
    const dir = join(work, "missing-blob");
    mkdirSync(dir);
    writeFileSync(join(dir, "index.json"), JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: "application/vnd.oci.image.manifest.v1+json", digest: sha256("x"), size: 1 }] }));
    refused(dir, (f) => ["load", "-i", f], /^husk: archive: blob sha256:[0-9a-f]{64} is missing from /);
  });

  test("not an archive at all", () => {
    refused(put("junk.tar", new TextEncoder().encode("junk ".repeat(300))), (f) => ["load", "-i", f], /^husk: .*junk\.tar is not a valid archive: header has a malformed checksum field/);
  });
});
