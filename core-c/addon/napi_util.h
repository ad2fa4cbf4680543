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
/* The same, plus ": <klog>" and a `kernelLog` property when the kernel's fs_context log
 * said something (klog NULL or empty: exactly husk_napi_throw_errno). */
void husk_napi_throw_errno_log(napi_env env, int errnum, const char *syscall, const char *path, const char *klog);

/* Argument readers; each throws a TypeError and returns -1 on a bad argument. */
/* The first `want` arguments into argv; fewer throw a TypeError showing `usage`. */
int husk_napi_args(napi_env env, napi_callback_info info, size_t want, napi_value *argv, const char *usage);
int husk_napi_arg_int(napi_env env, napi_value v, int64_t *out, const char *name);
/* Returns a malloc'd NUL-terminated copy, or NULL (and throws). */
char *husk_napi_arg_string(napi_env env, napi_value v, const char *name);
/* The two members of arr[i], an [a, b] pair. */
int husk_napi_pair_at(napi_env env, napi_value arr, uint32_t i, napi_value *a, napi_value *b);
/* true for null, undefined, or a value whose type cannot be read. */
int husk_napi_is_nullish(napi_env env, napi_value v);

napi_value husk_napi_int(napi_env env, int64_t v);
napi_value husk_napi_bool(napi_env env, int v);
napi_value husk_napi_string(napi_env env, const char *s);
napi_value husk_napi_undefined(napi_env env);
napi_value husk_napi_null(napi_env env);
/* [fds[0], fds[1]] as a JS array (pipe, socketpair). */
napi_value husk_napi_fd_pair(napi_env env, const int fds[2]);

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
