/* The attach socket: `u8 type | u32 BE length | payload` frames both ways.
 *   0 stdin  1 stdout  2 stderr  3 resize (u16 rows, u16 cols)  4 exit (i32 code,
 *   i32 signal, u8 oom)  5 cleanup-ack  6 stop (u32 timeout s)  7 start
 * An empty stdin frame closes the container's stdin. */
#ifndef HUSK_MONITOR_ATTACH_H
#define HUSK_MONITOR_ATTACH_H

#include <stddef.h>
#include <stdint.h>

#include "../error.h"

enum husk_frame_type {
  FRAME_STDIN = 0, FRAME_STDOUT = 1, FRAME_STDERR = 2, FRAME_RESIZE = 3, FRAME_EXIT = 4,
  FRAME_CLEANUP_ACK = 5, FRAME_STOP = 6, FRAME_START = 7,
};

#define HUSK_FRAME_HEADER 5
#define HUSK_FRAME_MAX_PAYLOAD 16384
#define HUSK_ATTACH_MAX_CLIENTS 8

struct husk_attach_client {
  int fd; /* -1: free slot */
  size_t have;
  unsigned char buf[HUSK_FRAME_HEADER + HUSK_FRAME_MAX_PAYLOAD];
};

struct husk_frame { uint8_t type; uint32_t len; const unsigned char *payload; };

/* Listen on path (created 0600-ish by umask; a stale socket file is replaced). Paths
 * longer than sun_path are reached through /proc/self/fd of their directory. */
int husk_attach_listen(const char *path, husk_error_t *err);
void husk_frame_header(unsigned char *out, uint8_t type, uint32_t len);
/* Take the next whole frame from buf[0..*have); returns 1 and fills f, 0 when more bytes
 * are needed, -1 on a frame larger than HUSK_FRAME_MAX_PAYLOAD. *used is what f spans. */
int husk_frame_next(const unsigned char *buf, size_t have, struct husk_frame *f, size_t *used);
/* Send one frame; returns -1 when the client is gone (or stuck past its send timeout). */
int husk_frame_send(int fd, uint8_t type, const void *payload, uint32_t len);
uint32_t husk_be32(const unsigned char *p);
uint16_t husk_be16(const unsigned char *p);

#endif
