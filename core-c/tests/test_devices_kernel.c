/* The cgroup v2 device filter in a real kernel: a process in a cgroup with the filter
 * attached may open /dev/null but not /dev/zero. Needs root and a cgroup2 mount
 * (exit 77 = skip otherwise). The test cgroup is made under our own and removed. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup_devices.h"
#include "tap.h"

static int find_unified(char *out, size_t cap) {
  const char *mounts[] = {"/sys/fs/cgroup/unified", "/sys/fs/cgroup"};
  char own[1200] = "";
  FILE *f = fopen("/proc/self/cgroup", "r");
  if (!f) return -1;
  char line[1200];
  while (fgets(line, sizeof(line), f))
    if (strncmp(line, "0::", 3) == 0) { snprintf(own, sizeof(own), "%s", line + 3); own[strcspn(own, "\n")] = 0; }
  fclose(f);
  for (size_t i = 0; i < 2; i++) {
    char probe[64];
    snprintf(probe, sizeof(probe), "%s/cgroup.controllers", mounts[i]);
    if (access(probe, F_OK) == 0) { snprintf(out, cap, "%s%s", mounts[i], strcmp(own, "/") ? own : ""); return 0; }
  }
  return -1;
}

int main(void) {
  char base[1500], dir[1600];
  if (getuid() != 0 || find_unified(base, sizeof(base)) < 0) {
    printf("1..0 # SKIP needs root and a cgroup2 mount\n");
    return 77;
  }
  snprintf(dir, sizeof(dir), "%s/husk-devtest-%d", base, (int)getpid());
  ok(mkdir(dir, 0755) == 0, "made %s", dir);
  int cg = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  struct husk_dev_rule rules[] = {
    {.allow = 0, .type = 'a', .major = -1, .minor = -1, .access = 7},
    {.allow = 1, .type = 'c', .major = 1, .minor = 3, .access = 6},
  };
  husk_error_t err;
  memset(&err, 0, sizeof(err));
  int r = husk_devices_attach(cg, rules, 2, &err);
  ok(r == 0, "filter loaded and attached (%s)", err.msg);
  pid_t pid = fork();
  if (pid == 0) {
    char procs[1700], v[16];
    snprintf(procs, sizeof(procs), "%s/cgroup.procs", dir);
    int fd = open(procs, O_WRONLY);
    int n = snprintf(v, sizeof(v), "%d", (int)getpid());
    if (fd < 0 || write(fd, v, (size_t)n) != n) _exit(10);
    close(fd);
    int null_ok = open("/dev/null", O_RDWR) >= 0;
    int zero = open("/dev/zero", O_RDONLY);
    int zero_eperm = zero < 0 && errno == EPERM;
    _exit((null_ok ? 0 : 1) | (zero_eperm ? 0 : 2));
  }
  int status = 0;
  waitpid(pid, &status, 0);
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : 99;
  ok(code != 10, "child moved into the test cgroup");
  ok(!(code & 1) || code == 10, "/dev/null (allowed) opens");
  ok(!(code & 2) || code == 10, "/dev/zero (not allowed) gives EPERM");
  close(cg);
  ok(rmdir(dir) == 0, "test cgroup removed");
  return done_testing();
}
