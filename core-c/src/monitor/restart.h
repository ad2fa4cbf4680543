/* Restart policy and its back-off (docker's: 100 ms doubling up to 60 s, reset once a
 * run lasted 10 s), and the exit codes a failed start becomes. */
#ifndef HUSK_RESTART_H
#define HUSK_RESTART_H

#include <stdint.h>

#define HUSK_BACKOFF_FIRST_MS 100
#define HUSK_BACKOFF_MAX_MS 60000
#define HUSK_BACKOFF_RESET_MS 10000

/* Delay before the next start after `quick_failures` runs that each lasted < 10 s. */
uint64_t husk_backoff_ms(unsigned quick_failures);
/* Should a container that exited with `exit_code` start again? `restarts` counts the
 * restarts so far; `stopped` is an explicit stop (never restarted). */
int husk_restart_wanted(uint64_t policy, uint64_t max_retries, int exit_code, unsigned restarts, int stopped);
/* A start that failed at `stage` with `errnum` ends like docker's: 127 command not found,
 * 126 not executable, 125 anything else. */
int husk_start_failure_code(int stage, int errnum);

#endif
