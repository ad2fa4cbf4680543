/* Scope-bound cleanup so that an early `return ret;` never leaks an fd, a buffer or a
 * half-made child. */
#ifndef HUSK_CLEANUP_H
#define HUSK_CLEANUP_H

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static inline void husk_close_fd(int *fd) {
  if (*fd >= 0) {
    int saved = errno;
    close(*fd);
    errno = saved;
    *fd = -1;
  }
}
static inline void husk_free_ptr(void *p) { free(*(void **)p); }
/* A child that was never handed over is killed and reaped. */
static inline void husk_kill_pid(pid_t *pid) {
  if (*pid > 0) {
    int saved = errno;
    kill(*pid, SIGKILL);
    while (waitpid(*pid, NULL, __WALL) < 0 && errno == EINTR) {}
    errno = saved;
  }
}

#define cleanup_fd __attribute__((cleanup(husk_close_fd)))
#define cleanup_free __attribute__((cleanup(husk_free_ptr)))
#define cleanup_pid __attribute__((cleanup(husk_kill_pid)))

/* Hand ownership away from a cleanup variable. */
#define husk_steal(x) ({ __typeof__(x) _v = (x); (x) = -1; _v; })

#endif
