// The CNI runtime's rules against a recording fake spawner (no root, no real plugins):
// what each plugin reads on stdin and in its environment, chaining, DEL order, rollback,
// CHECK rules, and how failures become one-line errors naming the plugin.
import { afterAll, describe, expect, test } from "bun:test";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cniArgsString, pluginEnv, pluginStdin } from "../../src/network/cni/exec-config.ts";
import { CniPluginError, findPlugin, type SpawnOutcome, type SpawnRequest } from "../../src/network/cni/invoke.ts";
import { CniRuntime } from "../../src/network/cni/runtime.ts";
import type { NetConfList, RuntimeConf } from "../../src/network/cni/types.ts";

const dir = mkdtempSync(join(tmpdir(), `husk-test-${process.pid}-cni-`));
const bin = join(dir, "bin");
mkdirSync(bin);
for (const p of ["bridge", "portmap", "tuning", "old"]) {
  writeFileSync(join(bin, p), "#!/bin/sh\nexit 0\n");
  chmodSync(join(bin, p), 0o755);
}
writeFileSync(join(bin, "not-executable"), "");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Call {
  plugin: string;
  env: Record<string, string>;
  stdin: Record<string, any>;
}

/** A spawner that answers per plugin and command, and records every call. */
function fakeSpawner(answer: (plugin: string, command: string, stdin: Record<string, any>) => Partial<SpawnOutcome>) {
  const calls: Call[] = [];
  const spawn = async (req: SpawnRequest): Promise<SpawnOutcome> => {
    const plugin = req.argv.at(-1)!.split("/").at(-1)!;
    const stdin = JSON.parse(req.stdin);
    calls.push({ plugin, env: req.env, stdin });
    return { exitCode: 0, signal: null, stdout: "", stderr: "", timedOut: false, ...answer(plugin, req.env.CNI_COMMAND!, stdin) };
  };
  return { calls, spawn };
}

const list: NetConfList = {
  cniVersion: "1.0.0",
  name: "web",
  plugins: [
    { type: "bridge", bridge: "cni9", ipam: { type: "host-local" } },
    { type: "portmap", capabilities: { portMappings: true, bandwidth: true } },
    { type: "tuning", runtimeConfig: { stale: true } },
  ],
};
const rt: RuntimeConf = {
  containerId: "c".repeat(64),
  netns: "/run/netns/x",
  ifName: "eth0",
  args: [["IgnoreUnknown", "1"], ["IP", "10.9.0.5"]],
  capabilityArgs: { portMappings: [{ hostPort: 8080, containerPort: 80, protocol: "tcp" }], ips: ["10.9.0.5/24"] },
};
const bridgeResult = { cniVersion: "1.0.0", interfaces: [{ name: "cni9" }, { name: "veth1" }, { name: "eth0", sandbox: "/run/netns/x" }], ips: [{ address: "10.9.0.5/24", gateway: "10.9.0.1", interface: 2 }] };
const echo = (_p: string, cmd: string, stdin: Record<string, any>) => (cmd === "ADD" ? { stdout: JSON.stringify(stdin.prevResult ?? bridgeResult) } : {});

describe("CNI runtime", () => {
  test("ADD runs the list in order; each plugin gets name, cniVersion, its own runtimeConfig and the previous result", async () => {
    const f = fakeSpawner(echo);
    const r = await new CniRuntime({ binDirs: [bin], timeoutMs: 1000, spawn: f.spawn, baseEnv: { PATH: "/bin", CNI_NETNS: "/leftover" } }).add(list, rt);
    expect(r).toEqual(bridgeResult as never);
    expect(f.calls.map((c) => c.plugin)).toEqual(["bridge", "portmap", "tuning"]);
    const [br, pm, tu] = f.calls;
    expect(br!.stdin).toEqual({ type: "bridge", bridge: "cni9", ipam: { type: "host-local" }, name: "web", cniVersion: "1.0.0" });
    expect(pm!.stdin.runtimeConfig).toEqual({ portMappings: rt.capabilityArgs.portMappings }); // no "ips": not declared; no "bandwidth": no value
    expect(pm!.stdin.prevResult).toEqual(bridgeResult);
    expect(tu!.stdin.runtimeConfig).toBeUndefined(); // a runtimeConfig written in the file is not passed on
    expect(br!.env).toEqual({
      PATH: "/bin", CNI_COMMAND: "ADD", CNI_CONTAINERID: rt.containerId, CNI_NETNS: "/run/netns/x", CNI_IFNAME: "eth0", CNI_ARGS: "IgnoreUnknown=1;IP=10.9.0.5", CNI_PATH: bin,
    });
  });

  test("DEL runs in reverse order with prevResult; without a netns CNI_NETNS is left out", async () => {
    const f = fakeSpawner(() => ({}));
    await new CniRuntime({ binDirs: [bin], timeoutMs: 1000, spawn: f.spawn, baseEnv: {} }).del(list, { ...rt, netns: "" }, bridgeResult);
    expect(f.calls.map((c) => c.plugin)).toEqual(["tuning", "portmap", "bridge"]);
    expect(f.calls.every((c) => c.env.CNI_COMMAND === "DEL" && !("CNI_NETNS" in c.env))).toBe(true);
    expect(f.calls.every((c) => JSON.stringify(c.stdin.prevResult) === JSON.stringify(bridgeResult))).toBe(true);
  });

  test("DEL of a pre-0.4.0 list sends no prevResult", async () => {
    const f = fakeSpawner(() => ({}));
    await new CniRuntime({ binDirs: [bin], timeoutMs: 1000, spawn: f.spawn, baseEnv: {} }).del({ ...list, cniVersion: "0.3.1" }, rt, bridgeResult);
    expect(f.calls.some((c) => "prevResult" in c.stdin)).toBe(false);
  });

  test("a failed ADD is undone with DEL over the whole list in reverse, and the error names the plugin on one line", async () => {
    const f = fakeSpawner((p, cmd, stdin) =>
      p === "portmap" && cmd === "ADD" ? { exitCode: 1, stdout: JSON.stringify({ cniVersion: "1.0.0", code: 7, msg: "bad port", details: "port 8080\nis taken" }) } : echo(p, cmd, stdin),
    );
    const err = await new CniRuntime({ binDirs: [bin], timeoutMs: 1000, spawn: f.spawn, baseEnv: {} }).add(list, rt).catch((e) => e);
    expect(err).toBeInstanceOf(CniPluginError);
    expect(err.message).toBe(`ADD web: CNI plugin portmap (${bin}/portmap): bad port: port 8080 is taken (code 7: invalid network config)`);
    expect(err.hint).toBe("fix the network's conflist");
    expect(f.calls.map((c) => `${c.env.CNI_COMMAND} ${c.plugin}`)).toEqual(["ADD bridge", "ADD portmap", "DEL tuning", "DEL portmap", "DEL bridge"]);
  });

  test("a plugin that fails without JSON is reported with its status and last stderr line", async () => {
    const f = fakeSpawner(() => ({ exitCode: 2, stderr: "panic: something\ngoroutine 1 [running]\n" }));
    await expect(new CniRuntime({ binDirs: [bin], timeoutMs: 1000, spawn: f.spawn, baseEnv: {} }).del(list, rt, undefined)).rejects.toThrow(
      `DEL web: CNI plugin tuning (${bin}/tuning): exited with status 2: goroutine 1 [running]`,
    );
    expect(f.calls).toHaveLength(1); // DEL stops at the first error
  });

  test("a timed-out plugin is named with the limit", async () => {
    const f = fakeSpawner(() => ({ exitCode: null, signal: "SIGKILL", timedOut: true }));
    await expect(new CniRuntime({ binDirs: [bin], timeoutMs: 2500, spawn: f.spawn, baseEnv: {} }).check(list, rt, bridgeResult)).rejects.toThrow(
      `CHECK web: CNI plugin bridge (${bin}/bridge): did not finish within 2.5 s and was killed`,
    );
  });

  test("a plugin that is missing or not executable is named with the dirs searched", async () => {
    const f = fakeSpawner(echo);
    const missing: NetConfList = { ...list, plugins: [{ type: "not-executable" }] };
    await expect(new CniRuntime({ binDirs: [join(dir, "nope"), bin], timeoutMs: 1000, spawn: f.spawn }).add(missing, rt)).rejects.toThrow(
      `ADD web: CNI plugin not-executable: not found in ${join(dir, "nope")}:${bin}`,
    );
    expect(findPlugin("bridge", [join(dir, "nope"), bin])).toBe(join(bin, "bridge"));
  });

  test("CHECK is skipped with disableCheck, refused before 0.4.0, and runs in order with prevResult", async () => {
    const f = fakeSpawner(() => ({}));
    const r = new CniRuntime({ binDirs: [bin], timeoutMs: 1000, spawn: f.spawn, baseEnv: {} });
    expect(await r.check({ ...list, disableCheck: true }, rt, bridgeResult)).toBe("disabled");
    expect(f.calls).toEqual([]);
    await expect(r.check({ ...list, cniVersion: "0.3.1" }, rt, bridgeResult)).rejects.toThrow("CHECK web: needs cniVersion 0.4.0 or newer, the list says 0.3.1");
    expect(await r.check(list, rt, bridgeResult)).toBe("ok");
    expect(f.calls.map((c) => c.plugin)).toEqual(["bridge", "portmap", "tuning"]);
    expect(f.calls.every((c) => c.env.CNI_COMMAND === "CHECK" && c.stdin.prevResult.ips[0].address === "10.9.0.5/24")).toBe(true);
  });

  test("validate asks VERSION of each plugin type once and refuses a version it does not speak", async () => {
    const f = fakeSpawner((p) => ({ stdout: JSON.stringify({ cniVersion: "1.0.0", supportedVersions: p === "old" ? ["0.3.0", "0.3.1"] : ["0.4.0", "1.0.0"] }) }));
    const r = new CniRuntime({ binDirs: [bin], timeoutMs: 1000, spawn: f.spawn, baseEnv: {} });
    await r.validate({ ...list, plugins: [...list.plugins, { type: "bridge" }] });
    expect(f.calls.map((c) => `${c.env.CNI_COMMAND} ${c.plugin} ${JSON.stringify(c.stdin)}`)).toEqual(["bridge", "portmap", "tuning"].map((p) => `VERSION ${p} {"cniVersion":"1.0.0"}`));
    expect(f.calls[0]!.env.CNI_CONTAINERID).toBeUndefined();
    await expect(r.validate({ ...list, plugins: [{ type: "old" }] })).rejects.toThrow("web: CNI plugin old does not speak cniVersion 1.0.0 (it speaks 0.3.0, 0.3.1)");
    await expect(r.validate({ ...list, cniVersion: "9.9.9" })).rejects.toThrow("web: cniVersion 9.9.9 is not one husk speaks");
  });

  test("an ADD that prints something other than a JSON object is an error naming the plugin", async () => {
    const f = fakeSpawner(() => ({ stdout: "ok\n" }));
    await expect(new CniRuntime({ binDirs: [bin], timeoutMs: 1000, spawn: f.spawn, baseEnv: {} }).add(list, rt)).rejects.toThrow("ADD web: CNI plugin bridge succeeded but printed no JSON result: ok");
  });
});

describe("execution config helpers", () => {
  test("CNI_ARGS refuses pairs that would break its K=V;K=V format", () => {
    expect(cniArgsString([["A", "1"], ["B_2", "x.y"]])).toBe("A=1;B_2=x.y");
    expect(() => cniArgsString([["A", "1;B=2"]])).toThrow(/without ';'/);
    expect(() => cniArgsString([["A-B", "1"]])).toThrow(/alphanumeric key/);
  });

  test("VERSION gets no per-container variables; the list's name and version override the plugin's own", () => {
    expect(pluginEnv("VERSION", undefined, ["/a", "/b"], {})).toEqual({ CNI_COMMAND: "VERSION", CNI_PATH: "/a:/b" });
    const conf = pluginStdin({ ...list, cniVersion: "0.4.0" }, { type: "x", name: "other", cniVersion: "0.1.0", prevResult: { stale: 1 } }, rt);
    expect(conf).toEqual({ type: "x", name: "web", cniVersion: "0.4.0" });
  });
});
