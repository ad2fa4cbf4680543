#include "idmap_overlay.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "fs_log.h"
#include "idmap_mount.h"
#include "syscalls.h"

#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#endif
#ifndef OPEN_TREE_CLOEXEC
#define OPEN_TREE_CLOEXEC O_CLOEXEC
#endif
#define HUSK_MOUNT_ATTR_IDMAP 0x00100000
#define HUSK_FSOPEN_CLOEXEC 0x1
#define HUSK_FSMOUNT_CLOEXEC 0x1
#define HUSK_FSCONFIG_SET_FLAG 0
#define HUSK_FSCONFIG_SET_STRING 1
#define HUSK_FSCONFIG_SET_FD 5
#define HUSK_FSCONFIG_CMD_CREATE 6

int husk_idmap_parse_triple(const char *text, struct husk_idmap *out, husk_error_t *err) {
  unsigned long long c, h, s;
  char tail;
  if (sscanf(text, "%llu:%llu:%llu%c", &c, &h, &s, &tail) != 3 || s == 0 || c > UINT32_MAX || h > UINT32_MAX ||
      s > UINT32_MAX)
    return husk_fail(err, EINVAL, text, "id mapping is not CONTAINER:HOST:SIZE");
  out->container = c;
  out->host = h;
  out->size = s;
  return 0;
}

int husk_idmap_overlay_parse(int argc, char **argv, struct husk_idmap_overlay_args *out, husk_error_t *err) {
  memset(out, 0, sizeof(*out));
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    int ret;
    if (a[0] != '-') {
      if (out->target) return husk_fail(err, EINVAL, a, "idmap-overlay takes one target");
      out->target = a;
      continue;
    }
    if (!v) return husk_fail(err, EINVAL, a, "option needs a value");
    i++;
    if (strcmp(a, "--uidmap") == 0 || strcmp(a, "--gidmap") == 0) {
      int uid = a[2] == 'u';
      size_t *n = uid ? &out->n_uidmap : &out->n_gidmap;
      if (*n >= 16) return husk_fail(err, E2BIG, a, "at most 16 mappings");
      ret = husk_idmap_parse_triple(v, uid ? &out->uidmap[*n] : &out->gidmap[*n], err);
      if (ret < 0) return ret;
      (*n)++;
    } else if (strcmp(a, "--lower") == 0) {
      if (out->n_lower >= HUSK_IDMAP_OVERLAY_MAX) return husk_fail(err, E2BIG, v, "too many lower layers");
      out->lower[out->n_lower++] = v;
    } else if (strcmp(a, "--option") == 0) {
      if (out->n_option >= 16) return husk_fail(err, E2BIG, v, "too many options");
      out->option[out->n_option++] = v;
    } else if (strcmp(a, "--upper") == 0) {
      out->upper = v;
    } else if (strcmp(a, "--work") == 0) {
      out->work = v;
    } else {
      return husk_fail(err, EINVAL, a, "unknown idmap-overlay option");
    }
  }
  if (!out->n_uidmap || !out->n_gidmap) return husk_fail(err, EINVAL, "", "idmap-overlay needs --uidmap and --gidmap");
  if (!out->n_lower || !out->upper || !out->work || !out->target)
    return husk_fail(err, EINVAL, "", "idmap-overlay needs --lower, --upper, --work and a target");
  return 0;
}

/* overlay's own reason for refusing a mount, from the fs context's message log. */
static int fail_with_log(int fs, const char *what, const char *path, husk_error_t *err) {
  int e = errno;
  char buf[256];
  husk_fs_log_drain(fs, buf, sizeof(buf));
  return husk_fail(err, e, path, "%s%s%s", what, buf[0] ? ": " : "", buf);
}

static int idmapped_clone(const char *dir, int userns, husk_error_t *err) {
  int tree = husk_open_tree(AT_FDCWD, dir, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
  if (tree < 0) return husk_fail_errno(err, dir, "open_tree lower layer");
  struct husk_mount_attr attr = {.attr_set = HUSK_MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t)userns};
  if (husk_mount_setattr(tree, "", AT_EMPTY_PATH, &attr) < 0) {
    int e = errno;
    close(tree);
    return husk_fail(err, e, dir, "idmap lower layer (the layer store's filesystem must support idmapped mounts)");
  }
  return tree;
}

static int overlay_create(int fs, const struct husk_idmap_overlay_args *a, husk_error_t *err);

int husk_idmap_overlay_mount(const struct husk_idmap_overlay_args *a, husk_error_t *err) {
  cleanup_fd int userns = husk_userns_fd(a->uidmap, a->n_uidmap, a->gidmap, a->n_gidmap, a->target, err);
  if (userns < 0) return userns;
  cleanup_fd int fs = husk_fsopen("overlay", HUSK_FSOPEN_CLOEXEC);
  if (fs < 0) return husk_fail_errno(err, a->target, "fsopen overlay");
  /* The detached layer trees must live until the overlay is created: overlay takes its
   * private clones of them only then. */
  int trees[HUSK_IDMAP_OVERLAY_MAX];
  size_t n_trees = 0;
  int ret = 0;
  for (size_t i = 0; i < a->n_lower && ret == 0; i++) {
    int tree = idmapped_clone(a->lower[i], userns, err);
    if (tree < 0) {
      ret = tree;
      break;
    }
    trees[n_trees++] = tree;
    if (husk_fsconfig(fs, HUSK_FSCONFIG_SET_FD, "lowerdir+", NULL, tree) < 0)
      ret = fail_with_log(fs, "overlay lowerdir+ from an idmapped layer fd (needs Linux 6.15)", a->lower[i], err);
  }
  if (ret == 0) ret = overlay_create(fs, a, err);
  for (size_t i = 0; i < n_trees; i++) close(trees[i]);
  if (ret < 0) return ret;
  cleanup_fd int mnt = husk_fsmount(fs, HUSK_FSMOUNT_CLOEXEC, 0);
  if (mnt < 0) return husk_fail_errno(err, a->target, "fsmount overlay");
  if (husk_move_mount(mnt, "", AT_FDCWD, a->target, MOVE_MOUNT_F_EMPTY_PATH) < 0)
    return husk_fail_errno(err, a->target, "move_mount overlay");
  return 0;
}

/* upper, work, options, then the superblock. */
static int overlay_create(int fs, const struct husk_idmap_overlay_args *a, husk_error_t *err) {
  if (husk_fsconfig(fs, HUSK_FSCONFIG_SET_STRING, "upperdir", a->upper, 0) < 0)
    return fail_with_log(fs, "overlay upperdir", a->upper, err);
  if (husk_fsconfig(fs, HUSK_FSCONFIG_SET_STRING, "workdir", a->work, 0) < 0)
    return fail_with_log(fs, "overlay workdir", a->work, err);
  for (size_t i = 0; i < a->n_option; i++) {
    char key[64];
    const char *eq = strchr(a->option[i], '=');
    size_t kl = eq ? (size_t)(eq - a->option[i]) : strlen(a->option[i]);
    if (kl >= sizeof(key)) return husk_fail(err, EINVAL, a->option[i], "overlay option too long");
    memcpy(key, a->option[i], kl);
    key[kl] = 0;
    int r = eq ? husk_fsconfig(fs, HUSK_FSCONFIG_SET_STRING, key, eq + 1, 0) : husk_fsconfig(fs, HUSK_FSCONFIG_SET_FLAG, key, NULL, 0);
    if (r < 0) return fail_with_log(fs, "overlay option", a->option[i], err);
  }
  if (husk_fsconfig(fs, HUSK_FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
    return fail_with_log(fs, "create overlay over idmapped layers", a->target, err);
  return 0;
}

int husk_idmap_overlay_main(int argc, char **argv) {
  husk_error_t err;
  husk_error_clear(&err);
  struct husk_idmap_overlay_args a;
  int ret = husk_idmap_overlay_parse(argc - 2, argv + 2, &a, &err);
  if (ret == 0) ret = husk_idmap_overlay_mount(&a, &err);
  if (ret == 0) return 0;
  fprintf(stderr, "husk-core: idmap-overlay: %s%s%s: %s\n", err.msg, err.path[0] ? " " : "", err.path, husk_errno_name(err.errnum));
  return 1;
}
