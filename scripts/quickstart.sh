#!/usr/bin/env bash
# Gantry on this machine in one command: prerequisites, three manager peers and two agents on
# loopback, and the example job, then where everything answers.
#
#   scripts/quickstart.sh           start (or, when already up, print where everything answers)
#   scripts/quickstart.sh --secure  the same with the production set-up: mutual TLS on every port
#                                   (a CA and certificates made with `gantry tls` in DIR/pki), ACLs
#                                   on (bootstrapped; the management token in DIR/management.token,
#                                   0600) and the audit log in each manager's data directory
#   scripts/quickstart.sh --stop    stop the job (its containers go), the agents and the managers
#
# Prerequisites, each skipped when already there (what scripts/setup.sh does): a JDK >= 21
# (installed with apt-get as root if none), a running Docker engine and the local image
# local/busybox:1 (scripts/images.sh), and cli/target/gantry.jar (built with Maven when missing or
# older than the sources). Without a working Docker engine the agents use the exec driver and the
# example is examples/sleep-exec.yaml instead of examples/web.yaml.
#
# Ports (fixed, so the README's commands work), manager mN at BASE + 1000 * (N - 1), agent aN's
# own /metrics (gantry agent --http-addr) at BASE + 1000 * (N - 1) + 3:
#   m1: HTTP 4646, gRPC 4647, Raft 4648   m2: 5646, 5647, 5648   m3: 6646, 6647, 6648
#   a1: HTTP 4649 (/metrics)              a2: 5649
# scripts/monitoring/prometheus.yml scrapes all five. A port taken by another program stops the
# start with a message naming it. Each replica gets a host port from 20000-32000.
#
# A start always begins a fresh cluster: the state of an earlier run is removed first (and any
# process or container it left). Run again while up, it only prints the summary again. --stop
# keeps the state and logs for reading until the next start.
#
# Environment:
#   GANTRY_QUICKSTART_DIR        state, logs and pid files (default gantry-data/quickstart)
#   GANTRY_QUICKSTART_BASE_PORT  BASE above (default 4646; uses BASE..BASE+2002)
#   GANTRY_QUICKSTART_DRIVER     docker | exec (default: docker when the engine answers, else exec)
#   GANTRY_QUICKSTART_TIMEOUT    seconds to wait for the job's deployment (default 300)
#   GANTRY_QUICKSTART_SECURE     1: as --secure
# shellcheck source-path=SCRIPTDIR/..
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
source scripts/lib/jdk.sh
source scripts/lib/prereqs.sh
source scripts/lib/docker.sh
source scripts/lib/local-cluster.sh
source scripts/lib/agent-jvm.sh
source scripts/lib/server-jvm.sh

say() { echo "quickstart: $*"; }
fail() { echo "quickstart: $*" >&2; exit 1; }

data="${GANTRY_QUICKSTART_DIR:-$root/gantry-data/quickstart}"
mkdir -p "$data"
data="$(cd "$data" && pwd)"
state="$data/quickstart.env"
managers=(m1 m2 m3)
agents=(a1 a2)
jar="$root/cli/target/gantry.jar"

# How to run this script again for the same cluster (the non-default settings included).
self="scripts/quickstart.sh"
[ -n "${GANTRY_QUICKSTART_BASE_PORT:-}" ] && self="GANTRY_QUICKSTART_BASE_PORT=$GANTRY_QUICKSTART_BASE_PORT $self"
[ -n "${GANTRY_QUICKSTART_DIR:-}" ] && self="GANTRY_QUICKSTART_DIR=$GANTRY_QUICKSTART_DIR $self"

# The ports of a base: manager i (0, 1, 2) has HTTP, gRPC and Raft at base + 1000 i + 0, 1, 2.
set_ports() {
  base=$1
  case $base in
    ''|*[!0-9]*) echo "quickstart: GANTRY_QUICKSTART_BASE_PORT must be a number, got \"$base\"" >&2; exit 2 ;;
  esac
  if [ "$base" -lt 1024 ] || [ "$base" -gt 63000 ]; then
    echo "quickstart: GANTRY_QUICKSTART_BASE_PORT must be within 1024-63000, got $base" >&2
    exit 2
  fi
  http_ports=() grpc_ports=() raft_ports=() agent_ports=()
  local i peers_list="" grpc_list=""
  for i in 0 1 2; do
    http_ports+=($((base + 1000 * i)))
    grpc_ports+=($((base + 1000 * i + 1)))
    raft_ports+=($((base + 1000 * i + 2)))
    peers_list="${peers_list:+$peers_list,}${managers[$i]}=127.0.0.1:${raft_ports[$i]}"
    grpc_list="${grpc_list:+$grpc_list,}127.0.0.1:${grpc_ports[$i]}"
  done
  for i in "${!agents[@]}"; do agent_ports+=($((base + 1000 * i + 3))); done
  peers=$peers_list
  export GANTRY_ADDR=$grpc_list
}

# --- security (--secure) ------------------------------------------------------------------------

# The CLI and curl (gantry_http_get) of this script present the admin certificate and the
# management token, as `export` lines of the summary tell a user to.
secure_env() {
  if [ "${secure:-0}" = 1 ]; then
    scheme=https
    export GANTRY_TLS_CA="$data/pki/ca.pem" GANTRY_TLS_CERT="$data/pki/admin.pem" GANTRY_TLS_KEY="$data/pki/admin-key.pem"
    if [ -f "$data/management.token" ]; then
      GANTRY_TOKEN=$(cat "$data/management.token")
      export GANTRY_TOKEN
    fi
  else
    scheme=http
    # A plaintext cluster: TLS files or a token left in the environment (by a --secure run's state
    # read at --stop, or the user's own shell) would make every CLI call of this script fail.
    unset GANTRY_TLS_CA GANTRY_TLS_CERT GANTRY_TLS_KEY GANTRY_TOKEN
  fi
}

# sec_args: the --tls-ca/--tls-cert/--tls-key flags of process $1 (and --acl for a manager, $2),
# nothing without --secure.
security_args() {
  sec_args=()
  if [ "${secure:-0}" = 1 ]; then
    sec_args=(--tls-ca "$data/pki/ca.pem" --tls-cert "$data/pki/$1.pem" --tls-key "$data/pki/$1-key.pem")
    if [ "${2:-}" = manager ]; then sec_args+=(--acl); fi
  fi
}

# A CA, a server certificate per manager, an agent certificate per agent, and "admin" for the CLI.
make_pki() {
  local p
  rm -rf "${data:?}/pki" "$data/management.token"
  gantry tls ca create --dir "$data/pki" >/dev/null
  for p in "${managers[@]}"; do gantry tls cert create --dir "$data/pki" --role server --name "$p" >/dev/null; done
  # --ip: the agents serve their /metrics over HTTPS on 127.0.0.1, and a scraper checks the address.
  for p in "${agents[@]}"; do gantry tls cert create --dir "$data/pki" --role agent --name "$p" --ip 127.0.0.1 >/dev/null; done
  gantry tls cert create --dir "$data/pki" --role client --name admin >/dev/null
}

# `gantry acl bootstrap` once a leader takes it; keeps the management secret in a 0600 file.
bootstrap_acl() {
  local out
  out=$(gantry_within 20 acl bootstrap --json 2>"$data/bootstrap.err") || return 1
  (umask 077 && sed -n 's/.*"secret[A-Za-z]*": *"\([^"]*\)".*/\1/p' <<<"$out" | head -1 >"$data/management.token")
  [ -s "$data/management.token" ] || { echo "quickstart: no secret in the bootstrap answer" >&2; return 1; }
  accessor=$(sed -n 's/.*"accessor[A-Za-z]*": *"\([^"]*\)".*/\1/p' <<<"$out" | head -1)
  secure_env
}

# The CLI, straight from the jar (scripts/gantry would check the build at every call).
gantry() {
  # shellcheck disable=SC2086 # GANTRY_JAVA_OPTS holds several flags
  java $GANTRY_JAVA_OPTS -jar "$jar" "$@"
}

# The CLI with a time limit (timeout(1) cannot run a shell function).
gantry_within() {
  local seconds=$1
  shift
  # shellcheck disable=SC2086 # GANTRY_JAVA_OPTS holds several flags
  timeout "$seconds" java $GANTRY_JAVA_OPTS -jar "$jar" "$@"
}

pidfile() { echo "$data/$1.pid"; }

running_count() {
  local n=0 p
  for p in "${managers[@]}" "${agents[@]}"; do
    if gantry_pid_alive "$(pidfile "$p")"; then n=$((n + 1)); fi
  done
  echo "$n"
}

load_state() {
  driver="" job="" spec="" started="" base_port="" secure=0
  if [ -f "$state" ]; then
    # shellcheck source=/dev/null
    source "$state"
  fi
  set_ports "${base_port:-${GANTRY_QUICKSTART_BASE_PORT:-4646}}"
  secure_env
}

# --- stop ---------------------------------------------------------------------------------------

# Allocations of the job that an agent still runs or is about to, as the managers see them.
job_allocs_active() {
  local body
  body=$(gantry_http_get "$scheme://127.0.0.1:${http_ports[0]}/v1/job/$job/allocations") \
    || body=$(gantry_http_get "$scheme://127.0.0.1:${http_ports[1]}/v1/job/$job/allocations") \
    || return 2
  grep -cE '"clientStatus": "CLIENT_STATUS_(RUNNING|PENDING)"' <<<"$body" || true
}

no_active_allocs() { [ "$(job_allocs_active)" = 0 ]; }

# Containers and exec processes of this cluster's allocations that are still there: the agents
# keep one file per allocation (allocs/ID.properties) and one per exec task (pid + start ticks).
remove_leftovers() {
  local removed=0 a f id c pid ticks
  for a in "${agents[@]}"; do
    for f in "$data/$a"/allocs/*.properties; do
      [ -f "$f" ] || continue
      id=$(basename "$f" .properties)
      if command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
        for c in $(docker ps -aq --filter "label=gantry.alloc=$id"); do
          docker rm -f "$c" >/dev/null && removed=$((removed + 1))
        done
      fi
    done
    for f in "$data/$a"/exec/*/*/task.properties; do
      [ -f "$f" ] || continue
      pid=$(sed -n 's/^pid=//p' "$f")
      ticks=$(sed -n 's/^startTicks=//p' "$f")
      if [ -n "$pid" ] && gantry_ticks_alive "$pid" "$ticks"; then
        # The exec driver starts each task in its own session: the pid leads its process group.
        kill -KILL -- "-$pid" 2>/dev/null && removed=$((removed + 1))
      fi
    done
  done
  if [ "$removed" -gt 0 ]; then
    say "removed $removed container(s) or process(es) the agents left behind"
  fi
}

stop_all() {
  load_state
  local p alive_managers=0 alive_agents=0 failed=0
  for p in "${managers[@]}"; do
    if gantry_pid_alive "$(pidfile "$p")"; then alive_managers=$((alive_managers + 1)); fi
  done
  for p in "${agents[@]}"; do
    if gantry_pid_alive "$(pidfile "$p")"; then alive_agents=$((alive_agents + 1)); fi
  done
  # Stopping the job through the managers lets the agents stop and remove its replicas;
  # an agent that is stopped leaves its replicas running (for the next agent to re-attach).
  if [ -n "$job" ] && [ "$alive_managers" -ge 2 ] && [ "$alive_agents" -gt 0 ] && gantry_use_jdk; then
    say "stopping job $job (the agents stop its replicas)"
    if gantry_within 60 job stop "$job" >/dev/null 2>"$data/stop-job.err"; then
      gantry_await "the replicas of $job to stop" 30 no_active_allocs \
        || say "some replicas of $job still run; they are removed below"
    else
      say "gantry job stop $job failed ($(tail -1 "$data/stop-job.err")); its replicas are removed below"
    fi
  fi
  for p in "${agents[@]}" "${managers[@]}"; do
    if gantry_pid_alive "$(pidfile "$p")"; then
      gantry_pid_stop "$(pidfile "$p")" 15 || { echo "quickstart: $p would not stop" >&2; failed=1; }
    else
      rm -f "$(pidfile "$p")"
    fi
  done
  remove_leftovers
  return "$failed"
}

# --- start --------------------------------------------------------------------------------------

choose_driver() {
  driver=${GANTRY_QUICKSTART_DRIVER:-}
  case $driver in
    docker|exec) ;;
    "")
      if gantry_ensure_docker && scripts/images.sh; then
        driver=docker
      else
        driver="exec"
        say "no working Docker engine (see above): the agents use the exec driver"
      fi
      ;;
    *) echo "quickstart: GANTRY_QUICKSTART_DRIVER must be docker or exec, got \"$driver\"" >&2; exit 2 ;;
  esac
  if [ "$driver" = docker ]; then
    if [ -n "${GANTRY_QUICKSTART_DRIVER:-}" ]; then
      if ! { gantry_ensure_docker && scripts/images.sh; }; then
        fail "GANTRY_QUICKSTART_DRIVER=docker, but the engine or the image is missing (see above)"
      fi
    fi
    spec=examples/web.yaml
  else
    spec=examples/sleep-exec.yaml
  fi
  job=$(sed -n 's/^job: *//p' "$spec")
}

# Builds the jar when it is missing or older than a pom or a main source file of the modules in it.
ensure_jar() {
  local newer=""
  if [ -f "$jar" ]; then
    newer=$(find pom.xml proto client spec security scheduler node agent examples/echo cli -path '*/target' -prune -o \
      \( -name pom.xml -o -path '*/src/main/*' \) -type f -newer "$jar" -print 2>/dev/null | head -1)
    [ -z "$newer" ] && return 0
    say "rebuilding $jar ($newer changed)"
  else
    say "building $jar (about a minute on a fresh machine)"
  fi
  gantry_ensure_maven || exit 1
  if ! mvn -B -q -ntp package -DskipTests -pl cli -am >"$data/build.log" 2>&1; then
    tail -30 "$data/build.log" >&2
    fail "the build failed; the whole log is $data/build.log"
  fi
  touch "$jar"   # Maven leaves an up-to-date jar as it was: do not rebuild at every start
}

check_ports() {
  local i what port owner taken=0
  for i in 0 1 2; do
    for what in HTTP gRPC Raft; do
      case $what in
        HTTP) port=${http_ports[$i]} ;;
        gRPC) port=${grpc_ports[$i]} ;;
        Raft) port=${raft_ports[$i]} ;;
      esac
      if gantry_port_taken "$port"; then
        owner=$(gantry_port_owner "$port")
        echo "quickstart: port $port (${managers[$i]} $what) is taken${owner:+ by $owner}" >&2
        taken=1
      fi
    done
  done
  for i in "${!agents[@]}"; do
    port=${agent_ports[$i]}
    if gantry_port_taken "$port"; then
      owner=$(gantry_port_owner "$port")
      echo "quickstart: port $port (${agents[$i]} /metrics) is taken${owner:+ by $owner}" >&2
      taken=1
    fi
  done
  if [ "$taken" = 1 ]; then
    echo "quickstart: stop that program, or move every quickstart port with GANTRY_QUICKSTART_BASE_PORT (now $base; it uses $base-$((base + 2002)))" >&2
    exit 1
  fi
}

# Every process started so far still runs; otherwise stop with the end of its log.
all_alive() {
  local p
  for p in "$@"; do
    if ! gantry_pid_alive "$(pidfile "$p")"; then
      echo "quickstart: $p exited; the end of $data/logs/$p.log:" >&2
      tail -15 "$data/logs/$p.log" >&2
      echo "quickstart: the others are still up; $self --stop stops them" >&2
      exit 1
    fi
  done
}

every_manager_knows_leader() {
  all_alive "${managers[@]}"
  local i body
  for i in 0 1 2; do
    body=$(gantry_http_get "$scheme://127.0.0.1:${http_ports[$i]}/v1/status/leader") || return 1
    grep -qE '"id": "[^"]+"' <<<"$body" || return 1
  done
}

agents_ready() {
  all_alive "${managers[@]}" "${agents[@]}"
  local body
  body=$(gantry_http_get "$scheme://127.0.0.1:${http_ports[0]}/v1/nodes") || return 1
  [ "$(grep -c '"status": "NODE_STATUS_READY"' <<<"$body")" -ge "${#agents[@]}" ]
}

start_process() {
  local name=$1 flags=() envs=()
  shift
  # As scripts/gantry starts them: an agent with the small-JVM flags (lib/agent-jvm.sh), a manager
  # from its ahead-of-time cache (lib/server-jvm.sh; the first start after a build trains it).
  if [ "$1" = agent ]; then
    read -r -a flags <<<"$(gantry_agent_flags)"
    read -r -a envs <<<"$(gantry_agent_env)"
  elif [ "$1" = server ]; then
    read -r -a flags <<<"$server_flags"
  fi
  # setsid: the process outlives this script and a Ctrl-C in its terminal.
  # shellcheck disable=SC2086 # GANTRY_JAVA_OPTS holds several flags
  setsid env "${envs[@]}" java "${flags[@]}" $GANTRY_JAVA_OPTS -jar "$jar" "$@" >"$data/logs/$name.log" 2>&1 </dev/null &
  gantry_pid_save "$(pidfile "$name")" "$!"
}

start_all() {
  say "prerequisites: JDK, Docker engine and image, gantry jar"
  gantry_ensure_jdk || exit 1
  choose_driver
  ensure_jar
  set_ports "${GANTRY_QUICKSTART_BASE_PORT:-4646}"
  secure_env
  check_ports

  local i p
  for p in "${managers[@]}" "${agents[@]}" logs; do rm -rf "${data:?}/$p"; done
  rm -f "$data"/*.pid "$data"/*.err "$state"
  mkdir -p "$data/logs"
  printf 'base_port=%s\ndriver=%s\njob=%s\nspec=%s\nsecure=%s\nstarted="%s"\n' "$base" "$driver" "$job" "$spec" \
    "$secure" "$(date -u '+%Y-%m-%d %H:%M:%S UTC')" >"$state"
  if [ "$secure" = 1 ]; then
    say "making the cluster's CA and certificates in $data/pki (gantry tls)"
    make_pki
  fi

  if [ ! -f "$jar.server.aot" ] || [ "$jar" -nt "$jar.server.aot" ]; then
    say "training the managers' ahead-of-time class cache (once per build, about 15 s)"
  fi
  local server_flags
  server_flags=$(gantry_server_flags "$jar")
  say "starting managers m1 m2 m3 (gRPC $GANTRY_ADDR)"
  for i in 0 1 2; do
    security_args "${managers[$i]}" manager
    start_process "${managers[$i]}" server --id "${managers[$i]}" --data-dir "$data/${managers[$i]}" \
      --raft-addr "127.0.0.1:${raft_ports[$i]}" --grpc-addr "127.0.0.1:${grpc_ports[$i]}" \
      --http-addr "127.0.0.1:${http_ports[$i]}" --peers "$peers" "${sec_args[@]}"
  done
  gantry_await "the managers to elect a leader" 90 every_manager_knows_leader \
    || fail "no leader; logs in $data/logs ($self --stop stops what runs)"
  if [ "$secure" = 1 ]; then
    gantry_await "a leader to take the ACL bootstrap" 60 bootstrap_acl \
      || fail "gantry acl bootstrap failed: $(tail -1 "$data/bootstrap.err" 2>/dev/null)"
    say "ACLs bootstrapped: management token $accessor (its secret is in $data/management.token)"
  fi

  say "starting agents a1 a2 ($driver driver; their /metrics on ${agent_ports[*]})"
  for i in "${!agents[@]}"; do
    p=${agents[$i]}
    # --advertise: this cluster is on loopback, so its services' endpoints are too.
    security_args "$p"
    start_process "$p" agent --name "$p" --servers "$GANTRY_ADDR" --data-dir "$data/$p" --driver "$driver" \
      --advertise 127.0.0.1 --http-addr "127.0.0.1:${agent_ports[$i]}" "${sec_args[@]}"
  done
  gantry_await "both agents to be ready" 90 agents_ready \
    || fail "the agents did not register; logs in $data/logs ($self --stop stops what runs)"

  say "running $spec (gantry job run follows its deployment)"
  if ! gantry_within "${GANTRY_QUICKSTART_TIMEOUT:-300}" job run "$spec"; then
    gantry job status "$job" >&2 || true
    fail "the deployment of $job did not succeed (above); the cluster stays up for a look: logs in $data/logs, $self --stop stops it"
  fi
}

# --- summary ------------------------------------------------------------------------------------

# "ALLOC NODE PORTS" for each running allocation of the job, from `gantry alloc ls`.
running_allocs() {
  gantry alloc ls --job "$job" | awk 'NR > 1 && $7 == "running" { print $1, $2, $NF }'
}

replicas_answer() {
  local alloc node ports mapping
  while read -r alloc node ports; do
    for mapping in ${ports//,/ }; do
      [ "$mapping" = - ] && continue
      mapping=${mapping#*=}
      gantry_http_get "http://127.0.0.1:${mapping%%->*}/" >/dev/null || return 1
    done
  done <<<"$allocs"
}

summary() {
  local i alloc node ports mapping
  allocs=$(running_allocs) || allocs=""
  if [ "$driver" = docker ] && [ -n "$allocs" ]; then
    gantry_await "every replica to answer HTTP" 30 replicas_answer || true
  fi
  echo
  echo "== gantry job status $job"
  gantry job status "$job"
  echo
  echo "== Replicas"
  if [ -z "$allocs" ]; then
    echo "  none running yet: scripts/gantry alloc ls --job $job"
  fi
  while read -r alloc node ports; do
    [ -n "$alloc" ] || continue
    if [ "$ports" = - ]; then
      echo "  replica $alloc on $node: a process of the exec driver, no port"
      continue
    fi
    for mapping in ${ports//,/ }; do
      mapping=${mapping#*=}
      echo "  replica $alloc on $node: http://127.0.0.1:${mapping%%->*}/"
    done
  done <<<"$allocs"
  echo
  echo "== Web UI (jobs, nodes, a page per job; live; stop and scale)"
  echo "  $scheme://127.0.0.1:${http_ports[0]}/    (every manager's HTTP port serves it)"
  if [ "$secure" = 1 ]; then
    echo "  the browser must present a client certificate of the cluster CA (README, \"Web UI\") and asks once for a token"
  fi
  echo
  echo "== Managers (gRPC for the CLI; HTTP: the web UI, the JSON API /v1/... and /metrics)"
  for i in 0 1 2; do
    echo "  ${managers[$i]}  gRPC 127.0.0.1:${grpc_ports[$i]}  HTTP $scheme://127.0.0.1:${http_ports[$i]}/v1/status/leader  $scheme://127.0.0.1:${http_ports[$i]}/metrics"
  done
  echo
  echo "== Agents (their own /metrics: each allocation's CPU and memory)"
  for i in "${!agents[@]}"; do
    echo "  ${agents[$i]}  $scheme://127.0.0.1:${agent_ports[$i]}/metrics"
  done
  if [ "$base" = 4646 ] && [ "$secure" = 0 ]; then
    echo "  Prometheus scrapes these and the managers: prometheus --config.file=scripts/monitoring/prometheus.yml"
  else
    echo "  Prometheus: scripts/monitoring/prometheus.yml names the default plain-HTTP ports; give it these (its header says how)"
  fi
  echo
  echo "== Next"
  echo "  export GANTRY_ADDR=$GANTRY_ADDR"
  if [ "$secure" = 1 ]; then
    echo "  export GANTRY_TLS_CA=$GANTRY_TLS_CA GANTRY_TLS_CERT=$GANTRY_TLS_CERT GANTRY_TLS_KEY=$GANTRY_TLS_KEY"
    echo "  export GANTRY_TOKEN=\$(cat $data/management.token)   # the management token: make a read-only one (README, Production set-up)"
    echo "  audit: scripts/gantry operator audit    (each manager's $data/mN/audit.log)"
  else
    echo "  production set-up (mutual TLS, ACLs, audit): $self --secure, and the README's \"Production set-up\""
  fi
  echo "  scripts/gantry alloc ls --job $job       scripts/gantry node ls"
  echo "  logs: $data/logs/{m1,m2,m3,a1,a2}.log"
  echo "  stop: $self --stop"
}

# --- main ---------------------------------------------------------------------------------------

case "${1:-}" in
  --stop)
    if stop_all; then
      say "stopped: no process of the quickstart runs and no replica is left (state and logs kept in $data)"
    else
      fail "something would not stop (above)"
    fi
    ;;
  ""|--secure)
    secure=0
    if [ "${1:-}" = --secure ] || [ "${GANTRY_QUICKSTART_SECURE:-0}" = 1 ]; then secure=1; fi
    n=$(running_count)
    if [ "$n" = $((${#managers[@]} + ${#agents[@]})) ]; then
      want=$secure
      load_state
      gantry_use_jdk
      say "already up since $started ($driver driver$([ "$secure" = 1 ] && echo ", secure")); to start afresh: $self --stop, then $self$([ "$secure" = 1 ] && echo " --secure")"
      [ "$want" = "$secure" ] || say "note: it runs $([ "$secure" = 1 ] && echo with || echo without) --secure; --stop first to change that"
    else
      if [ "$n" -gt 0 ]; then
        say "only $n of 5 processes run: stopping them to start afresh"
      fi
      want=$secure
      stop_all || fail "the earlier run would not stop (above)"
      secure=$want
      start_all
      say "up: 3 managers and 2 agents ($driver driver$([ "$secure" = 1 ] && echo ", mutual TLS, ACLs")), job $job"
    fi
    summary
    ;;
  -h|--help) sed -n '2,/^# shellcheck/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//' ;;
  *) echo "quickstart: unknown argument \"$1\" (usage: scripts/quickstart.sh [--secure | --stop])" >&2; exit 2 ;;
esac
