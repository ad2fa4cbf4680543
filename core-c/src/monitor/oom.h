/* OOM kills, read from the cgroup's counters: memory.events `oom_kill` on cgroup v2,
 * memory.oom_control `oom_kill` on v1 (both "key value" lines). The count rising
 * between start and exit means the kernel OOM-killed something in the container. */
#ifndef HUSK_MONITOR_OOM_H
#define HUSK_MONITOR_OOM_H

#include <stdint.h>

#include "monitor_plan.h"

/* The value of `key` in a "key value" text; 0 when absent. */
uint64_t husk_kv_counter(const char *text, const char *key);
/* Sum of the plan's counters now (files that cannot be read count 0). */
uint64_t husk_oom_count(const struct husk_monitor_plan *mp);

#endif
