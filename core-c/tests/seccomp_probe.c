/* seccomp_probe: load a classic-BPF seccomp filter into this process, then try some
 * syscalls and print what each returned. Used by test/integration/seccomp-compile.test.ts
 * to prove that the BPF compileSeccomp produces behaves as the profile says.
 *
 *   seccomp_probe <bpf-file> <seccomp-flags> <probe>...
 *
 * Output: "loaded", then one line a probe: "<probe> ok" or "<probe> <ERRNO-NAME>".
 * Exit 0 after all probes ran; 2 on a usage error; 3 if the filter could not be loaded.
 * Needs no privileges: PR_SET_NO_NEW_PRIVS allows an unprivileged process a filter.
 *
 * Probes (numbers are decimal or 0x-hex):
 *   getpid                 getpid()
 *   mkdir:<path>           mkdir(path, 0700), then rmdir(path) if it succeeded
 *   socket:<domain>:<type> socket(domain, type, 0), then close
 *   personality:<n>        personality(n) (0xffffffff only queries)
 *   unshare:<flags>        unshare(flags)
 *   clone3                 clone3(NULL, 0): EINVAL when allowed, the filter's errno if not
 *   keyctl                 keyctl(KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0) */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef __NR_clone3
#define __NR_clone3 435
#endif

static unsigned long num(const char *s) {
  char *end;
  errno = 0;
  unsigned long v = strtoul(s, &end, 0);
  if (errno || *end) {
    fprintf(stderr, "seccomp_probe: bad number \"%s\"\n", s);
    exit(2);
  }
  return v;
}

static void report(const char *probe, long ret, int err) {
  if (ret >= 0) {
    printf("%s ok\n", probe);
  } else {
    const char *name = strerrorname_np(err);
    printf("%s %s\n", probe, name ? name : "E?");
  }
}

static void run(const char *probe) {
  char buf[256];
  snprintf(buf, sizeof(buf), "%s", probe);
  char *arg = strchr(buf, ':');
  if (arg) *arg++ = '\0';
  long ret;

  errno = 0;
  if (strcmp(buf, "getpid") == 0) {
    ret = syscall(SYS_getpid);
  } else if (strcmp(buf, "mkdir") == 0 && arg) {
    ret = mkdir(arg, 0700);
    int e = errno;
    if (ret == 0) rmdir(arg);
    errno = e;
  } else if (strcmp(buf, "socket") == 0 && arg && strchr(arg, ':')) {
    char *type = strchr(arg, ':');
    *type++ = '\0';
    ret = socket((int)num(arg), (int)num(type), 0);
    int e = errno;
    if (ret >= 0) close((int)ret);
    errno = e;
  } else if (strcmp(buf, "personality") == 0 && arg) {
    ret = syscall(SYS_personality, num(arg));
  } else if (strcmp(buf, "unshare") == 0 && arg) {
    ret = syscall(SYS_unshare, num(arg));
  } else if (strcmp(buf, "clone3") == 0) {
    ret = syscall(__NR_clone3, NULL, 0);
  } else if (strcmp(buf, "keyctl") == 0) {
    ret = syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3 /* session keyring */, 0);
  } else {
    fprintf(stderr, "seccomp_probe: unknown probe \"%s\"\n", probe);
    exit(2);
  }
  report(probe, ret, errno);
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: seccomp_probe <bpf-file> <flags> <probe>...\n");
    return 2;
  }
  static struct sock_filter insns[BPF_MAXINSNS];
  int fd = open(argv[1], O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    fprintf(stderr, "seccomp_probe: open %s: %s\n", argv[1], strerror(errno));
    return 2;
  }
  ssize_t n = read(fd, insns, sizeof(insns));
  close(fd);
  if (n <= 0 || n % (ssize_t)sizeof(struct sock_filter) != 0) {
    fprintf(stderr, "seccomp_probe: %s: not a BPF program (%zd bytes)\n", argv[1], n);
    return 2;
  }
  struct sock_fprog prog = {.len = (unsigned short)(n / (ssize_t)sizeof(struct sock_filter)),
                            .filter = insns};
  unsigned long flags = num(argv[2]);

  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
    printf("load %s\n", strerrorname_np(errno));
    return 3;
  }
  if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog) < 0) {
    printf("load %s\n", strerrorname_np(errno));
    return 3;
  }
  printf("loaded\n");
  for (int i = 3; i < argc; i++) run(argv[i]);
  fflush(stdout);
  return 0;
}
