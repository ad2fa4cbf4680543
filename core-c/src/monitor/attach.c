#include "attach.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "../cleanup.h"

uint32_t husk_be32(const unsigned char *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }
uint16_t husk_be16(const unsigned char *p) { return (uint16_t)(p[0] << 8 | p[1]); }

void husk_frame_header(unsigned char *out, uint8_t type, uint32_t len) {
  out[0] = type;
  out[1] = (unsigned char)(len >> 24);
  out[2] = (unsigned char)(len >> 16);
  out[3] = (unsigned char)(len >> 8);
  out[4] = (unsigned char)len;
}

int husk_frame_next(const unsigned char *buf, size_t have, struct husk_frame *f, size_t *used) {
  if (have < HUSK_FRAME_HEADER) return 0;
  uint32_t len = husk_be32(buf + 1);
  if (len > HUSK_FRAME_MAX_PAYLOAD) return -1;
  if (have < HUSK_FRAME_HEADER + (size_t)len) return 0;
  f->type = buf[0];
  f->len = len;
  f->payload = buf + HUSK_FRAME_HEADER;
  *used = HUSK_FRAME_HEADER + len;
  return 1;
}

int husk_frame_send(int fd, uint8_t type, const void *payload, uint32_t len) {
  unsigned char h[HUSK_FRAME_HEADER];
  husk_frame_header(h, type, len);
  struct iovec iov[2] = {{h, sizeof(h)}, {(void *)payload, len}};
  size_t left = sizeof(h) + len;
  while (left > 0) {
    ssize_t w = writev(fd, iov, 2);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return -1;
    left -= (size_t)w;
    /* Advance over what was written (rare: sockets mostly take a frame whole). */
    for (int i = 0; i < 2; i++) {
      size_t take = (size_t)w < iov[i].iov_len ? (size_t)w : iov[i].iov_len;
      iov[i].iov_base = (char *)iov[i].iov_base + take;
      iov[i].iov_len -= take;
      w -= (ssize_t)take;
    }
  }
  return 0;
}

int husk_attach_listen(const char *path, husk_error_t *err) {
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  cleanup_fd int dirfd = -1;
  if (strlen(path) < sizeof(addr.sun_path)) {
    strcpy(addr.sun_path, path);
  } else {
    const char *slash = strrchr(path, '/');
    if (!slash || strlen(slash) + 24 >= sizeof(addr.sun_path))
      return husk_fail(err, ENAMETOOLONG, path, "attach socket name too long");
    char dir[4096];
    snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
    dirfd = open(dir[0] ? dir : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (dirfd < 0) return husk_fail_errno(err, dir, "open attach socket directory");
    snprintf(addr.sun_path, sizeof(addr.sun_path), "/proc/self/fd/%d%s", dirfd, slash);
  }
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return husk_fail_errno(err, path, "socket");
  unlink(addr.sun_path);
  if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(fd, 8) < 0) {
    int e = errno;
    close(fd);
    return husk_fail(err, e, path, "listen on attach socket");
  }
  return fd;
}
