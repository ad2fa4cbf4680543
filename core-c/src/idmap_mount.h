/* Idmapped bind mounts (mounts[].uidMappings / "idmap" option). Prepared by the parent in
 * the host user namespace, where the kernel allows MOUNT_ATTR_IDMAP, as detached mount
 * trees that the child then attaches with move_mount. */
#ifndef HUSK_IDMAP_MOUNT_H
#define HUSK_IDMAP_MOUNT_H
#include "error.h"
#include "plan.h"
/* For every idmapped mount fill fds[i] with a detached, idmapped tree (others: -1). */
/* A user namespace fd carrying these maps (for MOUNT_ATTR_IDMAP); what names it in errors. */
int husk_userns_fd(const struct husk_idmap *uidmap, size_t n_uidmap, const struct husk_idmap *gidmap, size_t n_gidmap,
                   const char *what, husk_error_t *err);
int husk_idmap_mounts_prepare(const struct husk_plan *plan, int *fds, husk_error_t *err);
#endif
