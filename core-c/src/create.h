#ifndef HUSK_CREATE_H
#define HUSK_CREATE_H
#include <sys/types.h>

#include "error.h"
#include "plan.h"

/* One container (or exec'd process) on its way up. husk_launch_prepare takes it up to
 * SYNC_READY (everything that can fail before the user's program); the caller then
 * reports it, and husk_launch_release lets it exec. The OCI `create`/`run` path and the
 * monitor both go through these two calls. */
struct husk_launch {
  int stdio[3];   /* in: fds the process gets as 0, 1, 2 (-1: it inherits ours) */
  pid_t pid;      /* out: the child, as we see it */
  int sync_fd;    /* out: our end of the sync socket until release */
  int master;     /* out: pty master when process.terminal has no console socket, else -1 */
  int console_fd; /* out: our copy of the child's end of the master relay, else -1 */
};
void husk_launch_init(struct husk_launch *l);
int husk_launch_prepare(struct husk_plan *plan, struct husk_launch *l, husk_error_t *err);
/* Send SYNC_START and wait for the exec (EOF) or the child's error. */
int husk_launch_release(struct husk_launch *l, husk_error_t *err);
/* Close our fds (the child, if any, is left alone). */
void husk_launch_close(struct husk_launch *l);
/* Kill and reap the child if we still own it, and close our fds. */
void husk_launch_abort(struct husk_launch *l);

/* Create (and for foreground plans, run and wait for) a container or an exec'd process.
 * Reports progress on the result fd (result.h). */
int husk_create(struct husk_plan *plan, husk_error_t *err);
/* Run one phase of hooks (poststart, poststop) from `husk oci start/delete`. */
int husk_hooks_mode(struct husk_plan *plan, int phase, int pid, const char *status, husk_error_t *err);
#endif
