#include "napi_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

void husk_napi_throw_plain(napi_env env, const char *msg) { napi_throw_error(env, NULL, msg); }

void husk_napi_throw_errno(napi_env env, int errnum, const char *syscall, const char *path) {
  char msg[1024];
  const char *name = husk_errno_name(errnum);
  if (path && *path)
    snprintf(msg, sizeof(msg), "%s %s: %s (%s)", syscall, path, name, strerror(errnum));
  else
    snprintf(msg, sizeof(msg), "%s: %s (%s)", syscall, name, strerror(errnum));
  napi_value err, code, msgv, num, sc;
  if (napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &msgv) != napi_ok) return;
  if (napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &code) != napi_ok) return;
  if (napi_create_error(env, code, msgv, &err) != napi_ok) return;
  napi_create_int32(env, -errnum, &num);
  napi_set_named_property(env, err, "errno", num);
  napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &sc);
  napi_set_named_property(env, err, "syscall", sc);
  if (path) {
    napi_value p;
    napi_create_string_utf8(env, path, NAPI_AUTO_LENGTH, &p);
    napi_set_named_property(env, err, "path", p);
  }
  napi_throw(env, err);
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

void husk_napi_export(napi_env env, napi_value exports, const char *name, napi_callback fn) {
  napi_value f;
  napi_create_function(env, name, NAPI_AUTO_LENGTH, fn, NULL, &f);
  napi_set_named_property(env, exports, name, f);
}
