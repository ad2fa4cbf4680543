#!/bin/sh
# husk's checks on a PURE cgroup v1 host (old appliance kernels). Runs INSIDE the qemu VM
# booted with husk.cgroup=v1: /vm/init2.sh mounted a tmpfs on /sys/fs/cgroup with one v1
# hierarchy per controller (cpu,cpuacct and net_cls,net_prio shared, with symlinks) and a
# name=systemd hierarchy, and no cgroup2 anywhere. TAP on stdout, as checks.sh (the v2
# twin) prints it; the helpers are in checks-lib.sh.
#
# Containers are driven through `husk oci` with bundles written here, cgroupsPath
# /husk-vm/<name>: each one lives in /sys/fs/cgroup/<hierarchy>/husk-vm/<name> in EVERY
# hierarchy, and all of those must be gone after its delete.

CG=/sys/fs/cgroup
. "$(dirname "$0")/checks-lib.sh"   # ok/notok/check, hk, said, jfield, mkbundle, finish

# The v1 hierarchies' mount points (type cgroup; a cgroup2 would be "cgroup2").
HIERS=$(awk '$3 == "cgroup" { print $2 }' /proc/mounts)
NHIER=$(echo "$HIERS" | grep -c .)

# cgdir CONTROLLER NAME: the container's directory in the hierarchy of CONTROLLER (a
# directory or a symlink under /sys/fs/cgroup: memory, cpu, cpuacct, pids...)
cgdir() { echo "$CG/$1/$PARENT/$2"; }
cgread() { cat "$(cgdir "$1" "$2")/$3" 2>&1; }                                  # CONTROLLER NAME FILE
cgkey() { awk -v k="$4" '$1 == k { print $2 }' "$(cgdir "$1" "$2")/$3" 2>/dev/null; } # CONTROLLER NAME FILE KEY

# Directories left under /$PARENT, in every hierarchy.
leftovers() {
  for h in $HIERS; do find "$h/$PARENT" -mindepth 1 -type d 2>/dev/null; done | tr '\n' ' '
}
# After a delete (or a foreground run without --keep): nothing may be left under /$PARENT
# in any hierarchy. With "delete" as $2, $RC/$ERR are the delete's.
after_delete() {
  name=$1
  [ "${2:-}" = delete ] && [ "$RC" -ne 0 ] && leaks="$leaks; delete $name: $(said delete)"
  left=$(leftovers)
  if [ -n "$left" ]; then
    leaks="$leaks; after deleting $name: $left"
    for d in $left; do comment "left: $d: cgroup.procs=[$(cat "$d/cgroup.procs" 2>&1 | tr '\n' ' ')]"; done
    # clear them, so that one leak is reported once, not again after every later delete
    for d in $(printf '%s\n' $left | sort -r); do rmdir "$d" 2>/dev/null; done
  fi
}
# Forced delete that also tolerates a container that never got created.
cleanup() { hk delete --force "$1"; after_delete "$1" delete; }

# not_in_every PID NAME: the hierarchies whose /$PARENT/NAME/cgroup.procs lacks PID
not_in_every() {
  for h in $HIERS; do
    grep -qx "$1" "$h/$PARENT/$2/cgroup.procs" 2>/dev/null || printf '%s ' "${h#"$CG"/}: [$(cat "$h/$PARENT/$2/cgroup.procs" 2>&1 | tr '\n' ' ')]"
  done
}

# cgroup_lines_all TEXT PATH: every hierarchy line (id > 0) of a /proc/<pid>/cgroup TEXT
# shows PATH, and there is one per mounted hierarchy. Exit status only.
cgroup_lines_all() {
  printf '%s\n' "$1" | awk -F: -v p="$2" -v want="$NHIER" '
    $1 > 0 { n++; if ($3 != p) bad++ }
    END { exit !(n == want && bad == 0) }'
}

echo "# checks: start at uptime $(cut -d' ' -f1 /proc/uptime) s"
comment "v1 hierarchies ($NHIER): $(echo $HIERS)"
comment "init's /proc/self/cgroup: $(tr '\n' ' ' </proc/self/cgroup)"

# --- the host layout itself ----------------------------------------------------------
c2=$(awk '$3 == "cgroup2"' /proc/mounts)
sysd=$(awk '$3 == "cgroup" && $2 == "/sys/fs/cgroup/systemd" && $4 ~ /(^|,)name=systemd(,|$)/' /proc/mounts)
check "the VM is a pure cgroup v1 host: no cgroup2, name=systemd, memory, cpu,cpuacct hierarchies" \
  "$([ -z "$c2" ] && [ -n "$sysd" ] && [ -f "$CG/memory/memory.limit_in_bytes" ] && [ -f "$CG/cpu/cpu.shares" ] && [ -f "$CG/cpuacct/cpuacct.usage" ]; echo $?)" \
  "cgroup mounts: $(grep cgroup /proc/mounts)"

# --- husk sees cgroup v1 ---------------------------------------------------------------
v=$(timeout "$T" husk --version 2>&1)
comment "$v"
case "$v" in
*"cgroup: v1"*) ok "husk --version reports cgroup: v1" ;;
*) notok "husk --version reports cgroup: v1" "$(echo "$v" | grep -i cgroup || echo "$v")" ;;
esac

# --- a container runs, exits 0, in /husk-vm/basic of every hierarchy ------------------
mkbundle basic '["/bin/sh","-c","cat /proc/self/cgroup; exit 0"]' '{}'
hk run --bundle "$B" basic
check "a container runs and exits 0, placed in /$PARENT/basic in every hierarchy" \
  "$([ "$RC" -eq 0 ] && cgroup_lines_all "$OUT" "/$PARENT/basic"; echo $?)" \
  "$(said run); /proc/self/cgroup: $OUT (want $NHIER hierarchy lines)"
after_delete basic

# --- cgroup namespace -----------------------------------------------------------------
mkbundle cgns '["/bin/cat","/proc/self/cgroup"]' '{}' ',{ "type": "cgroup" }'
hk run --bundle "$B" cgns
check "with a cgroup namespace every hierarchy line of /proc/self/cgroup shows /" \
  "$([ "$RC" -eq 0 ] && cgroup_lines_all "$OUT" /; echo $?)" \
  "$(said run); /proc/self/cgroup: $OUT"
after_delete cgns

# --- a "cgroup" mount: the container sees its own v1 directories -----------------------
mkbundle cgmnt '["/bin/sh","-c","cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max; echo $(ls /sys/fs/cgroup)"]' \
  '{ "memory": { "limit": 67108864 }, "pids": { "limit": 20 } }' '' \
  ',{ "destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup", "options": ["nosuid", "noexec", "nodev", "relatime", "ro"] }'
hk run --bundle "$B" cgmnt
want="67108864
20"
check "a cgroup mount shows the container's own memory.limit_in_bytes and pids.max" \
  "$([ "$RC" -eq 0 ] && [ "$(printf '%s\n' "$OUT" | head -2)" = "$want" ]; echo $?)" \
  "$(said run); output: $OUT"
comment "cgroup mount: $(oneline "$OUT")"
after_delete cgmnt

# --- memory limit 10 MB: the OOM killer strikes ----------------------------------------
mkbundle oom '["/bin/sh","-c","head -c 15728640 /dev/zero | tail"]' '{ "memory": { "limit": 10485760 } }'
hk run --keep --bundle "$B" oom
check "memory.limit 10 MB: 15 MB through tail exits 137" "$([ "$RC" -eq 137 ]; echo $?)" \
  "$(said "run --keep") (wanted 137); memory.limit_in_bytes=$(cgread memory oom memory.limit_in_bytes)"
kills=$(cgkey memory oom memory.oom_control oom_kill)
check "memory.oom_control of the container shows oom_kill >= 1" "$([ "${kills:-0}" -ge 1 ] 2>/dev/null; echo $?)" \
  "memory.oom_control: $(cgread memory oom memory.oom_control)"
comment "memory.oom_control: $(cgread memory oom memory.oom_control | tr '\n' ' ')"
hk delete oom
after_delete oom delete

# --- memory knobs read back after create ------------------------------------------------
mkbundle mem100 '["/bin/sleep","1000"]' \
  '{ "memory": { "limit": 104857600, "reservation": 83886080, "swap": 157286400, "swappiness": 10, "disableOOMKiller": true } }'
hk create --bundle "$B" mem100
if [ "$RC" -ne 0 ]; then
  notok_each "$(said create)" "memory.limit 100 MB is memory.limit_in_bytes 104857600" \
    "memory.swap 150 MB is memory.memsw.limit_in_bytes 157286400" \
    "memory.reservation 80 MB is memory.soft_limit_in_bytes 83886080" \
    "memory.swappiness 10 and disableOOMKiller read back (v1-only knobs)" \
    "update --memory 200m --memory-swap 300m raises both limits of a 100m / 150m container"
else
  m=$(cgread memory mem100 memory.limit_in_bytes)
  check "memory.limit 100 MB is memory.limit_in_bytes 104857600" "$([ "$m" = 104857600 ]; echo $?)" "memory.limit_in_bytes: $m"
  m=$(cgread memory mem100 memory.memsw.limit_in_bytes)
  check "memory.swap 150 MB is memory.memsw.limit_in_bytes 157286400" "$([ "$m" = 157286400 ]; echo $?)" "memory.memsw.limit_in_bytes: $m"
  m=$(cgread memory mem100 memory.soft_limit_in_bytes)
  check "memory.reservation 80 MB is memory.soft_limit_in_bytes 83886080" "$([ "$m" = 83886080 ]; echo $?)" "memory.soft_limit_in_bytes: $m"
  s=$(cgread memory mem100 memory.swappiness)
  o=$(cgkey memory mem100 memory.oom_control oom_kill_disable)
  check "memory.swappiness 10 and disableOOMKiller read back (v1-only knobs)" "$([ "$s" = 10 ] && [ "$o" = 1 ]; echo $?)" \
    "memory.swappiness: $s; memory.oom_control: $(cgread memory mem100 memory.oom_control | tr '\n' ' ')"
  # Raising both: v1 wants memory.limit_in_bytes <= memory.memsw.limit_in_bytes at every
  # step, so the memsw limit has to grow first (runc orders the two writes for this).
  hk start mem100
  [ "$RC" -eq 0 ] && hk update --memory 200m --memory-swap 300m mem100
  m=$(cgread memory mem100 memory.limit_in_bytes) w=$(cgread memory mem100 memory.memsw.limit_in_bytes)
  check "update --memory 200m --memory-swap 300m raises both limits of a 100m / 150m container" \
    "$([ "$RC" -eq 0 ] && [ "$m" = 209715200 ] && [ "$w" = 314572800 ]; echo $?)" \
    "$(said "start/update --memory 200m --memory-swap 300m"); memory.limit_in_bytes: $m; memory.memsw.limit_in_bytes: $w"
fi
cleanup mem100

# --- linux.resources.unified is refused on v1 --------------------------------------------
mkbundle unif '["/bin/sleep","1000"]' '{ "memory": { "limit": 104857600 }, "unified": { "memory.high": "94371840" } }'
hk create --bundle "$B" unif
lines=$(printf '%s\n' "$ERR" | grep -c .)
hk_rc=$RC hk_said=$(said create)
st=$(state_status unif)
check "linux.resources.unified is refused: one line naming the knob and cgroup mode v1" \
  "$([ "$hk_rc" -ne 0 ] && [ "$lines" -eq 1 ] && [ -z "$st" ] &&
    printf '%s' "$hk_said" | grep -qF 'unified["memory.high"]' && printf '%s' "$hk_said" | grep -qF 'cgroup mode v1'; echo $?)" \
  "$hk_said ($lines lines); state afterwards: ${st:-none}"
comment "unified refused: $hk_said"
# ...and gives the real reason: the knob is a cgroup v2 file and this host has no cgroup2,
# while the memory controller itself is there (the same config's memory.limit works).
check "the unified refusal says it needs cgroup v2, not that the memory controller is missing" \
  "$([ "$hk_rc" -ne 0 ] && printf '%s' "$hk_said" | grep -q 'v2' && ! printf '%s' "$hk_said" | grep -q 'no memory controller'; echo $?)" \
  "$hk_said"
cleanup unif

# --- cpu: shares, quota/period, throttling ------------------------------------------------
mkbundle cpuq '["/bin/sh","-c","while :; do :; done"]' '{ "cpu": { "shares": 512, "quota": 1000, "period": 100000 } }'
hk create --bundle "$B" cpuq
if [ "$RC" -ne 0 ]; then
  notok "cpu.shares 512 is cpu.shares 512" "$(said create)"
  notok "cpu quota 1000 / period 100000 is cpu.cfs_quota_us 1000, cpu.cfs_period_us 100000" "$(said create)"
  notok "a busy loop under that quota is throttled (cpu.stat nr_throttled > 0)" "not created: $(said create)"
else
  s=$(cgread cpu cpuq cpu.shares)
  check "cpu.shares 512 is cpu.shares 512" "$([ "$s" = 512 ]; echo $?)" "cpu.shares: $s"
  q=$(cgread cpu cpuq cpu.cfs_quota_us) p=$(cgread cpu cpuq cpu.cfs_period_us)
  check "cpu quota 1000 / period 100000 is cpu.cfs_quota_us 1000, cpu.cfs_period_us 100000" \
    "$([ "$q" = 1000 ] && [ "$p" = 100000 ]; echo $?)" "cpu.cfs_quota_us: $q; cpu.cfs_period_us: $p"
  hk start cpuq
  if [ "$RC" -ne 0 ]; then
    notok "a busy loop under that quota is throttled (cpu.stat nr_throttled > 0)" "$(said start)"
  else
    sleep 1.5
    thr=$(cgkey cpu cpuq cpu.stat nr_throttled)
    comment "cpu.stat: $(cgread cpu cpuq cpu.stat | tr '\n' ' ')"
    check "a busy loop under that quota is throttled (cpu.stat nr_throttled > 0)" "$([ "${thr:-0}" -gt 0 ] 2>/dev/null; echo $?)" \
      "cpu.stat: $(cgread cpu cpuq cpu.stat)"
  fi
fi
cleanup cpuq

# --- cpuset, pids.max, hugetlb, net_cls ------------------------------------------------------
mkbundle sharepids '["/bin/sleep","1000"]' \
  '{ "cpu": { "cpus": "0" }, "pids": { "limit": 5 }, "hugepageLimits": [{ "pageSize": "2MB", "limit": 4194304 }], "network": { "classID": 1048577 } }'
hk create --bundle "$B" sharepids
if [ "$RC" -ne 0 ]; then
  notok "cpu.cpus 0 is cpuset.cpus 0" "$(said create)"
  notok "pids.limit 5 is pids.max 5" "$(said create)"
  notok "hugepageLimits 2MB 4 MiB is hugetlb.2MB.limit_in_bytes 4194304" "$(said create)"
  notok "network.classID 0x100001 is net_cls.classid 1048577" "$(said create)"
else
  c=$(cgread cpuset sharepids cpuset.cpus)
  check "cpu.cpus 0 is cpuset.cpus 0" "$([ "$c" = 0 ]; echo $?)" "cpuset.cpus: $c"
  p=$(cgread pids sharepids pids.max)
  check "pids.limit 5 is pids.max 5" "$([ "$p" = 5 ]; echo $?)" "pids.max: $p"
  h=$(cgread hugetlb sharepids hugetlb.2MB.limit_in_bytes)
  check "hugepageLimits 2MB 4 MiB is hugetlb.2MB.limit_in_bytes 4194304" "$([ "$h" = 4194304 ]; echo $?)" "hugetlb.2MB.limit_in_bytes: $h"
  k=$(cgread net_cls sharepids net_cls.classid)
  check "network.classID 0x100001 is net_cls.classid 1048577" "$([ "$k" = 1048577 ]; echo $?)" "net_cls.classid: $k"
fi
cleanup sharepids

# --- pids.limit 5 stops a loop forking 8 background sleeps ----------------------------------
check_fork_limit

# --- a running container: every hierarchy, pause/resume, update, events --stats -------------
mkbundle frz '["/bin/sh","-c","while :; do :; done"]' '{ "memory": { "limit": 104857600 }, "pids": { "limit": 100 } }'
hk create --bundle "$B" frz
[ "$RC" -eq 0 ] && hk start frz
if [ "$RC" -ne 0 ]; then
  notok_each "$(said "create/start")" "a running container's pid is in cgroup.procs of /$PARENT/frz in every hierarchy" \
    "exec: the new process joins /$PARENT/frz in every hierarchy" \
    "pause: freezer.state is FROZEN and state is paused" \
    "paused: cpuacct.usage stops growing" \
    "resume: freezer.state is THAWED and cpuacct.usage grows again" \
    "update --memory 200m --pids-limit 50 on a running container" \
    "events --stats prints JSON with type \"stats\"" \
    "events --stats data matches the cgroup files (memory usage/limit, pids current/limit, cpu)"
else
  pid=$(state_pid frz)
  miss=$(not_in_every "${pid:-none}" frz)
  check "a running container's pid is in cgroup.procs of /$PARENT/frz in every hierarchy" "$([ -n "$pid" ] && [ -z "$miss" ]; echo $?)" \
    "pid ${pid:-unknown} ($OUT) missing in: $miss"
  comment "frz pid $pid: /proc/$pid/cgroup: $(tr '\n' ' ' <"/proc/$pid/cgroup" 2>&1)"

  hk exec frz cat /proc/self/cgroup
  check "exec: the new process joins /$PARENT/frz in every hierarchy" \
    "$([ "$RC" -eq 0 ] && cgroup_lines_all "$OUT" "/$PARENT/frz"; echo $?)" \
    "$(said "exec frz cat /proc/self/cgroup"); /proc/self/cgroup: $OUT"

  sleep 0.5
  hk pause frz
  pause_rc=$RC pause_err="$(said pause)"
  f=$(cgread freezer frz freezer.state)
  st=$(state_status frz)
  comment "after pause: freezer.state=$f state: $st"
  check "pause: freezer.state is FROZEN and state is paused" "$([ "$pause_rc" -eq 0 ] && [ "$f" = FROZEN ] && [ "$st" = paused ]; echo $?)" \
    "$pause_err; freezer.state=$f; state status=$st"
  u1=$(cgread cpuacct frz cpuacct.usage)
  sleep 1
  u2=$(cgread cpuacct frz cpuacct.usage)
  check "paused: cpuacct.usage stops growing" "$([ -n "$u1" ] && [ $((u2 - u1)) -lt 5000000 ]; echo $?)" \
    "cpuacct.usage $u1 -> $u2 ns over 1 s while paused"
  hk resume frz
  resume_err="$(said resume)"
  f=$(cgread freezer frz freezer.state)
  u3=$(cgread cpuacct frz cpuacct.usage)
  sleep 1
  u4=$(cgread cpuacct frz cpuacct.usage)
  check "resume: freezer.state is THAWED and cpuacct.usage grows again" \
    "$([ "$f" = THAWED ] && [ -n "$u3" ] && [ $((u4 - u3)) -gt 100000000 ]; echo $?)" \
    "$resume_err; freezer.state=$f; cpuacct.usage $u3 -> $u4 ns over 1 s"

  hk update --memory 200m --pids-limit 50 frz
  m=$(cgread memory frz memory.limit_in_bytes) p=$(cgread pids frz pids.max)
  check "update --memory 200m --pids-limit 50 on a running container" \
    "$([ "$RC" -eq 0 ] && [ "$m" = 209715200 ] && [ "$p" = 50 ]; echo $?)" \
    "$(said "update --memory 200m --pids-limit 50"); memory.limit_in_bytes: $m; pids.max: $p"

  hk events --stats frz
  comment "events --stats: $OUT"
  check "events --stats prints JSON with type \"stats\"" "$(echo "$OUT" | tr -d ' \n' | grep -q '"type":"stats"'; echo $?)" \
    "$(said "events --stats")"
  # The numbers must be the v1 files' (memory.*_in_bytes, pids.*, cpuacct.usage). Usage
  # moves between reading the JSON and the file: within 4 MiB is a match.
  s_mlim=$(jfield "$OUT" '"memory":{"usage":' limit)
  s_muse=$(jfield "$OUT" '"memory":{"usage":' usage)
  s_pcur=$(jfield "$OUT" '"pids":' current)
  s_plim=$(jfield "$OUT" '"pids":' limit)
  s_cpu=$(jfield "$OUT" '"cpu":{"usage":' total)
  f_muse=$(cgread memory frz memory.usage_in_bytes)
  f_mlim=$(cgread memory frz memory.limit_in_bytes)
  f_pcur=$(cgread pids frz pids.current)
  f_plim=$(cgread pids frz pids.max)
  d_muse=$(( ${s_muse:-0} - ${f_muse:-0} ))
  got="memory.usage.limit=$s_mlim (memory.limit_in_bytes $f_mlim), memory.usage.usage=$s_muse (memory.usage_in_bytes $f_muse), pids.current=$s_pcur (pids.current $f_pcur), pids.limit=$s_plim (pids.max $f_plim), cpu.usage.total=$s_cpu ns (cpuacct.usage $(cgread cpuacct frz cpuacct.usage))"
  check "events --stats data matches the cgroup files (memory usage/limit, pids current/limit, cpu)" \
    "$([ "$s_mlim" = "$f_mlim" ] && [ "$s_mlim" = 209715200 ] && [ "${s_muse:-0}" -gt 0 ] && [ "${d_muse#-}" -lt 4194304 ] &&
      [ "$s_pcur" = "$f_pcur" ] && [ "${s_pcur:-0}" -ge 1 ] && [ "$s_plim" = "$f_plim" ] && [ "$s_plim" = 50 ] && [ "${s_cpu:-0}" -gt 0 ]; echo $?)" "$got"
fi
cleanup frz

# --- update on a container created without limits ----------------------------------------------
mkbundle upd '["/bin/sleep","1000"]' '{}'
hk create --bundle "$B" upd
[ "$RC" -eq 0 ] && hk start upd
if [ "$RC" -ne 0 ]; then
  notok "update --memory 200m --pids-limit 50 --cpu-quota 20000 on a container created without limits" "$(said "create/start")"
else
  hk update --memory 200m --pids-limit 50 --cpu-quota 20000 --cpu-period 100000 upd
  m=$(cgread memory upd memory.limit_in_bytes) p=$(cgread pids upd pids.max)
  q=$(cgread cpu upd cpu.cfs_quota_us) pp=$(cgread cpu upd cpu.cfs_period_us)
  check "update --memory 200m --pids-limit 50 --cpu-quota 20000 on a container created without limits" \
    "$([ "$RC" -eq 0 ] && [ "$m" = 209715200 ] && [ "$p" = 50 ] && [ "$q" = 20000 ] && [ "$pp" = 100000 ]; echo $?)" \
    "$(said update); memory.limit_in_bytes: $m; pids.max: $p; cpu.cfs_quota_us: $q; cpu.cfs_period_us: $pp"
fi
cleanup upd

# --- delete --force of a paused (v1 FROZEN) container -------------------------------------------
mkbundle pdel '["/bin/sleep","1000"]' '{ "pids": { "limit": 10 } }'
hk create --bundle "$B" pdel
[ "$RC" -eq 0 ] && hk start pdel
[ "$RC" -eq 0 ] && hk pause pdel
if [ "$RC" -ne 0 ]; then
  notok "delete --force of a paused container removes it and its cgroups" "$(said "create/start/pause")"
  cleanup pdel
else
  hk delete --force pdel
  d_rc=$RC d_said=$(said "delete --force")
  hk state pdel
  left=$(leftovers)
  check "delete --force of a paused container removes it and its cgroups" \
    "$([ "$d_rc" -eq 0 ] && [ "$RC" -ne 0 ] && [ -z "$left" ]; echo $?)" \
    "$d_said; state afterwards: exit $RC $OUT; left: ${left:-nothing}"
  RC=$d_rc ERR=$d_said
  after_delete pdel delete
fi

# --- device rules: the v1 devices cgroup -------------------------------------------------------
# Deny everything; the standard nodes stay usable, a bind-mounted /dev/kmsg (1:11) not.
mkbundle devs '["/bin/sh","-c","head -c 3 /dev/zero | wc -c; cat /dev/kmsg 2>&1 | head -1"]' \
  '{ "devices": [{ "allow": false, "access": "rwm" }] }' '' \
  ',{ "destination": "/dev/kmsg", "type": "bind", "source": "/dev/kmsg", "options": ["bind"] }'
hk run --keep --bundle "$B" devs
want="3
cat: can't open '/dev/kmsg': Operation not permitted"
check "device rules: /dev/zero works, /dev/kmsg is refused by the v1 devices cgroup" "$([ "$RC" -eq 0 ] && [ "$OUT" = "$want" ]; echo $?)" \
  "$(said "run --keep"); output: $OUT"
dl=$(cgread devices devs devices.list)
comment "devices.list: $(echo "$dl" | tr '\n' ' ')"
check "devices.list of the container allows c 1:5 rwm and not a *:* rwm" \
  "$(echo "$dl" | grep -qx 'c 1:5 rwm' && ! echo "$dl" | grep -qx 'a \*:\* rwm'; echo $?)" \
  "devices.list: $dl"
hk delete devs
after_delete devs delete

# --- nothing left behind, in any hierarchy ----------------------------------------------------------
check "no cgroup left under /$PARENT in any hierarchy after each delete" "$([ -z "$leaks" ]; echo $?)" "${leaks#; }"
for h in $HIERS; do
  [ -d "$h/$PARENT" ] && { out=$(rmdir "$h/$PARENT" 2>&1) || comment "rmdir $h/$PARENT: $out"; }
done
still=$(for h in $HIERS; do [ -d "$h/$PARENT" ] && echo "$h/$PARENT"; done | tr '\n' ' ')
check "/$PARENT itself removed at the end from every hierarchy" "$([ -z "$still" ]; echo $?)" "still there: $still"

finish
