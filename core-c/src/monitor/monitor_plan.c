#include "monitor_plan.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "../plan.h"

static int get_u64(uint16_t tag, const unsigned char *val, uint32_t len, uint64_t *out, husk_error_t *err) {
  if (len != 8) return husk_fail(err, EINVAL, "plan", "record %u: expected 8-byte integer, got %u bytes", tag, len);
  uint64_t v = 0;
  for (int i = 7; i >= 0; i--) v = v << 8 | val[i];
  *out = v;
  return 0;
}

static int get_str(uint16_t tag, const unsigned char *val, uint32_t len, char **out, husk_error_t *err) {
  if (memchr(val, 0, len)) return husk_fail(err, EINVAL, "plan", "record %u: string contains a NUL byte", tag);
  char *s = malloc(len + 1);
  if (!s) return husk_fail(err, ENOMEM, "plan", "allocate string");
  memcpy(s, val, len);
  s[len] = 0;
  free(*out);
  *out = s;
  return 0;
}

/* Walk the u16 tag | u32 len records of a group. */
typedef int (*member_fn)(void *ctx, uint16_t tag, const unsigned char *val, uint32_t len, husk_error_t *err);
static int each_member(const unsigned char *p, uint32_t n, member_fn fn, void *ctx, husk_error_t *err) {
  const unsigned char *end = p + n;
  while (p < end) {
    if (end - p < 6) return husk_fail(err, EINVAL, "plan", "truncated monitor group");
    uint16_t tag = (uint16_t)(p[0] | p[1] << 8);
    uint32_t len = (uint32_t)p[2] | (uint32_t)p[3] << 8 | (uint32_t)p[4] << 16 | (uint32_t)p[5] << 24;
    p += 6;
    if ((size_t)(end - p) < len) return husk_fail(err, EINVAL, "plan", "record %u overruns its group", tag);
    int ret = fn(ctx, tag, p, len, err);
    if (ret < 0) return ret;
    p += len;
  }
  return 0;
}

static int cleanup_member(void *ctx, uint16_t tag, const unsigned char *val, uint32_t len, husk_error_t *err) {
  struct husk_monitor_plan *mp = ctx;
  if (tag != MON_CLEANUP_ARG) return husk_fail(err, EINVAL, "plan", "unknown tag %u in monitor cleanup", tag);
  char **grown = realloc(mp->cleanup_argv, (mp->n_cleanup_argv + 2) * sizeof(char *));
  if (!grown) return husk_fail(err, ENOMEM, "plan", "allocate cleanup argv");
  mp->cleanup_argv = grown;
  grown[mp->n_cleanup_argv] = NULL;
  int ret = get_str(tag, val, len, &grown[mp->n_cleanup_argv], err);
  if (ret < 0) return ret;
  grown[++mp->n_cleanup_argv] = NULL;
  return 0;
}

static int oom_member(void *ctx, uint16_t tag, const unsigned char *val, uint32_t len, husk_error_t *err) {
  struct husk_monitor_plan *mp = ctx;
  size_t i = mp->n_oom - 1;
  if (tag == MON_OOM_PATH) return get_str(tag, val, len, &mp->oom[i].path, err);
  if (tag == MON_OOM_KEY) return get_str(tag, val, len, &mp->oom[i].key, err);
  return husk_fail(err, EINVAL, "plan", "unknown tag %u in monitor oom counter", tag);
}

int husk_monitor_plan_record(struct husk_plan *plan, uint16_t tag, const unsigned char *val, uint32_t len, husk_error_t *err) {
  if (!plan->monitor) {
    plan->monitor = calloc(1, sizeof(*plan->monitor));
    if (!plan->monitor) return husk_fail(err, ENOMEM, "plan", "allocate monitor settings");
    plan->monitor->stop_signal = SIGTERM;
    plan->monitor->stop_timeout = 10;
  }
  struct husk_monitor_plan *mp = plan->monitor;
  uint64_t v = 0;
  int ret;
  switch (tag) {
    case HP_MON_LOG_PATH: return get_str(tag, val, len, &mp->log_path, err);
    case HP_MON_LOG_MAX_SIZE: return get_u64(tag, val, len, &mp->log_max_size, err);
    case HP_MON_LOG_MAX_FILE: return get_u64(tag, val, len, &mp->log_max_file, err);
    case HP_MON_OPEN_STDIN: ret = get_u64(tag, val, len, &v, err); mp->open_stdin = v != 0; return ret;
    case HP_MON_WAIT_ATTACH: ret = get_u64(tag, val, len, &v, err); mp->wait_attach = v != 0; return ret;
    case HP_MON_NETNS_ADD: return get_str(tag, val, len, &mp->netns_add, err);
    case HP_MON_ATTACH_SOCKET: return get_str(tag, val, len, &mp->attach_socket, err);
    case HP_MON_STATUS_FILE: return get_str(tag, val, len, &mp->status_file, err);
    case HP_MON_RESTART_POLICY:
      ret = get_u64(tag, val, len, &mp->restart_policy, err);
      if (ret == 0 && mp->restart_policy > RESTART_UNLESS_STOPPED)
        return husk_fail(err, EINVAL, "plan", "unknown restart policy %llu", (unsigned long long)mp->restart_policy);
      return ret;
    case HP_MON_RESTART_MAX: return get_u64(tag, val, len, &mp->restart_max, err);
    case HP_MON_STOP_SIGNAL:
      ret = get_u64(tag, val, len, &mp->stop_signal, err);
      if (ret == 0 && (mp->stop_signal == 0 || mp->stop_signal >= 65))
        return husk_fail(err, EINVAL, "plan", "stop signal %llu out of range", (unsigned long long)mp->stop_signal);
      return ret;
    case HP_MON_STOP_TIMEOUT: return get_u64(tag, val, len, &mp->stop_timeout, err);
    case HP_MON_CLEANUP: return each_member(val, len, cleanup_member, mp, err);
    case HP_MON_OOM_COUNTER:
      if (mp->n_oom >= HUSK_MON_MAX_OOM) return husk_fail(err, E2BIG, "plan", "more than %d oom counters", HUSK_MON_MAX_OOM);
      mp->n_oom++;
      return each_member(val, len, oom_member, mp, err);
    case HP_MON_EVENTS_FILE: return get_str(tag, val, len, &mp->events_file, err);
    case HP_MON_EVENT_ID: return get_str(tag, val, len, &mp->event_id, err);
    case HP_MON_EVENT_ATTRS: return get_str(tag, val, len, &mp->event_attrs, err);
    default: return husk_fail(err, EINVAL, "plan", "unknown monitor tag %u (husk-core older than husk?)", tag);
  }
}

void husk_monitor_plan_free(struct husk_monitor_plan *mp) {
  if (!mp) return;
  free(mp->log_path); free(mp->attach_socket); free(mp->status_file); free(mp->netns_add);
  free(mp->events_file); free(mp->event_id); free(mp->event_attrs);
  for (size_t i = 0; i < mp->n_cleanup_argv; i++) free(mp->cleanup_argv[i]);
  free(mp->cleanup_argv);
  for (size_t i = 0; i < mp->n_oom; i++) { free(mp->oom[i].path); free(mp->oom[i].key); }
  free(mp);
}
