#!/usr/bin/env bash
# Runs a Jepsen-style chaos campaign against managers and agents in containers.
#
#   scripts/chaos.sh [--time 10m] [--nemesis all|kill,kill-leader,pause,partition,...] [--managers 3|5]
#                    [--agents N] [--clients N] [--keys N] [--snapshot-every N] [--seed N] [--tls on|off]
#
# Builds the gantry jar if missing, the image local/gantry:dev if the jar changed, the chaos image
# local/gantry-chaos:dev on top of it (lossyfs, for power-loss), and the chaos-tests module (with
# -am: no `mvn install` needed), then runs gantry.chaos.Campaign. Prints one RESULT line per
# checker (linearizable, no-lost-writes, digests-equal, allocations, nemesis) and the report's
# path (chaos-tests/target/chaos/RUN/index.html). Exit 0 when every checker is valid, 1
# otherwise, 2 on bad usage. A run that injected no fault, or whose partitions did not provably
# cut the network, fails (the nemesis checker).
# Nemeses: kill, kill-leader, pause, partition (isolate the leader), partition-halves,
# partition-oneway, partition-bridge, kill-all, kill-agent, partition-agent, snapshot-install (cut a
# follower off until the others purged their logs past it, heal, check it installed a snapshot,
# move the leadership onto it), power-loss (every manager at once, with lossyfs dropping what was
# not fsynced; needs /dev/fuse). --snapshot-every (default 200) is the managers'
# snapshot_every_entries. --tls (default on) runs every port with mutual TLS, certificates made by
# the jar's `gantry tls` in the run's report directory (pki/). Partitions, power-loss and the allocation checker (mandatory with
# agents: it reads the agents' task processes from /proc) need root.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
case "${1:-}" in -h|--help) sed -n '2,21p' "$0"; exit 0 ;; esac
# shellcheck source=lib/jdk.sh
source "$root/scripts/lib/jdk.sh"
# shellcheck source=lib/docker.sh
source "$root/scripts/lib/docker.sh"
gantry_use_jdk || exit 1
gantry_ensure_docker || exit 1

if [ ! -f "$root/cli/target/gantry.jar" ]; then
  "$root/scripts/gantry" --help >/dev/null || { echo "chaos.sh: could not build cli/target/gantry.jar" >&2; exit 1; }
fi
bash "$root/scripts/lib/gantry-image.sh" >/dev/null || exit 1

cd "$root"
echo "chaos.sh: building chaos-tests" >&2
# -am builds the sibling modules it needs (proto) in the same reactor, so a fresh clone works
# without `mvn install`; -DskipTests skips every module's tests (the campaign is the test).
mvn -B -q -ntp -pl chaos-tests -am package -DskipTests \
  dependency:build-classpath -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime >&2 \
  || { echo "chaos.sh: building chaos-tests failed" >&2; exit 1; }

export TESTCONTAINERS_RYUK_DISABLED=true TESTCONTAINERS_HOST_OVERRIDE=localhost
log="$root/chaos-tests/target/chaos-last.log"
mkdir -p "$(dirname "$log")"
set +e
# stdout carries the RESULT and REPORT lines; the harness's own logging goes to $log.
# shellcheck disable=SC2086
java $GANTRY_JAVA_OPTS -cp "chaos-tests/target/classes:$(cat chaos-tests/target/classpath.txt)" \
  gantry.chaos.Campaign --repo "$root" --out "$root/chaos-tests/target/chaos" "$@" 2>"$log"
status=$?
set -e
[ "$status" -ne 2 ] || grep -v "^WARNING" "$log" >&2
[ "$status" -eq 0 ] || echo "chaos.sh: campaign exit $status (harness log: $log)" >&2
exit "$status"
