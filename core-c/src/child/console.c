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
#include "child.h"

static int send_fd(int sock, int fd, const char *name, husk_error_t *err) {
  char cbuf[CMSG_SPACE(sizeof(int))];
  memset(cbuf, 0, sizeof(cbuf));
  struct iovec iov = {.iov_base = (void *)name, .iov_len = strlen(name)};
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
  struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(c), &fd, sizeof(int));
  ssize_t n;
  do n = sendmsg(sock, &msg, MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  if (n < 0) return husk_fail_errno(err, "console socket", "send pty master");
  return 0;
}

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
  int ret = send_fd(ctx->console_fd, master, name, err);
  if (ret < 0) return ret;
  close(ctx->console_fd);
  ctx->console_fd = -1;
  if (ioctl(slave, TIOCSCTTY, 0) < 0) return husk_fail_errno(err, name, "make controlling terminal");
  for (int i = 0; i < 3; i++)
    if (dup2(slave, i) < 0) return husk_fail_errno(err, name, "dup pty to fd %d", i);
  return 0;
}
