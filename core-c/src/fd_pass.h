/* Handing a file descriptor to another process over a unix socket (SCM_RIGHTS), with a
 * few bytes of payload: the pty master goes to --console-socket with its name, and a
 * netlink socket opened inside a netns goes back to Bun. Like the wrappers in
 * syscalls.h these return -1 with errno set; callers word the error for their stage. */
#ifndef HUSK_FD_PASS_H
#define HUSK_FD_PASS_H

#include <stddef.h>
#include <sys/types.h>

/* Sends `fd` and `len` bytes of `data` (at least one byte: a stream peer must read
 * something). Retries on EINTR; never raises SIGPIPE. */
ssize_t husk_fd_send(int sock, int fd, const void *data, size_t len);

/* Receives up to `len` bytes into `buf` and the fd sent with them, if any, into *fd (-1
 * when the message carried none). `flags` go to recvmsg (MSG_CMSG_CLOEXEC, MSG_DONTWAIT).
 * Retries on EINTR. */
ssize_t husk_fd_recv(int sock, void *buf, size_t len, int flags, int *fd);

#endif
