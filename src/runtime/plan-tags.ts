// Mirror of core-c/src/plan_tags.h: the tags of the plan that Bun hands to husk-core.
// Keep the numbers identical; test/unit/plan-encoder.test.ts checks them against the header.

export const PLAN_VERSION = 1;

export const Tag = {
  VERSION: 1, ID: 2, ROOTFS: 3, ROOTFS_READONLY: 4, ROOTFS_PROPAGATION: 5, NO_PIVOT: 6,
  NAMESPACE: 7, UIDMAP: 8, GIDMAP: 9, MOUNT: 10, MASKED_PATH: 11, READONLY_PATH: 12,
  DEVICE: 13, HOSTNAME: 14, DOMAINNAME: 15, SYSCTL: 16, CWD: 17, ARG: 18, ENV: 19,
  UID: 20, GID: 21, ADDITIONAL_GID: 22, UMASK: 23, RLIMIT: 24,
  CAP_BOUNDING: 25, CAP_EFFECTIVE: 26, CAP_PERMITTED: 27, CAP_INHERITABLE: 28, CAP_AMBIENT: 29,
  NO_NEW_PRIVS: 30, OOM_SCORE_ADJ: 31, SECCOMP_BPF: 32, SECCOMP_FLAGS: 33, PERSONALITY: 34,
  TERMINAL: 35, CONSOLE_SOCKET: 36, EXEC_FIFO: 37, CGROUP_DIR: 38, CGROUP_V2_DIR: 39,
  HOOK: 40, STATE_JSON: 41, DETACH: 42, PRESERVE_FDS: 43, TIME_OFFSET: 45,
  SIGNAL_FORWARD: 46, CONTAINER_PID: 47, CGROUP_RETURN_DIR: 50, CGROUP_WRITE: 51,

  NS_TYPE: 100, NS_PATH: 101,
  MAP_CONTAINER: 110, MAP_HOST: 111, MAP_SIZE: 112,
  M_SOURCE: 120, M_DEST: 121, M_TYPE: 122, M_FLAGS: 123, M_PROPAGATION: 124, M_DATA: 125,
  M_ATTR_SET: 126, M_ATTR_CLR: 127, M_UIDMAP: 128, M_GIDMAP: 129, M_CLEAR_FLAGS: 130,
  D_PATH: 140, D_TYPE: 141, D_MAJOR: 142, D_MINOR: 143, D_MODE: 144, D_UID: 145, D_GID: 146,
  KV_KEY: 150, KV_VALUE: 151,
  RL_TYPE: 160, RL_SOFT: 161, RL_HARD: 162,
  H_PHASE: 170, H_PATH: 171, H_ARG: 172, H_ENV: 173, H_TIMEOUT: 174,
  TO_CLOCK: 180, TO_SECS: 181, TO_NSECS: 182,
  DEVICE_RULE: 52, DR_ALLOW: 190, DR_TYPE: 191, DR_MAJOR: 192, DR_MINOR: 193, DR_ACCESS: 194,
} as const;

export const HookPhase = {
  prestart: 0, createRuntime: 1, createContainer: 2, startContainer: 3, poststart: 4, poststop: 5,
} as const;
export type HookPhaseName = keyof typeof HookPhase;

/** CLONE_NEW* flags by runtime-spec namespace type. */
export const CloneFlag = {
  mount: 0x00020000, uts: 0x04000000, ipc: 0x08000000, user: 0x10000000, pid: 0x20000000,
  network: 0x40000000, cgroup: 0x02000000, time: 0x00000080,
} as const;
