#!/usr/bin/env bash
# The test command: picks a JDK >= 21, makes sure Maven, a Docker engine (installed and
# started as root if needed), the local workload image, Prometheus (for the monitoring test)
# and Chromium with chromedriver (for the web UI's browser test; both installed as root if
# needed) are there, then runs every module's tests with
# `mvn -B verify`, then the quickstart end to end, plain and --secure (scripts/tests/quickstart-e2e.sh,
# on its own ports; skipped when arguments are given or GANTRY_SKIP_QUICKSTART_TEST=1). Extra arguments
# go to Maven.
# shellcheck source-path=SCRIPTDIR/..
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
source scripts/lib/prereqs.sh
gantry_prepare || exit 1
echo "test.sh: $(java -version 2>&1 | head -1), $(docker version --format 'Docker {{.Server.Version}}' 2>/dev/null)" >&2
mvn -B -ntp verify "$@"
if [ $# -eq 0 ] && [ "${GANTRY_SKIP_QUICKSTART_TEST:-0}" != 1 ]; then
  scripts/tests/quickstart-e2e.sh
  scripts/tests/quickstart-e2e.sh --secure
fi
