#include "fd_pass.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

/* Control space for exactly one descriptor, aligned as cmsghdr wants. */
union one_fd_cmsg {
  struct cmsghdr align;
  char buf[CMSG_SPACE(sizeof(int))];
};

ssize_t husk_fd_send(int sock, int fd, const void *data, size_t len) {
  union one_fd_cmsg ctl;
  memset(&ctl, 0, sizeof(ctl));
  struct iovec iov = {.iov_base = (void *)data, .iov_len = len};
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf)};
  struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(c), &fd, sizeof(int));
  ssize_t n;
  do n = sendmsg(sock, &msg, MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  return n;
}

ssize_t husk_fd_recv(int sock, void *buf, size_t len, int flags, int *fd) {
  union one_fd_cmsg ctl;
  struct iovec iov = {.iov_base = buf, .iov_len = len};
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf)};
  *fd = -1;
  ssize_t n;
  do n = recvmsg(sock, &msg, flags);
  while (n < 0 && errno == EINTR);
  if (n < 0) return n;
  struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
  if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) memcpy(fd, CMSG_DATA(c), sizeof(int));
  return n;
}
