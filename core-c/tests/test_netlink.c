/* rtnetlink message building, and (as root, in a private netns made by `unshare`-free
 * means: a fresh NETLINK socket in our own netns only for read-only calls) a link dump. */
#include <errno.h>
#include <linux/if_link.h>
#include <string.h>
#include <unistd.h>

#include "netlink/nl.h"
#include "tap.h"

static int count_links(const struct husk_link *l, void *data) {
  (*(int *)data)++;
  return 0;
}

int main(void) {
  struct husk_nlmsg m;
  memset(&m, 0, sizeof(m));
  m.h.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg));
  ok(husk_nl_put(&m, IFLA_IFNAME, "eth0", 5) == 0, "put an attribute");
  ok(m.h.nlmsg_len == NLMSG_LENGTH(sizeof(struct ifinfomsg)) + RTA_SPACE(5), "length grows by the aligned attribute");
  struct rtattr *nest = husk_nl_nest_start(&m, IFLA_LINKINFO);
  ok(nest != NULL, "nest starts");
  husk_nl_put(&m, IFLA_INFO_KIND, "veth", 5);
  husk_nl_nest_end(&m, nest);
  ok(nest->rta_len == RTA_LENGTH(0) + RTA_SPACE(5), "nest length covers its children");
  int full = 0;
  char big[1024] = {0};
  for (int i = 0; i < 20 && !full; i++) full = husk_nl_put(&m, IFLA_IFALIAS, big, sizeof(big)) < 0;
  ok(full, "a full buffer is refused, not overrun");

  husk_error_t err;
  husk_error_clear(&err);
  int fd = husk_nl_open(&err);
  ok(fd >= 0, "NETLINK_ROUTE socket opens");
  if (fd >= 0) {
    struct husk_link lo;
    ok(husk_link_get(fd, "lo", &lo, &err) == 0 && lo.index == 1, "lo is link 1");
    ok(husk_link_get(fd, "husk-nope0", &lo, &err) == -ENODEV, "a missing link is ENODEV");
    ok(strstr(err.msg, "husk-nope0") != NULL, "the error names the link: %s", err.msg);
    int n = 0;
    ok(husk_link_list(fd, count_links, &n, &err) == 0 && n >= 1, "dump lists %d links", n);
    ok(husk_link_get(fd, "a-name-that-is-far-too-long", &lo, &err) == -EINVAL, "over-long names are refused");
    close(fd);
  }
  unsigned char mac[6];
  ok(husk_parse_mac("02:42:ac:1d:00:0a", mac) == 0 && mac[0] == 0x02 && mac[3] == 0x1d && mac[5] == 0x0a, "a MAC address parses");
  ok(husk_parse_mac("02:42:ac:1d:00", mac) == -EINVAL, "five octets are refused");
  ok(husk_parse_mac("02:42:ac:1d:00:0a:ff", mac) == -EINVAL, "seven octets are refused");
  return done_testing();
}
