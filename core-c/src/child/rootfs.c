/* Switching to the container root, and the root-wide settings applied afterwards. */
#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

#include "../cleanup.h"
#include "../syscalls.h"
#include "child.h"

int husk_child_pivot(struct husk_child_ctx *ctx, husk_error_t *err) {
  const struct husk_plan *plan = ctx->plan;
  if (fchdir(ctx->rootfs_fd) < 0) return husk_fail_errno(err, plan->rootfs, "chdir to rootfs");
  if (plan->no_pivot) {
    if (mount(".", "/", NULL, MS_MOVE, NULL) < 0) return husk_fail_errno(err, plan->rootfs, "move rootfs to /");
    if (chroot(".") < 0) return husk_fail_errno(err, plan->rootfs, "chroot");
  } else {
    /* pivot_root(".", ".") stacks the old root on top of the new one. Step into the old
     * root (via an fd taken before) so that only it is made a slave and detached; the
     * container's own mounts keep the propagation they were given. */
    cleanup_fd int old_root = open("/", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
    if (old_root < 0) return husk_fail_errno(err, "/", "open old root");
    if (husk_pivot_root(".", ".") < 0) return husk_fail_errno(err, plan->rootfs, "pivot_root");
    if (fchdir(old_root) < 0) return husk_fail_errno(err, "/", "chdir to old root");
    if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
      return husk_fail_errno(err, "/", "make old root a slave before detaching");
    if (umount2(".", MNT_DETACH) < 0) return husk_fail_errno(err, "/", "detach old root");
  }
  if (chdir("/") < 0) return husk_fail_errno(err, "/", "chdir");
  close(ctx->rootfs_fd);
  ctx->rootfs_fd = -1;
  return 0;
}

int husk_child_finish_rootfs(const struct husk_plan *plan, husk_error_t *err) {
  if (plan->rootfs_readonly) {
    int ret = husk_remount_bind("/", MS_RDONLY, 0, err);
    if (ret < 0) return ret;
  }
  if (plan->rootfs_propagation && mount(NULL, "/", NULL, plan->rootfs_propagation, NULL) < 0)
    return husk_fail_errno(err, "/", "set rootfsPropagation");
  return 0;
}
