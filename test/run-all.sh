#!/usr/bin/env bash
# The whole test command (README, .ci/run, CI workflow): bash test/run-all.sh
#
#  1. install what is missing: Debian packages, then node_modules (npm install) when absent
#     or older than package-lock.json / package.json
#  2. build: node_modules/.bin/bun run build (core-c via cmake-js, then dist/husk)
#  3. C unit tests: build/tests/test_* print TAP; exit 77 means skipped
#  4. bun test over test/unit, test/integration, plugins/examples, test/e2e, test/packaging, test/vm (qemu), in that order, one file at a time
#  5. print "N passed, N failed" and exit non-zero if anything failed
#
# Environment knobs:
#   HUSK_TEST_TIMEOUT_MS   per-test timeout passed to bun test (default 120000)
#   HUSK_FILE_TIMEOUT_S    wall limit for one test file or C test binary (default 600)
#   HUSK_SUITE_BUDGET_S    wall limit for the whole run (default 1140 = 19 min); files that
#                          would start after it are counted as failed, not run
#   HUSK_SKIP_INSTALL=1    skip step 1
#   HUSK_SKIP_BUILD=1      skip step 2 (use the build/ and dist/ already there)
#   HUSK_TEST_FILTER=re    only run bun test files whose path matches this regex
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
REPO=$(pwd)
BUN="$REPO/node_modules/.bin/bun"
TEST_TIMEOUT_MS=${HUSK_TEST_TIMEOUT_MS:-120000}
FILE_TIMEOUT_S=${HUSK_FILE_TIMEOUT_S:-600}
SUITE_BUDGET_S=${HUSK_SUITE_BUDGET_S:-1140}

passed=0
failed=0
skipped=0
failures=()

LOGDIR=$(mktemp -d "${TMPDIR:-/tmp}/husk-run-all.XXXXXX")
cleanup() { rm -rf "$LOGDIR"; }
trap cleanup EXIT

section() { printf '\n=== %s ===\n' "$*"; }
fail_step() { # name
  failed=$((failed + 1))
  failures+=("$1")
}

start_time=$SECONDS

# Seconds a test binary or file may take: the per-file limit, capped by what is left of
# the suite budget. Prints 0 when the budget is spent.
file_limit() {
  local left=$((SUITE_BUDGET_S - (SECONDS - start_time)))
  ((left < 0)) && left=0
  ((left > FILE_TIMEOUT_S)) && left=$FILE_TIMEOUT_S
  echo "$left"
}

# ---------------------------------------------------------------- 1. install
if [[ "${HUSK_SKIP_INSTALL:-}" != 1 ]]; then
  section "install"
  if ! bash test/fixtures/ensure-packages.sh; then
    fail_step "ensure-packages"
  fi
  hidden_lock=node_modules/.package-lock.json
  if [[ ! -x "$BUN" || ! -f "$hidden_lock" || package-lock.json -nt "$hidden_lock" || package.json -nt "$hidden_lock" ]]; then
    echo "node_modules missing or stale: npm install (from package-lock.json)"
    # Not `npm ci`: the registry we reach lacks msgpackr-extract's macOS/Windows/arm32
    # builds (optional, unused: husk imports msgpackr's pure-JS entry), so the lock file
    # cannot list them and `npm ci` refuses it. `npm install --no-save` installs what the
    # lock pins and skips them. npm also warns that the install scripts of bun and
    # msgpackr-extract are not approved: neither is needed.
    if ! npm install --no-save --no-audit --no-fund; then
      fail_step "npm install"
    fi
  else
    echo "node_modules up to date"
  fi
fi

if [[ ! -x "$BUN" ]]; then
  echo "FATAL: $BUN not found; cannot build or run bun tests" >&2
  echo "0 passed, $((failed + 1)) failed"
  exit 1
fi

# ---------------------------------------------------------------- 2. build
if [[ "${HUSK_SKIP_BUILD:-}" != 1 ]]; then
  section "build"
  if ! "$BUN" run build </dev/null; then
    echo "BUILD FAILED" >&2
    fail_step "build"
  fi
fi

# ---------------------------------------------------------------- 3. C unit tests
section "C unit tests (TAP)"
shopt -s nullglob
c_tests=()
for t in build/tests/test_*; do
  [[ -f "$t" && -x "$t" ]] && c_tests+=("$t")
done
shopt -u nullglob
if ((${#c_tests[@]} == 0)); then
  echo "no C unit tests found under build/tests"
fi
for t in "${c_tests[@]}"; do
  name=$(basename "$t")
  log="$LOGDIR/$name.tap"
  limit=$(file_limit)
  if ((limit == 0)); then
    echo "# $name: not run, suite time budget (${SUITE_BUDGET_S}s) spent" >&2
    fail_step "$name (not run: time budget)"
    continue
  fi
  echo "# $t"
  timeout --kill-after=10 "$limit" "$t" </dev/null 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  if ((rc == 77)); then
    echo "# $name: skipped (exit 77)"
    skipped=$((skipped + 1))
    continue
  fi
  # ok / not ok lines; "# SKIP" directives count as skipped, "# TODO" failures do not count.
  read -r ok notok skip todo plan < <(awk '
    /^ok([ \t]|$)/     { if ($0 ~ /#[ \t]*[Ss][Kk][Ii][Pp]/) s++; else o++; next }
    /^not ok([ \t]|$)/ { if ($0 ~ /#[ \t]*[Tt][Oo][Dd][Oo]/) t++; else n++; next }
    /^1\.\.[0-9]+/     { split($0, a, /\.\.|[ \t]/); p = a[2] + 0 }
    END { printf "%d %d %d %d %d\n", o, n, s, t, (p == "" ? -1 : p) }' "$log")
  passed=$((passed + ok))
  failed=$((failed + notok))
  skipped=$((skipped + skip + todo))
  seen=$((ok + notok + skip + todo))
  if ((notok > 0)); then failures+=("$name ($notok not ok)"); fi
  if ((plan >= 0 && seen < plan)); then
    echo "# $name: planned $plan tests, saw $seen" >&2
    failed=$((failed + plan - seen))
    failures+=("$name (planned $plan, ran $seen)")
  elif ((rc != 0 && notok == 0)); then
    echo "# $name: exited $rc" >&2
    fail_step "$name (exit $rc)"
  fi
done

# ---------------------------------------------------------------- 4. bun test
# plugins/examples: third-party example plugins with their own tests (docs/plugins.md)
for dir in test/unit test/integration plugins/examples test/e2e test/packaging test/vm; do
  [[ -d "$dir" ]] || continue
  mapfile -t files < <(find "$dir" -type f \( -name '*.test.ts' -o -name '*.test.tsx' -o -name '*.test.js' \) | LC_ALL=C sort)
  if [[ -n "${HUSK_TEST_FILTER:-}" ]]; then
    mapfile -t files < <(printf '%s\n' "${files[@]}" | grep -E -- "$HUSK_TEST_FILTER" || true)
  fi
  ((${#files[@]} == 0)) && continue
  section "bun test: $dir (${#files[@]} files)"
  for f in "${files[@]}"; do
    [[ -n "$f" ]] || continue
    log="$LOGDIR/bun-$(echo "$f" | tr '/' '_').log"
    limit=$(file_limit)
    if ((limit == 0)); then
      echo "!! $f: not run, suite time budget (${SUITE_BUDGET_S}s) spent" >&2
      fail_step "$f (not run: time budget)"
      continue
    fi
    # A "./" path makes bun run exactly this file instead of treating it as a filter.
    timeout --kill-after=10 "$limit" "$BUN" test --timeout "$TEST_TIMEOUT_MS" "./$f" </dev/null 2>&1 | tee "$log"
    rc=${PIPESTATUS[0]}
    # bun's summary: " 12 pass", " 1 skip", " 0 fail" (last occurrence wins).
    read -r p s fl found < <(awk '
      /^[ \t]*[0-9]+ pass[ \t]*$/ { p = $1; found = 1 }
      /^[ \t]*[0-9]+ skip[ \t]*$/ { s = $1 }
      /^[ \t]*[0-9]+ todo[ \t]*$/ { s += $1 }
      /^[ \t]*[0-9]+ fail[ \t]*$/ { f = $1; found = 1 }
      END { printf "%d %d %d %d\n", p, s, f, found }' "$log")
    passed=$((passed + p))
    skipped=$((skipped + s))
    failed=$((failed + fl))
    if ((fl > 0)); then failures+=("$f ($fl failed)"); fi
    if ((found == 0)); then
      echo "!! $f: no bun test summary (exit $rc)" >&2
      fail_step "$f (no summary, exit $rc)"
    elif ((rc != 0 && fl == 0)); then
      echo "!! $f: bun test exited $rc" >&2
      fail_step "$f (exit $rc)"
    fi
  done
done

# ---------------------------------------------------------------- 5. summary
section "summary"
elapsed=$((SECONDS - start_time))
echo "skipped: $skipped; time: ${elapsed}s"
if ((${#failures[@]} > 0)); then
  echo "failures:"
  printf '  %s\n' "${failures[@]}"
fi
echo "$passed passed, $failed failed"
if ((failed > 0)); then
  exit 1
fi
exit 0
