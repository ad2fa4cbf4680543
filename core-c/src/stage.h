/* Named stages of container creation. A failure anywhere is reported as
 * (stage, path, errno, message) so that the user learns where it broke. */
#ifndef HUSK_STAGE_H
#define HUSK_STAGE_H

enum husk_stage {
  ST_PLAN = 0,          /* reading and decoding the plan */
  ST_PREPARE,           /* parent: opening namespace paths, cgroup dirs, fifo */
  ST_CLONE,             /* parent: clone3 / clone */
  ST_IDMAP,             /* parent: writing uid_map / gid_map */
  ST_CGROUP,            /* parent: placing the child in its cgroups */
  ST_JOIN_NS,           /* child: setns into namespaces given by path */
  ST_HOSTNAME,          /* child: sethostname / setdomainname */
  ST_MOUNTS,            /* child: rootfs bind and config.json mounts */
  ST_HOOKS_RUNTIME,     /* parent: prestart and createRuntime hooks */
  ST_HOOKS_CONTAINER,   /* child: createContainer hooks */
  ST_DEVICES,           /* child: /dev and device nodes */
  ST_PIVOT,             /* child: pivot_root (or MS_MOVE + chroot) */
  ST_PATHS,             /* child: masked and read-only paths, read-only root */
  ST_SYSCTL,            /* child: writing /proc/sys */
  ST_CONSOLE,           /* child: pty and console socket */
  ST_PROCESS,           /* child: rlimits, oom_score_adj, personality, umask, cwd */
  ST_USER,              /* child: setgroups / setresgid / setresuid */
  ST_CAPS,              /* child: capability sets and no_new_privs */
  ST_SECCOMP,           /* child: loading the seccomp filter */
  ST_EXEC_FIFO,         /* child: waiting for `start` */
  ST_HOOKS_START,       /* child: startContainer hooks */
  ST_EXEC,              /* child: execve of process.args[0] */
  ST_WAIT,              /* parent: waiting for the container */
  ST_COUNT
};

const char *husk_stage_name(int stage);

#endif
