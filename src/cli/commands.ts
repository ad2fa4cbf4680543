// Every command husk knows, as a path table with a loader. Why not a plain list of
// classes: evaluating every command module costs milliseconds on each start, and
// `husk oci create` / `husk run` sit on the start-latency path. main.ts loads only the
// module whose path matches the command line (all of them for --help or a mistake).
//
// To add a command: one entry here, with the same `paths` as the class's static paths
// (test/unit/cli-commands.test.ts checks that they agree).
import type { CommandClass } from "clipanion";

export interface CommandEntry {
  paths: string[][];
  load: () => Promise<CommandClass>;
}

export const COMMANDS: CommandEntry[] = [
  // OCI face (runc's command line)
  { paths: [["oci", "create"]], load: () => import("./oci/create.ts").then((m) => m.CreateCommand) },
  { paths: [["oci", "start"]], load: () => import("./oci/start.ts").then((m) => m.StartCommand) },
  { paths: [["oci", "run"]], load: () => import("./oci/run.ts").then((m) => m.RunCommand) },
  { paths: [["oci", "state"]], load: () => import("./oci/state.ts").then((m) => m.StateCommand) },
  { paths: [["oci", "kill"]], load: () => import("./oci/kill.ts").then((m) => m.KillCommand) },
  { paths: [["oci", "delete"]], load: () => import("./oci/delete.ts").then((m) => m.DeleteCommand) },
  { paths: [["oci", "list"], ["oci", "ls"]], load: () => import("./oci/list.ts").then((m) => m.ListCommand) },
  { paths: [["oci", "ps"]], load: () => import("./oci/ps.ts").then((m) => m.PsCommand) },
  { paths: [["oci", "exec"]], load: () => import("./oci/exec.ts").then((m) => m.ExecCommand) },
  { paths: [["oci", "pause"]], load: () => import("./oci/pause.ts").then((m) => m.PauseCommand) },
  { paths: [["oci", "resume"]], load: () => import("./oci/pause.ts").then((m) => m.ResumeCommand) },
  { paths: [["oci", "events"]], load: () => import("./oci/events.ts").then((m) => m.EventsCommand) },
  { paths: [["oci", "update"]], load: () => import("./oci/update.ts").then((m) => m.UpdateCommand) },
  { paths: [["oci", "features"]], load: () => import("./oci/features.ts").then((m) => m.FeaturesCommand) },
  { paths: [["oci", "spec"]], load: () => import("./oci/spec.ts").then((m) => m.SpecCommand) },
  { paths: [["oci"], ["oci", "help"]], load: () => import("./oci/help.ts").then((m) => m.OciHelpCommand) },
  {
    paths: [["--version"], ["-v"], ["version"], ["oci", "--version"], ["oci", "-v"]],
    load: () => import("./version.ts").then((m) => m.VersionCommand),
  },
  // images
  { paths: [["image", "pull"], ["pull"]], load: () => import("./image/pull.ts").then((m) => m.ImagePullCommand) },
  { paths: [["image", "ls"], ["image", "list"], ["images"]], load: () => import("./image/ls.ts").then((m) => m.ImageLsCommand) },
  { paths: [["image", "rm"], ["image", "remove"], ["rmi"]], load: () => import("./image/rm.ts").then((m) => m.ImageRmCommand) },
  { paths: [["image", "inspect"]], load: () => import("./image/inspect.ts").then((m) => m.ImageInspectCommand) },
  { paths: [["image", "load"], ["load"]], load: () => import("./image/load.ts").then((m) => m.ImageLoadCommand) },
  { paths: [["image", "tag"], ["tag"]], load: () => import("./image/tag.ts").then((m) => m.ImageTagCommand) },
  { paths: [["image", "history"], ["history"]], load: () => import("./image/history.ts").then((m) => m.ImageHistoryCommand) },
  { paths: [["image", "prune"]], load: () => import("./image/prune.ts").then((m) => m.ImagePruneCommand) },
  { paths: [["image", "save"], ["save"]], load: () => import("./image/save.ts").then((m) => m.ImageSaveCommand) },
  { paths: [["image", "import"], ["import"]], load: () => import("./image/import.ts").then((m) => m.ImageImportCommand) },
  { paths: [["image", "push"], ["push"]], load: () => import("./image/push.ts").then((m) => m.ImagePushCommand) },
  { paths: [["login"]], load: () => import("./login.ts").then((m) => m.LoginCommand) },
  { paths: [["logout"]], load: () => import("./logout.ts").then((m) => m.LogoutCommand) },
  // networks and plugins (#6)
  { paths: [["network", "create"]], load: () => import("./network/create.ts").then((m) => m.NetworkCreateCommand) },
  { paths: [["network", "ls"], ["network", "list"]], load: () => import("./network/ls.ts").then((m) => m.NetworkLsCommand) },
  { paths: [["network", "inspect"]], load: () => import("./network/inspect.ts").then((m) => m.NetworkInspectCommand) },
  { paths: [["network", "rm"], ["network", "remove"]], load: () => import("./network/rm.ts").then((m) => m.NetworkRmCommand) },
  { paths: [["network", "prune"]], load: () => import("./network/prune.ts").then((m) => m.NetworkPruneCommand) },
  { paths: [["network", "connect"]], load: () => import("./network/connect.ts").then((m) => m.NetworkConnectCommand) },
  { paths: [["network", "disconnect"]], load: () => import("./network/disconnect.ts").then((m) => m.NetworkDisconnectCommand) },
  { paths: [["port"], ["container", "port"]], load: () => import("./engine/port.ts").then((m) => m.ContainerPortCommand) },
  { paths: [["plugin", "ls"], ["plugin", "list"]], load: () => import("./plugin/ls.ts").then((m) => m.PluginLsCommand) },
  { paths: [["plugin", "inspect"]], load: () => import("./plugin/inspect.ts").then((m) => m.PluginInspectCommand) },
  // volumes (#6)
  { paths: [["volume", "create"]], load: () => import("./volume/create.ts").then((m) => m.VolumeCreateCommand) },
  { paths: [["volume", "ls"], ["volume", "list"]], load: () => import("./volume/ls.ts").then((m) => m.VolumeLsCommand) },
  { paths: [["volume", "inspect"]], load: () => import("./volume/inspect.ts").then((m) => m.VolumeInspectCommand) },
  { paths: [["volume", "rm"], ["volume", "remove"]], load: () => import("./volume/rm.ts").then((m) => m.VolumeRmCommand) },
  { paths: [["volume", "prune"]], load: () => import("./volume/prune.ts").then((m) => m.VolumePruneCommand) },
  // host (#7)
  { paths: [["system", "check"]], load: () => import("./system/check.ts").then((m) => m.SystemCheckCommand) },
  // engine face (docker's command line)
  { paths: [["run"], ["container", "run"]], load: () => import("./engine/run.ts").then((m) => m.ContainerRunCommand) },
  { paths: [["create"], ["container", "create"]], load: () => import("./engine/create.ts").then((m) => m.ContainerCreateCommand) },
  { paths: [["start"], ["container", "start"]], load: () => import("./engine/start.ts").then((m) => m.ContainerStartCommand) },
  { paths: [["stop"], ["container", "stop"]], load: () => import("./engine/stop.ts").then((m) => m.ContainerStopCommand) },
  { paths: [["restart"], ["container", "restart"]], load: () => import("./engine/restart.ts").then((m) => m.ContainerRestartCommand) },
  { paths: [["kill"], ["container", "kill"]], load: () => import("./engine/kill.ts").then((m) => m.ContainerKillCommand) },
  { paths: [["rm"], ["container", "rm"], ["container", "remove"]], load: () => import("./engine/rm.ts").then((m) => m.ContainerRmCommand) },
  {
    paths: [["ps"], ["container", "ls"], ["container", "list"], ["container", "ps"]],
    load: () => import("./engine/ps.ts").then((m) => m.ContainerPsCommand),
  },
  { paths: [["logs"], ["container", "logs"]], load: () => import("./engine/logs.ts").then((m) => m.ContainerLogsCommand) },
  { paths: [["exec"], ["container", "exec"]], load: () => import("./engine/exec.ts").then((m) => m.ContainerExecCommand) },
  { paths: [["attach"], ["container", "attach"]], load: () => import("./engine/attach.ts").then((m) => m.ContainerAttachCommand) },
  { paths: [["wait"], ["container", "wait"]], load: () => import("./engine/wait.ts").then((m) => m.ContainerWaitCommand) },
  { paths: [["inspect"], ["container", "inspect"]], load: () => import("./engine/inspect.ts").then((m) => m.ContainerInspectCommand) },
  { paths: [["rename"], ["container", "rename"]], load: () => import("./engine/rename.ts").then((m) => m.ContainerRenameCommand) },
  { paths: [["events"], ["system", "events"]], load: () => import("./engine/events.ts").then((m) => m.SystemEventsCommand) },
  { paths: [["top"], ["container", "top"]], load: () => import("./engine/top.ts").then((m) => m.ContainerTopCommand) },
  { paths: [["stats"], ["container", "stats"]], load: () => import("./engine/stats.ts").then((m) => m.ContainerStatsCommand) },
  { paths: [["cp"], ["container", "cp"]], load: () => import("./engine/cp.ts").then((m) => m.ContainerCpCommand) },
  { paths: [["container", "prune"]], load: () => import("./engine/container-prune.ts").then((m) => m.ContainerPruneCommand) },
  { paths: [["system", "info"], ["info"]], load: () => import("./engine/system-info.ts").then((m) => m.SystemInfoCommand) },
  { paths: [["system", "df"]], load: () => import("./engine/system-df.ts").then((m) => m.SystemDfCommand) },
  { paths: [["system", "prune"]], load: () => import("./engine/system-prune.ts").then((m) => m.SystemPruneCommand) },
  { paths: [["system", "restore"]], load: () => import("./engine/system-restore.ts").then((m) => m.SystemRestoreCommand) },
];

const isPrefixOf = (path: string[], argv: string[]) => path.every((part, i) => argv[i] === part);

/** The one entry whose path is the longest prefix of argv, if exactly one is. */
export function commandFor(argv: string[]): CommandEntry | undefined {
  let best: CommandEntry[] = [];
  let bestLen = 0;
  for (const entry of COMMANDS) {
    for (const p of entry.paths) {
      if (!isPrefixOf(p, argv)) continue;
      if (p.length > bestLen) {
        best = [entry];
        bestLen = p.length;
      } else if (p.length === bestLen && !best.includes(entry)) {
        best.push(entry);
      }
    }
  }
  return best.length === 1 ? best[0] : undefined;
}

/** The first path of the command argv starts with (for "see 'husk X --help'" hints). */
export function knownPath(argv: string[]): string[] | undefined {
  return commandFor(argv)?.paths[0];
}
