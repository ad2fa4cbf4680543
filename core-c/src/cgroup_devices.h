/* Device rules on cgroup v2: an eBPF BPF_CGROUP_DEVICE program built from the rules and
 * attached to the container's cgroup (cgroup v1 has the devices controller instead). */
#ifndef HUSK_CGROUP_DEVICES_H
#define HUSK_CGROUP_DEVICES_H
#include <stddef.h>
#include <stdint.h>
#include "error.h"

struct husk_dev_rule {
  int allow;
  char type;      /* 'a', 'c' or 'b' */
  int64_t major;  /* -1: any */
  int64_t minor;  /* -1: any */
  uint32_t access; /* BPF_DEVCG_ACC_* bits: mknod 1, read 2, write 4 */
};

struct bpf_insn;
/* Translate rules (in config order; later rules win, an 'a' rule sets the default) into
 * a program. Returns the number of instructions written into out (cap entries), or <0. */
int husk_devices_program(const struct husk_dev_rule *rules, size_t n, struct bpf_insn *out, size_t cap, husk_error_t *err);
/* Load the program and attach it to the cgroup directory fd. */
int husk_devices_attach(int cgroup_fd, const struct husk_dev_rule *rules, size_t n, husk_error_t *err);
#endif
