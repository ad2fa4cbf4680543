/* linux.sysctl: written through the container's own /proc/sys after pivot_root, so
 * that namespaced keys land in the container's namespaces. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../cleanup.h"
#include "child.h"

int husk_child_sysctl(const struct husk_plan *plan, husk_error_t *err) {
  for (size_t i = 0; i < plan->n_sysctl; i++) {
    const struct husk_kv *kv = &plan->sysctl[i];
    char path[512];
    int n = snprintf(path, sizeof(path), "/proc/sys/%s", kv->key);
    if (n >= (int)sizeof(path)) return husk_fail(err, ENAMETOOLONG, kv->key, "sysctl key too long");
    for (char *c = path + 10; *c; c++)
      if (*c == '.') *c = '/';
    if (strstr(kv->key, "..")) return husk_fail(err, EINVAL, kv->key, "invalid sysctl key");
    cleanup_fd int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return husk_fail_errno(err, kv->key, "open sysctl %s", path);
    size_t len = strlen(kv->value);
    if (write(fd, kv->value, len) != (ssize_t)len) return husk_fail_errno(err, kv->key, "write sysctl value '%s'", kv->value);
  }
  return 0;
}
