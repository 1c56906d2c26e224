#!/usr/bin/env bash
# The test command: picks a JDK >= 21, makes sure Maven, a Docker engine (installed and
# started as root if needed), the local workload image, Prometheus (for the monitoring test)
# and Chromium with chromedriver (for the web UI's browser test; both installed as root if
# needed) are there, then the launcher's cache rule (scripts/tests/aot-cache.sh, a second), then
# every module's tests with `mvn -B verify`, then a minute of
# fuzzing (scripts/fuzz.sh, 15 s for each of its four targets; a crash fails the run), then the
# quickstart end to end, plain and --secure (scripts/tests/quickstart-e2e.sh, on its own ports).
# The last two are skipped when arguments are given, or by GANTRY_SKIP_FUZZ=1 and
# GANTRY_SKIP_QUICKSTART_TEST=1. Extra arguments go to Maven.
# shellcheck source-path=SCRIPTDIR/..
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
source scripts/lib/prereqs.sh
gantry_prepare || exit 1
echo "test.sh: $(java -version 2>&1 | head -1), $(docker version --format 'Docker {{.Server.Version}}' 2>/dev/null)" >&2
scripts/tests/aot-cache.sh
mvn -B -ntp verify "$@"
if [ $# -eq 0 ] && [ "${GANTRY_SKIP_FUZZ:-0}" != 1 ]; then
  GANTRY_FUZZ_KEEP=0 scripts/fuzz.sh 15s
fi
if [ $# -eq 0 ] && [ "${GANTRY_SKIP_QUICKSTART_TEST:-0}" != 1 ]; then
  scripts/tests/quickstart-e2e.sh
  scripts/tests/quickstart-e2e.sh --secure
fi
