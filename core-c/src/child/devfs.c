/* Device nodes and the standard /dev symlinks. Runs before pivot_root, against the
 * container root fd. In a user namespace mknod is refused, so the host's node is
 * bind-mounted onto an empty file instead (as runc and crun do). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "../cleanup.h"
#include "child.h"

static int dev_is_tmpfs(const struct husk_plan *plan) {
  for (size_t i = 0; i < plan->n_mounts; i++) {
    const struct husk_mount *m = &plan->mounts[i];
    if (strcmp(m->dest, "/dev") == 0 && m->type && strcmp(m->type, "tmpfs") == 0) return 1;
  }
  return 0;
}

static int parent_dir_fd(int rootfd, const char *path, const char **leaf, husk_error_t *err) {
  char parent[4096];
  snprintf(parent, sizeof(parent), "%s", path);
  char *slash = strrchr(parent, '/');
  if (!slash) return husk_fail(err, EINVAL, path, "device path must be absolute");
  *leaf = path + (slash - parent) + 1;
  *slash = 0;
  cleanup_fd int pfd = husk_open_in_root(rootfd, parent[0] ? parent : "/", 1, 0, err);
  if (pfd < 0) return pfd;
  char p[64];
  husk_fd_path(p, sizeof(p), pfd);
  int dfd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return husk_fail_errno(err, path, "open parent directory");
  return dfd;
}

static int make_device(struct husk_child_ctx *ctx, const struct husk_device *d, husk_error_t *err) {
  const char *leaf;
  cleanup_fd int dfd = parent_dir_fd(ctx->rootfs_fd, d->path, &leaf, err);
  if (dfd < 0) return dfd;
  mode_t type = d->type == 'b' ? S_IFBLK : d->type == 'p' ? S_IFIFO : S_IFCHR;
  mode_t mode = (mode_t)(d->mode ? d->mode & 07777 : 0666);
  unlinkat(dfd, leaf, 0); /* replace what the image had there */
  if (!ctx->new_userns && mknodat(dfd, leaf, type | mode, makedev(d->major, d->minor)) == 0) {
    if (fchownat(dfd, leaf, (uid_t)d->uid, (gid_t)d->gid, AT_SYMLINK_NOFOLLOW) < 0)
      return husk_fail_errno(err, d->path, "chown device");
    if (fchmodat(dfd, leaf, mode, 0) < 0) return husk_fail_errno(err, d->path, "chmod device");
    return 0;
  }
  if (!ctx->new_userns && errno != EPERM) return husk_fail_errno(err, d->path, "mknod");
  /* Bind the host's node over an empty file. */
  int f = openat(dfd, leaf, O_CREAT | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (f < 0) return husk_fail_errno(err, d->path, "create device placeholder");
  close(f);
  cleanup_fd int tfd = husk_open_in_root(ctx->rootfs_fd, d->path, 0, 0, err);
  if (tfd < 0) return tfd;
  char target[64];
  husk_fd_path(target, sizeof(target), tfd);
  if (mount(d->path, target, NULL, MS_BIND, NULL) < 0) return husk_fail_errno(err, d->path, "bind host device");
  return 0;
}

static const struct { const char *name, *target; } dev_links[] = {
  {"fd", "/proc/self/fd"}, {"stdin", "/proc/self/fd/0"}, {"stdout", "/proc/self/fd/1"},
  {"stderr", "/proc/self/fd/2"},
};

int husk_child_devices(struct husk_child_ctx *ctx, husk_error_t *err) {
  const struct husk_plan *plan = ctx->plan;
  for (size_t i = 0; i < plan->n_devices; i++) {
    int ret = make_device(ctx, &plan->devices[i], err);
    if (ret < 0) return ret;
  }
  if (!dev_is_tmpfs(plan)) return 0; /* a bind of the host's /dev is left as it is */
  cleanup_fd int pfd = husk_open_in_root(ctx->rootfs_fd, "/dev", 0, 0, err);
  if (pfd < 0) return pfd;
  char p[64];
  husk_fd_path(p, sizeof(p), pfd);
  cleanup_fd int dfd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return husk_fail_errno(err, "/dev", "open");
  for (size_t i = 0; i < sizeof(dev_links) / sizeof(dev_links[0]); i++)
    if (symlinkat(dev_links[i].target, dfd, dev_links[i].name) < 0 && errno != EEXIST)
      return husk_fail_errno(err, dev_links[i].name, "symlink in /dev");
  struct stat st;
  if (fstatat(dfd, "pts/ptmx", &st, AT_SYMLINK_NOFOLLOW) == 0) {
    unlinkat(dfd, "ptmx", 0);
    if (symlinkat("pts/ptmx", dfd, "ptmx") < 0) return husk_fail_errno(err, "/dev/ptmx", "symlink");
  }
  if (fstatat(dfd, "/proc/kcore", &st, 0) == 0) symlinkat("/proc/kcore", dfd, "core");
  return 0;
}
