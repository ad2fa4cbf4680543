// `husk network create -d cni` through the compiled binary: it finds the conflist (here
// through $HUSK_CNI_CONF_DIR), asks every plugin for its versions (spawning the reference
// plugins from the single executable), and reports errors on one line naming the plugin.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runHusk } from "../helpers/husk.ts";
import { assertNoLeaks, snapshotHost, type HostSnapshot } from "../helpers/leaks.ts";

const isRoot = process.getuid?.() === 0;
const havePlugins = ["bridge", "host-local", "portmap", "firewall"].every((p) => existsSync(join("/usr/lib/cni", p)));
let dir: string;
let env: Record<string, string>;
let snapshot: HostSnapshot;

function husk(args: string[]) {
  return runHusk([...args.slice(0, 2), "--root", join(dir, "run"), "--data-root", join(dir, "lib"), ...args.slice(2)], { env });
}

describe.skipIf(!isRoot || !havePlugins)("cni networks (dist/husk)", () => {
  beforeAll(() => {
    snapshot = snapshotHost();
    dir = mkdtempSync(join(tmpdir(), `husk-test-${process.pid}-`));
    mkdirSync(join(dir, "net.d"));
    const plugins = [{ type: "bridge", bridge: "cnie2e0", ipam: { type: "host-local", dataDir: join(dir, "ipam"), ranges: [[{ subnet: "10.248.0.0/24" }]] } }, { type: "portmap", capabilities: { portMappings: true } }];
    writeFileSync(join(dir, "net.d", "10-web.conflist"), JSON.stringify({ cniVersion: "1.0.0", name: "web", plugins }));
    writeFileSync(join(dir, "net.d", "20-old.conflist"), JSON.stringify({ cniVersion: "0.3.1", name: "old", plugins: [{ type: "firewall" }] }));
    env = { HUSK_CNI_CONF_DIR: join(dir, "net.d"), HUSK_CNI_PATH: "/usr/lib/cni" };
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    assertNoLeaks(snapshot);
  });

  test("plugin inspect shows the bundled cni driver", () => {
    const r = husk(["plugin", "inspect", "cni"]);
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout)[0]).toMatchObject({ name: "cni", kind: "network", apiVersion: "1.0", source: "bundled" });
  });

  test("create binds a husk network to the conflist of the same name and records the dirs; inspect shows it", () => {
    const r = husk(["network", "create", "-d", "cni", "web"]);
    expect(r.stderr).toBe("");
    expect(r.exitCode).toBe(0);
    const [net] = JSON.parse(husk(["network", "inspect", "web"]).stdout);
    expect(net.driver).toBe("cni");
    expect(net.subnets).toEqual([{ subnet: "10.248.0.0/24" }]);
    expect(net.options).toEqual({ "com.husk.cni.name": "web", "com.husk.cni.conf-dir": join(dir, "net.d"), "com.husk.cni.bin-dir": "/usr/lib/cni", "com.husk.cni.timeout": "60" });
    expect(net.driverState).toEqual({ cniNetwork: "web", conflist: join(dir, "net.d", "10-web.conflist"), plugins: ["bridge", "portmap"], binDirs: ["/usr/lib/cni"], containers: {} });
    expect(husk(["network", "rm", "web"]).exitCode).toBe(0);
  });

  test("-o com.husk.cni.name picks another CNI network; errors are one line naming the plugin, exit 125", () => {
    expect(husk(["network", "create", "-d", "cni", "-o", "com.husk.cni.name=web", "frontend"]).exitCode).toBe(0);
    const missing = husk(["network", "create", "-d", "cni", "nosuch"]);
    expect(missing.exitCode).toBe(125);
    expect(missing.stderr).toBe(`husk: network plugin cni: no CNI network "nosuch" in ${join(dir, "net.d")} (found: web, old) (hint: write ${join(dir, "net.d", "nosuch.conflist")} or pass -o com.husk.cni.conf-dir=DIR)\n`);
    const old = husk(["network", "create", "-d", "cni", "old"]);
    expect(old.exitCode).toBe(125);
    expect(old.stderr).toBe("husk: network plugin cni: create network old: old: CNI plugin firewall does not speak cniVersion 0.3.1 (it speaks 0.4.0, 1.0.0) (hint: change the conflist's cniVersion)\n");
    const subnet = husk(["network", "create", "-d", "cni", "--subnet", "10.9.0.0/24", "web2"]);
    expect(subnet.stderr).toBe("husk: network plugin cni: --subnet, --gateway, --ip-range, --ipv6, --mtu and --internal do not apply: the conflist decides them (hint: set them in the CNI network's conflist)\n");
    expect(husk(["network", "rm", "frontend"]).exitCode).toBe(0);
  });
});
