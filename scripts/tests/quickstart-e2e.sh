#!/usr/bin/env bash
# End-to-end test of scripts/quickstart.sh, run by scripts/test.sh after `mvn verify` (or alone).
# Starts the quickstart on its own ports and state directory (so it never meets a quickstart a
# user runs, nor the other tests, which take ports from the kernel's ephemeral range), then checks:
# every replica answers over HTTP, every manager's /v1/status/leader names the same leader, a
# second run says it is already up, and --stop leaves no process, no container and no port.
# Every wait polls with a deadline. Exit 0 and a PASS line, or 1 and the reason.
#
# Environment: GANTRY_QUICKSTART_BASE_PORT (default here 17646, so ports 17646-19648) and
# GANTRY_QUICKSTART_DIR (default here gantry-data/quickstart-test) go to the script.
# shellcheck source-path=SCRIPTDIR/../..
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
source scripts/lib/local-cluster.sh

export GANTRY_QUICKSTART_BASE_PORT="${GANTRY_QUICKSTART_BASE_PORT:-17646}"
export GANTRY_QUICKSTART_DIR="${GANTRY_QUICKSTART_DIR:-gantry-data/quickstart-test}"
base=$GANTRY_QUICKSTART_BASE_PORT
dir=$GANTRY_QUICKSTART_DIR
out="$root/gantry-data/quickstart-test.out"
mkdir -p "$root/gantry-data"
began=$SECONDS
say() { echo "quickstart-test: $*"; }
fail() {
  echo "quickstart-test: FAIL after $((SECONDS - began))s: $*" >&2
  exit 1
}
stopped=0
cleanup() {
  if [ "$stopped" = 0 ]; then
    scripts/quickstart.sh --stop >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT

# --- up -----------------------------------------------------------------------------------------
say "scripts/quickstart.sh (ports $base-$((base + 2002)), state in $dir; output also in $out)"
set +e
scripts/quickstart.sh 2>&1 | tee "$out"
rc=${PIPESTATUS[0]}
set -e
[ "$rc" = 0 ] || fail "scripts/quickstart.sh exited $rc"
up_after=$((SECONDS - began))

driver=$(sed -n 's/^driver=//p' "$dir/quickstart.env")
job=$(sed -n 's/^job=//p' "$dir/quickstart.env")
spec=$(sed -n 's/^spec=//p' "$dir/quickstart.env")
count=$(sed -n 's/^ *count: *\([0-9]*\).*/\1/p' "$spec" | head -1)
say "up in ${up_after}s: driver $driver, job $job, $count replicas expected"

# --- every replica answers ----------------------------------------------------------------------
# The body of URL $1 has a line matching $2 (read whole first: grep -q on a pipe would cut it off
# and, with pipefail, fail the pipeline).
body_has() {
  local body
  body=$(gantry_http_get "$1") || return 1
  grep -q -- "$2" <<<"$body"
}
replica_lines=$(grep -E '^  replica ' "$out" || true)
[ "$(grep -c . <<<"$replica_lines")" = "$count" ] || fail "expected $count replica lines, got: $replica_lines"
if [ "$driver" = docker ]; then
  while read -r url; do
    gantry_await "$url to answer" 30 body_has "$url" gantry || fail "replica $url does not answer"
    say "replica $url answers"
  done < <(grep -oE 'http://127\.0\.0\.1:[0-9]+/$' <<<"$replica_lines")
fi

# --- every manager knows the same leader --------------------------------------------------------
leader_of() {
  local body
  body=$(gantry_http_get "http://127.0.0.1:$1/v1/status/leader") || return 0
  grep -m1 -oE '"id": "[^"]+"' <<<"$body" || true
}
has_leader() { [ -n "$(leader_of "$1")" ]; }
leaders=""
for port in "$base" $((base + 1000)) $((base + 2000)); do
  grep -q "http://127.0.0.1:$port/v1/status/leader" "$out" || fail "the summary does not name manager HTTP port $port"
  gantry_await "a leader on :$port" 30 has_leader "$port" || fail "http://127.0.0.1:$port/v1/status/leader names no leader"
  gantry_await "gantry_ series on :$port/metrics" 30 body_has "http://127.0.0.1:$port/metrics" '^gantry_' \
    || fail "http://127.0.0.1:$port/metrics has no gantry_ series"
  leaders="$leaders$(leader_of "$port")"$'\n'
done
[ "$(sort -u <<<"${leaders%$'\n'}" | wc -l)" = 1 ] || fail "the managers name different leaders: $leaders"
say "every manager answers /v1/status/leader with $(head -1 <<<"$leaders") and serves /metrics"

# --- a second run while up ----------------------------------------------------------------------
again=$(scripts/quickstart.sh 2>&1) || fail "a second scripts/quickstart.sh exited non-zero: $again"
grep -q "already up" <<<"$again" || fail "a second run did not say it is already up: $again"
say "a second run says: $(grep 'already up' <<<"$again")"

# --- what must be gone after --stop -------------------------------------------------------------
pidfiles=("$dir"/*.pid)
[ "${#pidfiles[@]}" = 5 ] || fail "expected 5 pid files in $dir, got ${#pidfiles[*]}"
saved_pids=$(cat "${pidfiles[@]}")
allocs=$(gantry_http_get "http://127.0.0.1:$base/v1/job/$job/allocations" | grep -oE '"id": "[^"]+"' | cut -d'"' -f4 | sort -u)
containers=""
if [ "$driver" = docker ]; then
  for id in $allocs; do containers="$containers $(docker ps -aq --filter "label=gantry.alloc=$id")"; done
  [ "$(wc -w <<<"$containers")" -ge "$count" ] || fail "expected $count containers of job $job, found: $containers"
fi
tasks=$(cat "$dir"/a*/exec/*/*/task.properties 2>/dev/null | sed -n 's/^pid=//p' | tr '\n' ' ' || true)

stopped=1
scripts/quickstart.sh --stop || fail "scripts/quickstart.sh --stop exited non-zero"

while read -r pid ticks; do
  ! gantry_ticks_alive "$pid" "$ticks" || fail "process $pid still runs after --stop"
done <<<"$saved_pids"
for id in $allocs; do
  [ -z "$(docker ps -aq --filter "label=gantry.alloc=$id" 2>/dev/null)" ] || fail "a container of allocation $id is left"
done
for c in $containers; do
  ! docker inspect "$c" >/dev/null 2>&1 || fail "container $c is left"
done
for pid in $tasks; do
  ! kill -0 "$pid" 2>/dev/null || fail "exec task $pid still runs"
done
for i in 0 1 2; do
  for port in $((base + 1000 * i)) $((base + 1000 * i + 1)) $((base + 1000 * i + 2)); do
    ! gantry_port_taken "$port" || fail "port $port is still taken after --stop"
  done
done
[ -z "$(ls "$dir"/*.pid 2>/dev/null)" ] || fail "pid files left: $(ls "$dir"/*.pid)"
say "--stop left no process (5 stopped), no container ($(wc -w <<<"$containers") removed) and no port"
say "PASS in $((SECONDS - began))s (quickstart up in ${up_after}s)"
