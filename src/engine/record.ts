// The container record (<data-root>/containers/<id>/record.msgpack): what the user asked
// for, kept until `rm`. Live facts (pid, status) are never here: they come from the
// monitor's status.msgpack and /proc (see container-state.ts).
import type { SnapshotInfo } from "../storage/snapshot.ts";
import type { ContainerConfig, HostConfig } from "./docker-types.ts";
import type { EndpointSettings, SandboxRecord } from "./network-types.ts";

export interface ContainerRecord {
  version: 1;
  id: string;
  name: string;
  /** The image id, "sha256:<hex>" (what `image rm` checks). */
  image: string;
  /** What the user typed, normalised. */
  imageRef: string;
  created: string;
  config: ContainerConfig;
  hostConfig: HostConfig;
  snapshot: SnapshotInfo;
  network?: SandboxRecord;
  /** The networks the container is connected to, by network name (src/engine/network-attach.ts). */
  networks?: Record<string, EndpointSettings>;
  /** The container's cgroup (what `stop` and `rm` clean up when the monitor is gone). */
  cgroup?: { dirs: string[]; v2Dir?: string; created: string[] };
  /** Set when the container runs in its own user namespace (--userns auto, --uidmap). */
  userns?: import("./userns.ts").RecordUserns;
  /** Paths of the named volumes this container created (rm -v removes them). */
  anonymousVolumes?: string[];
}

export const RECORD_VERSION = 1;
