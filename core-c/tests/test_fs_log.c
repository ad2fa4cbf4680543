#include <string.h>

#include "fs_log.h"
#include "tap.h"

int main(void) {
  char buf[64] = "";
  const char *e1 = "e overlayfs: failed to resolve '/x': -2\n";
  husk_fs_log_append(buf, sizeof(buf), e1, strlen(e1));
  is_str(buf, "overlayfs: failed to resolve '/x': -2", "error prefix and newline stripped");

  const char *i1 = "i overlayfs: some info";
  husk_fs_log_append(buf, sizeof(buf), i1, strlen(i1));
  is_str(buf, "overlayfs: failed to resolve '/x': -2", "info messages skipped");

  char b2[64] = "";
  const char *w1 = "w overlayfs: upper fs lacks xattr";
  husk_fs_log_append(b2, sizeof(b2), e1, strlen(e1));
  husk_fs_log_append(b2, sizeof(b2), w1, 12);
  ok(strstr(b2, "; overlayfs") != NULL, "warnings joined with '; ' (%s)", b2);

  char small[16] = "";
  husk_fs_log_append(small, sizeof(small), e1, strlen(e1));
  ok(strlen(small) == sizeof(small) - 1, "truncated to capacity, NUL-terminated");
  size_t again = husk_fs_log_append(small, sizeof(small), e1, strlen(e1));
  ok(again == sizeof(small) - 1, "a full buffer stays full");

  char b3[32] = "";
  husk_fs_log_append(b3, sizeof(b3), "plain message", 13);
  is_str(b3, "plain message", "a message without a level prefix is kept whole");
  husk_fs_log_append(b3, sizeof(b3), "e \n", 3);
  is_str(b3, "plain message", "an empty message adds nothing");
  return done_testing();
}
