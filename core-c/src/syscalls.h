/* Raw wrappers for syscalls that glibc does not wrap (or wraps only recently).
 * Kept in one place so that fallbacks and feature probes look the same everywhere. */
#ifndef HUSK_SYSCALLS_H
#define HUSK_SYSCALLS_H

#include <linux/sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif
#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif
#ifndef __NR_clone3
#define __NR_clone3 435
#endif
#ifndef __NR_pidfd_open
#define __NR_pidfd_open 434
#endif
#ifndef __NR_pidfd_send_signal
#define __NR_pidfd_send_signal 424
#endif
#ifndef __NR_close_range
#define __NR_close_range 436
#endif
#ifndef __NR_fsopen
#define __NR_open_tree 428
#define __NR_move_mount 429
#define __NR_fsopen 430
#define __NR_fsconfig 431
#define __NR_fsmount 432
#endif
#ifndef __NR_mount_setattr
#define __NR_mount_setattr 442
#endif

/* Our own copy of the clone3 argument layout (CLONE_ARGS_SIZE_VER2), so that older
 * kernel headers still build. */
struct husk_clone_args {
  uint64_t flags;
  uint64_t pidfd;
  uint64_t child_tid;
  uint64_t parent_tid;
  uint64_t exit_signal;
  uint64_t stack;
  uint64_t stack_size;
  uint64_t tls;
  uint64_t set_tid;
  uint64_t set_tid_size;
  uint64_t cgroup;
};

static inline long husk_clone3(struct husk_clone_args *args) {
  return syscall(__NR_clone3, args, sizeof(*args));
}
static inline int husk_pivot_root(const char *new_root, const char *put_old) {
  return (int)syscall(SYS_pivot_root, new_root, put_old);
}
static inline int husk_pidfd_open(pid_t pid, unsigned int flags) {
  return (int)syscall(__NR_pidfd_open, pid, flags);
}
static inline int husk_pidfd_send_signal(int pidfd, int sig) {
  return (int)syscall(__NR_pidfd_send_signal, pidfd, sig, NULL, 0);
}
static inline int husk_close_range(unsigned int first, unsigned int last, unsigned int flags) {
  return (int)syscall(__NR_close_range, first, last, flags);
}
static inline int husk_fsopen(const char *fs, unsigned int flags) {
  return (int)syscall(__NR_fsopen, fs, flags);
}
static inline int husk_fsconfig(int fd, unsigned int cmd, const char *key, const void *value,
                                int aux) {
  return (int)syscall(__NR_fsconfig, fd, cmd, key, value, aux);
}
static inline int husk_fsmount(int fd, unsigned int flags, unsigned int attr) {
  return (int)syscall(__NR_fsmount, fd, flags, attr);
}
static inline int husk_move_mount(int from_dfd, const char *from, int to_dfd, const char *to,
                                  unsigned int flags) {
  return (int)syscall(__NR_move_mount, from_dfd, from, to_dfd, to, flags);
}
#ifndef MOVE_MOUNT_F_EMPTY_PATH
#define MOVE_MOUNT_F_EMPTY_PATH 0x00000004
#endif
#ifndef MOVE_MOUNT_T_EMPTY_PATH
#define MOVE_MOUNT_T_EMPTY_PATH 0x00000040
#endif
static inline int husk_open_tree(int dfd, const char *path, unsigned int flags) {
  return (int)syscall(__NR_open_tree, dfd, path, flags);
}

struct husk_mount_attr {
  uint64_t attr_set;
  uint64_t attr_clr;
  uint64_t propagation;
  uint64_t userns_fd;
};
static inline int husk_mount_setattr(int dfd, const char *path, unsigned int flags,
                                     struct husk_mount_attr *attr) {
  return (int)syscall(__NR_mount_setattr, dfd, path, flags, attr, sizeof(*attr));
}

#endif
