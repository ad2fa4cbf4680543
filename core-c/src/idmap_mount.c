#include "idmap_mount.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "syscalls.h"

#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#endif
#ifndef OPEN_TREE_CLOEXEC
#define OPEN_TREE_CLOEXEC O_CLOEXEC
#endif
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif
#define HUSK_MOUNT_ATTR_IDMAP 0x00100000

static int write_map(pid_t pid, const char *file, const struct husk_idmap *m, size_t n, husk_error_t *err) {
  char buf[2048], path[64];
  size_t off = 0;
  for (size_t i = 0; i < n && off < sizeof(buf); i++)
    off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%llu %llu %llu\n", (unsigned long long)m[i].container,
                            (unsigned long long)m[i].host, (unsigned long long)m[i].size);
  snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
  cleanup_fd int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0 || write(fd, buf, off) != (ssize_t)off) return husk_fail_errno(err, path, "write idmap for mount");
  return 0;
}

/* A user namespace carrying the mapping: made by a short-lived child that only waits. */
int husk_userns_fd(const struct husk_idmap *uidmap, size_t n_uidmap, const struct husk_idmap *gidmap, size_t n_gidmap,
                   const char *what, husk_error_t *err) {
  int p[2];
  if (pipe2(p, O_CLOEXEC) < 0) return husk_fail_errno(err, what, "pipe");
  pid_t pid = (pid_t)syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, NULL, NULL, NULL, NULL);
  if (pid < 0) {
    int e = errno;
    close(p[0]);
    close(p[1]);
    return husk_fail(err, e, what, "clone user namespace for idmapped mount");
  }
  if (pid == 0) {
    char c;
    close(p[1]);
    while (read(p[0], &c, 1) < 0 && errno == EINTR) {}
    _exit(0);
  }
  close(p[0]);
  int ret = write_map(pid, "uid_map", uidmap, n_uidmap, err);
  if (ret == 0) ret = write_map(pid, "gid_map", gidmap, n_gidmap, err);
  int fd = -1;
  if (ret == 0) {
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) ret = husk_fail_errno(err, path, "open");
  }
  close(p[1]);
  while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {}
  return ret < 0 ? ret : fd;
}

static int userns_fd_for(const struct husk_mount *m, husk_error_t *err) {
  return husk_userns_fd(m->uidmap, m->n_uidmap, m->gidmap, m->n_gidmap, m->dest, err);
}

static int prepare_one(const struct husk_mount *m, husk_error_t *err) {
  if (!m->source) return husk_fail(err, EINVAL, m->dest, "idmapped mount without a source");
  unsigned int rec = (m->flags & MS_REC) ? AT_RECURSIVE : 0;
  cleanup_fd int userns = userns_fd_for(m, err);
  if (userns < 0) return userns;
  int tree = husk_open_tree(AT_FDCWD, m->source, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | rec);
  if (tree < 0) return husk_fail_errno(err, m->source, "open_tree for idmapped mount %s", m->dest);
  struct husk_mount_attr attr = {.attr_set = HUSK_MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t)userns};
  if (husk_mount_setattr(tree, "", AT_EMPTY_PATH | rec, &attr) < 0) {
    int e = errno;
    close(tree);
    return husk_fail(err, e, m->source, "idmap mount for %s (does the filesystem support idmapped mounts?)", m->dest);
  }
  return tree;
}

int husk_idmap_mounts_prepare(const struct husk_plan *plan, int *fds, husk_error_t *err) {
  for (size_t i = 0; i < plan->n_mounts; i++) fds[i] = -1;
  for (size_t i = 0; i < plan->n_mounts; i++) {
    const struct husk_mount *m = &plan->mounts[i];
    if (!m->n_uidmap && !m->n_gidmap) continue;
    int fd = prepare_one(m, err);
    if (fd < 0) return fd;
    fds[i] = fd;
  }
  return 0;
}
