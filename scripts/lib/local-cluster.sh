# shellcheck shell=bash
# Sourced by scripts/quickstart.sh and its test: small tools for a cluster of local processes.
#
#   gantry_pid_save FILE PID        remembers a process as "PID START_TICKS" (a reused pid is not it)
#   gantry_pid_alive FILE           0 when the process FILE names still runs
#   gantry_pid_stop FILE [SECONDS]  SIGTERM, SIGKILL after SECONDS (default 15), removes FILE
#   gantry_ticks_alive PID TICKS    0 when PID runs and started at TICKS (field 22 of /proc/PID/stat)
#   gantry_port_taken PORT          0 when something accepts connections on 127.0.0.1:PORT
#   gantry_port_owner PORT          who listens there, "NAME (pid N)" from `ss -ltnp` (empty if unknown)
#   gantry_http_get URL             the body on stdout; 0 on HTTP 2xx within 3 s (curl, else bash's /dev/tcp);
#                                   an https:// URL is fetched with curl and the mutual TLS and token of
#                                   GANTRY_TLS_CA/CERT/KEY and GANTRY_TOKEN (never sent over http://)
#   gantry_await WHAT SECONDS CMD…  runs CMD every 0.25 s until it succeeds; 1 with a message at the deadline
#
# Linux only (/proc).

# The start time of PID in clock ticks since boot, or nothing if it does not run (or is a zombie).
_gantry_start_ticks() {
  local stat rest fields
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
  rest=${stat##*) }   # the command name may hold spaces and parentheses; the fields after it do not
  read -r -a fields <<<"$rest"
  [ "${fields[0]}" = Z ] && return 0
  echo "${fields[19]}"
}

gantry_ticks_alive() {
  local now
  now=$(_gantry_start_ticks "$1")
  [ -n "$now" ] && [ "$now" = "$2" ]
}

gantry_pid_save() {
  local ticks
  ticks=$(_gantry_start_ticks "$2")
  echo "$2 ${ticks:-0}" >"$1"
}

gantry_pid_alive() {
  local pid ticks
  [ -f "$1" ] || return 1
  read -r pid ticks <"$1" || return 1
  gantry_ticks_alive "$pid" "$ticks"
}

gantry_pid_stop() {
  local file=$1 seconds=${2:-15} pid ticks end
  [ -f "$file" ] || return 0
  read -r pid ticks <"$file" || { rm -f "$file"; return 0; }
  if gantry_ticks_alive "$pid" "$ticks"; then
    kill -TERM "$pid" 2>/dev/null || true
    end=$((SECONDS + seconds))
    while gantry_ticks_alive "$pid" "$ticks" && [ "$SECONDS" -lt "$end" ]; do sleep 0.1; done
    if gantry_ticks_alive "$pid" "$ticks"; then
      echo "process $pid ($(basename "$file" .pid)) ignored SIGTERM for ${seconds}s: SIGKILL" >&2
      kill -KILL "$pid" 2>/dev/null || true
      end=$((SECONDS + 5))
      while gantry_ticks_alive "$pid" "$ticks" && [ "$SECONDS" -lt "$end" ]; do sleep 0.1; done
    fi
  fi
  if gantry_ticks_alive "$pid" "$ticks"; then
    return 1
  fi
  rm -f "$file"
}

gantry_port_taken() {
  # shellcheck disable=SC2016 # the inner shell expands $1
  timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' _ "$1" 2>/dev/null
}

gantry_port_owner() {
  command -v ss >/dev/null 2>&1 || return 0
  # users:(("python3",pid=23299,fd=3)) -> python3 (pid 23299)
  ss -Hltnp "sport = :$1" 2>/dev/null \
    | sed -n 's/.*users:(("\([^"]*\)",pid=\([0-9]*\).*/\1 (pid \2)/p' | head -1 || true
}

gantry_http_get() {
  case $1 in
    https://*)
      curl -fsS --max-time 3 --cacert "$GANTRY_TLS_CA" --cert "$GANTRY_TLS_CERT" --key "$GANTRY_TLS_KEY" \
        ${GANTRY_TOKEN:+-H "X-Gantry-Token: $GANTRY_TOKEN"} "$1" 2>/dev/null
      return
      ;;
  esac
  if command -v curl >/dev/null 2>&1; then
    curl -fsS --max-time 3 "$1" 2>/dev/null
  else
    _gantry_http_get_tcp "$1"
  fi
}

# HTTP/1.0 GET over bash's /dev/tcp, for machines without curl.
_gantry_http_get_tcp() {
  local url=$1 rest hostport path reply
  rest=${url#http://}
  hostport=${rest%%/*}
  path=/${rest#*/}
  [ "$rest" = "$hostport" ] && path=/
  # shellcheck disable=SC2016 # the inner shell expands $1..$3
  reply=$(timeout 3 bash -c 'exec 3<>"/dev/tcp/$1/$2" || exit 1
    printf "GET %s HTTP/1.0\r\nHost: %s\r\nConnection: close\r\n\r\n" "$3" "$1:$2" >&3
    cat <&3' _ "${hostport%:*}" "${hostport##*:}" "$path" 2>/dev/null) || return 1
  case ${reply%%$'\r'*} in
    "HTTP/1."?" 2"*) ;;
    *) return 1 ;;
  esac
  printf '%s\n' "${reply#*$'\r\n\r\n'}"
}

gantry_await() {
  local what=$1 seconds=$2 end
  shift 2
  end=$((SECONDS + seconds))
  until "$@"; do
    if [ "$SECONDS" -ge "$end" ]; then
      echo "timed out after ${seconds}s waiting for $what" >&2
      return 1
    fi
    sleep 0.25
  done
}
