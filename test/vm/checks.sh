#!/bin/sh
# husk's cgroup v2 checks. Runs INSIDE the qemu VM (test/vm/build-image.sh puts it in the
# initramfs as /vm/checks.sh, /vm/init2.sh runs it) on a kernel booted with
# cgroup_no_v1=all. Prints TAP on stdout, which is the serial console:
#   ok N - what          or          not ok N - what # why (husk's own message when it refused)
# and the plan line "1..N" last. Lines starting with "#" are comments (diagnostics). The
# helpers (TAP, hk, mkbundle) are in checks-lib.sh, shared with checks-v1.sh (pure v1).
#
# Containers are driven through `husk oci` (runc's CLI) with bundles written here. Each
# container lives in /sys/fs/cgroup/husk-vm/<name>. Device rules (an eBPF filter on v2)
# have their own check near the end, and the engine face (husk image import, run, ps,
# logs, stop, rm) the last ones.

CG=/sys/fs/cgroup
. "$(dirname "$0")/checks-lib.sh"   # ok/notok/check, hk, said, jfield, mkbundle, finish

cgdir() { echo "$CG/$PARENT/$1"; }
cgread() { cat "$(cgdir "$1")/$2" 2>&1; }
cgkey() { awk -v k="$3" '$1 == k { print $2 }' "$(cgdir "$1")/$2" 2>/dev/null; }

# After a delete (or a foreground run without --keep): the container's cgroup, and any
# other, must be gone from husk-vm. With "delete" as $2, $RC/$ERR are the delete's.
after_delete() {
  name=$1
  [ "${2:-}" = delete ] && [ "$RC" -ne 0 ] && leaks="$leaks; delete $name: $(said delete)"
  left=$(find "$CG/$PARENT" -mindepth 1 -maxdepth 1 -type d 2>/dev/null | tr '\n' ' ')
  if [ -n "$left" ]; then
    leaks="$leaks; after deleting $name: $left"
    for d in $left; do comment "left: $d: cgroup.procs=[$(cat "$d/cgroup.procs" 2>&1 | tr '\n' ' ')] populated=$(grep populated "$d/cgroup.events" 2>&1)"; done
  fi
}
# Forced delete that also tolerates a container that never got created.
cleanup() { hk delete --force "$1"; after_delete "$1" delete; }

echo "# checks: start at uptime $(cut -d' ' -f1 /proc/uptime) s"

# --- 1. husk sees cgroup v2 -------------------------------------------------------
v=$(timeout "$T" husk --version 2>&1)
comment "$v"
case "$v" in
*"cgroup: v2"*) ok "husk --version reports cgroup: v2" ;;
*) notok "husk --version reports cgroup: v2" "$(echo "$v" | grep -i cgroup || echo "$v")" ;;
esac

# --- 2. a container runs, exits 0, in its cgroup ----------------------------------
mkbundle basic '["/bin/sh","-c","cat /proc/self/cgroup; exit 0"]' '{}'
hk run --bundle "$B" basic
if [ "$RC" -eq 0 ] && [ "$OUT" = "0::/$PARENT/basic" ]; then
  ok "a container runs and exits 0, placed in /$PARENT/basic"
else
  notok "a container runs and exits 0, placed in /$PARENT/basic" "$(said run); /proc/self/cgroup: $OUT"
fi
after_delete basic

# --- 3. cgroup namespace ----------------------------------------------------------
mkbundle cgns '["/bin/cat","/proc/self/cgroup"]' '{}' ',{ "type": "cgroup" }'
hk run --bundle "$B" cgns
if [ "$RC" -eq 0 ] && [ "$OUT" = "0::/" ]; then
  ok "with a cgroup namespace /proc/self/cgroup shows 0::/"
else
  notok "with a cgroup namespace /proc/self/cgroup shows 0::/" "$(said run); /proc/self/cgroup: $OUT"
fi
after_delete cgns

# --- 4, 5. memory limit 10 MB: the OOM killer strikes ------------------------------
mkbundle oom '["/bin/sh","-c","head -c 15728640 /dev/zero | tail"]' '{ "memory": { "limit": 10485760 } }'
hk run --keep --bundle "$B" oom
check "memory.limit 10 MB: 15 MB through tail exits 137" "$([ "$RC" -eq 137 ]; echo $?)" \
  "$(said "run --keep") (wanted 137); memory.max=$(cgread oom memory.max)"
kills=$(cgkey oom memory.events oom_kill)
check "memory.events of the container shows oom_kill >= 1" "$([ "${kills:-0}" -ge 1 ] 2>/dev/null; echo $?)" \
  "memory.events: $(cgread oom memory.events)"
comment "memory.events: $(cgread oom memory.events | tr '\n' ' ')"
hk state oom
comment "state after the OOM kill: $OUT $ERR"
hk delete oom
after_delete oom delete

# --- 6. memory.max after create (and swap, unified) --------------------------------
mkbundle mem100 '["/bin/sleep","1000"]' '{ "memory": { "limit": 104857600, "swap": 157286400 }, "unified": { "memory.high": "94371840" } }'
hk create --bundle "$B" mem100
if [ "$RC" -ne 0 ]; then
  notok "memory.limit 100 MB is memory.max 104857600 after create" "$(said create)"
  notok "memory.swap 150 MB over a 100 MB limit is memory.swap.max 52428800" "$(said create)"
  notok "unified memory.high is written as given" "$(said create)"
else
  m=$(cgread mem100 memory.max)
  check "memory.limit 100 MB is memory.max 104857600 after create" "$([ "$m" = 104857600 ]; echo $?)" "memory.max: $m"
  m=$(cgread mem100 memory.swap.max)
  check "memory.swap 150 MB over a 100 MB limit is memory.swap.max 52428800" "$([ "$m" = 52428800 ]; echo $?)" "memory.swap.max: $m"
  m=$(cgread mem100 memory.high)
  check "unified memory.high is written as given" "$([ "$m" = 94371840 ]; echo $?)" "memory.high: $m"
fi
cleanup mem100

# --- 7, 8. cpu quota --------------------------------------------------------------
mkbundle cpuq '["/bin/sh","-c","while :; do :; done"]' '{ "cpu": { "quota": 1000, "period": 100000 } }'
hk create --bundle "$B" cpuq
if [ "$RC" -ne 0 ]; then
  notok "cpu quota 1000 / period 100000 is cpu.max \"1000 100000\"" "$(said create)"
  notok "a busy loop under that quota is throttled (cpu.stat nr_throttled > 0)" "not created: $(said create)"
else
  m=$(cgread cpuq cpu.max)
  check "cpu quota 1000 / period 100000 is cpu.max \"1000 100000\"" "$([ "$m" = "1000 100000" ]; echo $?)" "cpu.max: $m"
  hk start cpuq
  if [ "$RC" -ne 0 ]; then
    notok "a busy loop under that quota is throttled (cpu.stat nr_throttled > 0)" "$(said start)"
  else
    sleep 1.5
    thr=$(cgkey cpuq cpu.stat nr_throttled)
    comment "cpu.stat: $(cgread cpuq cpu.stat | tr '\n' ' ')"
    check "a busy loop under that quota is throttled (cpu.stat nr_throttled > 0)" "$([ "${thr:-0}" -gt 0 ] 2>/dev/null; echo $?)" \
      "cpu.stat: $(cgread cpuq cpu.stat)"
  fi
fi
cleanup cpuq

# --- 9, 10. cpu.shares -> cpu.weight, pids.limit -> pids.max (and cpuset, hugetlb) ----
mkbundle sharepids '["/bin/sleep","1000"]' '{ "cpu": { "shares": 1024, "cpus": "0" }, "pids": { "limit": 5 }, "hugepageLimits": [{ "pageSize": "2MB", "limit": 4194304 }] }'
hk create --bundle "$B" sharepids
if [ "$RC" -ne 0 ]; then
  notok "cpu.shares 1024 is cpu.weight 39" "$(said create)"
  notok "pids.limit 5 is pids.max 5" "$(said create)"
  notok "cpu.cpus 0 is cpuset.cpus 0" "$(said create)"
  notok "hugepageLimits 2MB 4 MiB is hugetlb.2MB.max 4194304" "$(said create)"
else
  w=$(cgread sharepids cpu.weight)
  check "cpu.shares 1024 is cpu.weight 39" "$([ "$w" = 39 ]; echo $?)" "cpu.weight: $w"
  p=$(cgread sharepids pids.max)
  check "pids.limit 5 is pids.max 5" "$([ "$p" = 5 ]; echo $?)" "pids.max: $p"
  c=$(cgread sharepids cpuset.cpus)
  check "cpu.cpus 0 is cpuset.cpus 0" "$([ "$c" = 0 ]; echo $?)" "cpuset.cpus: $c"
  h=$(cgread sharepids hugetlb.2MB.max)
  check "hugepageLimits 2MB 4 MiB is hugetlb.2MB.max 4194304" "$([ "$h" = 4194304 ]; echo $?)" "hugetlb.2MB.max: $h"
fi
cleanup sharepids

# --- 11. pids.limit 5 stops a loop forking 8 background sleeps ----------------------
check_fork_limit

# --- 12-16. pause, resume, update, events --stats -----------------------------------
mkbundle frz '["/bin/sh","-c","while :; do :; done"]' '{ "memory": { "limit": 104857600 }, "pids": { "limit": 100 } }'
hk create --bundle "$B" frz
[ "$RC" -eq 0 ] && hk start frz
if [ "$RC" -ne 0 ]; then
  why="$(said "create/start")"
  notok "pause: cgroup.freeze is 1 and state is paused" "$why"
  notok "paused: usage_usec in cpu.stat stops growing" "$why"
  notok "resume: cgroup.freeze is 0 and usage_usec grows again" "$why"
  notok "update --memory 200m sets memory.max 209715200" "$why"
  notok "events --stats prints JSON with type \"stats\"" "$why"
  notok "events --stats data matches the cgroup files (memory, pids, cpu)" "$why"
else
  sleep 0.5
  hk pause frz
  pause_rc=$RC pause_err="$(said pause)"
  f=$(cgread frz cgroup.freeze)
  hk state frz
  st=$(echo "$OUT" | tr -d ' \n' | sed -n 's/.*"status":"\([a-z]*\)".*/\1/p')
  comment "after pause: cgroup.freeze=$f cgroup.events: $(cgread frz cgroup.events | tr '\n' ' ') state: $st"
  if [ "$pause_rc" -eq 0 ] && [ "$f" = 1 ] && [ "$st" = paused ]; then
    ok "pause: cgroup.freeze is 1 and state is paused"
  else
    notok "pause: cgroup.freeze is 1 and state is paused" "$pause_err; cgroup.freeze=$f; state status=$st"
  fi
  u1=$(cgkey frz cpu.stat usage_usec)
  sleep 1
  u2=$(cgkey frz cpu.stat usage_usec)
  check "paused: usage_usec in cpu.stat stops growing" "$([ -n "$u1" ] && [ $((u2 - u1)) -lt 5000 ]; echo $?)" \
    "usage_usec $u1 -> $u2 over 1 s while paused"
  hk resume frz
  resume_err="$(said resume)"
  f=$(cgread frz cgroup.freeze)
  u3=$(cgkey frz cpu.stat usage_usec)
  sleep 1
  u4=$(cgkey frz cpu.stat usage_usec)
  check "resume: cgroup.freeze is 0 and usage_usec grows again" "$([ "$f" = 0 ] && [ -n "$u3" ] && [ $((u4 - u3)) -gt 100000 ]; echo $?)" \
    "$resume_err; cgroup.freeze=$f; usage_usec $u3 -> $u4 over 1 s"

  hk update --memory 200m frz
  m=$(cgread frz memory.max)
  check "update --memory 200m sets memory.max 209715200" "$([ "$RC" -eq 0 ] && [ "$m" = 209715200 ]; echo $?)" \
    "$(said "update --memory 200m"); memory.max: $m"

  hk events --stats frz
  comment "events --stats: $OUT"
  check "events --stats prints JSON with type \"stats\"" "$(echo "$OUT" | tr -d ' \n' | grep -q '"type":"stats"'; echo $?)" \
    "$(said "events --stats")"
  # The numbers must be the v2 files' (memory.max, memory.current, pids.*, cpu.stat).
  s_mlim=$(jfield "$OUT" '"memory":{"usage":' limit)
  s_muse=$(jfield "$OUT" '"memory":{"usage":' usage)
  s_pcur=$(jfield "$OUT" '"pids":' current)
  s_plim=$(jfield "$OUT" '"pids":' limit)
  s_cpu=$(jfield "$OUT" '"cpu":{"usage":' total)
  f_pcur=$(cgread frz pids.current)
  got="memory.usage.limit=$s_mlim (memory.max $(cgread frz memory.max)), memory.usage.usage=$s_muse (memory.current $(cgread frz memory.current)), pids.current=$s_pcur (pids.current $f_pcur), pids.limit=$s_plim (pids.max $(cgread frz pids.max)), cpu.usage.total=$s_cpu ns"
  check "events --stats data matches the cgroup files (memory, pids, cpu)" \
    "$([ "$s_mlim" = 209715200 ] && [ "${s_muse:-0}" -gt 0 ] && [ "$s_pcur" = "$f_pcur" ] && [ "${s_pcur:-0}" -ge 1 ] && [ "$s_plim" = 100 ] && [ "${s_cpu:-0}" -gt 0 ]; echo $?)" "$got"
fi
cleanup frz

# --- update on a container created without limits: the controllers get enabled then ---
mkbundle upd '["/bin/sleep","1000"]' '{}'
hk create --bundle "$B" upd
[ "$RC" -eq 0 ] && hk start upd
if [ "$RC" -ne 0 ]; then
  notok "update --memory 200m --pids-limit 50 --cpu-quota 20000 on a container created without limits" "$(said "create/start")"
else
  comment "upd before update: cgroup.controllers=[$(cgread upd cgroup.controllers)] $PARENT/cgroup.subtree_control=[$(cat "$CG/$PARENT/cgroup.subtree_control")]"
  hk update --memory 200m --pids-limit 50 --cpu-quota 20000 --cpu-period 100000 upd
  m=$(cgread upd memory.max) p=$(cgread upd pids.max) c=$(cgread upd cpu.max)
  check "update --memory 200m --pids-limit 50 --cpu-quota 20000 on a container created without limits" \
    "$([ "$RC" -eq 0 ] && [ "$m" = 209715200 ] && [ "$p" = 50 ] && [ "$c" = "20000 100000" ]; echo $?)" \
    "$(said update); memory.max: $m; pids.max: $p; cpu.max: $c"
fi
cleanup upd

# --- delete --force of a paused container --------------------------------------------
mkbundle pdel '["/bin/sleep","1000"]' '{ "pids": { "limit": 10 } }'
hk create --bundle "$B" pdel
[ "$RC" -eq 0 ] && hk start pdel
[ "$RC" -eq 0 ] && hk pause pdel
if [ "$RC" -ne 0 ]; then
  notok "delete --force of a paused container removes it and its cgroup" "$(said "create/start/pause")"
  cleanup pdel
else
  hk delete --force pdel
  d_rc=$RC d_said=$(said "delete --force")
  hk state pdel
  check "delete --force of a paused container removes it and its cgroup" \
    "$([ "$d_rc" -eq 0 ] && [ "$RC" -ne 0 ] && [ ! -d "$(cgdir pdel)" ]; echo $?)" \
    "$d_said; state afterwards: exit $RC $OUT; cgroup dir: $(ls -d "$(cgdir pdel)" 2>&1)"
  RC=$d_rc ERR=$d_said
  after_delete pdel delete
fi

# --- device rules: the eBPF filter -------------------------------------------------
# Deny everything; the standard nodes stay usable, a bind-mounted /dev/kmsg (1:11) not.
mkbundle devs '["/bin/sh","-c","head -c 3 /dev/zero | wc -c; cat /dev/kmsg 2>&1 | head -1"]' \
  '{ "devices": [{ "allow": false, "access": "rwm" }] }' '' \
  ',{ "destination": "/dev/kmsg", "type": "bind", "source": "/dev/kmsg", "options": ["bind"] }'
hk run --bundle "$B" devs
want="3
cat: can't open '/dev/kmsg': Operation not permitted"
check "device rules: /dev/zero works, /dev/kmsg is refused by the eBPF filter" "$([ "$RC" -eq 0 ] && [ "$OUT" = "$want" ]; echo $?)" \
  "$(said run); output: $OUT"
after_delete devs

# --- the engine face: image import, run --rm, run -d, ps, logs, stop, rm ---------------
# Its own --root/--data-root (tmpfs, as all of this VM); containers under /$PARENT too.
EF="--root /run/husk-engine --data-root /run/husk-engine-data"
# hx CMD...: like hk, for any command (the engine's verbs put their flags after the verb)
hx() {
  timeout "$T" "$@" >/tmp/hk.out 2>/tmp/hk.err
  RC=$?
  OUT=$(cat /tmp/hk.out)
  ERR=$(cat /tmp/hk.err)
  [ "$RC" -eq 143 ] && ERR="timed out after ${T}s: $* | $ERR"
  return 0
}
hxsaid() { echo "$1 exited $RC: ${ERR:-$OUT}"; }
engine_left() { husk ps $EF -aq 2>&1 | tr '\n' ' ' | sed 's/ *$//'; }

tar -C "$ROOTFS" -cf /tmp/busybox.tar .
hx husk image import --data-root /run/husk-engine-data --change 'ENV PATH=/bin' /tmp/busybox.tar vm/busybox:1
check "engine: husk image import of a busybox rootfs tarball" "$([ "$RC" -eq 0 ]; echo $?)" "$(hxsaid "image import")"
rm -f /tmp/busybox.tar

hx husk run $EF --rm --network none --cgroup-parent "$PARENT" vm/busybox:1 sh -c 'echo hi from the engine; exit 3'
check "engine: husk run --rm prints the output, returns the exit code, leaves no container" \
  "$([ "$RC" -eq 3 ] && [ "$OUT" = "hi from the engine" ] && [ -z "$ERR" ] && [ -z "$(engine_left)" ]; echo $?)" \
  "$(hxsaid "run --rm") (wanted 3 and 'hi from the engine'); left: $(engine_left)"
after_delete engine-run-rm

hx husk run $EF -d --name web --network none --cgroup-parent "$PARENT" vm/busybox:1 sh -c 'echo ready; trap "echo bye; exit 0" TERM; while :; do sleep 0.1; done'
id=$OUT
if [ "$RC" -ne 0 ] || ! echo "$id" | grep -qE '^[0-9a-f]{64}$'; then
  notok_each "$(hxsaid "run -d")" "engine: husk run -d prints the id; ps shows it running" \
    "engine: husk logs shows what it wrote" "engine: husk stop ends it, ps -a shows it exited (0)" "engine: husk rm removes it and its cgroup"
else
  hx husk ps $EF --format '{{.ID}} {{.Names}} {{.State}}'
  check "engine: husk run -d prints the id; ps shows it running" "$([ "$OUT" = "$(echo "$id" | cut -c1-12) web running" ]; echo $?)" "$(hxsaid ps)"
  # the monitor writes the log as the container prints: wait for the line, up to 20 s
  i=0
  while [ $i -lt 100 ]; do
    hx husk logs $EF web
    [ "$OUT" = ready ] && break
    i=$((i + 1))
    sleep 0.2
  done
  check "engine: husk logs shows what it wrote" "$([ "$OUT" = ready ]; echo $?)" "$(hxsaid logs)"
  hx husk stop $EF web
  stop_said=$(hxsaid stop)
  stop_rc=$RC
  hx husk ps $EF -a --format '{{.Names}} {{.State}} {{.Status}}'
  comment "after stop: $OUT"
  check "engine: husk stop ends it, ps -a shows it exited (0)" "$([ "$stop_rc" -eq 0 ] && echo "$OUT" | grep -q '^web exited Exited (0)'; echo $?)" \
    "$stop_said; ps -a: $OUT"
  hx husk rm $EF web
  rm_said=$(hxsaid rm)
  rm_rc=$RC
  after_delete web
  check "engine: husk rm removes it and its cgroup" "$([ "$rm_rc" -eq 0 ] && [ -z "$(engine_left)" ] && [ -z "$(find "$CG/$PARENT" -mindepth 1 -maxdepth 1 -type d 2>/dev/null)" ]; echo $?)" \
    "$rm_said; left: $(engine_left); cgroups: $(find "$CG/$PARENT" -mindepth 1 -maxdepth 1 -type d 2>/dev/null | tr '\n' ' ')"
fi
[ -z "$(engine_left)" ] || husk rm $EF -f $(husk ps $EF -aq) >/dev/null 2>&1

# --- nothing left behind --------------------------------------------------------------- ----------------------------------------------------
check "no cgroup left under /$PARENT after each delete" "$([ -z "$leaks" ]; echo $?)" "${leaks#; }"
[ -d "$CG/$PARENT" ] && { out=$(rmdir "$CG/$PARENT" 2>&1) || comment "rmdir $CG/$PARENT: $out"; }
check "/$PARENT itself removed at the end" "$([ ! -d "$CG/$PARENT" ]; echo $?)" \
  "still there: $(ls -la "$CG/$PARENT" 2>&1 | head -5)"

finish
