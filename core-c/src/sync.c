#include "sync.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "stage.h"

static const char *type_name(uint32_t t) {
  switch (t) {
    case SYNC_MAPPED: return "MAPPED";
    case SYNC_MOUNTED: return "MOUNTED";
    case SYNC_HOOKS_DONE: return "HOOKS_DONE";
    case SYNC_READY: return "READY";
    case SYNC_START: return "START";
    case SYNC_ERROR: return "ERROR";
    default: return "?";
  }
}

int husk_sync_send(int fd, uint32_t type, int32_t value, husk_error_t *err) {
  struct husk_sync_msg m;
  memset(&m, 0, sizeof(m));
  m.type = type;
  m.value = value;
  ssize_t n;
  do n = send(fd, &m, sizeof(m), MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  if (n < 0) return husk_fail_errno(err, "sync socket", "send %s", type_name(type));
  return 0;
}

void husk_sync_send_error(int fd, const husk_error_t *from) {
  struct husk_sync_msg m;
  memset(&m, 0, sizeof(m));
  m.type = SYNC_ERROR;
  m.errnum = from->errnum;
  m.stage = from->stage;
  snprintf(m.path, sizeof(m.path), "%s", from->path);
  snprintf(m.msg, sizeof(m.msg), "%s", from->msg);
  ssize_t n;
  do n = send(fd, &m, sizeof(m), MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
}

int husk_sync_recv(int fd, struct husk_sync_msg *m, husk_error_t *err) {
  ssize_t n;
  do n = recv(fd, m, sizeof(*m), 0);
  while (n < 0 && errno == EINTR);
  if (n < 0) return husk_fail_errno(err, "sync socket", "receive");
  if (n == 0) return -EPIPE;
  if ((size_t)n != sizeof(*m)) return husk_fail(err, EPROTO, "sync socket", "short message (%zd bytes)", n);
  return 0;
}

int husk_sync_expect(int fd, uint32_t type, int32_t *value, husk_error_t *err) {
  struct husk_sync_msg m;
  int ret = husk_sync_recv(fd, &m, err);
  if (ret == -EPIPE)
    return husk_fail(err, EPIPE, "", "peer went away while waiting for %s", type_name(type));
  if (ret < 0) return ret;
  if (m.type == SYNC_ERROR) {
    err->stage = m.stage;
    return husk_fail(err, m.errnum, m.path, "%s", m.msg);
  }
  if (m.type != type)
    return husk_fail(err, EPROTO, "sync socket", "expected %s, got %s", type_name(type), type_name(m.type));
  if (value) *value = m.value;
  return 0;
}
