// husk image import/tag/history/rm/prune/save/load --platform through dist/husk, with
// the error cases: each one line on stderr with exit code 1 (as docker's image commands).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { Packr } from "msgpackr/pack";
import { ensureBusyboxRootfs } from "../fixtures/busybox-rootfs.ts";
import { huskBin, runSync } from "../helpers/husk.ts";
import { assertNoLeaks, snapshotHost, type HostSnapshot } from "../helpers/leaks.ts";
import { dockerArchive, hex, makeTar, ociLayout, sha256, storeContents, tarOf } from "./support/image-archives.ts";

const work = mkdtempSync("/tmp/husk-test-image-cmds-");
let n = 0;
const newData = () => join(work, `data-${++n}`);
/** husk image SUB --data-root DATA ARGS... */
const husk = (data: string, sub: string, ...args: string[]) => runSync([huskBin(), "image", sub, "--data-root", data, ...args], { timeoutMs: 60_000 });
const huskIn = (stdin: string | Uint8Array, data: string, sub: string, ...args: string[]) => runSync([huskBin(), "image", sub, "--data-root", data, ...args], { stdin, timeoutMs: 60_000 });
const ok = (r: ReturnType<typeof husk>) => {
  expect(r.stderr).toBe("");
  expect(r.exitCode).toBe(0);
  return r.stdout;
};
const fails = (r: ReturnType<typeof husk>, line: RegExp | string) => {
  expect(r.exitCode).toBe(1);
  expect(r.stderr.split("\n")).toHaveLength(2); // one line, then the final newline
  if (typeof line === "string") expect(r.stderr).toBe(`${line}\n`);
  else expect(r.stderr).toMatch(line);
};
const idOf = (data: string, ref: string) => JSON.parse(ok(husk(data, "inspect", ref)))[0].id as string;
const writeRecord = (data: string, image: string, name = "web") => {
  const id = "c".repeat(63) + String(++n % 10);
  mkdirSync(join(data, "containers", id), { recursive: true });
  writeFileSync(join(data, "containers", id, "record.msgpack"), new Packr({ useRecords: false }).pack({ version: 1, id, name, image, imageRef: "x", created: new Date().toISOString(), config: {}, hostConfig: {} }));
  return id;
};

let rootfsTar: string;
let before: HostSnapshot;

beforeAll(async () => {
  before = snapshotHost({ paths: [work] });
  const rootfs = await ensureBusyboxRootfs();
  rootfsTar = join(work, "rootfs.tar");
  expect(runSync(["tar", "-C", rootfs, "-cf", rootfsTar, "."]).exitCode).toBe(0);
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  // Image commands make no netns, links or cgroups; other sessions on this shared host
  // do, so only what names this suite's paths counts here.
  assertNoLeaks(before, { paths: [work], ignore: (e) => !e.includes(work) });
});

describe("image import", () => {
  test("a rootfs tar becomes a one-layer image with the changes and message asked for", () => {
    const data = newData();
    const out = ok(husk(data, "import", "--change", 'CMD ["/bin/sh", "-c", "echo hi"]', "-c", "ENV A=1", "-c", "EXPOSE 80", "-m", "hand made", rootfsTar, "bb:1"));
    expect(out).toMatch(/^sha256:[0-9a-f]{64}\n$/);
    const [img] = JSON.parse(ok(husk(data, "inspect", "bb:1")));
    expect(img.id).toBe(out.trim());
    expect(img.layers).toHaveLength(1);
    expect(img.config.config).toEqual({ Cmd: ["/bin/sh", "-c", "echo hi"], Env: ["A=1"], ExposedPorts: { "80/tcp": {} } });
    expect(img.config.history).toEqual([{ created: img.config.created, comment: "hand made" }]);
    expect(existsSync(join(data, "layers", hex(img.layers[0].chainId), "diff/bin/busybox"))).toBe(true);
    expect(readdirSync(join(data, "ingest"))).toEqual([]);
  });

  test("gzip from stdin, without a name: a nameless image", () => {
    const data = newData();
    const out = ok(huskIn(gzipSync(readFileSync(rootfsTar)), data, "import", "-"));
    expect(ok(husk(data, "ls"))).toBe(`REPOSITORY   TAG      IMAGE ID       SIZE\n<none>       <none>   ${out.slice(7, 19)}   ${ok(husk(data, "ls")).split(/\s+/).slice(-3).join(" ").trim()}\n`);
    expect(JSON.parse(ok(husk(data, "inspect", out.trim())))[0].config.history[0].comment).toBe("Imported from -");
  });

  test("refusals: not a tar, a missing file, a bad name, a bad change; nothing is kept", () => {
    const data = newData();
    const junk = join(work, "junk.txt");
    writeFileSync(junk, "hello, this is not a tarball\n".repeat(40));
    fails(husk(data, "import", junk, "x:1"), `husk: ${junk} is not a tar archive (hint: give a rootfs tarball (tar, tar.gz or tar.zst))\n`.trimEnd());
    fails(husk(data, "import", join(work, "nope.tar")), `husk: ${join(work, "nope.tar")}: no such file or directory: ENOENT`);
    fails(husk(data, "import", rootfsTar, "Bad/Name"), /^husk: invalid image reference "Bad\/Name": repository names must be lowercase \(hint: /);
    fails(husk(data, "import", "-c", "RUN make", rootfsTar), /^husk: --change "RUN make": RUN is not allowed here; allowed: CMD, ENTRYPOINT/);
    fails(huskIn("", data, "import", "-"), "husk: - is not a tar archive (0 bytes) (hint: give a rootfs tarball (tar, tar.gz or tar.zst))");
    expect(storeContents(data)).toEqual([]);
  });
});

describe("image tag and history", () => {
  const data = newData();
  beforeAll(() => void ok(husk(data, "import", "-m", "first", rootfsTar, "bb:1")));

  test("tag gives the same image another name; history shows the steps", () => {
    ok(husk(data, "tag", "bb:1", "127.0.0.1:5000/team/bb:2"));
    const id = idOf(data, "bb:1");
    expect(idOf(data, "127.0.0.1:5000/team/bb:2")).toBe(id);
    expect(ok(husk(data, "ls")).split("\n").filter((l) => l.includes(hex(id).slice(0, 12)))).toHaveLength(2);

    const table = ok(husk(data, "history", "bb:1")).split("\n");
    expect(table[0]).toMatch(/^IMAGE\s+CREATED\s+CREATED BY\s+SIZE\s+COMMENT$/);
    expect(table[1]).toMatch(new RegExp(`^${hex(id).slice(0, 12)}\\s+(Less than a second|\\d+ seconds) ago\\s+\\d+(\\.\\d+)? MB\\s+first$`));
    expect(table).toHaveLength(3);
    expect(ok(husk(data, "history", "--no-trunc", "-q", "bb:1"))).toBe(`${id}\n`);
    const json = JSON.parse(ok(husk(data, "history", "--format", "json", "--no-trunc", "bb:1")));
    expect(json).toMatchObject({ ID: id, CreatedBy: "", Comment: "first" });
  });

  test("tag and history errors", () => {
    fails(husk(data, "tag", "nope:1", "x:1"), "husk: no such image: nope:1 (hint: pull it first ('husk image pull'))");
    fails(husk(data, "tag", "bb:1", "team/Bad:1"), /^husk: invalid image reference "team\/Bad:1": repository names must be lowercase/);
    fails(husk(data, "tag", "bb:1", "x:bad tag"), /^husk: invalid image reference "x:bad tag": "bad tag" is not a valid tag/);
    fails(husk(data, "tag", "bb:1", `x@sha256:${"a".repeat(64)}`), /^husk: invalid tag "x@sha256:a+": a tag cannot carry a digest/);
    fails(husk(data, "history", "nope"), "husk: no such image: nope (hint: pull it first ('husk image pull'))");
    fails(husk(data, "history", "--format", "yaml", "bb:1"), 'husk: --format "yaml": expected table or json');
  });
});

describe("refcounts: rm and prune", () => {
  test("two images sharing a layer: removing one keeps the layer for the other", () => {
    const data = newData();
    ok(husk(data, "import", "-c", "ENV N=1", rootfsTar, "one:1"));
    ok(husk(data, "import", "-c", "ENV N=2", rootfsTar, "two:1"));
    const [one] = JSON.parse(ok(husk(data, "inspect", "one:1")));
    const layerDir = join(data, "layers", hex(one.layers[0].chainId));
    expect(ok(husk(data, "rm", "one:1"))).toBe(`Untagged: docker.io/library/one:1\nDeleted: ${one.id}\n`);
    expect(existsSync(join(layerDir, "diff/bin/busybox"))).toBe(true);
    expect(existsSync(join(data, "blobs/sha256", hex(one.layers[0].digest)))).toBe(true);
    expect(existsSync(join(data, "blobs/sha256", hex(one.id)))).toBe(false);
    ok(husk(data, "rm", "two:1"));
    expect(storeContents(data)).toEqual([]);
    fails(husk(data, "rm", "one:1"), "husk: no such image: one:1 (hint: pull it first ('husk image pull'))");
  });

  test("a container's record keeps its image: rm refuses, --force keeps it nameless, prune waits for the container", () => {
    const data = newData();
    ok(husk(data, "import", rootfsTar, "used:1"));
    const id = idOf(data, "used:1");
    const cid = writeRecord(data, id);
    fails(husk(data, "rm", "used:1"), `husk: conflict: unable to remove repository reference "used:1" (must force) - container ${cid.slice(0, 12)} (web) is using its referenced image ${hex(id).slice(0, 12)} (hint: remove the container first, or use --force to drop the name and keep the image)`);
    fails(husk(data, "rm", hex(id).slice(0, 12)), new RegExp(`^husk: conflict: unable to delete ${hex(id).slice(0, 12)} \\(must be forced\\) - image is being used by container ${cid.slice(0, 12)} \\(web\\)`));
    expect(ok(husk(data, "rm", "--force", "used:1"))).toBe("Untagged: docker.io/library/used:1\n");
    expect(ok(husk(data, "ls", "-q"))).toBe(`${hex(id).slice(0, 12)}\n`);
    expect(ok(husk(data, "prune", "-a", "-f"))).toBe("Total reclaimed space: 0 B\n");
    expect(ok(husk(data, "ls", "-q"))).toBe(`${hex(id).slice(0, 12)}\n`);
    rmSync(join(data, "containers", cid), { recursive: true });
    const out = ok(husk(data, "prune", "-f"));
    expect(out).toMatch(new RegExp(`^Deleted Images:\ndeleted: ${id}\n\nTotal reclaimed space: \\d+(\\.\\d+)? MB\n$`));
    expect(storeContents(data)).toEqual([]);
  });

  test("prune: dangling only, or -a; it asks first without -f", () => {
    const data = newData();
    ok(husk(data, "import", "-c", "ENV N=1", rootfsTar, "keep:1"));
    const dangling = ok(husk(data, "import", "-c", "ENV N=2", rootfsTar)).trim();
    expect(ok(huskIn("n\n", data, "prune"))).toBe("WARNING! This will remove all dangling images.\nAre you sure you want to continue? [y/N] \n");
    expect(ok(husk(data, "ls", "-q")).split("\n").filter(Boolean)).toHaveLength(2);
    expect(ok(huskIn("y\n", data, "prune"))).toMatch(new RegExp(`\\[y/N\\] Deleted Images:\ndeleted: ${dangling}\n\nTotal reclaimed space: `));
    expect(idOf(data, "keep:1")).toMatch(/^sha256:/);
    expect(ok(husk(data, "prune", "-a", "-f"))).toMatch(/^Deleted Images:\nuntagged: docker.io\/library\/keep:1\ndeleted: sha256:/);
    expect(storeContents(data)).toEqual([]);
  });
});

describe("image save and load round trips", () => {
  const data = newData();
  let id: string;
  beforeAll(() => {
    ok(husk(data, "import", "-c", "CMD /bin/sh", rootfsTar, "bb:1"));
    ok(husk(data, "tag", "bb:1", "localhost/other:2"));
    id = idOf(data, "bb:1");
  });

  for (const format of ["docker-archive", "oci-archive", "oci-dir"]) {
    test(`${format}: save then load gives the same image id and names`, () => {
      const out = join(work, `saved-${format}`);
      ok(husk(data, "save", "--format", format, "-o", out, "bb:1", "localhost/other:2"));
      const fresh = newData();
      const loaded = ok(husk(fresh, "load", "-i", out));
      expect(loaded.split("\n").filter(Boolean).sort()).toEqual(["Loaded image: bb:1", "Loaded image: localhost/other:2"]);
      expect(idOf(fresh, "bb:1")).toBe(id);
      expect(idOf(fresh, "localhost/other:2")).toBe(id);
      expect(readdirSync(join(fresh, "layers"))).toHaveLength(1);
      expect(readdirSync(work).filter((f) => f.includes(".husk-tmp-"))).toEqual([]);
    });
  }

  test("docker-archive layout: manifest.json, repositories, config, uncompressed layer tars", () => {
    const out = join(work, "layout.tar");
    ok(husk(data, "save", "-o", out, "bb:1"));
    const names = runSync(["tar", "-tf", out]).stdout.trim().split("\n").sort();
    const [img] = JSON.parse(ok(husk(data, "inspect", "bb:1")));
    expect(names).toEqual([`${hex(img.layers[0].diffId)}.tar`, `${hex(id)}.json`, "manifest.json", "repositories"].sort());
    const manifest = JSON.parse(runSync(["tar", "-xOf", out, "manifest.json"]).stdout);
    expect(manifest).toEqual([{ Config: `${hex(id)}.json`, RepoTags: ["bb:1"], Layers: [`${hex(img.layers[0].diffId)}.tar`] }]);
    expect(JSON.parse(runSync(["tar", "-xOf", out, "repositories"]).stdout)).toEqual({ bb: { "1": hex(img.layers[0].diffId) } });
  });

  test("a gzip layer is saved to a docker-archive uncompressed, its file digest the diff_id", () => {
    const tar = makeTar([{ name: "etc/", type: "5", mode: 0o755 }, { name: "etc/gz", data: "z".repeat(5000) }]);
    const src = newData();
    const archive = join(work, "gz-layer.tar");
    writeFileSync(archive, dockerArchive([gzipSync(tar)], { diffIds: [sha256(tar)], repoTags: ["gz:1"] }));
    ok(husk(src, "load", "-i", archive));
    const out = join(work, "gz-saved.tar");
    ok(husk(src, "save", "-o", out, "gz:1"));
    const layer = runSync(["tar", "-xOf", out, `${hex(sha256(tar))}.tar`]);
    expect(layer.exitCode).toBe(0);
    expect(sha256(new TextEncoder().encode(layer.stdout))).toBe(sha256(tar));
    const fresh = newData();
    ok(husk(fresh, "load", "-i", out));
    expect(idOf(fresh, "gz:1")).toBe(idOf(src, "gz:1"));
  });

  test("to stdout when not a terminal; by id there are no names", () => {
    const r = Bun.spawnSync([huskBin(), "image", "save", "--data-root", data, hex(id).slice(0, 12)], { stdout: "pipe", stderr: "pipe" });
    expect(r.stderr.toString()).toBe("");
    expect(r.exitCode).toBe(0);
    const file = join(work, "stdout.tar");
    writeFileSync(file, r.stdout);
    const fresh = newData();
    expect(ok(husk(fresh, "load", "-i", file))).toBe(`Loaded image ID: ${id}\n`);
  });

  test("save errors leave no file", () => {
    const out = join(work, "missing.tar");
    fails(husk(data, "save", "-o", out, "bb:1", "nope:9"), "husk: no such image: nope:9 (hint: pull it first ('husk image pull'))");
    expect(existsSync(out)).toBe(false);
    fails(husk(data, "save", "--format", "zip", "-o", out, "bb:1"), 'husk: --format "zip": expected docker-archive, oci-archive, oci-dir');
    fails(husk(data, "save", "-o", join(work, "no/such/dir/x.tar"), "bb:1"), `husk: cannot write ${join(work, "no/such/dir/x.tar")}: ENOENT (hint: check that its directory exists and is writable)`);
    fails(husk(data, "save", "-o", out, "Bad:Ref"), "husk: no such image: Bad:Ref");
    expect(readdirSync(work).filter((f) => f.includes(".husk-tmp-"))).toEqual([]);
  });
});

describe("image load --platform", () => {
  const layerFor = (text: string) => makeTar([{ name: "etc/", type: "5", mode: 0o755 }, { name: "etc/which", data: text }]);
  const host = process.arch === "arm64" ? { os: "linux", architecture: "arm64", variant: "v8" } : { os: "linux", architecture: "amd64" };
  const other = process.arch === "arm64" ? { os: "linux", architecture: "amd64" } : { os: "linux", architecture: "arm64", variant: "v8" };
  const layout = ociLayout([
    { layer: layerFor("host"), platform: host, env: "WHICH=host" },
    { layer: layerFor("other"), platform: other, env: "WHICH=other" },
  ]);
  const archive = join(work, "multi.tar");
  beforeAll(() => writeFileSync(archive, tarOf(layout.files)));

  test("default: the host's platform; the other platform's blobs are not kept", () => {
    const data = newData();
    expect(ok(husk(data, "load", "-i", archive))).toBe("Loaded image: multi:1\n");
    expect(idOf(data, "multi:1")).toBe(layout.configDigests[0]!);
    const held = storeContents(data).filter((e) => e.startsWith("blobs/"));
    expect(held).toHaveLength(4); // index, manifest, config, layer of the host image
    expect(held).not.toContain(`blobs/sha256/${hex(layout.configDigests[1]!)}`);
  });

  test("--platform picks the other one", () => {
    const data = newData();
    ok(husk(data, "load", "--platform", `${other.os}/${other.architecture}${other.variant ? `/${other.variant}` : ""}`, "-i", archive));
    expect(idOf(data, "multi:1")).toBe(layout.configDigests[1]!);
  });

  test("no match: the error names the platforms there, and nothing is kept", () => {
    const data = newData();
    const r = husk(data, "load", "--platform", "linux/s390x", "-i", archive);
    const have = [host, other].map((p) => `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ""}`).join(", ");
    fails(r, new RegExp(`^husk: archive: index sha256:[0-9a-f]{64} has no image for linux/s390x; it has ${have.replace(/\//g, "\\/")} \\(hint: choose one with --platform`));
    expect(storeContents(data)).toEqual([]);
    fails(husk(data, "load", "--platform", "s390x", "-i", archive), /^husk: invalid platform "s390x" \(hint: /);
  });
});
