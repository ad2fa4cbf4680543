// The fast argv path must read every command line it takes exactly as clipanion does,
// and hand everything else to clipanion. Each table is checked against its clipanion
// class (names, arity, the property each flag sets), then both parsers run over a table
// of command lines and must agree on the resulting options.
import { describe, expect, test } from "bun:test";
import { Cli, type CommandClass } from "clipanion";
import { ContainerRunCommand } from "../../src/cli/engine/run.ts";
import { fastParse, type VerbSpec } from "../../src/cli/fast-argv.ts";
import { engineRunRequest, fastMain, ociVerbOptions } from "../../src/cli/fast-argv-dispatch.ts";
import { ENGINE_RUN, OCI_VERBS } from "../../src/cli/fast-argv-tables.ts";
import { CreateCommand } from "../../src/cli/oci/create.ts";
import { DeleteCommand } from "../../src/cli/oci/delete.ts";
import { KillCommand } from "../../src/cli/oci/kill.ts";
import { RunCommand } from "../../src/cli/oci/run.ts";
import { StartCommand } from "../../src/cli/oci/start.ts";
import { StateCommand } from "../../src/cli/oci/state.ts";

const OCI_CLASSES: Record<string, CommandClass> = {
  run: RunCommand, create: CreateCommand, start: StartCommand, state: StateCommand, delete: DeleteCommand, kill: KillCommand,
};

function cliFor(cls: CommandClass): Cli {
  const cli = new Cli({ binaryName: "husk" });
  cli.register(cls);
  return cli;
}

type Parsed = Record<string, unknown>;
const clip = (cls: CommandClass, argv: string[]): Parsed => cliFor(cls).process(argv) as unknown as Parsed;

describe("flag tables match the clipanion classes", () => {
  const cases: [string, CommandClass, VerbSpec, string[], string[]][] = [
    ["run", ContainerRunCommand, ENGINE_RUN, ["run"], ["img"]],
    ...Object.entries(OCI_CLASSES).map(([v, c]) => [`oci ${v}`, c, OCI_VERBS[v]!, ["oci", v], ["id1"]] as [string, CommandClass, VerbSpec, string[], string[]]),
  ];
  for (const [name, cls, spec, path, tail] of cases) {
    test(`${name}: same names and arity`, () => {
      const defs = cliFor(cls).definitions()[0]!.options.map((o) => o.definition).sort();
      const ours = spec.flags.map((f) => `${f.names.join(",")}${f.kind === "boolean" ? "" : " #0"}`).sort();
      expect(ours).toEqual(defs);
    });
    test(`${name}: every spelling sets the property the table names, with its kind`, () => {
      const base = clip(cls, [...path, ...tail]);
      for (const f of spec.flags)
        for (const n of f.names) {
          const args = f.kind === "boolean" ? [n] : [n, "a", n, "b"];
          const got = clip(cls, [...path, ...args, ...tail]);
          const changed = Object.keys(got).filter((k) => k !== "context" && JSON.stringify(got[k]) !== JSON.stringify(base[k]));
          expect({ n, changed }).toEqual({ n, changed: [f.key] });
          const want = f.kind === "boolean" ? true : f.kind === "array" ? ["a", "b"] : "b";
          expect({ n, value: got[f.key] }).toEqual({ n, value: want });
        }
    });
  }
});

const RUN_LINES: string[][] = [
  ["busybox"],
  ["busybox", "true"],
  ["--rm", "--network", "none", "busybox", "true"],
  ["-it", "--rm", "busybox", "sh"],
  ["-dit", "--name", "web", "busybox", "httpd", "-f"],
  ["-d", "--restart", "on-failure:3", "-e", "A=1", "-e", "B", "--env=C=3", "-l", "x=y", "busybox"],
  ["--root", "/tmp/r", "--data-root=/tmp/d", "--debug", "busybox", "echo", "--rm", "-x", "--", "z"],
  ["-v", "/a:/b:ro", "--volume", "n:/c", "--mount", "type=tmpfs,target=/t", "--tmpfs", "/run", "busybox"],
  ["-m", "256m", "--memory-swap=-1", "--cpus", "1.5", "-c", "512", "--cpuset-cpus", "0", "--pids-limit", "10", "busybox"],
  ["--ulimit", "nofile=10:20", "--cap-add", "ALL", "--cap-drop", "NET_RAW", "--privileged", "--security-opt", "no-new-privileges", "busybox"],
  ["--read-only", "--init", "--stop-signal", "USR1", "--stop-timeout", "3", "--log-opt", "max-size=1k", "--userns", "host", "busybox"],
  ["--sysctl", "net.ipv4.ip_forward=1", "--device", "/dev/null", "--platform", "linux/amd64", "--pull", "never", "busybox"],
  ["--cgroup-parent", "p", "-w", "/tmp", "-u", "1:1", "--entrypoint", "", "--hostname", "h", "--env-file", "f", "--net", "host", "busybox"],
  ["-e", "-", "busybox"],
  ["-p", "8080:80", "--publish=9090:90/udp", "-P", "--ip", "10.0.0.5", "--ip6", "fd00::5", "--alias", "a", "--network-alias", "b", "busybox"],
  ["--dns", "1.1.1.1", "--dns-search", "x", "--dns-opt", "ndots:2", "--dns-option=edns0", "--add-host", "h:1.2.3.4", "--mac-address", "02:00:00:00:00:01", "busybox"],
  ["-itP", "--rm", "busybox", "sh"],
  ["--name", "x", "--name", "y", "busybox", "-"],
];
/** Lines the fast parser hands to clipanion (which parses them or reports the mistake). */
const RUN_FALLBACK: string[][] = [
  [],
  ["--rm"],
  ["--help"],
  ["-h"],
  ["--rm", "-h", "busybox"],
  ["--no-rm", "busybox"],
  ["--", "busybox"],
  ["--rm=true", "busybox"],
  ["--name", "--rm", "busybox"],
  ["--name"],
  ["--bogus", "busybox"],
  ["-itx", "busybox"],
  ["-de", "busybox"],
  ["-eA=1", "busybox"],
  ["--memory-swap", "-1", "busybox"],
];

describe("husk run: both parsers agree", () => {
  const env = { HUSK_ROOT: "/tmp/envroot" } as NodeJS.ProcessEnv;
  for (const line of RUN_LINES)
    test(line.join(" "), () => {
      const p = fastParse(ENGINE_RUN, line);
      expect(p).toBeDefined();
      const fast = engineRunRequest(p!, env);
      const prev = process.env.HUSK_ROOT;
      process.env.HUSK_ROOT = "/tmp/envroot";
      let c: Parsed;
      try {
        c = clip(ContainerRunCommand, ["run", ...line]);
      } finally {
        if (prev === undefined) delete process.env.HUSK_ROOT;
        else process.env.HUSK_ROOT = prev;
      }
      const cmd = c as unknown as { roots: unknown; image: string; cmd: string[]; detach: boolean; debug: boolean; flags(d: boolean): unknown };
      expect(fast).toEqual({ roots: cmd.roots, image: cmd.image, cmd: cmd.cmd, detach: cmd.detach, flags: cmd.flags(cmd.detach), debug: cmd.debug } as never);
    });
  for (const line of RUN_FALLBACK) test(`falls back: ${line.join(" ") || "(nothing)"}`, () => expect(fastParse(ENGINE_RUN, line)).toBeUndefined());
  test("`container run` and HUSK_FAST_ARGV=0 reach the same parser or none", async () => {
    const prev = process.env.HUSK_FAST_ARGV;
    process.env.HUSK_FAST_ARGV = "0";
    try {
      expect(await fastMain(["run", "busybox"])).toBeUndefined();
    } finally {
      if (prev === undefined) delete process.env.HUSK_FAST_ARGV;
      else process.env.HUSK_FAST_ARGV = prev;
    }
    expect(await fastMain(["container", "run", "--help"])).toBeUndefined();
    expect(await fastMain(["ps"])).toBeUndefined();
  });
});

const OCI_LINES: [string, string[]][] = [
  ["run", ["--bundle", "/b", "id1"]],
  ["run", ["-b", "/b", "--root", "/r", "--log", "/l", "--log-format", "json", "--debug", "-d", "--keep", "id1"]],
  ["run", ["--pid-file", "/p", "--console-socket", "/s", "--no-pivot", "--no-new-keyring", "--preserve-fds", "2", "id1"]],
  ["run", ["id1", "--bundle=/b", "--systemd-cgroup"]],
  ["create", ["--bundle", "/b", "--pid-file", "/p", "id1"]],
  ["start", ["--root", "/r", "id1"]],
  ["state", ["id1"]],
  ["delete", ["--force", "id1"]],
  ["delete", ["-f", "--root=/r", "id1"]],
  ["kill", ["id1"]],
  ["kill", ["--all", "id1", "KILL"]],
  ["kill", ["-a", "id1", "9"]],
];
const OCI_FALLBACK: [string, string[]][] = [
  ["run", []],
  ["run", ["a", "b"]],
  ["run", ["--help"]],
  ["run", ["--no-keep", "id1"]],
  ["run", ["--bundle", "id1"]],
  ["start", ["-h", "id1"]],
  ["delete", ["--no-force", "id1"]],
  ["kill", ["a", "b", "c"]],
  ["state", ["--format", "json", "id1"]],
];

describe("husk oci: both parsers agree", () => {
  for (const [verb, line] of OCI_LINES)
    test(`oci ${verb} ${line.join(" ")}`, () => {
      const spec = OCI_VERBS[verb]!;
      const p = fastParse(spec, line);
      expect(p).toBeDefined();
      const fast = ociVerbOptions(p!, process.env) as unknown as Parsed;
      const c = clip(OCI_CLASSES[verb]!, ["oci", verb, ...line]);
      const keys = [...spec.flags.map((f) => f.key), "id", ...(verb === "kill" ? ["signal"] : [])];
      const pick = (o: Parsed) => Object.fromEntries(keys.map((k) => [k, o[k]]));
      expect(pick(fast)).toEqual(pick(c));
    });
  for (const [verb, line] of OCI_FALLBACK)
    test(`falls back: oci ${verb} ${line.join(" ") || "(nothing)"}`, () => expect(fastParse(OCI_VERBS[verb]!, line)).toBeUndefined());
});
