/* Parent side of container creation: open what the child needs, clone, write id maps,
 * join cgroups, run runtime hooks, release the child, and (foreground) wait for it. */
#include "create.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup_join.h"
#include "child/child.h"
#include "cleanup.h"
#include "console_relay.h"
#include "hooks.h"
#include "idmap.h"
#include "idmap_mount.h"
#include "result.h"
#include "stage.h"
#include "sync.h"
#include "syscalls.h"

static int open_namespaces(const struct husk_plan *plan, int *fds, husk_error_t *err) {
  for (size_t i = 0; i < plan->n_ns; i++) fds[i] = -1;
  for (size_t i = 0; i < plan->n_ns; i++) {
    const struct husk_ns *ns = &plan->ns[i];
    if (!ns->path) continue;
    int fd = open(ns->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return husk_fail_errno(err, ns->path, "open namespace");
    if (ns->type == CLONE_NEWPID) {
      /* Only affects our children: the container lands in that pid namespace. */
      int r = setns(fd, CLONE_NEWPID);
      int e = errno;
      close(fd);
      if (r < 0) return husk_fail(err, e, ns->path, "setns pid namespace");
      continue;
    }
    fds[i] = fd;
  }
  return 0;
}

/* A child cloned into a new user namespace cannot setns into namespaces that the host's
 * user namespace owns (EPERM: it has no capability there). So, as the pid namespace
 * above, the parent joins the network, IPC and UTS namespaces given by path just before
 * clone, the child inherits them, and the parent goes back to its own right after. */
#define HUSK_PREJOIN_N 3
static const int prejoin_types[HUSK_PREJOIN_N] = {CLONE_NEWNET, CLONE_NEWIPC, CLONE_NEWUTS};
static const char *const prejoin_self[HUSK_PREJOIN_N] = {"/proc/self/ns/net", "/proc/self/ns/ipc", "/proc/self/ns/uts"};

static int prejoin_namespaces(const struct husk_plan *plan, int *ns_fds, int *own, husk_error_t *err) {
  for (int t = 0; t < HUSK_PREJOIN_N; t++) own[t] = -1;
  for (size_t i = 0; i < plan->n_ns; i++) {
    for (int t = 0; t < HUSK_PREJOIN_N; t++) {
      if ((int)plan->ns[i].type != prejoin_types[t] || ns_fds[i] < 0) continue;
      own[t] = open(prejoin_self[t], O_RDONLY | O_CLOEXEC);
      if (own[t] < 0) return husk_fail_errno(err, prejoin_self[t], "open own namespace");
      if (setns(ns_fds[i], prejoin_types[t]) < 0) return husk_fail_errno(err, plan->ns[i].path, "setns before clone into a user namespace");
      husk_close_fd(&ns_fds[i]); /* joined: the child inherits it */
    }
  }
  return 0;
}

static int prejoin_restore(int *own, husk_error_t *err) {
  int ret = 0;
  for (int t = 0; t < HUSK_PREJOIN_N; t++) {
    if (own[t] < 0) continue;
    if (setns(own[t], prejoin_types[t]) < 0 && ret == 0) ret = husk_fail_errno(err, prejoin_self[t], "setns back to own namespace");
    husk_close_fd(&own[t]);
  }
  return ret;
}

static int connect_console(const char *path, husk_error_t *err) {
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  if (strlen(path) >= sizeof(addr.sun_path)) return husk_fail(err, ENAMETOOLONG, path, "console socket path too long");
  strcpy(addr.sun_path, path);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return husk_fail_errno(err, path, "socket");
  if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
    int e = errno;
    close(fd);
    return husk_fail(err, e, path, "connect to console socket");
  }
  return fd;
}

static int make_exec_fifo(const char *path, husk_error_t *err) {
  mode_t old = umask(0);
  int r = mkfifo(path, 0622); /* writable by the container user, whoever it is */
  umask(old);
  if (r < 0) return husk_fail_errno(err, path, "mkfifo exec fifo");
  int fd = open(path, O_PATH | O_CLOEXEC);
  if (fd < 0) return husk_fail_errno(err, path, "open exec fifo");
  return fd;
}

/* In the foreground, husk (Bun) forwards the signals it gets to the container. A Ctrl-C
 * also reaches us (same process group): ignore it, or the container would get two. */
static void ignore_forwarded_signals(void) {
  static const int sigs[] = {SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGPIPE};
  for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) signal(sigs[i], SIG_IGN);
}

static pid_t do_clone(uint64_t flags, int cgroup_fd, int *into_cgroup) {
  struct husk_clone_args args;
  memset(&args, 0, sizeof(args));
  args.flags = flags;
  args.exit_signal = SIGCHLD;
  if (cgroup_fd >= 0) {
    args.flags |= CLONE_INTO_CGROUP;
    args.cgroup = (uint64_t)cgroup_fd;
  }
  long pid = husk_clone3(&args);
  if (pid >= 0) {
    *into_cgroup = cgroup_fd >= 0;
    return (pid_t)pid;
  }
  /* Kernels before 5.7 lack CLONE_INTO_CGROUP, before 5.3 clone3 itself. */
  if (errno != ENOSYS && errno != E2BIG && errno != EINVAL) return -1;
  *into_cgroup = 0;
  return (pid_t)syscall(SYS_clone, (unsigned long)flags | SIGCHLD, NULL, NULL, NULL, NULL);
}

static int wait_exit(pid_t pid, int *status) {
  for (;;) {
    pid_t r = waitpid(pid, status, 0);
    if (r == pid) return 0;
    if (r < 0 && errno != EINTR) return -1;
  }
}

void husk_launch_init(struct husk_launch *l) {
  l->stdio[0] = l->stdio[1] = l->stdio[2] = -1;
  l->pid = -1;
  l->sync_fd = l->master = l->console_fd = -1;
}

void husk_launch_close(struct husk_launch *l) {
  husk_close_fd(&l->sync_fd);
  husk_close_fd(&l->master);
  husk_close_fd(&l->console_fd);
}

void husk_launch_abort(struct husk_launch *l) {
  husk_kill_pid(&l->pid);
  l->pid = -1;
  husk_launch_close(l);
}

int husk_launch_prepare(struct husk_plan *plan, struct husk_launch *l, husk_error_t *err) {
  const int is_exec = plan->container_pid != 0;
  int ret;
  /* Declared up front so that every early exit runs their cleanup on a defined value. */
  cleanup_fd int proc_fd = -1, fifo_fd = -1, console_fd = -1, cgroup_fd = -1, sync_fd = -1;
  cleanup_fd int relay_sock = -1;
  cleanup_pid pid_t pid = -1;
  int sv[2];
  err->stage = ST_PREPARE;
  cleanup_free int *ns_fds = calloc(plan->n_ns + 1, sizeof(int));
  cleanup_free int *idmap_fds = calloc(plan->n_mounts + 1, sizeof(int));
  if (!ns_fds || !idmap_fds) return husk_fail(err, ENOMEM, "", "allocate");
  for (size_t i = 0; i < plan->n_mounts; i++) idmap_fds[i] = -1;
  ret = open_namespaces(plan, ns_fds, err);
  if (ret < 0) goto close_ns;

  if (!is_exec) {
    ret = husk_idmap_mounts_prepare(plan, idmap_fds, err);
    if (ret < 0) goto close_ns;
  }
  proc_fd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (proc_fd < 0) { ret = husk_fail_errno(err, "/proc", "open"); goto close_ns; }
  if (plan->exec_fifo) {
    fifo_fd = make_exec_fifo(plan->exec_fifo, err);
    if (fifo_fd < 0) { ret = fifo_fd; goto close_ns; }
  }
  if (plan->console_socket) {
    console_fd = connect_console(plan->console_socket, err);
    if (console_fd < 0) { ret = console_fd; goto close_ns; }
  } else if (plan->terminal && !plan->detach) {
    /* No console socket in the foreground: we receive the master and relay it. */
    int cp[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, cp) < 0) { ret = husk_fail_errno(err, "", "socketpair"); goto close_ns; }
    relay_sock = cp[0];
    console_fd = cp[1];
  }
  err->stage = ST_CGROUP;
  ret = husk_cgroup_prepare(plan, &cgroup_fd, err);
  if (ret == 0 && !is_exec) ret = husk_cgroup_apply(plan, err);
  if (ret == 0 && !is_exec && plan->n_dev_rules) {
    ret = cgroup_fd < 0 ? husk_fail(err, EINVAL, "linux.resources.devices", "device rules need a cgroup v2 directory")
                        : husk_devices_attach(cgroup_fd, plan->dev_rules, plan->n_dev_rules, err);
  }
  if (ret < 0) goto close_ns;

  husk_trace("cgroups prepared");
  err->stage = ST_PREPARE;
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
    ret = husk_fail_errno(err, "", "socketpair");
    goto close_ns;
  }
  sync_fd = sv[0];

  /* Time and cgroup namespaces are entered by the child later: the time namespace after
   * its offsets are written, the cgroup namespace once the cgroups are joined (so that
   * its root is the container's cgroup in every hierarchy). */
  uint64_t flags = is_exec ? 0 : (husk_plan_new_ns_flags(plan) & ~(uint64_t)(CLONE_NEWTIME | CLONE_NEWCGROUP));
  const int new_cgroupns = !is_exec && (husk_plan_new_ns_flags(plan) & CLONE_NEWCGROUP);
  if (plan->detach) flags |= CLONE_PARENT;
  int into_cgroup = 0;
  err->stage = ST_CLONE;
  int own_ns[HUSK_PREJOIN_N] = {-1, -1, -1};
  if (flags & CLONE_NEWUSER) {
    ret = prejoin_namespaces(plan, ns_fds, own_ns, err);
    if (ret < 0) {
      husk_error_t ignored;
      prejoin_restore(own_ns, &ignored);
      close(sv[1]);
      goto close_ns;
    }
  }
  /* v1: be born in the container's cgroups (see husk_cgroup_enter_self). Without a way
   * back to where we came from, fall back to moving the child after clone. */
  int v1_joined = 0;
  if (plan->n_cgroup_dirs && plan->n_cgroup_return_dirs == plan->n_cgroup_dirs) {
    husk_error_t ignored;
    v1_joined = husk_cgroup_enter_self(plan->cgroup_dirs, plan->n_cgroup_dirs, &ignored) == 0;
    if (!v1_joined) husk_cgroup_enter_self(plan->cgroup_return_dirs, plan->n_cgroup_return_dirs, &ignored);
  }
  pid = do_clone(flags, cgroup_fd, &into_cgroup);
  const int clone_errno = errno;
  if (v1_joined && pid != 0) {
    /* Step back out, so that a foreground husk-core is not frozen, counted or limited
     * with its container. */
    husk_error_t back;
    if (husk_cgroup_enter_self(plan->cgroup_return_dirs, plan->n_cgroup_return_dirs, &back) < 0 && pid > 0) {
      *err = back;
      err->stage = ST_CGROUP;
      ret = -(back.errnum ? back.errnum : EIO);
      close(sv[1]);
      goto close_ns;
    }
  }
  if (pid != 0 && (flags & CLONE_NEWUSER)) {
    ret = prejoin_restore(own_ns, err);
    if (ret < 0) {
      close(sv[1]);
      goto close_ns;
    }
  }
  if (pid < 0) {
    close(sv[1]);
    ret = husk_fail(err, clone_errno, "", "clone (flags 0x%llx)", (unsigned long long)flags);
    goto close_ns;
  }
  if (pid == 0) {
    close(sv[0]);
    struct husk_child_ctx ctx = {.plan = plan, .sync_fd = sv[1], .proc_fd = proc_fd, .fifo_fd = fifo_fd,
                                 .console_fd = console_fd, .ns_fds = ns_fds, .idmap_fds = idmap_fds, .rootfs_fd = -1,
                                 .new_userns = (flags & CLONE_NEWUSER) != 0,
                                 .stdio = {l->stdio[0], l->stdio[1], l->stdio[2]}};
    husk_child_main(&ctx);
  }
  close(sv[1]);
  husk_trace("cloned");
  for (size_t i = 0; i < plan->n_ns; i++) husk_close_fd(&ns_fds[i]);
  for (size_t i = 0; i < plan->n_mounts; i++) husk_close_fd(&idmap_fds[i]);

  if (flags & CLONE_NEWUSER) {
    err->stage = ST_IDMAP;
    ret = husk_write_id_maps(plan, pid, err);
    if (ret < 0) goto close_ns;
  }
  /* Joining v1 cgroups can wait a whole RCU grace period (the first cgroup.procs write
   * after a quiet spell): unless the child must enter a cgroup namespace first, do it
   * while the child mounts. Either way it is done before the child passes
   * SYNC_HOOKS_DONE (or SYNC_READY for exec), long before the user process runs. */
  if (new_cgroupns) {
    err->stage = ST_CGROUP;
    ret = husk_cgroup_join(plan, pid, v1_joined, into_cgroup, err);
    if (ret < 0) goto close_ns;
  }
  err->stage = ST_IDMAP;
  ret = husk_sync_send(sync_fd, SYNC_MAPPED, pid, err);
  if (ret < 0) goto close_ns;
  if (!new_cgroupns) {
    err->stage = ST_CGROUP;
    ret = husk_cgroup_join(plan, pid, v1_joined, into_cgroup, err);
    if (ret < 0) goto close_ns;
  }
  husk_trace("cgroups joined");

  if (!is_exec) {
    ret = husk_sync_expect(sync_fd, SYNC_MOUNTED, NULL, err);
    if (ret < 0) goto close_ns;
    husk_trace("child mounted");
    err->stage = ST_HOOKS_RUNTIME;
    ret = husk_run_hooks(plan, HOOK_PRESTART, pid, "creating", err);
    if (ret == 0) ret = husk_run_hooks(plan, HOOK_CREATE_RUNTIME, pid, "creating", err);
    if (ret < 0) goto close_ns;
    ret = husk_sync_send(sync_fd, SYNC_HOOKS_DONE, 0, err);
    if (ret < 0) goto close_ns;
  }
  ret = husk_sync_expect(sync_fd, SYNC_READY, NULL, err);
  if (ret < 0) goto close_ns;
  husk_trace("child ready");
  if (relay_sock >= 0) {
    /* The child sent the master before READY: it is waiting in the socket. */
    err->stage = ST_CONSOLE;
    l->master = husk_console_recv_master(relay_sock, err);
    if (l->master < 0) { ret = l->master; goto close_ns; }
    l->console_fd = husk_steal(console_fd);
  }
  l->pid = husk_steal(pid);
  l->sync_fd = husk_steal(sync_fd);
  return 0;

close_ns:
  for (size_t i = 0; i < plan->n_ns; i++) husk_close_fd(&ns_fds[i]);
  for (size_t i = 0; i < plan->n_mounts; i++) husk_close_fd(&idmap_fds[i]);
  return ret;
}

int husk_launch_release(struct husk_launch *l, husk_error_t *err) {
  err->stage = ST_EXEC;
  int ret = husk_sync_send(l->sync_fd, SYNC_START, 0, err);
  if (ret < 0) return ret;
  struct husk_sync_msg m;
  ret = husk_sync_recv(l->sync_fd, &m, err);
  husk_close_fd(&l->sync_fd);
  if (ret == 0 && m.type == SYNC_ERROR) {
    err->stage = m.stage;
    return husk_fail(err, m.errnum, m.path, "%s", m.msg);
  }
  if (ret < 0 && ret != -EPIPE) return ret;
  husk_trace("child exec'd");
  return 0;
}

int husk_create(struct husk_plan *plan, husk_error_t *err) {
  struct husk_launch l;
  husk_launch_init(&l);
  int ret = husk_launch_prepare(plan, &l, err);
  if (ret < 0) goto fail;
  husk_result_pid("created", l.pid);
  if (plan->exec_fifo) {
    /* handed over: it waits on the fifo for `start` */
    l.pid = -1;
    husk_launch_close(&l);
    return 0;
  }
  if (!plan->detach) ignore_forwarded_signals();
  ret = husk_launch_release(&l, err);
  if (ret < 0) {
    /* The child reported its failure and exits; reap it (detached: it is our sibling). */
    if (!plan->detach) {
      int status;
      if (wait_exit(l.pid, &status) == 0) l.pid = -1;
    }
    goto fail;
  }
  husk_result_pid("started", l.pid);
  if (plan->detach) {
    l.pid = -1;
    husk_launch_close(&l);
    return 0;
  }
  int status = 0;
  err->stage = ST_WAIT;
  if (l.master >= 0) {
    husk_close_fd(&l.console_fd); /* our copy of the child's end */
    ret = husk_console_relay(l.master, l.pid, &status, err);
    if (ret < 0) goto fail;
  } else if (wait_exit(l.pid, &status) < 0) {
    ret = husk_fail_errno(err, "", "wait for container");
    goto fail;
  }
  husk_result_exit(l.pid, WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status),
                   WIFSIGNALED(status) ? WTERMSIG(status) : 0);
  l.pid = -1;
  husk_launch_close(&l);
  return 0;

fail:
  husk_launch_abort(&l);
  if (plan->exec_fifo) unlink(plan->exec_fifo);
  return ret;
}

int husk_hooks_mode(struct husk_plan *plan, int phase, int pid, const char *status, husk_error_t *err) {
  err->stage = ST_HOOKS_RUNTIME;
  return husk_run_hooks(plan, phase, pid, status, err);
}
