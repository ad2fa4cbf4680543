// One of several processes that attach (or detach) containers in parallel, to prove the
// lease lock: bun attach-worker.ts ROOT DATA_ROOT NETWORK attach|detach JSON
// JSON: [{id, name, netnsPath, hostsFile, hostPort?}]; prints one JSON line: [{id, address}]
import { connect, disconnect, networkContext } from "../../../src/network/manager.ts";

const [root, dataRoot, network, op, json] = process.argv.slice(2);
const ctx = networkContext(root!, dataRoot!);
const out: { id: string; address?: string }[] = [];
for (const c of JSON.parse(json!) as { id: string; name: string; netnsPath: string; hostsFile: string; hostPort?: number }[]) {
  if (op === "attach") {
    const r = await connect(ctx, network!, {
      containerId: c.id, containerName: c.name, netnsPath: c.netnsPath, hostsFile: c.hostsFile, pid: 0, ifname: "eth0", aliases: [],
      ports: c.hostPort ? [{ hostIp: "127.0.0.1", hostPort: c.hostPort, containerPort: 80, protocol: "tcp" }] : [],
    });
    out.push({ id: c.id, address: r.addresses[0]?.address });
  } else {
    await disconnect(ctx, network!, c.id);
    out.push({ id: c.id });
  }
}
console.log(JSON.stringify(out));
