#!/usr/bin/env bash
# First-time members against members the bot knows, through every front, against raw
# inserts on the same Postgres, in one run.
#
#   docs/bench/known.sh [postgres-dsn]
#
# For each front and kind it runs two Go benchmarks back to back: BenchmarkFirst...,
# where every press (or /pledge) comes from a member the bot has never seen, and
# BenchmarkKnown..., the same burst by members who, before the clock starts, pressed
# the same button of another campaign through the same front (so they are in the
# database and in the bot's cache). Each benchmark runs BENCH_PRESSES operations from
# 32 clients and checks that every acknowledged one is stored exactly once. The pgbench
# baseline of burst.sh (32 clients) is measured before and after. The Go benchmarks
# keep the server's durability settings, as pgbench does.
set -euo pipefail
cd "$(dirname "$0")/../.."
dsn="${1:-${CROWDBOT_TEST_POSTGRES:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}}"
secs="${BENCH_SECONDS:-20}"
presses="${BENCH_PRESSES:-40000}"

. docs/bench/raw.sh

export CROWDBOT_TEST_POSTGRES="$dsn"
go test -run '^$' ./bots/telegram/ ./bots/discord/ ./bots/web/ >/dev/null # build first, outside the measured part
before=$(raw 32)
rows=()
for b in "VotesThroughHTTP ./bots/web/" "BallotsThroughHTTP ./bots/web/" "PledgesThroughHTTP ./bots/web/" \
	"VotesThroughTelegram ./bots/telegram/" "VotesThroughDiscord ./bots/discord/"; do
	set -- $b
	first=$(rate "BenchmarkFirst$1" "$2" "${presses}x")
	known=$(rate "BenchmarkKnown$1" "$2" "${presses}x")
	rows+=("$1 $first $known")
done
after=$(raw 32)

printf 'raw pgbench: %.0f/s before, %.0f/s after\n' "$before" "$after"
printf '%-22s %10s %10s %12s %18s\n' burst 'first/s' 'known/s' 'first/known' 'first vs pgbench'
for r in "${rows[@]}"; do
	echo "$r" | awk -v b="$before" -v a="$after" '{ printf "%-22s %10.0f %10.0f %12.2f %11.2f / %.2f\n", $1, $2, $3, $2 / $3, $2 / b, $2 / a }'
done
