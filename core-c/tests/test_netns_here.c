/* husk_netns_add_here: a new network namespace kept on a file, made without a child, and
 * the caller back in its own namespace afterwards (root only; exit 77 = skip). */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../src/netns.h"
#include "tap.h"

static ino_t ino_of(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 ? st.st_ino : 0;
}

int main(void) {
  if (geteuid() != 0) {
    printf("1..0 # SKIP needs root\n");
    return 77;
  }
  char dir[] = "/tmp/husk-test-netns-XXXXXX";
  if (!mkdtemp(dir)) return 1;
  char path[64];
  snprintf(path, sizeof(path), "%s/ns", dir);
  ino_t home = ino_of("/proc/self/ns/net");
  husk_error_t err;
  husk_error_clear(&err);
  ok(husk_netns_add_here(path, &err) == 0, "add: %s", err.msg);
  ok(ino_of("/proc/self/ns/net") == home, "the caller is back in its own namespace");
  ok(ino_of(path) != 0 && ino_of(path) != home, "the file holds another namespace");
  /* lo is up inside: enter it in a child and look. */
  pid_t pid = fork();
  if (pid == 0) {
    int fd = open(path, O_RDONLY);
    if (fd < 0 || setns(fd, CLONE_NEWNET) < 0) _exit(2);
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    struct ifreq ifr = {0};
    strcpy(ifr.ifr_name, "lo");
    _exit(s >= 0 && ioctl(s, SIOCGIFFLAGS, &ifr) == 0 && (ifr.ifr_flags & IFF_UP) ? 0 : 1);
  }
  int status = -1;
  waitpid(pid, &status, 0);
  ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "lo is up in the new namespace");
  husk_error_clear(&err);
  ok(husk_netns_add_here(path, &err) == -EEXIST, "a second add of the same path fails with EEXIST");
  ok(ino_of("/proc/self/ns/net") == home, "and leaves the caller at home");
  ok(husk_netns_del(path, &err) == 0 && access(path, F_OK) < 0, "del removes it");
  rmdir(dir);
  return done_testing();
}
