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
# 4. pgbench again: the baseline drifts with the machine's load, so the figures are
#    given against the baseline before and after them.
# Both Go benchmarks keep the server's durability settings, as pgbench does.
set -euo pipefail
cd "$(dirname "$0")/../.."
dsn="${1:-${CROWDBOT_TEST_POSTGRES:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}}"
secs="${BENCH_SECONDS:-20}"

. docs/bench/raw.sh

export CROWDBOT_TEST_POSTGRES="$dsn"
go test -run '^$' ./storage/ ./bots/ >/dev/null # build first, outside the measured part
before=$(raw 16)
store=$(rate BenchmarkIdeaVote ./storage/)
router=$(rate BenchmarkVoteThroughRouter ./bots/)
after=$(raw 16)

# the server's raw rate drifts on a shared machine: the baseline is measured before
# and after, and each figure is given against both
awk -v b="$before" -v a="$after" -v store="$store" -v router="$router" 'BEGIN {
	printf "                          per second   vs before   vs after\n"
	printf "raw pgbench, before       %10.0f   %9.2f   %8.2f\n", b, 1, b / a
	printf "store votes               %10.0f   %9.2f   %8.2f\n", store, store / b, store / a
	printf "votes through the Router  %10.0f   %9.2f   %8.2f\n", router, router / b, router / a
	printf "raw pgbench, after        %10.0f   %9.2f   %8.2f\n", a, a / b, 1
}'
