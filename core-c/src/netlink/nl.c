/* rtnetlink requests: build, send, wait for the ACK, parse dumps. */
#include "nl.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_link.h>
#include <linux/veth.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cleanup.h"

int husk_nl_open(husk_error_t *err) {
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (fd < 0) return husk_fail_errno(err, "", "socket NETLINK_ROUTE");
  struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
  if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
    int ret = husk_fail_errno(err, "", "bind NETLINK_ROUTE");
    close(fd);
    return ret;
  }
  /* Ask for extended ACKs: the kernel then says which attribute it disliked. */
  int one = 1;
  setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
  return fd;
}

static void msg_init(struct husk_nlmsg *m, int type, int flags, const void *hdr, size_t hdrlen) {
  memset(m->buf, 0, NLMSG_SPACE(hdrlen));
  m->h.nlmsg_len = NLMSG_LENGTH(hdrlen);
  m->h.nlmsg_type = type;
  m->h.nlmsg_flags = NLM_F_REQUEST | flags;
  memcpy(NLMSG_DATA(&m->h), hdr, hdrlen);
}

int husk_nl_put(struct husk_nlmsg *m, unsigned short type, const void *data, size_t len) {
  size_t need = NLMSG_ALIGN(m->h.nlmsg_len) + RTA_SPACE(len);
  if (need > sizeof(m->buf)) return -EMSGSIZE;
  struct rtattr *a = (struct rtattr *)(m->buf + NLMSG_ALIGN(m->h.nlmsg_len));
  a->rta_type = type;
  a->rta_len = RTA_LENGTH(len);
  if (len) memcpy(RTA_DATA(a), data, len);
  m->h.nlmsg_len = need;
  return 0;
}

static int put_str(struct husk_nlmsg *m, unsigned short type, const char *s) {
  return husk_nl_put(m, type, s, strlen(s) + 1);
}
static int put_u32(struct husk_nlmsg *m, unsigned short type, uint32_t v) { return husk_nl_put(m, type, &v, 4); }

struct rtattr *husk_nl_nest_start(struct husk_nlmsg *m, unsigned short type) {
  struct rtattr *a = (struct rtattr *)(m->buf + NLMSG_ALIGN(m->h.nlmsg_len));
  if (husk_nl_put(m, type, NULL, 0) < 0) return NULL;
  return a;
}
void husk_nl_nest_end(struct husk_nlmsg *m, struct rtattr *nest) {
  nest->rta_len = (unsigned short)((m->buf + m->h.nlmsg_len) - (char *)nest);
}

static uint32_t next_seq(void) {
  static uint32_t seq;
  if (!seq) seq = (uint32_t)getpid() << 8;
  return ++seq;
}

/* Reads answers until the one for `seq` is an error/ACK (or, with reply, the data). */
int husk_nl_talk(int fd, struct husk_nlmsg *m, struct husk_nlmsg *reply, husk_error_t *err) {
  uint32_t seq = next_seq();
  m->h.nlmsg_seq = seq;
  if (!reply) m->h.nlmsg_flags |= NLM_F_ACK;
  struct sockaddr_nl to = {.nl_family = AF_NETLINK};
  ssize_t n;
  do n = sendto(fd, m->buf, m->h.nlmsg_len, 0, (struct sockaddr *)&to, sizeof(to));
  while (n < 0 && errno == EINTR);
  if (n < 0) return husk_fail_errno(err, "", "netlink send");
  static char rbuf[32768];
  for (;;) {
    do n = recv(fd, rbuf, sizeof(rbuf), 0);
    while (n < 0 && errno == EINTR);
    if (n < 0) return husk_fail_errno(err, "", "netlink recv");
    for (struct nlmsghdr *h = (struct nlmsghdr *)rbuf; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
      if (h->nlmsg_seq != seq) continue;
      if (h->nlmsg_type == NLMSG_ERROR) {
        struct nlmsgerr *e = NLMSG_DATA(h);
        if (e->error == 0) return 0;
        errno = -e->error;
        return -(-e->error);
      }
      if (reply && h->nlmsg_len <= sizeof(reply->buf)) {
        memcpy(reply->buf, h, h->nlmsg_len);
        return 0;
      }
    }
  }
}

/* Dump: every message of a multipart answer goes to cb until NLMSG_DONE. */
static int nl_dump(int fd, struct husk_nlmsg *m, int (*cb)(struct nlmsghdr *, void *), void *data, husk_error_t *err) {
  uint32_t seq = next_seq();
  m->h.nlmsg_seq = seq;
  m->h.nlmsg_flags |= NLM_F_DUMP;
  struct sockaddr_nl to = {.nl_family = AF_NETLINK};
  if (sendto(fd, m->buf, m->h.nlmsg_len, 0, (struct sockaddr *)&to, sizeof(to)) < 0)
    return husk_fail_errno(err, "", "netlink send (dump)");
  static char rbuf[65536];
  int stop = 0;
  for (;;) {
    ssize_t n;
    do n = recv(fd, rbuf, sizeof(rbuf), 0);
    while (n < 0 && errno == EINTR);
    if (n < 0) return husk_fail_errno(err, "", "netlink recv (dump)");
    for (struct nlmsghdr *h = (struct nlmsghdr *)rbuf; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
      if (h->nlmsg_seq != seq) continue;
      if (h->nlmsg_type == NLMSG_DONE) return 0;
      if (h->nlmsg_type == NLMSG_ERROR) {
        struct nlmsgerr *e = NLMSG_DATA(h);
        return husk_fail(err, -e->error, "", "netlink dump");
      }
      /* Keep reading to NLMSG_DONE even after cb asked to stop, so the socket stays in sync. */
      if (!stop && cb(h, data) < 0) stop = 1;
    }
  }
}

int husk_parse_mac(const char *text, unsigned char out[6]) {
  unsigned v[6];
  char tail;
  if (sscanf(text, "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &tail) != 6) return -EINVAL;
  for (int i = 0; i < 6; i++) out[i] = (unsigned char)v[i];
  return 0;
}

static int link_index(int fd, const char *name, husk_error_t *err) {
  struct husk_link l;
  int ret = husk_link_get(fd, name, &l, err);
  return ret < 0 ? ret : l.index;
}

int husk_link_add(int fd, const struct husk_link_spec *s, husk_error_t *err) {
  struct husk_nlmsg m;
  struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC};
  msg_init(&m, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, &ifi, sizeof(ifi));
  int r = put_str(&m, IFLA_IFNAME, s->name);
  if (s->mtu > 0) r |= put_u32(&m, IFLA_MTU, (uint32_t)s->mtu);
  if (s->master > 0) r |= put_u32(&m, IFLA_MASTER, (uint32_t)s->master);
  if (s->netns_fd >= 0) r |= put_u32(&m, IFLA_NET_NS_FD, (uint32_t)s->netns_fd);
  struct rtattr *li = husk_nl_nest_start(&m, IFLA_LINKINFO);
  r |= li ? put_str(&m, IFLA_INFO_KIND, s->kind) : -1;
  if (li && strcmp(s->kind, "veth") == 0) {
    struct rtattr *data = husk_nl_nest_start(&m, IFLA_INFO_DATA);
    struct rtattr *peer = data ? husk_nl_nest_start(&m, VETH_INFO_PEER) : NULL;
    struct ifinfomsg pifi = {.ifi_family = AF_UNSPEC};
    /* The peer's body starts with its own ifinfomsg, then its attributes. */
    if (peer && NLMSG_ALIGN(m.h.nlmsg_len) + sizeof(pifi) <= sizeof(m.buf)) {
      memcpy(m.buf + m.h.nlmsg_len, &pifi, sizeof(pifi));
      m.h.nlmsg_len += NLMSG_ALIGN(sizeof(pifi));
      if (s->peer_name) r |= put_str(&m, IFLA_IFNAME, s->peer_name);
      if (s->mtu > 0) r |= put_u32(&m, IFLA_MTU, (uint32_t)s->mtu);
      if (s->peer_netns_fd >= 0) r |= put_u32(&m, IFLA_NET_NS_FD, (uint32_t)s->peer_netns_fd);
      if (s->peer_mac) r |= husk_nl_put(&m, IFLA_ADDRESS, s->peer_mac, 6);
      husk_nl_nest_end(&m, peer);
      husk_nl_nest_end(&m, data);
    } else {
      r = -1;
    }
  }
  if (li) husk_nl_nest_end(&m, li);
  if (r < 0) return husk_fail(err, EMSGSIZE, s->name, "netlink message for link %s too large", s->name);
  int ret = husk_nl_talk(fd, &m, NULL, err);
  if (ret < 0)
    return husk_fail(err, -ret, s->name, "create %s link %s%s%s", s->kind, s->name, s->peer_name ? " peer " : "",
                     s->peer_name ? s->peer_name : "");
  return 0;
}

int husk_link_change(int fd, const char *name, const struct husk_link_change *ch, husk_error_t *err) {
  int index = link_index(fd, name, err);
  if (index < 0) return index;
  struct husk_nlmsg m;
  struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC, .ifi_index = index};
  if (ch->up >= 0) {
    ifi.ifi_change = IFF_UP;
    ifi.ifi_flags = ch->up ? IFF_UP : 0;
  }
  msg_init(&m, RTM_NEWLINK, 0, &ifi, sizeof(ifi));
  int r = 0;
  if (ch->mtu > 0) r |= put_u32(&m, IFLA_MTU, (uint32_t)ch->mtu);
  if (ch->master >= 0) r |= put_u32(&m, IFLA_MASTER, (uint32_t)ch->master);
  if (ch->netns_fd >= 0) r |= put_u32(&m, IFLA_NET_NS_FD, (uint32_t)ch->netns_fd);
  if (ch->new_name) r |= put_str(&m, IFLA_IFNAME, ch->new_name);
  if (r < 0) return husk_fail(err, EMSGSIZE, name, "netlink message too large");
  int ret = husk_nl_talk(fd, &m, NULL, err);
  if (ret < 0) {
    const char *what = ch->netns_fd >= 0 ? "move link to netns" : ch->master >= 0 ? "set master of link"
                       : ch->mtu > 0 ? "set mtu of link" : ch->new_name ? "rename link" : ch->up ? "set link up" : "set link down";
    return husk_fail(err, -ret, name, "%s %s", what, name);
  }
  return 0;
}

int husk_link_del(int fd, const char *name, husk_error_t *err) {
  struct husk_nlmsg m;
  struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC};
  msg_init(&m, RTM_DELLINK, 0, &ifi, sizeof(ifi));
  put_str(&m, IFLA_IFNAME, name);
  int ret = husk_nl_talk(fd, &m, NULL, err);
  if (ret < 0) return husk_fail(err, -ret, name, "delete link %s", name);
  return 0;
}

static void parse_link(struct nlmsghdr *h, struct husk_link *out) {
  memset(out, 0, sizeof(*out));
  struct ifinfomsg *ifi = NLMSG_DATA(h);
  out->index = ifi->ifi_index;
  out->flags = ifi->ifi_flags;
  int len = (int)IFLA_PAYLOAD(h);
  for (struct rtattr *a = IFLA_RTA(ifi); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
    switch (a->rta_type) {
      case IFLA_IFNAME: snprintf(out->name, sizeof(out->name), "%s", (char *)RTA_DATA(a)); break;
      case IFLA_MTU: out->mtu = (int)*(uint32_t *)RTA_DATA(a); break;
      case IFLA_MASTER: out->master = (int)*(uint32_t *)RTA_DATA(a); break;
      case IFLA_ADDRESS:
        if (RTA_PAYLOAD(a) == 6) {
          memcpy(out->mac, RTA_DATA(a), 6);
          out->has_mac = 1;
        }
        break;
      case IFLA_LINKINFO: {
        int l2 = (int)RTA_PAYLOAD(a);
        for (struct rtattr *b = RTA_DATA(a); RTA_OK(b, l2); b = RTA_NEXT(b, l2))
          if (b->rta_type == IFLA_INFO_KIND) snprintf(out->kind, sizeof(out->kind), "%s", (char *)RTA_DATA(b));
        break;
      }
    }
  }
}

int husk_link_get(int fd, const char *name, struct husk_link *out, husk_error_t *err) {
  struct husk_nlmsg m, reply;
  struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC};
  msg_init(&m, RTM_GETLINK, 0, &ifi, sizeof(ifi));
  if (strlen(name) >= IFNAMSIZ) return husk_fail(err, EINVAL, name, "link name %s longer than 15 characters", name);
  put_str(&m, IFLA_IFNAME, name);
  int ret = husk_nl_talk(fd, &m, &reply, err);
  if (ret == -ENODEV) return husk_fail(err, ENODEV, name, "no link named %s", name);
  if (ret < 0) return husk_fail(err, -ret, name, "get link %s", name);
  parse_link(&reply.h, out);
  return 0;
}

struct link_walk {
  int (*cb)(const struct husk_link *, void *);
  void *data;
};
static int link_walk_cb(struct nlmsghdr *h, void *data) {
  if (h->nlmsg_type != RTM_NEWLINK) return 0;
  struct link_walk *w = data;
  struct husk_link l;
  parse_link(h, &l);
  return w->cb(&l, w->data);
}

int husk_link_list(int fd, int (*cb)(const struct husk_link *, void *), void *data, husk_error_t *err) {
  struct husk_nlmsg m;
  struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC};
  msg_init(&m, RTM_GETLINK, 0, &ifi, sizeof(ifi));
  struct link_walk w = {cb, data};
  return nl_dump(fd, &m, link_walk_cb, &w, err);
}

static int parse_ip(const char *text, int *family, unsigned char *out) {
  if (inet_pton(AF_INET, text, out) == 1) { *family = AF_INET; return 4; }
  if (inet_pton(AF_INET6, text, out) == 1) { *family = AF_INET6; return 16; }
  return -EINVAL;
}

int husk_addr_add(int fd, const char *dev, const char *addr, int prefixlen, husk_error_t *err) {
  int index = link_index(fd, dev, err);
  if (index < 0) return index;
  unsigned char bin[16];
  int family;
  int alen = parse_ip(addr, &family, bin);
  if (alen < 0) return husk_fail(err, EINVAL, addr, "not an IP address: %s", addr);
  struct husk_nlmsg m;
  struct ifaddrmsg ifa = {.ifa_family = (unsigned char)family, .ifa_prefixlen = (unsigned char)prefixlen,
                          .ifa_index = (unsigned)index};
  msg_init(&m, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, &ifa, sizeof(ifa));
  husk_nl_put(&m, IFA_LOCAL, bin, (size_t)alen);
  husk_nl_put(&m, IFA_ADDRESS, bin, (size_t)alen);
  if (family == AF_INET6) put_u32(&m, IFA_FLAGS, IFA_F_NODAD); /* usable at once, no 1-2 s DAD wait */
  int ret = husk_nl_talk(fd, &m, NULL, err);
  if (ret < 0) return husk_fail(err, -ret, dev, "add address %s/%d to %s", addr, prefixlen, dev);
  return 0;
}

struct addr_walk {
  int index;
  int (*cb)(const struct husk_addr *, void *);
  void *data;
};
static int addr_walk_cb(struct nlmsghdr *h, void *data) {
  if (h->nlmsg_type != RTM_NEWADDR) return 0;
  struct addr_walk *w = data;
  struct ifaddrmsg *ifa = NLMSG_DATA(h);
  if (w->index > 0 && (int)ifa->ifa_index != w->index) return 0;
  struct husk_addr a = {.family = ifa->ifa_family, .prefixlen = ifa->ifa_prefixlen, .index = (int)ifa->ifa_index};
  int len = (int)IFA_PAYLOAD(h);
  int have = 0;
  for (struct rtattr *r = IFA_RTA(ifa); RTA_OK(r, len); r = RTA_NEXT(r, len)) {
    /* IFA_LOCAL is the interface's own address on point-to-point links; prefer it. */
    if ((r->rta_type == IFA_LOCAL || (r->rta_type == IFA_ADDRESS && !have)) && RTA_PAYLOAD(r) <= 16) {
      memcpy(a.addr, RTA_DATA(r), RTA_PAYLOAD(r));
      have = 1;
    }
  }
  return have ? w->cb(&a, w->data) : 0;
}

int husk_addr_list(int fd, int index, int (*cb)(const struct husk_addr *, void *), void *data, husk_error_t *err) {
  struct husk_nlmsg m;
  struct ifaddrmsg ifa = {.ifa_family = AF_UNSPEC};
  msg_init(&m, RTM_GETADDR, 0, &ifa, sizeof(ifa));
  struct addr_walk w = {index, cb, data};
  return nl_dump(fd, &m, addr_walk_cb, &w, err);
}

int husk_route_add(int fd, int family, const char *dst, int dst_len, const char *gateway, const char *dev,
                   husk_error_t *err) {
  struct rtmsg rt = {.rtm_family = (unsigned char)family, .rtm_table = RT_TABLE_MAIN, .rtm_protocol = RTPROT_BOOT,
                     .rtm_scope = gateway ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK, .rtm_type = RTN_UNICAST,
                     .rtm_dst_len = (unsigned char)(dst ? dst_len : 0)};
  struct husk_nlmsg m;
  msg_init(&m, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, &rt, sizeof(rt));
  unsigned char bin[16];
  int fam;
  if (dst) {
    int alen = parse_ip(dst, &fam, bin);
    if (alen < 0 || fam != family) return husk_fail(err, EINVAL, dst, "bad route destination %s", dst);
    husk_nl_put(&m, RTA_DST, bin, (size_t)alen);
  }
  if (gateway) {
    int alen = parse_ip(gateway, &fam, bin);
    if (alen < 0 || fam != family) return husk_fail(err, EINVAL, gateway, "bad gateway %s", gateway);
    husk_nl_put(&m, RTA_GATEWAY, bin, (size_t)alen);
  }
  if (dev) {
    int index = link_index(fd, dev, err);
    if (index < 0) return index;
    put_u32(&m, RTA_OIF, (uint32_t)index);
  }
  int ret = husk_nl_talk(fd, &m, NULL, err);
  if (ret < 0)
    return husk_fail(err, -ret, dev ? dev : "", "add route %s/%d via %s", dst ? dst : "default", dst ? dst_len : 0,
                     gateway ? gateway : "(link)");
  return 0;
}

int husk_link_set_inet_conf(int fd, const char *dev, int conf_id, int value, husk_error_t *err) {
  int index = link_index(fd, dev, err);
  if (index < 0) return index;
  struct husk_nlmsg m;
  struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC, .ifi_index = index};
  msg_init(&m, RTM_NEWLINK, 0, &ifi, sizeof(ifi));
  struct rtattr *spec = husk_nl_nest_start(&m, IFLA_AF_SPEC);
  struct rtattr *inet = husk_nl_nest_start(&m, AF_INET);
  struct rtattr *conf = husk_nl_nest_start(&m, IFLA_INET_CONF);
  /* IFLA_INET_CONF entries are indexed by IPV4_DEVCONF_* (1-based). */
  husk_nl_put(&m, (unsigned short)conf_id, &value, 4);
  husk_nl_nest_end(&m, conf);
  husk_nl_nest_end(&m, inet);
  husk_nl_nest_end(&m, spec);
  int ret = husk_nl_talk(fd, &m, NULL, err);
  if (ret < 0) return husk_fail(err, -ret, dev, "set ipv4 devconf %d=%d on %s", conf_id, value, dev);
  return 0;
}
