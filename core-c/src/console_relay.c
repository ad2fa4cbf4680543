#include "console_relay.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "cleanup.h"
#include "fd_pass.h"

int husk_console_recv_master(int sock, husk_error_t *err) {
  char name[128];
  int fd;
  if (husk_fd_recv(sock, name, sizeof(name), MSG_CMSG_CLOEXEC, &fd) < 0) return husk_fail_errno(err, "console", "receive pty master");
  if (fd < 0) return husk_fail(err, EPROTO, "console", "no pty master received");
  return fd;
}

static void copy_winsize(int from, int to) {
  struct winsize ws;
  if (ioctl(from, TIOCGWINSZ, &ws) == 0) ioctl(to, TIOCSWINSZ, &ws);
}

/* Write all of buf; drop output if the reader went away. */
static void write_all(int fd, const char *buf, ssize_t len) {
  while (len > 0) {
    ssize_t w = write(fd, buf, (size_t)len);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return;
    buf += w;
    len -= w;
  }
}

int husk_console_relay(int master, pid_t pid, int *status, husk_error_t *err) {
  struct termios saved;
  int raw = isatty(0) && tcgetattr(0, &saved) == 0;
  if (raw) {
    struct termios t = saved;
    cfmakeraw(&t);
    tcsetattr(0, TCSANOW, &t);
    copy_winsize(0, master);
  }
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGWINCH);
  sigaddset(&mask, SIGCHLD);
  sigprocmask(SIG_BLOCK, &mask, NULL);
  cleanup_fd int sfd = signalfd(-1, &mask, SFD_CLOEXEC);
  int stdin_open = 1, exited = 0;
  char buf[8192];
  while (!exited) {
    struct pollfd p[3] = {{.fd = master, .events = POLLIN}, {.fd = stdin_open ? 0 : -1, .events = POLLIN}, {.fd = sfd, .events = POLLIN}};
    if (poll(p, 3, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (p[0].revents & POLLIN) {
      ssize_t n = read(master, buf, sizeof(buf));
      if (n > 0) write_all(1, buf, n);
    } else if (p[0].revents & (POLLHUP | POLLERR)) {
      /* every slave fd closed: the container is ending */
      if (waitpid(pid, status, 0) == pid) exited = 1;
    }
    if (p[1].revents & (POLLIN | POLLHUP)) {
      ssize_t n = read(0, buf, sizeof(buf));
      if (n > 0) write_all(master, buf, n);
      else stdin_open = 0;
    }
    if (p[2].revents & POLLIN) {
      struct signalfd_siginfo si;
      if (read(sfd, &si, sizeof(si)) == sizeof(si)) {
        if (si.ssi_signo == SIGWINCH && raw) copy_winsize(0, master);
        if (si.ssi_signo == SIGCHLD && waitpid(pid, status, WNOHANG) == pid) exited = 1;
      }
    }
  }
  /* Drain what the container wrote last. */
  for (;;) {
    struct pollfd p = {.fd = master, .events = POLLIN};
    if (poll(&p, 1, 0) <= 0 || !(p.revents & POLLIN)) break;
    ssize_t n = read(master, buf, sizeof(buf));
    if (n <= 0) break;
    write_all(1, buf, n);
  }
  if (raw) tcsetattr(0, TCSANOW, &saved);
  sigprocmask(SIG_UNBLOCK, &mask, NULL);
  if (!exited) return husk_fail_errno(err, "", "wait for container");
  return 0;
}
