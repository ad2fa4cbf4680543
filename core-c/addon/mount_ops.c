/* Mounts for snapshots, done in the calling process (no fork): the new mount API
 * (fsopen/fsconfig/fsmount/move_mount), classic mount(2), and umount2. The overlay
 * option logic (layer order, which form to use, the size limits) is TypeScript in
 * src/storage/; these are thin syscall wrappers whose errors name the syscall, the
 * key or path, the errno, and what the kernel's fs_context log said. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "cleanup.h"
#include "error.h"
#include "fs_log.h"
#include "napi_util.h"
#include "syscalls.h"

#ifndef FSOPEN_CLOEXEC
#define FSOPEN_CLOEXEC 0x00000001
#endif
#ifndef FSMOUNT_CLOEXEC
#define FSMOUNT_CLOEXEC 0x00000001
#endif
#define HUSK_FSCONFIG_SET_FLAG 0
#define HUSK_FSCONFIG_SET_STRING 1
#define HUSK_FSCONFIG_CMD_CREATE 6

/* Throw "<what> <path>: <ENAME> (<strerror>)[: <kernel log>]" with code/errno/syscall/path
 * properties, plus `kernelLog` when the kernel said something. */
static void throw_mount_error(napi_env env, int errnum, const char *what, const char *path, const char *klog) {
  char msg[2048];
  const char *name = husk_errno_name(errnum);
  snprintf(msg, sizeof(msg), "%s%s%s: %s (%s)%s%s", what, path && *path ? " " : "", path ? path : "", name,
           strerror(errnum), klog && *klog ? ": " : "", klog ? klog : "");
  napi_value err, code, msgv, num, sc;
  if (napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &msgv) != napi_ok) return;
  if (napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &code) != napi_ok) return;
  if (napi_create_error(env, code, msgv, &err) != napi_ok) return;
  napi_create_int32(env, -errnum, &num);
  napi_set_named_property(env, err, "errno", num);
  napi_create_string_utf8(env, what, NAPI_AUTO_LENGTH, &sc);
  napi_set_named_property(env, err, "syscall", sc);
  if (path) napi_set_named_property(env, err, "path", husk_napi_string(env, path));
  if (klog && *klog) napi_set_named_property(env, err, "kernelLog", husk_napi_string(env, klog));
  napi_throw(env, err);
}

static int get_args(napi_env env, napi_callback_info info, size_t want, napi_value *argv, const char *usage) {
  size_t argc = want;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < want) {
    napi_throw_type_error(env, NULL, usage);
    return -1;
  }
  return 0;
}

static int is_nullish(napi_env env, napi_value v) {
  napi_valuetype t;
  return napi_typeof(env, v, &t) != napi_ok || t == napi_null || t == napi_undefined;
}

/* fsmount(fstype, config: [key, value|null][], target, attrFlags): a new superblock
 * configured key by key (null value = a flag), attached at target. One fsconfig per
 * entry, so no option string limit applies beyond the kernel's 256 bytes per value. */
static napi_value js_fsmount(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  if (get_args(env, info, 4, argv, "fsmount(fstype, config, target, attrFlags)") < 0) return NULL;
  cleanup_free char *fstype = husk_napi_arg_string(env, argv[0], "fstype");
  if (!fstype) return NULL;
  cleanup_free char *target = husk_napi_arg_string(env, argv[2], "target");
  if (!target) return NULL;
  int64_t attrs;
  if (husk_napi_arg_int(env, argv[3], &attrs, "attrFlags") < 0) return NULL;
  uint32_t n = 0;
  if (napi_get_array_length(env, argv[1], &n) != napi_ok) {
    napi_throw_type_error(env, NULL, "config must be an array of [key, value] pairs");
    return NULL;
  }
  char klog[1024] = "";
  cleanup_fd int fs_fd = husk_fsopen(fstype, FSOPEN_CLOEXEC);
  if (fs_fd < 0) {
    throw_mount_error(env, errno, "fsopen", fstype, NULL);
    return NULL;
  }
  for (uint32_t i = 0; i < n; i++) {
    napi_value pair, kv, vv;
    NAPI_CALL(env, napi_get_element(env, argv[1], i, &pair));
    NAPI_CALL(env, napi_get_element(env, pair, 0, &kv));
    NAPI_CALL(env, napi_get_element(env, pair, 1, &vv));
    cleanup_free char *key = husk_napi_arg_string(env, kv, "config key");
    if (!key) return NULL;
    cleanup_free char *value = NULL;
    if (!is_nullish(env, vv)) {
      value = husk_napi_arg_string(env, vv, "config value");
      if (!value) return NULL;
    }
    int r = value ? husk_fsconfig(fs_fd, HUSK_FSCONFIG_SET_STRING, key, value, 0)
                  : husk_fsconfig(fs_fd, HUSK_FSCONFIG_SET_FLAG, key, NULL, 0);
    if (r < 0) {
      int e = errno;
      char what[320];
      husk_fs_log_drain(fs_fd, klog, sizeof(klog));
      snprintf(what, sizeof(what), "fsconfig %s %.256s", fstype, key);
      throw_mount_error(env, e, what, value, klog);
      return NULL;
    }
  }
  if (husk_fsconfig(fs_fd, HUSK_FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0) {
    int e = errno;
    husk_fs_log_drain(fs_fd, klog, sizeof(klog));
    throw_mount_error(env, e, "fsconfig create", fstype, klog);
    return NULL;
  }
  cleanup_fd int mnt_fd = husk_fsmount(fs_fd, FSMOUNT_CLOEXEC, (unsigned)attrs);
  if (mnt_fd < 0) {
    int e = errno;
    husk_fs_log_drain(fs_fd, klog, sizeof(klog));
    throw_mount_error(env, e, "fsmount", fstype, klog);
    return NULL;
  }
  if (husk_move_mount(mnt_fd, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH) < 0) {
    throw_mount_error(env, errno, "move_mount to", target, NULL);
    return NULL;
  }
  return husk_napi_undefined(env);
}

/* mount(source, target, fstype, flags, data|null) */
static napi_value js_mount(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  if (get_args(env, info, 5, argv, "mount(source, target, fstype, flags, data)") < 0) return NULL;
  cleanup_free char *source = husk_napi_arg_string(env, argv[0], "source");
  if (!source) return NULL;
  cleanup_free char *target = husk_napi_arg_string(env, argv[1], "target");
  if (!target) return NULL;
  cleanup_free char *fstype = husk_napi_arg_string(env, argv[2], "fstype");
  if (!fstype) return NULL;
  int64_t flags;
  if (husk_napi_arg_int(env, argv[3], &flags, "flags") < 0) return NULL;
  cleanup_free char *data = NULL;
  if (!is_nullish(env, argv[4])) {
    data = husk_napi_arg_string(env, argv[4], "data");
    if (!data) return NULL;
  }
  if (mount(source, target, fstype, (unsigned long)flags, data) < 0) {
    char what[300];
    snprintf(what, sizeof(what), "mount %.64s on", fstype);
    throw_mount_error(env, errno, what, target, NULL);
    return NULL;
  }
  return husk_napi_undefined(env);
}

/* umount2(target, flags) -> true when something was unmounted, false when target is
 * not a mount point (EINVAL) or does not exist (ENOENT): unmounting is idempotent. */
static napi_value js_umount2(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (get_args(env, info, 2, argv, "umount2(target, flags)") < 0) return NULL;
  cleanup_free char *target = husk_napi_arg_string(env, argv[0], "target");
  if (!target) return NULL;
  int64_t flags;
  if (husk_napi_arg_int(env, argv[1], &flags, "flags") < 0) return NULL;
  int r;
  do r = umount2(target, (int)flags);
  while (r < 0 && errno == EINTR);
  if (r < 0) {
    if (errno == EINVAL || errno == ENOENT) return husk_napi_bool(env, 0);
    throw_mount_error(env, errno, "umount2", target, NULL);
    return NULL;
  }
  return husk_napi_bool(env, 1);
}

void husk_addon_register_mount_ops(napi_env env, napi_value exports) {
  husk_napi_export(env, exports, "fsmount", js_fsmount);
  husk_napi_export(env, exports, "mount", js_mount);
  husk_napi_export(env, exports, "umount2", js_umount2);
}
