#!/usr/bin/env bash
# Rolling-update benchmark: Gantry's deployment against `docker service update` in Swarm mode, on
# the local Docker engine, in one run. Both roll BENCH_REPLICAS (20) replicas of the web service of
# examples/web.yaml (local/busybox:1 running `httpd -f -p 8080 -h /www`, a host port each, an HTTP
# check on /) to a new version, BENCH_MAX_PARALLEL (5) at a time, start-first (BENCH_ORDER); the
# change is an env var, VERSION=N -> N+1 (destructive in both: every replica is replaced).
#
#   gantry  its own cluster on loopback (free ports; state and logs in gantry-data/bench-deploy/RUN):
#           BENCH_MANAGERS (3) managers and one agent with the docker driver, as agent.sh starts
#           them. The job is run once (`gantry job run` follows its first deployment), then each
#           round registers the next version with `gantry job run --detach` and times from that
#           command's start (its JVM start included, as a user pays it; also reported apart) to
#           the deployment SUCCESSFUL: every new allocation healthy (a watcher JVM,
#           scripts/bench/DeployWatch.java, polls ListDeployments every BENCH_POLL_MS, 100).
#   swarm   `docker swarm init` on 127.0.0.1, `docker service create` with the same image, command,
#           limits (0.25 CPU, 64 MiB), env and a host-mode port, then each round
#           `docker service update --detach --env-add VERSION=N+1`, timed to the service's
#           UpdateStatus.State completed with N tasks running the new spec (the same watcher, on
#           the engine's API); `docker swarm leave --force` at the end.
# During each update the watcher also counts, every BENCH_SAMPLE_MS (200), the replicas that run
# and answer an HTTP GET on their host port (1 s timeout), the same way for both; the minimum over
# the update is min_healthy_during_update (for Gantry; Swarm's is printed too).
#
# Health and pacing, chosen so that both wait for a replica to be healthy for the same minimum time
# (H = BENCH_MIN_HEALTHY, 5s as examples/web.yaml) before the roll-out moves on or ends:
#   the check   Gantry: check {type: http, port: http, path: /, interval: 2s, timeout: 1s}, from the
#               agent, first probe one interval after the start, unhealthy after 3 failures.
#               Swarm: --health-cmd 'wget -q -O /dev/null http://127.0.0.1:8080/' (busybox wget, run
#               in the container) --health-interval 2s --health-timeout 1s --health-retries 3: the
#               engine also probes first one interval after the start, and a task counts as running
#               in Swarm only once its container is healthy.
#   Gantry      update {max_parallel: 5, min_healthy_time: H, order: start_first}: an allocation is
#               healthy once its task ran with the check passing continuously for H; the next
#               replacement is placed as soon as one of the 5 in flight is healthy, and the
#               deployment succeeds when every new allocation is.
#   Swarm       --update-parallelism 5 --update-delay H --update-monitor 1ms --update-order start-first
#               (failure action pause, the default). Swarm runs 5 update workers; each one replaces a
#               task, waits until the new one is running (= healthy), then sleeps --update-delay
#               before it takes the next: so --update-delay = H is Gantry's min_healthy_time wait
#               after each healthy replica. After the last worker's delay the updater watches for
#               failures one more monitoring period before it marks the update completed (swarmkit
#               manager/orchestrator/update/updater.go): the monitor only adds to the end, so it is
#               set to the smallest value the engine takes (0 would mean its default, 5s). But
#               swarmkit raises that period to delay + 1s whenever delay >= monitor (measured with
#               the Docker 20.10.24 engine here: completed 11.1 s after the last task ran, with
#               delay 5s, monitor 1ms), so `completed` comes H + H + 1s after Swarm's last replica
#               became healthy, where Gantry's SUCCESSFUL comes H after its last one. That tail is
#               Swarm's (no choice of flags keeps the per-replica wait at H and removes it), so
#               swarm_rolled_s is printed too: from the update to the last new task running + H,
#               the moment Swarm's replicas met the condition Gantry's SUCCESSFUL reports.
#   order       start-first in both (Gantry's default; Swarm's default is stop-first): the old replica
#               stops once its replacement is healthy (Gantry) / running (Swarm), so the answering
#               count should not drop. BENCH_ORDER=stop_first runs both stop-first (it drops by up
#               to max_parallel).
#
# RESULT lines (medians over BENCH_ROUNDS, default 3; rounds reuse one job / one service, each
# updating it to the next version):
#   RESULT gantry_update_s=S  RESULT swarm_update_s=S  RESULT gantry_vs_swarm=RATIO (goal <= 1.0)
#   RESULT min_healthy_during_update=N (Gantry; of BENCH_REPLICAS)
#   and: gantry_job_run_cli_s (of gantry_update_s: the `gantry job run` command itself),
#   swarm_rolled_s and gantry_vs_swarm_rolled (Swarm without its end-of-update monitoring, above),
#   min_healthy_during_update_worst (lowest of the rounds), swarm_min_healthy_during_update.
# Per round, stderr shows where the time went: from the allocations (placed, started, healthy) or
# the Swarm tasks (created, running).
# BENCH_QUICK=1: a smoke run, 1 round of 10 replicas. Other knobs: BENCH_REPLICAS, BENCH_ROUNDS,
# BENCH_MAX_PARALLEL, BENCH_MIN_HEALTHY, BENCH_CHECK_INTERVAL, BENCH_SWARM_MONITOR, BENCH_ORDER
# (start_first | stop_first), BENCH_MANAGERS, BENCH_POLL_MS, BENCH_SAMPLE_MS, BENCH_SETTLE (seconds
# between rounds, 5), BENCH_PHASES (gantry swarm), BENCH_AGENT_JAVA_OPTS (agent.sh's flags).
# On exit (also on error or Ctrl-C) it stops its processes, removes its containers by label and
# leaves Swarm mode if it entered it; it skips Swarm if the engine is in a swarm it did not make.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
say() { echo "bench-deploy [$(date +%T)]: $*" >&2; }
# shellcheck source=scripts/lib/jdk.sh
source scripts/lib/jdk.sh
# shellcheck source=scripts/lib/docker.sh
source scripts/lib/docker.sh
gantry_use_jdk || exit 1
read -r -a java_opts <<<"$GANTRY_JAVA_OPTS"   # several flags (JDK 24+ access flags)
gantry_ensure_docker || exit 1
scripts/images.sh
[ -f cli/target/gantry.jar ] || scripts/gantry --help >/dev/null

# A duration as the specs write it (500ms, 5s, 1m) in ms.
dur_ms() {
  case $1 in
    *ms) echo "${1%ms}" ;;
    *s) awk -v v="${1%s}" 'BEGIN {printf "%d\n", v * 1000}' ;;
    *m) awk -v v="${1%m}" 'BEGIN {printf "%d\n", v * 60000}' ;;
    *) say "cannot read the duration $1 (500ms, 5s, 1m)"; return 1 ;;
  esac
}

quick=${BENCH_QUICK:-0}
[ "$quick" = "true" ] && quick=1
if [ "$quick" = 1 ]; then
  rounds=${BENCH_ROUNDS:-1}; replicas=${BENCH_REPLICAS:-10}; settle=${BENCH_SETTLE:-2}
else
  rounds=${BENCH_ROUNDS:-3}; replicas=${BENCH_REPLICAS:-20}; settle=${BENCH_SETTLE:-5}
fi
managers=${BENCH_MANAGERS:-3}
max_parallel=${BENCH_MAX_PARALLEL:-5}
min_healthy=${BENCH_MIN_HEALTHY:-5s}
check_interval=${BENCH_CHECK_INTERVAL:-2s}
check_timeout=1s
swarm_monitor=${BENCH_SWARM_MONITOR:-1ms}
min_healthy_ms=$(dur_ms "$min_healthy")
order=${BENCH_ORDER:-start_first}
case $order in
  start_first|stop_first) swarm_order=${order/_/-} ;;
  *) say "BENCH_ORDER must be start_first or stop_first, not $order"; exit 2 ;;
esac
poll_ms=${BENCH_POLL_MS:-100}
sample_ms=${BENCH_SAMPLE_MS:-200}
update_timeout_s=300
phases=${BENCH_PHASES:-gantry swarm}
# The agent's JVM flags and malloc arenas of scripts/bench/agent.sh (see README "Benchmarks").
agent_opts=${BENCH_AGENT_JAVA_OPTS--Xms8m -Xmx40m -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=30 -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:CICompilerCount=1 -XX:ReservedCodeCacheSize=24m -XX:MaxMetaspaceSize=128m -Xss256k -XX:MaxDirectMemorySize=32m -Dio.netty.allocator.type=unpooled}
malloc_arenas=${BENCH_AGENT_MALLOC_ARENA_MAX:-2}
image=local/busybox:1

run="$(date +%Y%m%d-%H%M%S)-$$"
tag="benchdeploy-$$"          # prefix of job, container and service names
data="$root/gantry-data/bench-deploy/$run"
mkdir -p "$data"
# shellcheck source=../lib/bench.sh
source scripts/lib/bench.sh
bench_copy_jar
bench_traps
# The watcher's source is copied too: a change to it during the run must not reach this run.
watcher="$data/DeployWatch.java"
cp scripts/bench/DeployWatch.java "$watcher"

# Waits (up to $3 s) until exactly $2 containers with label $1 run (the previous round's old
# replicas are gone), then BENCH_SETTLE seconds more.
wait_settled() {
  local label=$1 want=$2 limit=${3:-120} i n=0
  for i in $(seq 1 $((limit * 2))); do
    n=$(running_count "$label")
    [ "$n" -eq "$want" ] && break
    sleep 0.5
  done
  [ "$n" -eq "$want" ] || say "WARNING: $n containers with $label run, not $want"
  sleep "$settle"
}

# Waits (up to $2 s) until no container with label $1 runs, then removes them all.
drain_label() {
  local label=$1 limit=${2:-60} i
  for i in $(seq 1 $((limit * 4))); do
    [ "$(running_count "$label")" -eq 0 ] && break
    sleep 0.25
  done
  rm_by_label "$label"
}

# ---------------------------------------------------------------- the watcher
watch_pid=""
start_watch() {   # start_watch OUT MODE ARGS...; returns once it printed ready (baseline seen)
  local out=$1 i
  shift
  : >"$out"
  java "${java_opts[@]}" -cp "$jar" "$watcher" "$@" >"$out" 2>"$out.err" &
  watch_pid=$!
  procs[$watch_pid]=watcher
  for i in $(seq 1 1800); do
    grep -q '^ready ' "$out" && return 0
    kill -0 "$watch_pid" 2>/dev/null || break
    sleep 0.1
  done
  say "the watcher did not become ready: $(cat "$out" "$out.err" | tail -n 3 | tr '\n' ' ')"
  return 1
}

# Waits for the watcher; sets done_ms and done_state, or fails.
done_ms=""
done_state=""
watch_result() {
  local out=$1
  wait "$watch_pid" || true
  unset "procs[$watch_pid]"
  done_ms=$(awk '$1 == "done" {print $2}' "$out")
  done_state=$(awk '$1 == "done" {$1 = ""; $2 = ""; sub(/^ +/, ""); print}' "$out")
  case $done_state in
    SUCCESSFUL*|completed) return 0 ;;
  esac
  say "update did not succeed: $(cat "$out" "$out.err" | grep -v '^alloc \|^task ' | tail -n 3 | tr '\n' ' ')"
  return 1
}

# min, max and count of the samples from $2 to $3 (epoch ms) in file $1: "MIN MAX COUNT".
sample_stats() {
  awk -v a="$2" -v b="$3" '$1 >= a && $1 <= b {
      if (n == 0 || $2 < lo) lo = $2
      if (n == 0 || $2 > hi) hi = $2
      n++
    } END {if (n == 0) print "NA NA 0"; else print lo, hi, n}' "$1"
}

# Where one update's time went, from the watcher's timeline (FILE KIND T0 DONE):
#   alloc IDX CREATED STARTED HEALTHY (gantry) | task SLOT CREATED 0 RUNNING (swarm).
# The replacement created j-th (j >= max_parallel) had room once the (j - max_parallel)-th one
# was healthy: "healthy -> next placed" is that wait (health report, evaluation, plan, commit).
timeline_summary() {
  local f=$1 kind=$2 t0=$3 tdone=$4 created healthy first last lat wait react
  created=$(awk -v k="$kind" '$1 == k && $3 > 0 {print $3}' "$f" | sort -n)
  healthy=$(awk -v k="$kind" '$1 == k && $5 > 0 {print $5}' "$f" | sort -n)
  [ -n "$created" ] && [ -n "$healthy" ] || { echo "no timeline"; return 0; }
  first=$(( $(head -n 1 <<<"$created") - t0 ))
  last=$(( tdone - $(tail -n 1 <<<"$healthy") ))
  # shellcheck disable=SC2046 # one number a word
  react=$(median $(paste -d ' ' <(tail -n +$((max_parallel + 1)) <<<"$created") <(head -n "-$max_parallel" <<<"$healthy") |
    awk 'NF == 2 {print $1 - $2}'))
  if [ "$kind" = alloc ]; then
    # shellcheck disable=SC2046
    lat=$(median $(awk '$1 == "alloc" && $3 > 0 && $4 > 0 {print $4 - $3}' "$f"))
    # shellcheck disable=SC2046
    wait=$(median $(awk '$1 == "alloc" && $4 > 0 && $5 > 0 {print $5 - $4}' "$f"))
    echo "first placed +${first} ms; median placed->task started ${lat} ms, started->deploy healthy ${wait} ms" \
      "(check interval + min_healthy_time), healthy->next placed ${react} ms; last healthy->SUCCESSFUL seen ${last} ms"
  else
    # shellcheck disable=SC2046
    wait=$(median $(awk '$1 == "task" && $3 > 0 && $5 > 0 {print $5 - $3}' "$f"))
    echo "first task created +${first} ms; median created->running (started and healthy) ${wait} ms," \
      "running->next created ${react} ms (update-delay included); last running->completed seen ${last} ms"
  fi
}

start_agent() {   # start_agent NODE JAVA_OPTS
  local node=$1 opts=$2 i extra=() envs=()
  read -r -a extra <<<"$opts"
  [ -z "$opts" ] || envs=("MALLOC_ARENA_MAX=$malloc_arenas")
  env "${envs[@]}" java "${java_opts[@]}" "${extra[@]}" -jar "$jar" agent --name "$node" --servers "$addrs" \
    --data-dir "$cluster_dir/$node" --driver docker --cpu 64000 --memory 16384 \
    >"$cluster_dir/$node.log" 2>&1 </dev/null &
  procs[$!]="$(basename "$cluster_dir")/$node"
  for i in $(seq 1 120); do
    if gantry node ls --address "$addrs" 2>/dev/null | grep -w "$node" | grep -qw ready; then
      return 0
    fi
    sleep 0.5
  done
  say "agent $node did not become ready; see $cluster_dir/$node.log"
  return 1
}

write_job() {   # write_job FILE NAME VERSION: examples/web.yaml's task, BENCH_REPLICAS of it
  cat >"$1" <<YAML
job: $2
type: service
groups:
  - name: web
    count: $replicas
    placement: spread
    restart: {attempts: 3, delay: 2s, mode: fail, interval: 5m}
    disconnect: {stop_after: 30s}
    update: {max_parallel: $max_parallel, min_healthy_time: $min_healthy, order: $order}
    tasks:
      - name: httpd
        driver: docker
        image: $image
        command: [httpd, -f, -p, "8080", -h, /www]
        resources: {cpu: 250, memory: 64}
        ports: [{name: http, to: 8080}]
        env: {GREETING: hello, VERSION: "$3"}
        check: {type: http, port: http, path: /, interval: $check_interval, timeout: $check_timeout}
YAML
}

# ---------------------------------------------------------------- phases
declare -a t_gantry=() t_gantry_cli=() t_swarm=() t_swarm_rolled=() min_gantry=() min_swarm=()

phase_gantry() {
  local r name spec t0 t1 dir v stats
  start_cluster deploy 3s
  start_agent a1 "$agent_opts"
  dir="$cluster_dir"
  name="$tag-web"; jobs_made+=("$name")
  write_job "$dir/v1.yaml" "$name" 1
  t0=$(now_ms)
  timeout "$update_timeout_s" java "${java_opts[@]}" -jar "$jar" job run --address "$addrs" "$dir/v1.yaml" \
    >"$dir/v1.out" 2>&1 || { say "gantry: the first deployment failed: $(tail -n 3 "$dir/v1.out" | tr '\n' ' ')"; return 1; }
  say "gantry: $replicas replicas deployed in $(( $(now_ms) - t0 )) ms (version 1)"
  wait_settled "gantry.job=$name" "$replicas"
  for r in $(seq 1 "$rounds"); do
    v=$((r + 1)); spec="$dir/v$v.yaml"
    write_job "$spec" "$name" "$v"
    start_watch "$dir/r$r.watch" gantry "$addrs" "$name" "gantry.job=$name" "$replicas" "$poll_ms" "$sample_ms" \
      "$update_timeout_s" "$dir/r$r.samples"
    t0=$(now_ms)
    gantry job run --detach --address "$addrs" "$spec" >"$dir/v$v.out" 2>&1
    t1=$(now_ms)
    watch_result "$dir/r$r.watch" || return 1
    read -r -a stats <<<"$(sample_stats "$dir/r$r.samples" "$t0" "$done_ms")"
    t_gantry+=($((done_ms - t0)))
    t_gantry_cli+=($((t1 - t0)))
    [ "${stats[0]}" = NA ] || min_gantry+=("${stats[0]}")
    say "gantry round $r (version $v): $((done_ms - t0)) ms to SUCCESSFUL (job run returned after $((t1 - t0)) ms);" \
      "answering replicas min ${stats[0]}, max ${stats[1]} over ${stats[2]} samples;" \
      "$(timeline_summary "$dir/r$r.watch" alloc "$t0" "$done_ms")"
    wait_settled "gantry.job=$name" "$replicas"
  done
  gantry job stop "$name" --address "$addrs" >/dev/null 2>&1 || true
  drain_label "gantry.job=$name" 60
  stop_cluster deploy
}

phase_swarm() {
  local state r svc listen label t0 t1 v i stats last_running p
  state=$(docker info --format '{{.Swarm.LocalNodeState}}')
  if [ "$state" != inactive ]; then
    say "Swarm mode is already $state on this engine (not ours): skipping the swarm timing"
    return 0
  fi
  free_port p; listen="127.0.0.1:$p"
  swarm_ours=1
  docker swarm init --advertise-addr 127.0.0.1 --listen-addr "$listen" >/dev/null
  say "swarm: initialised, listening on $listen"
  svc="$tag-web"; swarm_services+=("$svc")
  label="com.docker.swarm.service.name=$svc"
  t0=$(now_ms)
  docker service create --detach --quiet --no-resolve-image --name "$svc" --replicas "$replicas" \
    --container-label "gantry.bench=$tag" --init --limit-cpu 0.25 --limit-memory 64M \
    --env GREETING=hello --env VERSION=1 --publish mode=host,target=8080 \
    --health-cmd 'wget -q -O /dev/null http://127.0.0.1:8080/' --health-interval "$check_interval" \
    --health-timeout "$check_timeout" --health-retries 3 \
    --update-parallelism "$max_parallel" --update-delay "$min_healthy" --update-monitor "$swarm_monitor" \
    --update-order "$swarm_order" --update-failure-action pause \
    "$image" httpd -f -p 8080 -h /www >/dev/null
  for i in $(seq 1 $((update_timeout_s * 2))); do
    [ "$(docker service ls --filter "name=$svc" --format '{{.Replicas}}')" = "$replicas/$replicas" ] && break
    sleep 0.5
  done
  say "swarm: $(docker service ls --filter "name=$svc" --format '{{.Replicas}}') running after $(( $(now_ms) - t0 )) ms (version 1);" \
    "update config $(docker service inspect --format '{{json .Spec.UpdateConfig}}' "$svc")," \
    "health check $(docker service inspect --format '{{json .Spec.TaskTemplate.ContainerSpec.Healthcheck}}' "$svc")"
  wait_settled "$label" "$replicas"
  for r in $(seq 1 "$rounds"); do
    v=$((r + 1))
    start_watch "$data/swarm-r$r.watch" swarm "$svc" "$label" "$replicas" "VERSION=$v" "$poll_ms" "$sample_ms" \
      "$update_timeout_s" "$data/swarm-r$r.samples"
    t0=$(now_ms)
    docker service update --detach --quiet --env-add "VERSION=$v" "$svc" >/dev/null
    t1=$(now_ms)
    watch_result "$data/swarm-r$r.watch" || return 1
    read -r -a stats <<<"$(sample_stats "$data/swarm-r$r.samples" "$t0" "$done_ms")"
    t_swarm+=($((done_ms - t0)))
    last_running=$(awk '$1 == "task" {print $5}' "$data/swarm-r$r.watch" | sort -n | tail -n 1)
    t_swarm_rolled+=($((last_running + min_healthy_ms - t0)))
    [ "${stats[0]}" = NA ] || min_swarm+=("${stats[0]}")
    say "swarm round $r (version $v): $((done_ms - t0)) ms to completed (service update returned after $((t1 - t0)) ms);" \
      "answering replicas min ${stats[0]}, max ${stats[1]} over ${stats[2]} samples;" \
      "$(timeline_summary "$data/swarm-r$r.watch" task "$t0" "$done_ms")"
    wait_settled "$label" "$replicas"
  done
  docker service rm "$svc" >/dev/null
  drain_label "$label" 60
  docker swarm leave --force >/dev/null
  swarm_ours=0
  rm_by_label "gantry.bench=$tag"
  say "swarm: left"
}

say "run $run: rounds=$rounds replicas=$replicas max_parallel=$max_parallel min_healthy=$min_healthy" \
  "check_interval=$check_interval order=$order swarm_monitor=$swarm_monitor managers=$managers phases='$phases'"
for phase in $phases; do
  case $phase in
    gantry) phase_gantry ;;
    swarm) phase_swarm ;;
    *) say "unknown phase $phase"; exit 2 ;;
  esac
done

g=$(median "${t_gantry[@]}"); s=$(median "${t_swarm[@]}")
echo "# $(date -u +%FT%TZ) $(nproc) cores, load $(cut -d ' ' -f 1-3 /proc/loadavg); rounds=$rounds replicas=$replicas" \
  "max_parallel=$max_parallel min_healthy_time=$min_healthy (swarm: --update-delay $min_healthy" \
  "--update-monitor $swarm_monitor) check interval=$check_interval order=$order managers=$managers"
[ ${#t_gantry[@]} -eq 0 ] || {
  echo "RESULT gantry_update_s=$(secs "$g")"
  echo "RESULT gantry_job_run_cli_s=$(secs "$(median "${t_gantry_cli[@]}")")"
}
[ ${#t_swarm[@]} -eq 0 ] || echo "RESULT swarm_update_s=$(secs "$s")"
[ ${#t_gantry[@]} -eq 0 ] || [ ${#t_swarm[@]} -eq 0 ] || echo "RESULT gantry_vs_swarm=$(ratio "$g" "$s")"
[ ${#t_swarm_rolled[@]} -eq 0 ] || echo "RESULT swarm_rolled_s=$(secs "$(median "${t_swarm_rolled[@]}")")"
[ ${#t_gantry[@]} -eq 0 ] || [ ${#t_swarm_rolled[@]} -eq 0 ] ||
  echo "RESULT gantry_vs_swarm_rolled=$(ratio "$g" "$(median "${t_swarm_rolled[@]}")")"
[ ${#min_gantry[@]} -eq 0 ] || {
  echo "RESULT min_healthy_during_update=$(median "${min_gantry[@]}")"
  echo "RESULT min_healthy_during_update_worst=$(lowest "${min_gantry[@]}")"
}
[ ${#min_swarm[@]} -eq 0 ] || echo "RESULT swarm_min_healthy_during_update=$(median "${min_swarm[@]}")"
echo "# all rounds (ms): gantry=${t_gantry[*]} (job run cli ${t_gantry_cli[*]}) swarm=${t_swarm[*]}" \
  "(rolled ${t_swarm_rolled[*]});" \
  "min answering: gantry=${min_gantry[*]} swarm=${min_swarm[*]}"
