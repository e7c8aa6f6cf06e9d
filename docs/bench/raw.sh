# The raw baseline every benchmark script measures itself against, and the runner of
# their Go benchmarks, sourced by them:
# `raw CLIENTS` runs pgbench with CLIENTS clients for $secs seconds against $dsn,
# single-row idempotent inserts into a table shaped like idea_votes, each its own
# transaction (docs/bench/pgbench-insert.sql), and prints the inserts per second.
raw() {
	local PGOPTIONS="-c client_min_messages=warning"
	export PGOPTIONS
	psql "$dsn" -qc "DROP TABLE IF EXISTS bench_votes; CREATE TABLE bench_votes (idea_id bigint NOT NULL, member_id bigint NOT NULL, created_at timestamptz NOT NULL, PRIMARY KEY (idea_id, member_id));"
	pgbench "$dsn" -n -c "$1" -j 2 -T "$secs" -f docs/bench/pgbench-insert.sql 2>/dev/null | awk '/^tps/ {print $3}'
	psql "$dsn" -qc "DROP TABLE bench_votes"
}

# `rate BENCHMARK PACKAGE [BENCHTIME]` runs one Go benchmark (for $secs seconds unless
# BENCHTIME is given, as go test's -benchtime) and prints the rate it reports: its first
# figure a second (votes/s, ballots/s, pledges/s).
rate() {
	go test -run '^$' -bench "^$1\$" -benchtime "${3:-${secs}s}" "$2" | awk '/\/s/ && !found {for (i=1;i<=NF;i++) if (!found && $(i+1) ~ /\/s$/) {print $i; found=1}}'
}
