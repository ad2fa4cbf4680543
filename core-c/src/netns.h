#ifndef HUSK_NETNS_H
#define HUSK_NETNS_H
#include "error.h"
/* `husk-core netns add PATH`: a new network namespace with `lo` up, kept alive by a bind
 * mount of its nsfs inode on PATH (an empty file, created). The engine then joins it by
 * path, and network drivers attach to it before the container exists. */
int husk_netns_add(const char *path, husk_error_t *err);
/* `husk-core netns del PATH`: detach the mount and remove the file. Idempotent. */
int husk_netns_del(const char *path, husk_error_t *err);
#endif
