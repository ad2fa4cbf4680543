#include "idmap.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "cleanup.h"

static int write_map(pid_t pid, const char *file, const struct husk_idmap *m, size_t n, husk_error_t *err) {
  if (!n) return 0;
  char buf[4096], path[64];
  size_t off = 0;
  for (size_t i = 0; i < n; i++) {
    int w = snprintf(buf + off, sizeof(buf) - off, "%llu %llu %llu\n", (unsigned long long)m[i].container,
                     (unsigned long long)m[i].host, (unsigned long long)m[i].size);
    if (w < 0 || (size_t)w >= sizeof(buf) - off) return husk_fail(err, E2BIG, file, "too many id mappings");
    off += (size_t)w;
  }
  snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
  cleanup_fd int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return husk_fail_errno(err, path, "open");
  if (write(fd, buf, off) != (ssize_t)off) return husk_fail_errno(err, path, "write %s (overlapping or unmapped ranges?)", file);
  return 0;
}

int husk_write_id_maps(const struct husk_plan *plan, pid_t pid, husk_error_t *err) {
  int ret = write_map(pid, "uid_map", plan->uidmap, plan->n_uidmap, err);
  if (ret < 0) return ret;
  return write_map(pid, "gid_map", plan->gidmap, plan->n_gidmap, err);
}
