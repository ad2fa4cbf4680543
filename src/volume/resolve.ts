// The engine's entry point for volumes (docs/plugins.md, "Volumes and the engine"):
//   attachVolumes   at create: make each named/anonymous volume on first use, mount it for
//                   the container (mount id = container id), fill an empty one from the
//                   image (copy-up), and say which host path to bind where;
//   releaseVolumes  at rm: unmount them, and with `rm -v` remove the anonymous ones.
// Mounts stay up from create to rm (not start to stop): the bundle's config.json names the
// host paths, and a stopped container must restart without husk being asked first.
import type { MountSpec } from "../engine/docker-types.ts";
import type { VolumeRecord } from "./catalog.ts";
import { copyUp } from "./copy-up.ts";
import { createVolume, findVolume, mountVolume, removeVolume, unmountVolume, type VolumeContext } from "./manager.ts";

export interface AttachedVolumes {
  /** volume name -> host path to bind */
  hostPaths: Map<string, string>;
  /** the names mounted for this container, in order (what releaseVolumes undoes) */
  names: string[];
}

/**
 * Creates (on first use) and mounts every volume of `mounts` for container `containerId`.
 * Mounts with an empty Source get an anonymous volume; their names are written into
 * `Source`. `rootfs` is the container's mounted root, from which empty volumes are filled
 * (unless nocopy). On failure, what was mounted is unmounted again and the error thrown.
 */
export async function attachVolumes(ctx: VolumeContext, containerId: string, mounts: MountSpec[], rootfs?: string): Promise<AttachedVolumes> {
  const out: AttachedVolumes = { hostPaths: new Map(), names: [] };
  try {
    for (const m of mounts) {
      if (m.Type !== "volume") continue;
      const driver = m.VolumeOptions?.DriverConfig?.Name;
      let rec: VolumeRecord | undefined = m.Source ? await findVolume(ctx, m.Source, driver && driver !== "local" ? driver : undefined) : undefined;
      rec ??= await createVolume(ctx, {
        name: m.Source || undefined,
        driver,
        options: m.VolumeOptions?.DriverConfig?.Options,
        labels: m.VolumeOptions?.Labels,
        anonymous: !m.Source,
      });
      m.Source = rec.name;
      if (out.hostPaths.has(rec.name)) continue; // one volume at two paths: mounted once
      const hostPath = await mountVolume(ctx, rec.name, containerId);
      out.names.push(rec.name);
      out.hostPaths.set(rec.name, hostPath);
      // docker's rule: an empty volume takes the image's files at its path, unless nocopy.
      if (rootfs && !m.VolumeOptions?.NoCopy) copyUp(rootfs, m.Target, hostPath);
    }
  } catch (e) {
    await releaseVolumes(ctx, containerId, out.names).catch(() => {});
    throw e;
  }
  return out;
}

/** Unmounts the container's volumes; with `removeAnonymous`, removes those of them that
 * are anonymous and that no other container uses (docker's `rm -v`). Call it after the
 * container's record is gone, or the record still counts as a user. */
export async function releaseVolumes(ctx: VolumeContext, containerId: string, names: string[], opts: { removeAnonymous?: boolean } = {}): Promise<void> {
  const errors: Error[] = [];
  for (const name of [...names].reverse()) {
    try {
      await unmountVolume(ctx, name, containerId);
    } catch (e) {
      errors.push(e as Error);
    }
  }
  if (opts.removeAnonymous)
    for (const name of names) {
      const rec = await findVolume(ctx, name);
      if (!rec?.anonymous) continue;
      try {
        await removeVolume(ctx, name);
      } catch (e) {
        if (!/is in use/.test((e as Error).message)) errors.push(e as Error);
      }
    }
  if (errors.length) throw errors[0];
}

/** Every volume a container's mounts name (what the engine passes to releaseVolumes). */
export function volumeNamesOf(mounts: MountSpec[]): string[] {
  return [...new Set(mounts.filter((m) => m.Type === "volume" && m.Source).map((m) => m.Source))];
}
