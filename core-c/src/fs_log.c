#include "fs_log.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

size_t husk_fs_log_append(char *buf, size_t cap, const char *msg, size_t len) {
  size_t used = strnlen(buf, cap);
  if (cap == 0 || used >= cap - 1) return used;
  /* Informational lines ("i ...") are noise in an error message. */
  if (len >= 2 && msg[1] == ' ' && msg[0] != 'e' && msg[0] != 'w') return used;
  if (len >= 2 && msg[1] == ' ') {
    msg += 2;
    len -= 2;
  }
  while (len > 0 && (msg[len - 1] == '\n' || msg[len - 1] == '\0')) len--;
  if (len == 0) return used;
  if (used > 0) {
    const char *sep = "; ";
    for (size_t i = 0; sep[i] && used < cap - 1; i++) buf[used++] = sep[i];
  }
  size_t room = cap - 1 - used;
  if (len > room) len = room;
  memcpy(buf + used, msg, len);
  used += len;
  buf[used] = 0;
  return used;
}

size_t husk_fs_log_drain(int fs_fd, char *buf, size_t cap) {
  char msg[1024];
  if (cap > 0) buf[0] = 0;
  size_t used = 0;
  for (int i = 0; i < 64; i++) { /* the kernel queues at most a few dozen */
    ssize_t n = read(fs_fd, msg, sizeof(msg));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    used = husk_fs_log_append(buf, cap, msg, (size_t)n);
  }
  return used;
}
