#!/usr/bin/env bash
# Load-balancing benchmark: the echo service (examples/echo.yaml, 3 replicas, exec driver) on three
# agents of 1000, 2000 and 3000 millicores (--cpu), one manager, all on loopback with free ports;
# a driver (gantry.examples.echo.bench.LbBench, in the echo jar) calls it through gantry:///echo as
# a user's program would. Per round (BENCH_ROUNDS, 3):
#   the split of BENCH_CALLS (6000) sequential calls with the weighted policy against the
#   endpoints' weights (r_i = node CPU: expected 1/6, 2/6, 3/6) and with round_robin against 1/3
#   each, once every endpoint answers: the largest gap in percentage points;
#   the death of the heaviest replica (SIGKILL of its process) while 4 threads call: from the kill
#   to the start of the last call that still went to it (every call to it fails, so that is the
#   last failure; 0 when none started after the kill), and how many calls failed. The replica is
#   replaced (restart mode fail: a new allocation) before the next round;
#   the mean time per sequential call through the balancer and over direct channels to the same
#   endpoints taken in turn (BENCH_OVERHEAD_CALLS, 20000, after as many warm-up calls).
# RESULT lines (medians of the rounds): weighted_max_dev_pp, round_robin_max_dev_pp (goal <= 1),
# endpoint_death_to_no_calls_ms, endpoint_death_failed_calls, lb_call_us, direct_call_us,
# lb_overhead_us_per_call. Run it with nothing else on the machine.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
say() { echo "bench-lb [$(date +%T)]: $*" >&2; }
# shellcheck source=scripts/lib/jdk.sh
source scripts/lib/jdk.sh
gantry_use_jdk || exit 1
read -r -a java_opts <<<"$GANTRY_JAVA_OPTS"
[ -f cli/target/gantry.jar ] || scripts/gantry --help >/dev/null
data="$root/gantry-data/bench-lb/$(date +%Y%m%d-%H%M%S)"
mkdir -p "$data"
# shellcheck source=scripts/lib/bench.sh
source scripts/lib/bench.sh
bench_traps
bench_copy_jar
bench_echo_jar

managers=1
start_cluster lb 3s
for i in 1 2 3; do start_exec_agent "n$i" --cpu "$((i * 1000))" --memory 4096 --advertise 127.0.0.1; done
echo_spec examples/echo.yaml "$data/echo.yaml"
say "running the echo job"
gantry job run "$data/echo.yaml" --address "$addrs" >"$data/job-run.log" 2>&1 || { cat "$data/job-run.log" >&2; exit 1; }
gantry service endpoints echo --address "$addrs" >&2
echo_bench LbBench --calls "${BENCH_CALLS:-6000}" --rounds "${BENCH_ROUNDS:-3}" \
  --overhead-calls "${BENCH_OVERHEAD_CALLS:-20000}" | tee "$data/results.txt"
gantry job stop echo --address "$addrs" >/dev/null
