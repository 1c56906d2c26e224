# shellcheck shell=bash
# Sourced by scripts/gantry after jdk.sh. gantry_client_flags JAR prints the JVM flags for a
# client verb (job, alloc, node, deployment, operator, tls...): a short-lived process, so the
# C1 compiler only and the serial collector, and on JDK >= 25 an ahead-of-time cache of the
# classes a client loads (JEP 514), next to the jar as JAR.aot. The cache is made once per
# build of the jar, by a training run of a client verb against an address where nothing
# listens (it loads picocli, gRPC and Netty as a real call does); a cache older than the jar
# is made again. GANTRY_AOT=0 turns the cache off. The server, agent and dev verbs are
# long-lived and get none of this.
#
# `scripts/bench/cli.sh` measures what it saves.

gantry_client_flags() {
  local jar=$1 cache="$1.aot" tmp major
  local flags=(-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xlog:aot=off -Xlog:cds=off)
  major=$(_gantry_jdk_major "$JAVA_HOME")
  if [ "${GANTRY_AOT:-1}" != 0 ] && [ -n "$major" ] && [ "$major" -ge 25 ]; then
    if [ ! -f "$cache" ] || [ "$jar" -nt "$cache" ]; then
      tmp="$cache.$$.tmp"
      # The training run's own messages go to stdout: none of them may reach the user's command.
      # shellcheck disable=SC2086 # GANTRY_JAVA_OPTS holds several flags
      if [ -w "$(dirname "$cache")" ] && java $GANTRY_JAVA_OPTS "${flags[@]}" -XX:AOTCacheOutput="$tmp" -jar "$jar" \
          operator raft peers --address 127.0.0.1:1 >/dev/null 2>&1 </dev/null; [ -s "$tmp" ]; then
        mv -f "$tmp" "$cache"
      fi
      rm -f "$tmp" "$tmp.config"
    fi
    # A cache that does not match this JDK or jar is ignored silently (the logs are off).
    [ -f "$cache" ] && flags+=(-XX:AOTCache="$cache")
  fi
  echo "${flags[@]}"
}
