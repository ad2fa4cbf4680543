#include "netns_tools.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cleanup.h"
#include "fd_pass.h"
#include "netlink/nl.h"

int husk_netns_enter(const char *path, husk_error_t *err) {
  if (!path || !*path) return 0; /* no netns given: stay where we are */
  cleanup_fd int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return husk_fail_errno(err, path, "open netns");
  if (setns(fd, CLONE_NEWNET) < 0) return husk_fail_errno(err, path, "setns network namespace");
  return 0;
}

int husk_send_fd(int sock, int fd, husk_error_t *err) {
  if (husk_fd_send(sock, fd, "F", 1) < 0) return husk_fail_errno(err, "", "sendmsg SCM_RIGHTS");
  return 0;
}

int husk_netlink_socket_mode(const char *netns, int sock_fd, husk_error_t *err) {
  if (sock_fd < 0) return husk_fail(err, EINVAL, "", "--sock-fd is required");
  int ret = husk_netns_enter(netns, err);
  if (ret < 0) return ret;
  cleanup_fd int nl = husk_nl_open(err);
  if (nl < 0) return nl;
  return husk_send_fd(sock_fd, nl, err);
}

int husk_netns_exec_mode(const char *netns, char **argv, husk_error_t *err) {
  if (!argv || !argv[0]) return husk_fail(err, EINVAL, "", "netns-exec: no program given");
  int ret = husk_netns_enter(netns, err);
  if (ret < 0) return ret;
  execvp(argv[0], argv);
  return husk_fail_errno(err, argv[0], "exec");
}

int husk_netns_sysctl_mode(const char *netns, const char *key, const char *value, husk_error_t *err) {
  if (!key || !value || strstr(key, "..")) return husk_fail(err, EINVAL, key ? key : "", "netns-sysctl KEY VALUE");
  int ret = husk_netns_enter(netns, err);
  if (ret < 0) return ret;
  char path[256];
  snprintf(path, sizeof(path), "/proc/sys/%s", key);
  /* /proc/sys/net shows the namespace of the opener: we are inside it now. */
  cleanup_fd int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return husk_fail_errno(err, path, "open sysctl");
  size_t len = strlen(value);
  if (write(fd, value, len) != (ssize_t)len) return husk_fail_errno(err, path, "write sysctl");
  return 0;
}
