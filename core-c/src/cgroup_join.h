/* Placing a process in its cgroups (one directory per v1 hierarchy, plus the unified
 * one). Limits are written elsewhere; this only creates and joins. */
#ifndef HUSK_CGROUP_JOIN_H
#define HUSK_CGROUP_JOIN_H
#include <sys/types.h>
#include "error.h"
#include "plan.h"
/* mkdir -p every cgroup directory; returns an fd on the unified directory for
 * CLONE_INTO_CGROUP (or -1 when the plan has none). */
int husk_cgroup_prepare(const struct husk_plan *plan, int *v2_fd, husk_error_t *err);
/* Write pid to cgroup.procs of every v1 directory (unless v1_joined) and of the unified
 * one (unless v2_joined). */
int husk_cgroup_join(const struct husk_plan *plan, pid_t pid, int v1_joined, int v2_joined, husk_error_t *err);
/* Move this (single-threaded) process into `dirs` by writing "0" to their `tasks` files.
 * The kernel takes its global threadgroup lock (and waits out an RCU grace period, 10-20
 * ms after a quiet spell) for cgroup.procs writes and for moving another process, but not
 * for a thread moving itself. So husk-core enters the container's v1 cgroups, clones
 * (the child is born there), and steps back out: no wait on the creation path. */
int husk_cgroup_enter_self(char *const *dirs, size_t n, husk_error_t *err);
int husk_mkdir_p(const char *path, mode_t mode, husk_error_t *err);
/* Write one value to one cgroup file (one open, one write). */
int husk_cgroup_write(const char *path, const char *value, husk_error_t *err);
/* The plan's resource limits, in order, into the freshly made (still empty) cgroups. */
int husk_cgroup_apply(const struct husk_plan *plan, husk_error_t *err);
#endif
