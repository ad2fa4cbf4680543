/* OCI hooks: each runs with the container state JSON on stdin, an optional timeout,
 * and its own args/env. Runs in whatever namespaces the caller is in. */
#ifndef HUSK_HOOKS_H
#define HUSK_HOOKS_H

#include <sys/types.h>

#include "error.h"
#include "plan.h"

/* Run every hook of `phase` in order; stops at the first failure. `status` is the
 * runtime-spec status reported in the state ("creating", "created", "running", "stopped"). */
int husk_run_hooks(const struct husk_plan *plan, int phase, pid_t pid, const char *status, husk_error_t *err);
int husk_plan_has_hooks(const struct husk_plan *plan, int phase);

#endif
