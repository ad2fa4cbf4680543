#include "oom.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

uint64_t husk_kv_counter(const char *text, const char *key) {
  size_t k = strlen(key);
  for (const char *line = text; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
    if (strncmp(line, key, k) == 0 && line[k] == ' ') return strtoull(line + k + 1, NULL, 10);
  }
  return 0;
}

uint64_t husk_oom_count(const struct husk_monitor_plan *mp) {
  uint64_t total = 0;
  char buf[1024];
  for (size_t i = 0; i < mp->n_oom; i++) {
    if (!mp->oom[i].path || !mp->oom[i].key) continue;
    int fd = open(mp->oom[i].path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0) continue;
    buf[n] = 0;
    total += husk_kv_counter(buf, mp->oom[i].key);
  }
  return total;
}
