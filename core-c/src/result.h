/* Results that husk-core reports to Bun: one JSON object per line on the result fd.
 *   {"event":"created","pid":N}                 init is set up and waits (create / run -d)
 *   {"event":"started","pid":N}                 the user process has exec'd
 *   {"event":"exited","pid":N,"status":S,"signal":G}  it ended (foreground modes)
 *   {"event":"error","stage":"mounts","errno":"ENOENT","errnum":2,"path":"/x","message":"..."} */
#ifndef HUSK_RESULT_H
#define HUSK_RESULT_H

#include <sys/types.h>

#include "error.h"

void husk_result_init(int fd);
/* The container side must not hold the result pipe open (Bun waits for its EOF). */
void husk_result_close(void);
void husk_result_pid(const char *event, pid_t pid);
void husk_result_exit(pid_t pid, int status, int signal);
void husk_result_error(const husk_error_t *err);
/* HUSK_TRACE=1: print "husk-core-trace <ms since start> <what>" to stderr. */
void husk_trace(const char *what);
/* Write `s` as a JSON string literal (with quotes) into buf; returns bytes written. */
size_t husk_json_quote(char *buf, size_t cap, const char *s);

#endif
