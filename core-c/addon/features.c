/* Kernel feature probes for `husk --version`, `husk oci features` and `system check`.
 * Each probe is cheap and side-effect free (no fork, no mount). */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "napi_util.h"
#include "syscalls.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

static int file_contains(const char *path, const char *needle) {
  char buf[8192];
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  ssize_t n = read(fd, buf, sizeof(buf) - 1);
  close(fd);
  if (n <= 0) return 0;
  buf[n] = 0;
  return strstr(buf, needle) != NULL;
}

static long read_long(const char *path, long def) {
  char buf[64];
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return def;
  ssize_t n = read(fd, buf, sizeof(buf) - 1);
  close(fd);
  if (n <= 0) return def;
  buf[n] = 0;
  long v;
  return sscanf(buf, "%ld", &v) == 1 ? v : def;
}

/* "v2" (unified only), "hybrid" (v1 controllers + cgroup2 at /sys/fs/cgroup/unified),
 * "v1", or "none". */
static const char *cgroup_mode(void) {
  struct statfs st;
  if (statfs("/sys/fs/cgroup", &st) < 0) return "none";
  if (st.f_type == CGROUP2_SUPER_MAGIC) return "v2";
  if (statfs("/sys/fs/cgroup/unified", &st) == 0 && st.f_type == CGROUP2_SUPER_MAGIC) return "hybrid";
  return "v1";
}

static int has_clone3(void) {
  /* A zero-sized argument is rejected with EINVAL by kernels that have clone3. */
  long r = syscall(__NR_clone3, NULL, 0);
  return r < 0 && errno != ENOSYS;
}

static int has_new_mount_api(void) {
  int fd = husk_fsopen("tmpfs", 1 /* FSOPEN_CLOEXEC */);
  if (fd >= 0) { close(fd); return 1; }
  return errno != ENOSYS;
}

static void set_bool(napi_env env, napi_value obj, const char *k, int v) {
  napi_set_named_property(env, obj, k, husk_napi_bool(env, v));
}

static napi_value js_features(napi_env env, napi_callback_info info) {
  napi_value o;
  NAPI_CALL(env, napi_create_object(env, &o));
  napi_set_named_property(env, o, "cgroupMode", husk_napi_string(env, cgroup_mode()));
  set_bool(env, o, "clone3", has_clone3());
  set_bool(env, o, "overlay", file_contains("/proc/filesystems", "\toverlay\n"));
  set_bool(env, o, "newMountApi", has_new_mount_api());
  set_bool(env, o, "seccomp", prctl(PR_GET_SECCOMP, 0, 0, 0, 0) >= 0 || errno != EINVAL);
  set_bool(env, o, "userNamespaces", access("/proc/self/ns/user", F_OK) == 0 &&
                                         read_long("/proc/sys/user/max_user_namespaces", 1) > 0);
  set_bool(env, o, "timeNamespace", access("/proc/self/ns/time", F_OK) == 0);
  set_bool(env, o, "cgroupNamespace", access("/proc/self/ns/cgroup", F_OK) == 0);
  set_bool(env, o, "pidfd", ({ int fd = husk_pidfd_open(getpid(), 0); int ok = fd >= 0; if (ok) close(fd); ok; }));
  napi_set_named_property(env, o, "capLastCap", husk_napi_int(env, read_long("/proc/sys/kernel/cap_last_cap", 40)));
  return o;
}

void husk_addon_register_features(napi_env env, napi_value exports) {
  husk_napi_export(env, exports, "features", js_features);
}
