#!/usr/bin/env bash
# What the tests need beyond npm, from Debian's packages: PostgreSQL, Redis and Chromium; nginx
# (the rolling restart behind a load balancer); promtool, in the prometheus package (the metrics
# and the example alert rules); systemd-analyze, in systemd (the example unit); sqlite3 (the
# backup script).
#
#   eval "$(.ci/services.sh up)"        installs what is missing (apt-get, as root), starts
#                                       PostgreSQL and Redis on 127.0.0.1 in a temporary
#                                       directory and prints the variables the tests read
#   .ci/services.sh stop|start postgres|redis
#                                       stops or starts one of them again, same port, same data
#                                       (the multi-instance suite's outage tests)
#   .ci/services.sh freeze|thaw redis   SIGSTOP / SIGCONT to redis-server: it keeps its
#                                       connections open and answers nothing until thawed
#   .ci/services.sh down                stops both and removes the directory
#
# `up` prints DATABASE_URL, REDIS_URL, CHROMIUM_PATH and SERVICES_DIR; the other commands find
# the services through SERVICES_DIR.
set -euo pipefail

die() {
  echo "services: $*" >&2
  exit 1
}

pg_bin() {
  local found
  found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$found" ] || die "PostgreSQL is not installed (apt-get install postgresql)"
  echo "$found"
}

# The PostgreSQL server refuses to run as root: as root it runs as the package's postgres user.
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

install_missing() {
  local missing=()
  ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || missing+=(postgresql)
  command -v redis-server >/dev/null || missing+=(redis-server)
  command -v chromium >/dev/null || missing+=(chromium)
  [ -x /usr/sbin/nginx ] || missing+=(nginx)
  command -v promtool >/dev/null || missing+=(prometheus)
  command -v systemd-analyze >/dev/null || missing+=(systemd)
  command -v sqlite3 >/dev/null || missing+=(sqlite3)
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" = 0 ] || die "missing ${missing[*]}: install them, or run this as root"
  echo "services: installing ${missing[*]}" >&2
  apt-get update >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >&2
}

start_postgres() {
  local bin port
  bin=$(pg_bin)
  port=$(cat "$SERVICES_DIR/postgres.port")
  as_pg "$bin/pg_ctl" -D "$SERVICES_DIR/postgres" -l "$SERVICES_DIR/postgres/server.log" -w -t 60 \
    -o "-h 127.0.0.1 -p $port -k $SERVICES_DIR/postgres -c fsync=off -c max_connections=300" \
    start >&2
}

stop_postgres() {
  as_pg "$(pg_bin)/pg_ctl" -D "$SERVICES_DIR/postgres" -m fast -w stop >&2
}

start_redis() {
  local port
  port=$(cat "$SERVICES_DIR/redis.port")
  redis-server --bind 127.0.0.1 --port "$port" --dir "$SERVICES_DIR" --save '' --appendonly no \
    --daemonize yes --pidfile "$SERVICES_DIR/redis.pid" --logfile "$SERVICES_DIR/redis.log" >&2
  for _ in $(seq 100); do
    redis-cli -p "$port" ping >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  die "redis did not start: $(tail -n 5 "$SERVICES_DIR/redis.log")"
}

stop_redis() {
  local port
  port=$(cat "$SERVICES_DIR/redis.port")
  redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true
  for _ in $(seq 100); do
    redis-cli -p "$port" ping >/dev/null 2>&1 || return 0
    sleep 0.1
  done
  die "redis did not stop"
}

# A stopped process keeps its sockets: clients see a Redis that accepts and never answers.
freeze_redis() {
  kill -STOP "$(cat "$SERVICES_DIR/redis.pid")"
}

thaw_redis() {
  kill -CONT "$(cat "$SERVICES_DIR/redis.pid")"
}

up() {
  install_missing
  SERVICES_DIR=$(mktemp -d /tmp/weapp-login-services.XXXXXX)
  chmod 755 "$SERVICES_DIR"
  free_port >"$SERVICES_DIR/postgres.port"
  free_port >"$SERVICES_DIR/redis.port"
  mkdir "$SERVICES_DIR/postgres"
  [ "$(id -u)" = 0 ] && chown postgres: "$SERVICES_DIR/postgres"
  as_pg "$(pg_bin)/initdb" -D "$SERVICES_DIR/postgres" -U postgres -A trust -E UTF8 >&2
  start_postgres
  start_redis
  echo "export SERVICES_DIR=$SERVICES_DIR"
  echo "export DATABASE_URL=postgres://postgres@127.0.0.1:$(cat "$SERVICES_DIR/postgres.port")/postgres"
  echo "export REDIS_URL=redis://127.0.0.1:$(cat "$SERVICES_DIR/redis.port")"
  echo "export CHROMIUM_PATH=$(command -v chromium)"
}

need_dir() {
  [ -n "${SERVICES_DIR:-}" ] && [ -d "$SERVICES_DIR" ] || die "SERVICES_DIR is not set: run up first"
}

case "${1:-}" in
  up) up ;;
  start | stop)
    need_dir
    case "${2:-}" in
      postgres | redis) "$1_$2" ;;
      *) die "usage: $0 $1 postgres|redis" ;;
    esac
    ;;
  freeze | thaw)
    need_dir
    [ "${2:-}" = redis ] || die "usage: $0 $1 redis"
    "$1_redis"
    ;;
  down)
    need_dir
    thaw_redis 2>/dev/null || true
    stop_redis || true
    stop_postgres || true
    rm -rf "$SERVICES_DIR"
    ;;
  *) die "usage: $0 up | start|stop postgres|redis | freeze|thaw redis | down" ;;
esac
