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
/* Write pid to cgroup.procs of every directory (the unified one only if !v2_joined). */
int husk_cgroup_join(const struct husk_plan *plan, pid_t pid, int v2_joined, husk_error_t *err);
int husk_mkdir_p(const char *path, mode_t mode, husk_error_t *err);
#endif
