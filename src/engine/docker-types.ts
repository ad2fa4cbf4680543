// The parts of docker's container Config and HostConfig that husk keeps in a record and
// shows in `inspect` (field names as docker spells them, so scripts read them unchanged).

export interface ContainerConfig {
  Hostname: string;
  Domainname: string;
  User: string;
  AttachStdin: boolean;
  AttachStdout: boolean;
  AttachStderr: boolean;
  ExposedPorts?: Record<string, object>;
  Tty: boolean;
  OpenStdin: boolean;
  StdinOnce: boolean;
  Env: string[];
  Cmd: string[] | null;
  Image: string;
  Volumes: Record<string, object> | null;
  WorkingDir: string;
  Entrypoint: string[] | null;
  Labels: Record<string, string>;
  StopSignal: string;
  StopTimeout?: number;
  MacAddress?: string;
}

export interface MountSpec {
  Type: "bind" | "volume" | "tmpfs";
  /** Host path (bind) or volume name (volume); empty for tmpfs. */
  Source: string;
  Target: string;
  ReadOnly: boolean;
  /** bind propagation, tmpfs size/mode, ... */
  Options: string[];
  /** Type volume: docker's VolumeOptions (--mount volume-driver/-opt/-label/-nocopy, -v :nocopy). */
  VolumeOptions?: {
    NoCopy?: boolean;
    Labels?: Record<string, string>;
    DriverConfig?: { Name: string; Options: Record<string, string> };
  };
}

export interface RestartPolicy {
  Name: "no" | "on-failure" | "always" | "unless-stopped";
  MaximumRetryCount: number;
}

export interface Ulimit {
  Name: string;
  Soft: number;
  Hard: number;
}

export interface DeviceMapping {
  PathOnHost: string;
  PathInContainer: string;
  CgroupPermissions: string;
}

export interface HostConfig {
  Binds: string[];
  Mounts: MountSpec[];
  Tmpfs: Record<string, string>;
  NetworkMode: string;
  RestartPolicy: RestartPolicy;
  AutoRemove: boolean;
  Privileged: boolean;
  ReadonlyRootfs: boolean;
  Init: boolean;
  CapAdd: string[];
  CapDrop: string[];
  SecurityOpt: string[];
  Memory: number;
  MemorySwap: number;
  NanoCpus: number;
  CpuShares: number;
  CpusetCpus: string;
  PidsLimit: number;
  Ulimits: Ulimit[];
  Sysctls: Record<string, string>;
  Devices: DeviceMapping[];
  UsernsMode: string;
  CgroupParent: string;
  LogConfig: { Type: "json-file" | "k8s-file"; Config: Record<string, string> };
  // Networks (#6); optional so that older records still read.
  PortBindings?: Record<string, { HostIp: string; HostPort: string }[]>;
  PublishAllPorts?: boolean;
  Dns?: string[];
  DnsSearch?: string[];
  DnsOptions?: string[];
  ExtraHosts?: string[];
}
