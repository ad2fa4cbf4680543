/* status.msgpack: what `ps`/`inspect` read about a container the monitor watches.
 * Written whole on every change (temp file, fsync, rename), so readers never see half. */
#ifndef HUSK_MONITOR_STATUS_H
#define HUSK_MONITOR_STATUS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "../error.h"

struct husk_status {
  pid_t monitor_pid;
  uint64_t monitor_start_time; /* /proc/PID/stat field 22 (clock ticks since boot) */
  pid_t pid;                   /* 0 when no container process */
  uint64_t pid_start_time;
  const char *status;          /* "created", "running", "restarting", "exited" */
  int exit_code, signal, oom_killed;
  unsigned restart_count;
  char started_at[40], finished_at[40]; /* ISO 8601, "" = not yet */
  char error[320];             /* why the last start failed, "" = it did not */
};

/* Encode as a msgpack map; returns the length, or 0 when cap is too small. */
size_t husk_status_encode(const struct husk_status *st, unsigned char *buf, size_t cap);
int husk_status_write(const char *path, const struct husk_status *st, husk_error_t *err);
/* Start time of pid from /proc, 0 when it is gone. */
uint64_t husk_proc_start_time(pid_t pid);
void husk_iso_now(char *buf, size_t cap);

#endif
