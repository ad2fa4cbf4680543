#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "stage.h"
#include "sync.h"
#include "tap.h"

int main(void) {
  int sv[2];
  husk_error_t err;
  husk_error_clear(&err);
  ok(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) == 0, "socketpair");
  ok(husk_sync_send(sv[0], SYNC_MAPPED, 4242, &err) == 0, "send MAPPED");
  int32_t v = 0;
  ok(husk_sync_expect(sv[1], SYNC_MAPPED, &v, &err) == 0 && v == 4242, "value carried (%d)", v);

  husk_sync_send(sv[0], SYNC_READY, 0, &err);
  ok(husk_sync_expect(sv[1], SYNC_START, NULL, &err) == -EPROTO && strstr(err.msg, "expected START, got READY"),
     "wrong message: %s", err.msg);

  husk_error_t child;
  husk_error_clear(&child);
  husk_fail(&child, ENOENT, "/proc", "mount proc");
  child.stage = ST_MOUNTS;
  husk_sync_send_error(sv[0], &child);
  husk_error_clear(&err);
  ok(husk_sync_expect(sv[1], SYNC_READY, NULL, &err) == -ENOENT, "error message becomes -errno");
  ok(err.stage == ST_MOUNTS && strcmp(err.path, "/proc") == 0 && strcmp(err.msg, "mount proc") == 0,
     "stage, path and message cross over");

  close(sv[0]);
  ok(husk_sync_expect(sv[1], SYNC_READY, NULL, &err) == -EPIPE && strstr(err.msg, "went away"), "EOF: %s", err.msg);
  close(sv[1]);
  return done_testing();
}
