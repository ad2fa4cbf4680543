#include "restart.h"

#include <errno.h>

#include "../stage.h"
#include "monitor_plan.h"

uint64_t husk_backoff_ms(unsigned quick_failures) {
  uint64_t d = HUSK_BACKOFF_FIRST_MS;
  for (unsigned i = 0; i < quick_failures && d < HUSK_BACKOFF_MAX_MS; i++) d *= 2;
  return d > HUSK_BACKOFF_MAX_MS ? HUSK_BACKOFF_MAX_MS : d;
}

int husk_restart_wanted(uint64_t policy, uint64_t max_retries, int exit_code, unsigned restarts, int stopped) {
  if (stopped) return 0;
  switch (policy) {
    case RESTART_ON_FAILURE: return exit_code != 0 && (max_retries == 0 || restarts < max_retries);
    case RESTART_ALWAYS:
    case RESTART_UNLESS_STOPPED: return 1;
    default: return 0;
  }
}

int husk_start_failure_code(int stage, int errnum) {
  if (stage != ST_EXEC) return 125;
  if (errnum == ENOENT) return 127;
  if (errnum == EACCES || errnum == ENOEXEC || errnum == EPERM || errnum == EISDIR) return 126;
  return 125;
}
