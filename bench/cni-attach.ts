// The cni driver's attach (ADD over the list) and detach (DEL in reverse) with the
// reference plugins, beside husk's own bridge driver in the same run, with and without a
// published port. Everything happens in namespaces this script makes; both drivers keep
// their host side in one of them.
//
//   sudo node_modules/.bin/bun bench/cni-attach.ts [--runs N (20)]
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { connect, createNetwork, disconnect, networkContext } from "../src/network/manager.ts";
import { fakeContainer, tempNetns, tempPaths } from "../src/plugin/testkit.ts";
import { median, parseFlags } from "./lib.ts";

const { runs } = parseFlags("cni-attach", { runs: { kind: "count", default: 20, min: 1 } });
const paths = tempPaths();
const hostns = tempNetns("husk-b");
hostns.exec(["ip", "link", "set", "lo", "up"]);
const ctx = networkContext(paths.root, paths.dataRoot);
const confDir = join(paths.dataRoot, "net.d");
mkdirSync(confDir, { recursive: true });
const ipam = (subnet: string) => ({ type: "host-local", dataDir: join(paths.dataRoot, "ipam"), ranges: [[{ subnet }]], routes: [{ dst: "0.0.0.0/0" }] });
writeFileSync(join(confDir, "cni-plain.conflist"), JSON.stringify({ cniVersion: "1.0.0", name: "cni-plain", plugins: [{ type: "bridge", bridge: "cnib0", isGateway: true, ipMasq: true, ipam: ipam("10.249.0.0/16") }, { type: "loopback" }] }));
writeFileSync(join(confDir, "cni-ports.conflist"), JSON.stringify({ cniVersion: "1.0.0", name: "cni-ports", plugins: [{ type: "bridge", bridge: "cnib1", isGateway: true, ipMasq: true, ipam: ipam("10.250.0.0/16") }, { type: "portmap", capabilities: { portMappings: true } }, { type: "loopback" }] }));
const cniOpts = { "com.husk.cni.conf-dir": confDir, "com.husk.cni.bin-dir": "/usr/lib/cni", "com.husk.cni.host-netns": hostns.path };
await createNetwork(ctx, { name: "cni-plain", driver: "cni", options: cniOpts });
await createNetwork(ctx, { name: "cni-ports", driver: "cni", options: cniOpts });
await createNetwork(ctx, { name: "husk-bridge", driver: "bridge", subnets: [{ subnet: "10.251.0.0/16" }], options: { "com.husk.bridge.host-netns": hostns.path } });

const cases = [
  { label: "cni bridge+host-local+loopback", net: "cni-plain", ports: false },
  { label: "husk bridge driver", net: "husk-bridge", ports: false },
  { label: "cni ... + portmap, -p", net: "cni-ports", ports: true },
  { label: "husk bridge driver, -p", net: "husk-bridge", ports: true },
];
const results = cases.map(() => ({ attach: [] as number[], detach: [] as number[] }));
try {
  for (let i = 0; i < runs + 2; i++) {
    for (const [k, c] of cases.entries()) {
      const ctr = fakeContainer(paths.dataRoot);
      const ports = c.ports ? [{ hostIp: "127.0.0.1", hostPort: 30000 + i, containerPort: 80, protocol: "tcp" as const }] : [];
      const t0 = performance.now();
      await connect(ctx, c.net, ctr.request({ ports }));
      const t1 = performance.now();
      await disconnect(ctx, c.net, ctr.id);
      const t2 = performance.now();
      ctr.netns.remove();
      if (i < 2) continue; // warm-up (the first attach also makes the bridge)
      results[k]!.attach.push(t1 - t0);
      results[k]!.detach.push(t2 - t1);
    }
  }
  for (const [k, c] of cases.entries()) {
    const r = results[k]!;
    const ref = results[c.ports ? 3 : 1]!;
    const ratio = c.net.startsWith("cni") ? `   (${(median(r.attach) / median(ref.attach)).toFixed(1)}x / ${(median(r.detach) / median(ref.detach)).toFixed(1)}x the bridge driver)` : "";
    console.log(`${c.label.padEnd(32)} attach median ${median(r.attach).toFixed(1).padStart(6)} ms   detach median ${median(r.detach).toFixed(1).padStart(6)} ms${ratio}`);
  }
  console.log(`(${runs} runs each, interleaved)`);
} finally {
  hostns.remove();
  paths.remove();
}
