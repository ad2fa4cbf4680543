#include "stage.h"

static const char *const names[ST_COUNT] = {
  [ST_PLAN] = "plan",
  [ST_PREPARE] = "prepare",
  [ST_CLONE] = "clone",
  [ST_IDMAP] = "idmap",
  [ST_CGROUP] = "cgroup",
  [ST_JOIN_NS] = "join-namespace",
  [ST_HOSTNAME] = "hostname",
  [ST_MOUNTS] = "mounts",
  [ST_HOOKS_RUNTIME] = "hooks-runtime",
  [ST_HOOKS_CONTAINER] = "hooks-container",
  [ST_DEVICES] = "devices",
  [ST_PIVOT] = "pivot-root",
  [ST_PATHS] = "paths",
  [ST_SYSCTL] = "sysctl",
  [ST_CONSOLE] = "console",
  [ST_PROCESS] = "process",
  [ST_USER] = "user",
  [ST_CAPS] = "capabilities",
  [ST_SECCOMP] = "seccomp",
  [ST_EXEC_FIFO] = "exec-fifo",
  [ST_HOOKS_START] = "hooks-start",
  [ST_EXEC] = "exec",
  [ST_WAIT] = "wait",
};

const char *husk_stage_name(int stage) {
  if (stage < 0 || stage >= ST_COUNT || !names[stage]) return "unknown";
  return names[stage];
}
