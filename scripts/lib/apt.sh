# shellcheck shell=bash
# Sourced helper: gantry_apt_ensure WHO WHY "COMMANDS" "PACKAGES" makes sure every command in
# COMMANDS is on the PATH, installing the Debian PACKAGES with apt-get when one is missing.
# Idempotent and quiet when they are there. As root it installs them; otherwise it says how and
# fails, so a test that needs them is never skipped silently. WHO prefixes the messages
# (gantry-WHO: ...); WHY says what needs them.

gantry_apt_ensure() {
  local who=$1 why=$2 cmds=$3 pkgs=$4 c missing=""
  for c in $cmds; do command -v "$c" >/dev/null 2>&1 || missing="$missing $c"; done
  [ -z "$missing" ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "gantry-$who:$missing missing; $why needs it: as root run apt-get install -y $pkgs" >&2
    return 1
  fi
  echo "gantry-$who: installing $pkgs with apt-get" >&2
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get update -qq >/dev/null 2>&1; then
    echo "gantry-$who: apt-get update failed" >&2; return 1
  fi
  # shellcheck disable=SC2086 # several package names
  if ! apt-get install -y -qq --no-install-recommends $pkgs >/dev/null 2>&1; then
    echo "gantry-$who: apt-get install $pkgs failed; try it by hand to see why" >&2; return 1
  fi
  for c in $cmds; do command -v "$c" >/dev/null 2>&1 || return 1; done
}
