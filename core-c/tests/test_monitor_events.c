/* The monitor's event lines: shape, empty attributes, refusing to cut a line, and that
 * emit appends whole lines to the file. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "monitor/events.h"
#include "tap.h"

int main(void) {
  char buf[512];
  struct husk_event_sink s = {.file = NULL, .id = "abc", .attrs = "\"name\":\"web\",\"image\":\"busybox\""};
  size_t n = husk_event_format(buf, sizeof(buf), 1700000000123456789ull, "die", &s, "\"exitCode\":\"3\"");
  is_str(buf, "{\"timeNano\":\"1700000000123456789\",\"type\":\"container\",\"action\":\"die\",\"id\":\"abc\",\"attributes\":{\"name\":\"web\",\"image\":\"busybox\",\"exitCode\":\"3\"}}\n",
         "die line with attributes and exit code");
  ok(n == strlen(buf), "length returned");
  husk_event_format(buf, sizeof(buf), 5, "restart", &s, "");
  ok(strstr(buf, "\"attributes\":{\"name\":\"web\",\"image\":\"busybox\"}}\n") != NULL, "no trailing comma without extra members");
  struct husk_event_sink bare = {.file = NULL, .id = "abc", .attrs = ""};
  husk_event_format(buf, sizeof(buf), 5, "oom", &bare, "\"exitCode\":\"1\"");
  ok(strstr(buf, "\"attributes\":{\"exitCode\":\"1\"}}") != NULL, "no leading comma without attributes");
  ok(husk_event_format(buf, 40, 5, "die", &s, "") == 0, "a line that does not fit is dropped, not cut");

  char path[] = "/tmp/husk-events-XXXXXX";
  int fd = mkstemp(path);
  close(fd);
  s.file = path;
  husk_event_emit(&s, "die", "\"exitCode\":\"0\"");
  husk_event_emit(&s, "start", "");
  FILE *f = fopen(path, "r");
  char line[512];
  int lines = 0, good = 1;
  while (fgets(line, sizeof(line), f)) {
    lines++;
    good &= line[0] == '{' && line[strlen(line) - 1] == '\n';
  }
  fclose(f);
  unlink(path);
  ok(lines == 2 && good, "emit appends one whole line per event");
  return done_testing();
}
