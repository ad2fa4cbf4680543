// Pure parts of the image commands: history rows, --change instructions, the tar writer
// (read back with husk's own tar reader), the tar sniffing of import, platform choice in
// a loaded index.
import { describe, expect, test } from "bun:test";
import { choosePlatform } from "../../src/image/archive/load.ts";
import { isTarHeader } from "../../src/image/archive/import.ts";
import { TarWriter } from "../../src/image/archive/tar-writer.ts";
import { ellipsis, humanDuration, imageHistory } from "../../src/image/history.ts";
import type { ImageRecord } from "../../src/image/image-store.ts";
import { applyChange, type ImageRunConfig, splitWords } from "../../src/image/import-changes.ts";
import type { Descriptor } from "../../src/image/registry/manifest.ts";
import { readTar } from "../../src/image/unpack/tar-reader.ts";

const d = (c: string) => `sha256:${c.repeat(64)}`;

describe("imageHistory", () => {
  const record = {
    id: d("f"),
    layers: [d("1"), d("2")].map((x) => ({ digest: x, size: 10, diffId: x, chainId: x })),
  } as unknown as ImageRecord;

  test("newest first; empty layers take no layer; only the newest row has the id", () => {
    const rows = imageHistory(
      record,
      {
        history: [
          { created: "2024-01-01T00:00:00Z", created_by: "ADD rootfs /" },
          { created: "2024-01-02T00:00:00Z", created_by: "ENV A=b", empty_layer: true },
          { created: "2024-01-03T00:00:00Z", created_by: "RUN make", comment: "built" },
        ],
      },
      (i) => [111, 222][i]!,
    );
    expect(rows).toEqual([
      { id: d("f"), created: "2024-01-03T00:00:00Z", createdBy: "RUN make", size: 222, comment: "built", emptyLayer: false },
      { id: "<missing>", created: "2024-01-02T00:00:00Z", createdBy: "ENV A=b", size: 0, comment: "", emptyLayer: true },
      { id: "<missing>", created: "2024-01-01T00:00:00Z", createdBy: "ADD rootfs /", size: 111, comment: "", emptyLayer: false },
    ]);
  });

  test("a config without history gets one row per layer", () => {
    const rows = imageHistory(record, {}, (i) => i + 1);
    expect(rows.map((r) => [r.id, r.size])).toEqual([[d("f"), 2], ["<missing>", 1]]);
  });

  test("docker's wording of ages, and the ellipsis", () => {
    const s = 1000;
    expect([0.5, 1, 30, 60, 150, 3600, 5 * 3600, 3 * 86400, 20 * 86400, 90 * 86400, 800 * 86400].map((x) => humanDuration(x * s))).toEqual([
      "Less than a second", "1 second", "30 seconds", "About a minute", "2 minutes", "About an hour", "5 hours", "3 days", "2 weeks", "3 months", "2 years",
    ]);
    expect(ellipsis("abcdef", 4)).toBe("abc…");
    expect(ellipsis("abcd", 4)).toBe("abcd");
  });
});

describe("--change", () => {
  const apply = (...changes: string[]) => {
    const c: ImageRunConfig = {};
    for (const x of changes) applyChange(c, x);
    return c;
  };

  test("exec and shell forms", () => {
    expect(apply('CMD ["/bin/sh", "-c", "echo hi"]').Cmd).toEqual(["/bin/sh", "-c", "echo hi"]);
    expect(apply("cmd echo hi").Cmd).toEqual(["/bin/sh", "-c", "echo hi"]);
    expect(apply('ENTRYPOINT ["/init"]').Entrypoint).toEqual(["/init"]);
  });

  test("ENV, LABEL, EXPOSE, VOLUME, USER, WORKDIR, STOPSIGNAL", () => {
    const c = apply('ENV A=1 B="two words"', "ENV A 3", "LABEL org.x=y", "EXPOSE 80 53/udp 8000-8001", "VOLUME /data /logs", "USER app:app", "WORKDIR /srv", "WORKDIR web", "STOPSIGNAL SIGINT");
    expect(c).toEqual({
      Env: ["A=3", "B=two words"],
      Labels: { "org.x": "y" },
      ExposedPorts: { "80/tcp": {}, "53/udp": {}, "8000/tcp": {}, "8001/tcp": {} },
      Volumes: { "/data": {}, "/logs": {} },
      User: "app:app",
      WorkingDir: "/srv/web",
      StopSignal: "SIGINT",
    });
  });

  test("refusals are one line naming the change", () => {
    expect(() => apply("RUN rm -rf /")).toThrow('--change "RUN rm -rf /": RUN is not allowed here');
    expect(() => apply("EXPOSE http")).toThrow('"http" is not a port');
    expect(() => apply("VOLUME data")).toThrow('volume "data" is not an absolute path');
    expect(() => apply("CMD")).toThrow("CMD needs an argument");
    expect(() => apply("ENV A='x")).toThrow("unterminated ' quote");
    expect(splitWords(`a\\ b 'c d' "e\\"f"`, "")).toEqual(["a b", "c d", 'e"f']);
  });
});

describe("TarWriter", () => {
  test("what it writes, husk's tar reader reads back", async () => {
    const parts: Uint8Array[] = [];
    const w = new TarWriter((b) => void parts.push(b.slice()));
    await w.dir("blobs");
    await w.bytes("blobs/a.json", new TextEncoder().encode('{"x":1}'));
    await w.file("big", 1000, (async function* () {
      yield new Uint8Array(600).fill(1);
      yield new Uint8Array(400).fill(2);
    })());
    await w.end();
    const got: [string, string, number, number][] = [];
    for await (const e of readTar((async function* () {
      yield* parts;
    })())) {
      let n = 0;
      let sum = 0;
      for await (const c of e.body) for (const b of c) (n++, (sum += b));
      got.push([e.path, e.type, n, sum]);
    }
    expect(got).toEqual([["blobs/", "dir", 0, 0], ["blobs/a.json", "file", 7, [...'{"x":1}'].reduce((a, c) => a + c.charCodeAt(0), 0)], ["big", "file", 1000, 1400]]);
    expect(isTarHeader(parts[0]!)).toBe(true);
    expect(isTarHeader(new TextEncoder().encode("not a tar".padEnd(512, "x")))).toBe(false);
  });

  test("a body shorter or longer than announced is an error", async () => {
    const w = new TarWriter(() => {});
    await expect(w.file("f", 10, (async function* () {
      yield new Uint8Array(5);
    })())).rejects.toThrow("tar entry f: 5 bytes, 10 expected");
    await expect(w.file("g", 1, (async function* () {
      yield new Uint8Array(5);
    })())).rejects.toThrow("tar entry g: more than the 1 bytes expected");
  });
});

describe("choosePlatform", () => {
  const desc = (p?: string): Descriptor => {
    const [os, architecture, variant] = (p ?? "").split("/");
    return { mediaType: "m", digest: d(p ? String(p.length % 10) : "0"), size: 1, ...(p ? { platform: { os: os!, architecture: architecture!, ...(variant ? { variant } : {}) } } : {}) };
  };
  const want = (os: string, architecture: string, variant?: string) => ({ os, architecture, ...(variant ? { variant } : {}) });

  test("the matching platform; arm64 means v8", () => {
    const list = [desc("linux/amd64"), desc("linux/arm64/v8"), desc("linux/arm/v7")];
    expect(choosePlatform(list, want("linux", "amd64"), "i").platform?.architecture).toBe("amd64");
    expect(choosePlatform(list, want("linux", "arm64"), "i").platform?.variant).toBe("v8");
    expect(choosePlatform([desc()], want("linux", "amd64"), "i")).toEqual(desc());
  });

  test("none matching: the error names what is there", () => {
    expect(() => choosePlatform([desc("linux/arm64/v8"), desc("linux/arm/v7")], want("linux", "amd64"), "index.json")).toThrow(
      "archive: index.json has no image for linux/amd64; it has linux/arm64/v8, linux/arm/v7",
    );
    expect(() => choosePlatform([desc(), desc()], want("linux", "amd64"), "index.json")).toThrow("lists 2 images without platforms");
  });
});
