#!/usr/bin/env bash
# Agent benchmark (issue 4). Starts its own Gantry cluster on loopback (free ports, state and logs
# under gantry-data/bench-agent/RUN) and, on the local Docker engine, times:
#   gantry   BENCH_REPLICAS (50) replicas of a web-like job (local/busybox:1 httpd, one host port
#            each) from `gantry job run` to all running as the managers report it (GetJob group
#            summaries, one watcher JVM polling every BENCH_POLL_MS); `docker ps` is polled too.
#            gantry_vs_raw_docker: docker ps from the command's return (its JVM start is
#            gantry_job_run_cli_ms) over the docker phase; gantry_managers_vs_raw_docker: gantry_ms
#            (the managers' view, from before the command) over the docker phase. While each
#            round's replicas run, BENCH_IDLE_SECONDS (15) of nothing happening: the CPU the agent
#            and the engine (dockerd, containerd, the shims) spend on them, in % of one core (idle_*_cpu_pct)
#   docker   the same containers (same flags as the docker driver: --init, CPU/memory limits,
#            labels, env, a host port) by `docker run -d` in parallel (BENCH_DOCKER_PARALLEL, 50)
#   swarm    `docker swarm init` on 127.0.0.1, `docker service create --no-resolve-image
#            --replicas N` (host-mode port each) to N/N running, then `docker swarm leave --force`
#   loss     2 agents, BENCH_LOSS_REPLICAS (10) spread over both; SIGKILL one agent (and kill its
#            containers, as a dead machine would) to all replicas running on the survivor,
#            with heartbeat_ttl BENCH_HEARTBEAT_TTL (1s); BENCH_LOSS_DEFAULT_TTL=1 also at 3s
#   rss      VmRSS of a fresh agent running 20 allocations (the web job with its http check), with
#            the launcher's agent JVM flags (scripts/lib/agent-jvm.sh; BENCH_AGENT_JAVA_OPTS replaces them) and with none
# Each timing runs BENCH_ROUNDS (3) times; the medians are printed as RESULT lines. BENCH_QUICK=1 is
# a smoke run (1 round, 10 replicas, short settle). BENCH_MANAGERS (3) managers.
# On exit (also on error or Ctrl-C) it stops its processes, removes its containers by label and
# leaves Swarm mode if it entered it.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
say() { echo "bench-agent [$(date +%T)]: $*" >&2; }
# shellcheck source=scripts/lib/jdk.sh
source scripts/lib/jdk.sh
# shellcheck source=scripts/lib/docker.sh
source scripts/lib/docker.sh
gantry_use_jdk || exit 1
read -r -a java_opts <<<"$GANTRY_JAVA_OPTS"   # several flags (JDK 24+ access flags)
gantry_ensure_docker || exit 1
scripts/images.sh
[ -f cli/target/gantry.jar ] || scripts/gantry --help >/dev/null

quick=${BENCH_QUICK:-0}
[ "$quick" = "true" ] && quick=1
if [ "$quick" = 1 ]; then
  rounds=${BENCH_ROUNDS:-1}; replicas=${BENCH_REPLICAS:-10}; rss_allocs=${BENCH_RSS_ALLOCS:-5}
  settle=${BENCH_RSS_SETTLE:-5}
else
  rounds=${BENCH_ROUNDS:-3}; replicas=${BENCH_REPLICAS:-50}; rss_allocs=${BENCH_RSS_ALLOCS:-20}
  settle=${BENCH_RSS_SETTLE:-20}
fi
managers=${BENCH_MANAGERS:-3}
poll_ms=${BENCH_POLL_MS:-100}
poll_s=$(awk -v m="$poll_ms" 'BEGIN {printf "%.3f", m / 1000}')
docker_parallel=${BENCH_DOCKER_PARALLEL:-50}
idle_seconds=${BENCH_IDLE_SECONDS:-15}
loss_replicas=${BENCH_LOSS_REPLICAS:-10}
ttl=${BENCH_HEARTBEAT_TTL:-1s}
loss_default_ttl=${BENCH_LOSS_DEFAULT_TTL:-0}
phases=${BENCH_PHASES:-gantry docker swarm loss rss}
# The agent's JVM: the launcher's default flags (scripts/lib/agent-jvm.sh: a small heap that
# gives memory back, the serial collector, C1 only with one compiler thread, small stacks,
# Netty's unpooled allocator) and its two glibc malloc arenas (MALLOC_ARENA_MAX, set for the
# agent process only when these flags are used); BENCH_AGENT_JAVA_OPTS replaces the flags. See
# README "Benchmarks".
# shellcheck source=../lib/agent-jvm.sh
source scripts/lib/agent-jvm.sh
agent_opts=${BENCH_AGENT_JAVA_OPTS-$(gantry_agent_flags)}
malloc_arenas=${BENCH_AGENT_MALLOC_ARENA_MAX:-2}
image=local/busybox:1

run="$(date +%Y%m%d-%H%M%S)-$$"
tag="benchagent-$$"          # prefix of job, container and service names
data="$root/gantry-data/bench-agent/$run"
mkdir -p "$data"
# shellcheck source=../lib/bench.sh
source scripts/lib/bench.sh
bench_copy_jar
bench_traps

# Waits (up to $2 s) until no container with label $1 runs, then removes them all.
drain_label() {
  local label=$1 limit=${2:-60} i
  for i in $(seq 1 $((limit * 4))); do
    [ "$(running_count "$label")" -eq 0 ] && break
    sleep 0.25
  done
  rm_by_label "$label"
}

# Background poller: writes the time `docker ps` first shows $2 running containers with label $1 to $3.
docker_poller() {
  local label=$1 want=$2 out=$3 deadline=$(( $(date +%s) + 300 ))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    if [ "$(running_count "$label")" -ge "$want" ]; then
      now_ms >"$out"
      return 0
    fi
    sleep "$poll_s"
  done
  echo timeout >"$out"
}

# Where the time went, from the engine's own event log: "first create +A ms, last start +B ms"
# after $2 (epoch ms), for containers with label $1.
engine_span() {
  local label=$1 t0=$2
  docker events --since "$((t0 / 1000 - 1))" --until "$(date +%s)" --filter "label=$label" \
      --filter event=create --filter event=start --format '{{.Action}} {{.TimeNano}}' 2>/dev/null |
    awk -v t0="$t0" '$1 == "create" && (c == "" || $2 < c) {c = $2}
      $1 == "start" && $2 > s {s = $2}
      END {if (c == "") print "no engine events"; else printf "first create +%d ms, last start +%d ms\n", c / 1e6 - t0, s / 1e6 - t0}'
}

agent_pid=""
start_agent() {   # start_agent NODE JAVA_OPTS [--label k=v]
  local node=$1 opts=$2 i
  shift 2
  local extra=() envs=()
  read -r -a extra <<<"$opts"
  [ -z "$opts" ] || envs=("MALLOC_ARENA_MAX=$malloc_arenas")
  env "${envs[@]}" java "${java_opts[@]}" "${extra[@]}" -jar "$jar" agent --name "$node" --servers "$addrs" \
    --data-dir "$cluster_dir/$node" --driver docker --cpu 64000 --memory 16384 "$@" \
    >"$cluster_dir/$node.log" 2>&1 </dev/null &
  agent_pid=$!
  procs[$agent_pid]="$(basename "$cluster_dir")/$node"
  for i in $(seq 1 120); do
    if gantry node ls --address "$addrs" 2>/dev/null | grep -w "$node" | grep -qw ready; then
      return 0
    fi
    sleep 0.5
  done
  say "agent $node did not become ready; see $cluster_dir/$node.log"
  return 1
}

write_job() {   # write_job FILE NAME COUNT CHECK(0|1) [ROLE]
  local file=$1 name=$2 count=$3 check=$4 role=${5:-}
  {
    echo "job: $name"
    echo "type: service"
    [ -z "$role" ] || echo "constraints: [{attribute: \"label.role\", operator: \"=\", value: $role}]"
    cat <<YAML
groups:
  - name: web
    count: $count
    placement: spread
    restart: {attempts: 3, delay: 2s, mode: fail, interval: 5m}
    disconnect: {stop_after: 30s}
    tasks:
      - name: httpd
        driver: docker
        image: $image
        command: [httpd, -f, -p, "8080", -h, /www]
        resources: {cpu: 100, memory: 32}
        ports: [{name: http, to: 8080}]
        env: {GREETING: hello}
YAML
    [ "$check" = 0 ] || echo "        check: {type: http, port: http, path: /, interval: 2s, timeout: 1s}"
  } >"$file"
}

watch_pid=""
start_watch() {   # start_watch OUT JOB COUNT [NODE]; returns once the watcher answered
  local out=$1 i
  shift
  : >"$out"
  java "${java_opts[@]}" -cp "$jar" scripts/bench/JobWatch.java wait "$addrs" "$1" "$2" "${3:--}" "$poll_ms" 180 \
    >"$out" 2>"$out.err" &
  watch_pid=$!
  procs[$watch_pid]=watcher
  for i in $(seq 1 600); do
    grep -q ready "$out" && return 0
    kill -0 "$watch_pid" 2>/dev/null || break
    sleep 0.1
  done
  say "the watcher did not start; see $out.err"
  return 1
}

# Waits for the watcher (in this shell: it is this shell's child); sets watched_ms to the epoch ms
# it reported, or fails.
watched_ms=""
watch_result() {
  local out=$1
  wait "$watch_pid" || true
  unset "procs[$watch_pid]"
  if ! grep -q '^running ' "$out"; then
    say "watcher: $(cat "$out" "$out.err" | tail -n 3 | tr '\n' ' ')"
    return 1
  fi
  watched_ms=$(sed -n 's/^running //p' "$out")
}

stop_job() {   # stop_job NAME
  gantry job stop "$1" --address "$addrs" >/dev/null 2>&1 || true
  drain_label "gantry.job=$1" 60
}

# CPU ticks (user + system) of the processes $@ so far; a process that is gone counts nothing.
cpu_ticks() {
  local pid sum=0 t
  for pid in "$@"; do
    t=$(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null) || t=0
    sum=$((sum + ${t:-0}))
  done
  echo "$sum"
}

# Percent of one core the agent (pid $1) and the engine used over idle_seconds, into idle_agent and idle_engine.
declare -a idle_agent=() idle_engine=()
measure_idle() {
  local agent=$1 engine a0 e0 t0 a1 e1 ms hz
  engine=$(pidof dockerd containerd containerd-shim-runc-v2 containerd-shim 2>/dev/null || true)
  hz=$(getconf CLK_TCK)
  # shellcheck disable=SC2086 # one pid a word
  a0=$(cpu_ticks "$agent"); e0=$(cpu_ticks $engine); t0=$(now_ms)
  sleep "$idle_seconds"
  # shellcheck disable=SC2086
  a1=$(cpu_ticks "$agent"); e1=$(cpu_ticks $engine); ms=$(( $(now_ms) - t0 ))
  idle_agent+=("$(awk -v d=$((a1 - a0)) -v hz="$hz" -v ms="$ms" 'BEGIN {printf "%.1f", 100 * d / hz / (ms / 1000)}')")
  idle_engine+=("$(awk -v d=$((e1 - e0)) -v hz="$hz" -v ms="$ms" 'BEGIN {printf "%.1f", 100 * d / hz / (ms / 1000)}')")
}

# ---------------------------------------------------------------- phases
declare -a t_gantry=() t_gantry_docker=() t_gantry_engine=() t_gantry_register=() t_gantry_after=() t_docker=() t_swarm=() t_loss=() t_loss_default=()

phase_gantry() {
  local r name spec t0 t1 t_run t_ps dir
  # The default TTL here: a shorter one only speeds up node-loss detection, and on a loaded machine
  # a 1 s TTL can mark a busy agent down in the middle of a start burst.
  start_cluster main 3s
  start_agent a1 "$agent_opts"
  local agent=$agent_pid
  dir="$cluster_dir"
  for r in $(seq 1 "$rounds"); do
    name="$tag-g$r"; jobs_made+=("$name"); spec="$dir/$name.yaml"
    write_job "$spec" "$name" "$replicas" 0
    start_watch "$dir/$name.watch" "$name" "$replicas"
    docker_poller "gantry.job=$name" "$replicas" "$dir/$name.ps" &
    local poller=$!; procs[$poller]=poller
    t0=$(now_ms)
    gantry job run --detach --address "$addrs" "$spec" >/dev/null
    t1=$(now_ms)
    watch_result "$dir/$name.watch"; t_run=$watched_ms
    wait "$poller" || true; unset "procs[$poller]"
    t_ps=$(cat "$dir/$name.ps")
    local n; n=$(running_count "gantry.job=$name")
    t_gantry+=($((t_run - t0)))
    t_gantry_register+=($((t1 - t0)))
    t_gantry_after+=($((t_run - t1)))
    [ "$t_ps" = timeout ] || { t_gantry_docker+=($((t_ps - t0))); t_gantry_engine+=($((t_ps - t1))); }
    say "gantry round $r: $((t_run - t0)) ms to $replicas running (job run returned after $((t1 - t0)) ms;" \
      "docker ps showed $replicas running after $([ "$t_ps" = timeout ] && echo never || echo $((t_ps - t0))) ms; $n running now;" \
      "engine: $(engine_span "gantry.job=$name" "$t0"))"
    [ "$n" -eq "$replicas" ] || say "WARNING: docker ps shows $n containers of $name running, not $replicas"
    if [ "$idle_seconds" -gt 0 ]; then
      measure_idle "$agent"
      say "gantry round $r: with $n replicas running and nothing happening, the agent used ${idle_agent[-1]} %" \
        "of a core and the engine ${idle_engine[-1]} % over $idle_seconds s"
    fi
    stop_job "$name"
  done
}

phase_docker() {
  local r label t0 t_ps ports=() i p
  for i in $(seq 1 "$replicas"); do free_port p; ports+=("$p"); done
  for r in $(seq 1 "$rounds"); do
    label="gantry.bench=$tag-d$r"
    docker_poller "$label" "$replicas" "$data/docker-$r.ps" &
    local poller=$!; procs[$poller]=poller
    t0=$(now_ms)
    printf '%s\n' "${ports[@]}" | xargs -P "$docker_parallel" -I{} docker run -d --name "$tag-d$r-{}" \
      --label "gantry.bench=$tag" --label "$label" --init --cpus 0.1 --memory 32m --memory-swap 32m \
      -e GANTRY_JOB=bench -e GREETING=hello -p "{}:8080" "$image" httpd -f -p 8080 -h /www >/dev/null
    wait "$poller" || true; unset "procs[$poller]"
    t_ps=$(cat "$data/docker-$r.ps")
    [ "$t_ps" != timeout ] || { say "docker round $r: not all running"; return 1; }
    t_docker+=($((t_ps - t0)))
    say "docker run round $r: $((t_ps - t0)) ms to $replicas running (xargs -P $docker_parallel;" \
      "engine: $(engine_span "$label" "$t0"))"
    rm_by_label "$label"
  done
}

phase_swarm() {
  local state r svc t0 t_ps seen listen p
  state=$(docker info --format '{{.Swarm.LocalNodeState}}')
  if [ "$state" != inactive ]; then
    say "Swarm mode is already $state on this engine (not ours): skipping the swarm timing"
    return 0
  fi
  free_port p; listen="127.0.0.1:$p"
  swarm_ours=1
  docker swarm init --advertise-addr 127.0.0.1 --listen-addr "$listen" >/dev/null
  say "swarm: initialised, listening on $listen"
  for r in $(seq 1 "$rounds"); do
    svc="$tag-s$r"; swarm_services+=("$svc")
    docker_poller "com.docker.swarm.service.name=$svc" "$replicas" "$data/swarm-$r.ps" &
    local poller=$!; procs[$poller]=poller
    t0=$(now_ms)
    docker service create --detach --quiet --no-resolve-image --name "$svc" --replicas "$replicas" \
      --container-label "gantry.bench=$tag" --init --limit-cpu 0.1 --limit-memory 32M \
      --env GANTRY_JOB=bench --env GREETING=hello --publish mode=host,target=8080 \
      "$image" httpd -f -p 8080 -h /www >/dev/null
    seen=""
    while [ "$(( $(now_ms) - t0 ))" -lt 300000 ]; do
      if [ "$(docker service ls --filter "name=$svc" --format '{{.Replicas}}')" = "$replicas/$replicas" ]; then
        seen=$(now_ms); break
      fi
      sleep "$poll_s"
    done
    wait "$poller" || true; unset "procs[$poller]"
    t_ps=$(cat "$data/swarm-$r.ps")
    [ -n "$seen" ] || { say "swarm round $r: not all running"; return 1; }
    t_swarm+=($((seen - t0)))
    say "swarm round $r: $((seen - t0)) ms to $replicas/$replicas (docker ps: $([ "$t_ps" = timeout ] && echo never || echo $((t_ps - t0))) ms;" \
      "engine: $(engine_span "com.docker.swarm.service.name=$svc" "$t0"))"
    docker service rm "$svc" >/dev/null
    drain_label "com.docker.swarm.service.name=$svc" 60
  done
  docker swarm leave --force >/dev/null
  swarm_ours=0
  rm_by_label "gantry.bench=$tag"
  say "swarm: left"
}

phase_loss() {   # phase_loss CLUSTER TTL RESULT_ARRAY
  local cname=$1 cttl=$2 r name spec victim vpid cids t0 t_run dir id
  local -n out=$3
  start_cluster "$cname" "$cttl"
  dir="$cluster_dir"
  start_agent survivor "$agent_opts"
  for r in $(seq 1 "$rounds"); do
    victim="victim$r"
    start_agent "$victim" "$agent_opts"
    vpid=$agent_pid
    name="$tag-$cname-$r"; jobs_made+=("$name"); spec="$dir/$name.yaml"
    write_job "$spec" "$name" "$loss_replicas" 0
    start_watch "$dir/$name.up" "$name" "$loss_replicas"
    gantry job run --detach --address "$addrs" "$spec" >/dev/null
    watch_result "$dir/$name.up"
    cids=""
    for id in $(java "${java_opts[@]}" -cp "$jar" scripts/bench/JobWatch.java allocs "$addrs" "$name" "$victim"); do
      cids+=" $(docker ps -q --filter "label=gantry.alloc=$id")"
    done
    start_watch "$dir/$name.loss" "$name" "$loss_replicas" survivor
    t0=$(now_ms)
    kill -9 "$vpid"
    { wait "$vpid"; } 2>/dev/null || true   # reaped here, without the shell's "Killed" line
    # shellcheck disable=SC2086 # one id a word
    [ -z "${cids// /}" ] || docker kill $cids >/dev/null 2>&1 &
    watch_result "$dir/$name.loss"; t_run=$watched_ms
    unset "procs[$vpid]"
    out+=($((t_run - t0)))
    say "node loss round $r (ttl $cttl): $((t_run - t0)) ms from SIGKILL of $victim ($(wc -w <<<"$cids") containers)" \
      "to $loss_replicas running on survivor"
    stop_job "$name"
  done
  stop_cluster "$cname"
}

rss_of() {   # rss_of PID -> MiB (integer), VmRSS
  awk '/^VmRSS:/ {printf "%d\n", $2 / 1024}' "/proc/$1/status"
}

rss_result=""
rss_default=""
phase_rss() {
  local which opts node name spec i s max
  start_cluster rss 3s
  for which in launcher default; do
    if [ "$which" = launcher ]; then opts=$agent_opts; else opts=""; fi
    node="rss-$which"
    start_agent "$node" "$opts" --label "role=$node"
    name="$tag-rss-$which"; jobs_made+=("$name"); spec="$cluster_dir/$name.yaml"
    write_job "$spec" "$name" "$rss_allocs" 1 "$node"
    start_watch "$cluster_dir/$name.watch" "$name" "$rss_allocs"
    gantry job run --detach --address "$addrs" "$spec" >/dev/null
    watch_result "$cluster_dir/$name.watch"
    max=0
    for i in $(seq 1 "$settle"); do
      sleep 1
      s=$(rss_of "$agent_pid"); [ "$s" -le "$max" ] || max=$s
    done
    say "agent RSS with $rss_allocs running allocations, JVM flags '${opts:-none}': $(rss_of "$agent_pid") MiB now," \
      "max $max MiB over ${settle} s (running: $(running_count "gantry.job=$name"))"
    if [ "$which" = launcher ]; then rss_result=$max; else rss_default=$max; fi
    stop_job "$name"
  done
  stop_cluster rss
}

say "run $run: rounds=$rounds replicas=$replicas managers=$managers poll=${poll_ms}ms ttl=$ttl phases='$phases'"
say "agent JVM flags: $agent_opts (MALLOC_ARENA_MAX=$malloc_arenas)"
for phase in $phases; do
  case $phase in
    gantry) phase_gantry; stop_cluster main ;;
    docker) phase_docker ;;
    swarm) phase_swarm ;;
    loss)
      phase_loss loss "$ttl" t_loss
      if [ "$loss_default_ttl" = 1 ]; then phase_loss loss3s 3s t_loss_default; fi ;;
    rss) phase_rss ;;
    *) say "unknown phase $phase"; exit 2 ;;
  esac
done

g=$(median "${t_gantry[@]}"); d=$(median "${t_docker[@]}"); s=$(median "${t_swarm[@]}")
echo "# $(date -u +%FT%TZ) $(nproc) cores, rounds=$rounds replicas=$replicas managers=$managers agent flags: $agent_opts MALLOC_ARENA_MAX=$malloc_arenas"
[ ${#t_gantry[@]} -eq 0 ] || {
  echo "RESULT gantry_ms=$g"
  echo "RESULT gantry_docker_ps_ms=$(median "${t_gantry_docker[@]}")"
  echo "RESULT gantry_job_run_cli_ms=$(median "${t_gantry_register[@]}")"
  echo "RESULT gantry_after_job_run_ms=$(median "${t_gantry_after[@]}")"
  [ ${#t_gantry_engine[@]} -eq 0 ] || echo "RESULT gantry_engine_ms=$(median "${t_gantry_engine[@]}")"
  [ ${#idle_agent[@]} -eq 0 ] || echo "RESULT idle_agent_cpu_pct=$(median "${idle_agent[@]}")"
  [ ${#idle_engine[@]} -eq 0 ] || echo "RESULT idle_engine_cpu_pct=$(median "${idle_engine[@]}")"
}
[ ${#t_docker[@]} -eq 0 ] || echo "RESULT raw_docker_ms=$d"
[ ${#t_swarm[@]} -eq 0 ] || echo "RESULT swarm_ms=$s"
# The goal's ratio (issue 14): both as the engine sees running containers (docker ps), the CLI's
# start counted separately (gantry_job_run_cli_ms), so from `gantry job run`'s return. The ratio
# of the managers' view from before the command (gantry_ms, what this line printed until
# 2026-12-02) stays as gantry_managers_vs_raw_docker.
[ ${#t_gantry_engine[@]} -eq 0 ] || [ ${#t_docker[@]} -eq 0 ] \
  || echo "RESULT gantry_vs_raw_docker=$(ratio "$(median "${t_gantry_engine[@]}")" "$d")"
[ ${#t_gantry[@]} -eq 0 ] || [ ${#t_docker[@]} -eq 0 ] || echo "RESULT gantry_managers_vs_raw_docker=$(ratio "$g" "$d")"
[ ${#t_gantry[@]} -eq 0 ] || [ ${#t_swarm[@]} -eq 0 ] || echo "RESULT gantry_vs_swarm=$(ratio "$g" "$s")"
[ ${#t_loss[@]} -eq 0 ] || echo "RESULT node_loss_to_replaced_ms=$(median "${t_loss[@]}")"
[ ${#t_loss_default[@]} -eq 0 ] || echo "RESULT node_loss_to_replaced_ms_ttl3s=$(median "${t_loss_default[@]}")"
[ -z "$rss_result" ] || echo "RESULT agent_rss_mb=$rss_result"
[ -z "$rss_default" ] || echo "RESULT agent_rss_mb_default_jvm=$rss_default"
echo "# all rounds: gantry=${t_gantry[*]} docker=${t_docker[*]} swarm=${t_swarm[*]} loss=${t_loss[*]} loss3s=${t_loss_default[*]}"
