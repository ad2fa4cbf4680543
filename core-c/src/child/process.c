/* The process-level settings: rlimits, oom_score_adj, personality, umask, user and
 * groups, capabilities, no_new_privs, seccomp, the exec fifo and the final execve. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../cleanup.h"
#include "child.h"

static const char *const rlimit_names[] = {
  "RLIMIT_CPU", "RLIMIT_FSIZE", "RLIMIT_DATA", "RLIMIT_STACK", "RLIMIT_CORE", "RLIMIT_RSS",
  "RLIMIT_NPROC", "RLIMIT_NOFILE", "RLIMIT_MEMLOCK", "RLIMIT_AS", "RLIMIT_LOCKS",
  "RLIMIT_SIGPENDING", "RLIMIT_MSGQUEUE", "RLIMIT_NICE", "RLIMIT_RTPRIO", "RLIMIT_RTTIME",
};

static const char *rlimit_name(uint64_t t) {
  return t < sizeof(rlimit_names) / sizeof(rlimit_names[0]) ? rlimit_names[t] : "RLIMIT_?";
}

int husk_child_process_attrs(const struct husk_plan *plan, husk_error_t *err) {
  for (size_t i = 0; i < plan->n_rlimits; i++) {
    const struct husk_rlimit *r = &plan->rlimits[i];
    struct rlimit lim = {.rlim_cur = r->soft, .rlim_max = r->hard};
    if (setrlimit((int)r->type, &lim) < 0) {
      int e = errno;
      struct rlimit cur;
      getrlimit((int)r->type, &cur);
      if (e == EPERM)
        return husk_fail(err, e, rlimit_name(r->type),
                         "setrlimit %s %llu:%llu: above the current hard limit %llu, and raising it needs CAP_SYS_RESOURCE",
                         rlimit_name(r->type), (unsigned long long)r->soft, (unsigned long long)r->hard,
                         (unsigned long long)cur.rlim_max);
      return husk_fail(err, e, rlimit_name(r->type), "setrlimit %s", rlimit_name(r->type));
    }
  }
  if (plan->has_oom_score_adj) {
    cleanup_fd int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
    char v[32];
    int n = snprintf(v, sizeof(v), "%lld", (long long)plan->oom_score_adj);
    if (fd < 0 || write(fd, v, (size_t)n) != n)
      return husk_fail_errno(err, "/proc/self/oom_score_adj",
                             "write %s (lowering it needs CAP_SYS_RESOURCE)", v);
  }
  if (plan->has_personality && personality((unsigned long)plan->personality) < 0)
    return husk_fail_errno(err, "linux.personality", "personality 0x%llx", (unsigned long long)plan->personality);
  if (plan->has_umask) umask((mode_t)plan->umask);
  return 0;
}

int husk_child_user(const struct husk_plan *plan, husk_error_t *err) {
  gid_t groups[256] = {0};
  size_t n = plan->n_add_gids;
  if (n > sizeof(groups) / sizeof(groups[0])) return husk_fail(err, E2BIG, "process.user.additionalGids", "too many groups");
  for (size_t i = 0; i < n; i++) groups[i] = (gid_t)plan->add_gids[i];
  if (setgroups(n, groups) < 0) {
    /* A user namespace with setgroups denied can still run with no extra groups. */
    if (!(errno == EPERM && n == 0)) return husk_fail_errno(err, "process.user.additionalGids", "setgroups");
  }
  if (setresgid((gid_t)plan->gid, (gid_t)plan->gid, (gid_t)plan->gid) < 0)
    return husk_fail_errno(err, "process.user.gid", "setresgid %llu (is it mapped?)", (unsigned long long)plan->gid);
  if (setresuid((uid_t)plan->uid, (uid_t)plan->uid, (uid_t)plan->uid) < 0)
    return husk_fail_errno(err, "process.user.uid", "setresuid %llu (is it mapped?)", (unsigned long long)plan->uid);
  if (plan->cwd && chdir(plan->cwd) < 0) return husk_fail_errno(err, plan->cwd, "chdir to process.cwd");
  return 0;
}

static int last_cap(void) {
  static int cached = -1;
  if (cached >= 0) return cached;
  cached = 40;
  int fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    char b[16] = {0};
    if (read(fd, b, sizeof(b) - 1) > 0) cached = atoi(b);
    close(fd);
  }
  return cached;
}

int husk_child_drop_bounding(const struct husk_plan *plan, husk_error_t *err) {
  if (!plan->has_caps) return 0;
  int last = last_cap();
  for (int c = 0; c <= last; c++) {
    if (plan->cap_bounding & (1ULL << c)) continue;
    if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL) {
      char name[16];
      snprintf(name, sizeof(name), "cap %d", c);
      return husk_fail_errno(err, name, "drop capability %d from the bounding set", c);
    }
  }
  /* Keep the permitted set across the uid change that follows. */
  if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0) return husk_fail_errno(err, "", "PR_SET_KEEPCAPS");
  return 0;
}

int husk_child_caps(const struct husk_plan *plan, husk_error_t *err) {
  if (plan->has_caps) {
    prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
    struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
    struct __user_cap_data_struct data[2];
    memset(data, 0, sizeof(data));
    for (int i = 0; i < 2; i++) {
      data[i].effective = (uint32_t)(plan->cap_effective >> (32 * i));
      data[i].permitted = (uint32_t)(plan->cap_permitted >> (32 * i));
      data[i].inheritable = (uint32_t)(plan->cap_inheritable >> (32 * i));
    }
    if (syscall(SYS_capset, &hdr, data) < 0)
      return husk_fail_errno(err, "process.capabilities", "capset (effective must be a subset of permitted)");
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
      return husk_fail_errno(err, "process.capabilities.ambient", "clear ambient set");
    int last = last_cap();
    /* Like runc, ambient capabilities that are not both permitted and inheritable are
     * skipped: the kernel would refuse them, and specs in the wild list them anyway. */
    uint64_t ambient = plan->cap_ambient & plan->cap_permitted & plan->cap_inheritable;
    for (int c = 0; c <= last && c < 64; c++) {
      if (!(ambient & (1ULL << c))) continue;
      if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0) < 0)
        return husk_fail_errno(err, "process.capabilities.ambient",
                               "raise ambient capability %d (it must be permitted and inheritable)", c);
    }
  }
  if (plan->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    return husk_fail_errno(err, "process.noNewPrivileges", "PR_SET_NO_NEW_PRIVS");
  return 0;
}

int husk_child_seccomp(const struct husk_plan *plan, husk_error_t *err) {
  if (!plan->seccomp_len) return 0;
  if (plan->seccomp_len % sizeof(struct sock_filter))
    return husk_fail(err, EINVAL, "linux.seccomp", "compiled filter has a partial instruction");
  struct sock_fprog prog = {.len = (unsigned short)(plan->seccomp_len / sizeof(struct sock_filter)),
                            .filter = (struct sock_filter *)plan->seccomp_bpf};
  if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, (unsigned int)plan->seccomp_flags, &prog) < 0)
    return husk_fail_errno(err, "linux.seccomp", "load seccomp filter (%u instructions, flags 0x%llx)", prog.len,
                           (unsigned long long)plan->seccomp_flags);
  return 0;
}

int husk_child_wait_fifo(struct husk_child_ctx *ctx, husk_error_t *err) {
  if (ctx->fifo_fd < 0) return 0;
  char rel[32];
  snprintf(rel, sizeof(rel), "self/fd/%d", ctx->fifo_fd);
  /* Blocks until `start` opens the fifo for reading. */
  int fd;
  do fd = openat(ctx->proc_fd, rel, O_WRONLY | O_CLOEXEC);
  while (fd < 0 && errno == EINTR);
  if (fd < 0) return husk_fail_errno(err, "exec.fifo", "open exec fifo");
  ssize_t n;
  do n = write(fd, "0", 1);
  while (n < 0 && errno == EINTR);
  int e = errno;
  close(fd);
  close(ctx->fifo_fd);
  ctx->fifo_fd = -1;
  if (n != 1) return husk_fail(err, e, "exec.fifo", "write exec fifo");
  return 0;
}

static const char *env_path(const struct husk_plan *plan) {
  for (size_t i = 0; i < plan->n_envp; i++)
    if (strncmp(plan->envp[i], "PATH=", 5) == 0) return plan->envp[i] + 5;
  return "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
}

/* Candidate is runnable by us: a regular file we may execute. */
static int runnable(const char *path, int *saw_eacces) {
  struct stat st;
  if (stat(path, &st) < 0 || !S_ISREG(st.st_mode)) return 0;
  if (access(path, X_OK) == 0) return 1;
  *saw_eacces = 1;
  return 0;
}

int husk_child_resolve_exec(const struct husk_plan *plan, char *out, size_t cap, husk_error_t *err) {
  const char *file = plan->argv[0];
  int saw_eacces = 0;
  if (strchr(file, '/')) {
    if (runnable(file, &saw_eacces)) {
      snprintf(out, cap, "%s", file);
      return 0;
    }
    int e = saw_eacces ? EACCES : errno ? errno : ENOENT;
    if (e != EACCES && e != ENOENT) e = ENOENT;
    return husk_fail(err, e, file, "process.args[0] %s is not an executable file in the container", file);
  }
  const char *path = env_path(plan);
  while (*path) {
    const char *colon = strchr(path, ':');
    size_t len = colon ? (size_t)(colon - path) : strlen(path);
    int n = snprintf(out, cap, "%.*s/%s", (int)len, len ? path : ".", file);
    if (n < (int)cap && runnable(out, &saw_eacces)) return 0;
    if (!colon) break;
    path = colon + 1;
  }
  return husk_fail(err, saw_eacces ? EACCES : ENOENT, file, "process.args[0] \"%s\": executable file not found in $PATH (%s)",
                   file, env_path(plan));
}

int husk_child_exec(const struct husk_plan *plan, const char *resolved, husk_error_t *err) {
  char *const *envp = plan->envp ? plan->envp : (char *const[]){NULL};
  execve(resolved, plan->argv, envp);
  return husk_fail_errno(err, resolved, "exec");
}
