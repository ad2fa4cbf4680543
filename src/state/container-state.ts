// The record husk keeps for each OCI container (msgpack, under <root>/containers/<id>/).
import type { Spec } from "../oci/spec.ts";

export const STATE_VERSION = 1;

export interface CgroupPlacement {
  /** One directory per v1 hierarchy the container joined. */
  dirs: string[];
  /** The unified-hierarchy directory (v2 or hybrid), if any. */
  v2Dir?: string;
  /** Directories husk created (deepest last); removed in reverse on delete. */
  created: string[];
}

export interface ContainerState {
  version: number;
  id: string;
  pid: number;
  pidStartTime: number;
  bundle: string;
  rootfs: string;
  created: string; // ISO 8601
  owner: string;
  ociVersion: string;
  annotations: Record<string, string>;
  cgroup: CgroupPlacement;
  /** The config.json as it was at create time (exec and hooks need it later). */
  spec: Spec;
}

export type OciStatus = "creating" | "created" | "running" | "paused" | "stopped";
