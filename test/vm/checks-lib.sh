# Shared by checks.sh (cgroup v2) and checks-v1.sh (pure cgroup v1): TAP output, the
# `husk oci` wrapper and the bundle writer. Sourced (not run) inside the qemu VM, from
# /vm/checks-lib.sh. The checks scripts define their own cgroup helpers (cgdir, cgread,
# after_delete...), which differ between the two layouts.
#
# TAP on stdout, which is the serial console:
#   ok N - what          or          not ok N - what # why (husk's own message when it refused)
# and the plan line "1..N" last. Lines starting with "#" are comments (diagnostics).

export PATH=/usr/local/bin:/bin:/sbin
ROOT=/run/husk
PARENT=husk-vm
ROOTFS=/vm/rootfs
T=60   # seconds allowed to one husk command

n=0
failed=0
leaks=""

oneline() { printf '%s' "$1" | tr '\n\r' '||' | sed -e 's/|*$//' -e 's/|/ | /g' | cut -c1-700; }
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1 # $(oneline "$2")"; }
check() { # check "description" condition-exit-status "reason if not"
  if [ "$2" -eq 0 ]; then ok "$1"; else notok "$1" "$3"; fi
}
notok_each() { # notok_each "why" "description"... : the same reason for several checks
  why=$1
  shift
  for d in "$@"; do notok "$d" "$why"; done
}
comment() { printf '%s\n' "$1" | sed 's/^/#   /'; }

# hk ARGS...: `husk oci --root $ROOT ARGS`, with a timeout; sets OUT, ERR and RC.
hk() {
  timeout "$T" husk oci --root "$ROOT" "$@" >/tmp/hk.out 2>/tmp/hk.err
  RC=$?
  OUT=$(cat /tmp/hk.out)
  ERR=$(cat /tmp/hk.err)
  [ "$RC" -eq 143 ] && ERR="timed out after ${T}s: husk oci $* | $ERR"
  return 0
}
# what husk said, for a not-ok line
said() { echo "husk oci $1 exited $RC: ${ERR:-$OUT}"; }

# jfield JSON PREFIX KEY: the number KEY in the first {...} that follows PREFIX (a sed
# regex) in JSON, e.g. jfield "$OUT" '"pids":' current
jfield() {
  printf '%s' "$1" | tr -d ' \n' | sed -n "s/.*$2{\([^{}]*\)}.*/\1/p" | tr ',' '\n' | sed -n "s/^\"$3\":\(-*[0-9.]*\)$/\1/p"
}

# mkbundle NAME ARGS_JSON RESOURCES_JSON [EXTRA_NAMESPACES_JSON] [EXTRA_MOUNTS_JSON]
# Writes /run/bundles/NAME/config.json (cgroupsPath /$PARENT/NAME) and sets B to its dir.
mkbundle() {
  B=/run/bundles/$1
  mkdir -p "$B"
  caps='["CAP_AUDIT_WRITE","CAP_KILL","CAP_NET_BIND_SERVICE"]'
  cat >"$B/config.json" <<EOF
{
  "ociVersion": "1.0.2",
  "process": {
    "terminal": false,
    "user": { "uid": 0, "gid": 0 },
    "args": $2,
    "env": ["PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/root"],
    "cwd": "/",
    "capabilities": { "bounding": $caps, "effective": $caps, "permitted": $caps, "ambient": $caps },
    "rlimits": [{ "type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024 }],
    "noNewPrivileges": true
  },
  "root": { "path": "$ROOTFS", "readonly": true },
  "hostname": "$1",
  "mounts": [
    { "destination": "/proc", "type": "proc", "source": "proc" },
    { "destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "strictatime", "mode=755", "size=65536k"] },
    { "destination": "/dev/pts", "type": "devpts", "source": "devpts", "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"] },
    { "destination": "/dev/shm", "type": "tmpfs", "source": "shm", "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"] },
    { "destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["nosuid", "noexec", "nodev", "ro"] }$5
  ],
  "linux": {
    "namespaces": [{ "type": "pid" }, { "type": "ipc" }, { "type": "uts" }, { "type": "mount" }, { "type": "network" }$4],
    "cgroupsPath": "/$PARENT/$1",
    "resources": $3,
    "maskedPaths": ["/proc/kcore", "/proc/keys", "/proc/timer_list", "/proc/sched_debug", "/sys/firmware"],
    "readonlyPaths": ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]
  }
}
EOF
}

# The status field of `husk oci state NAME` (running, paused, stopped...), or nothing.
state_status() {
  hk state "$1"
  echo "$OUT" | tr -d ' \n' | sed -n 's/.*"status":"\([a-z]*\)".*/\1/p'
}
# The pid field of `husk oci state NAME`, or nothing.
state_pid() {
  hk state "$1"
  echo "$OUT" | tr -d ' \n' | sed -n 's/.*"pid":\([0-9]*\).*/\1/p'
}

# The last lines of a script: the kernel log when something failed, the timing line the
# harness reads, and the plan.
finish() {
  if [ "$failed" -gt 0 ]; then
    echo "# kernel log (last 30 lines):"
    dmesg | tail -30 | sed 's/^/#   /'
  fi
  echo "# checks: end at uptime $(cut -d' ' -f1 /proc/uptime) s, $failed of $n failed"
  echo "1..$n"
}

# pids.limit 5 stops a loop forking 8 background sleeps (the same on v1 and v2).
check_fork_limit() {
  mkbundle forks '["/bin/sh","-c","i=0; while [ $i -lt 8 ]; do sleep 30 & i=$((i+1)); done; echo forked-all"]' '{ "pids": { "limit": 5 } }'
  hk run --bundle "$B" forks
  case "$OUT" in
  *forked-all*) notok "pids.limit 5: forking 8 background sleeps fails" "all 8 forks succeeded; $(said run)" ;;
  *)
    if [ "$RC" -ne 0 ] && echo "$OUT $ERR" | grep -qi "fork"; then
      ok "pids.limit 5: forking 8 background sleeps fails"
    else
      notok "pids.limit 5: forking 8 background sleeps fails" "no fork failure seen; $(said run)"
    fi
    ;;
  esac
  comment "fork loop: exit $RC: $(oneline "$OUT $ERR")"
  after_delete forks
}
