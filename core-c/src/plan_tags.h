/* The plan: what Bun hands to husk-core, once, over a pipe.
 *
 * Encoding: a sequence of records, each `u16 tag | u32 length | payload` (little endian).
 * Scalars are u64 LE (8 bytes); strings are raw bytes without NUL; groups (G) carry a
 * nested record sequence. Unknown tags are an error so that a newer Bun never silently
 * loses a setting against an older husk-core. src/runtime/plan-tags.ts mirrors this
 * table; keep the numbers in sync. */
#ifndef HUSK_PLAN_TAGS_H
#define HUSK_PLAN_TAGS_H

enum husk_plan_tag {
  /* top level */
  HP_VERSION = 1,          /* u64: plan format version (HUSK_PLAN_VERSION) */
  HP_ID = 2,               /* str: container id */
  HP_ROOTFS = 3,           /* str: absolute rootfs path on the host */
  HP_ROOTFS_READONLY = 4,  /* u64 bool */
  HP_ROOTFS_PROPAGATION = 5, /* u64: MS_* propagation flags for the new root */
  HP_NO_PIVOT = 6,         /* u64 bool: MS_MOVE + chroot instead of pivot_root */
  HP_NAMESPACE = 7,        /* G: NS_TYPE, NS_PATH? */
  HP_UIDMAP = 8,           /* G: MAP_CONTAINER, MAP_HOST, MAP_SIZE */
  HP_GIDMAP = 9,           /* G: same */
  HP_MOUNT = 10,           /* G: M_* */
  HP_MASKED_PATH = 11,     /* str */
  HP_READONLY_PATH = 12,   /* str */
  HP_DEVICE = 13,          /* G: D_* */
  HP_HOSTNAME = 14,        /* str */
  HP_DOMAINNAME = 15,      /* str */
  HP_SYSCTL = 16,          /* G: KV_KEY, KV_VALUE */
  HP_CWD = 17,             /* str */
  HP_ARG = 18,             /* str, repeated: argv */
  HP_ENV = 19,             /* str, repeated: KEY=VALUE */
  HP_UID = 20,             /* u64 */
  HP_GID = 21,             /* u64 */
  HP_ADDITIONAL_GID = 22,  /* u64, repeated */
  HP_UMASK = 23,           /* u64 */
  HP_RLIMIT = 24,          /* G: RL_TYPE, RL_SOFT, RL_HARD */
  HP_CAP_BOUNDING = 25,    /* u64 mask (bit n = capability n) */
  HP_CAP_EFFECTIVE = 26,
  HP_CAP_PERMITTED = 27,
  HP_CAP_INHERITABLE = 28,
  HP_CAP_AMBIENT = 29,
  HP_NO_NEW_PRIVS = 30,    /* u64 bool */
  HP_OOM_SCORE_ADJ = 31,   /* u64 (two's complement of an int) */
  HP_SECCOMP_BPF = 32,     /* bytes: struct sock_filter[] */
  HP_SECCOMP_FLAGS = 33,   /* u64: SECCOMP_FILTER_FLAG_* */
  HP_PERSONALITY = 34,     /* u64: personality(2) domain */
  HP_TERMINAL = 35,        /* u64 bool */
  HP_CONSOLE_SOCKET = 36,  /* str: unix socket that receives the pty master */
  HP_EXEC_FIFO = 37,       /* str: fifo that `start` opens to release init */
  HP_CGROUP_DIR = 38,      /* str, repeated: cgroup directories (one per hierarchy) to join */
  HP_CGROUP_V2_DIR = 39,   /* str: the unified-hierarchy directory (CLONE_INTO_CGROUP) */
  HP_HOOK = 40,            /* G: H_* */
  HP_STATE_JSON = 41,      /* str: runtime-spec state object, without "pid" (added by C) */
  HP_DETACH = 42,          /* u64 bool: init becomes a child of our caller and waits on the fifo */
  HP_PRESERVE_FDS = 43,    /* u64: fds 3..3+n-1 are passed through to the container */
  HP_CGROUP_NS_AFTER_JOIN = 44, /* reserved */
  HP_TIME_OFFSET = 45,     /* G: TO_CLOCK (str "monotonic"|"boottime"), TO_SECS, TO_NSECS */
  HP_SIGNAL_FORWARD = 46,  /* u64 bool: forward terminating signals to the child (foreground) */
  HP_CONTAINER_PID = 47,   /* u64: exec mode: pid of the container's init to join */
  HP_NOTIFY_SOCKET = 48,   /* reserved */
  HP_MOUNT_LABEL = 49,     /* reserved */
  HP_CGROUP_RETURN_DIR = 50, /* str, repeated: the caller's own cgroup in each v1 hierarchy,
                              * in HP_CGROUP_DIR's order (see cgroup_join.h) */
  HP_CGROUP_WRITE = 51,    /* G: KV_KEY (cgroup file path), KV_VALUE: a limit written before clone */
  HP_DEVICE_RULE = 52,     /* G: DR_*: a device rule for the cgroup v2 eBPF filter, in order */

  /* `husk-core monitor` settings (decoded by monitor/monitor_plan.c) */
  HP_MON_LOG_PATH = 60,       /* str: CRI log file (rotated as PATH.1, PATH.2, ...) */
  HP_MON_LOG_MAX_SIZE = 61,   /* u64 bytes, 0 = never rotate */
  HP_MON_LOG_MAX_FILE = 62,   /* u64: files kept, the live one included (0 counts as 1) */
  HP_MON_OPEN_STDIN = 63,     /* u64 bool: the container's stdin is fed by attach clients */
  HP_MON_WAIT_ATTACH = 64,    /* u64 bool: create, then wait for a start frame (7) */
  HP_MON_ATTACH_SOCKET = 65,  /* str: listening socket path */
  HP_MON_STATUS_FILE = 66,    /* str: status.msgpack path */
  HP_MON_RESTART_POLICY = 67, /* u64: 0 no, 1 on-failure, 2 always, 3 unless-stopped */
  HP_MON_RESTART_MAX = 68,    /* u64: on-failure's retry limit, 0 = unlimited */
  HP_MON_STOP_SIGNAL = 69,    /* u64: signal for stop (default SIGTERM) */
  HP_MON_STOP_TIMEOUT = 70,   /* u64 seconds before SIGKILL when the monitor itself is told to stop */
  HP_MON_CLEANUP = 71,        /* G: MON_CLEANUP_ARG...: run on the final exit unless a client acks */
  HP_MON_OOM_COUNTER = 72,    /* G: MON_OOM_PATH, MON_OOM_KEY: a "key value" file whose count rises on an OOM kill */
  HP_MON_EVENTS_FILE = 73,    /* str: the engine's events.jsonl (die, oom, restart are appended here) */
  HP_MON_EVENT_ID = 74,       /* str: the container id written in each event */
  HP_MON_EVENT_ATTRS = 75,    /* str: JSON object members (no braces) put in each event's attributes */
  HP_MON_NETNS_ADD = 76,      /* str: make this network namespace file first (as `netns add`) unless it exists */

  /* HP_NAMESPACE members */
  NS_TYPE = 100,   /* u64: CLONE_NEW* flag */
  NS_PATH = 101,   /* str: join this namespace instead of creating one */
  /* HP_UIDMAP / HP_GIDMAP members */
  MAP_CONTAINER = 110, MAP_HOST = 111, MAP_SIZE = 112,
  /* HP_MOUNT members */
  M_SOURCE = 120,  /* str */
  M_DEST = 121,    /* str (absolute, inside the container) */
  M_TYPE = 122,    /* str: "bind", "proc", "tmpfs", ... */
  M_FLAGS = 123,   /* u64: MS_* flags to set */
  M_PROPAGATION = 124, /* u64 repeated: MS_SHARED/MS_SLAVE/MS_PRIVATE/MS_UNBINDABLE (|MS_REC) */
  M_DATA = 125,    /* str: filesystem options */
  M_ATTR_SET = 126, /* u64: MOUNT_ATTR_* to set recursively (rro, rnosuid, ...) */
  M_ATTR_CLR = 127, /* u64: MOUNT_ATTR_* to clear recursively */
  M_UIDMAP = 128,  /* G: idmapped mount uid map entry */
  M_GIDMAP = 129,  /* G: idmapped mount gid map entry */
  M_CLEAR_FLAGS = 130, /* u64: MS_* flags explicitly cleared (e.g. "rw", "suid") */
  /* HP_DEVICE members */
  D_PATH = 140, D_TYPE = 141 /* u64 'c','b','p','u' */, D_MAJOR = 142, D_MINOR = 143,
  D_MODE = 144, D_UID = 145, D_GID = 146,
  /* HP_SYSCTL members */
  KV_KEY = 150, KV_VALUE = 151,
  /* HP_RLIMIT members */
  RL_TYPE = 160, RL_SOFT = 161, RL_HARD = 162,
  /* HP_HOOK members */
  H_PHASE = 170,   /* u64: enum husk_hook_phase */
  H_PATH = 171, H_ARG = 172, H_ENV = 173, H_TIMEOUT = 174 /* u64 seconds, 0 = none */,
  /* HP_TIME_OFFSET members */
  TO_CLOCK = 180, TO_SECS = 181, TO_NSECS = 182,
  /* HP_DEVICE_RULE members */
  DR_ALLOW = 190 /* u64 bool */, DR_TYPE = 191 /* u64 'a','c','b' */, DR_MAJOR = 192 /* i64, -1 any */,
  DR_MINOR = 193 /* i64, -1 any */, DR_ACCESS = 194 /* u64: mknod 1, read 2, write 4 */,
  /* HP_MON_CLEANUP members */
  MON_CLEANUP_ARG = 200,   /* str, repeated: argv (argv[0] an absolute path) */
  /* HP_MON_OOM_COUNTER members */
  MON_OOM_PATH = 201,      /* str: memory.events (v2) or memory.oom_control (v1) */
  MON_OOM_KEY = 202,       /* str: the counter's name, "oom_kill" */
};

enum husk_hook_phase {
  HOOK_PRESTART = 0,
  HOOK_CREATE_RUNTIME = 1,
  HOOK_CREATE_CONTAINER = 2,
  HOOK_START_CONTAINER = 3,
  HOOK_POSTSTART = 4,
  HOOK_POSTSTOP = 5,
  HOOK_PHASES = 6,
};

#define HUSK_PLAN_VERSION 1

#endif
