#!/usr/bin/env bash
# One-time set-up on a fresh machine: finds a JDK >= 21, installs Maven and Prometheus and
# starts a Docker engine if missing (as root), builds the local workload image and the gantry jar.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# shellcheck source=lib/prereqs.sh
source scripts/lib/prereqs.sh
gantry_prepare || exit 1
mvn -B -q -ntp install -DskipTests
echo "setup: done; the gantry jar is cli/target/gantry.jar (run it with scripts/gantry)"
