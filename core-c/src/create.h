#ifndef HUSK_CREATE_H
#define HUSK_CREATE_H
#include "error.h"
#include "plan.h"
/* Create (and for foreground plans, run and wait for) a container or an exec'd process.
 * Reports progress on the result fd (result.h). */
int husk_create(struct husk_plan *plan, husk_error_t *err);
/* Run one phase of hooks (poststart, poststop) from `husk oci start/delete`. */
int husk_hooks_mode(struct husk_plan *plan, int phase, int pid, const char *status, husk_error_t *err);
#endif
