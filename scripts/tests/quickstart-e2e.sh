#!/usr/bin/env bash
# End-to-end test of scripts/quickstart.sh, run by scripts/test.sh after `mvn verify` (or alone).
# Starts the quickstart on its own ports and state directory (so it never meets a quickstart a
# user runs, nor the other tests, which take ports from the kernel's ephemeral range), then checks:
# every replica answers over HTTP, every manager's /v1/status/leader names the same leader, each
# agent serves its own /metrics (the session and, on some agent, each allocation's CPU and memory),
# the summary prints the web UI's address and it answers HTML, a second run says it is already up,
# and --stop leaves no process, no container and no port.
# Every wait polls with a deadline. Exit 0 and a PASS line, or 1 and the reason.
#
# Environment: GANTRY_QUICKSTART_BASE_PORT (default here 17646, so ports 17646-19648) and
# GANTRY_QUICKSTART_DIR (default here gantry-data/quickstart-test) go to the script.
# With --secure it runs `scripts/quickstart.sh --secure` and checks the same over mutual TLS with
# the management token, and also: plaintext and no-token calls are refused, the audit log holds
# the job's registration, and the token's secret is in no log or data file but its own.
# shellcheck source-path=SCRIPTDIR/../..
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
source scripts/lib/local-cluster.sh

secure=0
case "${1:-}" in
  --secure) secure=1 ;;
  "") ;;
  *) echo "quickstart-e2e: unknown argument $1 (expected --secure)" >&2; exit 2 ;;
esac
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
if [ "$secure" = 1 ]; then
  scripts/quickstart.sh --secure 2>&1 | tee "$out"
else
  scripts/quickstart.sh 2>&1 | tee "$out"
fi
rc=${PIPESTATUS[0]}
set -e
[ "$rc" = 0 ] || fail "scripts/quickstart.sh exited $rc"
up_after=$((SECONDS - began))

driver=$(sed -n 's/^driver=//p' "$dir/quickstart.env")
job=$(sed -n 's/^job=//p' "$dir/quickstart.env")
spec=$(sed -n 's/^spec=//p' "$dir/quickstart.env")
count=$(sed -n 's/^ *count: *\([0-9]*\).*/\1/p' "$spec" | head -1)
say "up in ${up_after}s: driver $driver, job $job, $count replicas expected"

scheme=http
if [ "$secure" = 1 ]; then
  scheme=https
  export GANTRY_TLS_CA="$dir/pki/ca.pem" GANTRY_TLS_CERT="$dir/pki/admin.pem" GANTRY_TLS_KEY="$dir/pki/admin-key.pem"
  [ "$(stat -c %a "$dir/management.token")" = 600 ] || fail "$dir/management.token is not 0600"
  GANTRY_TOKEN=$(cat "$dir/management.token")
  export GANTRY_TOKEN
  grep -q "export GANTRY_TOKEN=" "$out" || fail "the summary does not say how to use the management token"
  ! grep -qF "$GANTRY_TOKEN" "$out" || fail "the summary prints the management token's secret"
  source scripts/lib/jdk.sh
  gantry_use_jdk >/dev/null
  cli() { java -jar cli/target/gantry.jar "$@" --address "127.0.0.1:$((base + 1))"; }
  # plaintext: refused at the handshake
  if (unset GANTRY_TLS_CA GANTRY_TLS_CERT GANTRY_TLS_KEY; cli job ls >/dev/null 2>&1); then fail "a plaintext client was answered"; fi
  ! gantry_http_get "http://127.0.0.1:$base/v1/status/leader" >/dev/null || fail "plain HTTP was answered"
  # no token: permission denied
  denied=$( (unset GANTRY_TOKEN; cli job ls 2>&1 >/dev/null) || true)
  grep -q "permission denied" <<<"$denied" || fail "a call without a token was not denied: $denied"
  audit=$(cli operator audit; for m in 1 2; do java -jar cli/target/gantry.jar operator audit --address "127.0.0.1:$((base + 1000 * m + 1))"; done)
  grep -q "RegisterJob.*\"ok\"" <<<"$audit" || grep -q "\"ok\".*RegisterJob" <<<"$audit" || fail "no allowed RegisterJob in the audit logs: $audit"
  grep -q "denied" <<<"$audit" || fail "no denied request in the audit logs"
  leaks=$(grep -rlF "$GANTRY_TOKEN" "$dir" --exclude=management.token || true)
  [ -z "$leaks" ] || fail "the management secret is in: $leaks"
  say "mutual TLS and ACLs: plaintext and token-less calls refused, the audit log holds them, the secret is nowhere else"
fi

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
  body=$(gantry_http_get "$scheme://127.0.0.1:$1/v1/status/leader") || return 0
  grep -m1 -oE '"id": "[^"]+"' <<<"$body" || true
}
has_leader() { [ -n "$(leader_of "$1")" ]; }
leaders=""
for port in "$base" $((base + 1000)) $((base + 2000)); do
  grep -q "$scheme://127.0.0.1:$port/v1/status/leader" "$out" || fail "the summary does not name manager HTTP port $port"
  gantry_await "a leader on :$port" 30 has_leader "$port" || fail "$scheme://127.0.0.1:$port/v1/status/leader names no leader"
  gantry_await "gantry_ series on :$port/metrics" 30 body_has "$scheme://127.0.0.1:$port/metrics" '^gantry_' \
    || fail "$scheme://127.0.0.1:$port/metrics has no gantry_ series"
  leaders="$leaders$(leader_of "$port")"$'\n'
done
[ "$(sort -u <<<"${leaders%$'\n'}" | wc -l)" = 1 ] || fail "the managers name different leaders: $leaders"
say "every manager answers /v1/status/leader with $(head -1 <<<"$leaders") and serves /metrics"

# --- the agents' own /metrics (gantry agent --http-addr, scraped by scripts/monitoring) ---------
for port in $((base + 3)) $((base + 1003)); do
  grep -q "$scheme://127.0.0.1:$port/metrics" "$out" || fail "the summary does not name agent metrics port $port"
  gantry_await "gantry_agent_session_open 1 on :$port/metrics" 30 body_has "$scheme://127.0.0.1:$port/metrics" \
    '^gantry_agent_session_open{.*} 1' || fail "$scheme://127.0.0.1:$port/metrics has no open session series"
done
# Samples every 5 s; the job's replicas are spread or packed, so some agent has them.
agent_alloc_series() {
  body_has "$scheme://127.0.0.1:$((base + 3))/metrics" '^gantry_agent_allocation_memory_mib{' \
    || body_has "$scheme://127.0.0.1:$((base + 1003))/metrics" '^gantry_agent_allocation_memory_mib{'
}
gantry_await "per-allocation series on an agent's /metrics" 30 agent_alloc_series \
  || fail "no agent's /metrics has gantry_agent_allocation_memory_mib for the job's replicas"
say "both agents serve /metrics with their session and their allocations' CPU and memory"

# --- the web UI ---------------------------------------------------------------------------------
if ! grep -qF "== Web UI" "$out" || ! grep -qE "^  $scheme://127\.0\.0\.1:$base/ " "$out"; then
  fail "the summary does not print the web UI address $scheme://127.0.0.1:$base/"
fi
gantry_await "the web UI on :$base/" 30 body_has "$scheme://127.0.0.1:$base/" '<title>Gantry</title>' \
  || fail "$scheme://127.0.0.1:$base/ does not answer the web UI's HTML"
say "the summary prints the web UI address and $scheme://127.0.0.1:$base/ answers its HTML"

# --- a second run while up ----------------------------------------------------------------------
mode=()
[ "$secure" = 1 ] && mode=(--secure)
again=$(scripts/quickstart.sh "${mode[@]}" 2>&1) || fail "a second scripts/quickstart.sh exited non-zero: $again"
grep -q "already up" <<<"$again" || fail "a second run did not say it is already up: $again"
say "a second run says: $(grep 'already up' <<<"$again")"

# --- what must be gone after --stop -------------------------------------------------------------
pidfiles=("$dir"/*.pid)
[ "${#pidfiles[@]}" = 5 ] || fail "expected 5 pid files in $dir, got ${#pidfiles[*]}"
saved_pids=$(cat "${pidfiles[@]}")
allocs=$(gantry_http_get "$scheme://127.0.0.1:$base/v1/job/$job/allocations" | grep -oE '"id": "[^"]+"' | cut -d'"' -f4 | sort -u)
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
for port in $((base + 3)) $((base + 1003)); do
  ! gantry_port_taken "$port" || fail "agent metrics port $port is still taken after --stop"
done
[ -z "$(ls "$dir"/*.pid 2>/dev/null)" ] || fail "pid files left: $(ls "$dir"/*.pid)"
say "--stop left no process (5 stopped), no container ($(wc -w <<<"$containers") removed) and no port"
say "PASS in $((SECONDS - began))s (quickstart up in ${up_after}s)"
