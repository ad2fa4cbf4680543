/* The child's stage machine. The order matters and follows the kernel's rules:
 * namespaces before mounts, mounts before pivot_root, /proc/sys writes before
 * readonlyPaths hide them, seccomp before dropping CAP_SYS_ADMIN unless no_new_privs
 * lets us load it last, and the exec fifo after everything that can fail. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../hooks.h"
#include "../result.h"
#include "../stage.h"
#include "../sync.h"
#include "../syscalls.h"
#include "child.h"

static void reset_signals(void) {
  sigset_t all;
  sigemptyset(&all);
  sigprocmask(SIG_SETMASK, &all, NULL);
  for (int s = 1; s < NSIG; s++) {
    if (s == SIGKILL || s == SIGSTOP) continue;
    signal(s, SIG_DFL);
  }
}

/* Preserved fds (3..3+n-1) stay open across execve; everything else above 2 is closed
 * by it, so that no runtime fd (host /proc, sync socket, ...) leaks into the container. */
static void mark_fds(const struct husk_plan *plan) {
  unsigned int first = 3 + (unsigned int)plan->preserve_fds;
  if (husk_close_range(first, ~0U, 4 /* CLOSE_RANGE_CLOEXEC */) < 0) {
    for (int fd = (int)first; fd < 1024; fd++) fcntl(fd, F_SETFD, FD_CLOEXEC);
  }
  for (unsigned int fd = 3; fd < first; fd++) fcntl((int)fd, F_SETFD, 0);
}

#define STAGE(s, call)            \
  do {                            \
    err.stage = (s);              \
    ret = (call);                 \
    if (ret < 0) goto fail;       \
  } while (0)

void husk_child_main(struct husk_child_ctx *ctx) {
  const struct husk_plan *plan = ctx->plan;
  const int is_exec = plan->container_pid != 0;
  husk_error_t err;
  husk_error_clear(&err);
  int ret, parent_gone = 0;
  int32_t host_pid = 0;

  husk_result_close();
  reset_signals();
  for (int i = 0; i < 3; i++) {
    if (ctx->stdio[i] < 0 || ctx->stdio[i] == i) continue;
    if (dup2(ctx->stdio[i], i) < 0) {
      ret = husk_fail_errno(&err, "", "dup stdio to fd %d", i);
      err.stage = ST_PROCESS;
      goto fail;
    }
  }
  STAGE(ST_IDMAP, husk_sync_expect(ctx->sync_fd, SYNC_MAPPED, &host_pid, &err));
  STAGE(ST_JOIN_NS, husk_child_join_namespaces(ctx, &err));
  if (ctx->new_userns) {
    /* Become root of the new user namespace when 0 is mapped; harmless otherwise. */
    if (setresgid(0, 0, 0) == 0) setresuid(0, 0, 0);
  }
  if (setsid() < 0 && !is_exec) {
    ret = husk_fail_errno(&err, "", "setsid");
    err.stage = ST_PROCESS;
    goto fail;
  }
  if (!is_exec) {
    STAGE(ST_JOIN_NS, husk_child_cgroup_namespace(plan, &err));
    STAGE(ST_JOIN_NS, husk_child_time_namespace(plan, &err));
    STAGE(ST_HOSTNAME, husk_child_hostname(plan, &err));
    STAGE(ST_MOUNTS, husk_child_prepare_rootfs(ctx, &err));
    STAGE(ST_MOUNTS, husk_child_mounts(ctx, &err));
    STAGE(ST_HOOKS_RUNTIME, husk_sync_send(ctx->sync_fd, SYNC_MOUNTED, 0, &err));
    STAGE(ST_HOOKS_RUNTIME, husk_sync_expect(ctx->sync_fd, SYNC_HOOKS_DONE, NULL, &err));
    STAGE(ST_HOOKS_CONTAINER, husk_run_hooks(plan, HOOK_CREATE_CONTAINER, host_pid, "creating", &err));
    STAGE(ST_DEVICES, husk_child_devices(ctx, &err));
    STAGE(ST_PIVOT, husk_child_pivot(ctx, &err));
    STAGE(ST_SYSCTL, husk_child_sysctl(plan, &err));
    STAGE(ST_PATHS, husk_child_masked_paths(plan, &err));
    STAGE(ST_PATHS, husk_child_readonly_paths(plan, &err));
    STAGE(ST_PATHS, husk_child_finish_rootfs(plan, &err));
  }
  STAGE(ST_CONSOLE, husk_child_console(ctx, &err));
  STAGE(ST_PROCESS, husk_child_process_attrs(plan, &err));
  if (!plan->no_new_privs) STAGE(ST_SECCOMP, husk_child_seccomp(plan, &err));
  STAGE(ST_CAPS, husk_child_drop_bounding(plan, &err));
  STAGE(ST_USER, husk_child_user(plan, &err));
  STAGE(ST_CAPS, husk_child_caps(plan, &err));
  if (plan->no_new_privs) STAGE(ST_SECCOMP, husk_child_seccomp(plan, &err));
  char resolved[4096];
  STAGE(ST_EXEC, husk_child_resolve_exec(plan, resolved, sizeof(resolved), &err));
  mark_fds(plan);

  STAGE(ST_EXEC_FIFO, husk_sync_send(ctx->sync_fd, SYNC_READY, 0, &err));
  if (ctx->fifo_fd >= 0) {
    parent_gone = 1; /* husk-core returns after READY; `start` releases us */
    STAGE(ST_EXEC_FIFO, husk_child_wait_fifo(ctx, &err));
  } else {
    STAGE(ST_EXEC_FIFO, husk_sync_expect(ctx->sync_fd, SYNC_START, NULL, &err));
  }
  if (ctx->proc_fd >= 0) close(ctx->proc_fd);
  STAGE(ST_HOOKS_START, husk_run_hooks(plan, HOOK_START_CONTAINER, host_pid, "created", &err));
  STAGE(ST_EXEC, husk_child_exec(plan, resolved, &err));

fail:
  if (parent_gone) {
    dprintf(2, "husk: %s: %s%s%s: %s\n", husk_stage_name(err.stage), err.msg,
            err.path[0] && !strstr(err.msg, err.path) ? " " : "", err.path[0] && !strstr(err.msg, err.path) ? err.path : "",
            err.errnum ? husk_errno_name(err.errnum) : "failed");
  } else {
    husk_sync_send_error(ctx->sync_fd, &err);
  }
  if (err.stage == ST_EXEC) _exit(err.errnum == ENOENT ? 127 : 126);
  _exit(1);
}
