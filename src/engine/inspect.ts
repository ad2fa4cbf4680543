// `husk inspect`: a container as docker prints it (State, Config, HostConfig, Mounts,
// NetworkSettings, GraphDriver), from the record and the live state.
import type { LiveState } from "./live-state.ts";
import { networkSettingsView } from "./network-inspect.ts";
import type { ContainerPaths } from "./paths.ts";
import type { ContainerRecord } from "./record.ts";

export function inspectContainer(rec: ContainerRecord, live: LiveState, paths: ContainerPaths, volumeSource: (n: string) => string) {
  const cfg = rec.config;
  const hc = rec.hostConfig;
  return {
    Id: rec.id,
    Created: rec.created,
    Path: (cfg.Entrypoint ?? cfg.Cmd ?? [])[0] ?? "",
    Args: [...(cfg.Entrypoint ?? []), ...(cfg.Cmd ?? [])].slice(1),
    State: {
      Status: live.status,
      Running: live.running || live.status === "paused",
      Paused: live.status === "paused",
      Restarting: live.status === "restarting",
      OOMKilled: live.oomKilled,
      Dead: live.status === "dead",
      Pid: live.pid,
      ExitCode: live.exitCode,
      Error: live.error,
      StartedAt: live.startedAt,
      FinishedAt: live.finishedAt,
    },
    Image: rec.image,
    ResolvConfPath: paths.etcFile("resolv.conf"),
    HostnamePath: paths.etcFile("hostname"),
    HostsPath: paths.etcFile("hosts"),
    LogPath: paths.log,
    Name: `/${rec.name}`,
    RestartCount: live.restartCount,
    Driver: rec.snapshot.driver,
    Platform: "linux",
    HostConfig: hc,
    GraphDriver: {
      Name: rec.snapshot.driver,
      Data: {
        LowerDir: rec.snapshot.lowerDirs.join(":"),
        UpperDir: rec.snapshot.upperDir,
        MergedDir: rec.snapshot.mergedDir,
        WorkDir: rec.snapshot.workDir,
      },
    },
    Mounts: [
      ...hc.Mounts.filter((m) => m.Type !== "tmpfs").map((m) => ({
        Type: m.Type,
        ...(m.Type === "volume" ? { Name: m.Source, Driver: "local" } : {}),
        Source: m.Type === "volume" ? volumeSource(m.Source) : m.Source,
        Destination: m.Target,
        Mode: m.Options.join(","),
        RW: !m.ReadOnly,
        Propagation: m.Type === "bind" ? (m.Options.find((o) => /shared|slave|private/.test(o)) ?? "rprivate") : "",
      })),
    ],
    Config: cfg,
    NetworkSettings: networkSettingsView(rec, paths),
  };
}

/** docker's "Up 5 seconds" / "Exited (0) 2 minutes ago" / "Created". */
export function statusText(live: LiveState, now = Date.now()): string {
  const ago = (iso: string) => humanDuration(now - Date.parse(iso));
  switch (live.status) {
    case "running":
      return `Up ${ago(live.startedAt)}`;
    case "paused":
      return `Up ${ago(live.startedAt)} (Paused)`;
    case "restarting":
      return `Restarting (${live.exitCode}) ${ago(live.finishedAt)} ago`;
    case "exited":
      return live.finishedAt.startsWith("0001") ? `Exited (${live.exitCode})` : `Exited (${live.exitCode}) ${ago(live.finishedAt)} ago`;
    case "created":
      return "Created";
    default:
      return "Dead";
  }
}

export function humanDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 1) return "Less than a second";
  if (s < 60) return `${s} second${s === 1 ? "" : "s"}`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m} minute${m === 1 ? "" : "s"}`;
  const h = Math.round(m / 60);
  if (h < 48) return `${h} hour${h === 1 ? "" : "s"}`;
  return `${Math.round(h / 24)} days`;
}
