/* File-descriptor helpers Bun lacks: blocking pipes, flock, fifo release, pidfd signals,
 * process start times. None of them fork. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "napi_util.h"
#include "cgroup_join.h"
#include "syscalls.h"

/* pipe() -> [readFd, writeFd], both O_CLOEXEC and blocking. */
static napi_value js_pipe(napi_env env, napi_callback_info info) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) < 0) { husk_napi_throw_errno(env, errno, "pipe2", NULL); return NULL; }
  return husk_napi_fd_pair(env, fds);
}

/* flock(fd, exclusive, wait) -> true if taken, false if busy (wait=false). */
static napi_value js_flock(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  if (husk_napi_args(env, info, 3, argv, "flock(fd, exclusive, wait)") < 0) return NULL;
  int64_t fd;
  bool excl, wait;
  if (husk_napi_arg_int(env, argv[0], &fd, "fd") < 0) return NULL;
  napi_get_value_bool(env, argv[1], &excl);
  napi_get_value_bool(env, argv[2], &wait);
  int op = (excl ? LOCK_EX : LOCK_SH) | (wait ? 0 : LOCK_NB);
  int r;
  do r = flock((int)fd, op);
  while (r < 0 && errno == EINTR);
  if (r < 0) {
    if (errno == EWOULDBLOCK) return husk_napi_bool(env, 0);
    husk_napi_throw_errno(env, errno, "flock", NULL);
    return NULL;
  }
  return husk_napi_bool(env, 1);
}

/* releaseFifo(path, timeoutMs) -> true when a waiting init was released, false when
 * nobody was waiting (the container is gone). Opens non-blocking so that a dead
 * container never hangs `start`. */
static napi_value js_release_fifo(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (husk_napi_args(env, info, 2, argv, "releaseFifo(path, timeoutMs)") < 0) return NULL;
  cleanup_free char *path = husk_napi_arg_string(env, argv[0], "path");
  if (!path) return NULL;
  int64_t timeout;
  if (husk_napi_arg_int(env, argv[1], &timeout, "timeoutMs") < 0) return NULL;
  cleanup_fd int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    husk_napi_throw_errno(env, errno, "open exec fifo", path);
    return NULL;
  }
  struct pollfd p = {.fd = fd, .events = POLLIN};
  int r;
  do r = poll(&p, 1, (int)timeout);
  while (r < 0 && errno == EINTR);
  char c;
  ssize_t n = r > 0 ? read(fd, &c, 1) : 0;
  return husk_napi_bool(env, n == 1);
}

/* killPid(pid, signal): pidfd_send_signal where the kernel has it (no pid-reuse race
 * between our check and the signal), kill(2) otherwise. */
static napi_value js_kill(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (husk_napi_args(env, info, 2, argv, "killPid(pid, signal)") < 0) return NULL;
  int64_t pid, sig;
  if (husk_napi_arg_int(env, argv[0], &pid, "pid") < 0) return NULL;
  if (husk_napi_arg_int(env, argv[1], &sig, "signal") < 0) return NULL;
  int pfd = husk_pidfd_open((pid_t)pid, 0);
  int r;
  if (pfd >= 0) {
    r = husk_pidfd_send_signal(pfd, (int)sig);
    int e = errno;
    close(pfd);
    errno = e;
  } else if (errno == ESRCH) {
    r = -1;
  } else {
    r = kill((pid_t)pid, (int)sig);
  }
  if (r < 0) {
    if (errno == ESRCH) return husk_napi_bool(env, 0);
    husk_napi_throw_errno(env, errno, "kill", NULL);
    return NULL;
  }
  return husk_napi_bool(env, 1);
}

static napi_value js_close(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (husk_napi_args(env, info, 1, argv, "closeFd(fd)") < 0) return NULL;
  int64_t fd;
  if (husk_napi_arg_int(env, argv[0], &fd, "fd") < 0) return NULL;
  close((int)fd);
  return husk_napi_undefined(env);
}

/* mkfifo(path, mode) */
static napi_value js_mkfifo(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (husk_napi_args(env, info, 2, argv, "mkfifo(path, mode)") < 0) return NULL;
  cleanup_free char *path = husk_napi_arg_string(env, argv[0], "path");
  if (!path) return NULL;
  int64_t mode;
  if (husk_napi_arg_int(env, argv[1], &mode, "mode") < 0) return NULL;
  if (mkfifo(path, (mode_t)mode) < 0) husk_napi_throw_errno(env, errno, "mkfifo", path);
  return husk_napi_undefined(env);
}

/* waitPidExit(pid, timeoutMs) -> true once pid has exited (or never existed), false on
 * timeout. Works for processes that are not our children (pidfd + poll). */
static napi_value js_wait_pid_exit(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (husk_napi_args(env, info, 2, argv, "waitPidExit(pid, timeoutMs)") < 0) return NULL;
  int64_t pid, timeout;
  if (husk_napi_arg_int(env, argv[0], &pid, "pid") < 0) return NULL;
  if (husk_napi_arg_int(env, argv[1], &timeout, "timeoutMs") < 0) return NULL;
  int pfd = husk_pidfd_open((pid_t)pid, 0);
  if (pfd < 0) {
    if (errno == ESRCH) return husk_napi_bool(env, 1);
    husk_napi_throw_errno(env, errno, "pidfd_open", NULL);
    return NULL;
  }
  struct pollfd p = {.fd = pfd, .events = POLLIN};
  int r;
  do r = poll(&p, 1, (int)timeout);
  while (r < 0 && errno == EINTR);
  close(pfd);
  return husk_napi_bool(env, r > 0);
}

/* memfdFromBuffer(name, data) -> fd of an executable memfd holding data (used to run the
 * embedded husk-core without writing it to disk). */
static napi_value js_memfd(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (husk_napi_args(env, info, 2, argv, "memfdFromBuffer(name, data)") < 0) return NULL;
  cleanup_free char *name = husk_napi_arg_string(env, argv[0], "name");
  if (!name) return NULL;
  void *data;
  size_t len;
  if (napi_get_buffer_info(env, argv[1], &data, &len) != napi_ok) {
    napi_typedarray_type t;
    napi_value ab;
    size_t off;
    if (napi_get_typedarray_info(env, argv[1], &t, &len, &data, &ab, &off) != napi_ok) {
      napi_throw_type_error(env, NULL, "data must be a Buffer or Uint8Array");
      return NULL;
    }
  }
  /* MFD_EXEC (6.3+) keeps exec allowed under vm.memfd_noexec=1; older kernels reject it. */
  int fd = (int)syscall(SYS_memfd_create, name, MFD_CLOEXEC | 0x0010U);
  if (fd < 0 && errno == EINVAL) fd = (int)syscall(SYS_memfd_create, name, MFD_CLOEXEC);
  if (fd < 0) { husk_napi_throw_errno(env, errno, "memfd_create", NULL); return NULL; }
  const char *p = data;
  while (len > 0) {
    ssize_t n = write(fd, p, len);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) { int e = errno; close(fd); husk_napi_throw_errno(env, e, "write memfd", NULL); return NULL; }
    p += n;
    len -= (size_t)n;
  }
  return husk_napi_int(env, fd);
}

/* writeCgroupFiles([[path, value], ...]): one open/write per file, in order; throws
 * naming the file and value that failed. */
static napi_value js_write_cgroup_files(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (husk_napi_args(env, info, 1, argv, "writeCgroupFiles(writes)") < 0) return NULL;
  uint32_t n = 0;
  if (napi_get_array_length(env, argv[0], &n) != napi_ok) {
    napi_throw_type_error(env, NULL, "writes must be an array of [path, value]");
    return NULL;
  }
  for (uint32_t i = 0; i < n; i++) {
    napi_value pv, vv;
    if (husk_napi_pair_at(env, argv[0], i, &pv, &vv) < 0) return NULL;
    cleanup_free char *path = husk_napi_arg_string(env, pv, "path");
    if (!path) return NULL;
    cleanup_free char *value = husk_napi_arg_string(env, vv, "value");
    if (!value) return NULL;
    husk_error_t err;
    husk_error_clear(&err);
    if (husk_cgroup_write(path, value, &err) < 0) {
      char what[600];
      snprintf(what, sizeof(what), "write \"%.200s\" to", value);
      husk_napi_throw_errno(env, err.errnum, what, path);
      return NULL;
    }
  }
  return husk_napi_undefined(env);
}

void husk_addon_register_fd_ops(napi_env env, napi_value exports) {
  husk_napi_export(env, exports, "pipe", js_pipe);
  husk_napi_export(env, exports, "flock", js_flock);
  husk_napi_export(env, exports, "releaseFifo", js_release_fifo);
  husk_napi_export(env, exports, "killPid", js_kill);
  husk_napi_export(env, exports, "closeFd", js_close);
  husk_napi_export(env, exports, "mkfifo", js_mkfifo);
  husk_napi_export(env, exports, "waitPidExit", js_wait_pid_exit);
  husk_napi_export(env, exports, "memfdFromBuffer", js_memfd);
  husk_napi_export(env, exports, "writeCgroupFiles", js_write_cgroup_files);
}
