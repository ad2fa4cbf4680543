#ifndef HUSK_IDMAP_H
#define HUSK_IDMAP_H
#include <sys/types.h>
#include "error.h"
#include "plan.h"
/* Write /proc/<pid>/uid_map and gid_map from the plan (parent side). */
int husk_write_id_maps(const struct husk_plan *plan, pid_t pid, husk_error_t *err);
#endif
