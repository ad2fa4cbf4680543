/* One error convention for the whole C core.
 *
 * A fallible function takes `husk_error_t *err` as its last argument and returns a
 * negative value on failure (the negated errno where there is one). The error struct
 * carries the errno, the stage that failed, the path or object involved, and a message
 * that names the operation. Call sites read `if (ret < 0) return ret;`. */
#ifndef HUSK_ERROR_H
#define HUSK_ERROR_H

#include <stddef.h>

#define HUSK_ERR_PATH_MAX 256
#define HUSK_ERR_MSG_MAX 512

typedef struct husk_error {
  int errnum;                   /* errno value, 0 when the failure is not a syscall's */
  int stage;                    /* enum husk_stage, see stage.h */
  char path[HUSK_ERR_PATH_MAX]; /* file, path or object the failure is about ("" if none) */
  char msg[HUSK_ERR_MSG_MAX];   /* what failed, e.g. "mount proc" */
} husk_error_t;

/* Record an error and return -errnum (or -EINVAL when errnum is 0). */
int husk_fail(husk_error_t *err, int errnum, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Same, taking errno at the call. */
#define husk_fail_errno(err, path, ...) husk_fail((err), errno, (path), __VA_ARGS__)

/* Symbolic errno name ("ENOENT"); "E?" for unknown values. */
const char *husk_errno_name(int errnum);

void husk_error_clear(husk_error_t *err);

#endif
