/* The container's init, between clone and execve. Plain C, single-threaded; it never
 * returns to the caller: it execs, or reports (stage, errno, path, message) and exits. */
#ifndef HUSK_CHILD_H
#define HUSK_CHILD_H

#include "../error.h"
#include "../plan.h"

/* Everything the parent opened for the child before clone (all O_CLOEXEC). */
struct husk_child_ctx {
  const struct husk_plan *plan;
  int sync_fd;          /* child's end of the SOCK_SEQPACKET pair */
  int proc_fd;          /* host /proc (O_PATH): reopens the fifo after pivot_root */
  int fifo_fd;          /* exec fifo (O_PATH), or -1 */
  int console_fd;       /* connected console socket, or -1 */
  int *ns_fds;          /* parallel to plan->ns: fd to join, or -1 */
  int *idmap_fds;       /* parallel to plan->mounts: detached idmapped tree, or -1 */
  int rootfs_fd;        /* set during mounts: the container's root (O_PATH) */
  int new_userns;       /* a new user namespace was created by clone */
  int stdio[3];         /* fds to become 0, 1, 2 (the monitor's pipes), or -1 to keep ours */
};

/* Entry point after clone; never returns. */
__attribute__((noreturn)) void husk_child_main(struct husk_child_ctx *ctx);

/* Stages (each returns <0 with err filled). */
int husk_child_join_namespaces(struct husk_child_ctx *ctx, husk_error_t *err);
int husk_child_cgroup_namespace(const struct husk_plan *plan, husk_error_t *err);
int husk_child_time_namespace(const struct husk_plan *plan, husk_error_t *err);
int husk_child_hostname(const struct husk_plan *plan, husk_error_t *err);
int husk_child_prepare_rootfs(struct husk_child_ctx *ctx, husk_error_t *err);
int husk_child_mounts(struct husk_child_ctx *ctx, husk_error_t *err);
int husk_child_devices(struct husk_child_ctx *ctx, husk_error_t *err);
int husk_child_pivot(struct husk_child_ctx *ctx, husk_error_t *err);
int husk_child_finish_rootfs(const struct husk_plan *plan, husk_error_t *err);
int husk_child_masked_paths(const struct husk_plan *plan, husk_error_t *err);
int husk_child_readonly_paths(const struct husk_plan *plan, husk_error_t *err);
int husk_child_sysctl(const struct husk_plan *plan, husk_error_t *err);
int husk_child_console(struct husk_child_ctx *ctx, husk_error_t *err);
int husk_child_process_attrs(const struct husk_plan *plan, husk_error_t *err);
int husk_child_user(const struct husk_plan *plan, husk_error_t *err);
int husk_child_drop_bounding(const struct husk_plan *plan, husk_error_t *err);
int husk_child_caps(const struct husk_plan *plan, husk_error_t *err);
int husk_child_seccomp(const struct husk_plan *plan, husk_error_t *err);
int husk_child_wait_fifo(struct husk_child_ctx *ctx, husk_error_t *err);
/* Find process.args[0] (PATH lookup in the container's environment) before we report
 * READY, so that a missing binary fails `create` rather than `start`. */
int husk_child_resolve_exec(const struct husk_plan *plan, char *out, size_t cap, husk_error_t *err);
/* execve the resolved path; returns only on failure. */
int husk_child_exec(const struct husk_plan *plan, const char *resolved, husk_error_t *err);

/* Open `path` (absolute, inside the container root) without escaping it, creating it as
 * a directory (or an empty file when `as_file`) when missing. Returns an O_PATH fd. */
int husk_open_in_root(int rootfd, const char *path, int create, int as_file, husk_error_t *err);
/* Remount a bind mount with `flags`, keeping the flags the kernel locks (nosuid, ...)
 * unless they are in `clear`. */
int husk_remount_bind(const char *target, unsigned long flags, unsigned long clear, husk_error_t *err);
/* "/proc/self/fd/N" for mounting onto an O_PATH fd. */
void husk_fd_path(char *buf, size_t cap, int fd);

#endif
