/* Filesystem calls Bun lacks, for the layer unpacker: mknod and lsetxattr. Neither
 * follows a symlink at the final path component. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include "cleanup.h"
#include "napi_util.h"

/* mknod(path, kind "char"|"block", mode, major, minor) */
static napi_value js_mknod(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  if (husk_napi_args(env, info, 5, argv, "mknod(path, kind, mode, major, minor)") < 0) return NULL;
  cleanup_free char *path = husk_napi_arg_string(env, argv[0], "path");
  if (!path) return NULL;
  cleanup_free char *kind = husk_napi_arg_string(env, argv[1], "kind");
  if (!kind) return NULL;
  int64_t mode, major, minor;
  if (husk_napi_arg_int(env, argv[2], &mode, "mode") < 0 || husk_napi_arg_int(env, argv[3], &major, "major") < 0 ||
      husk_napi_arg_int(env, argv[4], &minor, "minor") < 0)
    return NULL;
  mode_t type = strcmp(kind, "block") == 0 ? S_IFBLK : S_IFCHR;
  if (mknod(path, type | ((mode_t)mode & 07777), makedev((unsigned)major, (unsigned)minor)) < 0)
    husk_napi_throw_errno(env, errno, "mknod", path);
  return husk_napi_undefined(env);
}

/* lsetxattr(path, name, value: Uint8Array) */
static napi_value js_lsetxattr(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  if (husk_napi_args(env, info, 3, argv, "lsetxattr(path, name, value)") < 0) return NULL;
  cleanup_free char *path = husk_napi_arg_string(env, argv[0], "path");
  if (!path) return NULL;
  cleanup_free char *name = husk_napi_arg_string(env, argv[1], "name");
  if (!name) return NULL;
  void *data = NULL;
  size_t len = 0;
  napi_typedarray_type t;
  napi_value ab;
  size_t off;
  if (napi_get_typedarray_info(env, argv[2], &t, &len, &data, &ab, &off) != napi_ok) {
    napi_throw_type_error(env, NULL, "value must be a Uint8Array");
    return NULL;
  }
  if (lsetxattr(path, name, data, len, 0) < 0) {
    char what[320];
    snprintf(what, sizeof(what), "lsetxattr %.256s on", name);
    husk_napi_throw_errno(env, errno, what, path);
  }
  return husk_napi_undefined(env);
}

void husk_addon_register_node_ops(napi_env env, napi_value exports) {
  husk_napi_export(env, exports, "mknod", js_mknod);
  husk_napi_export(env, exports, "lsetxattr", js_lsetxattr);
}
