#include "plan.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A cursor over one record sequence. */
struct reader { const unsigned char *p, *end; };
struct record { uint16_t tag; uint32_t len; const unsigned char *val; };

static int next_record(struct reader *r, struct record *rec, husk_error_t *err) {
  if (r->end - r->p < 6)
    return husk_fail(err, EINVAL, "plan", "truncated record header (%zd bytes left)", r->end - r->p);
  rec->tag = (uint16_t)(r->p[0] | r->p[1] << 8);
  rec->len = (uint32_t)r->p[2] | (uint32_t)r->p[3] << 8 | (uint32_t)r->p[4] << 16 | (uint32_t)r->p[5] << 24;
  r->p += 6;
  if ((size_t)(r->end - r->p) < rec->len)
    return husk_fail(err, EINVAL, "plan", "record %u claims %u bytes, %zd left", rec->tag, rec->len, r->end - r->p);
  rec->val = r->p;
  r->p += rec->len;
  return 0;
}

static int as_u64(const struct record *rec, uint64_t *out, husk_error_t *err) {
  *out = 0;
  if (rec->len != 8)
    return husk_fail(err, EINVAL, "plan", "record %u: expected 8-byte integer, got %u bytes", rec->tag, rec->len);
  uint64_t v = 0;
  for (int i = 7; i >= 0; i--) v = v << 8 | rec->val[i];
  *out = v;
  return 0;
}

static int as_str(const struct record *rec, char **out, husk_error_t *err) {
  if (memchr(rec->val, 0, rec->len))
    return husk_fail(err, EINVAL, "plan", "record %u: string contains a NUL byte", rec->tag);
  char *s = malloc(rec->len + 1);
  if (!s) return husk_fail(err, ENOMEM, "plan", "allocate string");
  memcpy(s, rec->val, rec->len);
  s[rec->len] = 0;
  free(*out); /* a repeated scalar tag keeps the last value */
  *out = s;
  return 0;
}

/* Grow an array by one zeroed element; returns a pointer to it or NULL. */
static void *push(void **arr, size_t *n, size_t elem) {
  void *grown = realloc(*arr, (*n + 1) * elem);
  if (!grown) return NULL;
  *arr = grown;
  void *slot = (char *)grown + *n * elem;
  memset(slot, 0, elem);
  (*n)++;
  return slot;
}
#define PUSH(arr, n) push((void **)&(arr), &(n), sizeof(*(arr)))

/* NULL-terminated string vector append. */
static int push_str(char ***vec, size_t *n, const struct record *rec, husk_error_t *err) {
  char **grown = realloc(*vec, (*n + 2) * sizeof(char *));
  if (!grown) return husk_fail(err, ENOMEM, "plan", "allocate string list");
  *vec = grown;
  grown[*n] = NULL;
  int ret = as_str(rec, &grown[*n], err);
  if (ret < 0) return ret;
  (*n)++;
  grown[*n] = NULL;
  return 0;
}

static int unknown(const struct record *rec, const char *where, husk_error_t *err) {
  return husk_fail(err, EINVAL, "plan", "unknown tag %u in %s (husk-core older than husk?)", rec->tag, where);
}

static int decode_idmap(const struct record *g, struct husk_idmap *m, husk_error_t *err) {
  struct reader r = {g->val, g->val + g->len};
  struct record rec = {0};
  while (r.p < r.end) {
    int ret = next_record(&r, &rec, err);
    if (ret < 0) return ret;
    switch (rec.tag) {
      case MAP_CONTAINER: ret = as_u64(&rec, &m->container, err); break;
      case MAP_HOST: ret = as_u64(&rec, &m->host, err); break;
      case MAP_SIZE: ret = as_u64(&rec, &m->size, err); break;
      default: ret = unknown(&rec, "id map", err);
    }
    if (ret < 0) return ret;
  }
  return 0;
}

static int push_idmap(struct husk_idmap **arr, size_t *n, const struct record *rec, husk_error_t *err) {
  struct husk_idmap *m = push((void **)arr, n, sizeof(**arr));
  return m ? decode_idmap(rec, m, err) : husk_fail(err, ENOMEM, "plan", "allocate");
}

static int decode_mount(const struct record *g, struct husk_mount *m, husk_error_t *err) {
  struct reader r = {g->val, g->val + g->len};
  struct record rec = {0};
  while (r.p < r.end) {
    int ret = next_record(&r, &rec, err);
    if (ret < 0) return ret;
    switch (rec.tag) {
      case M_SOURCE: ret = as_str(&rec, &m->source, err); break;
      case M_DEST: ret = as_str(&rec, &m->dest, err); break;
      case M_TYPE: ret = as_str(&rec, &m->type, err); break;
      case M_DATA: ret = as_str(&rec, &m->data, err); break;
      case M_FLAGS: ret = as_u64(&rec, &m->flags, err); break;
      case M_CLEAR_FLAGS: ret = as_u64(&rec, &m->clear_flags, err); break;
      case M_ATTR_SET: ret = as_u64(&rec, &m->attr_set, err); break;
      case M_ATTR_CLR: ret = as_u64(&rec, &m->attr_clr, err); break;
      case M_PROPAGATION:
        if (m->n_propagation >= 4) return husk_fail(err, EINVAL, "plan", "too many propagation flags on one mount");
        ret = as_u64(&rec, &m->propagation[m->n_propagation++], err);
        break;
      case M_UIDMAP: ret = push_idmap(&m->uidmap, &m->n_uidmap, &rec, err); break;
      case M_GIDMAP: ret = push_idmap(&m->gidmap, &m->n_gidmap, &rec, err); break;
      default: ret = unknown(&rec, "mount", err);
    }
    if (ret < 0) return ret;
  }
  if (!m->dest) return husk_fail(err, EINVAL, "plan", "mount without destination");
  return 0;
}

static int decode_simple_group(const struct record *g, struct husk_plan *p, uint16_t group, void *out, husk_error_t *err) {
  struct reader r = {g->val, g->val + g->len};
  struct record rec = {0};
  while (r.p < r.end) {
    int ret = next_record(&r, &rec, err);
    if (ret < 0) return ret;
    switch (group) {
      case HP_NAMESPACE: {
        struct husk_ns *ns = out;
        if (rec.tag == NS_TYPE) ret = as_u64(&rec, &ns->type, err);
        else if (rec.tag == NS_PATH) ret = as_str(&rec, &ns->path, err);
        else ret = unknown(&rec, "namespace", err);
        break;
      }
      case HP_DEVICE: {
        struct husk_device *d = out;
        switch (rec.tag) {
          case D_PATH: ret = as_str(&rec, &d->path, err); break;
          case D_TYPE: ret = as_u64(&rec, &d->type, err); break;
          case D_MAJOR: ret = as_u64(&rec, &d->major, err); break;
          case D_MINOR: ret = as_u64(&rec, &d->minor, err); break;
          case D_MODE: ret = as_u64(&rec, &d->mode, err); break;
          case D_UID: ret = as_u64(&rec, &d->uid, err); break;
          case D_GID: ret = as_u64(&rec, &d->gid, err); break;
          default: ret = unknown(&rec, "device", err);
        }
        break;
      }
      case HP_SYSCTL: {
        struct husk_kv *kv = out;
        if (rec.tag == KV_KEY) ret = as_str(&rec, &kv->key, err);
        else if (rec.tag == KV_VALUE) ret = as_str(&rec, &kv->value, err);
        else ret = unknown(&rec, "sysctl", err);
        break;
      }
      case HP_RLIMIT: {
        struct husk_rlimit *rl = out;
        if (rec.tag == RL_TYPE) ret = as_u64(&rec, &rl->type, err);
        else if (rec.tag == RL_SOFT) ret = as_u64(&rec, &rl->soft, err);
        else if (rec.tag == RL_HARD) ret = as_u64(&rec, &rl->hard, err);
        else ret = unknown(&rec, "rlimit", err);
        break;
      }
      case HP_HOOK: {
        struct husk_hook *h = out;
        switch (rec.tag) {
          case H_PHASE: ret = as_u64(&rec, &h->phase, err); break;
          case H_PATH: ret = as_str(&rec, &h->path, err); break;
          case H_TIMEOUT: ret = as_u64(&rec, &h->timeout, err); break;
          case H_ARG: ret = push_str(&h->args, &h->n_args, &rec, err); break;
          case H_ENV: ret = push_str(&h->env, &h->n_env, &rec, err); break;
          default: ret = unknown(&rec, "hook", err);
        }
        break;
      }
      case HP_DEVICE_RULE: {
        struct husk_dev_rule *d = out;
        uint64_t v = 0;
        switch (rec.tag) {
          case DR_ALLOW: ret = as_u64(&rec, &v, err); d->allow = v != 0; break;
          case DR_TYPE: ret = as_u64(&rec, &v, err); d->type = (char)v; break;
          case DR_MAJOR: ret = as_u64(&rec, &v, err); d->major = (int64_t)v; break;
          case DR_MINOR: ret = as_u64(&rec, &v, err); d->minor = (int64_t)v; break;
          case DR_ACCESS: ret = as_u64(&rec, &v, err); d->access = (uint32_t)v; break;
          default: ret = unknown(&rec, "device rule", err);
        }
        break;
      }
      case HP_TIME_OFFSET: {
        struct husk_time_offset *t = out;
        uint64_t v = 0;
        if (rec.tag == TO_CLOCK) ret = as_str(&rec, &t->clock, err);
        else if (rec.tag == TO_SECS) { ret = as_u64(&rec, &v, err); t->secs = (int64_t)v; }
        else if (rec.tag == TO_NSECS) { ret = as_u64(&rec, &v, err); t->nsecs = (int64_t)v; }
        else ret = unknown(&rec, "time offset", err);
        break;
      }
      default: ret = unknown(&rec, "group", err);
    }
    (void)p;
    if (ret < 0) return ret;
  }
  return 0;
}

static int bool_of(const struct record *rec, int *out, husk_error_t *err) {
  uint64_t v;
  int ret = as_u64(rec, &v, err);
  if (ret < 0) return ret;
  *out = v != 0;
  return 0;
}

#define GROUP(arr, n, tag)                                                              \
  do {                                                                                  \
    void *slot = PUSH(arr, n);                                                          \
    ret = slot ? decode_simple_group(&rec, p, tag, slot, err)                           \
               : husk_fail(err, ENOMEM, "plan", "allocate");                            \
  } while (0)

int husk_plan_decode(const unsigned char *buf, size_t len, struct husk_plan *p, husk_error_t *err) {
  memset(p, 0, sizeof(*p));
  struct reader r = {buf, buf + len};
  struct record rec = {0};
  uint64_t v = 0;
  while (r.p < r.end) {
    int ret = next_record(&r, &rec, err);
    if (ret < 0) return ret;
    switch (rec.tag) {
      case HP_VERSION: ret = as_u64(&rec, &p->version, err); break;
      case HP_ID: ret = as_str(&rec, &p->id, err); break;
      case HP_ROOTFS: ret = as_str(&rec, &p->rootfs, err); break;
      case HP_ROOTFS_READONLY: ret = bool_of(&rec, &p->rootfs_readonly, err); break;
      case HP_ROOTFS_PROPAGATION: ret = as_u64(&rec, &p->rootfs_propagation, err); break;
      case HP_NO_PIVOT: ret = bool_of(&rec, &p->no_pivot, err); break;
      case HP_NAMESPACE: GROUP(p->ns, p->n_ns, HP_NAMESPACE); break;
      case HP_UIDMAP: ret = push_idmap(&p->uidmap, &p->n_uidmap, &rec, err); break;
      case HP_GIDMAP: ret = push_idmap(&p->gidmap, &p->n_gidmap, &rec, err); break;
      case HP_MOUNT: {
        struct husk_mount *m = PUSH(p->mounts, p->n_mounts);
        ret = m ? decode_mount(&rec, m, err) : husk_fail(err, ENOMEM, "plan", "allocate");
        break;
      }
      case HP_MASKED_PATH: ret = push_str(&p->masked, &p->n_masked, &rec, err); break;
      case HP_READONLY_PATH: ret = push_str(&p->readonly, &p->n_readonly, &rec, err); break;
      case HP_DEVICE: GROUP(p->devices, p->n_devices, HP_DEVICE); break;
      case HP_HOSTNAME: p->has_hostname = 1; ret = as_str(&rec, &p->hostname, err); break;
      case HP_DOMAINNAME: p->has_domainname = 1; ret = as_str(&rec, &p->domainname, err); break;
      case HP_SYSCTL: GROUP(p->sysctl, p->n_sysctl, HP_SYSCTL); break;
      case HP_CWD: ret = as_str(&rec, &p->cwd, err); break;
      case HP_ARG: ret = push_str(&p->argv, &p->n_argv, &rec, err); break;
      case HP_ENV: ret = push_str(&p->envp, &p->n_envp, &rec, err); break;
      case HP_UID: ret = as_u64(&rec, &p->uid, err); break;
      case HP_GID: ret = as_u64(&rec, &p->gid, err); break;
      case HP_ADDITIONAL_GID: {
        uint64_t *g = PUSH(p->add_gids, p->n_add_gids);
        ret = g ? as_u64(&rec, g, err) : husk_fail(err, ENOMEM, "plan", "allocate");
        break;
      }
      case HP_UMASK: p->has_umask = 1; ret = as_u64(&rec, &p->umask, err); break;
      case HP_RLIMIT: GROUP(p->rlimits, p->n_rlimits, HP_RLIMIT); break;
      case HP_CAP_BOUNDING: p->has_caps = 1; ret = as_u64(&rec, &p->cap_bounding, err); break;
      case HP_CAP_EFFECTIVE: p->has_caps = 1; ret = as_u64(&rec, &p->cap_effective, err); break;
      case HP_CAP_PERMITTED: p->has_caps = 1; ret = as_u64(&rec, &p->cap_permitted, err); break;
      case HP_CAP_INHERITABLE: p->has_caps = 1; ret = as_u64(&rec, &p->cap_inheritable, err); break;
      case HP_CAP_AMBIENT: p->has_caps = 1; ret = as_u64(&rec, &p->cap_ambient, err); break;
      case HP_NO_NEW_PRIVS: ret = bool_of(&rec, &p->no_new_privs, err); break;
      case HP_OOM_SCORE_ADJ:
        p->has_oom_score_adj = 1;
        ret = as_u64(&rec, &v, err);
        p->oom_score_adj = (int64_t)v;
        break;
      case HP_SECCOMP_BPF:
        free(p->seccomp_bpf);
        p->seccomp_bpf = malloc(rec.len ? rec.len : 1);
        if (!p->seccomp_bpf) { ret = husk_fail(err, ENOMEM, "plan", "allocate seccomp"); break; }
        memcpy(p->seccomp_bpf, rec.val, rec.len);
        p->seccomp_len = rec.len;
        break;
      case HP_SECCOMP_FLAGS: ret = as_u64(&rec, &p->seccomp_flags, err); break;
      case HP_PERSONALITY: p->has_personality = 1; ret = as_u64(&rec, &p->personality, err); break;
      case HP_TERMINAL: ret = bool_of(&rec, &p->terminal, err); break;
      case HP_CONSOLE_SOCKET: ret = as_str(&rec, &p->console_socket, err); break;
      case HP_EXEC_FIFO: ret = as_str(&rec, &p->exec_fifo, err); break;
      case HP_CGROUP_DIR: ret = push_str(&p->cgroup_dirs, &p->n_cgroup_dirs, &rec, err); break;
      case HP_CGROUP_WRITE: GROUP(p->cgroup_writes, p->n_cgroup_writes, HP_SYSCTL); break;
      case HP_DEVICE_RULE: GROUP(p->dev_rules, p->n_dev_rules, HP_DEVICE_RULE); break;
      case HP_CGROUP_RETURN_DIR: ret = push_str(&p->cgroup_return_dirs, &p->n_cgroup_return_dirs, &rec, err); break;
      case HP_CGROUP_V2_DIR: ret = as_str(&rec, &p->cgroup_v2_dir, err); break;
      case HP_HOOK: GROUP(p->hooks, p->n_hooks, HP_HOOK); break;
      case HP_STATE_JSON: ret = as_str(&rec, &p->state_json, err); break;
      case HP_DETACH: ret = bool_of(&rec, &p->detach, err); break;
      case HP_PRESERVE_FDS: ret = as_u64(&rec, &p->preserve_fds, err); break;
      case HP_TIME_OFFSET: GROUP(p->time_offsets, p->n_time_offsets, HP_TIME_OFFSET); break;
      case HP_SIGNAL_FORWARD: ret = bool_of(&rec, &p->signal_forward, err); break;
      case HP_CONTAINER_PID: ret = as_u64(&rec, &p->container_pid, err); break;
      default:
        if (rec.tag >= HP_MON_LOG_PATH && rec.tag < HP_MON_LOG_PATH + 20)
          ret = husk_monitor_plan_record(p, rec.tag, rec.val, rec.len, err);
        else
          ret = unknown(&rec, "plan", err);
    }
    if (ret < 0) return ret;
  }
  if (p->version != HUSK_PLAN_VERSION)
    return husk_fail(err, EINVAL, "plan", "plan version %llu, husk-core speaks %d (mismatched builds?)",
                     (unsigned long long)p->version, HUSK_PLAN_VERSION);
  if (p->n_argv == 0) return husk_fail(err, EINVAL, "plan", "process.args is empty");
  return 0;
}

int husk_plan_read_fd(int fd, struct husk_plan *plan, husk_error_t *err) {
  size_t cap = 16384, len = 0;
  unsigned char *buf = malloc(cap);
  if (!buf) return husk_fail(err, ENOMEM, "plan", "allocate plan buffer");
  for (;;) {
    if (len == cap) {
      if (cap >= (64u << 20)) {
        free(buf);
        return husk_fail(err, EFBIG, "plan", "plan larger than 64 MiB");
      }
      unsigned char *grown = realloc(buf, cap * 2);
      if (!grown) { free(buf); return husk_fail(err, ENOMEM, "plan", "grow plan buffer"); }
      buf = grown;
      cap *= 2;
    }
    ssize_t n = read(fd, buf + len, cap - len);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) { int e = errno; free(buf); return husk_fail(err, e, "plan", "read plan"); }
    if (n == 0) break;
    len += (size_t)n;
  }
  int ret = husk_plan_decode(buf, len, plan, err);
  free(buf);
  return ret;
}

static void free_vec(char **v, size_t n) {
  for (size_t i = 0; i < n; i++) free(v[i]);
  free(v);
}

void husk_plan_free(struct husk_plan *p) {
  free(p->id); free(p->rootfs); free(p->hostname); free(p->domainname); free(p->cwd);
  free(p->console_socket); free(p->exec_fifo); free(p->state_json); free(p->cgroup_v2_dir);
  free(p->seccomp_bpf);
  for (size_t i = 0; i < p->n_ns; i++) free(p->ns[i].path);
  free(p->ns); free(p->uidmap); free(p->gidmap);
  for (size_t i = 0; i < p->n_mounts; i++) {
    struct husk_mount *m = &p->mounts[i];
    free(m->source); free(m->dest); free(m->type); free(m->data); free(m->uidmap); free(m->gidmap);
  }
  free(p->mounts);
  free_vec(p->masked, p->n_masked);
  free_vec(p->readonly, p->n_readonly);
  for (size_t i = 0; i < p->n_devices; i++) free(p->devices[i].path);
  free(p->devices);
  for (size_t i = 0; i < p->n_sysctl; i++) { free(p->sysctl[i].key); free(p->sysctl[i].value); }
  free(p->sysctl);
  for (size_t i = 0; i < p->n_cgroup_writes; i++) { free(p->cgroup_writes[i].key); free(p->cgroup_writes[i].value); }
  free(p->cgroup_writes);
  free(p->dev_rules);
  free_vec(p->argv, p->n_argv);
  free_vec(p->envp, p->n_envp);
  free(p->add_gids); free(p->rlimits);
  free_vec(p->cgroup_dirs, p->n_cgroup_dirs);
  free_vec(p->cgroup_return_dirs, p->n_cgroup_return_dirs);
  for (size_t i = 0; i < p->n_hooks; i++) {
    free(p->hooks[i].path);
    free_vec(p->hooks[i].args, p->hooks[i].n_args);
    free_vec(p->hooks[i].env, p->hooks[i].n_env);
  }
  free(p->hooks);
  for (size_t i = 0; i < p->n_time_offsets; i++) free(p->time_offsets[i].clock);
  free(p->time_offsets);
  husk_monitor_plan_free(p->monitor);
  memset(p, 0, sizeof(*p));
}

const struct husk_ns *husk_plan_ns(const struct husk_plan *p, uint64_t type) {
  for (size_t i = 0; i < p->n_ns; i++)
    if (p->ns[i].type == type) return &p->ns[i];
  return NULL;
}

uint64_t husk_plan_new_ns_flags(const struct husk_plan *p) {
  uint64_t flags = 0;
  for (size_t i = 0; i < p->n_ns; i++)
    if (!p->ns[i].path) flags |= p->ns[i].type;
  return flags;
}
