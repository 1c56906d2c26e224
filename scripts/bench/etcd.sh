#!/usr/bin/env bash
# The write anchor of scripts/bench/state.sh (issue 14): Debian's etcd as a 3-member cluster on
# loopback (fsync on, as etcd always runs), loaded by `etcdctl check perf --load=xl` (1,000
# clients writing for 60 s). Prints RESULT etcd_writes_per_s, etcd_slowest_ms and etcd_version.
# Installs etcd-server and etcd-client with apt-get when they are missing (as root). Members, their data and logs live under gantry-data/bench-etcd/RUN and are stopped
# by process id at the end; ETCD_LOAD overrides the load (s, m, l, xl).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
say() { echo "bench-etcd [$(date +%T)]: $*" >&2; }
# shellcheck source=../lib/apt.sh
source scripts/lib/apt.sh
gantry_apt_ensure bench "the etcd anchor of state.sh" "etcd etcdctl" "etcd-server etcd-client" || exit 1

run="$(date +%Y%m%d-%H%M%S)-$$"
data="$root/gantry-data/bench-etcd/$run"
mkdir -p "$data"
pids=()
stop_members() {
  local pid
  for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap stop_members EXIT

# Six free loopback ports: a client and a peer port per member.
mapfile -t ports < <(python3 - <<'EOF'
import socket
socks = [socket.socket() for _ in range(6)]
for s in socks: s.bind(("127.0.0.1", 0))
for s in socks: print(s.getsockname()[1])
EOF
)
cluster=""
for i in 0 1 2; do cluster="${cluster:+$cluster,}e$i=http://127.0.0.1:${ports[$((2 * i + 1))]}"; done
endpoints=""
for i in 0 1 2; do
  client=${ports[$((2 * i))]} peer=${ports[$((2 * i + 1))]}
  endpoints="${endpoints:+$endpoints,}127.0.0.1:$client"
  etcd --name "e$i" --data-dir "$data/e$i" \
    --listen-client-urls "http://127.0.0.1:$client" --advertise-client-urls "http://127.0.0.1:$client" \
    --listen-peer-urls "http://127.0.0.1:$peer" --initial-advertise-peer-urls "http://127.0.0.1:$peer" \
    --initial-cluster "$cluster" --initial-cluster-state new --initial-cluster-token "bench-$run" \
    >"$data/e$i.log" 2>&1 &
  pids+=($!)
done

export ETCDCTL_API=3
for _ in $(seq 1 120); do
  etcdctl --endpoints "$endpoints" endpoint health >/dev/null 2>&1 && break
  sleep 0.5
done
etcdctl --endpoints "$endpoints" endpoint health >/dev/null || { say "etcd did not become healthy; logs in $data"; exit 1; }

load=${ETCD_LOAD:-xl}
say "etcdctl check perf --load=$load against 3 members ($endpoints)"
out="$data/check-perf.txt"
# check perf exits non-zero when etcd misses the load's expectations; its figures still count.
etcdctl --endpoints "$endpoints" check perf --load="$load" >"$out" 2>&1 || true
grep -E '^(PASS|FAIL)|Slowest|Stddev' "$out" >&2 || true
writes=$(sed -n 's/.*Throughput[^0-9]*\([0-9.]*\) writes\/s.*/\1/p' "$out" | head -1)
[ -n "$writes" ] || { say "no throughput in etcdctl's output ($out)"; exit 1; }
echo "RESULT etcd_writes_per_s=${writes%.*}"
slowest=$(sed -n 's/.*Slowest request took[^0-9]*\([0-9.]*\)s.*/\1/p' "$out" | head -1)
[ -z "$slowest" ] || awk -v s="$slowest" 'BEGIN { printf "RESULT etcd_slowest_ms=%.1f\n", s * 1000 }'
echo "RESULT etcd_version=$(etcd --version 2>/dev/null | sed -n 's/^etcd Version: //p')"
