/* Joining namespaces given by path, the time namespace, hostname and domainname. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../cleanup.h"
#include "../stage.h"
#include "../syscalls.h"
#include "child.h"

/* The user namespace is joined first so that the others are joined with its privileges;
 * the mount namespace last, because paths resolve differently once inside it. PID is
 * joined by the parent before clone (setns on a pid namespace only affects children). */
static const uint64_t join_order[] = {CLONE_NEWUSER, CLONE_NEWIPC, CLONE_NEWUTS, CLONE_NEWNET,
                                      CLONE_NEWCGROUP, CLONE_NEWTIME, CLONE_NEWNS};

int husk_child_join_namespaces(struct husk_child_ctx *ctx, husk_error_t *err) {
  const struct husk_plan *plan = ctx->plan;
  for (size_t o = 0; o < sizeof(join_order) / sizeof(join_order[0]); o++) {
    for (size_t i = 0; i < plan->n_ns; i++) {
      if (plan->ns[i].type != join_order[o] || ctx->ns_fds[i] < 0) continue;
      if (setns(ctx->ns_fds[i], (int)plan->ns[i].type) < 0)
        return husk_fail_errno(err, plan->ns[i].path, "setns");
      close(ctx->ns_fds[i]);
      ctx->ns_fds[i] = -1;
      if (plan->ns[i].type == CLONE_NEWUSER) ctx->new_userns = 1;
    }
  }
  return 0;
}

/* Entered after the parent placed us in our cgroups, so that the namespace's root is
 * the container's own cgroup in every hierarchy. */
int husk_child_cgroup_namespace(const struct husk_plan *plan, husk_error_t *err) {
  const struct husk_ns *ns = husk_plan_ns(plan, CLONE_NEWCGROUP);
  if (!ns || ns->path) return 0;
  if (unshare(CLONE_NEWCGROUP) < 0) return husk_fail_errno(err, "", "unshare cgroup namespace");
  return 0;
}

/* A new time namespace applies from the next execve, which lets us write the offsets
 * first (they are frozen once a process lives in the namespace). */
int husk_child_time_namespace(const struct husk_plan *plan, husk_error_t *err) {
  const struct husk_ns *ns = husk_plan_ns(plan, CLONE_NEWTIME);
  if (!ns || ns->path) {
    if (plan->n_time_offsets)
      return husk_fail(err, EINVAL, "linux.timeOffsets", "time offsets need a new time namespace");
    return 0;
  }
  if (unshare(CLONE_NEWTIME) < 0) return husk_fail_errno(err, "", "unshare time namespace");
  if (!plan->n_time_offsets) return 0;
  cleanup_fd int fd = open("/proc/self/timens_offsets", O_WRONLY | O_CLOEXEC);
  if (fd < 0) return husk_fail_errno(err, "/proc/self/timens_offsets", "open");
  for (size_t i = 0; i < plan->n_time_offsets; i++) {
    const struct husk_time_offset *t = &plan->time_offsets[i];
    char line[96];
    int n = snprintf(line, sizeof(line), "%s %lld %lld\n", t->clock, (long long)t->secs, (long long)t->nsecs);
    if (write(fd, line, (size_t)n) != n) return husk_fail_errno(err, "/proc/self/timens_offsets", "write %s offset", t->clock);
  }
  return 0;
}

int husk_child_hostname(const struct husk_plan *plan, husk_error_t *err) {
  if (!plan->has_hostname && !plan->has_domainname) return 0;
  const struct husk_ns *uts = husk_plan_ns(plan, CLONE_NEWUTS);
  if (!uts)
    return husk_fail(err, EINVAL, "hostname", "setting the hostname needs a UTS namespace (add one to linux.namespaces)");
  if (plan->has_hostname && sethostname(plan->hostname, strlen(plan->hostname)) < 0)
    return husk_fail_errno(err, plan->hostname, "sethostname");
  if (plan->has_domainname && setdomainname(plan->domainname, strlen(plan->domainname)) < 0)
    return husk_fail_errno(err, plan->domainname, "setdomainname");
  return 0;
}
