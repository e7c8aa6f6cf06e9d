#!/usr/bin/env bash
# A viral burst through the real HTTP front, against raw inserts on the same Postgres.
#
#   docs/bench/burst.sh [postgres-dsn]
#
# 1. starts crowdbot (a local try-out on 127.0.0.1:18080) over a fresh schema;
# 2. pgbench: single-row idempotent inserts into a table shaped like idea_votes,
#    32 clients, each insert its own transaction (the baseline);
# 3. crowdbot-load for each kind: 32 clients, each request a member the bot has never
#    seen, through POST /api/chat: votes for one idea, votes in one poll, pledges to
#    one fundraiser; it checks in the database that every acknowledged one was
#    stored exactly once, and reads the bot's memory from /metrics, sending the admin
#    token as a bearer (without it /metrics answers 401; with metrics.addr set, pass
#    -metrics http://<that address> instead);
# 4. pgbench again, since the baseline drifts with the machine's load.
# The schema keeps the server's durability settings, as pgbench does.
set -euo pipefail
cd "$(dirname "$0")/../.."
dsn="${1:-${CROWDBOT_TEST_POSTGRES:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}}"
secs="${BENCH_SECONDS:-20}"
clients="${BENCH_CLIENTS:-32}"
addr=127.0.0.1:18080
token=burst-bench-admin-token

schema="burst_$$"
psql "$dsn" -qc "CREATE SCHEMA $schema"
sep='?'; case "$dsn" in *\?*) sep='&';; esac
bot_dsn="${dsn}${sep}search_path=$schema"

bin=$(mktemp -d)
go build -o "$bin/crowdbot" ./cmd/crowdbot
go build -o "$bin/crowdbot-load" ./cmd/crowdbot-load
CROWDBOT_DATABASE_URL="$bot_dsn" CROWDBOT_HTTP_ADDR="$addr" CROWDBOT_WEB_ADMIN_TOKEN="$token" \
	CROWDBOT_LOG_LEVEL=warn "$bin/crowdbot" >"$bin/bot.log" 2>&1 &
bot=$!
cleanup() {
	kill "$bot" 2>/dev/null || true
	wait "$bot" 2>/dev/null || true
	psql "$dsn" -qc "DROP SCHEMA $schema CASCADE" >/dev/null 2>&1 || true
	rm -rf "$bin"
}
trap cleanup EXIT
for _ in $(seq 100); do
	curl -fs "http://$addr/healthz" >/dev/null 2>&1 && break
	sleep 0.2
done

. docs/bench/raw.sh
# load runs one burst and prints its line of figures, after the rate
load() {
	"$bin/crowdbot-load" -url "http://$addr" -kind "$1" -clients "$clients" -duration "${secs}s" -db "$bot_dsn" -token "$token"
}

before=$(raw "$clients")
idea=$(load idea)
poll=$(load poll)
pledge=$(load pledge)
after=$(raw "$clients")

echo "raw pgbench before: $before/s   after: $after/s"
for out in "$idea" "$poll" "$pledge"; do
	echo "$out"
	rate=$(echo "$out" | sed -n 's/.* rate=\([0-9]*\)\/s.*/\1/p' | head -1)
	awk -v r="$rate" -v b="$before" -v a="$after" 'BEGIN { printf "  vs raw before %.2f, after %.2f\n", r / b, r / a }'
done
