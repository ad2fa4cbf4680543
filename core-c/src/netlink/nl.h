/* rtnetlink for husk: links (veth, bridge), addresses, routes. Every call takes the
 * NETLINK_ROUTE socket to use, so the same code works on the host's socket and on a
 * socket that husk-core opened inside a container's netns and passed back (the caller's
 * own namespaces never change). Errors follow error.h: negative errno + husk_error_t. */
#ifndef HUSK_NL_H
#define HUSK_NL_H

#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdint.h>

#include "error.h"

#define HUSK_NL_BUF 8192

/* A request under construction: header, family struct, attributes. */
struct husk_nlmsg {
  union {
    struct nlmsghdr h;
    char buf[HUSK_NL_BUF];
  };
};

struct husk_link {
  int index;
  char name[IFNAMSIZ];
  char kind[32];   /* "veth", "bridge", ... ("" for plain devices) */
  int mtu;
  int master;      /* index of the bridge it is enslaved to, 0 if none */
  unsigned flags;  /* IFF_UP, ... */
  unsigned char mac[6]; /* IFLA_ADDRESS of an Ethernet-like link */
  int has_mac;
};

struct husk_addr {
  int family;      /* AF_INET or AF_INET6 */
  int prefixlen;
  int index;
  unsigned char addr[16];
};

/* Link creation. name is required; the rest is optional (0, -1 or NULL = leave). */
struct husk_link_spec {
  const char *name;
  const char *kind;        /* "veth", "bridge", "dummy" */
  const char *peer_name;   /* veth only */
  int peer_netns_fd;       /* veth only: create the peer directly in this netns (-1: here) */
  const unsigned char *peer_mac; /* veth only: the peer's MAC address (6 bytes; NULL: random) */
  int mtu;                 /* 0: kernel default */
  int master;              /* bridge index to enslave to (0: none) */
  int netns_fd;            /* -1: here */
};

/* Changes to an existing link. */
struct husk_link_change {
  int up;                  /* 1 up, 0 down, -1 leave */
  int mtu;                 /* 0 leave */
  int master;              /* -1 leave, 0 release, >0 enslave */
  int netns_fd;            /* -1 leave */
  const char *new_name;    /* NULL leave */
};

/* "02:42:ac:11:00:02" into 6 bytes; -EINVAL when malformed. */
int husk_parse_mac(const char *text, unsigned char out[6]);

/* Socket: opens NETLINK_ROUTE in the caller's netns (O_CLOEXEC). */
int husk_nl_open(husk_error_t *err);

/* Attribute helpers (exposed for the unit tests). Return <0 when the buffer is full. */
int husk_nl_put(struct husk_nlmsg *m, unsigned short type, const void *data, size_t len);
struct rtattr *husk_nl_nest_start(struct husk_nlmsg *m, unsigned short type);
void husk_nl_nest_end(struct husk_nlmsg *m, struct rtattr *nest);

/* Send one request and wait for its ACK (or the single answer, copied into reply). */
int husk_nl_talk(int fd, struct husk_nlmsg *m, struct husk_nlmsg *reply, husk_error_t *err);

int husk_link_add(int fd, const struct husk_link_spec *spec, husk_error_t *err);
int husk_link_change(int fd, const char *name, const struct husk_link_change *ch, husk_error_t *err);
int husk_link_del(int fd, const char *name, husk_error_t *err);
/* 0 and *out filled, or -ENODEV when there is no such link. */
int husk_link_get(int fd, const char *name, struct husk_link *out, husk_error_t *err);
/* Calls cb for every link; cb returning <0 stops the walk. */
int husk_link_list(int fd, int (*cb)(const struct husk_link *, void *), void *data, husk_error_t *err);

/* addr: text form ("10.88.0.2", "fd00::2"). */
int husk_addr_add(int fd, const char *dev, const char *addr, int prefixlen, husk_error_t *err);
int husk_addr_list(int fd, int index, int (*cb)(const struct husk_addr *, void *), void *data, husk_error_t *err);
/* dst NULL = default route; gateway NULL = on-link through dev. */
int husk_route_add(int fd, int family, const char *dst, int dst_len, const char *gateway, const char *dev,
                   husk_error_t *err);
/* Per-device IPv4/IPv6 forwarding and IPv4 route_localnet (IFLA_AF_SPEC devconf). */
int husk_link_set_inet_conf(int fd, const char *dev, int conf_id, int value, husk_error_t *err);

#endif
