/* `husk-core monitor`: the parent, subreaper and stdio owner of one detached container.
 * See docs/engine-design.md ("The monitor") for the contract with the CLI. */
#ifndef HUSK_MONITOR_H
#define HUSK_MONITOR_H

#include "../error.h"
#include "../plan.h"

/* Forks; the original returns 0 at once (husk-core then exits), the monitor runs the
 * container until it is done for good and never returns. */
int husk_monitor_mode(struct husk_plan *plan, husk_error_t *err);

#endif
