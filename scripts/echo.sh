#!/usr/bin/env bash
# The echo example (examples/echo) from the command line, with a JDK >= 21 found as scripts/gantry
# finds one, building examples/echo/target/gantry-echo.jar first if it is missing:
#   scripts/echo.sh spec FILE            prints job spec FILE (examples/echo.yaml, autoscaled.yaml)
#                                        with its placeholders filled: this JDK's java and the jar
#   scripts/echo.sh client [ARGS...]     calls the service through gantry:///echo (EchoClient:
#                                        --policy weighted|round_robin|random --calls N [--service S])
#   scripts/echo.sh load SERVICE MILLICORES   every replica of SERVICE burns that much CPU (0 stops)
# The managers come from GANTRY_ADDR (host:port,...).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/lib/jdk.sh
source "$root/scripts/lib/jdk.sh"
gantry_use_jdk >&2 || exit 1
jar="$root/examples/echo/target/gantry-echo.jar"
if [ ! -f "$jar" ]; then
  echo "echo.sh: building $jar" >&2
  (cd "$root" && mvn -B -q -ntp -pl examples/echo -am package -DskipTests >&2)
fi
read -r -a java_opts <<<"$GANTRY_JAVA_OPTS"
case ${1:-} in
  spec)
    [ $# -eq 2 ] || { echo "usage: scripts/echo.sh spec FILE" >&2; exit 2; }
    sed -e "s#@JAVA@#$JAVA_HOME/bin/java#" -e "s#@ECHO_JAR@#$jar#" "$2" ;;
  client)
    shift
    exec java "${java_opts[@]}" -cp "$jar" gantry.examples.echo.EchoClient "$@" ;;
  load)
    shift
    exec java "${java_opts[@]}" -cp "$jar" gantry.examples.echo.EchoLoad "$@" ;;
  *)
    echo "usage: scripts/echo.sh spec FILE | client [--policy P --calls N] | load SERVICE MILLICORES" >&2
    exit 2 ;;
esac
