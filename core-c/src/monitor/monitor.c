/* The monitor's event loop: one poll over the signalfd, the container's output (pipes or
 * the pty master), the attach socket and its clients, with the stop and restart timers
 * as the poll timeout. Single-threaded, no buffers beyond a few pages. */
#include "monitor.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "../cleanup.h"
#include "../create.h"
#include "../netns.h"
#include "../result.h"
#include "../stage.h"
#include "attach.h"
#include "cri_log.h"
#include "events.h"
#include "oom.h"
#include "restart.h"
#include "status.h"

enum run_state { RS_CREATED, RS_RUNNING, RS_RESTARTING, RS_EXITED };

struct monitor {
  struct husk_plan *plan;
  const struct husk_monitor_plan *mp;
  struct husk_launch launch;
  int out_fd[2];       /* read ends: stdout, stderr (the pty master is out_fd[0]) */
  int in_fd;           /* write end of the container's stdin (or the master), -1 */
  int tty;
  int listen_fd, sig_fd;
  struct husk_attach_client clients[HUSK_ATTACH_MAX_CLIENTS];
  struct husk_log log;
  struct husk_cri_splitter split[2];
  enum run_state state;
  int released, stop_requested, acked, result_open;
  uint64_t kill_at, restart_at; /* CLOCK_MONOTONIC ms, 0 = none */
  uint64_t run_began;
  unsigned quick_failures;
  uint64_t oom_base;
  struct husk_status st;
  struct husk_event_sink events;
};

#define HUSK_CLEANUP_WAIT_MS 30000

static struct monitor M;
static char io_buf[8192];

static uint64_t now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000 + (uint64_t)t.tv_nsec / 1000000;
}

static void save_status(void) {
  husk_error_t ignored;
  husk_status_write(M.mp->status_file, &M.st, &ignored);
}

static void emit(const char *action, const char *extra) { husk_event_emit(&M.events, action, extra); }

static void close_result(void) {
  if (M.result_open) husk_result_close();
  M.result_open = 0;
}

/* ---- output: log and attached clients ---- */

static void drop_client(struct husk_attach_client *c) {
  husk_close_fd(&c->fd);
  c->have = 0;
}

static void broadcast(uint8_t type, const void *data, uint32_t len) {
  for (int i = 0; i < HUSK_ATTACH_MAX_CLIENTS; i++) {
    struct husk_attach_client *c = &M.clients[i];
    if (c->fd >= 0 && husk_frame_send(c->fd, type, data, len) < 0) drop_client(c);
  }
}

static void log_stdout(void *ctx, int partial, const char *text, size_t len) { husk_log_write(ctx, "stdout", partial, text, len); }
static void log_stderr(void *ctx, int partial, const char *text, size_t len) { husk_log_write(ctx, "stderr", partial, text, len); }

/* Read once from stream i; returns 0 at EOF (or EIO: the pty's last slave closed). */
static int pump(int i) {
  ssize_t n = read(M.out_fd[i], io_buf, sizeof(io_buf));
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return 1;
  if (n <= 0) {
    husk_cri_flush(&M.split[i], i ? log_stderr : log_stdout, &M.log);
    if (M.tty && i == 0) M.in_fd = -1; /* the same fd */
    husk_close_fd(&M.out_fd[i]);
    return 0;
  }
  husk_cri_feed(&M.split[i], io_buf, (size_t)n, i ? log_stderr : log_stdout, &M.log);
  broadcast(i ? FRAME_STDERR : FRAME_STDOUT, io_buf, (uint32_t)n);
  return 1;
}

/* After the container exited: take what it left in the pipes, then let them go. */
static void drain_output(void) {
  for (int i = 0; i < 2; i++) {
    if (M.out_fd[i] < 0) continue;
    while (M.out_fd[i] >= 0) {
      ssize_t n = read(M.out_fd[i], io_buf, sizeof(io_buf));
      if (n > 0) {
        husk_cri_feed(&M.split[i], io_buf, (size_t)n, i ? log_stderr : log_stdout, &M.log);
        broadcast(i ? FRAME_STDERR : FRAME_STDOUT, io_buf, (uint32_t)n);
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      /* EAGAIN: someone outside the container still holds the pipe; stop here. */
      husk_cri_flush(&M.split[i], i ? log_stderr : log_stdout, &M.log);
      husk_close_fd(&M.out_fd[i]);
    }
  }
  if (M.tty) M.in_fd = -1; /* it was the master, closed above */
  husk_close_fd(&M.in_fd);
}

/* ---- starting the container ---- */

static void record_start_failure(const husk_error_t *err) {
  snprintf(M.st.error, sizeof(M.st.error), "%s: %.160s%s%.100s%s%s", husk_stage_name(err->stage), err->msg,
           err->path[0] && !strstr(err->msg, err->path) ? " " : "", err->path[0] && !strstr(err->msg, err->path) ? err->path : "",
           err->errnum ? ": " : "", err->errnum ? husk_errno_name(err->errnum) : "");
}

static void set_nonblock(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }

/* Set up stdio and take the container up to SYNC_READY. */
static int spawn(husk_error_t *err) {
  cleanup_fd int in_r = -1, out_w = -1, err_w = -1;
  int p[2];
  husk_launch_init(&M.launch);
  M.in_fd = M.out_fd[0] = M.out_fd[1] = -1;
  if (!M.tty) {
    if (M.mp->open_stdin) {
      if (pipe2(p, O_CLOEXEC) < 0) return husk_fail_errno(err, "", "pipe for stdin");
      in_r = p[0];
      M.in_fd = p[1];
    } else {
      in_r = open("/dev/null", O_RDONLY | O_CLOEXEC);
    }
    if (pipe2(p, O_CLOEXEC) < 0) return husk_fail_errno(err, "", "pipe for stdout");
    M.out_fd[0] = p[0];
    out_w = p[1];
    if (pipe2(p, O_CLOEXEC) < 0) return husk_fail_errno(err, "", "pipe for stderr");
    M.out_fd[1] = p[0];
    err_w = p[1];
    set_nonblock(M.out_fd[0]);
    set_nonblock(M.out_fd[1]);
    if (M.in_fd >= 0) set_nonblock(M.in_fd);
    M.launch.stdio[0] = in_r;
    M.launch.stdio[1] = out_w;
    M.launch.stdio[2] = err_w;
  }
  M.oom_base = husk_oom_count(M.mp);
  int ret = husk_launch_prepare(M.plan, &M.launch, err);
  if (ret < 0) {
    husk_close_fd(&M.in_fd);
    husk_close_fd(&M.out_fd[0]);
    husk_close_fd(&M.out_fd[1]);
    return ret;
  }
  if (M.tty) {
    husk_close_fd(&M.launch.console_fd);
    M.out_fd[0] = M.in_fd = husk_steal(M.launch.master);
    set_nonblock(M.out_fd[0]);
  }
  M.st.pid = M.launch.pid;
  M.st.pid_start_time = husk_proc_start_time(M.launch.pid);
  M.st.error[0] = 0;
  return 0;
}

/* Let the created container exec. A failed exec ends the child with 126/127; its exit
 * arrives as SIGCHLD like any other. */
static void release(void) {
  husk_error_t err;
  husk_error_clear(&err);
  M.released = 1;
  M.run_began = now_ms();
  if (husk_launch_release(&M.launch, &err) < 0) {
    record_start_failure(&err);
    if (M.result_open) husk_result_error(&err);
  } else {
    M.state = RS_RUNNING;
    M.st.status = "running";
    husk_iso_now(M.st.started_at, sizeof(M.st.started_at));
    M.st.finished_at[0] = 0;
  }
  /* The status is on disk before the CLI hears of it (and may exit). */
  save_status();
  if (M.state == RS_RUNNING) emit("start", "");
  if (M.result_open && M.state == RS_RUNNING) husk_result_pid("started", M.launch.pid);
  close_result();
}

/* ---- the end ---- */

/* Run the --rm cleanup and wait for it (bounded), so that once we are gone it is done.
 * It finds HUSK_MONITOR_CLEANUP=<our pid> in its environment: `rm` must not wait for us. */
static void run_cleanup(void) {
  pid_t pid = fork();
  if (pid < 0) return;
  if (pid == 0) {
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    int null = open("/dev/null", O_RDWR);
    for (int i = 0; i < 3; i++) dup2(null, i);
    char self[48];
    snprintf(self, sizeof(self), "%d", (int)getppid());
    setenv("HUSK_MONITOR_CLEANUP", self, 1);
    execv(M.mp->cleanup_argv[0], M.mp->cleanup_argv);
    _exit(127);
  }
  uint64_t deadline = now_ms() + HUSK_CLEANUP_WAIT_MS;
  for (;;) {
    int status;
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid || (r < 0 && errno != EINTR)) return;
    uint64_t now = now_ms();
    if (now >= deadline) return; /* it goes on without us */
    struct pollfd p = {.fd = M.sig_fd, .events = POLLIN};
    if (poll(&p, 1, (int)(deadline - now)) > 0) {
      struct signalfd_siginfo si;
      while (read(M.sig_fd, &si, sizeof(si)) == sizeof(si)) {}
    }
  }
}

static int clients_left(void) {
  int n = 0;
  for (int i = 0; i < HUSK_ATTACH_MAX_CLIENTS; i++) n += M.clients[i].fd >= 0;
  return n;
}

static void handle_client_frames(struct husk_attach_client *c);

__attribute__((noreturn)) static void finish(void) {
  M.state = RS_EXITED;
  M.st.status = "exited";
  M.st.pid = 0;
  M.st.pid_start_time = 0;
  save_status();
  unsigned char exit_frame[9];
  uint32_t code = (uint32_t)M.st.exit_code, sig = (uint32_t)M.st.signal;
  for (int i = 0; i < 4; i++) {
    exit_frame[i] = (unsigned char)(code >> (24 - 8 * i));
    exit_frame[4 + i] = (unsigned char)(sig >> (24 - 8 * i));
  }
  exit_frame[8] = (unsigned char)M.st.oom_killed;
  broadcast(FRAME_EXIT, exit_frame, sizeof(exit_frame));
  /* One second for an attached client to say it removes the container itself. */
  uint64_t deadline = now_ms() + 1000;
  while (!M.acked && clients_left() > 0) {
    uint64_t now = now_ms();
    if (now >= deadline) break;
    struct pollfd p[HUSK_ATTACH_MAX_CLIENTS];
    for (int i = 0; i < HUSK_ATTACH_MAX_CLIENTS; i++) p[i] = (struct pollfd){.fd = M.clients[i].fd, .events = POLLIN};
    if (poll(p, HUSK_ATTACH_MAX_CLIENTS, (int)(deadline - now)) < 0 && errno != EINTR) break;
    for (int i = 0; i < HUSK_ATTACH_MAX_CLIENTS; i++)
      if (p[i].fd >= 0 && p[i].revents) handle_client_frames(&M.clients[i]);
  }
  for (int i = 0; i < HUSK_ATTACH_MAX_CLIENTS; i++) drop_client(&M.clients[i]);
  husk_close_fd(&M.listen_fd);
  unlink(M.mp->attach_socket);
  husk_log_close(&M.log);
  if (!M.acked && M.mp->n_cleanup_argv) run_cleanup();
  _exit(0);
}

static void schedule_restart(void) {
  uint64_t now = now_ms();
  if (M.released && now - M.run_began >= HUSK_BACKOFF_RESET_MS) M.quick_failures = 0;
  M.restart_at = now + husk_backoff_ms(M.quick_failures++);
  M.state = RS_RESTARTING;
  M.st.status = "restarting";
  M.st.pid = 0;
  M.st.pid_start_time = 0;
  save_status();
}

static void container_exited(int status) {
  drain_output();
  husk_launch_close(&M.launch);
  M.launch.pid = -1;
  M.kill_at = 0;
  M.st.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  M.st.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  M.st.oom_killed = husk_oom_count(M.mp) > M.oom_base;
  husk_iso_now(M.st.finished_at, sizeof(M.st.finished_at));
  /* die (and oom) come from here for every container, attached or not: no CLI has to see it. */
  if (M.st.oom_killed) emit("oom", "");
  char extra[48];
  snprintf(extra, sizeof(extra), "\"exitCode\":\"%d\"", M.st.exit_code);
  emit("die", extra);
  if (husk_restart_wanted(M.mp->restart_policy, M.mp->restart_max, M.st.exit_code, M.st.restart_count, M.stop_requested))
    schedule_restart();
  else
    finish();
}

static void restart_now(void) {
  husk_error_t err;
  husk_error_clear(&err);
  M.restart_at = 0;
  M.st.restart_count++;
  M.released = 0;
  if (spawn(&err) < 0) {
    /* It never ran: count it as a failed run with docker's exit code for it. */
    record_start_failure(&err);
    M.st.exit_code = husk_start_failure_code(err.stage, err.errnum);
    M.st.signal = 0;
    husk_iso_now(M.st.finished_at, sizeof(M.st.finished_at));
    char extra[48];
    snprintf(extra, sizeof(extra), "\"exitCode\":\"%d\"", M.st.exit_code);
    emit("die", extra);
    if (husk_restart_wanted(M.mp->restart_policy, M.mp->restart_max, M.st.exit_code, M.st.restart_count, M.stop_requested))
      schedule_restart();
    else
      finish();
    return;
  }
  emit("restart", "");
  release();
}

/* ---- stop ---- */

static void request_stop(uint64_t timeout_s) {
  M.stop_requested = 1;
  if (M.state == RS_RESTARTING) finish();
  if (M.launch.pid <= 0) return;
  if (!M.released) {
    kill(M.launch.pid, SIGKILL); /* never started: nothing to be graceful with */
    return;
  }
  kill(M.launch.pid, (int)M.mp->stop_signal);
  M.kill_at = now_ms() + timeout_s * 1000;
  if (M.kill_at == 0) M.kill_at = 1;
}

/* ---- clients ---- */

static void handle_frame(struct husk_attach_client *c, const struct husk_frame *f) {
  switch (f->type) {
    case FRAME_STDIN:
      if (M.in_fd < 0) break;
      if (f->len == 0) {
        if (!M.tty) husk_close_fd(&M.in_fd);
        break;
      }
      for (uint32_t off = 0; off < f->len;) {
        ssize_t w = write(M.in_fd, f->payload + off, f->len - off);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0 && errno == EAGAIN) {
          /* The container reads slowly: wait a little, but never hang the monitor. */
          struct pollfd pw = {.fd = M.in_fd, .events = POLLOUT};
          if (poll(&pw, 1, 1000) > 0) continue;
        }
        if (w <= 0) break;
        off += (uint32_t)w;
      }
      break;
    case FRAME_RESIZE:
      if (M.tty && M.out_fd[0] >= 0 && f->len >= 4) {
        struct winsize ws = {.ws_row = husk_be16(f->payload), .ws_col = husk_be16(f->payload + 2)};
        ioctl(M.out_fd[0], TIOCSWINSZ, &ws);
      }
      break;
    case FRAME_CLEANUP_ACK: M.acked = 1; break;
    case FRAME_STOP: request_stop(f->len >= 4 ? husk_be32(f->payload) : M.mp->stop_timeout); break;
    case FRAME_START:
      if (M.state == RS_CREATED && !M.released && M.launch.pid > 0) release();
      break;
    default: break; /* unknown frames are ignored, so older monitors tolerate newer clients */
  }
  (void)c;
}

static void handle_client_frames(struct husk_attach_client *c) {
  ssize_t n = read(c->fd, c->buf + c->have, sizeof(c->buf) - c->have);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
  if (n <= 0) {
    drop_client(c);
    return;
  }
  c->have += (size_t)n;
  size_t off = 0, used;
  struct husk_frame f;
  int r;
  while ((r = husk_frame_next(c->buf + off, c->have - off, &f, &used)) == 1) {
    handle_frame(c, &f);
    off += used;
    if (c->fd < 0) return;
  }
  if (r < 0) {
    drop_client(c);
    return;
  }
  memmove(c->buf, c->buf + off, c->have - off);
  c->have -= off;
}

static void accept_client(void) {
  int fd = accept4(M.listen_fd, NULL, NULL, SOCK_CLOEXEC);
  if (fd < 0) return;
  for (int i = 0; i < HUSK_ATTACH_MAX_CLIENTS; i++) {
    if (M.clients[i].fd >= 0) continue;
    /* A client that stops reading must not stall the container's output for long. */
    struct timeval tv = {.tv_sec = 2};
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    M.clients[i].fd = fd;
    M.clients[i].have = 0;
    return;
  }
  close(fd); /* full */
}

/* ---- signals ---- */

static void handle_signal(const struct signalfd_siginfo *si) {
  if (si->ssi_signo == SIGCHLD) {
    int status;
    pid_t pid;
    /* As subreaper we also collect orphans from inside the container. */
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
      if (pid == M.launch.pid) container_exited(status);
    return;
  }
  if (si->ssi_signo == SIGTERM) {
    request_stop(M.mp->stop_timeout);
    return;
  }
  if (M.launch.pid > 0 && M.released) kill(M.launch.pid, (int)si->ssi_signo);
}

static int setup_process(husk_error_t *err) {
  if (setsid() < 0) return husk_fail_errno(err, "", "setsid");
  if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0) return husk_fail_errno(err, "", "become child subreaper");
  if (chdir("/") < 0) return husk_fail_errno(err, "/", "chdir");
  /* Our stdio belonged to the CLI; let it go, and keep 0-2 taken so that no pipe of ours
   * lands there. */
  int null = open("/dev/null", O_RDWR);
  if (null < 0) return husk_fail_errno(err, "/dev/null", "open");
  for (int i = 0; i < 3; i++) dup2(null, i);
  if (null > 2) close(null);
  sigset_t mask;
  sigemptyset(&mask);
  static const int sigs[] = {SIGCHLD, SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};
  for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) sigaddset(&mask, sigs[i]);
  sigprocmask(SIG_BLOCK, &mask, NULL);
  signal(SIGPIPE, SIG_IGN);
  M.sig_fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
  if (M.sig_fd < 0) return husk_fail_errno(err, "", "signalfd");
  return 0;
}

static int validate(const struct husk_plan *plan, husk_error_t *err) {
  const struct husk_monitor_plan *mp = plan->monitor;
  if (!mp || !mp->status_file || !mp->attach_socket)
    return husk_fail(err, EINVAL, "plan", "monitor mode needs a status file and an attach socket");
  if (plan->detach || plan->exec_fifo || plan->console_socket || plan->container_pid)
    return husk_fail(err, EINVAL, "plan", "a monitor plan cannot detach, wait on a fifo, use a console socket or join a container");
  if (mp->n_cleanup_argv && mp->cleanup_argv[0][0] != '/')
    return husk_fail(err, EINVAL, mp->cleanup_argv[0], "cleanup command must be an absolute path");
  return 0;
}

static __attribute__((noreturn)) void monitor_main(struct husk_plan *plan) {
  husk_error_t err;
  husk_error_clear(&err);
  M.plan = plan;
  M.mp = plan->monitor;
  M.tty = plan->terminal;
  M.listen_fd = M.sig_fd = M.in_fd = M.out_fd[0] = M.out_fd[1] = -1;
  M.log.fd = -1;
  M.result_open = 1;
  for (int i = 0; i < HUSK_ATTACH_MAX_CLIENTS; i++) M.clients[i].fd = -1;
  M.st.monitor_pid = getpid();
  M.st.monitor_start_time = husk_proc_start_time(getpid());
  M.st.status = "created";
  M.events = (struct husk_event_sink){.file = M.mp->events_file, .id = M.mp->event_id, .attrs = M.mp->event_attrs};

  err.stage = ST_PREPARE;
  int ret = setup_process(&err);
  if (ret == 0 && M.mp->log_path) ret = husk_log_open(&M.log, M.mp->log_path, M.mp->log_max_size, M.mp->log_max_file, &err);
  if (ret == 0) {
    M.listen_fd = husk_attach_listen(M.mp->attach_socket, &err);
    ret = M.listen_fd < 0 ? M.listen_fd : 0;
  }
  if (ret == 0) {
    husk_result_pid("monitor", getpid());
    ret = spawn(&err);
  }
  if (ret < 0) {
    husk_result_error(&err);
    if (M.listen_fd >= 0) unlink(M.mp->attach_socket);
    _exit(1);
  }
  M.state = RS_CREATED;
  save_status();
  husk_result_pid("created", M.launch.pid);
  if (M.mp->wait_attach) close_result(); /* the CLI attaches, then sends start */
  else release();

  for (;;) {
    struct pollfd p[4 + HUSK_ATTACH_MAX_CLIENTS];
    p[0] = (struct pollfd){.fd = M.sig_fd, .events = POLLIN};
    p[1] = (struct pollfd){.fd = M.listen_fd, .events = POLLIN};
    p[2] = (struct pollfd){.fd = M.out_fd[0], .events = POLLIN};
    p[3] = (struct pollfd){.fd = M.out_fd[1], .events = POLLIN};
    for (int i = 0; i < HUSK_ATTACH_MAX_CLIENTS; i++) p[4 + i] = (struct pollfd){.fd = M.clients[i].fd, .events = POLLIN};
    int timeout = -1;
    uint64_t now = now_ms();
    uint64_t next = M.kill_at && (!M.restart_at || M.kill_at < M.restart_at) ? M.kill_at : M.restart_at;
    if (next) timeout = next <= now ? 0 : (int)(next - now);
    int n = poll(p, 4 + HUSK_ATTACH_MAX_CLIENTS, timeout);
    if (n < 0 && errno != EINTR) _exit(1);
    now = now_ms();
    if (M.kill_at && now >= M.kill_at) {
      if (M.launch.pid > 0) kill(M.launch.pid, SIGKILL);
      M.kill_at = 0;
    }
    if (M.restart_at && now >= M.restart_at) {
      restart_now();
      continue; /* new fds may reuse old numbers: poll them afresh */
    }
    if (n <= 0) continue;
    for (int i = 0; i < 2; i++)
      if (p[2 + i].fd >= 0 && p[2 + i].fd == M.out_fd[i] && p[2 + i].revents) pump(i);
    for (int i = 0; i < HUSK_ATTACH_MAX_CLIENTS; i++)
      if (p[4 + i].fd >= 0 && p[4 + i].fd == M.clients[i].fd && p[4 + i].revents) handle_client_frames(&M.clients[i]);
    if (p[1].revents & POLLIN) accept_client();
    if (p[0].revents & POLLIN) {
      struct signalfd_siginfo si;
      while (read(M.sig_fd, &si, sizeof(si)) == sizeof(si)) handle_signal(&si);
    }
  }
}

int husk_monitor_mode(struct husk_plan *plan, husk_error_t *err) {
  err->stage = ST_PREPARE;
  int ret = validate(plan, err);
  if (ret < 0) return ret;
  /* --network none: the namespace the plan joins by path, made here rather than by a
   * separate `husk-core netns add` (one exec fewer on `husk run`), and in place rather
   * than in a helper child (husk-core is single-threaded; one fork and wait fewer). */
  const char *netns = plan->monitor->netns_add;
  if (netns && access(netns, F_OK) < 0) {
    ret = husk_netns_add_here(netns, err);
    if (ret < 0) return ret;
  }
  pid_t pid = fork();
  if (pid < 0) return husk_fail_errno(err, "", "fork monitor");
  if (pid > 0) return 0; /* the CLI waits for us, not for the monitor */
  monitor_main(plan);
}
