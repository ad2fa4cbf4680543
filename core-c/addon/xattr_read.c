/* Reading xattrs without following symlinks (Bun has no xattr API): the copy snapshot
 * driver carries them from layers into the container's tree. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>

#include "cleanup.h"
#include "napi_util.h"

/* llistxattr(path) -> string[] */
static napi_value js_llistxattr(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (husk_napi_args(env, info, 1, argv, "llistxattr(path)") < 0) return NULL;
  cleanup_free char *path = husk_napi_arg_string(env, argv[0], "path");
  if (!path) return NULL;
  cleanup_free char *names = NULL;
  ssize_t n;
  for (;;) { /* the list may grow between the size query and the read */
    n = llistxattr(path, NULL, 0);
    if (n < 0) {
      if (errno == ENOTSUP) { n = 0; break; }
      husk_napi_throw_errno(env, errno, "llistxattr", path);
      return NULL;
    }
    if (n == 0) break;
    free(names);
    names = malloc((size_t)n);
    if (!names) { husk_napi_throw_plain(env, "out of memory"); return NULL; }
    ssize_t got = llistxattr(path, names, (size_t)n);
    if (got >= 0) { n = got; break; }
    if (errno != ERANGE) { husk_napi_throw_errno(env, errno, "llistxattr", path); return NULL; }
  }
  napi_value arr;
  NAPI_CALL(env, napi_create_array(env, &arr));
  uint32_t idx = 0;
  for (ssize_t off = 0; off < n;) {
    size_t len = strnlen(names + off, (size_t)(n - off));
    if (len > 0) napi_set_element(env, arr, idx++, husk_napi_string(env, names + off));
    off += (ssize_t)len + 1;
  }
  return arr;
}

/* lgetxattr(path, name) -> Uint8Array, or null when the attribute is absent */
static napi_value js_lgetxattr(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (husk_napi_args(env, info, 2, argv, "lgetxattr(path, name)") < 0) return NULL;
  cleanup_free char *path = husk_napi_arg_string(env, argv[0], "path");
  if (!path) return NULL;
  cleanup_free char *name = husk_napi_arg_string(env, argv[1], "name");
  if (!name) return NULL;
  for (;;) {
    ssize_t n = lgetxattr(path, name, NULL, 0);
    if (n < 0) {
      if (errno == ENODATA || errno == ENOTSUP) return husk_napi_null(env);
      husk_napi_throw_errno(env, errno, "lgetxattr", path);
      return NULL;
    }
    void *data = NULL;
    napi_value ab, out;
    NAPI_CALL(env, napi_create_arraybuffer(env, (size_t)n, &data, &ab));
    ssize_t got = n > 0 ? lgetxattr(path, name, data, (size_t)n) : 0;
    if (got < 0 && errno == ERANGE) continue;
    if (got < 0) { husk_napi_throw_errno(env, errno, "lgetxattr", path); return NULL; }
    NAPI_CALL(env, napi_create_typedarray(env, napi_uint8_array, (size_t)got, ab, 0, &out));
    return out;
  }
}

void husk_addon_register_xattr_read(napi_env env, napi_value exports) {
  husk_napi_export(env, exports, "llistxattr", js_llistxattr);
  husk_napi_export(env, exports, "lgetxattr", js_lgetxattr);
}
