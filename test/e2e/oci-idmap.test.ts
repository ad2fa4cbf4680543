// Idmapped bind mounts (mounts[].uidMappings/gidMappings, options "idmap"/"ridmap"):
// the kernel shows a file's on-disk owner through the mapping, and writes go back
// through it. husk-core builds the mapped tree in the host user namespace.
import { beforeAll, describe, expect, test } from "bun:test";
import { chownSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { isRoot, OciSuite } from "./support/oci-run.ts";

const suite = new OciSuite("idmap");
let data = "";
const sh = (script: string) => ["/bin/sh", "-c", script];
// On-disk owner 0 is shown as 1000 (and 1000 written back as 0).
const map = [{ containerID: 0, hostID: 1000, size: 1 }];

suite.useHooks();

beforeAll(() => {
  if (!isRoot) return;
  data = suite.dir("data");
  writeFileSync(join(data, "owned-by-root"), "x");
  chownSync(join(data, "owned-by-root"), 0, 0);
  mkdirSync(join(data, "sub"));
});


describe.skipIf(!isRoot)("idmapped mounts", () => {
  test("the on-disk owner is seen through the mapping, and writes map back", () => {
    const spec = suite.spec("idmap-rw", { args: sh("stat -c %u:%g /data/owned-by-root; touch /data/made-inside; stat -c %u:%g /data/made-inside") });
    spec.process.user = { uid: 1000, gid: 1000 };
    spec.mounts.push({ destination: "/data", type: "bind", source: data, options: ["bind", "idmap"], uidMappings: map, gidMappings: map });
    const r = suite.run("idmap-rw", spec);
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("1000:1000\n1000:1000\n");
    expect(r.exitCode).toBe(0);
    const st = statSync(join(data, "made-inside"));
    expect([st.uid, st.gid]).toEqual([0, 0]);
  });

  test("without an idmap the same files show their real owner", () => {
    const spec = suite.spec("idmap-off", { args: sh("stat -c %u:%g /data/owned-by-root") });
    spec.mounts.push({ destination: "/data", type: "bind", source: data, options: ["bind"] });
    const r = suite.run("idmap-off", spec);
    expect(r.stdout).toBe("0:0\n");
    expect(r.exitCode).toBe(0);
  });

  test("in a user namespace, ridmap with the container's own mappings keeps host root as container root", () => {
    const spec = suite.spec("idmap-userns", { args: sh("id -u; stat -c %u:%g /data/owned-by-root; touch /data/sub/from-userns") });
    spec.linux.namespaces.push({ type: "user" });
    spec.linux.uidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
    spec.linux.gidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
    spec.mounts.push({ destination: "/data", type: "bind", source: data, options: ["rbind", "ridmap"] });
    const r = suite.run("idmap-userns", spec);
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("0\n0:0\n");
    expect(r.exitCode).toBe(0);
    const st = statSync(join(data, "sub", "from-userns"));
    expect([st.uid, st.gid]).toEqual([0, 0]);
  });

  test("an idmap without any mappings is refused before anything is made", () => {
    const spec = suite.spec("idmap-none", { args: ["/bin/true"] });
    spec.mounts.push({ destination: "/data", type: "bind", source: data, options: ["bind", "idmap"] });
    const r = suite.run("idmap-none", spec);
    expect(r.stderr).toContain("an idmapped mount needs uidMappings and gidMappings");
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.exitCode).toBe(1);
  });
});
