/* Parent/child synchronisation over a SOCK_SEQPACKET socketpair.
 *
 * | # | direction      | message        | sent when                                   | answer          |
 * |---|----------------|----------------|---------------------------------------------|-----------------|
 * | 1 | parent -> child| SYNC_MAPPED    | uid/gid maps written; cgroups joined (or,   | (child goes on) |
 * |   |                |                | without a new cgroup namespace, joined      |                 |
 * |   |                |                | meanwhile, before the parent answers #2/#4) |                 |
 * | 2 | child -> parent| SYNC_MOUNTED   | namespaces joined, mounts done, pre-pivot   | SYNC_HOOKS_DONE |
 * | 3 | parent -> child| SYNC_HOOKS_DONE| prestart + createRuntime hooks have run     | (child goes on) |
 * | 4 | child -> parent| SYNC_READY     | all set up; only the release and exec remain| SYNC_START (run)|
 * | 5 | parent -> child| SYNC_START     | foreground run: go ahead and exec           | (exec)          |
 * | - | child -> parent| SYNC_ERROR     | any failure: carries stage, errno, path, msg| parent reports, |
 * |   |                |                |                                             | kills, cleans up|
 *
 * In detached (OCI create) mode the parent stops after SYNC_READY: the child then blocks on
 * the exec fifo until `husk oci start`. A successful execve closes the child's end
 * (SOCK_CLOEXEC), which the parent reads as EOF. */
#ifndef HUSK_SYNC_H
#define HUSK_SYNC_H

#include <stdint.h>

#include "error.h"

enum husk_sync_type {
  SYNC_MAPPED = 1,
  SYNC_MOUNTED = 2,
  SYNC_HOOKS_DONE = 3,
  SYNC_READY = 4,
  SYNC_START = 5,
  SYNC_ERROR = 6,
};

struct husk_sync_msg {
  uint32_t type;
  int32_t errnum;
  int32_t stage;
  int32_t value; /* SYNC_MAPPED: the child's pid as the parent sees it */
  char path[HUSK_ERR_PATH_MAX];
  char msg[HUSK_ERR_MSG_MAX];
};

int husk_sync_send(int fd, uint32_t type, int32_t value, husk_error_t *err);
/* Send an error message built from `from` (best effort: used on the way out). */
void husk_sync_send_error(int fd, const husk_error_t *from);
/* Receive one message. Returns 0, or -EPIPE on EOF (peer exec'd or died). */
int husk_sync_recv(int fd, struct husk_sync_msg *msg, husk_error_t *err);
/* Receive and require `type`; an SYNC_ERROR message is copied into `err`. */
int husk_sync_expect(int fd, uint32_t type, int32_t *value, husk_error_t *err);

#endif
