#!/usr/bin/env bash
# Starts a throwaway PostgreSQL 15 cluster (Debian's postgresql-15) for the tests: a fresh cluster in
# a temporary folder, listening on 127.0.0.1 only, run by an unprivileged user when started as root.
# Prints the connection string to give the tests as STOA_TEST_POSTGRES; `tools/postgres.sh stop DIR` stops it.
set -euo pipefail
bin=/usr/lib/postgresql/15/bin
if [ "${1:-}" = stop ]; then
    runner=(); [ "$(id -u)" = 0 ] && runner=(runuser -u nobody --)
    "${runner[@]}" "$bin/pg_ctl" -D "$2/data" -m immediate stop >/dev/null
    exit 0
fi
port=${1:-55432}
dir=$(mktemp -d /tmp/stoa-postgres.XXXXXX)
runner=()
if [ "$(id -u)" = 0 ]; then
    chown nobody "$dir"
    runner=(runuser -u nobody --)
fi
"${runner[@]}" "$bin/initdb" -D "$dir/data" -U stoa --auth=trust --encoding=UTF8 --locale=C >/dev/null
# Throwaway and fast: the tests' durability is the app's (it commits before it answers), not this cluster's.
"${runner[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -o "-h 127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400 -c shared_buffers=256MB" start >/dev/null
echo "Host=127.0.0.1;Port=$port;Username=stoa;Database=postgres"
echo "# stop: tools/postgres.sh stop $dir" >&2
