# shellcheck shell=bash
# Sourced by scripts/gantry, the quickstart and scripts/bench/state.sh after jdk.sh.
# gantry_server_flags JAR [CACHE] sets the array GANTRY_FLAGS to the JVM flags a manager
# (`gantry server`) starts with, and prints them:
# on JDK >= 25 an ahead-of-time cache of the classes a manager loads and links (JEP 514/515),
# CACHE (JAR.server.aot by default). A manager then reaches "started" in about two thirds of the
# time (4.6 -> 3.0 s for one peer on a 2-core machine); a whole cluster restarted at once saves
# more, its peers sharing the cores. The cache is made once per build of the jar by a training
# run: a one-peer cluster in a temporary directory on free loopback ports, stopped with SIGTERM
# once it leads and has started all its endpoints (about 10 s; flock keeps concurrent launches from training twice). It is trained
# with the flags in GANTRY_JAVA_OPTS, as the manager will run; a cache that does not match the
# JVM or the jar is ignored silently. GANTRY_AOT=0 turns it off (lib/aot.sh holds the rule).

# shellcheck source=aot.sh
. "$(dirname "${BASH_SOURCE[0]}")/aot.sh"

_gantry_free_port() {
  local p _
  for _ in $(seq 1 100); do
    p=$((20000 + RANDOM % 30000))
    # Nothing answers a connect: free (a race with another program is possible and harmless).
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return 0; fi
  done
  return 1
}

# _gantry_server_train OUT: writes the cache for $jar (the caller's) to OUT, or nothing when the
# training run fails.
_gantry_server_train() {
  local out=$1 dir pid i raft grpc http
  dir=$(mktemp -d) || return 1
  raft=$(_gantry_free_port) && grpc=$(_gantry_free_port) && http=$(_gantry_free_port) || { rm -rf "$dir"; return 1; }
  # shellcheck disable=SC2086 # GANTRY_JAVA_OPTS holds several flags
  java $GANTRY_JAVA_OPTS -Xlog:aot=off -Xlog:cds=off -XX:AOTCacheOutput="$out" -jar "$jar" server --id train \
    --data-dir "$dir/data" --raft-addr "127.0.0.1:$raft" --grpc-addr "127.0.0.1:$grpc" \
    --http-addr "127.0.0.1:$http" >"$dir/log" 2>&1 </dev/null &
  pid=$!
  for i in $(seq 1 120); do
    grep -q "LeaderLoop - leading" "$dir/log" 2>/dev/null && grep -q "^gantry server train started" "$dir/log" && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  # The cache is written as the JVM exits after SIGTERM. Callers run with `set -e`: a kill or
  # wait on a JVM that has exited (and been reaped) fails, and must not end the launcher.
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 120); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  rm -rf "$dir"
}

# A manager uses the cache's classes but not the method profiles the training run recorded in it
# (JEP 515). Replayed, they likely send the C2 compiler to work on the profiled methods as soon as
# the JVM starts, while three managers restarted at once share 2 cores; measured, the restart is
# faster without them (scripts/bench/state.sh, restart phase, alternating: 4,912/4,785/4,735 ms with the
# profiles, 4,761/4,395/4,319 without; the throughput phases unchanged).
_gantry_server_no_profiles=(-XX:+UnlockDiagnosticVMOptions -XX:-AOTReplayTraining)

gantry_server_flags() {
  local jar=$1 cache=${2:-$1.server.aot}
  gantry_aot_flag "$jar" "$cache" _gantry_server_train
  GANTRY_FLAGS=(-Xlog:aot=off -Xlog:cds=off)
  if [ -n "$GANTRY_AOT_FLAG" ]; then GANTRY_FLAGS+=("$GANTRY_AOT_FLAG" "${_gantry_server_no_profiles[@]}"); fi
  echo "${GANTRY_FLAGS[@]}"
}
