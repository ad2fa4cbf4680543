/* Filesystem calls Bun lacks, for the layer unpacker: mknod and lsetxattr. Neither
 * follows a symlink at the final path component. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include "napi_util.h"

/* mknod(path, kind "char"|"block", mode, major, minor) */
static napi_value js_mknod(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 5) {
    napi_throw_type_error(env, NULL, "mknod(path, kind, mode, major, minor)");
    return NULL;
  }
  char *path = husk_napi_arg_string(env, argv[0], "path");
  if (!path) return NULL;
  char *kind = husk_napi_arg_string(env, argv[1], "kind");
  if (!kind) { free(path); return NULL; }
  int64_t mode, major, minor;
  if (husk_napi_arg_int(env, argv[2], &mode, "mode") < 0 || husk_napi_arg_int(env, argv[3], &major, "major") < 0 ||
      husk_napi_arg_int(env, argv[4], &minor, "minor") < 0) {
    free(path);
    free(kind);
    return NULL;
  }
  mode_t type = strcmp(kind, "block") == 0 ? S_IFBLK : S_IFCHR;
  free(kind);
  if (mknod(path, type | ((mode_t)mode & 07777), makedev((unsigned)major, (unsigned)minor)) < 0)
    husk_napi_throw_errno(env, errno, "mknod", path);
  free(path);
  return husk_napi_undefined(env);
}

/* lsetxattr(path, name, value: Uint8Array) */
static napi_value js_lsetxattr(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 3) {
    napi_throw_type_error(env, NULL, "lsetxattr(path, name, value)");
    return NULL;
  }
  char *path = husk_napi_arg_string(env, argv[0], "path");
  if (!path) return NULL;
  char *name = husk_napi_arg_string(env, argv[1], "name");
  if (!name) { free(path); return NULL; }
  void *data = NULL;
  size_t len = 0;
  napi_typedarray_type t;
  napi_value ab;
  size_t off;
  if (napi_get_typedarray_info(env, argv[2], &t, &len, &data, &ab, &off) != napi_ok) {
    free(path);
    free(name);
    napi_throw_type_error(env, NULL, "value must be a Uint8Array");
    return NULL;
  }
  if (lsetxattr(path, name, data, len, 0) < 0) {
    char what[320];
    snprintf(what, sizeof(what), "lsetxattr %.256s on", name);
    husk_napi_throw_errno(env, errno, what, path);
  }
  free(path);
  free(name);
  return husk_napi_undefined(env);
}

void husk_addon_register_node_ops(napi_env env, napi_value exports) {
  husk_napi_export(env, exports, "mknod", js_mknod);
  husk_napi_export(env, exports, "lsetxattr", js_lsetxattr);
}
