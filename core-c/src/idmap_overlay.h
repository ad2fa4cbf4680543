/* `husk-core idmap-overlay`: mount a container's snapshot as overlay over idmapped
 * lower layers, so that a container in a user namespace sees the image's files owned by
 * its own root without a chown of the shared layers.
 *
 *   husk-core idmap-overlay --uidmap C:H:S ... --gidmap C:H:S ... --lower DIR ...
 *                           --upper DIR --work DIR [--option KEY[=VALUE]] ... TARGET
 *
 * Lowers are given top first (overlay's order). Each is cloned (open_tree) and given
 * the container's mapping (mount_setattr MOUNT_ATTR_IDMAP), then handed to overlay as a
 * file descriptor (fsconfig FSCONFIG_SET_FD "lowerdir+", Linux 6.13; a detached mount as
 * a layer needs 6.15). The upper is not idmapped: what the container writes lands there
 * owned by the mapped host ids. The overlay mount is made in the caller's (host) mount
 * namespace at TARGET. husk-core forks once here, for the user namespace's holder. */
#ifndef HUSK_IDMAP_OVERLAY_H
#define HUSK_IDMAP_OVERLAY_H
#include <stddef.h>

#include "error.h"
#include "plan.h"

#define HUSK_IDMAP_OVERLAY_MAX 128

struct husk_idmap_overlay_args {
  struct husk_idmap uidmap[16], gidmap[16];
  size_t n_uidmap, n_gidmap;
  const char *lower[HUSK_IDMAP_OVERLAY_MAX];
  size_t n_lower;
  const char *option[16];
  size_t n_option;
  const char *upper, *work, *target;
};

/* argv after the mode name; pure (unit-tested). */
int husk_idmap_overlay_parse(int argc, char **argv, struct husk_idmap_overlay_args *out, husk_error_t *err);
/* "C:H:S" into one mapping. */
int husk_idmap_parse_triple(const char *text, struct husk_idmap *out, husk_error_t *err);
int husk_idmap_overlay_mount(const struct husk_idmap_overlay_args *a, husk_error_t *err);
int husk_idmap_overlay_main(int argc, char **argv);
#endif
