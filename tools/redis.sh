#!/usr/bin/env bash
# Starts a throwaway Redis 7 (Debian's redis-server) for the tests: no persistence, listening on
# 127.0.0.1 only, run by an unprivileged user when started as root. Prints the address to give the
# tests as STOA_TEST_REDIS; `tools/redis.sh stop DIR` stops it.
set -euo pipefail
if [ "${1:-}" = stop ]; then
    kill "$(cat "$2/redis.pid")"
    exit 0
fi
port=${1:-56379}
dir=$(mktemp -d /tmp/stoa-redis.XXXXXX)
runner=()
if [ "$(id -u)" = 0 ]; then
    chown nobody "$dir"
    runner=(runuser -u nobody --)
fi
"${runner[@]}" redis-server --bind 127.0.0.1 --port "$port" --dir "$dir" --save '' --appendonly no \
    --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/log"
for _ in $(seq 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
redis-cli -p "$port" ping >/dev/null
echo "127.0.0.1:$port"
echo "# stop: tools/redis.sh stop $dir" >&2
