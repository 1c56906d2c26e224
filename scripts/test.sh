#!/usr/bin/env bash
# The test command: picks a JDK >= 21, makes sure a Docker engine runs (installing and
# starting one as root if needed) and the local workload image exists, then runs every
# module's tests with `mvn -B verify`. Extra arguments go to Maven.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# shellcheck source=lib/jdk.sh
source scripts/lib/jdk.sh
gantry_use_jdk || exit 1
if ! command -v mvn >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    echo "test.sh: installing Maven" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq maven >/dev/null
  else
    echo "test.sh: Maven (mvn) is needed: apt-get install maven" >&2
    exit 1
  fi
fi
# shellcheck source=lib/docker.sh
source scripts/lib/docker.sh
gantry_ensure_docker || exit 1
scripts/images.sh

echo "test.sh: $(java -version 2>&1 | head -1), $(docker version --format 'Docker {{.Server.Version}}' 2>/dev/null)" >&2
mvn -B -ntp verify "$@"
