/* husk-core: the only husk process that forks. Bun starts it with a plan on a pipe.
 *
 *   husk-core create --plan-fd N --result-fd M      create / run / exec (from the plan)
 *   husk-core hooks  --plan-fd N --result-fd M --phase P --pid PID --status S
 *   husk-core monitor --plan-fd N --result-fd M     watch one detached container (monitor/)
 *   husk-core netns add|del PATH [--result-fd M]    a network namespace kept on PATH
 *   husk-core idmap-overlay ... TARGET              a snapshot over idmapped layers (idmap_overlay.h)
 *   husk-core --version
 *   husk-core netlink-socket|netns-exec|netns-sysctl ...   (netns_tools.h)
 *
 * It never prints to stdout or stderr on its own behalf (those belong to the container);
 * everything goes to the result fd as JSON lines (result.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "create.h"
#include "idmap_overlay.h"
#include "monitor/monitor.h"
#include "netns.h"
#include "netns_tools.h"
#include "plan.h"
#include "result.h"
#include "stage.h"

#ifndef HUSK_CORE_VERSION
#define HUSK_CORE_VERSION "0.1.0"
#endif

static int arg_int(int argc, char **argv, const char *name, int def) {
  for (int i = 2; i + 1 < argc; i++)
    if (strcmp(argv[i], name) == 0) return atoi(argv[i + 1]);
  return def;
}
static const char *arg_str(int argc, char **argv, const char *name, const char *def) {
  for (int i = 2; i + 1 < argc; i++)
    if (strcmp(argv[i], name) == 0) return argv[i + 1];
  return def;
}

/* netns add|del PATH: no plan; the error goes to --result-fd when given, else stderr. */
static int netns_mode(int argc, char **argv) {
  int result_fd = arg_int(argc, argv, "--result-fd", -1);
  if (argc < 4 || (strcmp(argv[2], "add") != 0 && strcmp(argv[2], "del") != 0) || argv[3][0] != '/') {
    fprintf(stderr, "husk-core: usage: netns add|del ABSOLUTE-PATH [--result-fd N] [--sock-fd N (add: send a netlink socket of the new netns)]\n");
    return 2;
  }
  husk_error_t err;
  husk_error_clear(&err);
  err.stage = ST_PREPARE;
  int sock_fd = arg_int(argc, argv, "--sock-fd", -1);
  int ret = strcmp(argv[2], "add") == 0 ? husk_netns_add_with_netlink(argv[3], sock_fd, &err) : husk_netns_del(argv[3], &err);
  if (ret == 0) return 0;
  if (result_fd >= 0) {
    husk_result_init(result_fd);
    husk_result_error(&err);
  } else {
    fprintf(stderr, "husk-core: netns %s: %s %s: %s\n", argv[2], err.msg, err.path, husk_errno_name(err.errnum));
  }
  return 1;
}

/* The netns helper modes take no plan; a failure is one line on stderr. */
static int netns_tool_main(int argc, char **argv) {
  husk_error_t err;
  husk_error_clear(&err);
  const char *netns = arg_str(argc, argv, "--netns", NULL);
  int ret;
  if (strcmp(argv[1], "netlink-socket") == 0) {
    ret = husk_netlink_socket_mode(netns, arg_int(argc, argv, "--sock-fd", -1), &err);
  } else if (strcmp(argv[1], "netns-exec") == 0) {
    int i = 2;
    while (i < argc && strcmp(argv[i], "--") != 0) i++;
    ret = husk_netns_exec_mode(netns, i + 1 < argc ? argv + i + 1 : NULL, &err);
  } else if (strcmp(argv[1], "netns-sysctl") == 0) {
    int i = 2;
    if (i < argc && strcmp(argv[i], "--netns") == 0) i += 2;
    ret = husk_netns_sysctl_mode(netns, i < argc ? argv[i] : NULL, i + 1 < argc ? argv[i + 1] : NULL, &err);
  } else {
    ret = husk_fail(&err, EINVAL, argv[1], "unknown mode");
  }
  if (ret < 0) {
    fprintf(stderr, "husk-core %s: %s%s%s: %s\n", argv[1], err.msg, err.path[0] && !strstr(err.msg, err.path) ? " " : "",
            err.path[0] && !strstr(err.msg, err.path) ? err.path : "", husk_errno_name(err.errnum));
    return 1;
  }
  return 0;
}

int main(int argc, char **argv) {
  /* Run from a memfd, our comm would be the fd number: name ourselves for ps and top. */
  prctl(PR_SET_NAME, "husk-core", 0, 0, 0);
  if (argc < 2) {
    fprintf(stderr, "husk-core: internal helper of husk; not meant to be run by hand\n");
    return 2;
  }
  if (strcmp(argv[1], "--version") == 0) {
    printf("husk-core %s plan-version %d\n", HUSK_CORE_VERSION, HUSK_PLAN_VERSION);
    return 0;
  }
  if (strcmp(argv[1], "netns") == 0) return netns_mode(argc, argv);
  if (strcmp(argv[1], "idmap-overlay") == 0) return husk_idmap_overlay_main(argc, argv);
  if (strcmp(argv[1], "netlink-socket") == 0 || strcmp(argv[1], "netns-exec") == 0 ||
      strcmp(argv[1], "netns-sysctl") == 0)
    return netns_tool_main(argc, argv);
  int plan_fd = arg_int(argc, argv, "--plan-fd", -1);
  int result_fd = arg_int(argc, argv, "--result-fd", -1);
  if (plan_fd < 0 || result_fd < 0) {
    fprintf(stderr, "husk-core: --plan-fd and --result-fd are required\n");
    return 2;
  }
  /* Neither pipe may leak into the container. */
  fcntl(plan_fd, F_SETFD, FD_CLOEXEC);
  fcntl(result_fd, F_SETFD, FD_CLOEXEC);
  husk_result_init(result_fd);
  husk_trace("start");

  husk_error_t err;
  husk_error_clear(&err);
  struct husk_plan plan;
  int ret = husk_plan_read_fd(plan_fd, &plan, &err);
  close(plan_fd);
  husk_trace("plan read");
  if (ret < 0) {
    err.stage = ST_PLAN;
    husk_result_error(&err);
    return 1;
  }
  if (strcmp(argv[1], "create") == 0) {
    ret = husk_create(&plan, &err);
  } else if (strcmp(argv[1], "monitor") == 0) {
    ret = husk_monitor_mode(&plan, &err);
  } else if (strcmp(argv[1], "hooks") == 0) {
    ret = husk_hooks_mode(&plan, arg_int(argc, argv, "--phase", -1), arg_int(argc, argv, "--pid", 0),
                          arg_str(argc, argv, "--status", "running"), &err);
  } else {
    husk_fail(&err, EINVAL, argv[1], "unknown mode");
    ret = -EINVAL;
  }
  if (ret < 0) {
    husk_result_error(&err);
    return 1;
  }
  return 0;
}
