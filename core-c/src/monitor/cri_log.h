/* The container's log in the CRI format that kubelet and containerd write:
 *   <RFC 3339 time, UTC, nanoseconds> <stdout|stderr> <F|P> <text>\n
 * F ends a line; P is a piece of a line longer than HUSK_CRI_LINE_MAX (the rest follows).
 * The file rotates at max_size bytes: PATH -> PATH.1 -> PATH.2 ..., keeping max_file
 * files in all (the live one included). */
#ifndef HUSK_CRI_LOG_H
#define HUSK_CRI_LOG_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "../error.h"

#define HUSK_CRI_LINE_MAX 8192

/* Splits a byte stream into lines; holds at most one unfinished line. */
struct husk_cri_splitter {
  size_t len;
  char buf[HUSK_CRI_LINE_MAX];
};
typedef void (*husk_cri_emit)(void *ctx, int partial, const char *text, size_t len);
void husk_cri_feed(struct husk_cri_splitter *s, const char *data, size_t n, husk_cri_emit emit, void *ctx);
/* The stream ended: what is held is the last line (F). */
void husk_cri_flush(struct husk_cri_splitter *s, husk_cri_emit emit, void *ctx);

/* "2024-05-01T12:00:00.000000001Z" (always nine fraction digits, so text order is time order). */
size_t husk_rfc3339_nano(char *buf, size_t cap, const struct timespec *ts);

/* PATH for i == 0, else PATH.i */
void husk_log_rotated_name(char *buf, size_t cap, const char *path, unsigned i);

struct husk_log {
  int fd;
  const char *path;
  uint64_t max_size, max_file, size;
};
int husk_log_open(struct husk_log *log, const char *path, uint64_t max_size, uint64_t max_file, husk_error_t *err);
/* One CRI line; rotates first when it would not fit. Failures are dropped (a full disk
 * must not stop the container). */
void husk_log_write(struct husk_log *log, const char *stream, int partial, const char *text, size_t len);
void husk_log_close(struct husk_log *log);

#endif
