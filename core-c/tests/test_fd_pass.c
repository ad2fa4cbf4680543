#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fd_pass.h"
#include "tap.h"

int main(void) {
  int sv[2], p[2];
  ok(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0, "socketpair");
  ok(pipe(p) == 0, "pipe");

  /* An fd and its payload arrive together; the received fd is the same pipe. */
  ok(husk_fd_send(sv[0], p[1], "/dev/pts/7", 10) == 10, "send a pipe's write end with a name");
  char buf[32] = "";
  int fd = -2;
  ssize_t n = husk_fd_recv(sv[1], buf, sizeof(buf), MSG_CMSG_CLOEXEC, &fd);
  ok(n == 10 && memcmp(buf, "/dev/pts/7", 10) == 0, "payload carried (%zd bytes)", n);
  ok(fd >= 0 && fd != p[1], "a new descriptor arrived (%d)", fd);
  ok((fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0, "MSG_CMSG_CLOEXEC honoured");
  ok(write(fd, "x", 1) == 1, "write through the received fd");
  char c = 0;
  ok(read(p[0], &c, 1) == 1 && c == 'x', "read it from the original pipe");
  close(fd);

  /* A message without a descriptor: the bytes come, *fd says none. */
  ok(write(sv[0], "F", 1) == 1, "plain byte sent");
  fd = -2;
  n = husk_fd_recv(sv[1], buf, 1, 0, &fd);
  ok(n == 1 && fd == -1, "no fd in the message: fd is -1 (n=%zd fd=%d)", n, fd);

  /* Nothing waiting and MSG_DONTWAIT: -1 with EAGAIN, as the addon's recvFd expects. */
  errno = 0;
  n = husk_fd_recv(sv[1], buf, 1, MSG_DONTWAIT, &fd);
  ok(n == -1 && errno == EAGAIN, "empty socket, non-blocking: EAGAIN");

  /* The peer has gone: sending fails with EPIPE, without a SIGPIPE killing us. */
  close(sv[1]);
  errno = 0;
  ok(husk_fd_send(sv[0], p[0], "F", 1) == -1 && errno == EPIPE, "closed peer: EPIPE, no signal");
  close(sv[0]);
  close(p[0]);
  close(p[1]);
  return done_testing();
}
