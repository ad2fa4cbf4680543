/* maskedPaths and readonlyPaths (after pivot_root). Missing paths are skipped: the
 * default lists name files that not every kernel has. */
#include <errno.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "child.h"

int husk_child_masked_paths(const struct husk_plan *plan, husk_error_t *err) {
  for (size_t i = 0; i < plan->n_masked; i++) {
    const char *p = plan->masked[i];
    struct stat st;
    if (stat(p, &st) < 0) {
      if (errno == ENOENT) continue;
      return husk_fail_errno(err, p, "stat masked path");
    }
    int r = S_ISDIR(st.st_mode) ? mount("tmpfs", p, "tmpfs", MS_RDONLY, "size=0k")
                                : mount("/dev/null", p, NULL, MS_BIND, NULL);
    if (r < 0) return husk_fail_errno(err, p, "mask path");
  }
  return 0;
}

int husk_child_readonly_paths(const struct husk_plan *plan, husk_error_t *err) {
  for (size_t i = 0; i < plan->n_readonly; i++) {
    const char *p = plan->readonly[i];
    if (mount(p, p, NULL, MS_BIND | MS_REC, NULL) < 0) {
      if (errno == ENOENT) continue;
      return husk_fail_errno(err, p, "bind read-only path");
    }
    int ret = husk_remount_bind(p, MS_RDONLY, 0, err);
    if (ret < 0) return ret;
  }
  return 0;
}
