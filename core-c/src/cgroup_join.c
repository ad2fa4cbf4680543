#include "cgroup_join.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"

/* A new v1 cpuset cgroup starts with empty cpus/mems, and joining it fails (ENOSPC)
 * until they are copied from the parent. */
static int inherit_cpuset(const char *dir, const char *file) {
  char path[4096], parent[4096], val[4096];
  snprintf(path, sizeof(path), "%s/%s", dir, file);
  int fd = open(path, O_RDWR | O_CLOEXEC);
  if (fd < 0) return 0; /* not a cpuset hierarchy */
  ssize_t n = read(fd, val, sizeof(val) - 1);
  if (n > 1 || (n == 1 && val[0] != '\n')) { close(fd); return 0; }
  snprintf(parent, sizeof(parent), "%s", dir);
  char *slash = strrchr(parent, '/');
  if (!slash) { close(fd); return 0; }
  *slash = 0;
  char ppath[4200];
  snprintf(ppath, sizeof(ppath), "%s/%s", parent, file);
  int pfd = open(ppath, O_RDONLY | O_CLOEXEC);
  if (pfd < 0) { close(fd); return 0; }
  n = read(pfd, val, sizeof(val) - 1);
  close(pfd);
  int r = 0;
  if (n > 0 && pwrite(fd, val, (size_t)n, 0) < 0) r = -errno;
  close(fd);
  return r;
}

int husk_mkdir_p(const char *path, mode_t mode, husk_error_t *err) {
  /* Usually only the leaf is missing: one syscall. */
  if (mkdir(path, mode) == 0 || errno == EEXIST) {
    inherit_cpuset(path, "cpuset.cpus");
    inherit_cpuset(path, "cpuset.mems");
    return 0;
  }
  if (errno != ENOENT) return husk_fail_errno(err, path, "mkdir");
  char buf[4096];
  int n = snprintf(buf, sizeof(buf), "%s", path);
  if (n >= (int)sizeof(buf)) return husk_fail(err, ENAMETOOLONG, path, "mkdir");
  for (char *p = buf + 1;; p++) {
    if (*p != '/' && *p) continue;
    char saved = *p;
    *p = 0;
    if (mkdir(buf, mode) < 0 && errno != EEXIST) return husk_fail_errno(err, buf, "mkdir");
    /* Also for existing levels: a parent made by another tool may still be empty. */
    inherit_cpuset(buf, "cpuset.cpus");
    inherit_cpuset(buf, "cpuset.mems");
    *p = saved;
    if (!saved) break;
  }
  return 0;
}

int husk_cgroup_prepare(const struct husk_plan *plan, int *v2_fd, husk_error_t *err) {
  *v2_fd = -1;
  for (size_t i = 0; i < plan->n_cgroup_dirs; i++) {
    int ret = husk_mkdir_p(plan->cgroup_dirs[i], 0755, err);
    if (ret < 0) return ret;
  }
  if (plan->cgroup_v2_dir) {
    int ret = husk_mkdir_p(plan->cgroup_v2_dir, 0755, err);
    if (ret < 0) return ret;
    *v2_fd = open(plan->cgroup_v2_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (*v2_fd < 0) return husk_fail_errno(err, plan->cgroup_v2_dir, "open cgroup");
  }
  return 0;
}

int husk_cgroup_write(const char *path, const char *value, husk_error_t *err) {
  cleanup_fd int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return husk_fail_errno(err, path, "open cgroup file (is the knob available on this kernel?)");
  size_t len = strlen(value);
  if (write(fd, value, len) != (ssize_t)len) return husk_fail_errno(err, path, "write \"%s\"", value);
  return 0;
}

int husk_cgroup_apply(const struct husk_plan *plan, husk_error_t *err) {
  for (size_t i = 0; i < plan->n_cgroup_writes; i++) {
    int ret = husk_cgroup_write(plan->cgroup_writes[i].key, plan->cgroup_writes[i].value, err);
    if (ret < 0) return ret;
  }
  return 0;
}

static int write_pid(const char *dir, pid_t pid, husk_error_t *err) {
  char path[4200], v[24];
  snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
  int n = snprintf(v, sizeof(v), "%d", (int)pid);
  cleanup_fd int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return husk_fail_errno(err, path, "open");
  if (write(fd, v, (size_t)n) != n) return husk_fail_errno(err, path, "move pid %d into cgroup", (int)pid);
  return 0;
}

int husk_cgroup_enter_self(char *const *dirs, size_t n, husk_error_t *err) {
  for (size_t i = 0; i < n; i++) {
    char path[4200];
    snprintf(path, sizeof(path), "%s/tasks", dirs[i]);
    cleanup_fd int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return husk_fail_errno(err, path, "open");
    if (write(fd, "0", 1) != 1) return husk_fail_errno(err, path, "move husk-core into cgroup");
  }
  return 0;
}

int husk_cgroup_join(const struct husk_plan *plan, pid_t pid, int v1_joined, int v2_joined, husk_error_t *err) {
  for (size_t i = 0; i < plan->n_cgroup_dirs && !v1_joined; i++) {
    int ret = write_pid(plan->cgroup_dirs[i], pid, err);
    if (ret < 0) return ret;
  }
  if (plan->cgroup_v2_dir && !v2_joined) return write_pid(plan->cgroup_v2_dir, pid, err);
  return 0;
}
