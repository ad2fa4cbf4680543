/* husk-core modes that work inside another network namespace on behalf of Bun, which
 * never changes its own namespaces:
 *   netlink-socket --netns PATH --sock-fd N   open NETLINK_ROUTE inside PATH, send it back
 *                                             over the unix socket N (SCM_RIGHTS)
 *   netns-exec --netns PATH -- PROG ARGS...   exec PROG inside PATH (nft, for firewall rules
 *                                             of a network whose host side is not ours)
 *   netns-sysctl --netns PATH KEY VALUE       write /proc/sys/KEY inside PATH (KEY uses
 *                                             slashes: net/ipv4/ip_forward)
 * husk-core is single-threaded, so setns(CLONE_NEWNET) on itself is safe. */
#ifndef HUSK_NETNS_TOOLS_H
#define HUSK_NETNS_TOOLS_H

#include "error.h"

int husk_netns_enter(const char *path, husk_error_t *err);
int husk_send_fd(int sock, int fd, husk_error_t *err);
int husk_netlink_socket_mode(const char *netns, int sock_fd, husk_error_t *err);
int husk_netns_exec_mode(const char *netns, char **argv, husk_error_t *err);
int husk_netns_sysctl_mode(const char *netns, const char *key, const char *value, husk_error_t *err);

#endif
