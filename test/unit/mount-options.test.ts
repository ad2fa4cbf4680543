import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";

import * as mo from "../../src/oci/mount-options.ts";

import {
  KNOWN_MOUNT_OPTIONS,
  MOUNT_ATTR_IDMAP,
  MOUNT_ATTR_NOATIME,
  MOUNT_ATTR_NODEV,
  MOUNT_ATTR_NODIRATIME,
  MOUNT_ATTR_NOEXEC,
  MOUNT_ATTR_NOSUID,
  MOUNT_ATTR_NOSYMFOLLOW,
  MOUNT_ATTR_RDONLY,
  MOUNT_ATTR_RELATIME,
  MOUNT_ATTR_STRICTATIME,
  MOUNT_ATTR__ATIME,
  MS_BIND,
  MS_DIRSYNC,
  MS_MANDLOCK,
  MS_MOVE,
  MS_NOATIME,
  MS_NODEV,
  MS_NODIRATIME,
  MS_NOEXEC,
  MS_NOSUID,
  MS_NOSYMFOLLOW,
  MS_PRIVATE,
  MS_RDONLY,
  MS_REC,
  MS_RELATIME,
  MS_REMOUNT,
  MS_SHARED,
  MS_SILENT,
  MS_SLAVE,
  MS_STRICTATIME,
  MS_SYNCHRONOUS,
  MS_UNBINDABLE,
  parseMountOptions,
  parsePropagation,
} from "../../src/oci/mount-options.ts";

describe("kernel constants", () => {
  test("MS_* values match linux/mount.h", () => {
    expect([MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_SYNCHRONOUS, MS_REMOUNT, MS_MANDLOCK, MS_DIRSYNC]).toEqual([
      1, 2, 4, 8, 16, 32, 64, 128,
    ]);
    expect([MS_NOSYMFOLLOW, MS_NOATIME, MS_NODIRATIME, MS_BIND, MS_MOVE, MS_REC, MS_SILENT]).toEqual([
      256, 1024, 2048, 4096, 8192, 16384, 32768,
    ]);
    expect([MS_UNBINDABLE, MS_PRIVATE, MS_SLAVE, MS_SHARED, MS_RELATIME, MS_STRICTATIME]).toEqual([
      0x20000, 0x40000, 0x80000, 0x100000, 0x200000, 0x1000000,
    ]);
  });

  test("MOUNT_ATTR_* values match linux/mount.h", () => {
    expect([MOUNT_ATTR_RDONLY, MOUNT_ATTR_NOSUID, MOUNT_ATTR_NODEV, MOUNT_ATTR_NOEXEC]).toEqual([1, 2, 4, 8]);
    expect([MOUNT_ATTR__ATIME, MOUNT_ATTR_RELATIME, MOUNT_ATTR_NOATIME, MOUNT_ATTR_STRICTATIME]).toEqual([0x70, 0, 0x10, 0x20]);
    expect([MOUNT_ATTR_NODIRATIME, MOUNT_ATTR_IDMAP, MOUNT_ATTR_NOSYMFOLLOW]).toEqual([0x80, 0x100000, 0x200000]);
  });
});

const MOUNT_H = "/usr/include/linux/mount.h";

describe("kernel headers", () => {
  test.skipIf(!existsSync(MOUNT_H))("every exported MS_*/MOUNT_ATTR_* equals the value in linux/mount.h", () => {
    const defines = new Map<string, number>();
    for (const m of readFileSync(MOUNT_H, "utf8").matchAll(/^#define\s+((?:MS|MOUNT_ATTR)_\w+)\s+(\(1\s*<<\s*\d+\)|0x[0-9a-fA-F]+|\d+)/gm)) {
      const raw = m[2] as string;
      const shift = /\(1\s*<<\s*(\d+)\)/.exec(raw);
      defines.set(m[1] as string, shift ? 2 ** Number(shift[1]) : Number(raw));
    }
    const ours = Object.entries(mo).filter(([k, v]) => /^(MS|MOUNT_ATTR)_/.test(k) && typeof v === "number");
    expect(ours.length).toBeGreaterThan(30);
    for (const [name, value] of ours) expect({ name, value }).toEqual({ name, value: defines.get(name) as number });
  });
});

describe("parseMountOptions", () => {
  test("no options: nothing set", () => {
    expect(parseMountOptions(undefined)).toEqual({
      flags: 0,
      clearFlags: 0,
      propagation: [],
      attrSet: 0,
      attrClr: 0,
      data: "",
      bind: false,
      recursiveBind: false,
      idmap: false,
      recursiveIdmap: false,
      tmpcopyup: false,
    });
  });

  test("runc's /dev tmpfs: flags and filesystem data in order", () => {
    const o = parseMountOptions(["nosuid", "strictatime", "mode=755", "size=65536k"]);
    expect(o.flags).toBe(MS_NOSUID | MS_STRICTATIME);
    expect(o.data).toBe("mode=755,size=65536k");
    expect(o.bind).toBe(false);
  });

  test("devpts options that are not flags go to data", () => {
    const o = parseMountOptions(["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]);
    expect(o.flags).toBe(MS_NOSUID | MS_NOEXEC);
    expect(o.data).toBe("newinstance,ptmxmode=0666,mode=0620,gid=5");
  });

  test("every flag option sets or clears its MS_* bit", () => {
    const set: [string, number][] = [
      ["ro", MS_RDONLY],
      ["nosuid", MS_NOSUID],
      ["nodev", MS_NODEV],
      ["noexec", MS_NOEXEC],
      ["sync", MS_SYNCHRONOUS],
      ["dirsync", MS_DIRSYNC],
      ["remount", MS_REMOUNT],
      ["mand", MS_MANDLOCK],
      ["noatime", MS_NOATIME],
      ["nodiratime", MS_NODIRATIME],
      ["relatime", MS_RELATIME],
      ["strictatime", MS_STRICTATIME],
      ["nosymfollow", MS_NOSYMFOLLOW],
    ];
    for (const [name, bit] of set) {
      const o = parseMountOptions([name]);
      expect({ name, flags: o.flags, clear: o.clearFlags, data: o.data }).toEqual({ name, flags: bit, clear: 0, data: "" });
    }
    const cleared: [string, number][] = [
      ["rw", MS_RDONLY],
      ["suid", MS_NOSUID],
      ["dev", MS_NODEV],
      ["exec", MS_NOEXEC],
      ["async", MS_SYNCHRONOUS],
      ["nomand", MS_MANDLOCK],
      ["atime", MS_NOATIME],
      ["diratime", MS_NODIRATIME],
      ["norelatime", MS_RELATIME],
      ["nostrictatime", MS_STRICTATIME],
    ];
    for (const [name, bit] of cleared) {
      const o = parseMountOptions([name]);
      expect({ name, flags: o.flags, clear: o.clearFlags }).toEqual({ name, flags: 0, clear: bit });
    }
  });

  test("a later option wins over an earlier one", () => {
    const rw = parseMountOptions(["ro", "rw"]);
    expect(rw.flags & MS_RDONLY).toBe(0);
    expect(rw.clearFlags).toBe(MS_RDONLY);
    const ro = parseMountOptions(["rw", "ro"]);
    expect(ro.flags).toBe(MS_RDONLY);
    expect(ro.clearFlags).toBe(0);
  });

  test("bind and rbind", () => {
    const bind = parseMountOptions(["bind", "ro"]);
    expect(bind.flags).toBe(MS_BIND | MS_RDONLY);
    expect([bind.bind, bind.recursiveBind]).toEqual([true, false]);
    const rbind = parseMountOptions(["rbind", "nosuid", "noexec", "nodev", "ro"]);
    expect(rbind.flags).toBe(MS_BIND | MS_REC | MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RDONLY);
    expect([rbind.bind, rbind.recursiveBind]).toEqual([true, true]);
  });

  test("propagation options are kept apart, in order, with MS_REC for r-forms", () => {
    const o = parseMountOptions(["rbind", "rprivate", "shared", "rslave", "unbindable", "runbindable", "private", "rshared", "slave"]);
    expect(o.propagation).toEqual([
      MS_PRIVATE | MS_REC,
      MS_SHARED,
      MS_SLAVE | MS_REC,
      MS_UNBINDABLE,
      MS_UNBINDABLE | MS_REC,
      MS_PRIVATE,
      MS_SHARED | MS_REC,
      MS_SLAVE,
    ]);
    expect(o.flags).toBe(MS_BIND | MS_REC);
  });

  test("recursive options become MOUNT_ATTR_* set/clear bits", () => {
    const o = parseMountOptions(["rbind", "rro", "rnosuid", "rnodev", "rnoexec", "rnosymfollow", "rnodiratime"]);
    expect(o.attrSet).toBe(
      MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC | MOUNT_ATTR_NOSYMFOLLOW | MOUNT_ATTR_NODIRATIME,
    );
    expect(o.attrClr).toBe(0);
    expect(o.flags).toBe(MS_BIND | MS_REC);

    const c = parseMountOptions(["rrw", "rsuid", "rdev", "rexec"]);
    expect(c.attrSet).toBe(0);
    expect(c.attrClr).toBe(MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);

    const flip = parseMountOptions(["rro", "rrw"]);
    expect([flip.attrSet, flip.attrClr]).toEqual([0, MOUNT_ATTR_RDONLY]);
  });

  test("recursive atime options clear the whole atime field and set one mode", () => {
    expect(parseMountOptions(["rnoatime"])).toMatchObject({ attrSet: MOUNT_ATTR_NOATIME, attrClr: MOUNT_ATTR__ATIME });
    expect(parseMountOptions(["rstrictatime"])).toMatchObject({ attrSet: MOUNT_ATTR_STRICTATIME, attrClr: MOUNT_ATTR__ATIME });
    expect(parseMountOptions(["rrelatime"])).toMatchObject({ attrSet: MOUNT_ATTR_RELATIME, attrClr: MOUNT_ATTR__ATIME });
    for (const undo of ["ratime", "rnorelatime", "rnostrictatime"]) {
      expect(parseMountOptions(["rnoatime", undo])).toMatchObject({ attrSet: 0, attrClr: MOUNT_ATTR__ATIME });
    }
    // The atime mode is one field: the last one wins, other attributes stay.
    expect(parseMountOptions(["rro", "rnoatime", "rstrictatime"])).toMatchObject({
      attrSet: MOUNT_ATTR_RDONLY | MOUNT_ATTR_STRICTATIME,
      attrClr: MOUNT_ATTR__ATIME,
    });
  });

  test("idmap, ridmap and tmpcopyup are flagged, not passed as data", () => {
    expect(parseMountOptions(["bind", "idmap"])).toMatchObject({ idmap: true, recursiveIdmap: false, data: "" });
    expect(parseMountOptions(["rbind", "ridmap"])).toMatchObject({ idmap: true, recursiveIdmap: true, data: "" });
    expect(parseMountOptions(["tmpcopyup", "size=64m"])).toMatchObject({ tmpcopyup: true, data: "size=64m" });
  });

  test("unknown options are filesystem data joined with commas", () => {
    const o = parseMountOptions(["lowerdir=/a:/b", "upperdir=/u", "workdir=/w", "userxattr", "defaults"]);
    expect(o.flags).toBe(0);
    expect(o.data).toBe("lowerdir=/a:/b,upperdir=/u,workdir=/w,userxattr");
  });

  test("every known option is interpreted (none leaks into data)", () => {
    for (const name of KNOWN_MOUNT_OPTIONS) expect({ name, data: parseMountOptions([name]).data }).toEqual({ name, data: "" });
    expect(KNOWN_MOUNT_OPTIONS).toContain("rro");
    expect(KNOWN_MOUNT_OPTIONS).toContain("tmpcopyup");
    expect([...KNOWN_MOUNT_OPTIONS].sort()).toEqual([...KNOWN_MOUNT_OPTIONS]);
  });
});

describe("parsePropagation", () => {
  test("maps every rootfsPropagation value", () => {
    expect(parsePropagation("private")).toBe(MS_PRIVATE);
    expect(parsePropagation("rprivate")).toBe(MS_PRIVATE | MS_REC);
    expect(parsePropagation("slave")).toBe(MS_SLAVE);
    expect(parsePropagation("rslave")).toBe(MS_SLAVE | MS_REC);
    expect(parsePropagation("shared")).toBe(MS_SHARED);
    expect(parsePropagation("rshared")).toBe(MS_SHARED | MS_REC);
    expect(parsePropagation("unbindable")).toBe(MS_UNBINDABLE);
    expect(parsePropagation("runbindable")).toBe(MS_UNBINDABLE | MS_REC);
  });

  test("unknown names give undefined", () => {
    expect(parsePropagation("recursive")).toBeUndefined();
    expect(parsePropagation("toString")).toBeUndefined();
    expect(parsePropagation("")).toBeUndefined();
  });
});
