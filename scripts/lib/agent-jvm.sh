# shellcheck shell=bash
# Sourced by scripts/gantry, the quickstart and scripts/bench/agent.sh: the JVM flags an agent
# runs with by default. An agent is one long-lived process per machine with a few hundred
# allocations at most, mostly waiting on the engine and the managers, so it gets a heap that
# starts small and gives memory back (grows to 256 MB if it must), the serial collector, the C1
# compiler only with one compiler thread and a small code cache, small thread stacks, capped
# metaspace and direct memory, and Netty's unpooled allocator (no per-thread arenas).
# gantry_agent_env prints MALLOC_ARENA_MAX=2 for the agent's environment: glibc otherwise keeps
# up to 8 malloc arenas per core. Later flags win: GANTRY_JAVA_OPTS after these overrides them;
# GANTRY_AGENT_JVM=default runs the agent with the JVM's own defaults instead.
#
# `BENCH_PHASES=rss scripts/bench/agent.sh` measures the agent's RSS with these and without.

gantry_agent_flags() {
  [ "${GANTRY_AGENT_JVM:-}" = default ] && return 0
  echo "-Xms8m -Xmx256m -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=30 -XX:+UseSerialGC" \
    "-XX:TieredStopAtLevel=1 -XX:CICompilerCount=1 -XX:ReservedCodeCacheSize=24m -XX:MaxMetaspaceSize=128m" \
    "-Xss256k -XX:MaxDirectMemorySize=32m -Dio.netty.allocator.type=unpooled"
}

gantry_agent_env() {
  [ "${GANTRY_AGENT_JVM:-}" = default ] && return 0
  echo "MALLOC_ARENA_MAX=2"
}
