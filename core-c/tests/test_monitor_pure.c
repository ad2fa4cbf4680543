/* The monitor's pure pieces: msgpack writer, CRI line splitter, log rotation naming and
 * rotation itself, restart back-off and policy, OOM counter parsing, frames. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "monitor/attach.h"
#include "monitor/cri_log.h"
#include "monitor/monitor_plan.h"
#include "monitor/msgpack_writer.h"
#include "monitor/oom.h"
#include "monitor/restart.h"
#include "monitor/status.h"
#include "stage.h"
#include "tap.h"

static int same(const unsigned char *a, const unsigned char *b, size_t n) { return memcmp(a, b, n) == 0; }

static void test_msgpack(void) {
  unsigned char buf[64];
  struct husk_mp m;
  husk_mp_init(&m, buf, sizeof(buf));
  husk_mp_map(&m, 2);
  husk_mp_str(&m, "a");
  husk_mp_int(&m, 5);
  husk_mp_str(&m, "b");
  husk_mp_nil(&m);
  const unsigned char want[] = {0x82, 0xa1, 'a', 0x05, 0xa1, 'b', 0xc0};
  ok(m.len == sizeof(want) && same(buf, want, sizeof(want)) && !m.overflow, "fixmap, fixstr, fixint, nil");

  husk_mp_init(&m, buf, sizeof(buf));
  husk_mp_int(&m, 200);
  husk_mp_int(&m, 70000);
  husk_mp_int(&m, -1);
  husk_mp_int(&m, -200);
  husk_mp_int(&m, 5000000000LL);
  husk_mp_bool(&m, 1);
  husk_mp_bool(&m, 0);
  const unsigned char ints[] = {0xcc, 200, 0xce, 0x00, 0x01, 0x11, 0x70, 0xff, 0xd2, 0xff, 0xff, 0xff, 0x38,
                                0xcf, 0, 0, 0, 0x01, 0x2a, 0x05, 0xf2, 0x00, 0xc3, 0xc2};
  ok(m.len == sizeof(ints) && same(buf, ints, sizeof(ints)), "uint8, uint32, negative fixint, int32, uint64, bools");

  char long_str[40];
  memset(long_str, 'x', 39);
  long_str[39] = 0;
  husk_mp_init(&m, buf, sizeof(buf));
  husk_mp_str(&m, long_str);
  ok(m.len == 41 && buf[0] == 0xd9 && buf[1] == 39, "str8 for 32..255 bytes");

  husk_mp_init(&m, buf, 4);
  husk_mp_str(&m, "hello");
  ok(m.overflow, "overflow is reported, not written past the buffer");

  struct husk_status st = {.monitor_pid = 10, .pid = 11, .status = "exited", .exit_code = 137, .signal = 9, .oom_killed = 1, .restart_count = 2};
  strcpy(st.started_at, "2024-01-01T00:00:00.000000000Z");
  unsigned char sbuf[512];
  size_t n = husk_status_encode(&st, sbuf, sizeof(sbuf));
  ok(n > 0 && sbuf[0] == 0x8c, "status is a 12-entry map (%zu bytes)", n);
  ok(memmem(sbuf, n, "\xa9oomKilled\xc3", 11) != NULL, "oomKilled true");
  ok(memmem(sbuf, n, "\xaa" "finishedAt\xc0", 12) != NULL, "finishedAt nil until set");
  ok(memmem(sbuf, n, "\xa8" "exitCode\xcc\x89", 11) != NULL, "exitCode 137");
  ok(husk_status_encode(&st, sbuf, 16) == 0, "too small a buffer gives 0");
}

struct lines { int n; int partial[16]; char text[16][HUSK_CRI_LINE_MAX + 1]; size_t len[16]; };
static void collect(void *ctx, int partial, const char *text, size_t len) {
  struct lines *l = ctx;
  if (l->n >= 16) return;
  l->partial[l->n] = partial;
  memcpy(l->text[l->n], text, len);
  l->text[l->n][len] = 0;
  l->len[l->n] = len;
  l->n++;
}

static void test_cri(void) {
  static struct husk_cri_splitter s;
  static struct lines l;
  memset(&l, 0, sizeof(l));
  s.len = 0;
  husk_cri_feed(&s, "one\ntw", 6, collect, &l);
  ok(l.n == 1 && !l.partial[0] && strcmp(l.text[0], "one") == 0, "a whole line is emitted as F");
  husk_cri_feed(&s, "o\n\nthree", 8, collect, &l);
  ok(l.n == 3 && strcmp(l.text[1], "two") == 0 && l.len[2] == 0, "a line split across reads is joined; empty line kept");
  husk_cri_flush(&s, collect, &l);
  ok(l.n == 4 && !l.partial[3] && strcmp(l.text[3], "three") == 0, "flush emits the unfinished last line as F");

  memset(&l, 0, sizeof(l));
  static char big[HUSK_CRI_LINE_MAX + 100];
  memset(big, 'a', sizeof(big));
  big[sizeof(big) - 1] = '\n';
  husk_cri_feed(&s, big, sizeof(big), collect, &l);
  ok(l.n == 2 && l.partial[0] && l.len[0] == HUSK_CRI_LINE_MAX && !l.partial[1] && l.len[1] == 99,
     "a line longer than the buffer becomes P then F (%d pieces)", l.n);

  struct timespec ts = {.tv_sec = 86400 * 365, .tv_nsec = 5};
  char t[40];
  husk_rfc3339_nano(t, sizeof(t), &ts);
  is_str(t, "1971-01-01T00:00:00.000000005Z", "RFC 3339 with nine fraction digits (%s)", t);
}

static void test_rotation(void) {
  char name[64];
  husk_log_rotated_name(name, sizeof(name), "/x/container.log", 0);
  is_str(name, "/x/container.log", "generation 0 is the live file");
  husk_log_rotated_name(name, sizeof(name), "/x/container.log", 3);
  is_str(name, "/x/container.log.3", "generation 3");

  char dir[] = "/tmp/husk-rot-XXXXXX";
  if (!mkdtemp(dir)) { ok(0, "mkdtemp"); return; }
  char path[128];
  snprintf(path, sizeof(path), "%s/c.log", dir);
  struct husk_log log;
  husk_error_t err;
  ok(husk_log_open(&log, path, 200, 3, &err) == 0, "open log");
  char line[64];
  for (int i = 0; i < 12; i++) {
    int n = snprintf(line, sizeof(line), "line %02d", i);
    husk_log_write(&log, "stdout", 0, line, (size_t)n);
  }
  husk_log_close(&log);
  struct stat st;
  char p1[160], p2[160], p3[160];
  snprintf(p1, sizeof(p1), "%s.1", path);
  snprintf(p2, sizeof(p2), "%s.2", path);
  snprintf(p3, sizeof(p3), "%s.3", path);
  ok(stat(path, &st) == 0 && st.st_size <= 200, "live file within max-size (%lld)", (long long)st.st_size);
  ok(stat(p1, &st) == 0 && stat(p2, &st) == 0, ".1 and .2 exist");
  ok(stat(p3, &st) != 0, "max-file 3 keeps no .3");
  char buf[256] = {0};
  int fd = open(path, O_RDONLY);
  ssize_t n = read(fd, buf, sizeof(buf) - 1);
  close(fd);
  ok(n > 0 && strstr(buf, " stdout F line 11\n") != NULL, "newest line in the live file in CRI form");
  unlink(path); unlink(p1); unlink(p2);
  rmdir(dir);
}

static void test_restart(void) {
  ok(husk_backoff_ms(0) == 100 && husk_backoff_ms(1) == 200 && husk_backoff_ms(2) == 400, "100, 200, 400 ms");
  ok(husk_backoff_ms(9) == 51200 && husk_backoff_ms(10) == 60000 && husk_backoff_ms(40) == 60000, "capped at 60 s");
  ok(husk_restart_wanted(RESTART_ON_FAILURE, 2, 1, 0, 0) && husk_restart_wanted(RESTART_ON_FAILURE, 2, 1, 1, 0) &&
     !husk_restart_wanted(RESTART_ON_FAILURE, 2, 1, 2, 0), "on-failure:2 restarts twice");
  ok(!husk_restart_wanted(RESTART_ON_FAILURE, 0, 0, 0, 0), "on-failure leaves a clean exit alone");
  ok(husk_restart_wanted(RESTART_ON_FAILURE, 0, 3, 100, 0), "on-failure without a limit");
  ok(husk_restart_wanted(RESTART_ALWAYS, 0, 0, 5, 0) && !husk_restart_wanted(RESTART_ALWAYS, 0, 0, 5, 1), "always, unless stopped by hand");
  ok(!husk_restart_wanted(RESTART_NO, 0, 1, 0, 0), "no");
  ok(husk_start_failure_code(ST_EXEC, ENOENT) == 127 && husk_start_failure_code(ST_EXEC, EACCES) == 126 &&
     husk_start_failure_code(ST_EXEC, ENOEXEC) == 126 && husk_start_failure_code(ST_MOUNTS, ENOENT) == 125,
     "127 not found, 126 not executable, 125 the rest");
}

static void test_oom_and_frames(void) {
  ok(husk_kv_counter("low 0\nhigh 0\nmax 4\noom 2\noom_kill 1\n", "oom_kill") == 1, "memory.events oom_kill");
  ok(husk_kv_counter("oom_kill_disable 0\nunder_oom 0\noom_kill 7\n", "oom_kill") == 7, "memory.oom_control oom_kill (not oom_kill_disable)");
  ok(husk_kv_counter("oom 3\n", "oom_kill") == 0, "absent key counts 0");

  unsigned char buf[32];
  husk_frame_header(buf, FRAME_RESIZE, 4);
  buf[5] = 0; buf[6] = 33; buf[7] = 0; buf[8] = 101;
  struct husk_frame f;
  size_t used = 0;
  ok(husk_frame_next(buf, 4, &f, &used) == 0, "short header waits for more");
  ok(husk_frame_next(buf, 8, &f, &used) == 0, "short payload waits for more");
  ok(husk_frame_next(buf, 9, &f, &used) == 1 && f.type == FRAME_RESIZE && used == 9 && husk_be16(f.payload) == 33 &&
     husk_be16(f.payload + 2) == 101, "resize frame 33x101");
  husk_frame_header(buf, FRAME_STDIN, HUSK_FRAME_MAX_PAYLOAD + 1);
  ok(husk_frame_next(buf, 9, &f, &used) == -1, "oversized frame refused");
}

int main(void) {
  test_msgpack();
  test_cri();
  test_rotation();
  test_restart();
  test_oom_and_frames();
  return done_testing();
}
