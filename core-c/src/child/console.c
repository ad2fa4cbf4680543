/* process.terminal: a pty made inside the container (its own devpts), whose master is
 * sent to the caller's --console-socket with SCM_RIGHTS, as runc does. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include "../cleanup.h"
#include "../fd_pass.h"
#include "child.h"

int husk_child_console(struct husk_child_ctx *ctx, husk_error_t *err) {
  if (!ctx->plan->terminal) return 0;
  if (ctx->console_fd < 0)
    return husk_fail(err, EINVAL, "process.terminal", "a terminal needs --console-socket");
  cleanup_fd int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0) return husk_fail_errno(err, "/dev/ptmx", "open (is /dev/pts mounted?)");
  if (unlockpt(master) < 0) return husk_fail_errno(err, "/dev/ptmx", "unlockpt");
  char name[128];
  if (ptsname_r(master, name, sizeof(name)) != 0) return husk_fail_errno(err, "/dev/ptmx", "ptsname");
  cleanup_fd int slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (slave < 0) return husk_fail_errno(err, name, "open pty slave");
  /* The pty's name travels with it, as runc sends it. */
  if (husk_fd_send(ctx->console_fd, master, name, strlen(name)) < 0)
    return husk_fail_errno(err, "console socket", "send pty master");
  close(ctx->console_fd);
  ctx->console_fd = -1;
  if (ioctl(slave, TIOCSCTTY, 0) < 0) return husk_fail_errno(err, name, "make controlling terminal");
  for (int i = 0; i < 3; i++)
    if (dup2(slave, i) < 0) return husk_fail_errno(err, name, "dup pty to fd %d", i);
  return 0;
}
