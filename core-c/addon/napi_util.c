#include "napi_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

void husk_napi_throw_plain(napi_env env, const char *msg) { napi_throw_error(env, NULL, msg); }

void husk_napi_throw_errno(napi_env env, int errnum, const char *syscall, const char *path) {
  husk_napi_throw_errno_log(env, errnum, syscall, path, NULL);
}

void husk_napi_throw_errno_log(napi_env env, int errnum, const char *syscall, const char *path, const char *klog) {
  char msg[2048];
  const char *name = husk_errno_name(errnum);
  int has_log = klog && *klog;
  snprintf(msg, sizeof(msg), "%s%s%s: %s (%s)%s%s", syscall, path && *path ? " " : "", path ? path : "", name,
           strerror(errnum), has_log ? ": " : "", has_log ? klog : "");
  napi_value err, code, msgv, num, sc;
  if (napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &msgv) != napi_ok) return;
  if (napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &code) != napi_ok) return;
  if (napi_create_error(env, code, msgv, &err) != napi_ok) return;
  napi_create_int32(env, -errnum, &num);
  napi_set_named_property(env, err, "errno", num);
  napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &sc);
  napi_set_named_property(env, err, "syscall", sc);
  if (path) napi_set_named_property(env, err, "path", husk_napi_string(env, path));
  if (has_log) napi_set_named_property(env, err, "kernelLog", husk_napi_string(env, klog));
  napi_throw(env, err);
}

int husk_napi_args(napi_env env, napi_callback_info info, size_t want, napi_value *argv, const char *usage) {
  size_t argc = want;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < want) {
    napi_throw_type_error(env, NULL, usage);
    return -1;
  }
  return 0;
}

int husk_napi_arg_int(napi_env env, napi_value v, int64_t *out, const char *name) {
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != napi_ok || t != napi_number) {
    char msg[128];
    snprintf(msg, sizeof(msg), "%s must be a number", name);
    napi_throw_type_error(env, NULL, msg);
    return -1;
  }
  napi_get_value_int64(env, v, out);
  return 0;
}

char *husk_napi_arg_string(napi_env env, napi_value v, const char *name) {
  size_t len = 0;
  if (napi_get_value_string_utf8(env, v, NULL, 0, &len) != napi_ok) {
    char msg[128];
    snprintf(msg, sizeof(msg), "%s must be a string", name);
    napi_throw_type_error(env, NULL, msg);
    return NULL;
  }
  char *s = malloc(len + 1);
  if (!s) { husk_napi_throw_plain(env, "out of memory"); return NULL; }
  napi_get_value_string_utf8(env, v, s, len + 1, &len);
  return s;
}

int husk_napi_pair_at(napi_env env, napi_value arr, uint32_t i, napi_value *a, napi_value *b) {
  napi_value pair;
  if (napi_get_element(env, arr, i, &pair) != napi_ok || napi_get_element(env, pair, 0, a) != napi_ok ||
      napi_get_element(env, pair, 1, b) != napi_ok) {
    husk_napi_throw_plain(env, "internal N-API call failed: reading an [a, b] pair");
    return -1;
  }
  return 0;
}

int husk_napi_is_nullish(napi_env env, napi_value v) {
  napi_valuetype t;
  return napi_typeof(env, v, &t) != napi_ok || t == napi_null || t == napi_undefined;
}

napi_value husk_napi_int(napi_env env, int64_t v) {
  napi_value r;
  napi_create_int64(env, v, &r);
  return r;
}
napi_value husk_napi_bool(napi_env env, int v) {
  napi_value r;
  napi_get_boolean(env, v != 0, &r);
  return r;
}
napi_value husk_napi_string(napi_env env, const char *s) {
  napi_value r;
  napi_create_string_utf8(env, s, NAPI_AUTO_LENGTH, &r);
  return r;
}
napi_value husk_napi_undefined(napi_env env) {
  napi_value r;
  napi_get_undefined(env, &r);
  return r;
}
napi_value husk_napi_null(napi_env env) {
  napi_value r;
  napi_get_null(env, &r);
  return r;
}

napi_value husk_napi_fd_pair(napi_env env, const int fds[2]) {
  napi_value arr;
  NAPI_CALL(env, napi_create_array_with_length(env, 2, &arr));
  napi_set_element(env, arr, 0, husk_napi_int(env, fds[0]));
  napi_set_element(env, arr, 1, husk_napi_int(env, fds[1]));
  return arr;
}

void husk_napi_export(napi_env env, napi_value exports, const char *name, napi_callback fn) {
  napi_value f;
  napi_create_function(env, name, NAPI_AUTO_LENGTH, fn, NULL, &f);
  napi_set_named_property(env, exports, name, f);
}
