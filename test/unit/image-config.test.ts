import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_PATH, imageProcess, resolveUser } from "../../src/image/config-to-process.ts";

const rootfs = mkdtempSync("/tmp/husk-unit-imgcfg-");
afterAll(() => rmSync(rootfs, { recursive: true, force: true }));
mkdirSync(join(rootfs, "etc"));
writeFileSync(join(rootfs, "etc/passwd"), "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n# comment\nnobody:x:65534:65534::/:/bin/false\n");
writeFileSync(join(rootfs, "etc/group"), "root:x:0:\napp:x:1000:\nwheel:x:10:app,other\naudio:x:29:app\nstaff:x:50:\n");

describe("resolveUser (docker's forms)", () => {
  test.each([
    ["", 0, 0, []],
    ["app", 1000, 1000, [10, 29]],
    ["1000", 1000, 1000, [10, 29]],
    ["app:staff", 1000, 50, [10, 29]],
    ["app:7", 1000, 7, [10, 29]],
    ["4242", 4242, 0, []],
    ["4242:staff", 4242, 50, []],
    ["nobody", 65534, 65534, []],
  ])("%p", (spec, uid, gid, additionalGids) => {
    expect(resolveUser(spec, rootfs)).toEqual({ uid, gid, additionalGids });
  });
  test("unknown names are refused, naming the file", () => {
    expect(() => resolveUser("ghost", rootfs)).toThrow('user "ghost" is not in the image\'s /etc/passwd');
    expect(() => resolveUser("app:ghosts", rootfs)).toThrow('group "ghosts" is not in the image\'s /etc/group');
  });
});

describe("imageProcess", () => {
  const config = { Entrypoint: ["/entry.sh"], Cmd: ["serve", "--port", "80"], Env: ["A=1", "B=2"], WorkingDir: "/srv", User: "app" };
  test("entrypoint + cmd, env with PATH added, workdir, user", () => {
    expect(imageProcess(config, rootfs)).toEqual({
      args: ["/entry.sh", "serve", "--port", "80"],
      env: ["A=1", "B=2", DEFAULT_PATH],
      cwd: "/srv",
      user: { uid: 1000, gid: 1000, additionalGids: [10, 29] },
    });
  });
  test("a command replaces Cmd; an entrypoint replaces both unless a command is given", () => {
    expect(imageProcess(config, rootfs, { cmd: ["sh"] }).args).toEqual(["/entry.sh", "sh"]);
    expect(imageProcess(config, rootfs, { entrypoint: ["/bin/sh"] }).args).toEqual(["/bin/sh"]);
    expect(imageProcess(config, rootfs, { entrypoint: ["/bin/sh"], cmd: ["-c", "id"] }).args).toEqual(["/bin/sh", "-c", "id"]);
  });
  test("overrides: env by key, workdir, user", () => {
    const p = imageProcess(config, rootfs, { env: ["B=3", "PATH=/bin"], workdir: "/tmp", user: "0:0" });
    expect(p.env).toEqual(["A=1", "B=3", "PATH=/bin"]);
    expect(p.cwd).toBe("/tmp");
    expect(p.user).toEqual({ uid: 0, gid: 0 });
  });
  test("no command at all is an error with a hint", () => {
    expect(() => imageProcess({}, rootfs)).toThrow("the image has no Entrypoint or Cmd");
  });
});
