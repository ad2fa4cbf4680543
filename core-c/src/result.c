#include "result.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "stage.h"

static int result_fd = -1;

void husk_result_init(int fd) { result_fd = fd; }

void husk_result_close(void) {
  if (result_fd >= 0) close(result_fd);
  result_fd = -1;
}

static void emit(const char *line, size_t len) {
  if (result_fd < 0) return;
  while (len > 0) {
    ssize_t n = write(result_fd, line, len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    line += n;
    len -= (size_t)n;
  }
}

size_t husk_json_quote(char *buf, size_t cap, const char *s) {
  size_t o = 0;
#define PUT(c) do { if (o + 1 < cap) buf[o] = (c); o++; } while (0)
  PUT('"');
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (*p == '"' || *p == '\\') { PUT('\\'); PUT(*p); }
    else if (*p == '\n') { PUT('\\'); PUT('n'); }
    else if (*p == '\t') { PUT('\\'); PUT('t'); }
    else if (*p < 0x20) {
      char hex[7];
      snprintf(hex, sizeof(hex), "\\u%04x", *p);
      for (int i = 0; hex[i]; i++) PUT(hex[i]);
    } else PUT(*p);
  }
  PUT('"');
#undef PUT
  if (cap) buf[o < cap ? o : cap - 1] = 0;
  return o < cap ? o : cap - 1;
}

#include <stdlib.h>
#include <time.h>

void husk_trace(const char *what) {
  static int on = -1;
  static struct timespec t0;
  if (on < 0) {
    const char *e = getenv("HUSK_TRACE");
    on = e && strcmp(e, "1") == 0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
  }
  if (!on) return;
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  dprintf(2, "husk-core-trace %.2fms %s\n", (t.tv_sec - t0.tv_sec) * 1e3 + (t.tv_nsec - t0.tv_nsec) / 1e6, what);
}

void husk_result_pid(const char *event, pid_t pid) {
  char line[96];
  int n = snprintf(line, sizeof(line), "{\"event\":\"%s\",\"pid\":%d}\n", event, (int)pid);
  emit(line, (size_t)n);
}

void husk_result_exit(pid_t pid, int status, int signal) {
  char line[128];
  int n = snprintf(line, sizeof(line), "{\"event\":\"exited\",\"pid\":%d,\"status\":%d,\"signal\":%d}\n",
                   (int)pid, status, signal);
  emit(line, (size_t)n);
}

void husk_result_error(const husk_error_t *err) {
  char path[HUSK_ERR_PATH_MAX * 2 + 8], msg[HUSK_ERR_MSG_MAX * 2 + 8], line[2048];
  husk_json_quote(path, sizeof(path), err->path);
  husk_json_quote(msg, sizeof(msg), err->msg);
  int n = snprintf(line, sizeof(line),
                   "{\"event\":\"error\",\"stage\":\"%s\",\"errno\":\"%s\",\"errnum\":%d,\"path\":%s,\"message\":%s}\n",
                   husk_stage_name(err->stage), err->errnum ? husk_errno_name(err->errnum) : "",
                   err->errnum, path, msg);
  if (n > (int)sizeof(line) - 1) n = (int)sizeof(line) - 1;
  emit(line, (size_t)n);
}
