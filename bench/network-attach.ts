// The cost of the bridge driver's part of `husk run --network bridge`: attach (lease,
// veth pair made inside the container's netns, addresses, route) and detach, with and
// without a published port. Everything happens in namespaces this script makes; the
// bridge's host side lives in one of them (com.husk.bridge.host-netns).
//
//   sudo node_modules/.bin/bun bench/network-attach.ts [--runs N (30)]
//
// The engine's `husk run --rm IMAGE true` comparison with podman needs the engine (#5);
// this measures the network share of it.
import { connect, createNetwork, disconnect, networkContext } from "../src/network/manager.ts";
import { fakeContainer, tempNetns, tempPaths } from "../src/plugin/testkit.ts";
import { median, parseFlags } from "./lib.ts";

const { runs } = parseFlags("network-attach", { runs: { kind: "count", default: 30, min: 1 } });
const paths = tempPaths();
const hostns = tempNetns("husk-b");
const ctx = networkContext(paths.root, paths.dataRoot);
await createNetwork(ctx, { name: "bench", driver: "bridge", subnets: [{ subnet: "10.249.0.0/16" }], options: { "com.husk.bridge.host-netns": hostns.path } });

const results: Record<string, { attach: number[]; detach: number[] }> = { plain: { attach: [], detach: [] }, "with -p": { attach: [], detach: [] } };
try {
  for (let i = 0; i < runs + 2; i++) {
    for (const kind of Object.keys(results)) {
      const c = fakeContainer(paths.dataRoot);
      const ports = kind === "plain" ? [] : [{ hostIp: "127.0.0.1", hostPort: 30000 + i, containerPort: 80, protocol: "tcp" as const }];
      const t0 = performance.now();
      await connect(ctx, "bench", c.request({ ports }));
      const t1 = performance.now();
      await disconnect(ctx, "bench", c.id);
      const t2 = performance.now();
      c.netns.remove();
      if (i < 2) continue; // warm-up (the first attach also makes the bridge)
      results[kind]!.attach.push(t1 - t0);
      results[kind]!.detach.push(t2 - t1);
    }
  }
  for (const [kind, r] of Object.entries(results))
    console.log(`${kind.padEnd(8)} attach median ${median(r.attach).toFixed(2)} ms   detach median ${median(r.detach).toFixed(2)} ms   (${runs} runs)`);
} finally {
  hostns.remove();
  paths.remove();
}
