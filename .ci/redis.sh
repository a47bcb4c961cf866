#!/usr/bin/env bash
# Sourced by .ci/run: a throwaway Redis on 127.0.0.1 for the tests of the shared rate limit and the job queue.
# redis_start installs Debian's redis-server when missing, starts it on a free port with no persistence and
# exports REDIS_URL; redis_stop ends that server (and only it). When Redis cannot be had, REDIS_URL stays
# unset: the Redis tests then report themselves skipped, or failed under CI=true.

REDIS_PID_FILE=""
REDIS_DIR=""

redis_install() {
  command -v redis-server >/dev/null 2>&1 && return 0
  command -v apt-get >/dev/null 2>&1 || { echo "redis: no apt-get to install redis-server with" >&2; return 1; }
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo -n"
  echo "redis: installing redis-server from Debian's packages" >&2
  $sudo apt-get update -qq >/dev/null 2>&1 || true
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends redis-server >/dev/null 2>&1 || {
    echo "redis: apt-get install redis-server failed" >&2
    return 1
  }
  command -v redis-server >/dev/null 2>&1
}

redis_start() {
  redis_install || return 1
  local port
  # A port the kernel just handed out and released: free unless something grabs it in the next instant.
  port=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})') || return 1
  REDIS_DIR=$(mktemp -d)
  REDIS_PID_FILE="$REDIS_DIR/redis.pid"
  redis-server --bind 127.0.0.1 --port "$port" --save '' --appendonly no --daemonize yes \
    --dir "$REDIS_DIR" --pidfile "$REDIS_PID_FILE" --logfile "$REDIS_DIR/redis.log" >/dev/null 2>&1 || {
    echo "redis: redis-server did not start" >&2
    return 1
  }
  local i
  for i in $(seq 1 50); do
    if redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null | grep -q PONG; then
      export REDIS_URL="redis://127.0.0.1:$port"
      echo "redis: listening on 127.0.0.1:$port" >&2
      return 0
    fi
    sleep 0.1
  done
  echo "redis: redis-server did not answer on port $port" >&2
  redis_stop
  return 1
}

redis_stop() {
  if [ -n "$REDIS_PID_FILE" ] && [ -s "$REDIS_PID_FILE" ]; then
    local pid
    pid=$(cat "$REDIS_PID_FILE")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  [ -n "$REDIS_DIR" ] && rm -rf "$REDIS_DIR"
  REDIS_PID_FILE=""
  REDIS_DIR=""
}
