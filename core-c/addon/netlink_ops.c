/* rtnetlink for JavaScript (src/network/netlink.ts). Every function takes the netlink
 * socket to use: the addon's own (nlOpen, in this process's netns) or one that husk-core
 * opened inside a container's netns and passed back (recvFd). Nothing here changes
 * namespaces. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cleanup.h"
#include "fd_pass.h"
#include "napi_util.h"
#include "netlink/nl.h"

static napi_value throw_err(napi_env env, const husk_error_t *err) {
  husk_napi_throw_errno(env, err->errnum ? err->errnum : EINVAL, err->msg, NULL);
  return NULL;
}

/* Optional object properties: absent or undefined/null leaves *out as is. */
static int prop_int(napi_env env, napi_value obj, const char *key, int *out) {
  bool has = false;
  napi_has_named_property(env, obj, key, &has);
  if (!has) return 0;
  napi_value v;
  napi_valuetype t;
  napi_get_named_property(env, obj, key, &v);
  napi_typeof(env, v, &t);
  if (t == napi_undefined || t == napi_null) return 0;
  if (t == napi_boolean) {
    bool b;
    napi_get_value_bool(env, v, &b);
    *out = b;
    return 0;
  }
  int64_t i;
  if (husk_napi_arg_int(env, v, &i, key) < 0) return -1;
  *out = (int)i;
  return 0;
}
/* Returns a malloc'd string, NULL when absent; *bad set on a type error. */
static char *prop_str(napi_env env, napi_value obj, const char *key, int *bad) {
  bool has = false;
  napi_has_named_property(env, obj, key, &has);
  if (!has) return NULL;
  napi_value v;
  napi_valuetype t;
  napi_get_named_property(env, obj, key, &v);
  napi_typeof(env, v, &t);
  if (t == napi_undefined || t == napi_null) return NULL;
  char *s = husk_napi_arg_string(env, v, key);
  if (!s) *bad = 1;
  return s;
}

static int arg_fd(napi_env env, napi_value v, int *fd) {
  int64_t x;
  if (husk_napi_arg_int(env, v, &x, "fd") < 0) return -1;
  *fd = (int)x;
  return 0;
}

static napi_value js_nl_open(napi_env env, napi_callback_info info) {
  husk_error_t err;
  husk_error_clear(&err);
  int fd = husk_nl_open(&err);
  if (fd < 0) return throw_err(env, &err);
  return husk_napi_int(env, fd);
}

/* socketpair() -> [a, b]: AF_UNIX datagram pair for passing an fd from husk-core. */
static napi_value js_socketpair(napi_env env, napi_callback_info info) {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv) < 0) {
    husk_napi_throw_errno(env, errno, "socketpair", NULL);
    return NULL;
  }
  return husk_napi_fd_pair(env, sv);
}

/* recvFd(sock) -> fd received with SCM_RIGHTS (O_CLOEXEC). Blocks until one arrives or
 * every writer has closed (ECONNRESET-like: throws ENODATA). */
static napi_value js_recv_fd(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  int sock;
  if (husk_napi_args(env, info, 1, argv, "recvFd(sock)") < 0 || arg_fd(env, argv[0], &sock) < 0) return NULL;
  char byte;
  int fd;
  if (husk_fd_recv(sock, &byte, 1, MSG_CMSG_CLOEXEC | MSG_DONTWAIT, &fd) < 0) {
    husk_napi_throw_errno(env, errno == EAGAIN ? ENODATA : errno, "recvmsg SCM_RIGHTS", NULL);
    return NULL;
  }
  if (fd < 0) {
    husk_napi_throw_errno(env, ENODATA, "recvmsg SCM_RIGHTS (no fd in message)", NULL);
    return NULL;
  }
  return husk_napi_int(env, fd);
}

static napi_value link_obj(napi_env env, const struct husk_link *l) {
  napi_value o;
  napi_create_object(env, &o);
  napi_set_named_property(env, o, "index", husk_napi_int(env, l->index));
  napi_set_named_property(env, o, "name", husk_napi_string(env, l->name));
  napi_set_named_property(env, o, "kind", husk_napi_string(env, l->kind));
  napi_set_named_property(env, o, "mtu", husk_napi_int(env, l->mtu));
  napi_set_named_property(env, o, "master", husk_napi_int(env, l->master));
  napi_set_named_property(env, o, "up", husk_napi_bool(env, (l->flags & IFF_UP) != 0));
  if (l->has_mac) {
    char mac[18];
    snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", l->mac[0], l->mac[1], l->mac[2], l->mac[3], l->mac[4], l->mac[5]);
    napi_set_named_property(env, o, "mac", husk_napi_string(env, mac));
  }
  return o;
}

static int master_index(int fd, const char *name, int *out, husk_error_t *err) {
  if (!name) return 0;
  if (!*name) { *out = 0; return 0; }
  struct husk_link l;
  int ret = husk_link_get(fd, name, &l, err);
  if (ret < 0) return ret;
  *out = l.index;
  return 0;
}

/* linkAdd(fd, {name, kind, peerName?, peerNetnsFd?, peerMac?, mtu?, master?, netnsFd?}) */
static napi_value js_link_add(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  int fd, bad = 0;
  if (husk_napi_args(env, info, 2, argv, "linkAdd(fd, spec)") < 0 || arg_fd(env, argv[0], &fd) < 0) return NULL;
  struct husk_link_spec s = {.peer_netns_fd = -1, .netns_fd = -1};
  cleanup_free char *name = prop_str(env, argv[1], "name", &bad), *kind = prop_str(env, argv[1], "kind", &bad);
  cleanup_free char *peer = prop_str(env, argv[1], "peerName", &bad), *master = prop_str(env, argv[1], "master", &bad);
  cleanup_free char *peer_mac = prop_str(env, argv[1], "peerMac", &bad);
  unsigned char mac[6];
  if (bad || prop_int(env, argv[1], "peerNetnsFd", &s.peer_netns_fd) < 0 || prop_int(env, argv[1], "mtu", &s.mtu) < 0 ||
      prop_int(env, argv[1], "netnsFd", &s.netns_fd) < 0)
    return NULL;
  if (!name || !kind) {
    napi_throw_type_error(env, NULL, "linkAdd: name and kind are required");
    return NULL;
  }
  s.name = name;
  s.kind = kind;
  s.peer_name = peer;
  if (peer_mac) {
    if (husk_parse_mac(peer_mac, mac) < 0) {
      napi_throw_type_error(env, NULL, "linkAdd: peerMac must look like 02:42:ac:11:00:02");
      return NULL;
    }
    s.peer_mac = mac;
  }
  husk_error_t err;
  husk_error_clear(&err);
  if (master_index(fd, master, &s.master, &err) < 0 || husk_link_add(fd, &s, &err) < 0) return throw_err(env, &err);
  return husk_napi_undefined(env);
}

/* linkChange(fd, name, {up?, mtu?, master? ("" releases), netnsFd?, newName?}) */
static napi_value js_link_change(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  int fd, bad = 0;
  if (husk_napi_args(env, info, 3, argv, "linkChange(fd, name, change)") < 0 || arg_fd(env, argv[0], &fd) < 0) return NULL;
  cleanup_free char *name = husk_napi_arg_string(env, argv[1], "name");
  if (!name) return NULL;
  struct husk_link_change ch = {.up = -1, .master = -1, .netns_fd = -1};
  cleanup_free char *master = prop_str(env, argv[2], "master", &bad), *new_name = prop_str(env, argv[2], "newName", &bad);
  if (bad || prop_int(env, argv[2], "up", &ch.up) < 0 || prop_int(env, argv[2], "mtu", &ch.mtu) < 0 ||
      prop_int(env, argv[2], "netnsFd", &ch.netns_fd) < 0)
    return NULL;
  ch.new_name = new_name;
  husk_error_t err;
  husk_error_clear(&err);
  if (master_index(fd, master, &ch.master, &err) < 0 || husk_link_change(fd, name, &ch, &err) < 0) return throw_err(env, &err);
  return husk_napi_undefined(env);
}

static napi_value js_link_del(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  int fd;
  if (husk_napi_args(env, info, 2, argv, "linkDel(fd, name)") < 0 || arg_fd(env, argv[0], &fd) < 0) return NULL;
  cleanup_free char *name = husk_napi_arg_string(env, argv[1], "name");
  if (!name) return NULL;
  husk_error_t err;
  husk_error_clear(&err);
  if (husk_link_del(fd, name, &err) < 0) return throw_err(env, &err);
  return husk_napi_undefined(env);
}

/* linkGet(fd, name) -> link or null */
static napi_value js_link_get(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  int fd;
  if (husk_napi_args(env, info, 2, argv, "linkGet(fd, name)") < 0 || arg_fd(env, argv[0], &fd) < 0) return NULL;
  cleanup_free char *name = husk_napi_arg_string(env, argv[1], "name");
  if (!name) return NULL;
  husk_error_t err;
  husk_error_clear(&err);
  struct husk_link l;
  int ret = husk_link_get(fd, name, &l, &err);
  if (ret == -ENODEV) return husk_napi_null(env);
  if (ret < 0) return throw_err(env, &err);
  return link_obj(env, &l);
}

struct collect {
  napi_env env;
  napi_value arr;
  uint32_t n;
};
static int collect_link(const struct husk_link *l, void *data) {
  struct collect *c = data;
  napi_set_element(c->env, c->arr, c->n++, link_obj(c->env, l));
  return 0;
}

static napi_value js_link_list(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  int fd;
  if (husk_napi_args(env, info, 1, argv, "linkList(fd)") < 0 || arg_fd(env, argv[0], &fd) < 0) return NULL;
  struct collect c = {env, NULL, 0};
  NAPI_CALL(env, napi_create_array(env, &c.arr));
  husk_error_t err;
  husk_error_clear(&err);
  if (husk_link_list(fd, collect_link, &c, &err) < 0) return throw_err(env, &err);
  return c.arr;
}

/* addrAdd(fd, dev, address, prefixlen) */
static napi_value js_addr_add(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  int fd;
  int64_t plen;
  if (husk_napi_args(env, info, 4, argv, "addrAdd(fd, dev, address, prefixlen)") < 0 || arg_fd(env, argv[0], &fd) < 0) return NULL;
  if (husk_napi_arg_int(env, argv[3], &plen, "prefixlen") < 0) return NULL;
  cleanup_free char *dev = husk_napi_arg_string(env, argv[1], "dev");
  if (!dev) return NULL;
  cleanup_free char *addr = husk_napi_arg_string(env, argv[2], "address");
  if (!addr) return NULL;
  husk_error_t err;
  husk_error_clear(&err);
  if (husk_addr_add(fd, dev, addr, (int)plen, &err) < 0) return throw_err(env, &err);
  return husk_napi_undefined(env);
}

static int collect_addr(const struct husk_addr *a, void *data) {
  struct collect *c = data;
  char text[INET6_ADDRSTRLEN];
  inet_ntop(a->family, a->addr, text, sizeof(text));
  napi_value o;
  napi_create_object(c->env, &o);
  napi_set_named_property(c->env, o, "family", husk_napi_int(c->env, a->family == AF_INET ? 4 : 6));
  napi_set_named_property(c->env, o, "address", husk_napi_string(c->env, text));
  napi_set_named_property(c->env, o, "prefixlen", husk_napi_int(c->env, a->prefixlen));
  napi_set_named_property(c->env, o, "index", husk_napi_int(c->env, a->index));
  napi_set_element(c->env, c->arr, c->n++, o);
  return 0;
}

/* addrList(fd, index) -> [{family, address, prefixlen, index}] (index 0: all links) */
static napi_value js_addr_list(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  int fd, index;
  if (husk_napi_args(env, info, 2, argv, "addrList(fd, index)") < 0 || arg_fd(env, argv[0], &fd) < 0 || arg_fd(env, argv[1], &index) < 0) return NULL;
  struct collect c = {env, NULL, 0};
  NAPI_CALL(env, napi_create_array(env, &c.arr));
  husk_error_t err;
  husk_error_clear(&err);
  if (husk_addr_list(fd, index, collect_addr, &c, &err) < 0) return throw_err(env, &err);
  return c.arr;
}

/* routeAdd(fd, {family: 4|6, dst?, dstLen?, gateway?, dev?}) */
static napi_value js_route_add(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  int fd, bad = 0, family = 4, dst_len = 0;
  if (husk_napi_args(env, info, 2, argv, "routeAdd(fd, route)") < 0 || arg_fd(env, argv[0], &fd) < 0) return NULL;
  cleanup_free char *dst = prop_str(env, argv[1], "dst", &bad), *gw = prop_str(env, argv[1], "gateway", &bad),
                    *dev = prop_str(env, argv[1], "dev", &bad);
  if (bad || prop_int(env, argv[1], "family", &family) < 0 || prop_int(env, argv[1], "dstLen", &dst_len) < 0) return NULL;
  husk_error_t err;
  husk_error_clear(&err);
  if (husk_route_add(fd, family == 6 ? AF_INET6 : AF_INET, dst, dst_len, gw, dev, &err) < 0) return throw_err(env, &err);
  return husk_napi_undefined(env);
}

/* inetConf(fd, dev, IPV4_DEVCONF id, value) */
static napi_value js_inet_conf(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  int fd, id, value;
  if (husk_napi_args(env, info, 4, argv, "inetConf(fd, dev, id, value)") < 0 || arg_fd(env, argv[0], &fd) < 0 || arg_fd(env, argv[2], &id) < 0 ||
      arg_fd(env, argv[3], &value) < 0)
    return NULL;
  cleanup_free char *dev = husk_napi_arg_string(env, argv[1], "dev");
  if (!dev) return NULL;
  husk_error_t err;
  husk_error_clear(&err);
  if (husk_link_set_inet_conf(fd, dev, id, value, &err) < 0) return throw_err(env, &err);
  return husk_napi_undefined(env);
}

void husk_addon_register_netlink(napi_env env, napi_value exports) {
  husk_napi_export(env, exports, "nlOpen", js_nl_open);
  husk_napi_export(env, exports, "socketpair", js_socketpair);
  husk_napi_export(env, exports, "recvFd", js_recv_fd);
  husk_napi_export(env, exports, "linkAdd", js_link_add);
  husk_napi_export(env, exports, "linkChange", js_link_change);
  husk_napi_export(env, exports, "linkDel", js_link_del);
  husk_napi_export(env, exports, "linkGet", js_link_get);
  husk_napi_export(env, exports, "linkList", js_link_list);
  husk_napi_export(env, exports, "addrAdd", js_addr_add);
  husk_napi_export(env, exports, "addrList", js_addr_list);
  husk_napi_export(env, exports, "routeAdd", js_route_add);
  husk_napi_export(env, exports, "inetConf", js_inet_conf);
}
