# shellcheck shell=bash
# Sourced by the benchmark scripts (scripts/bench/*.sh) after they set `say`, `java_opts` (the
# JVM flags, an array) and `data` (the run's directory). What every benchmark needs: figures
# (medians, ratios), free loopback ports, its own copy of the jar, and stopping what it started.

now_ms() { date +%s%3N; }
# Median of the arguments (blank ones ignored), NA when there are none.
median() { printf '%s\n' "$@" | awk 'NF' | sort -n | awk '{a[NR]=$1} END {if (NR == 0) print "NA"; else print a[int((NR + 1) / 2)]}'; }
lowest() { printf '%s\n' "$@" | awk 'NF' | sort -n | awk 'NR == 1 {print; f = 1} END {if (!f) print "NA"}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (a == "NA" || b == "NA" || b + 0 == 0) print "NA"; else printf "%.2f\n", a / b}'; }
secs() { awk -v m="$1" 'BEGIN {if (m == "NA") print "NA"; else printf "%.1f\n", m / 1000}'; }

# Copies cli/target/gantry.jar to $data/gantry.jar and sets `jar`: every process of the run uses
# that copy, so a rebuild of cli/ during the run (others work in this tree) cannot swap the code
# under it or catch the jar half-written.
bench_copy_jar() {
  local attempt
  jar="$data/gantry.jar"
  for attempt in 1 2 3 4 5 6; do
    cp cli/target/gantry.jar "$jar"
    if java "${java_opts[@]}" -jar "$jar" --help >/dev/null 2>&1; then return 0; fi
    [ "$attempt" -lt 6 ] || { say "cli/target/gantry.jar does not run (mid-build?)"; exit 1; }
    sleep 10
  done
}

# What scripts/gantry runs (`java $GANTRY_JAVA_OPTS -jar gantry.jar ...`), minus the JDK search,
# on the run's copy of the jar.
gantry() { java "${java_opts[@]}" -jar "$jar" "$@"; }

# Free TCP ports on loopback, outside Gantry's dynamic range (20000-32000) and the kernel's
# ephemeral range, never the same one twice in a run: `free_port VAR` sets VAR. It runs in this
# shell, not in a command substitution, whose subshell would forget the ports already handed out
# (two managers were once given the same port that way, and one of them died at start).
declare -A taken_ports=()
free_port() {
  local _port
  while true; do
    _port=$((40000 + RANDOM % 20000))
    [ -z "${taken_ports[$_port]:-}" ] || continue
    if [ -z "$(ss -Htan "sport = :$_port")" ]; then
      taken_ports[$_port]=1
      printf -v "$1" '%s' "$_port"
      return 0
    fi
  done
}

declare -A procs=()    # pid -> name: what the run started, for its cleanup

# Stops process $1 (TERM, then KILL after 5 s) and forgets it.
stop_pid() {
  local pid=$1 i
  kill "$pid" 2>/dev/null || return 0
  for i in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  unset "procs[$pid]"
}

# Removes containers matching a label filter (running or not); quiet.
rm_by_label() {
  local ids
  ids=$(docker ps -aq --filter "label=$1" 2>/dev/null || true)
  if [ -n "$ids" ]; then
    # shellcheck disable=SC2086 # one id a word
    docker rm -f $ids >/dev/null 2>&1 || true
  fi
}

# A Gantry cluster of $managers manager processes on free loopback ports, in $data/NAME, with
# heartbeat_ttl TTL. Sets `addrs` (the gRPC addresses, comma-separated, for --address) and
# `cluster_dir`; returns once some manager names a leader.
addrs=""
cluster_dir=""

start_cluster() {   # start_cluster NAME TTL
  local name=$1 cttl=$2 i id g r h peers="" grpc=() raft=() http=()
  cluster_dir="$data/$name"
  mkdir -p "$cluster_dir"
  for i in $(seq 1 "$managers"); do
    free_port g; free_port r; free_port h; grpc+=("127.0.0.1:$g"); raft+=("127.0.0.1:$r"); http+=("127.0.0.1:$h")
    peers+="${peers:+,}m$i=${raft[$((i - 1))]}"
  done
  addrs=$(IFS=,; echo "${grpc[*]}")
  printf 'heartbeat_ttl: %s\n' "$cttl" >"$cluster_dir/server.yaml"
  for i in $(seq 1 "$managers"); do
    id=m$i
    java "${java_opts[@]}" -jar "$jar" server --id "$id" --data-dir "$cluster_dir/$id" \
      --raft-addr "${raft[$((i - 1))]}" --grpc-addr "${grpc[$((i - 1))]}" --http-addr "${http[$((i - 1))]}" \
      --peers "$peers" --config "$cluster_dir/server.yaml" >"$cluster_dir/$id.log" 2>&1 </dev/null &
    procs[$!]="$name/$id"
  done
  for i in $(seq 1 240); do
    if gantry operator raft peers --address "$addrs" 2>/dev/null | grep -qw leader; then
      say "cluster $name: $managers manager(s) at $addrs, heartbeat_ttl $cttl"
      return 0
    fi
    sleep 0.5
  done
  say "cluster $name: no leader after 120 s; see $cluster_dir/m*.log"
  return 1
}

stop_cluster() {
  local pid
  for pid in "${!procs[@]}"; do
    case ${procs[$pid]} in "$1"/*) stop_pid "$pid" ;; esac
  done
}

# ---------------------------------------------------------------- cleanup
jobs_made=()           # gantry job names, for removing their containers by label
swarm_ours=0           # 1 once the run put the engine in Swarm mode
swarm_services=()

# Running containers with a label, counted.
running_count() { docker ps -q --filter "label=$1" | wc -l; }

# On exit: stops every process the run started, removes the containers of its jobs and of its
# tag (label gantry.bench=$tag, when the script sets a tag), its Swarm services, and leaves Swarm
# mode if the run entered it.
bench_cleanup() {
  local rc=$? pid name svc
  trap - EXIT INT TERM
  for pid in "${!procs[@]}"; do stop_pid "$pid"; done
  # Exec tasks outlive their agent (it leaves them for its next start): the echo replicas run the
  # run's own copy of the jar, so they are found by it, also after a failed run.
  [ -z "${echo_jar:-}" ] || pkill -f -- "$echo_jar" 2>/dev/null || true
  for name in "${jobs_made[@]}"; do rm_by_label "gantry.job=$name"; done
  [ -z "${tag:-}" ] || rm_by_label "gantry.bench=$tag"
  if [ "$swarm_ours" = 1 ]; then
    for svc in "${swarm_services[@]}"; do docker service rm "$svc" >/dev/null 2>&1 || true; done
    docker swarm leave --force >/dev/null 2>&1 || true
    [ -z "${tag:-}" ] || rm_by_label "gantry.bench=$tag"
    if [ "$(docker info --format '{{.Swarm.LocalNodeState}}' 2>/dev/null)" = active ]; then
      say "WARNING: Swarm mode is still active"
    fi
  fi
  say "logs and state in $data"
  exit "$rc"
}

bench_traps() {
  trap bench_cleanup EXIT
  trap 'exit 130' INT TERM
}

# ---------------------------------------------------------------- agents and the echo example
# Starts agent NODE of the cluster start_cluster made, with the exec driver and the flags given
# (--cpu, --advertise, --metrics-interval...); returns once the node is ready.
start_exec_agent() {   # start_exec_agent NODE [FLAGS...]
  local node=$1 i
  shift
  java "${java_opts[@]}" -jar "$jar" agent --name "$node" --servers "$addrs" --data-dir "$cluster_dir/$node" \
    --driver exec "$@" >"$cluster_dir/$node.log" 2>&1 </dev/null &
  procs[$!]="$(basename "$cluster_dir")/$node"
  for i in $(seq 1 120); do
    if gantry node ls --address "$addrs" 2>/dev/null | grep -w "$node" | grep -qw ready; then return 0; fi
    sleep 0.5
  done
  say "agent $node did not become ready; see $cluster_dir/$node.log"
  return 1
}

# The echo example's jar (examples/echo/target/gantry-echo.jar), built if missing; sets `echo_jar`
# to a copy in the run's directory (as bench_copy_jar does for gantry.jar).
bench_echo_jar() {
  [ -f examples/echo/target/gantry-echo.jar ] || mvn -B -q -o -pl examples/echo -am package -DskipTests >&2 \
    || mvn -B -q -pl examples/echo -am package -DskipTests >&2
  echo_jar="$data/gantry-echo.jar"
  cp examples/echo/target/gantry-echo.jar "$echo_jar"
}

# Writes job spec SRC (examples/echo.yaml or autoscaled.yaml) to DEST with its placeholders filled:
# this JDK's java and the run's echo jar.
echo_spec() {   # echo_spec SRC DEST
  sed -e "s#@JAVA@#$JAVA_HOME/bin/java#" -e "s#@ECHO_JAR@#$echo_jar#" "$1" >"$2"
}

# Runs a benchmark driver of the echo jar (gantry.examples.echo.bench.CLASS) with the arguments given.
echo_bench() {   # echo_bench CLASS [ARGS...]
  local class=$1
  shift
  java "${java_opts[@]}" -cp "$echo_jar" "gantry.examples.echo.bench.$class" --managers "$addrs" "$@"
}
