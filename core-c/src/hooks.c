#include "hooks.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "stage.h"
#include "syscalls.h"

static const char *const phase_names[HOOK_PHASES] = {
  "prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop",
};

int husk_plan_has_hooks(const struct husk_plan *plan, int phase) {
  for (size_t i = 0; i < plan->n_hooks; i++)
    if ((int)plan->hooks[i].phase == phase) return 1;
  return 0;
}

static char *state_for(const struct husk_plan *plan, pid_t pid, const char *status) {
  const char *rest = plan->state_json && plan->state_json[0] == '{' ? plan->state_json + 1 : "}";
  size_t len = strlen(rest) + 96;
  char *s = malloc(len);
  if (!s) return NULL;
  snprintf(s, len, "{\"pid\":%d,\"status\":\"%s\"%s%s", (int)pid, status, strcmp(rest, "}") ? "," : "", rest);
  return s;
}

/* Wait for `child` for at most `timeout` seconds (0 = forever). Returns its wait status or <0. */
static int wait_with_timeout(pid_t child, uint64_t timeout, int *status) {
  if (!timeout) {
    while (waitpid(child, status, 0) < 0)
      if (errno != EINTR) return -1;
    return 0;
  }
  int pfd = husk_pidfd_open(child, 0);
  if (pfd >= 0) {
    struct pollfd p = {.fd = pfd, .events = POLLIN};
    int r;
    do r = poll(&p, 1, (int)(timeout * 1000));
    while (r < 0 && errno == EINTR);
    close(pfd);
    if (r == 0) { errno = ETIMEDOUT; return -1; }
    while (waitpid(child, status, 0) < 0)
      if (errno != EINTR) return -1;
    return 0;
  }
  /* No pidfd (old kernel): poll with short sleeps. */
  struct timespec slice = {0, 10 * 1000 * 1000};
  for (uint64_t waited = 0; waited < timeout * 100; waited++) {
    pid_t r = waitpid(child, status, WNOHANG);
    if (r == child) return 0;
    if (r < 0 && errno != EINTR) return -1;
    nanosleep(&slice, NULL);
  }
  errno = ETIMEDOUT;
  return -1;
}

static int run_one(const struct husk_hook *h, const char *state, husk_error_t *err) {
  int pipefd[2];
  if (pipe2(pipefd, O_CLOEXEC) < 0) return husk_fail_errno(err, h->path, "pipe for hook state");
  pid_t child = fork();
  if (child < 0) {
    close(pipefd[0]);
    close(pipefd[1]);
    return husk_fail_errno(err, h->path, "fork hook");
  }
  if (child == 0) {
    dup2(pipefd[0], 0);
    dup2(2, 1); /* hook output goes to the runtime's log (stderr) */
    char *fallback[] = {h->path, NULL};
    char *noenv[] = {NULL};
    execve(h->path, h->n_args ? h->args : fallback, h->n_env ? h->env : noenv);
    dprintf(2, "husk: hook %s: exec: %s\n", h->path, strerror(errno));
    _exit(127);
  }
  close(pipefd[0]);
  size_t len = strlen(state);
  const char *p = state;
  signal(SIGPIPE, SIG_IGN); /* a hook that ignores stdin must not kill us */
  while (len > 0) {
    ssize_t n = write(pipefd[1], p, len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    p += n;
    len -= (size_t)n;
  }
  close(pipefd[1]);
  int status = 0;
  if (wait_with_timeout(child, h->timeout, &status) < 0) {
    int e = errno;
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    if (e == ETIMEDOUT) return husk_fail(err, ETIMEDOUT, h->path, "hook timed out after %llus", (unsigned long long)h->timeout);
    return husk_fail(err, e, h->path, "wait for hook");
  }
  if (WIFSIGNALED(status)) return husk_fail(err, 0, h->path, "hook killed by signal %d", WTERMSIG(status));
  if (WEXITSTATUS(status) != 0) return husk_fail(err, 0, h->path, "hook exited with status %d", WEXITSTATUS(status));
  return 0;
}

int husk_run_hooks(const struct husk_plan *plan, int phase, pid_t pid, const char *status, husk_error_t *err) {
  if (!husk_plan_has_hooks(plan, phase)) return 0;
  cleanup_free char *state = state_for(plan, pid, status);
  if (!state) return husk_fail(err, ENOMEM, "", "allocate hook state");
  for (size_t i = 0; i < plan->n_hooks; i++) {
    const struct husk_hook *h = &plan->hooks[i];
    if ((int)h->phase != phase) continue;
    int ret = run_one(h, state, err);
    if (ret < 0) {
      char msg[HUSK_ERR_MSG_MAX + 64];
      snprintf(msg, sizeof(msg), "%s hook #%zu: %s", phase_names[phase], i, err->msg);
      snprintf(err->msg, sizeof(err->msg), "%.*s", (int)sizeof(err->msg) - 1, msg);
      return ret;
    }
  }
  return 0;
}
