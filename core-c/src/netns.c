#include "netns.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "netlink/nl.h"
#include "netns_tools.h"

static int loopback_up(husk_error_t *err) {
  cleanup_fd int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0) return husk_fail_errno(err, "lo", "socket");
  struct ifreq ifr;
  memset(&ifr, 0, sizeof(ifr));
  strcpy(ifr.ifr_name, "lo");
  if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0) return husk_fail_errno(err, "lo", "get interface flags");
  ifr.ifr_flags |= IFF_UP;
  if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0) return husk_fail_errno(err, "lo", "bring interface up");
  return 0;
}

/* unshare, lo up, bind the new namespace onto path in the caller's mount namespace (only
 * the network one changed); with sock_fd >= 0, send a netlink socket opened inside it.
 * Run in a child by husk_netns_add_with_netlink, in place by husk_netns_add_here (which
 * returns to the old namespace afterwards). */
static int child_add(const char *path, int sock_fd, husk_error_t *err) {
  if (unshare(CLONE_NEWNET) < 0) return husk_fail_errno(err, path, "unshare network namespace");
  int ret = loopback_up(err);
  if (ret < 0) return ret;
  if (mount("/proc/self/ns/net", path, NULL, MS_BIND, NULL) < 0) return husk_fail_errno(err, path, "bind-mount network namespace");
  if (sock_fd >= 0) {
    cleanup_fd int nl = husk_nl_open(err);
    if (nl < 0) return nl;
    return husk_send_fd(sock_fd, nl, err);
  }
  return 0;
}

int husk_netns_add(const char *path, husk_error_t *err) {
  return husk_netns_add_with_netlink(path, -1, err);
}

int husk_netns_add_with_netlink(const char *path, int sock_fd, husk_error_t *err) {
  int fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
  if (fd < 0) return husk_fail_errno(err, path, "create network namespace file");
  close(fd);
  /* The child's error comes back through a pipe as a whole struct. */
  int p[2];
  if (pipe2(p, O_CLOEXEC) < 0) {
    int e = errno;
    unlink(path);
    return husk_fail(err, e, path, "pipe");
  }
  pid_t pid = fork();
  if (pid < 0) {
    int e = errno;
    close(p[0]);
    close(p[1]);
    unlink(path);
    return husk_fail(err, e, path, "fork");
  }
  if (pid == 0) {
    close(p[0]);
    husk_error_t cerr;
    husk_error_clear(&cerr);
    if (child_add(path, sock_fd, &cerr) < 0) {
      if (write(p[1], &cerr, sizeof(cerr)) < 0) _exit(2);
      _exit(1);
    }
    _exit(0);
  }
  close(p[1]);
  husk_error_t cerr;
  ssize_t n = read(p[0], &cerr, sizeof(cerr));
  close(p[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
  if (n == (ssize_t)sizeof(cerr) || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    umount2(path, MNT_DETACH);
    unlink(path);
    if (n == (ssize_t)sizeof(cerr)) {
      *err = cerr;
      return -(cerr.errnum ? cerr.errnum : EIO);
    }
    return husk_fail(err, EIO, path, "network namespace helper exited with status 0x%x", status);
  }
  return 0;
}

int husk_netns_add_here(const char *path, husk_error_t *err) {
  cleanup_fd int home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
  if (home < 0) return husk_fail_errno(err, "/proc/self/ns/net", "open own network namespace");
  int fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
  if (fd < 0) return husk_fail_errno(err, path, "create network namespace file");
  close(fd);
  int ret = child_add(path, -1, err);
  /* Back home whatever happened: the caller must not stay in the new namespace. */
  if (setns(home, CLONE_NEWNET) < 0) {
    if (ret == 0) ret = husk_fail_errno(err, path, "return to own network namespace");
  }
  if (ret < 0) {
    umount2(path, MNT_DETACH);
    unlink(path);
  }
  return ret;
}

int husk_netns_del(const char *path, husk_error_t *err) {
  if (umount2(path, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
    return husk_fail_errno(err, path, "unmount network namespace");
  if (unlink(path) < 0 && errno != ENOENT) return husk_fail_errno(err, path, "remove network namespace file");
  return 0;
}
