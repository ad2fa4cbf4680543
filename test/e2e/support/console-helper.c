/* console-helper SOCKET INPUT -- CMD...
 *
 * The receiving end of runc's --console-socket protocol, for tests: listen on the unix
 * socket SOCKET, run CMD (its stdout goes to our stderr), accept one connection, receive
 * the pty master over SCM_RIGHTS, write INPUT into it, copy everything the container
 * prints on its terminal to our stdout until the pty closes, and exit with CMD's status.
 * Prints "helper: name=<name sent with the fd>" on stderr. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static int die(const char *what) {
  fprintf(stderr, "helper: %s: %s\n", what, strerror(errno));
  return 111;
}

int main(int argc, char **argv) {
  if (argc < 5 || strcmp(argv[3], "--") != 0) {
    fprintf(stderr, "usage: console-helper SOCKET INPUT -- CMD...\n");
    return 2;
  }
  const char *path = argv[1], *input = argv[2];
  int ls = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (ls < 0) return die("socket");
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
  unlink(path);
  if (bind(ls, (struct sockaddr *)&addr, sizeof(addr)) < 0) return die("bind");
  if (listen(ls, 1) < 0) return die("listen");

  pid_t cmd = fork();
  if (cmd < 0) return die("fork");
  if (cmd == 0) {
    dup2(2, 1);
    execvp(argv[4], argv + 4);
    fprintf(stderr, "helper: exec %s: %s\n", argv[4], strerror(errno));
    _exit(127);
  }

  /* Wait for the connection, but give up if the command exits without connecting. */
  int conn = -1;
  for (;;) {
    struct pollfd p = {.fd = ls, .events = POLLIN};
    int r = poll(&p, 1, 200);
    if (r > 0) {
      conn = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
      break;
    }
    int st;
    if (waitpid(cmd, &st, WNOHANG) == cmd) {
      fprintf(stderr, "helper: command exited before connecting to the console socket\n");
      unlink(path);
      return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    }
  }
  if (conn < 0) return die("accept");

  char name[256] = {0};
  char cbuf[CMSG_SPACE(sizeof(int))];
  struct iovec iov = {.iov_base = name, .iov_len = sizeof(name) - 1};
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
  ssize_t n = recvmsg(conn, &msg, MSG_CMSG_CLOEXEC);
  if (n < 0) return die("recvmsg");
  struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
  if (!c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) {
    fprintf(stderr, "helper: no SCM_RIGHTS message received\n");
    return 112;
  }
  int master;
  memcpy(&master, CMSG_DATA(c), sizeof(int));
  fprintf(stderr, "helper: name=%s\n", name);
  close(conn);
  close(ls);
  unlink(path);

  size_t len = strlen(input);
  if (len && write(master, input, len) != (ssize_t)len) return die("write to pty master");

  char buf[4096];
  for (;;) {
    struct pollfd p = {.fd = master, .events = POLLIN};
    int r = poll(&p, 1, 20000);
    if (r == 0) {
      fprintf(stderr, "helper: no terminal output for 20 s\n");
      break;
    }
    if (r < 0 && errno == EINTR) continue;
    ssize_t got = read(master, buf, sizeof(buf));
    if (got <= 0) break; /* EIO once the last slave fd is closed */
    fwrite(buf, 1, (size_t)got, stdout);
  }
  fflush(stdout);
  close(master);
  int st;
  while (waitpid(cmd, &st, 0) < 0)
    if (errno != EINTR) return die("waitpid");
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
