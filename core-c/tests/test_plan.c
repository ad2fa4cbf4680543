#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>

#include "plan.h"
#include "tap.h"

static unsigned char main_buf[4096], group_buf[512];
static unsigned char *buf = main_buf;
static size_t len, main_len;
static size_t boundaries[64], n_boundaries;

static void rec(uint16_t tag, const void *val, uint32_t n) {
  buf[len++] = tag & 0xff; buf[len++] = tag >> 8;
  for (int i = 0; i < 4; i++) buf[len++] = (n >> (8 * i)) & 0xff;
  memcpy(buf + len, val, n);
  len += n;
  if (buf == main_buf && n_boundaries < 64) boundaries[n_boundaries++] = len;
}
/* Nested groups are built in their own buffer, then appended as one record. */
static void group_begin(void) { main_len = len; buf = group_buf; len = 0; }
static void group_end(uint16_t tag) {
  size_t glen = len;
  buf = main_buf;
  len = main_len;
  rec(tag, group_buf, (uint32_t)glen);
}
static void u64(uint16_t tag, uint64_t v) {
  unsigned char b[8];
  for (int i = 0; i < 8; i++) b[i] = (v >> (8 * i)) & 0xff;
  rec(tag, b, 8);
}
static void str(uint16_t tag, const char *s) { rec(tag, s, (uint32_t)strlen(s)); }

int main(void) {
  struct husk_plan p;
  husk_error_t err;

  len = 0;
  u64(HP_VERSION, HUSK_PLAN_VERSION);
  str(HP_ROOTFS, "/tmp/rootfs");
  str(HP_ARG, "/bin/echo");
  str(HP_ARG, "hi");
  str(HP_ENV, "PATH=/bin");
  u64(HP_UID, 1000);
  u64(HP_OOM_SCORE_ADJ, (uint64_t)(int64_t)-500);
  /* a namespace group joined by path */
  group_begin(); u64(NS_TYPE, CLONE_NEWNET); str(NS_PATH, "/var/run/netns/x"); group_end(HP_NAMESPACE);
  group_begin(); u64(NS_TYPE, CLONE_NEWPID); group_end(HP_NAMESPACE);
  /* a mount with two propagation flags */
  group_begin();
  str(M_DEST, "/data"); str(M_TYPE, "bind"); str(M_SOURCE, "/srv"); u64(M_PROPAGATION, 1); u64(M_PROPAGATION, 2);
  group_end(HP_MOUNT);

  int decoded = husk_plan_decode(buf, len, &p, &err) == 0;
  ok(decoded, "decodes a valid plan (%s)", err.msg);
  if (!decoded) return done_testing();
  is_str(p.rootfs, "/tmp/rootfs", "rootfs");
  ok(p.n_argv == 2 && strcmp(p.argv[1], "hi") == 0 && p.argv[2] == NULL, "argv is NULL-terminated");
  ok(p.n_envp == 1 && p.envp[1] == NULL, "envp");
  ok(p.uid == 1000, "uid");
  ok(p.has_oom_score_adj && p.oom_score_adj == -500, "negative oom_score_adj round-trips");
  ok(p.n_ns == 2 && p.ns[0].path && strcmp(p.ns[0].path, "/var/run/netns/x") == 0, "namespace path");
  ok(husk_plan_new_ns_flags(&p) == CLONE_NEWPID, "only the pid namespace is new");
  ok(husk_plan_ns(&p, CLONE_NEWNET) == &p.ns[0], "namespace lookup by type");
  ok(p.n_mounts == 1 && p.mounts[0].n_propagation == 2 && strcmp(p.mounts[0].source, "/srv") == 0, "mount group");
  husk_plan_free(&p);

  /* a cut inside a record is an error, never a crash */
  int all_failed = 1;
  for (size_t cut = 1; cut < len; cut++) {
    int at_boundary = 0;
    for (size_t b = 0; b < n_boundaries; b++) at_boundary |= boundaries[b] == cut;
    husk_error_clear(&err);
    if (!at_boundary && husk_plan_decode(buf, cut, &p, &err) == 0) all_failed = 0;
    husk_plan_free(&p);
  }
  ok(all_failed, "every prefix cut inside a record is rejected");

  size_t good = len;
  u64(999, 1);
  ok(husk_plan_decode(buf, len, &p, &err) == -EINVAL && strstr(err.msg, "unknown tag 999"), "unknown tag: %s", err.msg);
  husk_plan_free(&p);
  len = good;

  rec(HP_CWD, "a\0bc", 4);
  ok(husk_plan_decode(buf, len, &p, &err) < 0 && strstr(err.msg, "NUL"), "embedded NUL refused: %s", err.msg);
  husk_plan_free(&p);

  len = 0;
  u64(HP_VERSION, 99);
  str(HP_ARG, "x");
  ok(husk_plan_decode(buf, len, &p, &err) < 0 && strstr(err.msg, "plan version 99"), "version mismatch: %s", err.msg);
  husk_plan_free(&p);

  len = 0;
  u64(HP_VERSION, HUSK_PLAN_VERSION);
  ok(husk_plan_decode(buf, len, &p, &err) < 0 && strstr(err.msg, "process.args"), "empty argv refused: %s", err.msg);
  husk_plan_free(&p);
  return done_testing();
}
