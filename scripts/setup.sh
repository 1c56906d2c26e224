#!/usr/bin/env bash
# One-time set-up on a fresh machine: finds a JDK >= 21, installs Maven and Prometheus and
# starts a Docker engine if missing (as root), builds the local workload image and the gantry jar,
# and on JDK >= 25 makes the jar's ahead-of-time class caches for the client verbs and managers
# (lib/client-jvm.sh, lib/server-jvm.sh; otherwise the first launch after a build makes them).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# shellcheck source=lib/prereqs.sh
source scripts/lib/prereqs.sh
gantry_prepare || exit 1
mvn -B -q -ntp install -DskipTests
# shellcheck source=lib/client-jvm.sh
source scripts/lib/client-jvm.sh
# shellcheck source=lib/server-jvm.sh
source scripts/lib/server-jvm.sh
gantry_client_flags cli/target/gantry.jar >/dev/null
gantry_server_flags cli/target/gantry.jar >/dev/null
echo "setup: done; the gantry jar is cli/target/gantry.jar (run it with scripts/gantry)"
