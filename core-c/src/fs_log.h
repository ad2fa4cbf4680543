/* The kernel's fs_context log: after a failed fsconfig/fsmount, read() on the fsopen fd
 * returns one message per call ("e overlayfs: ...", "w ...", "i ..."). These messages
 * say *why* (a bad lowerdir, a missing workdir), which the errno alone does not. */
#ifndef HUSK_FS_LOG_H
#define HUSK_FS_LOG_H

#include <stddef.h>

/* Append one raw log message (not NUL-terminated, `len` bytes) to `buf` (NUL-terminated,
 * capacity `cap`): only errors and warnings are kept, without the "e "/"w " prefix and
 * trailing newlines, joined with "; ". Truncates rather than overflows. Returns the new
 * length of buf. */
size_t husk_fs_log_append(char *buf, size_t cap, const char *msg, size_t len);

/* Drain every queued message from an fsopen fd into buf (which is reset first). */
size_t husk_fs_log_drain(int fs_fd, char *buf, size_t cap);

#endif
