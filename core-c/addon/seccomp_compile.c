/* compileSeccomp: a normalized OCI seccomp profile -> classic BPF, in process, with
 * libseccomp. No fork, no threads, no filter is loaded here: the BPF is handed to
 * husk-core, which loads it in the container's init just before execve.
 *
 * JavaScript API
 *   compileSeccomp(encoded: string): { bpf: Buffer, flags: number, unknownSyscalls: string[] }
 *     bpf              struct sock_filter[] as the kernel takes it (8 bytes an instruction)
 *     flags            SECCOMP_FILTER_FLAG_* to pass to seccomp(2) when loading (see below)
 *     unknownSyscalls  names this libseccomp does not know; their rules were skipped,
 *                      as runc and crun do (profiles name syscalls of newer kernels)
 *
 * Input encoding (written by encodeNormalizedSeccomp in src/oci/seccomp/normalize.ts)
 *   Text, one record a line, fields separated by exactly one space, lines ended by "\n".
 *   Every number is unsigned decimal (no sign, no leading "0x"); names are [a-z0-9_]{1,63}.
 *
 *     husk-seccomp 1                                  header, always first
 *     default <action>                                SCMP_ACT_* value (errno folded in)
 *     flags <flags>                                   SECCOMP_FILTER_FLAG_* bits
 *     arch <token>                                    zero or more: SCMP_ARCH_* tokens
 *     rule <source> <action> <nargs> <nnames>         zero or more, each followed by:
 *     arg <index> <op> <value> <valueTwo>               exactly <nargs> lines (op: SCMP_CMP_*)
 *     name <syscall>                                    exactly <nnames> lines
 *     end                                             last line
 *
 *   <source> is the rule's index in linux.seccomp.syscalls[] and only serves error
 *   messages. For SCMP_CMP_MASKED_EQ, <value> is the mask and <valueTwo> the expected
 *   result, as in the OCI spec and libseccomp.
 *
 * Semantics (the same as runc and crun)
 *   - the filter's default action is <default>; the native arch is always present and
 *     each `arch` is added to it (an arch already present is fine);
 *   - no_new_privs is not set by the filter (SCMP_FLTATR_CTL_NNP = 0): the runtime sets
 *     it itself when the spec asks for it;
 *   - a rule whose action equals the default action is skipped (libseccomp refuses it);
 *   - a name libseccomp cannot resolve is skipped and reported in unknownSyscalls;
 *   - conditions on different argument indexes are ANDed into one rule; when two or more
 *     conditions name the same index, every condition becomes a rule of its own (ORed);
 *   - if a SCMP_ACT_NOTIFY rule is in the filter, SECCOMP_FILTER_FLAG_NEW_LISTENER is
 *     added to the returned flags and TSYNC is dropped (the kernel refuses the pair, and
 *     the container init is single-threaded when it loads the filter); without one,
 *     WAIT_KILLABLE_RECV is dropped (the kernel refuses it without a listener).
 *
 * Errors are thrown as JS Errors: malformed input as "compileSeccomp: line N: ...",
 * libseccomp failures as "<function> <what>: <ENAME> (<strerror>)" with code/errno. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <inttypes.h>
#include <seccomp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "error.h"
#include "napi_util.h"

#define SC_MAX_INPUT (16u << 20)   /* bytes of encoded profile */
#define SC_MAX_ARCHES 32
#define SC_MAX_RULES 16384
#define SC_MAX_NAMES 4096          /* per rule */
#define SC_MAX_ARGS 64             /* per rule (several may test the same index) */
#define SC_MAX_NAME_LEN 63
#define SC_MAX_TOKENS 8
#define SC_BPF_MAXINSNS 4096       /* kernel limit for one classic BPF program */

#define SC_FLAG_TSYNC 1u
#define SC_FLAG_NEW_LISTENER 8u
#define SC_FLAG_WAIT_KILLABLE_RECV 32u
#define SC_FLAGS_KNOWN 0x3fu

/* ---- input reader ---------------------------------------------------------------- */

struct sc_reader {
  char *pos;
  char *end;
  unsigned line;
  char *tok[SC_MAX_TOKENS];
  int ntok;
};

/* A parse error: the line number plus what was expected. */
static int sc_bad(husk_error_t *err, const struct sc_reader *r, const char *what) {
  return husk_fail(err, 0, NULL, "compileSeccomp: line %u: %s", r->line, what);
}

/* Split the next line into tokens (exactly one space between fields). Returns the
 * number of tokens, or a negative code at the end of input or on a malformed line. */
static int sc_next(struct sc_reader *r, husk_error_t *err) {
  if (r->pos >= r->end) {
    r->line++;
    return sc_bad(err, r, "unexpected end of input");
  }
  char *nl = memchr(r->pos, '\n', (size_t)(r->end - r->pos));
  char *line = r->pos;
  char *line_end = nl ? nl : r->end;
  r->pos = nl ? nl + 1 : r->end;
  r->line++;
  *line_end = '\0';
  r->ntok = 0;
  if (line == line_end) return sc_bad(err, r, "empty line");
  char *p = line;
  for (;;) {
    if (r->ntok == SC_MAX_TOKENS) return sc_bad(err, r, "too many fields");
    r->tok[r->ntok++] = p;
    char *sp = strchr(p, ' ');
    if (!sp) break;
    *sp = '\0';
    if (sp == p) return sc_bad(err, r, "empty field");
    p = sp + 1;
    if (*p == '\0') return sc_bad(err, r, "trailing space");
  }
  return r->ntok;
}

/* Read a line that must start with `key` and have `nfields` fields after it. */
static int sc_expect(struct sc_reader *r, const char *key, int nfields, husk_error_t *err) {
  int n = sc_next(r, err);
  if (n < 0) return n;
  if (strcmp(r->tok[0], key) != 0 || n != nfields + 1) {
    char what[96];
    snprintf(what, sizeof(what), "expected \"%s\" with %d field(s)", key, nfields);
    return sc_bad(err, r, what);
  }
  return 0;
}

/* Unsigned decimal, at most `max`; no sign, no spaces, no leading zeros beyond "0". */
static int sc_u64(const struct sc_reader *r, const char *s, uint64_t max, uint64_t *out,
                  const char *field, husk_error_t *err) {
  uint64_t v = 0;
  const char *p = s;
  if (*p == '\0' || (p[0] == '0' && p[1] != '\0')) goto bad;
  for (; *p; p++) {
    if (*p < '0' || *p > '9') goto bad;
    unsigned d = (unsigned)(*p - '0');
    if (v > (UINT64_MAX - d) / 10) goto bad;
    v = v * 10 + d;
  }
  if (v > max) goto bad;
  *out = v;
  return 0;
bad:;
  char what[128];
  snprintf(what, sizeof(what), "%s: \"%.40s\" is not a number in [0, %" PRIu64 "]", field, s,
           max);
  return sc_bad(err, r, what);
}

static int sc_name_valid(const char *s) {
  size_t n = strlen(s);
  if (n == 0 || n > SC_MAX_NAME_LEN) return 0;
  for (const char *p = s; *p; p++)
    if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_')) return 0;
  return 1;
}

/* The action forms the kernel knows; only ERRNO and TRACE carry 16 bits of data. */
static int sc_action_valid(uint32_t a) {
  switch (a & 0xffff0000u) {
    case SCMP_ACT_ERRNO(0):
    case SCMP_ACT_TRACE(0):
      return 1;
    case SCMP_ACT_KILL_PROCESS:
    case SCMP_ACT_KILL_THREAD:
    case SCMP_ACT_TRAP:
    case SCMP_ACT_NOTIFY:
    case SCMP_ACT_LOG:
    case SCMP_ACT_ALLOW:
      return (a & 0xffffu) == 0;
    default:
      return 0;
  }
}

/* ---- compilation ------------------------------------------------------------------ */

/* Names skipped because libseccomp does not know them: "\0"-separated, deduplicated. */
struct sc_names {
  char *buf;
  size_t len;
  size_t cap;
  unsigned count;
};

static int sc_names_add(struct sc_names *l, const char *name, husk_error_t *err) {
  size_t n = strlen(name) + 1;
  for (size_t off = 0; off < l->len; off += strlen(l->buf + off) + 1)
    if (strcmp(l->buf + off, name) == 0) return 0;
  if (l->len + n > l->cap) {
    size_t cap = l->cap ? l->cap * 2 : 256;
    while (cap < l->len + n) cap *= 2;
    char *nb = realloc(l->buf, cap);
    if (!nb) return husk_fail(err, ENOMEM, NULL, "compileSeccomp: out of memory");
    l->buf = nb;
    l->cap = cap;
  }
  memcpy(l->buf + l->len, name, n);
  l->len += n;
  l->count++;
  return 0;
}

struct sc_rule {
  uint64_t source;
  uint32_t action;
  unsigned nargs;
  int split; /* several conditions on one index: one rule per condition */
  struct scmp_arg_cmp args[SC_MAX_ARGS];
};

struct sc_result {
  uint8_t *bpf;
  size_t bpf_len;
  uint32_t flags;
  struct sc_names unknown;
};

static void sc_release_ctx(scmp_filter_ctx *ctx) {
  if (*ctx) seccomp_release(*ctx);
}
#define cleanup_scmp __attribute__((cleanup(sc_release_ctx)))

static int sc_add_name(scmp_filter_ctx ctx, const struct sc_rule *rule, const char *name,
                       struct sc_result *res, husk_error_t *err) {
  int nr = seccomp_syscall_resolve_name(name);
  if (nr == __NR_SCMP_ERROR) return sc_names_add(&res->unknown, name, err);
  int ret = 0;
  if (rule->split) {
    for (unsigned i = 0; i < rule->nargs && ret == 0; i++)
      ret = seccomp_rule_add_array(ctx, rule->action, nr, 1, &rule->args[i]);
  } else {
    ret = seccomp_rule_add_array(ctx, rule->action, nr, rule->nargs,
                                 rule->nargs ? rule->args : NULL);
  }
  if (ret < 0) {
    char what[HUSK_ERR_PATH_MAX];
    snprintf(what, sizeof(what), "linux.seccomp.syscalls[%" PRIu64 "] \"%s\" (action 0x%08x, %u condition(s)%s)",
             rule->source, name, rule->action, rule->nargs, rule->split ? ", split" : "");
    return husk_fail(err, -ret, what, "seccomp_rule_add");
  }
  return 0;
}

static int sc_export(scmp_filter_ctx ctx, struct sc_result *res, husk_error_t *err) {
  cleanup_fd int fd = memfd_create("husk-seccomp-bpf", MFD_CLOEXEC);
  if (fd < 0) return husk_fail_errno(err, NULL, "memfd_create");
  int ret = seccomp_export_bpf(ctx, fd);
  if (ret < 0) return husk_fail(err, -ret, NULL, "seccomp_export_bpf");
  struct stat st;
  if (fstat(fd, &st) < 0) return husk_fail_errno(err, NULL, "fstat seccomp memfd");
  size_t len = (size_t)st.st_size;
  if (len == 0 || len % 8 != 0)
    return husk_fail(err, EINVAL, NULL, "seccomp_export_bpf: odd program size %zu", len);
  if (len / 8 > SC_BPF_MAXINSNS)
    return husk_fail(err, E2BIG, NULL,
                     "seccomp: the filter has %zu instructions, the kernel takes at most %d",
                     len / 8, SC_BPF_MAXINSNS);
  uint8_t *buf = malloc(len);
  if (!buf) return husk_fail(err, ENOMEM, NULL, "compileSeccomp: out of memory");
  size_t got = 0;
  while (got < len) {
    ssize_t n = pread(fd, buf + got, len - got, (off_t)got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int e = n < 0 ? errno : EIO;
      free(buf);
      return husk_fail(err, e, NULL, "read seccomp memfd");
    }
    got += (size_t)n;
  }
  res->bpf = buf;
  res->bpf_len = len;
  return 0;
}

/* Parse `input` (modified in place) and compile it. On success res->bpf is malloc'd. */
static int sc_compile(char *input, size_t input_len, struct sc_result *res, husk_error_t *err) {
  struct sc_reader r = {.pos = input, .end = input + input_len, .line = 0};
  uint64_t v;
  int ret;

  if ((ret = sc_expect(&r, "husk-seccomp", 1, err)) < 0) return ret;
  if (strcmp(r.tok[1], "1") != 0) return sc_bad(err, &r, "unsupported encoding version");

  if ((ret = sc_expect(&r, "default", 1, err)) < 0) return ret;
  if ((ret = sc_u64(&r, r.tok[1], UINT32_MAX, &v, "default action", err)) < 0) return ret;
  uint32_t def_action = (uint32_t)v;
  if (!sc_action_valid(def_action)) return sc_bad(err, &r, "invalid default action");
  if (def_action == SCMP_ACT_NOTIFY)
    return sc_bad(err, &r, "SCMP_ACT_NOTIFY cannot be the default action");

  if ((ret = sc_expect(&r, "flags", 1, err)) < 0) return ret;
  if ((ret = sc_u64(&r, r.tok[1], SC_FLAGS_KNOWN, &v, "flags", err)) < 0) return ret;
  uint32_t flags = (uint32_t)v;

  cleanup_scmp scmp_filter_ctx ctx = seccomp_init(def_action);
  if (!ctx) {
    char what[64];
    snprintf(what, sizeof(what), "default action 0x%08x", def_action);
    return husk_fail(err, EINVAL, what, "seccomp_init");
  }
  ret = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
  if (ret < 0) return husk_fail(err, -ret, "SCMP_FLTATR_CTL_NNP", "seccomp_attr_set");

  unsigned narches = 0, nrules = 0;
  int notify = 0;
  for (;;) {
    int n = sc_next(&r, err);
    if (n < 0) return n;
    const char *key = r.tok[0];

    if (strcmp(key, "end") == 0) {
      if (n != 1) return sc_bad(err, &r, "\"end\" takes no fields");
      break;
    }

    if (strcmp(key, "arch") == 0) {
      if (n != 2) return sc_bad(err, &r, "\"arch\" takes one field");
      if (nrules) return sc_bad(err, &r, "\"arch\" after the first rule");
      if (++narches > SC_MAX_ARCHES) return sc_bad(err, &r, "too many architectures");
      if ((ret = sc_u64(&r, r.tok[1], UINT32_MAX, &v, "arch", err)) < 0) return ret;
      if (v == 0) return sc_bad(err, &r, "arch token 0 (native) is implied");
      ret = seccomp_arch_add(ctx, (uint32_t)v);
      if (ret < 0 && ret != -EEXIST) {
        char what[128];
        /* EDOM: libseccomp cannot mix byte orders in one filter (native + foreign). */
        snprintf(what, sizeof(what), "architecture token 0x%08" PRIx64 "%s", v,
                 ret == -EDOM ? " (byte order differs from this host's)" : "");
        return husk_fail(err, -ret, what, "seccomp_arch_add");
      }
      continue;
    }

    if (strcmp(key, "rule") != 0) return sc_bad(err, &r, "expected \"rule\", \"arch\" or \"end\"");
    if (n != 5) return sc_bad(err, &r, "\"rule\" takes four fields");
    if (++nrules > SC_MAX_RULES) return sc_bad(err, &r, "too many rules");

    struct sc_rule rule = {0};
    uint64_t nargs, nnames;
    if ((ret = sc_u64(&r, r.tok[1], UINT32_MAX, &rule.source, "rule source", err)) < 0) return ret;
    if ((ret = sc_u64(&r, r.tok[2], UINT32_MAX, &v, "rule action", err)) < 0) return ret;
    rule.action = (uint32_t)v;
    if (!sc_action_valid(rule.action)) return sc_bad(err, &r, "invalid rule action");
    if ((ret = sc_u64(&r, r.tok[3], SC_MAX_ARGS, &nargs, "rule nargs", err)) < 0) return ret;
    if ((ret = sc_u64(&r, r.tok[4], SC_MAX_NAMES, &nnames, "rule nnames", err)) < 0) return ret;
    if (nnames == 0) return sc_bad(err, &r, "a rule needs at least one name");
    rule.nargs = (unsigned)nargs;

    for (unsigned i = 0; i < rule.nargs; i++) {
      uint64_t index, op, a, b;
      if ((ret = sc_expect(&r, "arg", 4, err)) < 0) return ret;
      if ((ret = sc_u64(&r, r.tok[1], 5, &index, "arg index", err)) < 0) return ret;
      if ((ret = sc_u64(&r, r.tok[2], SCMP_CMP_MASKED_EQ, &op, "arg op", err)) < 0) return ret;
      if (op < SCMP_CMP_NE) return sc_bad(err, &r, "arg op: 0 is not a comparison");
      if ((ret = sc_u64(&r, r.tok[3], UINT64_MAX, &a, "arg value", err)) < 0) return ret;
      if ((ret = sc_u64(&r, r.tok[4], UINT64_MAX, &b, "arg valueTwo", err)) < 0) return ret;
      rule.args[i] = (struct scmp_arg_cmp){
          .arg = (unsigned)index, .op = (enum scmp_compare)op, .datum_a = a, .datum_b = b};
      for (unsigned j = 0; j < i; j++)
        if (rule.args[j].arg == rule.args[i].arg) rule.split = 1;
    }

    /* libseccomp refuses a rule that repeats the default action; it changes nothing. */
    int skip = rule.action == def_action;
    if (!skip && rule.action == SCMP_ACT_NOTIFY) notify = 1;
    for (uint64_t i = 0; i < nnames; i++) {
      if ((ret = sc_expect(&r, "name", 1, err)) < 0) return ret;
      if (!sc_name_valid(r.tok[1])) return sc_bad(err, &r, "invalid syscall name");
      if (skip) continue;
      if ((ret = sc_add_name(ctx, &rule, r.tok[1], res, err)) < 0) return ret;
    }
  }
  if (r.pos < r.end) {
    r.line++;
    return sc_bad(err, &r, "data after \"end\"");
  }

  if (notify) {
    flags |= SC_FLAG_NEW_LISTENER;
    flags &= ~SC_FLAG_TSYNC;
  } else {
    flags &= ~(SC_FLAG_NEW_LISTENER | SC_FLAG_WAIT_KILLABLE_RECV);
  }
  res->flags = flags;
  return sc_export(ctx, res, err);
}

/* ---- N-API -------------------------------------------------------------------------- */

static napi_value js_compile_seccomp(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1) {
    napi_throw_type_error(env, NULL, "compileSeccomp(encoded): encoded must be a string");
    return NULL;
  }
  size_t len = 0;
  if (napi_get_value_string_utf8(env, argv[0], NULL, 0, &len) != napi_ok) {
    napi_throw_type_error(env, NULL, "compileSeccomp(encoded): encoded must be a string");
    return NULL;
  }
  if (len > SC_MAX_INPUT) {
    husk_napi_throw_plain(env, "compileSeccomp: encoded profile is larger than 16 MiB");
    return NULL;
  }
  cleanup_free char *input = husk_napi_arg_string(env, argv[0], "encoded");
  if (!input) return NULL;
  if (memchr(input, '\0', len)) {
    husk_napi_throw_plain(env, "compileSeccomp: encoded profile contains a NUL byte");
    return NULL;
  }

  husk_error_t err;
  husk_error_clear(&err);
  struct sc_result res = {0};
  int ret = sc_compile(input, len, &res, &err);
  if (ret < 0) {
    free(res.bpf);
    free(res.unknown.buf);
    if (err.errnum)
      husk_napi_throw_errno(env, err.errnum, err.msg, err.path);
    else
      husk_napi_throw_plain(env, err.msg);
    return NULL;
  }

  napi_value out, bpf, unknown;
  napi_status st = napi_create_object(env, &out);
  if (st == napi_ok) st = napi_create_buffer_copy(env, res.bpf_len, res.bpf, NULL, &bpf);
  if (st == napi_ok) st = napi_create_array_with_length(env, res.unknown.count, &unknown);
  uint32_t i = 0;
  for (size_t off = 0; st == napi_ok && off < res.unknown.len; i++) {
    napi_value s;
    st = napi_create_string_utf8(env, res.unknown.buf + off, NAPI_AUTO_LENGTH, &s);
    if (st == napi_ok) st = napi_set_element(env, unknown, i, s);
    off += strlen(res.unknown.buf + off) + 1;
  }
  if (st == napi_ok) st = napi_set_named_property(env, out, "bpf", bpf);
  if (st == napi_ok) st = napi_set_named_property(env, out, "flags", husk_napi_int(env, res.flags));
  if (st == napi_ok) st = napi_set_named_property(env, out, "unknownSyscalls", unknown);
  free(res.bpf);
  free(res.unknown.buf);
  if (st != napi_ok) {
    husk_napi_throw_plain(env, "compileSeccomp: could not build the result object");
    return NULL;
  }
  return out;
}

void husk_addon_register_seccomp(napi_env env, napi_value exports) {
  husk_napi_export(env, exports, "compileSeccomp", js_compile_seccomp);
}
