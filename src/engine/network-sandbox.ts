// Where a new container's network namespace comes from, decided at create through the
// plugin registry (docs/engine-design.md, "Networks"): a namespace of its own that the
// network's driver attaches to, an existing one to join, or the host's.
import { getNetwork, networkContext, parseNetworkMode, sandboxFor } from "../network/manager.ts";
import type { ContainerPaths } from "./paths.ts";
import type { ContainerSettings } from "./run-flags.ts";
import type { SandboxRecord } from "./network-types.ts";

export interface SandboxPart {
  network: SandboxRecord;
  networks?: ContainerSettings["networks"];
}

export async function resolveSandbox(paths: ContainerPaths, settings: ContainerSettings): Promise<SandboxPart> {
  const mode = settings.hostConfig.NetworkMode;
  // The modes the engine serves itself: none is a new netns with lo up (husk-core netns
  // add does that, no driver call on the fast path); the rest join what exists.
  if (mode === "none") return { network: { driver: "none", name: "none", sandbox: "new", netnsPath: paths.netns } };
  if (mode === "host") return { network: { driver: "host", name: "host", sandbox: "host" } };
  if (mode.startsWith("ns:")) return { network: { driver: "ns", name: mode, sandbox: "path", netnsPath: mode.slice(3) } };
  if (mode.startsWith("container:")) return { network: { driver: "container", name: mode, sandbox: "path" } };
  const ctx = networkContext(paths.roots.root, paths.roots.dataRoot);
  const { ref } = parseNetworkMode(mode);
  const choice = await sandboxFor(ctx, mode);
  const net = await getNetwork(ctx, ref);
  if (choice.mode === "host") return { network: { driver: net.driver, name: net.name, sandbox: "host" } };
  if (choice.mode === "path") return { network: { driver: net.driver, name: net.name, sandbox: "path", netnsPath: choice.path } };
  const asked = settings.networks?.[ref];
  const networks = asked ? { [net.name]: { ...asked, NetworkID: net.id, Driver: net.driver } } : undefined;
  return { network: { driver: net.driver, name: net.name, sandbox: "new", netnsPath: paths.netns }, networks };
}
