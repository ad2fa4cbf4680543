#include "status.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../cleanup.h"
#include "cri_log.h"
#include "msgpack_writer.h"

size_t husk_status_encode(const struct husk_status *st, unsigned char *buf, size_t cap) {
  struct husk_mp m;
  husk_mp_init(&m, buf, cap);
  husk_mp_map(&m, 12);
  husk_mp_str(&m, "monitorPid"); husk_mp_int(&m, st->monitor_pid);
  husk_mp_str(&m, "monitorStartTime"); husk_mp_int(&m, (int64_t)st->monitor_start_time);
  husk_mp_str(&m, "pid"); husk_mp_int(&m, st->pid);
  husk_mp_str(&m, "pidStartTime"); husk_mp_int(&m, (int64_t)st->pid_start_time);
  husk_mp_str(&m, "status"); husk_mp_str(&m, st->status);
  husk_mp_str(&m, "exitCode"); husk_mp_int(&m, st->exit_code);
  husk_mp_str(&m, "signal"); husk_mp_int(&m, st->signal);
  husk_mp_str(&m, "oomKilled"); husk_mp_bool(&m, st->oom_killed);
  husk_mp_str(&m, "startedAt"); husk_mp_str_or_nil(&m, st->started_at);
  husk_mp_str(&m, "finishedAt"); husk_mp_str_or_nil(&m, st->finished_at);
  husk_mp_str(&m, "restartCount"); husk_mp_int(&m, st->restart_count);
  husk_mp_str(&m, "error"); husk_mp_str_or_nil(&m, st->error);
  return m.overflow ? 0 : m.len;
}

int husk_status_write(const char *path, const struct husk_status *st, husk_error_t *err) {
  unsigned char buf[1024];
  size_t len = husk_status_encode(st, buf, sizeof(buf));
  if (!len) return husk_fail(err, EOVERFLOW, path, "encode status");
  char tmp[4200];
  snprintf(tmp, sizeof(tmp), "%s.tmp", path);
  cleanup_fd int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return husk_fail_errno(err, tmp, "open status");
  size_t off = 0;
  while (off < len) {
    ssize_t w = write(fd, buf + off, len - off);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return husk_fail_errno(err, tmp, "write status");
    off += (size_t)w;
  }
  if (fsync(fd) < 0) return husk_fail_errno(err, tmp, "fsync status");
  if (rename(tmp, path) < 0) return husk_fail_errno(err, path, "rename status into place");
  return 0;
}

uint64_t husk_proc_start_time(pid_t pid) {
  char path[64], buf[1024];
  snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
  cleanup_fd int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  ssize_t n = read(fd, buf, sizeof(buf) - 1);
  if (n <= 0) return 0;
  buf[n] = 0;
  /* comm may hold spaces and ')': count fields after the last ')'. Field 3 is the state. */
  char *p = strrchr(buf, ')');
  if (!p) return 0;
  p++;
  for (int field = 2; field < 21 && p; field++) p = strchr(p + 1, ' ');
  return p ? strtoull(p + 1, NULL, 10) : 0;
}

void husk_iso_now(char *buf, size_t cap) {
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  husk_rfc3339_nano(buf, cap, &now);
}
