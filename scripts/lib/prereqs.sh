# shellcheck shell=bash source-path=SCRIPTDIR/../..
# Sourced by setup.sh, test.sh and quickstart.sh. Run from the repository root.
#   gantry_ensure_jdk    a JDK >= 21 (jdk.sh); as root, installs one with apt-get when none is found
#   gantry_ensure_maven  Maven (installed with apt-get as root if missing)
#   gantry_prepare       everything the build and the tests need: the two above, a running Docker
#                        engine (docker.sh), the local workload image (images.sh), Prometheus
#                        (prometheus.sh, for the monitoring test) and Chromium with its driver
#                        (chromium.sh, for the web UI's browser test)

gantry_ensure_jdk() {
  source scripts/lib/jdk.sh
  gantry_use_jdk 2>/dev/null && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    local pkg
    for pkg in openjdk-25-jdk-headless openjdk-21-jdk-headless; do
      if apt-cache show "$pkg" >/dev/null 2>&1 \
          || { apt-get update -qq >/dev/null 2>&1 && apt-cache show "$pkg" >/dev/null 2>&1; }; then
        echo "gantry: no JDK >= 21 found: installing $pkg" >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$pkg" >/dev/null 2>&1 \
          || { echo "gantry: apt-get install $pkg failed; try it by hand to see why" >&2; return 1; }
        break
      fi
    done
  fi
  gantry_use_jdk   # prints what it looked at and how to install one
}

gantry_ensure_maven() {
  command -v mvn >/dev/null 2>&1 && return 0
  if [ "$(id -u)" = 0 ]; then
    echo "gantry: installing Maven" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq maven >/dev/null || return 1
  else
    echo "gantry: Maven (mvn) is needed: apt-get install maven" >&2
    return 1
  fi
}

gantry_prepare() {
  gantry_ensure_jdk || return 1
  gantry_ensure_maven || return 1
  source scripts/lib/docker.sh
  gantry_ensure_docker || return 1
  scripts/images.sh
  # shellcheck source=prometheus.sh
  source scripts/lib/prometheus.sh
  gantry_ensure_prometheus || return 1
  # shellcheck source=chromium.sh
  source scripts/lib/chromium.sh
  gantry_ensure_chromium || return 1
}
