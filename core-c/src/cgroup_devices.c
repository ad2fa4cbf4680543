#include "cgroup_devices.h"

#include <errno.h>
#include <linux/bpf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cleanup.h"

/* Minimal instruction builders (the kernel's filter.h macros are not exported). */
#define INSN(c, d, s, o, i) ((struct bpf_insn){.code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i)})
#define LDX_W(dst, src, off) INSN(BPF_LDX | BPF_MEM | BPF_W, dst, src, off, 0)
#define ALU32_IMM(op, dst, imm) INSN(BPF_ALU | (op) | BPF_K, dst, 0, 0, imm)
#define ALU64_IMM(op, dst, imm) INSN(BPF_ALU64 | (op) | BPF_K, dst, 0, 0, imm)
#define MOV64_REG(dst, src) INSN(BPF_ALU64 | BPF_MOV | BPF_X, dst, src, 0, 0)
#define JMP_IMM(op, dst, imm, off) INSN(BPF_JMP | (op) | BPF_K, dst, 0, off, imm)
#define MOV_IMM(dst, imm) INSN(BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, imm)
#define EXIT() INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

/* Registers after the prologue: r2 device type, r3 requested access, r4 major, r5 minor. */
int husk_devices_program(const struct husk_dev_rule *rules, size_t n, struct bpf_insn *out, size_t cap, husk_error_t *err) {
  size_t len = 0;
#define EMIT(x) do { if (len >= cap) return husk_fail(err, E2BIG, "linux.resources.devices", "too many device rules"); out[len++] = (x); } while (0)
  /* r1 = ctx: u32 access_type (access << 16 | type), u32 major, u32 minor */
  EMIT(LDX_W(BPF_REG_2, BPF_REG_1, 0));
  EMIT(ALU32_IMM(BPF_AND, BPF_REG_2, 0xFFFF));
  EMIT(LDX_W(BPF_REG_3, BPF_REG_1, 0));
  EMIT(ALU32_IMM(BPF_RSH, BPF_REG_3, 16));
  EMIT(LDX_W(BPF_REG_4, BPF_REG_1, 4));
  EMIT(LDX_W(BPF_REG_5, BPF_REG_1, 8));

  /* The last 'a' rule decides the default; rules before it no longer matter. The rest
   * are checked newest first, so that a later rule overrides an earlier one. */
  size_t start = 0;
  int deflt = 0;
  for (size_t i = 0; i < n; i++)
    if (rules[i].type == 'a') { start = i + 1; deflt = rules[i].allow; }
  for (size_t k = n; k > start; k--) {
    const struct husk_dev_rule *r = &rules[k - 1];
    /* Each block: tests that jump to the block's end on mismatch, then return allow. */
    struct bpf_insn block[12];
    size_t b = 0;
    int type = r->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR;
    block[b++] = JMP_IMM(BPF_JNE, BPF_REG_2, type, 0);
    /* requested access must be within the rule's: (r3 & ~access) == 0 */
    block[b++] = MOV64_REG(BPF_REG_6, BPF_REG_3);
    block[b++] = ALU32_IMM(BPF_AND, BPF_REG_6, (int32_t)(~r->access & 7));
    block[b++] = JMP_IMM(BPF_JNE, BPF_REG_6, 0, 0);
    if (r->major >= 0) block[b++] = JMP_IMM(BPF_JNE, BPF_REG_4, (int32_t)r->major, 0);
    if (r->minor >= 0) block[b++] = JMP_IMM(BPF_JNE, BPF_REG_5, (int32_t)r->minor, 0);
    block[b++] = MOV_IMM(BPF_REG_0, r->allow ? 1 : 0);
    block[b++] = EXIT();
    /* Every conditional jump skips to just past this block. */
    for (size_t j = 0; j < b; j++)
      if (BPF_CLASS(block[j].code) == BPF_JMP && BPF_OP(block[j].code) == BPF_JNE) block[j].off = (int16_t)(b - j - 1);
    for (size_t j = 0; j < b; j++) EMIT(block[j]);
  }
  EMIT(MOV_IMM(BPF_REG_0, deflt));
  EMIT(EXIT());
#undef EMIT
  return (int)len;
}

static long bpf(int cmd, union bpf_attr *attr) { return syscall(SYS_bpf, cmd, attr, sizeof(*attr)); }

int husk_devices_attach(int cgroup_fd, const struct husk_dev_rule *rules, size_t n, husk_error_t *err) {
  size_t cap = 8 + n * 12;
  cleanup_free struct bpf_insn *prog = calloc(cap, sizeof(*prog));
  if (!prog) return husk_fail(err, ENOMEM, "linux.resources.devices", "allocate device program");
  int len = husk_devices_program(rules, n, prog, cap, err);
  if (len < 0) return len;
  union bpf_attr load;
  memset(&load, 0, sizeof(load));
  load.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
  load.insns = (uint64_t)(uintptr_t)prog;
  load.insn_cnt = (uint32_t)len;
  load.license = (uint64_t)(uintptr_t) "GPL";
  /* No verifier log on the normal path: a log that overflows its buffer fails the load
   * with ENOSPC. Only when the load fails is it repeated to learn why. */
  cleanup_fd int prog_fd = (int)bpf(BPF_PROG_LOAD, &load);
  if (prog_fd < 0) {
    int e = errno;
    static char log[65536];
    load.log_buf = (uint64_t)(uintptr_t)log;
    load.log_size = sizeof(log);
    load.log_level = 1;
    int again = (int)bpf(BPF_PROG_LOAD, &load);
    if (again >= 0) close(again);
    log[sizeof(log) - 1] = 0;
    /* The verifier's last line says what it refused. */
    char *last = log + strlen(log);
    while (last > log && (last[-1] == '\n')) *--last = 0;
    char *line = strrchr(log, '\n');
    return husk_fail(err, e, "linux.resources.devices", "load the device filter (%d instructions): %.200s", len,
                     line ? line + 1 : log);
  }
  union bpf_attr attach;
  memset(&attach, 0, sizeof(attach));
  attach.target_fd = (uint32_t)cgroup_fd;
  attach.attach_bpf_fd = (uint32_t)prog_fd;
  attach.attach_type = BPF_CGROUP_DEVICE;
  attach.attach_flags = BPF_F_ALLOW_MULTI;
  if (bpf(BPF_PROG_ATTACH, &attach) < 0) return husk_fail_errno(err, "linux.resources.devices", "attach the device filter to the cgroup");
  return 0;
}
