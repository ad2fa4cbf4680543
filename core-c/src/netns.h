#ifndef HUSK_NETNS_H
#define HUSK_NETNS_H
#include "error.h"
/* `husk-core netns add PATH`: a new network namespace with `lo` up, kept alive by a bind
 * mount of its nsfs inode on PATH (an empty file, created). The engine then joins it by
 * path, and network drivers attach to it before the container exists. */
int husk_netns_add(const char *path, husk_error_t *err);
/* The same, and a NETLINK_ROUTE socket opened inside the new namespace is sent over
 * sock_fd (SCM_RIGHTS), so the caller can attach networks without another helper run. */
int husk_netns_add_with_netlink(const char *path, int sock_fd, husk_error_t *err);
/* The same without a child process: unshare in the caller, then setns back to the
 * caller's own network namespace (single-threaded callers only). One fork fewer. */
int husk_netns_add_here(const char *path, husk_error_t *err);
/* `husk-core netns del PATH`: detach the mount and remove the file. Idempotent. */
int husk_netns_del(const char *path, husk_error_t *err);
#endif
