// The local volume driver: named volumes under <data-root>/volumes/NAME/_data, plain
// directories by default, or a tmpfs / device / bind mounted on _data when created with
// type/device/o options. Mounts are reference-counted by mount id: the first user mounts,
// the last one to leave unmounts. Written against the public plugin API only (host.mounts
// for the syscalls, host.withLock around every read-modify-write).
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import type { PluginHost, PluginManifest, VolumeCapabilities, VolumeConfig, VolumeDriver } from "../../../src/plugin/api.ts";
import { type LocalVolumeMeta, readMeta, writeMeta } from "./meta.ts";
import { type LocalMountPlan, localMountPlan } from "./options.ts";

export const manifest: PluginManifest = {
  name: "local",
  kind: "volume",
  apiVersion: "1.0",
  description: "named volumes under <data-root>/volumes, optionally a tmpfs, a device or a bind (type/device/o)",
};

const LOCK = "volumes";
const NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{1,254}$/;

export function create(host: PluginHost): VolumeDriver {
  const base = join(host.dataRoot, "volumes");
  const dirOf = (name: string) => {
    if (!NAME_RE.test(name)) throw host.error(`"${name}" is not a volume name`);
    return join(base, name);
  };
  const dataOf = (name: string) => join(dirOf(name), "_data");
  const metaOf = (name: string) => join(dirOf(name), "local.msgpack");
  const toConfig = (m: LocalVolumeMeta): VolumeConfig => ({ name: m.name, driver: manifest.name, created: m.created, options: m.options, labels: {} });

  const plan = (options: Record<string, string>): LocalMountPlan => {
    const p = localMountPlan(options);
    if ("error" in p) throw host.error(p.error, p.hint);
    return p;
  };

  const load = (name: string): LocalVolumeMeta => {
    const m = readMeta(metaOf(name));
    if (!m) throw host.error(`volume ${name} does not exist`, "create it with 'husk volume create'");
    return m;
  };

  const mountData = (m: LocalVolumeMeta) => {
    const p = plan(m.options);
    const target = dataOf(m.name);
    if (p.kind === "none" || host.mounts.isMountPoint(target)) return;
    try {
      if (p.kind === "bind") host.mounts.bind(p.source, target, { recursive: p.recursive, readOnly: p.readOnly });
      else host.mounts.mountFs(p.fstype, p.options, target, p.flags);
    } catch (e) {
      const err = e as Error & { code?: string };
      throw host.error(`mount ${p.kind === "bind" ? p.source : p.fstype} on ${target}: ${err.message}`, err.code === "ENOENT" ? "check the device path" : "check the volume's type, device and o options");
    }
    host.debug(`mounted ${m.name}`);
  };

  const unmountData = (name: string) => {
    if (host.mounts.unmount(dataOf(name))) host.debug(`unmounted ${name}`);
  };

  return {
    capabilities: (): VolumeCapabilities => ({ scope: "local", propagation: ["private", "rprivate", "shared", "rshared", "slave", "rslave"] }),

    create(name, options) {
      const p = plan(options); // refuse bad options before anything exists
      if (p.kind === "bind" && !existsSync(p.source)) throw host.error(`bind device ${p.source} does not exist`, "create the host directory first");
      return host.withLock(LOCK, () => {
        const old = readMeta(metaOf(name));
        if (old) {
          if (JSON.stringify(old.options) !== JSON.stringify(options))
            throw host.error(`volume ${name} already exists with other options`, "remove it first, or create it with the same options");
          return toConfig(old);
        }
        mkdirSync(dataOf(name), { recursive: true, mode: 0o755 });
        const meta: LocalVolumeMeta = { name, created: new Date().toISOString(), options: { ...options }, mountIds: [] };
        writeMeta(metaOf(name), meta);
        return toConfig(meta);
      });
    },

    mount(vol, mountId) {
      return host.withLock(LOCK, () => {
        const m = load(vol.name);
        // Mounted again when the kernel lost it (a reboot) although users are recorded.
        mountData(m);
        if (!m.mountIds.includes(mountId)) {
          m.mountIds.push(mountId);
          writeMeta(metaOf(vol.name), m);
        }
        return { hostPath: dataOf(vol.name) };
      });
    },

    unmount(vol, mountId) {
      host.withLock(LOCK, () => {
        const m = readMeta(metaOf(vol.name));
        if (!m) return;
        const left = m.mountIds.filter((id) => id !== mountId);
        if (left.length !== m.mountIds.length) {
          m.mountIds = left;
          writeMeta(metaOf(vol.name), m);
        }
        if (left.length === 0) unmountData(vol.name);
      });
    },

    remove(vol) {
      host.withLock(LOCK, () => {
        const m = readMeta(metaOf(vol.name));
        if (m?.mountIds.length) throw host.error(`volume ${vol.name} is mounted by ${m.mountIds.length} user(s): ${m.mountIds.map((i) => i.slice(0, 12)).join(", ")}`, "remove the containers that use it first");
        unmountData(vol.name);
        // Never delete through a mount: a bind's host files must survive.
        if (host.mounts.isMountPoint(dataOf(vol.name))) throw host.error(`${dataOf(vol.name)} is still mounted`, "unmount it by hand");
        rmSync(dirOf(vol.name), { recursive: true, force: true });
      });
    },

    list() {
      let names: string[];
      try {
        names = readdirSync(base).sort();
      } catch {
        return [];
      }
      const out: VolumeConfig[] = [];
      for (const n of names) {
        if (!NAME_RE.test(n)) continue;
        const m = readMeta(metaOf(n));
        if (m) out.push(toConfig(m));
      }
      return out;
    },

    inspect(vol) {
      const m = load(vol.name);
      const data = dataOf(vol.name);
      const p = plan(m.options);
      return {
        Mountpoint: data,
        Mounted: p.kind === "none" ? true : host.mounts.isMountPoint(data),
        MountCount: m.mountIds.length,
        CreatedAt: m.created,
        Empty: isEmptyDir(data),
      };
    },
  };
}

function isEmptyDir(dir: string): boolean {
  try {
    return statSync(dir).isDirectory() && readdirSync(dir).length === 0;
  } catch {
    return false;
  }
}

