#include "events.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../cleanup.h"

size_t husk_event_format(char *buf, size_t cap, uint64_t time_ns, const char *action, const struct husk_event_sink *sink, const char *extra) {
  const char *attrs = sink->attrs ? sink->attrs : "";
  const char *sep = attrs[0] && extra[0] ? "," : "";
  int n = snprintf(buf, cap, "{\"timeNano\":\"%llu\",\"type\":\"container\",\"action\":\"%s\",\"id\":\"%s\",\"attributes\":{%s%s%s}}\n",
                   (unsigned long long)time_ns, action, sink->id ? sink->id : "", attrs, sep, extra);
  if (n < 0 || (size_t)n >= cap) return 0;
  return (size_t)n;
}

void husk_event_emit(const struct husk_event_sink *sink, const char *action, const char *extra) {
  if (!sink->file) return;
  char line[4096];
  struct timespec t;
  clock_gettime(CLOCK_REALTIME, &t);
  size_t n = husk_event_format(line, sizeof(line), (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec, action, sink, extra);
  if (!n) return;
  cleanup_fd int fd = open(sink->file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return;
  /* One write: O_APPEND makes the offset and the write one step, so lines never mix. */
  ssize_t w;
  do w = write(fd, line, n);
  while (w < 0 && errno == EINTR);
}
