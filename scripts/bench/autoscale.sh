#!/usr/bin/env bash
# Autoscaling benchmark: the autoscaled echo job of examples/autoscaled.yaml (one replica at rest,
# 200 millicores reserved, scaling 1..3 with Gantry's defaults: cpu above 80 % out, below 30 % in,
# a 30 s window, 30 s cooldowns, 60 s scale-in stabilization) on one agent (exec driver, default
# 5 s reports) of a one-manager cluster on loopback. A driver (gantry.examples.echo.bench.
# AutoscaleBench, in the echo jar) tells the replica to burn BENCH_LOAD (400) millicores, a step
# to 200 % of its reservation, and per round (BENCH_ROUNDS, 3) measures:
#   RESULT load_to_scale_out_ms     from the step to the autoscaler's first decision (its record)
#   RESULT scale_out_to_serving_ms  from that decision to the new replica in the service's
#                                   endpoints (placed, started, its tcp check passing)
#   RESULT idle_to_scale_in_ms      from every replica set idle to the first scale-in decision
# (medians). Kubernetes' HPA, for comparison, syncs every 15 s and stabilizes scale-in over 300 s
# by default. BENCH_WINDOW / BENCH_COOLDOWN / BENCH_STABILIZATION / BENCH_METRICS_INTERVAL change
# the policy and the agent's report interval. Run it with nothing else on the machine.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
say() { echo "bench-autoscale [$(date +%T)]: $*" >&2; }
# shellcheck source=scripts/lib/jdk.sh
source scripts/lib/jdk.sh
gantry_use_jdk || exit 1
read -r -a java_opts <<<"$GANTRY_JAVA_OPTS"
[ -f cli/target/gantry.jar ] || scripts/gantry --help >/dev/null
data="$root/gantry-data/bench-autoscale/$(date +%Y%m%d-%H%M%S)"
mkdir -p "$data"
# shellcheck source=scripts/lib/bench.sh
source scripts/lib/bench.sh
bench_traps
bench_copy_jar
bench_echo_jar

managers=1
start_cluster autoscale 3s
start_exec_agent n1 --cpu 4000 --memory 4096 --advertise 127.0.0.1 --metrics-interval "${BENCH_METRICS_INTERVAL:-5s}"
echo_spec examples/autoscaled.yaml "$data/autoscaled.yaml"
sed -i -e "s/window: 30s/window: ${BENCH_WINDOW:-30s}/" -e "s/cooldown: 30s/cooldown: ${BENCH_COOLDOWN:-30s}/" \
  -e "s/scale_in_stabilization: 60s/scale_in_stabilization: ${BENCH_STABILIZATION:-60s}/" "$data/autoscaled.yaml"
say "running the autoscaled job"
gantry job run "$data/autoscaled.yaml" --address "$addrs" >"$data/job-run.log" 2>&1 || { cat "$data/job-run.log" >&2; exit 1; }
echo_bench AutoscaleBench --job burn --rounds "${BENCH_ROUNDS:-3}" --load "${BENCH_LOAD:-400}" | tee "$data/results.txt"
gantry job history burn --address "$addrs" >&2
gantry job stop burn --address "$addrs" >/dev/null
