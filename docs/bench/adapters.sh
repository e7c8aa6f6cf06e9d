#!/usr/bin/env bash
# A viral burst through the platform adapters, against raw inserts on the same
# Postgres, in one run.
#
#   docs/bench/adapters.sh [postgres-dsn]
#
# 1. pgbench: single-row idempotent inserts into a table shaped like idea_votes,
#    32 clients, each insert its own transaction (the baseline of burst.sh);
# 2. BenchmarkFirstVotesThroughTelegram: 32 clients, each operation a callback_query
#    of a user the bot has never seen pressing one idea's vote button, posted to the
#    bot's webhook by the fake Bot API, done when the fake has its answerCallbackQuery;
# 3. BenchmarkFirstVotesThroughDiscord: the same as signed HTTP interactions
#    (MESSAGE_COMPONENT) posted to the adapter's interaction endpoint;
# 4. BenchmarkFirstVotesThroughHTTP: the same through the web front (POST /api/chat),
#    for comparison;
# 5. pgbench again, since the baseline drifts with the machine's load.
# Each benchmark checks that every acknowledged vote is stored exactly once. The Go
# benchmarks keep the server's durability settings, as pgbench does.
set -euo pipefail
cd "$(dirname "$0")/../.."
dsn="${1:-${CROWDBOT_TEST_POSTGRES:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}}"
secs="${BENCH_SECONDS:-20}"

. docs/bench/raw.sh

export CROWDBOT_TEST_POSTGRES="$dsn"
go test -run '^$' ./bots/telegram/ ./bots/discord/ ./bots/web/ >/dev/null # build first, outside the measured part
before=$(raw 32)
telegram=$(rate BenchmarkFirstVotesThroughTelegram ./bots/telegram/)
discord=$(rate BenchmarkFirstVotesThroughDiscord ./bots/discord/)
web=$(rate BenchmarkFirstVotesThroughHTTP ./bots/web/)
after=$(raw 32)

awk -v b="$before" -v a="$after" -v tg="$telegram" -v dc="$discord" -v web="$web" 'BEGIN {
	printf "                            per second   vs before   vs after\n"
	printf "raw pgbench, before         %10.0f   %9.2f   %8.2f\n", b, 1, b / a
	printf "first votes, Telegram       %10.0f   %9.2f   %8.2f\n", tg, tg / b, tg / a
	printf "first votes, Discord        %10.0f   %9.2f   %8.2f\n", dc, dc / b, dc / a
	printf "first votes, web front      %10.0f   %9.2f   %8.2f\n", web, web / b, web / a
	printf "raw pgbench, after          %10.0f   %9.2f   %8.2f\n", a, a / b, 1
}'
