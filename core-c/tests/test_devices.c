/* The cgroup v2 device filter, run through a small interpreter of the instructions it
 * uses, so that the rule semantics are tested without loading anything into a kernel. */
#include <linux/bpf.h>
#include <stdint.h>
#include <string.h>

#include "cgroup_devices.h"
#include "tap.h"

static int run(const struct bpf_insn *p, int len, uint32_t type, uint32_t access, uint32_t major, uint32_t minor) {
  uint64_t r[11] = {0};
  uint32_t ctx[3] = {access << 16 | type, major, minor};
  for (int pc = 0; pc < len; pc++) {
    const struct bpf_insn *i = &p[pc];
    switch (i->code) {
      case BPF_LDX | BPF_MEM | BPF_W: r[i->dst_reg] = ctx[i->off / 4]; break;
      case BPF_ALU | BPF_AND | BPF_K: r[i->dst_reg] = (uint32_t)(r[i->dst_reg] & (uint32_t)i->imm); break;
      case BPF_ALU | BPF_RSH | BPF_K: r[i->dst_reg] = (uint32_t)r[i->dst_reg] >> i->imm; break;
      case BPF_ALU64 | BPF_MOV | BPF_X: r[i->dst_reg] = r[i->src_reg]; break;
      case BPF_ALU64 | BPF_MOV | BPF_K: r[i->dst_reg] = (uint64_t)(int64_t)i->imm; break;
      case BPF_JMP | BPF_JNE | BPF_K: if (r[i->dst_reg] != (uint64_t)(int64_t)i->imm) pc += i->off; break;
      case BPF_JMP | BPF_EXIT: return (int)r[0];
      default: return -1;
    }
  }
  return -2;
}

#define CHR BPF_DEVCG_DEV_CHAR
#define BLK BPF_DEVCG_DEV_BLOCK
#define R BPF_DEVCG_ACC_READ
#define W BPF_DEVCG_ACC_WRITE
#define M BPF_DEVCG_ACC_MKNOD

int main(void) {
  struct bpf_insn prog[256];
  husk_error_t err;
  struct husk_dev_rule rules[] = {
    {.allow = 0, .type = 'a', .major = -1, .minor = -1, .access = 7},
    {.allow = 1, .type = 'c', .major = 1, .minor = 3, .access = R | W},
    {.allow = 1, .type = 'c', .major = 136, .minor = -1, .access = 7},
    {.allow = 1, .type = 'c', .major = -1, .minor = -1, .access = M},
    {.allow = 0, .type = 'c', .major = 136, .minor = 5, .access = 7},
  };
  int len = husk_devices_program(rules, 5, prog, 256, &err);
  ok(len > 0, "program built (%d instructions)", len);
  ok(run(prog, len, CHR, R | W, 1, 3) == 1, "/dev/null read+write allowed");
  ok(run(prog, len, CHR, M, 1, 3) == 1, "mknod of any char device allowed by the wildcard rule");
  ok(run(prog, len, CHR, R | M, 1, 3) == 0, "read+mknod in one request needs one rule covering both");
  ok(run(prog, len, CHR, R, 136, 7) == 1, "pts wildcard minor");
  ok(run(prog, len, CHR, R, 136, 5) == 0, "a later deny overrides an earlier allow");
  ok(run(prog, len, BLK, R, 8, 0) == 0, "block device denied by default");
  ok(run(prog, len, CHR, R, 10, 200) == 0, "char device without a rule denied");

  struct husk_dev_rule allow_all[] = {{.allow = 1, .type = 'a', .major = -1, .minor = -1, .access = 7},
                                      {.allow = 0, .type = 'b', .major = 8, .minor = -1, .access = W}};
  len = husk_devices_program(allow_all, 2, prog, 256, &err);
  ok(run(prog, len, CHR, R | W, 4, 1) == 1, "allow-all default");
  ok(run(prog, len, BLK, W, 8, 1) == 0, "write to sd* denied on top of allow-all");
  ok(run(prog, len, BLK, R, 8, 1) == 1, "read of sd* still allowed");

  struct husk_dev_rule reset[] = {{.allow = 1, .type = 'c', .major = 1, .minor = 3, .access = 7},
                                  {.allow = 0, .type = 'a', .major = -1, .minor = -1, .access = 7}};
  len = husk_devices_program(reset, 2, prog, 256, &err);
  ok(run(prog, len, CHR, R, 1, 3) == 0, "an 'a' rule drops the rules before it");

  ok(husk_devices_program(rules, 5, prog, 10, &err) < 0 && strstr(err.msg, "too many"), "capacity is enforced: %s", err.msg);
  return done_testing();
}
