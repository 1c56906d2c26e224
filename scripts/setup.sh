#!/usr/bin/env bash
# One-time set-up on a fresh machine: finds a JDK >= 21, installs Maven and starts a Docker
# engine if missing (as root), builds the local workload image and the gantry jar.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# shellcheck source=lib/jdk.sh
source scripts/lib/jdk.sh
gantry_use_jdk || exit 1
if ! command -v mvn >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    echo "setup: installing Maven" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq maven >/dev/null
  else
    echo "setup: Maven (mvn) is needed: apt-get install maven" >&2
    exit 1
  fi
fi
# shellcheck source=lib/docker.sh
source scripts/lib/docker.sh
gantry_ensure_docker || exit 1
scripts/images.sh
mvn -B -q -ntp install -DskipTests
echo "setup: done; the gantry jar is cli/target/gantry.jar (run it with scripts/gantry)"
