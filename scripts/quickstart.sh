#!/usr/bin/env bash
# Runs Gantry locally: three manager peers on loopback and one agent (state under
# gantry-data/quickstart), then runs the example job and shows it.
# `scripts/quickstart.sh --stop` stops them (the agent stops its workloads first).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
data="$root/gantry-data/quickstart"
ids=(m1 m2 m3)
bases=(4 5 6)   # peer mN uses ports <base>646 (HTTP), <base>647 (gRPC), <base>648 (Raft)
peers="m1=127.0.0.1:4648,m2=127.0.0.1:5648,m3=127.0.0.1:6648"
export GANTRY_ADDR="127.0.0.1:4647,127.0.0.1:5647,127.0.0.1:6647"

stop() {
  if [ -f "$data/agent.pid" ]; then
    scripts/gantry job stop web >/dev/null 2>&1 || true
    sleep 3
  fi
  for id in agent "${ids[@]}"; do
    if [ -f "$data/$id.pid" ]; then
      kill "$(cat "$data/$id.pid")" 2>/dev/null || true
      rm -f "$data/$id.pid"
    fi
  done
}

if [ "${1:-}" = "--stop" ]; then
  stop
  echo "quickstart: peers stopped (state kept in $data)"
  exit 0
fi

# Build the jar once, in the foreground, so three launchers don't race to build it.
scripts/gantry --help >/dev/null
mkdir -p "$data"
stop
for i in 0 1 2; do
  id=${ids[$i]} b=${bases[$i]}
  nohup scripts/gantry server --id "$id" --data-dir "$data/$id" \
    --raft-addr "127.0.0.1:${b}648" --grpc-addr "127.0.0.1:${b}647" --http-addr "127.0.0.1:${b}646" \
    --peers "$peers" >"$data/$id.log" 2>&1 </dev/null &
  echo $! >"$data/$id.pid"
done

echo "quickstart: waiting for the peers to elect a leader..."
for _ in $(seq 1 120); do
  if scripts/gantry operator raft peers 2>/dev/null | grep -qw leader; then break; fi
  sleep 0.5
done
scripts/gantry operator raft peers

# One agent on this machine: Docker if the engine answers (scripts/setup.sh starts one), else exec.
nohup scripts/gantry agent --name local --servers "$GANTRY_ADDR" --data-dir "$data/agent" \
  >"$data/agent.log" 2>&1 </dev/null &
echo $! >"$data/agent.pid"
for _ in $(seq 1 60); do
  if scripts/gantry node ls 2>/dev/null | grep -q ready; then break; fi
  sleep 0.5
done
scripts/gantry node ls

scripts/gantry job run --detach examples/web.yaml
for _ in $(seq 1 60); do
  if [ "$(scripts/gantry alloc ls --job web 2>/dev/null | grep -c running)" -ge 3 ]; then break; fi
  sleep 1
done
scripts/gantry job status web
cat <<MSG

Gantry is running: three peers and an agent, logs in $data/*.log.
  export GANTRY_ADDR=$GANTRY_ADDR
  scripts/gantry job ls
  scripts/gantry alloc ls --job web
  scripts/quickstart.sh --stop
MSG
