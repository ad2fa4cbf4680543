// Volume drivers for real: the local driver's tmpfs and bind options mounted on this host's
// kernel (as root) and gone from mountinfo afterwards; the docker volume plugin protocol
// against a plugin server of the test's own on a unix socket.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readMounts } from "../../src/storage/mountinfo.ts";
import { createVolume, inspectVolume, listVolumes, mountVolume, removeVolume, unmountVolume, volumeContext } from "../../src/volume/manager.ts";
import { startDockerVolumePlugin } from "../fixtures/docker-volume-plugin.ts";
import { assertNoLeaks, type HostSnapshot, snapshotHost } from "../helpers/leaks.ts";

const isRoot = process.getuid?.() === 0;
let base = "";
let before: HostSnapshot;
const ID1 = "1".repeat(64);
const ID2 = "2".repeat(64);

beforeAll(() => {
  base = mkdtempSync(`/var/tmp/husk-test-${process.pid}-vol-`);
  before = snapshotHost({ paths: [base] });
});

afterAll(() => {
  try {
    assertNoLeaks(before, { paths: [base] });
  } finally {
    if (!readMounts().some((m) => m.mountPoint.startsWith(`${base}/`))) rmSync(base, { recursive: true, force: true });
  }
});

const mountAt = (path: string) => readMounts().find((m) => m.mountPoint === path);

describe.skipIf(!isRoot)("local driver on the kernel", () => {
  test("tmpfs option: mounted for the first user, shared by the second, unmounted after the last", async () => {
    const ctx = volumeContext(join(base, "run"), join(base, "data1"));
    await createVolume(ctx, { name: "scratch", options: { type: "tmpfs", device: "tmpfs", o: "size=1m,mode=0750,nodev" } });
    const path = await mountVolume(ctx, "scratch", ID1);
    expect(path).toBe(join(base, "data1/volumes/scratch/_data"));
    const m = mountAt(path);
    expect(m?.fstype).toBe("tmpfs");
    expect(m?.superOptions).toContain("size=1024k");
    expect(m?.superOptions).toContain("mode=750");
    writeFileSync(join(path, "f"), "shared");
    expect(await mountVolume(ctx, "scratch", ID2)).toBe(path);
    expect(readMounts().filter((x) => x.mountPoint === path).length).toBe(1);
    expect((await inspectVolume(ctx, "scratch")).Status).toMatchObject({ Mounted: true, MountCount: 2 });
    await expect(removeVolume(ctx, "scratch")).rejects.toThrow(/in use by 2 container/);
    await unmountVolume(ctx, "scratch", ID1);
    expect(readFileSync(join(path, "f"), "utf8")).toBe("shared");
    await unmountVolume(ctx, "scratch", ID2);
    expect(mountAt(path)).toBeUndefined();
    await removeVolume(ctx, "scratch");
    expect(readMounts().filter((x) => x.mountPoint.startsWith(base))).toEqual([]);
  });

  test("bind option, read-only: the host dir shows through and cannot be written; removal keeps the host files", async () => {
    const ctx = volumeContext(join(base, "run"), join(base, "data2"));
    const host = join(base, "hostdir");
    mkdirSync(host);
    writeFileSync(join(host, "keep"), "host file");
    await createVolume(ctx, { name: "srv", options: { type: "none", device: host, o: "bind,ro" } });
    const path = await mountVolume(ctx, "srv", ID1);
    expect(readFileSync(join(path, "keep"), "utf8")).toBe("host file");
    expect(() => writeFileSync(join(path, "new"), "x")).toThrow(/EROFS/);
    await unmountVolume(ctx, "srv", ID1);
    await removeVolume(ctx, "srv");
    expect(readFileSync(join(host, "keep"), "utf8")).toBe("host file");
    expect(mountAt(path)).toBeUndefined();
  });

  test("a bad option is refused by the kernel and nothing stays mounted", async () => {
    const ctx = volumeContext(join(base, "run"), join(base, "data3"));
    await createVolume(ctx, { name: "badfs", options: { type: "tmpfs", device: "tmpfs", o: "size=lots" } });
    await expect(mountVolume(ctx, "badfs", ID1)).rejects.toThrow(/^volume plugin local: mount tmpfs on .*badfs\/_data: .*EINVAL/);
    expect(mountAt(join(base, "data3/volumes/badfs/_data"))).toBeUndefined();
    await removeVolume(ctx, "badfs"); // the failed mount is not counted as a user
  });
});

describe("docker volume plugin protocol", () => {
  test("create, mount, unmount, remove round trip; list and inspect; errors name the plugin", async () => {
    const dir = join(base, "plugins");
    mkdirSync(dir, { recursive: true });
    const plugin = startDockerVolumePlugin(join(dir, "testvol.sock"), join(base, "plugin-data"));
    process.env.HUSK_DOCKER_PLUGIN_DIRS = dir;
    try {
      const ctx = volumeContext(join(base, "run"), join(base, "data4"));
      const v = await createVolume(ctx, { name: "remote1", driver: "testvol", options: { size: "1g" } });
      expect(v.driver).toBe("testvol");
      expect(plugin.volumes.get("remote1")?.opts).toEqual({ size: "1g" });
      const path = await mountVolume(ctx, "remote1", ID1);
      expect(path).toBe(join(base, "plugin-data/remote1"));
      expect((await inspectVolume(ctx, "remote1")) as object).toMatchObject({ Driver: "testvol", Mountpoint: path, Scope: "global", Containers: [ID1] });
      expect((await listVolumes(ctx)).map((x) => x.name)).toEqual(["remote1"]);
      await expect(removeVolume(ctx, "remote1")).rejects.toThrow(/in use by 1 container/);
      await unmountVolume(ctx, "remote1", ID1);
      await removeVolume(ctx, "remote1");
      expect(plugin.volumes.size).toBe(0);
      expect(plugin.calls).toEqual([
        "Plugin.Activate", "VolumeDriver.Capabilities", "VolumeDriver.Create remote1",
        "VolumeDriver.Mount remote1 11111111", "VolumeDriver.Get remote1",
        "VolumeDriver.Unmount remote1 11111111", "VolumeDriver.Remove remote1",
      ]);
      // The plugin's own words, with its name in front.
      await expect(createVolume(ctx, { name: "fail-big", driver: "testvol" })).rejects.toThrow("volume plugin testvol: create fail-big: VolumeDriver.Create: quota exceeded for fail-big");
      // A volume another host made through the plugin is found by name when -v names the driver.
      plugin.volumes.set("elsewhere", { path: join(base, "plugin-data/elsewhere"), ids: new Set(), opts: {} });
      expect(await mountVolume(volumeContext(join(base, "run"), join(base, "data4")), "elsewhere", ID2).catch((e) => String(e))).toMatch(/volume elsewhere not found/);
    } finally {
      plugin.stop();
      delete process.env.HUSK_DOCKER_PLUGIN_DIRS;
    }
  });

  test("a dead socket (direct and through a .spec file), a malformed spec file, an absent plugin", async () => {
    const dir = join(base, "plugins2");
    mkdirSync(dir, { recursive: true });
    // A plugin killed with -9: its socket file stays, nobody listens.
    const sock = join(dir, "deadvol.sock");
    const child = Bun.spawn([process.execPath, "-e", `Bun.serve({ unix: ${JSON.stringify(sock)}, fetch: () => new Response("") }); console.log("up")`], { stdout: "pipe" });
    await child.stdout.getReader().read();
    child.kill(9);
    await child.exited;
    writeFileSync(join(dir, "specvol.spec"), `unix://${join(dir, "deadvol.sock")}\n`);
    writeFileSync(join(dir, "badspec.spec"), "ftp://nowhere\n");
    process.env.HUSK_DOCKER_PLUGIN_DIRS = dir;
    try {
      const ctx = volumeContext(join(base, "run"), join(base, "data5"));
      for (const driver of ["deadvol", "specvol"]) {
        const err = await createVolume(ctx, { name: "v1", driver }).catch((e) => e);
        expect(err.message).toMatch(new RegExp(`^volume plugin ${driver}: create v1: cannot reach ${dir}/deadvol.sock: ECONNREFUSED$`));
        expect(err.hint).toMatch(/is the plugin running/);
      }
      await expect(createVolume(ctx, { name: "v1", driver: "badspec" })).rejects.toThrow(/volume plugin badspec: .*badspec.spec: address "ftp:\/\/nowhere" is neither/);
      await expect(createVolume(ctx, { name: "v1", driver: "absent" })).rejects.toThrow(/^volume plugin absent: not found$/);
      expect(await listVolumes(ctx)).toEqual([]);
    } finally {
      delete process.env.HUSK_DOCKER_PLUGIN_DIRS;
    }
  });
});
