/* The idmap-overlay mode's argument parser (the mount itself is tested end to end by
 * test/e2e/engine-userns.test.ts). */
#include <errno.h>
#include <string.h>

#include "idmap_overlay.h"
#include "tap.h"

int main(void) {
  husk_error_t err;
  struct husk_idmap_overlay_args a;
  char *good[] = {"--uidmap", "0:100000:65536", "--gidmap", "0:100000:65536", "--lower", "/l/top", "--lower", "/l/bottom",
                  "--upper", "/s/upper", "--work", "/s/work", "--option", "index=off", "--option", "volatile", "/s/merged"};
  ok(husk_idmap_overlay_parse(17, good, &a, &err) == 0, "a full command line parses");
  ok(a.n_uidmap == 1 && a.uidmap[0].container == 0 && a.uidmap[0].host == 100000 && a.uidmap[0].size == 65536, "uid mapping read");
  ok(a.n_lower == 2 && strcmp(a.lower[0], "/l/top") == 0, "lowers kept in order, top first");
  ok(a.n_option == 2 && strcmp(a.option[1], "volatile") == 0, "options kept");
  is_str(a.target, "/s/merged", "target is the positional argument");

  char *no_gid[] = {"--uidmap", "0:1:1", "--lower", "/l", "--upper", "/u", "--work", "/w", "/t"};
  ok(husk_idmap_overlay_parse(9, no_gid, &a, &err) == -EINVAL, "a missing gid mapping is refused");
  char *bad_map[] = {"--uidmap", "0:100000", "--gidmap", "0:1:1", "--lower", "/l", "--upper", "/u", "--work", "/w", "/t"};
  ok(husk_idmap_overlay_parse(11, bad_map, &a, &err) == -EINVAL, "a two-field mapping is refused");
  is_str(err.path, "0:100000", "the error names the bad mapping");
  struct husk_idmap m;
  ok(husk_idmap_parse_triple("0:1:0", &m, &err) < 0, "a zero-sized mapping is refused");
  ok(husk_idmap_parse_triple("0:1:2x", &m, &err) < 0, "trailing junk is refused");
  char *two_targets[] = {"--uidmap", "0:1:1", "--gidmap", "0:1:1", "--lower", "/l", "--upper", "/u", "--work", "/w", "/t", "/t2"};
  ok(husk_idmap_overlay_parse(12, two_targets, &a, &err) < 0, "two targets are refused");
  return done_testing();
}
