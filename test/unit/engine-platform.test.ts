// --platform parsing and the binfmt_misc check, against a fake binfmt_misc dir.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { binfmtArchitectures, checkRunnable, parsePlatformFlag } from "../../src/engine/platform.ts";
import { HuskError } from "../../src/runtime/errors.ts";

const dir = mkdtempSync(join(tmpdir(), "husk-binfmt-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const entry = (name: string, enabled: boolean, magic: string) =>
  writeFileSync(join(dir, name), `${enabled ? "enabled" : "disabled"}\ninterpreter /usr/bin/qemu-x\nflags: F\noffset 0\nmagic ${magic}\nmask ffffffffffffff00fffffffffffffffffeffffff\n`);

describe("--platform", () => {
  test("normalised, linux only, one line on a bad value", () => {
    expect(parsePlatformFlag(undefined)).toBeUndefined();
    expect(parsePlatformFlag("linux/aarch64")).toBe("linux/arm64/v8");
    expect(parsePlatformFlag("linux/x86_64")).toBe("linux/amd64");
    for (const bad of ["linux", "linux/amd64/v1/x", "windows/amd64"]) {
      let e: unknown;
      try {
        parsePlatformFlag(bad);
      } catch (x) {
        e = x;
      }
      expect(e).toBeInstanceOf(HuskError);
      expect((e as HuskError).exitCode).toBe(125);
    }
  });

  test("binfmt_misc entries name architectures by their ELF machine; disabled ones do not count", () => {
    writeFileSync(join(dir, "register"), "");
    writeFileSync(join(dir, "status"), "enabled\n");
    entry("qemu-aarch64", true, "7f454c460201010000000000000000000200b700");
    entry("qemu-s390x", false, "7f454c460202010000000000000000000002" + "1600");
    entry("qemu-riscv64", true, "7f454c460201010000000000000000000200f300");
    writeFileSync(join(dir, "python"), "enabled\ninterpreter /usr/bin/python3\noffset 0\nmagic 550d0d0a\n");
    expect(binfmtArchitectures(dir).sort()).toEqual(["arm64", "riscv64"]);
    expect(binfmtArchitectures(join(dir, "missing"))).toEqual([]);
  });

  test("another architecture runs only with a handler", () => {
    const host = { os: "linux", architecture: "amd64" };
    checkRunnable("img", { os: "linux", architecture: "amd64" }, host, dir);
    checkRunnable("img", { os: "linux", architecture: "arm64" }, host, dir);
    let e: HuskError | undefined;
    try {
      checkRunnable("img", { os: "linux", architecture: "ppc64le" }, host, dir);
    } catch (x) {
      e = x as HuskError;
    }
    expect(e?.message).toBe(`image img is for linux/ppc64le, and this host runs linux/amd64: no binfmt_misc handler for ppc64le in ${dir}`);
    expect(e?.exitCode).toBe(125);
  });
});
