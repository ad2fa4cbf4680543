#include "msgpack_writer.h"

#include <string.h>

void husk_mp_init(struct husk_mp *m, unsigned char *buf, size_t cap) {
  m->buf = buf;
  m->cap = cap;
  m->len = 0;
  m->overflow = 0;
}

static void put(struct husk_mp *m, const void *p, size_t n) {
  if (m->overflow || m->cap - m->len < n) {
    m->overflow = 1;
    return;
  }
  memcpy(m->buf + m->len, p, n);
  m->len += n;
}

static void put_byte(struct husk_mp *m, unsigned char b) { put(m, &b, 1); }

/* Big-endian, as msgpack wants. */
static void put_be(struct husk_mp *m, uint64_t v, int bytes) {
  unsigned char b[8];
  for (int i = 0; i < bytes; i++) b[i] = (unsigned char)(v >> (8 * (bytes - 1 - i)));
  put(m, b, (size_t)bytes);
}

void husk_mp_map(struct husk_mp *m, uint32_t n) {
  if (n < 16) put_byte(m, (unsigned char)(0x80 | n));
  else if (n < 65536) { put_byte(m, 0xde); put_be(m, n, 2); }
  else { put_byte(m, 0xdf); put_be(m, n, 4); }
}

void husk_mp_str(struct husk_mp *m, const char *s) {
  size_t n = strlen(s);
  if (n < 32) put_byte(m, (unsigned char)(0xa0 | n));
  else if (n < 256) { put_byte(m, 0xd9); put_be(m, n, 1); }
  else if (n < 65536) { put_byte(m, 0xda); put_be(m, n, 2); }
  else { put_byte(m, 0xdb); put_be(m, n, 4); }
  put(m, s, n);
}

void husk_mp_int(struct husk_mp *m, int64_t v) {
  if (v >= 0) {
    uint64_t u = (uint64_t)v;
    if (u < 128) put_byte(m, (unsigned char)u);
    else if (u < 256) { put_byte(m, 0xcc); put_be(m, u, 1); }
    else if (u < 65536) { put_byte(m, 0xcd); put_be(m, u, 2); }
    else if (u <= 0xffffffffULL) { put_byte(m, 0xce); put_be(m, u, 4); }
    else { put_byte(m, 0xcf); put_be(m, u, 8); }
  } else if (v >= -32) {
    put_byte(m, (unsigned char)(0xe0 | (v + 32)));
  } else if (v >= INT32_MIN) {
    put_byte(m, 0xd2);
    put_be(m, (uint32_t)(int32_t)v, 4);
  } else {
    put_byte(m, 0xd3);
    put_be(m, (uint64_t)v, 8);
  }
}

void husk_mp_bool(struct husk_mp *m, int v) { put_byte(m, v ? 0xc3 : 0xc2); }
void husk_mp_nil(struct husk_mp *m) { put_byte(m, 0xc0); }

void husk_mp_str_or_nil(struct husk_mp *m, const char *s) {
  if (s && *s) husk_mp_str(m, s);
  else husk_mp_nil(m);
}
