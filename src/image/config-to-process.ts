// An image's config (Entrypoint, Cmd, Env, WorkingDir, User) turned into the runtime-spec
// process, with docker's override rules. User and group names are resolved from the
// image's own /etc/passwd and /etc/group.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Process } from "../oci/spec.ts";
import { HuskError } from "../runtime/errors.ts";

/** The "config" object of an OCI/Docker image configuration. */
export interface ImageConfig {
  User?: string;
  Env?: string[];
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  WorkingDir?: string;
  ExposedPorts?: Record<string, object>;
  Volumes?: Record<string, object>;
  StopSignal?: string;
  Labels?: Record<string, string>;
}

export interface ProcessOverrides {
  /** Replaces the image's Entrypoint (and drops its Cmd unless `cmd` is given). */
  entrypoint?: string[];
  cmd?: string[];
  /** KEY=VALUE, overriding the image's. */
  env?: string[];
  workdir?: string;
  user?: string;
}

export const DEFAULT_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

function mergeEnv(base: string[], over: string[]): string[] {
  const out = new Map<string, string>();
  for (const e of [...base, ...over]) {
    const eq = e.indexOf("=");
    out.set(eq < 0 ? e : e.slice(0, eq), e);
  }
  if (!out.has("PATH")) out.set("PATH", DEFAULT_PATH);
  return [...out.values()];
}

interface PasswdEntry { name: string; uid: number; gid: number }
interface GroupEntry { name: string; gid: number; members: string[] }

function readLines(rootfs: string, file: string): string[] {
  try {
    return readFileSync(join(rootfs, file), "utf8").split("\n").filter((l) => l && !l.startsWith("#"));
  } catch {
    return [];
  }
}

function passwd(rootfs: string): PasswdEntry[] {
  return readLines(rootfs, "etc/passwd").map((l) => l.split(":")).filter((f) => f.length >= 4).map((f) => ({ name: f[0]!, uid: Number(f[2]), gid: Number(f[3]) }));
}

function groups(rootfs: string): GroupEntry[] {
  return readLines(rootfs, "etc/group").map((l) => l.split(":")).filter((f) => f.length >= 3)
    .map((f) => ({ name: f[0]!, gid: Number(f[2]), members: (f[3] ?? "").split(",").filter(Boolean) }));
}

const isNumber = (s: string) => /^\d+$/.test(s);

/** docker's user forms: name, uid, name:group, uid:gid, name:gid, uid:group. */
export function resolveUser(spec: string, rootfs: string): { uid: number; gid: number; additionalGids: number[] } {
  if (!spec) return { uid: 0, gid: 0, additionalGids: [] };
  const [userPart = "", groupPart] = spec.split(":", 2);
  const users = passwd(rootfs);
  let uid: number;
  let gid: number;
  let name: string | undefined;
  if (isNumber(userPart)) {
    uid = Number(userPart);
    const entry = users.find((u) => u.uid === uid);
    gid = entry?.gid ?? 0;
    name = entry?.name;
  } else {
    const entry = users.find((u) => u.name === userPart);
    if (!entry) throw new HuskError(`user "${userPart}" is not in the image's /etc/passwd`, "use a numeric uid, or a user the image defines");
    uid = entry.uid;
    gid = entry.gid;
    name = entry.name;
  }
  const grp = groups(rootfs);
  if (groupPart !== undefined) {
    if (isNumber(groupPart)) gid = Number(groupPart);
    else {
      const g = grp.find((x) => x.name === groupPart);
      if (!g) throw new HuskError(`group "${groupPart}" is not in the image's /etc/group`, "use a numeric gid, or a group the image defines");
      gid = g.gid;
    }
  }
  // Supplementary groups the image lists the user in, as docker adds them.
  const additionalGids = name ? [...new Set(grp.filter((g) => g.members.includes(name) && g.gid !== gid).map((g) => g.gid))] : [];
  return { uid, gid, additionalGids };
}

export function imageProcess(config: ImageConfig, rootfs: string, over: ProcessOverrides = {}): Pick<Process, "args" | "env" | "cwd" | "user"> {
  const entrypoint = over.entrypoint ?? config.Entrypoint ?? [];
  const cmd = over.cmd ?? (over.entrypoint ? [] : config.Cmd ?? []);
  const args = [...entrypoint, ...cmd];
  if (!args.length) throw new HuskError("the image has no Entrypoint or Cmd, and no command was given", "pass a command after the image name");
  const user = resolveUser(over.user ?? config.User ?? "", rootfs);
  return {
    args,
    env: mergeEnv(config.Env ?? [], over.env ?? []),
    cwd: over.workdir ?? (config.WorkingDir || "/"),
    user: { uid: user.uid, gid: user.gid, ...(user.additionalGids.length ? { additionalGids: user.additionalGids } : {}) },
  };
}
