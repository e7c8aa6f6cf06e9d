#!/usr/bin/env bash
# Vote ingestion against raw inserts, on the same Postgres, in one run.
#
#   docs/bench/votes.sh [postgres-dsn]
#
# 1. pgbench: single-row inserts into a table shaped like idea_votes, 16 clients, each
#    insert its own transaction (the baseline: what the server can take at all).
# 2. BenchmarkIdeaVote: the store's vote (vote row, count, points, referral credit,
#    all checked against the campaign's state), 16 clients, one transaction per vote.
# 3. BenchmarkVoteThroughRouter: a platform button press through the whole neutral
#    layer (identify, record the update once, vote, render the translated answer).
# Both Go benchmarks keep the server's durability settings, as pgbench does.
set -euo pipefail
cd "$(dirname "$0")/../.."
dsn="${1:-${CROWDBOT_TEST_POSTGRES:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}}"
secs="${BENCH_SECONDS:-20}"

psql "$dsn" -qc "DROP TABLE IF EXISTS bench_votes; CREATE TABLE bench_votes (idea_id bigint NOT NULL, member_id bigint NOT NULL, created_at timestamptz NOT NULL, PRIMARY KEY (idea_id, member_id));"
raw=$(pgbench "$dsn" -n -c 16 -j 2 -T "$secs" -f docs/bench/pgbench-insert.sql 2>/dev/null | awk '/^tps/ {print $3}')
psql "$dsn" -qc "DROP TABLE bench_votes"

export CROWDBOT_TEST_POSTGRES="$dsn"
store=$(go test -run '^$' -bench 'BenchmarkIdeaVote$' -benchtime "${secs}s" ./storage/ | awk '/votes\/s/ {for (i=1;i<=NF;i++) if ($(i+1)=="votes/s") print $i}')
router=$(go test -run '^$' -bench 'BenchmarkVoteThroughRouter$' -benchtime "${secs}s" ./bots/ | awk '/votes\/s/ {for (i=1;i<=NF;i++) if ($(i+1)=="votes/s") print $i}')

awk -v raw="$raw" -v store="$store" -v router="$router" 'BEGIN {
	printf "raw pgbench inserts   %8.0f /s   1.00\n", raw
	printf "store votes           %8.0f /s   %.2f\n", store, store / raw
	printf "votes through Router  %8.0f /s   %.2f\n", router, router / raw
}'
