#include <errno.h>
#include <string.h>

#include "error.h"
#include "tap.h"

int main(void) {
  husk_error_t err;
  husk_error_clear(&err);
  ok(husk_fail(&err, ENOENT, "/x", "open %s", "thing") == -ENOENT, "returns -errno");
  is_str(err.msg, "open thing", "message formatted");
  is_str(err.path, "/x", "path kept");
  ok(err.errnum == ENOENT, "errnum kept");
  ok(husk_fail(&err, 0, NULL, "plain") == -EINVAL, "errno 0 maps to -EINVAL");
  is_str(err.path, "", "NULL path becomes empty");
  is_str(husk_errno_name(EPERM), "EPERM", "EPERM name");
  is_str(husk_errno_name(EBUSY), "EBUSY", "EBUSY name");
  is_str(husk_errno_name(100000), "E?", "unknown errno");
  char big[2000];
  memset(big, 'a', sizeof(big) - 1);
  big[sizeof(big) - 1] = 0;
  husk_fail(&err, EIO, big, "%s", big);
  ok(strlen(err.msg) == HUSK_ERR_MSG_MAX - 1 && strlen(err.path) == HUSK_ERR_PATH_MAX - 1, "long strings truncated");
  return done_testing();
}
