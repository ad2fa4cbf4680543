/* The decoded plan (see plan_tags.h for the wire format). */
#ifndef HUSK_PLAN_H
#define HUSK_PLAN_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cgroup_devices.h"
#include "error.h"
#include "plan_tags.h"
#include "monitor/monitor_plan.h"

struct husk_ns { uint64_t type; char *path; };
struct husk_idmap { uint64_t container, host, size; };
struct husk_mount {
  char *source, *dest, *type, *data;
  uint64_t flags, clear_flags, attr_set, attr_clr;
  uint64_t propagation[4];
  size_t n_propagation;
  struct husk_idmap *uidmap, *gidmap;
  size_t n_uidmap, n_gidmap;
};
struct husk_device { char *path; uint64_t type, major, minor, mode, uid, gid; };
struct husk_kv { char *key, *value; };
struct husk_rlimit { uint64_t type, soft, hard; };
struct husk_hook { uint64_t phase, timeout; char *path; char **args; size_t n_args; char **env; size_t n_env; };
struct husk_time_offset { char *clock; int64_t secs, nsecs; };

struct husk_plan {
  uint64_t version;
  char *id, *rootfs, *hostname, *domainname, *cwd, *console_socket, *exec_fifo, *state_json;
  char *cgroup_v2_dir;
  int rootfs_readonly, no_pivot, no_new_privs, terminal, detach, signal_forward;
  int has_hostname, has_domainname, has_oom_score_adj, has_umask, has_personality;
  uint64_t rootfs_propagation;
  uint64_t uid, gid, umask, personality, preserve_fds, container_pid;
  int64_t oom_score_adj;
  uint64_t cap_bounding, cap_effective, cap_permitted, cap_inheritable, cap_ambient;
  int has_caps;
  unsigned char *seccomp_bpf;
  size_t seccomp_len;
  uint64_t seccomp_flags;

  struct husk_ns *ns; size_t n_ns;
  struct husk_idmap *uidmap; size_t n_uidmap;
  struct husk_idmap *gidmap; size_t n_gidmap;
  struct husk_mount *mounts; size_t n_mounts;
  char **masked; size_t n_masked;
  char **readonly; size_t n_readonly;
  struct husk_device *devices; size_t n_devices;
  struct husk_kv *sysctl; size_t n_sysctl;
  char **argv; size_t n_argv;  /* NULL-terminated */
  char **envp; size_t n_envp;  /* NULL-terminated */
  uint64_t *add_gids; size_t n_add_gids;
  struct husk_rlimit *rlimits; size_t n_rlimits;
  char **cgroup_dirs; size_t n_cgroup_dirs;
  char **cgroup_return_dirs; size_t n_cgroup_return_dirs;
  struct husk_kv *cgroup_writes; size_t n_cgroup_writes;
  struct husk_dev_rule *dev_rules; size_t n_dev_rules;
  struct husk_hook *hooks; size_t n_hooks;
  struct husk_time_offset *time_offsets; size_t n_time_offsets;
  struct husk_monitor_plan *monitor; /* monitor mode only (HP_MON_*), else NULL */
};

/* Decode `len` bytes into `plan` (zeroed first). */
int husk_plan_decode(const unsigned char *buf, size_t len, struct husk_plan *plan, husk_error_t *err);
/* Read the whole plan from fd until EOF, then decode. */
int husk_plan_read_fd(int fd, struct husk_plan *plan, husk_error_t *err);
void husk_plan_free(struct husk_plan *plan);

/* Namespace helpers. */
const struct husk_ns *husk_plan_ns(const struct husk_plan *plan, uint64_t type);
/* CLONE_NEW* flags of namespaces that are created (not joined). */
uint64_t husk_plan_new_ns_flags(const struct husk_plan *plan);

#endif
