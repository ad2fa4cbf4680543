/* Small helpers shared by the addon's modules. Errors thrown to JavaScript carry
 * `code` (errno name), `errno` (number) and `syscall`, like Node's own fs errors. */
#ifndef HUSK_NAPI_UTIL_H
#define HUSK_NAPI_UTIL_H

#include <node_api.h>
#include <stdint.h>
#include <stddef.h>

#define NAPI_CALL(env, call)                                          \
  do {                                                                \
    if ((call) != napi_ok) {                                          \
      husk_napi_throw_plain((env), "internal N-API call failed: " #call); \
      return NULL;                                                    \
    }                                                                 \
  } while (0)

void husk_napi_throw_plain(napi_env env, const char *msg);
/* Throw an Error for a failed syscall: "<syscall> <path>: <ENAME> (<strerror>)". */
void husk_napi_throw_errno(napi_env env, int errnum, const char *syscall, const char *path);

/* Argument readers; each throws a TypeError and returns -1 on a bad argument. */
int husk_napi_arg_int(napi_env env, napi_value v, int64_t *out, const char *name);
/* Returns a malloc'd NUL-terminated copy, or NULL (and throws). */
char *husk_napi_arg_string(napi_env env, napi_value v, const char *name);

napi_value husk_napi_int(napi_env env, int64_t v);
napi_value husk_napi_bool(napi_env env, int v);
napi_value husk_napi_string(napi_env env, const char *s);
napi_value husk_napi_undefined(napi_env env);

void husk_napi_export(napi_env env, napi_value exports, const char *name, napi_callback fn);

/* Module registration: each addon module exports its functions through one of these. */
void husk_addon_register_fd_ops(napi_env env, napi_value exports);
void husk_addon_register_seccomp(napi_env env, napi_value exports);
void husk_addon_register_features(napi_env env, napi_value exports);
void husk_addon_register_node_ops(napi_env env, napi_value exports);
void husk_addon_register_mount_ops(napi_env env, napi_value exports);
void husk_addon_register_xattr_read(napi_env env, napi_value exports);
void husk_addon_register_netlink(napi_env env, napi_value exports);

#endif
