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

/* fsmount(fstype, config: [key, value|null][], target, attrFlags): a new superblock
 * configured key by key (null value = a flag), attached at target. One fsconfig per
 * entry, so no option string limit applies beyond the kernel's 256 bytes per value. */
static napi_value js_fsmount(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  if (husk_napi_args(env, info, 4, argv, "fsmount(fstype, config, target, attrFlags)") < 0) return NULL;
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
    husk_napi_throw_errno(env, errno, "fsopen", fstype);
    return NULL;
  }
  for (uint32_t i = 0; i < n; i++) {
    napi_value kv, vv;
    if (husk_napi_pair_at(env, argv[1], i, &kv, &vv) < 0) return NULL;
    cleanup_free char *key = husk_napi_arg_string(env, kv, "config key");
    if (!key) return NULL;
    cleanup_free char *value = NULL;
    if (!husk_napi_is_nullish(env, vv)) {
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
      husk_napi_throw_errno_log(env, e, what, value, klog);
      return NULL;
    }
  }
  if (husk_fsconfig(fs_fd, HUSK_FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0) {
    int e = errno;
    husk_fs_log_drain(fs_fd, klog, sizeof(klog));
    husk_napi_throw_errno_log(env, e, "fsconfig create", fstype, klog);
    return NULL;
  }
  cleanup_fd int mnt_fd = husk_fsmount(fs_fd, FSMOUNT_CLOEXEC, (unsigned)attrs);
  if (mnt_fd < 0) {
    int e = errno;
    husk_fs_log_drain(fs_fd, klog, sizeof(klog));
    husk_napi_throw_errno_log(env, e, "fsmount", fstype, klog);
    return NULL;
  }
  if (husk_move_mount(mnt_fd, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH) < 0) {
    husk_napi_throw_errno(env, errno, "move_mount to", target);
    return NULL;
  }
  return husk_napi_undefined(env);
}

/* mount(source, target, fstype, flags, data|null) */
static napi_value js_mount(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  if (husk_napi_args(env, info, 5, argv, "mount(source, target, fstype, flags, data)") < 0) return NULL;
  cleanup_free char *source = husk_napi_arg_string(env, argv[0], "source");
  if (!source) return NULL;
  cleanup_free char *target = husk_napi_arg_string(env, argv[1], "target");
  if (!target) return NULL;
  cleanup_free char *fstype = husk_napi_arg_string(env, argv[2], "fstype");
  if (!fstype) return NULL;
  int64_t flags;
  if (husk_napi_arg_int(env, argv[3], &flags, "flags") < 0) return NULL;
  cleanup_free char *data = NULL;
  if (!husk_napi_is_nullish(env, argv[4])) {
    data = husk_napi_arg_string(env, argv[4], "data");
    if (!data) return NULL;
  }
  if (mount(source, target, fstype, (unsigned long)flags, data) < 0) {
    char what[300];
    snprintf(what, sizeof(what), "mount %.64s on", fstype);
    husk_napi_throw_errno(env, errno, what, target);
    return NULL;
  }
  return husk_napi_undefined(env);
}

/* umount2(target, flags) -> true when something was unmounted, false when target is
 * not a mount point (EINVAL) or does not exist (ENOENT): unmounting is idempotent. */
static napi_value js_umount2(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (husk_napi_args(env, info, 2, argv, "umount2(target, flags)") < 0) return NULL;
  cleanup_free char *target = husk_napi_arg_string(env, argv[0], "target");
  if (!target) return NULL;
  int64_t flags;
  if (husk_napi_arg_int(env, argv[1], &flags, "flags") < 0) return NULL;
  int r;
  do r = umount2(target, (int)flags);
  while (r < 0 && errno == EINTR);
  if (r < 0) {
    if (errno == EINVAL || errno == ENOENT) return husk_napi_bool(env, 0);
    husk_napi_throw_errno(env, errno, "umount2", target);
    return NULL;
  }
  return husk_napi_bool(env, 1);
}

void husk_addon_register_mount_ops(napi_env env, napi_value exports) {
  husk_napi_export(env, exports, "fsmount", js_fsmount);
  husk_napi_export(env, exports, "mount", js_mount);
  husk_napi_export(env, exports, "umount2", js_umount2);
}
