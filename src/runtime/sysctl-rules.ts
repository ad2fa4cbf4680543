// Which sysctls a container may set: only those the kernel scopes to a namespace the
// container has of its own (the rules runc and crun apply). Anything else would change
// the host.
import type { LinuxNamespace } from "../oci/spec.ts";
import { HuskError } from "./errors.ts";

const IPC_KEYS = new Set(["kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem", "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced"]);

/** The namespace type that scopes `key`, or undefined when no namespace does. */
export function sysctlNamespace(key: string): "ipc" | "network" | "uts" | undefined {
  if (IPC_KEYS.has(key) || key.startsWith("fs.mqueue.")) return "ipc";
  if (key.startsWith("net.")) return "network";
  if (key === "kernel.hostname" || key === "kernel.domainname") return "uts";
  return undefined;
}

export function checkSysctls(sysctl: Record<string, string> | undefined, namespaces: readonly LinuxNamespace[] | undefined): void {
  for (const key of Object.keys(sysctl ?? {})) {
    const where = `linux.sysctl["${key}"]`;
    const ns = sysctlNamespace(key);
    if (!ns) throw new HuskError(`${where}: not scoped to any namespace, so setting it would change the host`, "remove it, or set it on the host");
    if (!(namespaces ?? []).some((n) => n.type === ns))
      throw new HuskError(`${where}: needs the container's own ${ns} namespace`, `add {"type": "${ns}"} to linux.namespaces`);
  }
}
