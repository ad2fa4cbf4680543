#include "error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int husk_fail(husk_error_t *err, int errnum, const char *path, const char *fmt, ...) {
  if (err) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    va_end(ap);
    err->errnum = errnum;
    snprintf(err->path, sizeof(err->path), "%s", path ? path : "");
  }
  return errnum > 0 ? -errnum : -EINVAL;
}

void husk_error_clear(husk_error_t *err) { memset(err, 0, sizeof(*err)); }

const char *husk_errno_name(int e) {
  switch (e) {
#define N(x) case x: return #x;
    N(EPERM) N(ENOENT) N(ESRCH) N(EINTR) N(EIO) N(ENXIO) N(E2BIG) N(ENOEXEC) N(EBADF)
    N(ECHILD) N(EAGAIN) N(ENOMEM) N(EACCES) N(EFAULT) N(ENOTBLK) N(EBUSY) N(EEXIST)
    N(EXDEV) N(ENODEV) N(ENOTDIR) N(EISDIR) N(EINVAL) N(ENFILE) N(EMFILE) N(ENOTTY)
    N(ETXTBSY) N(EFBIG) N(ENOSPC) N(ESPIPE) N(EROFS) N(EMLINK) N(EPIPE) N(EDOM) N(ERANGE)
    N(EDEADLK) N(ENAMETOOLONG) N(ENOLCK) N(ENOSYS) N(ENOTEMPTY) N(ELOOP) N(ENOMSG)
    N(EIDRM) N(ENODATA) N(ETIME) N(EPROTO) N(EOVERFLOW) N(EILSEQ) N(EUSERS) N(ENOTSOCK)
    N(EMSGSIZE) N(EPROTOTYPE) N(ENOPROTOOPT) N(EPROTONOSUPPORT) N(EOPNOTSUPP)
    N(EAFNOSUPPORT) N(EADDRINUSE) N(EADDRNOTAVAIL) N(ENETDOWN) N(ENETUNREACH)
    N(ECONNABORTED) N(ECONNRESET) N(ENOBUFS) N(EISCONN) N(ENOTCONN) N(ETIMEDOUT)
    N(ECONNREFUSED) N(EHOSTUNREACH) N(EALREADY) N(EINPROGRESS) N(ESTALE) N(EDQUOT)
    N(ECANCELED) N(EOWNERDEAD) N(ENOTRECOVERABLE) N(ERFKILL) N(EHWPOISON) N(ENOMEDIUM)
    N(EMEDIUMTYPE) N(ENOKEY) N(EKEYEXPIRED) N(EKEYREVOKED) N(EKEYREJECTED)
#undef N
    default: return "E?";
  }
}
