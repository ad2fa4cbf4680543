#include "cri_log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

void husk_cri_feed(struct husk_cri_splitter *s, const char *data, size_t n, husk_cri_emit emit, void *ctx) {
  while (n > 0) {
    const char *nl = memchr(data, '\n', n);
    size_t seg = nl ? (size_t)(nl - data) : n;
    if (s->len == 0 && nl && seg <= HUSK_CRI_LINE_MAX) {
      emit(ctx, 0, data, seg); /* the common case: a whole line, no copy */
      data += seg + 1;
      n -= seg + 1;
      continue;
    }
    size_t room = HUSK_CRI_LINE_MAX - s->len;
    size_t take = seg < room ? seg : room;
    memcpy(s->buf + s->len, data, take);
    s->len += take;
    data += take;
    n -= take;
    if (s->len == HUSK_CRI_LINE_MAX) {
      emit(ctx, 1, s->buf, s->len);
      s->len = 0;
      continue;
    }
    if (nl && take == seg) {
      emit(ctx, 0, s->buf, s->len);
      s->len = 0;
      data++;
      n--;
    }
  }
}

void husk_cri_flush(struct husk_cri_splitter *s, husk_cri_emit emit, void *ctx) {
  if (s->len) emit(ctx, 0, s->buf, s->len);
  s->len = 0;
}

size_t husk_rfc3339_nano(char *buf, size_t cap, const struct timespec *ts) {
  struct tm tm;
  time_t t = ts->tv_sec;
  gmtime_r(&t, &tm);
  int n = snprintf(buf, cap, "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                   tm.tm_hour, tm.tm_min, tm.tm_sec, (long)ts->tv_nsec);
  return n < 0 ? 0 : (size_t)n < cap ? (size_t)n : cap - 1;
}

void husk_log_rotated_name(char *buf, size_t cap, const char *path, unsigned i) {
  if (i == 0) snprintf(buf, cap, "%s", path);
  else snprintf(buf, cap, "%s.%u", path, i);
}

int husk_log_open(struct husk_log *log, const char *path, uint64_t max_size, uint64_t max_file, husk_error_t *err) {
  log->path = path;
  log->max_size = max_size;
  log->max_file = max_file ? max_file : 1;
  log->fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (log->fd < 0) return husk_fail_errno(err, path, "open container log");
  struct stat st;
  log->size = fstat(log->fd, &st) == 0 ? (uint64_t)st.st_size : 0;
  return 0;
}

static void rotate(struct husk_log *log) {
  char from[4096], to[4096];
  if (log->max_file > 1) {
    /* PATH.(n-2) -> PATH.(n-1), ..., PATH -> PATH.1; the oldest is overwritten. */
    for (unsigned i = (unsigned)log->max_file - 1; i > 0; i--) {
      husk_log_rotated_name(from, sizeof(from), log->path, i - 1);
      husk_log_rotated_name(to, sizeof(to), log->path, i);
      rename(from, to);
    }
  }
  close(log->fd);
  /* With max_file 1 there is nothing to keep: start the live file again. */
  log->fd = open(log->path, O_WRONLY | O_CREAT | O_APPEND | O_TRUNC | O_CLOEXEC, 0640);
  log->size = 0;
}

void husk_log_write(struct husk_log *log, const char *stream, int partial, const char *text, size_t len) {
  if (log->fd < 0) return;
  char head[64];
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  size_t h = husk_rfc3339_nano(head, sizeof(head) - 16, &now);
  h += (size_t)snprintf(head + h, sizeof(head) - h, " %s %c ", stream, partial ? 'P' : 'F');
  uint64_t line = h + len + 1;
  if (log->max_size && log->size > 0 && log->size + line > log->max_size) rotate(log);
  if (log->fd < 0) return;
  struct iovec iov[3] = {{head, h}, {(void *)text, len}, {"\n", 1}};
  ssize_t w;
  do w = writev(log->fd, iov, 3);
  while (w < 0 && errno == EINTR);
  if (w > 0) log->size += (uint64_t)w;
}

void husk_log_close(struct husk_log *log) {
  if (log->fd >= 0) close(log->fd);
  log->fd = -1;
}
