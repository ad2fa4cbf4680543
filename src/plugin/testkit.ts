// A test kit for plugin authors (and husk's own driver tests): temporary network
// namespaces, a fake container, a PluginHost on temp dirs, and leak assertions. Needs root
// and iproute2's `ip netns` (test setup only; husk itself never runs `ip`).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Netlink } from "../network/netlink.ts";
import { netnsExecArgv } from "../network/netlink.ts";
import { selectFirewall } from "../network/firewall/select.ts";
import { readState } from "../network/network-state.ts";
import type { AttachRequest, PluginHost, PluginManifest } from "./api.ts";
import { makePluginHost } from "./host.ts";

let counter = 0;

/** A unique name, husk-test-<pid>-<prefix>-<n>: husk's leak checks recognise the pid and
 * leave the resources of other live test processes alone. */
export function uniqueName(prefix = "t"): string {
  return `husk-test-${process.pid}-${prefix.replace(/^husk-/, "")}-${++counter}`;
}

export interface TempNetns extends Disposable {
  name: string;
  /** /run/netns/NAME */
  path: string;
  /** run a command inside it; returns exit code and output */
  exec(argv: string[], opts?: { timeoutMs?: number }): { exitCode: number; stdout: string; stderr: string };
  /** start a long-running command inside it (a server); kill it with .kill() */
  spawn(argv: string[]): ReturnType<typeof Bun.spawn>;
  remove(): void;
}

function run(argv: string[], timeoutMs = 30_000) {
  const r = Bun.spawnSync(argv, { stdout: "pipe", stderr: "pipe", timeout: timeoutMs, killSignal: "SIGKILL" });
  return { exitCode: r.exitCode ?? 1, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

/** A fresh named network namespace (`ip netns add`), removed by remove() or `using`. */
export function tempNetns(prefix = "husk-t"): TempNetns {
  const name = uniqueName(prefix);
  const r = run(["ip", "netns", "add", name]);
  if (r.exitCode !== 0) throw new Error(`ip netns add ${name}: ${r.stderr.trim()}`);
  let removed = false;
  const ns: TempNetns = {
    name,
    path: `/run/netns/${name}`,
    exec: (argv, opts) => run(["ip", "netns", "exec", name, ...argv], opts?.timeoutMs),
    spawn: (argv) => Bun.spawn(["ip", "netns", "exec", name, ...argv], { stdout: "pipe", stderr: "pipe" }),
    remove() {
      if (removed) return;
      removed = true;
      run(["ip", "netns", "del", name]);
    },
    [Symbol.dispose]() {
      ns.remove();
    },
  };
  return ns;
}

export interface FakeContainer {
  id: string;
  name: string;
  netns: TempNetns;
  hostsFile: string;
  /** an AttachRequest for this container, with overrides */
  request(over?: Partial<AttachRequest>): AttachRequest;
}

/** A container as far as a network driver can tell: an id, a name, a netns, a hosts file. */
export function fakeContainer(dir: string, name = uniqueName("c")): FakeContainer {
  const id = new Bun.CryptoHasher("sha256").update(`${name}/${Math.random()}`).digest("hex");
  mkdirSync(dir, { recursive: true });
  const hostsFile = join(dir, `${name}.hosts`);
  writeFileSync(hostsFile, `127.0.0.1\tlocalhost\n`);
  const netns = tempNetns("husk-c");
  return {
    id,
    name,
    netns,
    hostsFile,
    request: (over = {}) => ({ containerId: id, containerName: name, netnsPath: netns.path, pid: 0, ifname: "eth0", ports: [], aliases: [], hostsFile, ...over }),
  };
}

export interface TestPaths extends Disposable {
  root: string;
  dataRoot: string;
  remove(): void;
}

/** Temp --root and --data-root, removed by remove() or `using`. */
export function tempPaths(): TestPaths {
  const base = mkdtempSync(join(tmpdir(), `husk-test-${process.pid}-`));
  const p: TestPaths = {
    root: join(base, "run"),
    dataRoot: join(base, "lib"),
    remove: () => rmSync(base, { recursive: true, force: true }),
    [Symbol.dispose]: () => p.remove(),
  };
  return p;
}

/** The PluginHost a plugin gets from husk, on the given paths. */
export function testHost(manifest: PluginManifest, paths: { root: string; dataRoot: string }): PluginHost {
  return makePluginHost(manifest, paths);
}

/** Link names in a netns (undefined: ours) matching `re`. */
export function linksMatching(re: RegExp, netnsPath?: string): string[] {
  const nl = netnsPath ? Netlink.inNetns(netnsPath) : Netlink.open();
  try {
    return nl.linkList().map((l) => l.name).filter((n) => re.test(n));
  } finally {
    nl.close();
  }
}

export interface LeakSpec {
  /** link names that must not exist (in hostNetns, or ours) */
  links?: RegExp;
  hostNetns?: string;
  /** firewall rule tags (husk-ctr-<id>, husk-net-<id16>) that must be gone */
  firewallTags?: string[];
  /** network state dirs (<data-root>/networks/NAME) that must hold no lease or endpoint */
  networkDirs?: string[];
}

/** Everything in `spec` that is still there, as readable lines (empty: no leak). */
export function findPluginLeaks(spec: LeakSpec): string[] {
  const out: string[] = [];
  if (spec.links) for (const l of linksMatching(spec.links, spec.hostNetns)) out.push(`link ${l}`);
  if (spec.firewallTags?.length) {
    const fw = selectFirewall((argv, stdin) => {
      const r = Bun.spawnSync(netnsExecArgv(spec.hostNetns, argv), { stdin: stdin ? new TextEncoder().encode(stdin) : "ignore", stdout: "pipe", stderr: "pipe" });
      return { exitCode: r.exitCode ?? 1, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
    });
    for (const tag of spec.firewallTags) for (const r of fw.rulesTagged(tag)) out.push(`firewall rule ${r}`);
  }
  for (const dir of spec.networkDirs ?? []) {
    const s = readState(dir);
    for (const [ip, l] of Object.entries(s.leases)) out.push(`lease ${ip} of ${l.owner.slice(0, 12)} in ${dir}`);
    for (const id of Object.keys(s.endpoints)) out.push(`endpoint ${id.slice(0, 12)} in ${dir}`);
  }
  return out;
}

export function assertNoPluginLeaks(spec: LeakSpec): void {
  const leaks = findPluginLeaks(spec);
  if (leaks.length) throw new Error(`leaked:\n  ${leaks.join("\n  ")}`);
}
