/* The monitor's part of the plan (tags HP_MON_*, see plan_tags.h). */
#ifndef HUSK_MONITOR_PLAN_H
#define HUSK_MONITOR_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "../error.h"

enum husk_restart_policy { RESTART_NO = 0, RESTART_ON_FAILURE = 1, RESTART_ALWAYS = 2, RESTART_UNLESS_STOPPED = 3 };

#define HUSK_MON_MAX_OOM 4

struct husk_monitor_plan {
  char *log_path, *attach_socket, *status_file;
  char *netns_add; /* made before the monitor forks, saving the CLI a second husk-core */
  uint64_t log_max_size, log_max_file;
  int open_stdin, wait_attach;
  uint64_t restart_policy, restart_max, stop_signal, stop_timeout;
  char **cleanup_argv; /* NULL-terminated */
  size_t n_cleanup_argv;
  struct { char *path, *key; } oom[HUSK_MON_MAX_OOM];
  size_t n_oom;
  char *events_file, *event_id, *event_attrs; /* all NULL: no events */
};

struct husk_plan;
/* Decode one top-level record with a tag in 60..79 into plan->monitor. */
int husk_monitor_plan_record(struct husk_plan *plan, uint16_t tag, const unsigned char *val, uint32_t len, husk_error_t *err);
void husk_monitor_plan_free(struct husk_monitor_plan *mp);

#endif
