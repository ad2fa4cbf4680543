/* A tiny msgpack writer: just what status.msgpack needs (maps, strings, integers,
 * booleans, nil) into a caller's fixed buffer. Overflow is sticky and checked once. */
#ifndef HUSK_MSGPACK_WRITER_H
#define HUSK_MSGPACK_WRITER_H

#include <stddef.h>
#include <stdint.h>

struct husk_mp {
  unsigned char *buf;
  size_t cap, len;
  int overflow;
};

void husk_mp_init(struct husk_mp *m, unsigned char *buf, size_t cap);
void husk_mp_map(struct husk_mp *m, uint32_t entries);
void husk_mp_str(struct husk_mp *m, const char *s);
void husk_mp_int(struct husk_mp *m, int64_t v);
void husk_mp_bool(struct husk_mp *m, int v);
void husk_mp_nil(struct husk_mp *m);
/* A string, or nil when s is NULL or empty. */
void husk_mp_str_or_nil(struct husk_mp *m, const char *s);

#endif
