#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "result.h"
#include "stage.h"
#include "tap.h"

int main(void) {
  char q[64];
  husk_json_quote(q, sizeof(q), "a\"b\\c\nd\x01");
  is_str(q, "\"a\\\"b\\\\c\\nd\\u0001\"", "JSON quoting (%s)", q);
  husk_json_quote(q, 4, "abcdef");
  ok(strlen(q) == 3, "quote truncates within capacity");

  int p[2];
  ok(pipe(p) == 0, "pipe");
  husk_result_init(p[1]);
  husk_result_pid("created", 77);
  husk_result_exit(77, 137, 9);
  husk_error_t err;
  husk_error_clear(&err);
  husk_fail(&err, EACCES, "/bin/x\"y", "exec");
  err.stage = ST_EXEC;
  husk_result_error(&err);
  close(p[1]);
  char out[1024] = {0};
  ssize_t n = read(p[0], out, sizeof(out) - 1);
  ok(n > 0, "read results");
  ok(strstr(out, "{\"event\":\"created\",\"pid\":77}\n") != NULL, "created line");
  ok(strstr(out, "{\"event\":\"exited\",\"pid\":77,\"status\":137,\"signal\":9}\n") != NULL, "exited line");
  ok(strstr(out, "\"stage\":\"exec\",\"errno\":\"EACCES\",\"errnum\":13,\"path\":\"/bin/x\\\"y\",\"message\":\"exec\"") != NULL,
     "error line: %s", out);
  return done_testing();
}
