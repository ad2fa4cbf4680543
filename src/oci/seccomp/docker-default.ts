/**
 * Docker's default seccomp profile (moby/profiles, seccomp/default.json), as an OCI
 * `linux.seccomp` object built for one host architecture and one capability set.
 *
 * The profile is an allow-list: anything not listed fails with EPERM. Some entries only
 * apply on some architectures, only when the container holds a capability, or only when
 * it does not; docker resolves those conditions when it builds the container's spec, and
 * so does `dockerDefaultSeccomp`. The lists of syscall names are docker's; this file only
 * arranges them.
 *
 * Source revision: moby/profiles after the switch from "socket: anything but AF_VSOCK"
 * to an explicit list of socket domains, and after the kernel keyring calls (add_key,
 * keyctl, request_key) were dropped from the allow-list.
 */
import { release } from "node:os";

import type { LinuxSeccomp, LinuxSeccompArch, LinuxSyscall } from "./types.ts";

const EPERM = 1;
const ENOSYS = 38;

/** Whitespace-separated names -> array; keeps the long lists readable. */
const names = (s: string): string[] => s.split(/\s+/).filter(Boolean);

/** Allowed for every container on every architecture. */
const BASE_ALLOWED = names(`
  accept accept4 access adjtimex alarm bind brk cachestat capget capset chdir chmod chown
  chown32 clock_adjtime clock_adjtime64 clock_getres clock_getres_time64 clock_gettime
  clock_gettime64 clock_nanosleep clock_nanosleep_time64 close close_range connect
  copy_file_range creat dup dup2 dup3 epoll_create epoll_create1 epoll_ctl epoll_ctl_old
  epoll_pwait epoll_pwait2 epoll_wait epoll_wait_old eventfd eventfd2 execve execveat exit
  exit_group faccessat faccessat2 fadvise64 fadvise64_64 fallocate fanotify_mark fchdir
  fchmod fchmodat fchmodat2 fchown fchown32 fchownat fcntl fcntl64 fdatasync fgetxattr
  flistxattr flock fork fremovexattr fsetxattr fstat fstat64 fstatat64 fstatfs fstatfs64
  fsync ftruncate ftruncate64 futex futex_requeue futex_time64 futex_wait futex_waitv
  futex_wake futimesat getcpu getcwd getdents getdents64 getegid getegid32 geteuid
  geteuid32 getgid getgid32 getgroups getgroups32 getitimer getpeername getpgid getpgrp
  getpid getppid getpriority getrandom getresgid getresgid32 getresuid getresuid32
  getrlimit get_robust_list getrusage getsid getsockname getsockopt get_thread_area gettid
  gettimeofday getuid getuid32 getxattr getxattrat inotify_add_watch inotify_init
  inotify_init1 inotify_rm_watch io_cancel ioctl io_destroy io_getevents io_pgetevents
  io_pgetevents_time64 ioprio_get ioprio_set io_setup io_submit ipc kill landlock_add_rule
  landlock_create_ruleset landlock_restrict_self lchown lchown32 lgetxattr link linkat
  listen listmount listxattr listxattrat llistxattr _llseek lremovexattr lseek lsetxattr
  lstat lstat64 madvise map_shadow_stack membarrier memfd_create memfd_secret mincore mkdir
  mkdirat mknod mknodat mlock mlock2 mlockall mmap mmap2 mprotect mq_getsetattr mq_notify
  mq_open mq_timedreceive mq_timedreceive_time64 mq_timedsend mq_timedsend_time64
  mq_unlink mremap mseal msgctl msgget msgrcv msgsnd msync munlock munlockall munmap
  name_to_handle_at nanosleep newfstatat _newselect open openat openat2 pause pidfd_open
  pidfd_send_signal pipe pipe2 pkey_alloc pkey_free pkey_mprotect poll ppoll ppoll_time64
  prctl pread64 preadv preadv2 prlimit64 process_mrelease pselect6 pselect6_time64 pwrite64
  pwritev pwritev2 read readahead readlink readlinkat readv recv recvfrom recvmmsg
  recvmmsg_time64 recvmsg remap_file_pages removexattr removexattrat rename renameat
  renameat2 restart_syscall riscv_hwprobe rmdir rseq rt_sigaction rt_sigpending
  rt_sigprocmask rt_sigqueueinfo rt_sigreturn rt_sigsuspend rt_sigtimedwait
  rt_sigtimedwait_time64 rt_tgsigqueueinfo sched_getaffinity sched_getattr sched_getparam
  sched_get_priority_max sched_get_priority_min sched_getscheduler sched_rr_get_interval
  sched_rr_get_interval_time64 sched_setaffinity sched_setattr sched_setparam
  sched_setscheduler sched_yield seccomp select semctl semget semop semtimedop
  semtimedop_time64 send sendfile sendfile64 sendmmsg sendmsg sendto setfsgid setfsgid32
  setfsuid setfsuid32 setgid setgid32 setgroups setgroups32 setitimer setpgid setpriority
  setregid setregid32 setresgid setresgid32 setresuid setresuid32 setreuid setreuid32
  setrlimit set_robust_list setsid setsockopt set_thread_area set_tid_address setuid
  setuid32 setxattr setxattrat shmat shmctl shmdt shmget shutdown sigaltstack signalfd
  signalfd4 sigprocmask sigreturn socketcall socketpair splice stat stat64 statfs statfs64
  statmount statx symlink symlinkat sync sync_file_range syncfs sysinfo tee tgkill time
  timer_create timer_delete timer_getoverrun timer_gettime timer_gettime64 timer_settime
  timer_settime64 timerfd_create timerfd_gettime timerfd_gettime64 timerfd_settime
  timerfd_settime64 times tkill truncate truncate64 ugetrlimit umask uname unlink unlinkat
  uretprobe utime utimensat utimensat_time64 utimes vfork vmsplice wait4 waitid waitpid
  write writev
`);

/**
 * socket(2) domains docker allows (linux/socket.h numbers). Left out on purpose:
 * AF_ALG (38, kernel crypto API, no use in general containers) and AF_VSOCK (40,
 * host/guest sockets that are not namespaced by default). Left out because the kernel
 * dropped them: AF_DECnet 12, AF_ECONET 19, AF_ATMSVC 20, AF_IRDA 23, AF_WANPIPE 25,
 * AF_ISDN 34, AF_CAIF 37.
 */
export const DOCKER_SOCKET_DOMAINS: readonly number[] = [
  1, // AF_UNIX
  2, // AF_INET
  3, // AF_AX25
  4, // AF_IPX
  5, // AF_APPLETALK
  6, // AF_NETROM
  7, // AF_BRIDGE
  8, // AF_ATMPVC
  9, // AF_X25
  10, // AF_INET6
  11, // AF_ROSE
  13, // AF_NETBEUI
  14, // AF_SECURITY
  15, // AF_KEY
  16, // AF_NETLINK
  17, // AF_PACKET
  18, // AF_ASH
  21, // AF_RDS
  22, // AF_SNA
  24, // AF_PPPOX
  26, // AF_LLC
  27, // AF_IB
  28, // AF_MPLS
  29, // AF_CAN
  30, // AF_TIPC
  31, // AF_BLUETOOTH
  32, // AF_IUCV
  33, // AF_RXRPC
  35, // AF_PHONET
  36, // AF_IEEE802154
  39, // AF_NFC
  41, // AF_KCM
  42, // AF_QIPCRTR
  43, // AF_SMC
  44, // AF_XDP
  45, // AF_MCTP
];

/**
 * One allow rule per domain, except that the unbroken run starting at AF_UNIX becomes a
 * single `domain < end` test (AF_UNSPEC, 0, cannot be created anyway). Runtimes OR
 * several tests on one argument, so a bounded range in the middle cannot be expressed
 * as one rule and stays a list of equalities.
 */
function socketRules(domains: readonly number[]): LinuxSyscall[] {
  const sorted = [...new Set(domains)].sort((a, b) => a - b);
  const rules: LinuxSyscall[] = [];
  let i = 0;
  if (sorted[0] === 1 && sorted[1] === 2) {
    while (i + 1 < sorted.length && sorted[i + 1] === sorted[i]! + 1) i++;
    rules.push({ names: ["socket"], action: "SCMP_ACT_ALLOW", args: [{ index: 0, value: sorted[i]! + 1, op: "SCMP_CMP_LT" }] });
    i++;
  }
  for (; i < sorted.length; i++)
    rules.push({ names: ["socket"], action: "SCMP_ACT_ALLOW", args: [{ index: 0, value: sorted[i]!, op: "SCMP_CMP_EQ" }] });
  return rules;
}

/** clone(2) flags that create namespaces: without CAP_SYS_ADMIN, clone may not pass any. */
const CLONE_NAMESPACE_FLAGS =
  0x00020000 /* NEWNS */ |
  0x04000000 /* NEWUTS */ |
  0x08000000 /* NEWIPC */ |
  0x10000000 /* NEWUSER */ |
  0x20000000 /* NEWPID */ |
  0x40000000 /* NEWNET */ |
  0x02000000; /* NEWCGROUP */

/** personality(2) values a container may set: PER_LINUX (0), PER_LINUX32 (8), UNAME26
 * (0x20000), UNAME26|PER_LINUX32, and 0xffffffff (which only queries). */
const PERSONALITIES = [0x0, 0x0008, 0x20000, 0x20008, 0xffffffff];

/** When an entry applies. `arches` use the names in PROFILE_ARCH, as docker's profile does. */
interface Condition {
  caps?: string[];
  arches?: string[];
  minKernel?: [number, number];
}

interface Entry {
  rule: LinuxSyscall;
  /** every listed condition must hold (all caps held, host arch listed, kernel new enough) */
  includes?: Condition;
  /** the entry is dropped if any listed condition holds */
  excludes?: Condition;
}

const allow = (list: string[] | string, includes?: Condition, excludes?: Condition): Entry => ({
  rule: { names: typeof list === "string" ? names(list) : list, action: "SCMP_ACT_ALLOW" },
  includes,
  excludes,
});
const withCap = (cap: string, list: string): Entry => allow(list, { caps: [cap] });
const onArch = (arches: string[], list: string): Entry => allow(list, { arches });

const cloneWithoutNamespaces = (argIndex: number): LinuxSyscall => ({
  names: ["clone"],
  action: "SCMP_ACT_ALLOW",
  args: [{ index: argIndex, value: CLONE_NAMESPACE_FLAGS, valueTwo: 0, op: "SCMP_CMP_MASKED_EQ" }],
});

const ENTRIES: Entry[] = [
  allow(BASE_ALLOWED),
  allow("process_vm_readv process_vm_writev ptrace", { minKernel: [4, 8] }),
  ...socketRules(DOCKER_SOCKET_DOMAINS).map((rule) => ({ rule })),
  ...PERSONALITIES.map((p) => ({
    rule: { names: ["personality"], action: "SCMP_ACT_ALLOW", args: [{ index: 0, value: p, op: "SCMP_CMP_EQ" }] } satisfies LinuxSyscall,
  })),
  onArch(["ppc64le"], "sync_file_range2 swapcontext"),
  onArch(["arm", "arm64"], "arm_fadvise64_64 arm_sync_file_range sync_file_range2 breakpoint cacheflush set_tls"),
  onArch(["amd64", "x32"], "arch_prctl"),
  onArch(["amd64", "x32", "x86"], "modify_ldt"),
  onArch(["s390", "s390x"], "s390_pci_mmio_read s390_pci_mmio_write s390_runtime_instr"),
  onArch(["riscv64"], "riscv_flush_icache"),
  withCap("CAP_DAC_READ_SEARCH", "open_by_handle_at"),
  withCap(
    "CAP_SYS_ADMIN",
    `bpf clone clone3 fanotify_init fsconfig fsmount fsopen fspick lookup_dcookie
     lsm_get_self_attr lsm_list_modules lsm_set_self_attr mount mount_setattr move_mount
     open_tree perf_event_open quotactl quotactl_fd setdomainname sethostname setns syslog
     umount umount2 unshare`,
  ),
  { rule: cloneWithoutNamespaces(0), excludes: { caps: ["CAP_SYS_ADMIN"], arches: ["s390", "s390x"] } },
  // s390 passes clone's flags as the second argument.
  { rule: cloneWithoutNamespaces(1), includes: { arches: ["s390", "s390x"] }, excludes: { caps: ["CAP_SYS_ADMIN"] } },
  // Without CAP_SYS_ADMIN, clone3 fails with ENOSYS so that libc falls back to clone,
  // whose flags the rule above can inspect (clone3 passes them behind a pointer).
  { rule: { names: ["clone3"], action: "SCMP_ACT_ERRNO", errnoRet: ENOSYS }, excludes: { caps: ["CAP_SYS_ADMIN"] } },
  withCap("CAP_SYS_BOOT", "reboot"),
  withCap("CAP_SYS_CHROOT", "chroot"),
  withCap("CAP_SYS_MODULE", "delete_module init_module finit_module"),
  withCap("CAP_SYS_PACCT", "acct"),
  withCap("CAP_SYS_PTRACE", "kcmp pidfd_getfd process_madvise process_vm_readv process_vm_writev ptrace"),
  withCap("CAP_SYS_RAWIO", "iopl ioperm"),
  withCap("CAP_SYS_TIME", "settimeofday stime clock_settime clock_settime64"),
  withCap("CAP_SYS_TTY_CONFIG", "vhangup"),
  withCap("CAP_SYS_NICE", "get_mempolicy mbind set_mempolicy set_mempolicy_home_node"),
  withCap("CAP_SYSLOG", "syslog"),
  withCap("CAP_BPF", "bpf"),
  withCap("CAP_PERFMON", "perf_event_open"),
];

/** Node's process.arch -> the arch names docker's profile conditions use (libseccomp's
 * names, reached in docker through Go's GOARCH). */
const PROFILE_ARCH: Record<string, string> = {
  x64: "amd64",
  ia32: "x86",
  arm64: "arm64",
  arm: "arm",
  s390x: "s390x",
  s390: "s390",
  riscv64: "riscv64",
  loong64: "loongarch64",
  ppc64: "ppc64le", // Linux on 64-bit POWER is little-endian in practice
  ppc: "ppc",
  mips64el: "mipsel64",
  mipsel: "mipsel",
};

/** The filter's architectures for a host: its native ABI first, then the ABIs its
 * processes may also call the kernel with. Other hosts get the native ABI only. */
const ARCH_MAP: Record<string, LinuxSeccompArch[]> = {
  amd64: ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
  arm64: ["SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"],
  mips64: ["SCMP_ARCH_MIPS64", "SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64N32"],
  mips64n32: ["SCMP_ARCH_MIPS64N32", "SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64"],
  mipsel64: ["SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64N32"],
  mipsel64n32: ["SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64"],
  s390x: ["SCMP_ARCH_S390X", "SCMP_ARCH_S390"],
  riscv64: ["SCMP_ARCH_RISCV64"],
  loongarch64: ["SCMP_ARCH_LOONGARCH64"],
};

function kernelAtLeast(kernel: string, [major, minor]: [number, number]): boolean {
  const m = /^(\d+)\.(\d+)/.exec(kernel);
  if (!m) return true; // unknown: assume a current kernel
  const kmaj = Number(m[1]);
  const kmin = Number(m[2]);
  return kmaj > major || (kmaj === major && kmin >= minor);
}

const capName = (c: string): string => {
  const up = c.trim().toUpperCase();
  return up.startsWith("CAP_") ? up : `CAP_${up}`;
};

export interface DockerDefaultSeccompOptions {
  /** The container's capabilities (docker uses the bounding set), "CAP_SYS_ADMIN" or "SYS_ADMIN". */
  capabilities: string[];
  /** Host architecture as Node/Bun name it (process.arch): "x64", "arm64", ... */
  arch: string;
  /** Kernel release (os.release()), for entries that need a minimum kernel. */
  kernelRelease?: string;
}

/** Docker's default profile for one container, with the conditional entries resolved. */
export function dockerDefaultSeccomp(opts: DockerDefaultSeccompOptions): LinuxSeccomp {
  const caps = new Set(opts.capabilities.map(capName));
  const arch = PROFILE_ARCH[opts.arch] ?? opts.arch;
  const kernel = opts.kernelRelease ?? release();

  const holds = (c: Condition, mode: "all" | "any"): boolean => {
    const checks: boolean[] = [];
    if (c.caps?.length) checks.push(...c.caps.map((cap) => caps.has(cap)));
    if (c.arches?.length) checks.push(c.arches.includes(arch));
    if (c.minKernel) checks.push(kernelAtLeast(kernel, c.minKernel));
    return mode === "all" ? checks.every(Boolean) : checks.some(Boolean);
  };

  const syscalls: LinuxSyscall[] = [];
  for (const e of ENTRIES) {
    if (e.excludes && holds(e.excludes, "any")) continue;
    if (e.includes && !holds(e.includes, "all")) continue;
    // Copy, so that callers may edit the result without touching the shared table.
    syscalls.push({
      ...e.rule,
      names: [...e.rule.names],
      ...(e.rule.args ? { args: e.rule.args.map((a) => ({ ...a })) } : {}),
    });
  }

  return {
    defaultAction: "SCMP_ACT_ERRNO",
    defaultErrnoRet: EPERM,
    architectures: [...(ARCH_MAP[arch] ?? [])],
    syscalls,
  };
}
