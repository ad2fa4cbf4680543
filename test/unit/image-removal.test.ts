// image rm / prune rules (src/image/removal.ts) and the container record reader.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Packr } from "msgpackr/pack";
import { containersByImage, readContainerRefs } from "../../src/image/container-refs.ts";
import type { ImageRecord } from "../../src/image/image-store.ts";
import { type IndexView, orphansOf, planRemoval, pruneCandidates } from "../../src/image/removal.ts";

const d = (c: string) => `sha256:${c.repeat(64)}`;
const image = (id: string, layers: string[]): ImageRecord => ({
  id: d(id),
  manifestDigest: `sha256:e${id.repeat(63)}`,
  layers: layers.map((l) => ({ digest: d(l), size: 1, diffId: d(l), chainId: d(l) })),
  platform: { os: "linux", architecture: "amd64" },
  pulledAt: "2024-01-01T00:00:00Z",
  size: layers.length,
});
const A = image("a", ["1", "2"]);
const B = image("b", ["1", "3"]);
const view = (): IndexView => ({
  images: { [A.id]: A, [B.id]: B },
  tags: { "docker.io/library/x:1": A.id, "docker.io/library/x:2": A.id, "docker.io/library/y:1": B.id },
});
const user = { id: "c".repeat(64), name: "web", image: A.id };

describe("planRemoval", () => {
  test("by name: drops that name; the image goes with its last one", () => {
    const v = view();
    expect(planRemoval(v, A.id, "docker.io/library/x:1", [], false, "x:1")).toEqual({ untag: ["docker.io/library/x:1"] });
    expect(planRemoval(v, B.id, "docker.io/library/y:1", [], false, "y:1")).toEqual({ untag: ["docker.io/library/y:1"], deleteImage: B.id });
  });

  test("by name, last name, a container uses it: refused without force; forced keeps the image", () => {
    const v = view();
    const users = [{ ...user, image: B.id }];
    expect(() => planRemoval(v, B.id, "docker.io/library/y:1", users, false, "y:1")).toThrow(
      `conflict: unable to remove repository reference "y:1" (must force) - container cccccccccccc (web) is using its referenced image bbbbbbbbbbbb`,
    );
    expect(planRemoval(v, B.id, "docker.io/library/y:1", users, true, "y:1")).toEqual({ untag: ["docker.io/library/y:1"] });
  });

  test("by id: every name; refused when a container uses it or names span repositories", () => {
    const v = view();
    expect(planRemoval(v, A.id, undefined, [], false, "aaaa")).toEqual({ untag: ["docker.io/library/x:1", "docker.io/library/x:2"], deleteImage: A.id });
    expect(() => planRemoval(v, A.id, undefined, [user], false, "aaaa")).toThrow("conflict: unable to delete aaaaaaaaaaaa (must be forced) - image is being used by container cccccccccccc (web)");
    expect(planRemoval(v, A.id, undefined, [user], true, "aaaa")).toEqual({ untag: ["docker.io/library/x:1", "docker.io/library/x:2"] });
    v.tags["docker.io/library/z:1"] = A.id;
    expect(() => planRemoval(v, A.id, undefined, [], false, "aaaa")).toThrow("image is referenced in multiple repositories");
    expect(planRemoval(v, A.id, undefined, [], true, "aaaa").deleteImage).toBe(A.id);
  });
});

describe("orphansOf", () => {
  test("a layer another image shares is kept", () => {
    expect(orphansOf(A, [B])).toEqual({ digests: [A.id, A.manifestDigest, d("2")], chains: [d("2")] });
    expect(orphansOf(A, [])).toEqual({ digests: [A.id, A.manifestDigest, d("1"), d("2")], chains: [d("1"), d("2")] });
  });
});

describe("pruneCandidates", () => {
  test("dangling only, or every image no container uses with all", () => {
    const v = view();
    delete v.tags["docker.io/library/y:1"];
    expect(pruneCandidates(v, new Set(), false)).toEqual([B.id]);
    expect(pruneCandidates(v, new Set([B.id]), false)).toEqual([]);
    expect(pruneCandidates(v, new Set(), true)).toEqual([A.id, B.id]);
    expect(pruneCandidates(v, new Set([A.id]), true)).toEqual([B.id]);
  });
});

describe("readContainerRefs", () => {
  const root = mkdtempSync(join(tmpdir(), "husk-refs-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const packr = new Packr({ useRecords: false, moreTypes: false });

  test("no containers dir: nothing", () => {
    expect(readContainerRefs(join(root, "none"))).toEqual({ containers: [], unreadable: [] });
  });

  test("records name images; a dir without a record is skipped; a broken record is reported", () => {
    const put = (id: string, bytes?: Uint8Array) => {
      mkdirSync(join(root, "containers", id), { recursive: true });
      if (bytes) writeFileSync(join(root, "containers", id, "record.msgpack"), bytes);
    };
    put("1".repeat(64), packr.pack({ version: 1, id: "1".repeat(64), name: "one", image: A.id, config: {} }));
    put("2".repeat(64), packr.pack({ version: 1, id: "2".repeat(64), name: "two", image: A.id }));
    put("3".repeat(64));
    put("4".repeat(64), packr.pack({ version: 1, id: "4".repeat(64), name: "bad" }));
    const refs = readContainerRefs(root);
    expect(refs.containers).toEqual([
      { id: "1".repeat(64), name: "one", image: A.id },
      { id: "2".repeat(64), name: "two", image: A.id },
    ]);
    expect(refs.unreadable).toEqual([`${join(root, "containers", "4".repeat(64), "record.msgpack")}: no image field`]);
    expect(containersByImage(refs).get(A.id)?.map((c) => c.name)).toEqual(["one", "two"]);
  });
});
