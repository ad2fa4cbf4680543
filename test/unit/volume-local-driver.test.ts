// The local volume driver against a fake host (mounts recorded, no root): option plans,
// metadata in msgpack, the mount reference count, removal rules. And the catalog, filters
// and in-use rules of the manager with plain local volumes, and copy-up path resolution.
import { afterAll, beforeEach, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Packr } from "msgpackr/pack";
import * as local from "../../plugins/volume/local/index.ts";
import { localMountPlan } from "../../plugins/volume/local/options.ts";
import type { MountOps, PluginHost, VolumeDriver } from "../../src/plugin/api.ts";
import { PluginError } from "../../src/plugin/errors.ts";
import { copyUp, resolveInRoot } from "../../src/volume/copy-up.ts";
import { parseVolumeFilters } from "../../src/volume/filters.ts";
import { createVolume, listVolumes, mountVolume, pruneVolumes, removeVolume, unmountVolume, volumeContext } from "../../src/volume/manager.ts";

const base = mkdtempSync("/tmp/husk-unit-volumes-");
afterAll(() => rmSync(base, { recursive: true, force: true }));
const packr = new Packr({ useRecords: false, moreTypes: false });

function fakeHost(dataRoot: string, calls: string[], mounted: Set<string>, failMount?: string): PluginHost {
  const mounts: MountOps = {
    mountFs(fstype, options, target, flags = []) {
      if (failMount) throw Object.assign(new Error(failMount), { code: "EINVAL" });
      calls.push(`fs ${fstype} ${JSON.stringify(options)} ${flags.join(",")} ${target}`);
      mounted.add(target);
    },
    bind(source, target, opts = {}) {
      calls.push(`bind ${source} ${target} ${opts.recursive ? "r" : ""}${opts.readOnly ? "ro" : "rw"}`);
      mounted.add(target);
    },
    unmount(target) {
      calls.push(`umount ${target}`);
      return mounted.delete(target);
    },
    isMountPoint: (p) => mounted.has(p),
  };
  return {
    root: join(dataRoot, "run"), dataRoot, mounts,
    stateDir: () => dataRoot,
    withLock: (_n, fn) => fn(),
    error: (m, h) => new PluginError("local", "volume", m, h),
    debug() {},
    hostNetlink: () => { throw new Error("unused"); },
    netnsNetlink: () => { throw new Error("unused"); },
    exec: () => { throw new Error("unused"); },
    sysctl() {},
  };
}

describe("local options", () => {
  const table: [Record<string, string>, unknown][] = [
    [{}, { kind: "none" }],
    [{ type: "tmpfs", device: "tmpfs", o: "size=64m,mode=1777,nosuid,rw,noexec" },
      { kind: "fs", fstype: "tmpfs", options: [["source", "tmpfs"], ["size", "64m"], ["mode", "1777"]], flags: ["nosuid", "noexec"] }],
    [{ type: "ext4", device: "/dev/vdb1", o: "ro,noatime,discard" },
      { kind: "fs", fstype: "ext4", options: [["source", "/dev/vdb1"], ["discard", null]], flags: ["ro", "noatime"] }],
    [{ type: "none", device: "/srv", o: "bind,ro" }, { kind: "bind", source: "/srv", recursive: false, readOnly: true }],
    [{ type: "none", device: "/srv", o: "rbind" }, { kind: "bind", source: "/srv", recursive: true, readOnly: false }],
    [{ size: "1g" }, { error: 'unknown option "size"', hint: "the local driver takes type, device and o" }],
    [{ o: "size=1m" }, { error: 'option o="size=1m" needs type and device', hint: expect.any(String) }],
    [{ device: "/dev/x" }, { error: "option device needs a type", hint: expect.any(String) }],
    [{ type: "tmpfs" }, { error: "option type=tmpfs needs a device", hint: "use device=tmpfs" }],
    [{ type: "none", device: "rel", o: "bind" }, { error: 'device "rel" of a bind must be an absolute host path' }],
    [{ type: "none", device: "/srv", o: "bind,size=1" }, { error: 'option o: "size=1" cannot be used with bind', hint: "a bind takes ro or rw" }],
    [{ type: "ext4;rm", device: "/dev/x" }, { error: 'type "ext4;rm" is not a filesystem type' }],
  ];
  for (const [opts, want] of table) test(JSON.stringify(opts), () => expect(localMountPlan(opts)).toEqual(want as never));
});

describe("local driver", () => {
  let dataRoot: string;
  let calls: string[];
  let mounted: Set<string>;
  let d: VolumeDriver;
  beforeEach(() => {
    dataRoot = mkdtempSync(join(base, "d-"));
    calls = [];
    mounted = new Set();
    d = local.create(fakeHost(dataRoot, calls, mounted));
  });

  test("a plain volume is a directory; metadata is msgpack; create is idempotent with the same options", async () => {
    const v = await d.create("data", {});
    expect(v).toMatchObject({ name: "data", driver: "local", options: {}, labels: {} });
    expect(existsSync(join(dataRoot, "volumes/data/_data"))).toBe(true);
    const meta = packr.unpack(readFileSync(join(dataRoot, "volumes/data/local.msgpack")));
    expect(meta).toMatchObject({ name: "data", options: {}, mountIds: [] });
    expect(await d.create("data", {})).toEqual(v);
    expect(() => d.create("data", { type: "tmpfs", device: "tmpfs" })).toThrow(/already exists with other options/);
    expect((await d.mount(v, "c1")).hostPath).toBe(join(dataRoot, "volumes/data/_data"));
    expect(calls).toEqual([]); // nothing to mount for a plain dir
  });

  test("tmpfs: the first mount id mounts, the last one to leave unmounts", async () => {
    const v = await d.create("scratch", { type: "tmpfs", device: "tmpfs", o: "size=1m" });
    const target = join(dataRoot, "volumes/scratch/_data");
    await d.mount(v, "c1");
    await d.mount(v, "c2");
    await d.mount(v, "c2"); // the same id again counts once
    expect(calls).toEqual([`fs tmpfs [["source","tmpfs"],["size","1m"]]  ${target}`]);
    expect(await d.inspect(v)).toMatchObject({ Mounted: true, MountCount: 2 });
    expect(() => d.remove(v)).toThrow(/mounted by 2 user\(s\)/);
    await d.unmount(v, "c1");
    expect(mounted.has(target)).toBe(true);
    await d.unmount(v, "c2");
    await d.unmount(v, "c2"); // idempotent
    expect(mounted.has(target)).toBe(false);
    expect(calls.filter((c) => c.startsWith("umount"))).toEqual([`umount ${target}`, `umount ${target}`]);
    // After a reboot the kernel forgot the mount but users are recorded: mount again.
    await d.mount(v, "c3");
    mounted.clear();
    await d.mount(v, "c3");
    expect(calls.filter((c) => c.startsWith("fs")).length).toBe(3);
    await d.unmount(v, "c3");
    await d.remove(v);
    expect(existsSync(join(dataRoot, "volumes/scratch"))).toBe(false);
  });

  test("bind option, errors name the plugin, bad names refused", async () => {
    const src = mkdtempSync(join(base, "src-"));
    const v = await d.create("srv", { type: "none", device: src, o: "bind,ro" });
    await d.mount(v, "c1");
    expect(calls).toEqual([`bind ${src} ${join(dataRoot, "volumes/srv/_data")} ro`]);
    expect(() => d.create("gone", { type: "none", device: "/nonexistent/dir", o: "bind" })).toThrow("volume plugin local: bind device /nonexistent/dir does not exist");
    expect(() => d.create("../x", {})).toThrow('"../x" is not a volume name');
    const failing = local.create(fakeHost(dataRoot, calls, new Set(), "bad option"));
    const t = await failing.create("t2", { type: "tmpfs", device: "tmpfs", o: "size=1m" });
    expect(() => failing.mount(t, "c1")).toThrow(/volume plugin local: mount tmpfs on .*t2\/_data: bad option$/);
    expect((await failing.list()).map((x) => x.name)).toEqual(["srv", "t2"]);
  });
});

describe("manager (catalog, users, filters)", () => {
  test("create on first use, in-use refusal from container records and mounts, prune rules", async () => {
    const dataRoot = mkdtempSync(join(base, "m-"));
    const ctx = volumeContext(join(dataRoot, "run"), dataRoot);
    await createVolume(ctx, { name: "named", labels: { team: "a" } });
    const anon = await createVolume(ctx, { anonymous: true });
    expect(anon.name).toMatch(/^[0-9a-f]{64}$/);
    await expect(createVolume(ctx, { name: "named", driver: "other" })).rejects.toThrow("volume named already exists with driver local");
    await expect(createVolume(ctx, { name: "x" })).rejects.toThrow("at least 2 characters");
    await expect(createVolume(ctx, { name: "zz", driver: "no-such-driver" })).rejects.toThrow(/volume plugin no-such-driver: not found/);

    // A container record that names the volume makes it in use, running or not.
    const id = "a".repeat(64);
    mkdirSync(join(dataRoot, "containers", id), { recursive: true });
    writeFileSync(join(dataRoot, "containers", id, "record.msgpack"), packr.pack({ id, name: "c", image: "sha256:x", hostConfig: { Mounts: [{ Type: "volume", Source: "named", Target: "/d" }] } }));
    await expect(removeVolume(ctx, "named")).rejects.toThrow(`volume named is in use by 1 container(s): ${id.slice(0, 12)}`);
    expect((await listVolumes(ctx, parseVolumeFilters(["dangling=true"]))).map((v) => v.name)).toEqual([anon.name]);
    expect((await listVolumes(ctx, parseVolumeFilters(["label=team=a"]))).map((v) => v.name)).toEqual(["named"]);
    expect(() => parseVolumeFilters(["colour=red"])).toThrow('unknown key "colour"');
    rmSync(join(dataRoot, "containers"), { recursive: true });

    // A live mount id counts too, until it is unmounted.
    await mountVolume(ctx, "named", "b".repeat(64));
    await expect(removeVolume(ctx, "named")).rejects.toThrow(/in use by 1 container/);
    await unmountVolume(ctx, "named", "b".repeat(64));

    expect(await pruneVolumes(ctx)).toEqual([anon.name]); // anonymous only
    expect(await pruneVolumes(ctx, { all: true, filters: parseVolumeFilters(["label!=team=a"], ["label!"]) })).toEqual([]);
    expect(await pruneVolumes(ctx, { all: true })).toEqual(["named"]);
    expect(await listVolumes(ctx)).toEqual([]);
    expect(await removeVolume(ctx, "named", true)).toBe(false);
    await expect(removeVolume(ctx, "named")).rejects.toThrow("volume named not found");
  });
});

describe("copy-up", () => {
  test("paths resolve inside the root; symlinks never leave it", () => {
    const root = mkdtempSync(join(base, "root-"));
    mkdirSync(join(root, "etc/app"), { recursive: true });
    writeFileSync(join(root, "etc/app/conf"), "x");
    symlinkSync("/etc/app", join(root, "abs"));
    symlinkSync("../../../../etc", join(root, "up"));
    symlinkSync("loop", join(root, "loop"));
    expect(resolveInRoot(root, "/abs")).toBe(join(root, "etc/app"));
    expect(resolveInRoot(root, "/up/app")).toBe(join(root, "etc/app"));
    expect(resolveInRoot(root, "/../../etc/app")).toBe(join(root, "etc/app"));
    expect(resolveInRoot(root, "/loop")).toBeUndefined();
    expect(resolveInRoot(root, "/missing")).toBeUndefined();

    const vol = mkdtempSync(join(base, "vol-"));
    expect(copyUp(root, "/abs", vol)).toBe(true);
    expect(readFileSync(join(vol, "conf"), "utf8")).toBe("x");
    writeFileSync(join(root, "etc/app/conf"), "changed");
    expect(copyUp(root, "/abs", vol)).toBe(false); // not empty any more: untouched
    expect(readFileSync(join(vol, "conf"), "utf8")).toBe("x");
    expect(copyUp(root, "/missing", mkdtempSync(join(base, "vol-")))).toBe(false);
  });
});
