/* The container's root and the mounts listed in config.json, done before pivot_root.
 * Every destination is resolved inside the root with openat2(RESOLVE_IN_ROOT), so a
 * symlink in the image can never redirect a mount onto the host. */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../cleanup.h"
#include "../syscalls.h"
#include "child.h"

#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif

void husk_fd_path(char *buf, size_t cap, int fd) { snprintf(buf, cap, "/proc/self/fd/%d", fd); }

static int openat2_in_root(int rootfd, const char *path, int flags) {
  struct open_how how = {.flags = (uint64_t)(flags | O_CLOEXEC),
                         .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS};
  while (*path == '/') path++;
  if (!*path) path = ".";
  int fd = (int)syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
  if (fd < 0 && errno == ENOSYS) /* pre-5.6 kernels: best effort without the guarantee */
    fd = openat(rootfd, path, flags | O_CLOEXEC);
  return fd;
}

int husk_open_in_root(int rootfd, const char *path, int create, int as_file, husk_error_t *err) {
  int fd = openat2_in_root(rootfd, path, O_PATH);
  if (fd >= 0 || errno != ENOENT || !create) {
    if (fd < 0) return husk_fail_errno(err, path, "open in container root");
    return fd;
  }
  /* Create the parent first (always a directory), then the leaf. */
  char parent[4096];
  snprintf(parent, sizeof(parent), "%s", path);
  char *slash = strrchr(parent, '/');
  const char *leaf = path;
  if (slash) {
    *slash = 0;
    leaf = path + (slash - parent) + 1;
  } else {
    parent[0] = 0;
  }
  cleanup_fd int pfd = parent[0] ? husk_open_in_root(rootfd, parent, 1, 0, err) : openat2_in_root(rootfd, "/", O_PATH);
  if (pfd < 0) return pfd;
  /* O_PATH fds cannot be used with mkdirat on every kernel; reopen the directory. */
  char pbuf[64];
  husk_fd_path(pbuf, sizeof(pbuf), pfd);
  cleanup_fd int dfd = open(pbuf, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return husk_fail_errno(err, parent[0] ? parent : "/", "open directory");
  if (as_file) {
    int f = openat(dfd, leaf, O_CREAT | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (f < 0 && errno != EEXIST) return husk_fail_errno(err, path, "create mount point file");
    if (f >= 0) close(f);
  } else if (mkdirat(dfd, leaf, 0755) < 0 && errno != EEXIST) {
    return husk_fail_errno(err, path, "create mount point directory");
  }
  fd = openat2_in_root(rootfd, path, O_PATH);
  if (fd < 0) return husk_fail_errno(err, path, "open created mount point");
  return fd;
}

/* Flags that an unprivileged (user namespace) remount may not drop, so they are kept. */
static unsigned long locked_flags(const char *path) {
  struct statvfs sv;
  unsigned long f = 0;
  if (statvfs(path, &sv) < 0) return 0;
  if (sv.f_flag & ST_NOSUID) f |= MS_NOSUID;
  if (sv.f_flag & ST_NODEV) f |= MS_NODEV;
  if (sv.f_flag & ST_NOEXEC) f |= MS_NOEXEC;
  if (sv.f_flag & ST_NOATIME) f |= MS_NOATIME;
  if (sv.f_flag & ST_NODIRATIME) f |= MS_NODIRATIME;
  if (sv.f_flag & ST_RELATIME) f |= MS_RELATIME;
  return f;
}

int husk_remount_bind(const char *target, unsigned long flags, unsigned long clear, husk_error_t *err) {
  unsigned long keep = locked_flags(target) & ~clear;
  if (mount(NULL, target, NULL, MS_BIND | MS_REMOUNT | flags | keep, NULL) < 0)
    return husk_fail_errno(err, target, "remount with flags 0x%lx", flags | keep);
  return 0;
}

int husk_child_prepare_rootfs(struct husk_child_ctx *ctx, husk_error_t *err) {
  const struct husk_plan *plan = ctx->plan;
  /* Stop host mount events from reaching us (and ours from reaching the host). A shared
   * rootfsPropagation is applied after pivot_root, which refuses shared mounts. */
  unsigned long prop = MS_SLAVE | MS_REC;
  if (plan->rootfs_propagation & MS_PRIVATE) prop = MS_PRIVATE | MS_REC;
  if (mount(NULL, "/", NULL, prop, NULL) < 0) return husk_fail_errno(err, "/", "make root mount %s", prop & MS_PRIVATE ? "private" : "slave");
  /* pivot_root needs the new root to be a mount point. */
  if (mount(plan->rootfs, plan->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
    return husk_fail_errno(err, plan->rootfs, "bind rootfs onto itself");
  ctx->rootfs_fd = open(plan->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (ctx->rootfs_fd < 0) return husk_fail_errno(err, plan->rootfs, "open rootfs");
  return 0;
}

static int is_bind(const struct husk_mount *m) {
  return (m->flags & MS_BIND) || (m->type && strcmp(m->type, "bind") == 0);
}

static int mount_one(struct husk_child_ctx *ctx, size_t index, husk_error_t *err) {
  const struct husk_mount *m = &ctx->plan->mounts[index];
  int idmapped = ctx->idmap_fds && ctx->idmap_fds[index] >= 0;
  int bind = is_bind(m);
  int as_file = 0;
  struct stat st;
  if (bind) {
    if (!m->source) return husk_fail(err, EINVAL, m->dest, "bind mount without a source");
    if (stat(m->source, &st) < 0) return husk_fail_errno(err, m->source, "stat bind source for %s", m->dest);
    as_file = !S_ISDIR(st.st_mode);
  }
  cleanup_fd int tfd = husk_open_in_root(ctx->rootfs_fd, m->dest, 1, as_file, err);
  if (tfd < 0) return tfd;
  char target[64];
  husk_fd_path(target, sizeof(target), tfd);

  unsigned long flags = m->flags & ~(unsigned long)(MS_BIND | MS_REC | MS_REMOUNT);
  if (idmapped) {
    /* The parent made this tree in the host user namespace; attach it here. */
    /* move_mount refuses a /proc/self/fd magic link as target: pass the fd itself. */
    if (husk_move_mount(ctx->idmap_fds[index], "", tfd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
      return husk_fail_errno(err, m->dest, "attach idmapped mount of %s", m->source);
    close(ctx->idmap_fds[index]);
    ctx->idmap_fds[index] = -1;
    bind = 1;
  } else if (bind) {
    if (mount(m->source, target, NULL, MS_BIND | (m->flags & MS_REC), NULL) < 0)
      return husk_fail_errno(err, m->dest, "bind mount %s", m->source);
  } else {
    const char *type = m->type && *m->type ? m->type : "none";
    if (mount(m->source ? m->source : type, target, type, flags, m->data) < 0) {
      int e = errno;
      /* sysfs refuses a mount outside a fresh network namespace: bind the host's. */
      if (e == EPERM && strcmp(type, "sysfs") == 0) {
        if (mount("/sys", target, NULL, MS_BIND | MS_REC, NULL) < 0)
          return husk_fail_errno(err, m->dest, "bind /sys (sysfs mount refused)");
        bind = 1;
      } else {
        return husk_fail(err, e, m->dest, "mount %s (type %s, options %s)", m->source ? m->source : type, type,
                         m->data ? m->data : "");
      }
    }
  }
  /* From here on the destination is a mount: reopen it so that operations see the new
   * mount rather than the directory under it. */
  cleanup_fd int mfd = husk_open_in_root(ctx->rootfs_fd, m->dest, 0, 0, err);
  if (mfd < 0) return mfd;
  char mtarget[64];
  husk_fd_path(mtarget, sizeof(mtarget), mfd);
  if (bind && (flags & ~(unsigned long)(MS_PRIVATE | MS_SLAVE | MS_SHARED | MS_UNBINDABLE))) {
    int ret = husk_remount_bind(mtarget, flags, m->clear_flags, err);
    if (ret < 0) { snprintf(err->path, sizeof(err->path), "%s", m->dest); return ret; }
  }
  for (size_t i = 0; i < m->n_propagation; i++)
    if (mount(NULL, mtarget, NULL, m->propagation[i], NULL) < 0)
      return husk_fail_errno(err, m->dest, "set mount propagation 0x%llx", (unsigned long long)m->propagation[i]);
  if (m->attr_set || m->attr_clr) {
    struct husk_mount_attr attr = {.attr_set = m->attr_set, .attr_clr = m->attr_clr};
    if (husk_mount_setattr(mfd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr) < 0)
      return husk_fail_errno(err, m->dest, "mount_setattr (recursive mount options)");
  }
  return 0;
}

int husk_child_mounts(struct husk_child_ctx *ctx, husk_error_t *err) {
  for (size_t i = 0; i < ctx->plan->n_mounts; i++) {
    int ret = mount_one(ctx, i, err);
    if (ret < 0) return ret;
  }
  return 0;
}
